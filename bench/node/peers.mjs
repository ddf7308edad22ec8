// The JS peers of the Node benchmark, each behind the same small interface:
//   open(dir) -> engine; engine.ingest(batch); engine.put(doc);
//   engine.get(id) -> doc | null; engine.getAsOf?(id, seq); engine.close()
// Durability is made equal: every ingest batch and every single put is on
// stable storage when its call returns. Peers without a sync option of their
// own get an fdatasync of their file after they persisted it.
import fs from 'node:fs';
import path from 'node:path';
import { open as openCairn } from 'cairndb';
import { ClassicLevel } from 'classic-level';
import Datastore from '@seald-io/nedb';
import loki from 'lokijs';
import initSqlJs from 'sql.js';

function fdatasyncFile(file) {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export const peers = {
  cairndb: {
    durability: 'fdatasync per commit (strict mode)',
    async open(dir) {
      const db = await openCairn(dir);
      return {
        ingest: (docs) => db.putMany(docs.map((d) => ({ coll: 'blocks', id: d.id, doc: d.doc }))),
        put: (d) => db.put('blocks', d.id, d.doc),
        get: async (id) => (await db.get('blocks', id))?.data ?? null,
        getAsOf: async (id, seq) => (await db.get('blocks', id, { asOf: seq }))?.data ?? null,
        seq: () => db.seq(),
        close: () => db.close(),
      };
    },
  },
  'classic-level': {
    durability: 'LevelDB write with sync: true',
    async open(dir) {
      const db = new ClassicLevel(dir, { valueEncoding: 'json' });
      await db.open();
      return {
        ingest: (docs) => db.batch(docs.map((d) => ({ type: 'put', key: d.id, value: d.doc })), { sync: true }),
        put: (d) => db.put(d.id, d.doc, { sync: true }),
        get: async (id) => {
          const v = await db.get(id);
          return v === undefined ? null : v;
        },
        close: () => db.close(),
      };
    },
  },
  nedb: {
    durability: 'append to its datafile, then fdatasync of the file',
    async open(dir) {
      const filename = path.join(dir, 'nedb.db');
      const db = new Datastore({ filename });
      await db.loadDatabaseAsync();
      return {
        ingest: async (docs) => {
          await db.insertAsync(docs.map((d) => ({ _id: d.id, ...d.doc })));
          fdatasyncFile(filename);
        },
        put: async (d) => {
          await db.insertAsync({ _id: d.id, ...d.doc });
          fdatasyncFile(filename);
        },
        get: async (id) => {
          const v = await db.findOneAsync({ _id: id });
          if (!v) return null;
          const { _id, ...doc } = v;
          return doc;
        },
        close: async () => {
          await db.compactDatafileAsync();
        },
      };
    },
  },
  lokijs: {
    durability: 'saveDatabase (LokiFsAdapter) after each write, then fdatasync',
    smallSinglePuts: true,
    async open(dir) {
      const filename = path.join(dir, 'loki.json');
      const db = new loki(filename, { adapter: new loki.LokiFsAdapter() });
      const coll = db.addCollection('blocks', { unique: ['id'], disableMeta: true });
      const save = () =>
        new Promise((resolve, reject) =>
          db.saveDatabase((err) => {
            if (err) return reject(err);
            fdatasyncFile(filename);
            resolve();
          }),
        );
      return {
        ingest: async (docs) => {
          coll.insert(docs.map((d) => ({ id: d.id, doc: d.doc })));
          await save();
        },
        put: async (d) => {
          coll.insert({ id: d.id, doc: d.doc });
          await save();
        },
        get: async (id) => coll.by('id', id)?.doc ?? null,
        close: () => new Promise((resolve) => db.close(resolve)),
      };
    },
  },
  'sql.js': {
    durability: 'export of the whole database to its file after each write, then fdatasync',
    smallSinglePuts: true,
    async open(dir) {
      const SQL = await initSqlJs();
      const filename = path.join(dir, 'sqljs.db');
      const db = new SQL.Database();
      db.run('CREATE TABLE docs (coll TEXT, id TEXT, json TEXT, PRIMARY KEY (coll, id)) WITHOUT ROWID');
      // export() closes and reopens the database, freeing prepared
      // statements, so they are prepared again after each export.
      let insert = null;
      let select = null;
      const prepare = () => {
        insert ??= db.prepare(
          'INSERT INTO docs (coll, id, json) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET json = excluded.json');
        select ??= db.prepare('SELECT json FROM docs WHERE coll = ? AND id = ?');
      };
      const persist = () => {
        fs.writeFileSync(filename, db.export());
        insert = select = null;
        fdatasyncFile(filename);
      };
      return {
        ingest: async (docs) => {
          prepare();
          db.run('BEGIN');
          for (const d of docs) insert.run(['blocks', d.id, JSON.stringify(d.doc)]);
          db.run('COMMIT');
          persist();
        },
        put: async (d) => {
          prepare();
          insert.run(['blocks', d.id, JSON.stringify(d.doc)]);
          persist();
        },
        get: async (id) => {
          prepare();
          select.bind(['blocks', id]);
          const v = select.step() ? JSON.parse(select.get()[0]) : null;
          select.reset();
          return v;
        },
        close: async () => {
          db.close();
        },
      };
    },
  },
};
