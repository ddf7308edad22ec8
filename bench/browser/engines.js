// The engines of the browser benchmark behind one interface, each at
// equal durability (a batch or a single put is committed to stable storage
// when its promise resolves):
//   open({ fresh }) · ingest(batch of { id, doc }) · put(id, doc) · get(id) -> doc · close()
// cairndb in strict mode on OPFS and on IndexedDB; SQLite (opfs-sahpool,
// synchronous=FULL) in a worker; Dexie with Chrome transaction durability
// "strict".
import { open as openCairn, deleteDatabase } from 'cairndb';
import Dexie from 'dexie';

function cairn(storage) {
  const name = `bench-${storage}`;
  let db = null;
  return {
    async open({ fresh }) {
      if (fresh) await deleteDatabase({ name, storage });
      db = await openCairn({ name, storage });
    },
    async ingest(batch) {
      await db.putMany(batch.map(({ id, doc }) => ({ coll: 'blocks', id, doc })));
    },
    async put(id, doc) {
      await db.put('blocks', id, doc);
    },
    async get(id) {
      return (await db.get('blocks', id))?.data ?? null;
    },
    async close() {
      await db.close();
    },
  };
}

function sqlite() {
  let worker = null;
  let next = 1;
  const pending = new Map();
  const call = (op, args = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, args });
    });
  return {
    async open({ fresh }) {
      worker = new Worker(new URL('./sqlite-worker.js', import.meta.url), { type: 'module' });
      worker.onmessage = ({ data }) => {
        const p = pending.get(data?.id);
        if (!p) return; // the library's own messages
        pending.delete(data.id);
        if (data.error) p.reject(new Error(data.error));
        else p.resolve(data.value);
      };
      worker.onerror = (e) => {
        for (const p of pending.values()) p.reject(new Error(`sqlite worker: ${e.message}`));
        pending.clear();
      };
      this.version = await call('open', { file: '/bench.db', fresh });
    },
    ingest: (batch) => call('ingest', { batch }),
    put: (key, doc) => call('put', { key, doc }),
    get: (key) => call('get', { key }),
    async close() {
      await call('close');
      worker.terminate();
    },
  };
}

function dexie() {
  let db = null;
  return {
    async open({ fresh }) {
      if (fresh) await Dexie.delete('cairn-bench-dexie');
      db = new Dexie('cairn-bench-dexie', { chromeTransactionDurability: 'strict' });
      db.version(1).stores({ blocks: 'id' });
      await db.open();
      this.version = Dexie.semVer;
    },
    ingest: (batch) => db.blocks.bulkPut(batch.map(({ id, doc }) => ({ id, doc }))),
    put: (id, doc) => db.blocks.put({ id, doc }),
    async get(id) {
      return (await db.blocks.get(id))?.doc ?? null;
    },
    async close() {
      db.close();
    },
  };
}

export const engines = {
  'cairndb-opfs': () => cairn('opfs'),
  'cairndb-idb': () => cairn('idb'),
  'sqlite-wasm-sahpool': sqlite,
  dexie,
};
