// The dedicated worker behind cairndb in a browser: runs the web build of
// the engine (dist/cairn-web.mjs + .wasm) over an OPFS, IndexedDB or memory
// backend, and answers the requests of the main thread's proxy
// (js/src/proxy.js). The storage interface stays synchronous: the engine
// runs here, off the main thread, where OPFS sync access handles exist.
//
// Protocol: requests { id, op, target, method, args }, answers
// { id, value } (or, for calls, the other forms of answerOf, and for
// putMany { versions: text }) or { id, error: { code, message } }. An
// answer that must wait for a commit may be sent ahead as { id, early:
// answer }, then confirmed by { id, settled: true } (or replaced by an
// error) once the commit is done.
//   op "open"    args [options]           -> { storage, methods }
//   op "call"    target, method, args     -> the method's result (an object
//                                             with methods, such as a space,
//                                             is kept here and answered as
//                                             { remote }; an array with
//                                             named properties as { array })
//   op "export"                           -> { fileName: Uint8Array }
//   op "import"  args [options, files]    -> null (writes into an empty database)
//   op "destroy" args [options]           -> null
//
// Order and durability: requests run one at a time, in arrival order.
// Answers leave in the same order, each only once the storage says the
// writes it synced are durable (IdbStorage.whenDurable(); OPFS and memory
// are durable when the call returns), so an answered write is committed.
// A request does not wait for the previous answer's commit to run, so
// writes arriving during a commit share the next one.
//
// Loading on demand (IndexedDB): the database opens once the sizes and the
// tails of its files are read, and the rest loads behind it (see
// storage-backends/idb/idb-storage.js). A call that writes nothing and
// touches a chunk not loaded yet runs again once that chunk is in (up to
// MISS_ROUNDS times, then after the whole load); a call that may write
// (any method not in READS) first waits for the whole load, so no write
// ever stops halfway on a missing chunk.
import createCairnModule from '../dist/cairn-web.mjs';
import { OpfsStorage } from '../dist/backends/opfs-storage.js';
import { IdbStorage } from '../dist/backends/idb-storage.js';
import { MemoryStorage } from '../dist/backends/memory-storage.js';
import { bridgeStorage } from './bridge.js';
import { Database, putPackedText } from './database.js';
import { Space } from './space.js';
import { CairnError, invalid } from './errors.js';
import { engineOptions } from './options.js';
import { decodeDoc } from './wire.js';

let modulePromise = null;
let backend = null;
let db = null;
const objects = new Map(); // remote object id -> object (0: the database)
let nextObject = 1;
let running = Promise.resolve();
let answered = Promise.resolve();

// The methods that write nothing, so may run again after a miss.
const READS = new Map([
  [Database, new Set(['get', 'getByHash', 'history', 'list', 'versions', 'collections', 'trace', 'query', 'indexes',
    'neighbors', 'head', 'seq', 'verify', 'stats', 'spaces', 'edgesAt', 'edgesOfKind', 'traverseEdges'])],
  [Space, new Set(['bbox', 'subscope', 'count', 'nearest', 'history', 'branches', 'diff'])],
]);
const MISS_ROUNDS = 3;

// Runs `fn` until it touches no chunk `storage` has not loaded yet,
// loading what it missed between runs. With `readOnly`, the storage
// refuses any write during `fn` (INTERNAL), so a method wrongly listed in
// READS fails loudly instead of being run twice.
async function withChunks(storage, fn, readOnly = true) {
  for (let round = 1; ; round++) {
    let value;
    let error = null;
    if (readOnly) storage?.beginReadOnly?.();
    try {
      value = await fn();
    } catch (e) {
      error = e;
    } finally {
      if (readOnly) storage?.endReadOnly?.();
    }
    if (!storage?.hasMisses?.()) {
      if (error) throw error;
      return value;
    }
    if (round >= MISS_ROUNDS) await storage.whenLoaded();
    await storage.fetchMisses();
  }
}

function writesNothing(obj, method) {
  return READS.get(Object.getPrototypeOf(obj)?.constructor)?.has(method) ?? false;
}

function loadModule() {
  modulePromise ??= createCairnModule();
  return modulePromise;
}

function opfsAvailable() {
  return typeof navigator.storage?.getDirectory === 'function' &&
    typeof FileSystemFileHandle !== 'undefined' &&
    typeof FileSystemFileHandle.prototype.createSyncAccessHandle === 'function';
}

