// The SQLite peer of the browser benchmark: @sqlite.org/sqlite-wasm on its
// opfs-sahpool VFS (OPFS sync access handles, so it too must run in a
// worker), answering one request per message as cairndb's worker does.
// Table and settings as in the native benchmark: WITHOUT ROWID, 64 MiB page
// cache, synchronous=FULL (sahpool has no WAL, so the journal is the
// default rollback journal).
import sqlite3InitModule from '/node_modules/@sqlite.org/sqlite-wasm/dist/index.mjs';

let pool = null;
let db = null;
let put = null;
let get = null;

const ops = {
  async open({ file, fresh }) {
    const sqlite3 = await sqlite3InitModule();
    pool = await sqlite3.installOpfsSAHPoolVfs({ name: 'cairn-bench-pool' });
    if (fresh) await pool.wipeFiles();
    db = new pool.OpfsSAHPoolDb(file);
    db.exec('PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;');
    db.exec('CREATE TABLE IF NOT EXISTS docs (id TEXT PRIMARY KEY, json TEXT) WITHOUT ROWID');
    put = db.prepare('INSERT INTO docs (id, json) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json');
    get = db.prepare('SELECT json FROM docs WHERE id = ?');
    return sqlite3.version.libVersion;
  },
  ingest({ batch }) {
    db.exec('BEGIN');
    for (const { id, doc } of batch) put.bind([id, JSON.stringify(doc)]).stepReset();
    db.exec('COMMIT');
  },
  put({ key, doc }) {
    put.bind([key, JSON.stringify(doc)]).stepReset();
  },
  get({ key }) {
    get.bind([key]);
    const json = get.step() ? get.get(0) : null;
    get.reset();
    return json === null ? null : JSON.parse(json);
  },
  close() {
    put.finalize();
    get.finalize();
    db.close();
    pool.pauseVfs();
  },
};

self.onmessage = async ({ data }) => {
  try {
    postMessage({ id: data.id, value: await ops[data.op](data.args) });
  } catch (e) {
    postMessage({ id: data.id, error: `${e.name}: ${e.message}` });
  }
};
