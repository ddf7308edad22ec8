// cairndb for browsers: open() starts a dedicated worker (js/src/worker.js)
// that runs the engine's web build over OPFS, IndexedDB or memory, and
// returns a proxy with the API of the Node entry (js/src/index.js). The
// worker and the .wasm are found relative to this module's URL, so the
// package works from a static server as plain ESM and through bundlers that
// understand `new URL(..., import.meta.url)`. Needs no COOP/COEP headers
// (no SharedArrayBuffer).
import { CairnError, ErrorCodes, invalid } from './errors.js';
import { RemoteDatabase, WorkerChannel } from './proxy.js';

export { CairnError, ErrorCodes, RemoteDatabase as Database };
export { filesToTar, tarToFiles } from './archive.js';

const STORAGES = ['opfs', 'idb', 'memory', 'auto'];

function startWorker(name) {
  if (typeof Worker === 'undefined') {
    throw new CairnError('INTERNAL', 'this environment has no Worker; the browser entry of cairndb needs dedicated workers');
  }
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: `cairndb ${name}` });
  return new WorkerChannel(worker);
}

// The options object of open(name, options) / open({ name, ... }).
function normalise(target, options, what) {
  let o;
  if (typeof target === 'string') {
    o = { ...(options ?? {}), name: target };
  } else if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
    o = { ...target };
  } else {
    throw invalid(`${what} takes a database name or an options object { name, storage }, got ${target === null ? 'null' : typeof target}`);
  }
  if ('path' in o) throw invalid('options.path is for Node; in a browser name the database with options.name');
  const storage = o.storage ?? 'auto';
  if (!STORAGES.includes(storage)) {
    throw invalid(`unknown storage ${JSON.stringify(storage)} (opfs | idb | memory | auto)`);
  }
  if (storage !== 'memory' && (typeof o.name !== 'string' || o.name.length === 0)) {
    throw invalid(`${what} needs options.name, the database's name (a non-empty string)`);
  }
  return { ...o, storage };
}

// Asks the browser to keep this site's storage under pressure; false where
// it declines or cannot be asked (workers, some browsers).
async function requestPersistence() {
  try {
    return (await globalThis.navigator?.storage?.persist?.()) === true;
  } catch {
    return false;
  }
}

// Runs one request on a worker of its own and stops it.
async function oneShot(o, message, what) {
  const channel = startWorker(o.name ?? 'memory');
  try {
    return (await channel.request(message, what)).value;
  } finally {
    channel.terminate();
  }
}

// open({ name, storage: 'opfs' | 'idb' | 'memory' | 'auto', durability,
// cacheBytes, segmentBytes, checkpointBytes, createIfMissing }) or
// open(name, options). 'auto' (the default) is OPFS where the browser has
// sync access handles, else IndexedDB. A database open elsewhere (another
// tab, worker or open) is LOCKED.
export async function open(target, options) {
  const o = normalise(target, options, 'open');
  const persisting = o.storage === 'memory' ? false : requestPersistence();
  const channel = startWorker(o.name ?? 'memory');
  try {
    const { value: info } = await channel.request({ op: 'open', args: [o] }, 'open');
    return new RemoteDatabase(channel, info, await persisting);
  } catch (e) {
    channel.terminate();
    throw e;
  }
}

// Writes a database's files ({ fileName: Uint8Array }, e.g. a native
// database directory's contents or another browser's exportFiles()) into
// the database `name`, which must not hold any yet (ALREADY_EXISTS).
export async function importDatabase(target, files) {
  const o = normalise(target, undefined, 'importDatabase');
  if (files === null || typeof files !== 'object' || Array.isArray(files)) {
    throw invalid('importDatabase takes the files as an object { fileName: Uint8Array }');
  }
  await oneShot(o, { op: 'import', args: [o, files] }, 'importDatabase');
}

// Deletes the database `name` from its storage ('opfs' or 'idb'; 'auto'
// as in open). LOCKED while it is open.
export async function deleteDatabase(target) {
  const o = normalise(target, undefined, 'deleteDatabase');
  await oneShot(o, { op: 'destroy', args: [o] }, 'deleteDatabase');
}