// The backend kind an open() names ('auto': OPFS where it exists, else
// IndexedDB).
function storageKind(o) {
  const kind = o.storage ?? 'auto';
  if (!['opfs', 'idb', 'memory', 'auto'].includes(kind)) {
    throw invalid(`unknown storage ${JSON.stringify(kind)} (opfs | idb | memory | auto)`);
  }
  if (kind === 'opfs' && !opfsAvailable()) {
    throw new CairnError('IO_ERROR', 'OPFS sync access handles are not available in this browser; use storage "idb"');
  }
  if (kind === 'auto') return opfsAvailable() ? 'opfs' : 'idb';
  return kind;
}

function asCairnError(e) {
  if (e instanceof CairnError) return e;
  if (typeof e?.cairnCode === 'string') return new CairnError(e.cairnCode, e.message);
  return new CairnError('INTERNAL', `${e?.name ?? 'Error'}: ${e?.message ?? String(e)}`);
}

async function openBackend(kind, o) {
  if (kind === 'opfs') return OpfsStorage.open(o.name);
  if (kind === 'idb') {
    // A cleanly closed log is replayed from near its end: its last chunk
    // is enough to open. Tables keep their index and filter at the end,
    // and are written once, so they take bigger chunks (faster to read).
    return IdbStorage.open(o.name, {
      durability: o.durability ?? 'strict',
      load: 'demand',
      tailBytes: (file) => (file.startsWith('log-') ? 1 : 1 << 20),
      chunkBytes: (file) => (file.startsWith('checkpoint-') ? 256 << 10 : 64 << 10),
    });
  }
  return new MemoryStorage(o.name ?? 'memory');
}

function methodsOf(obj) {
  const names = new Set();
  for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      if (k !== 'constructor' && typeof Object.getOwnPropertyDescriptor(p, k).value === 'function') names.add(k);
    }
  }
  return [...names];
}

async function openDatabase(o) {
  if (db) throw new CairnError('INTERNAL', 'this worker already has a database open');
  const args = engineOptions(o);
  const kind = storageKind(o);
  // The storage first: its requests run in the browser while the module's
  // glue sets up and the .wasm compiles here.
  const opening = openBackend(kind, o);
  const [storage, module] = await Promise.all([opening, loadModule()]);
  let handle;
  try {
    // Opening writes only into what it has read (a torn log tail it cuts),
    // so a miss leaves nothing half-written, and the open runs again.
    await withChunks(storage, () => {
      handle = new module.Database();
      const r = handle.open(bridgeStorage(storage), ...args);
      if (r !== null) {
        handle.delete();
        throw new CairnError(r.code, r.message);
      }
    }, false);
  } catch (e) {
    await storage.close?.().catch(() => {});
    throw e;
  }
  backend = storage;
  db = new Database(handle);
  objects.set(0, db);
  return { storage: kind, methods: methodsOf(db) };
}

// The answer to a call: { value } for a plain value; { remote: { id,
// methods, fields } } for an object with methods, which stays here; and
// { array: { items, props: [[key, descriptor]] } } for an array with named
// properties (e.g. a page of records and its non-enumerable `cursor`),
// since structured cloning keeps only indices.
function answerOf(v) {
  if (Array.isArray(v)) {
    const named = Object.getOwnPropertyNames(v).filter((k) => k !== 'length' && !/^\d+$/.test(k));
    if (named.length === 0) return { value: v };
    const props = named.map((k) => {
      const { value, enumerable, writable, configurable } = Object.getOwnPropertyDescriptor(v, k);
      return [k, { value, enumerable, writable, configurable }];
    });
    return { array: { items: [...v], props } };
  }
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || v instanceof Date) return { value: v };
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return { value: v };
  const id = nextObject++;
  objects.set(id, v);
  const fields = {};
  for (const [k, f] of Object.entries(v)) if (typeof f !== 'function' && typeof f !== 'object') fields[k] = f;
  return { remote: { id, methods: methodsOf(v), fields } };
}

