// The storage bridge: wraps a JS storage backend (storage-backends/) so that
// the wasm side (wasm/js_storage.cc) can call it synchronously without a JS
// exception ever crossing wasm frames. A failure is returned, not thrown, as
// { code, message }.
//
// Backend protocol (what storage-backends/*.js implement; throws an Error
// with `cairnCode` on failure):
//   openFile(name, { create, direct }) -> file
//   list() -> string[]; remove(name); rename(from, to); lock(); unlock()
//   capabilities() -> { durableSync, directIo, atomicRename, crossProcessLock, name }
//   describe() -> string
//   file.read(offset, Uint8Array) -> bytes that exist (the rest zero-filled)
//   file.write(offset, Uint8Array); file.sync(); file.size() -> number;
//   file.truncate(size); file.close()
// The Uint8Arrays are views into wasm memory, valid only during the call.
// Optional, used by the browser worker (js/src/worker.js) between calls:
//   prepare() -> promise        (OPFS: free slots for new files)
//   whenDurable() -> promise | null   (IndexedDB: the commit of what synced)
//   whenLoaded(), hasMisses(), fetchMisses(), beginReadOnly(), endReadOnly()
//                               (IndexedDB loading on demand)

function failure(e, what) {
  return {
    code: typeof e?.cairnCode === 'string' ? e.cairnCode : 'IO_ERROR',
    message: e instanceof Error ? e.message : `${what} failed: ${String(e)}`,
  };
}

function guard(what, fn) {
  try {
    const r = fn();
    return r === undefined ? null : r;
  } catch (e) {
    return failure(e, what);
  }
}

function bridgeFile(file) {
  return {
    read: (offset, view) => guard('read', () => file.read(offset, view)),
    write: (offset, view) => guard('write', () => file.write(offset, view)),
    sync: () => guard('sync', () => file.sync()),
    size: () => guard('size', () => file.size()),
    truncate: (size) => guard('truncate', () => file.truncate(size)),
    close: () => {
      guard('close', () => file.close());
    },
  };
}

export function bridgeStorage(backend) {
  return {
    openFile: (name, create, direct) =>
      guard('openFile', () => bridgeFile(backend.openFile(name, { create, direct }))),
    list: () => guard('list', () => backend.list()),
    remove: (name) => guard('remove', () => backend.remove(name)),
    rename: (from, to) => guard('rename', () => backend.rename(from, to)),
    lock: () => guard('lock', () => backend.lock()),
    unlock: () => guard('unlock', () => backend.unlock()),
    capabilities: () => backend.capabilities(),
    describe: () => String(backend.describe()),
  };
}