async function call(target, method, args) {
  const obj = objects.get(target);
  if (!obj || (target === 0 && !db)) throw new CairnError('CLOSED', 'the database is closed');
  if (typeof obj[method] !== 'function' || method === 'constructor') {
    throw invalid(`${method} is not a method of the database`);
  }
  if (target === 0 && method === 'put') args[2] = decodeDoc(args[2]);
  // putMany arrives packed by the page (packWrites) and answers with its
  // versions' text, which the page parses: one string each way instead of
  // a thousand objects to clone.
  const asText = target === 0 && method === 'putMany';
  let value;
  if (writesNothing(obj, method)) {
    value = await withChunks(backend, () => obj[method](...args));
  } else {
    await backend?.whenLoaded?.();
    value = await (asText ? obj[putPackedText](args[0]?.packed) : obj[method](...args));
  }
  if (asText) return { versions: value };
  if (method === 'close') {
    objects.delete(target);
    if (target === 0) await closeDatabase();
  }
  return answerOf(value);
}

async function closeDatabase() {
  const storage = backend;
  db = null;
  backend = null;
  objects.clear();
  if (storage) await storage.close?.();
}

// Every file of the open database, read through the storage protocol after
// a sync, so the copy is the state every acknowledged write is in.
async function exportFiles() {
  if (!db) throw new CairnError('CLOSED', 'the database is closed');
  await backend.whenLoaded?.();
  await db.sync();
  const files = {};
  for (const name of backend.list()) {
    const file = backend.openFile(name, {});
    try {
      const bytes = new Uint8Array(file.size());
      file.read(0, bytes);
      files[name] = bytes;
    } finally {
      file.close();
    }
  }
  return files;
}

// Writes `files` into the database named by `o`, which must hold none.
async function importFiles(o, files) {
  if (files === null || typeof files !== 'object') {
    throw invalid('importDatabase takes an object of { fileName: Uint8Array }');
  }
  const kind = storageKind(o);
  if (kind === 'memory') throw invalid('importDatabase needs persistent storage (opfs or idb)');
  const storage = await openBackend(kind, o);
  try {
    if (storage.list().length > 0) {
      throw new CairnError('ALREADY_EXISTS', `database "${o.name}" (${kind}) already holds files; delete it first`);
    }
    for (const [name, bytes] of Object.entries(files)) {
      if (name === 'LOCK') continue; // a native host's lock file, not data
      if (!(bytes instanceof Uint8Array)) throw invalid(`files[${JSON.stringify(name)}] must be a Uint8Array`);
      await storage.prepare?.(); // OPFS: a free slot for every file, however many
      const file = storage.openFile(name, { create: true });
      try {
        file.write(0, bytes);
        file.sync();
      } finally {
        file.close();
      }
    }
    await storage.whenDurable?.();
  } finally {
    await storage.close();
  }
  return null;
}

async function destroy(o) {
  const kind = storageKind(o);
  if (kind === 'opfs') await OpfsStorage.destroy(o.name);
  else if (kind === 'idb') await IdbStorage.destroy(o.name);
  return null;
}

// The answer to a request (see answerOf).
async function execute(msg) {
  switch (msg.op) {
    case 'open':
      return { value: await openDatabase(msg.args[0]) };
    case 'call':
      return call(msg.target, msg.method, msg.args);
    case 'export':
      return { value: await exportFiles() };
    case 'import':
      return { value: await importFiles(msg.args[0], msg.args[1]) };
    case 'destroy':
      return { value: await destroy(msg.args[0]) };
    default:
      throw new CairnError('INTERNAL', `unknown request ${JSON.stringify(msg.op)}`);
  }
}

function transferables(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.values(value).filter((v) => v instanceof Uint8Array).map((v) => v.buffer);
}

async function step(msg) {
  let answer;
  let error = null;
  try {
    await backend?.prepare?.();
    answer = await execute(msg);
  } catch (e) {
    error = asCairnError(e);
  }
  const durable = backend?.whenDurable?.() ?? null;
  if (durable && !error && answer?.versions !== undefined) {
    // The page parses the versions while the commit runs; the answer
    // (which resolves the call's promise) still waits for it.
    postMessage({ id: msg.id, early: answer });
    answer = { settled: true };
  }
  answered = answered
    .then(() => durable)
    .then(
      () => {
        if (error) throw error;
        postMessage({ id: msg.id, ...answer }, msg.op === 'export' ? transferables(answer.value) : []);
      },
    )
    .catch((e) => {
      const err = asCairnError(e);
      postMessage({ id: msg.id, error: { code: err.code, message: err.message.slice(err.code.length + 2) } });
    });
}

self.onmessage = (event) => {
  const msg = event.data;
  running = running.then(() => step(msg));
};
