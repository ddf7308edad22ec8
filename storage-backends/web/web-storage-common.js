// What the browser storage backends (opfs/opfs-storage.js and
// idb/idb-storage.js) share: Cairn failures, DOM errors mapped to them, name
// checks and the Web Lock that makes a database single-opener. Copied next to
// them into js/dist/backends/ by scripts/build-wasm.sh.
const NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;
const DB_NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

export function fail(code, message) {
  const e = new Error(message);
  e.cairnCode = code;
  return e;
}

// The one place a DOM error becomes a Cairn failure.
export function fromDomError(e, what) {
  if (e?.cairnCode) return e;
  if (e?.name === 'QuotaExceededError') {
    return fail('IO_ERROR', `${what}: out of storage space: the browser's storage quota for this site is used up (QuotaExceededError)`);
  }
  if (e?.name === 'NoModificationAllowedError') {
    return fail('LOCKED', `${what}: the file is open elsewhere (NoModificationAllowedError)`);
  }
  return fail('IO_ERROR', `${what}: ${e?.name ?? 'Error'}: ${e?.message ?? String(e)}`);
}

export function checkName(name) {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw fail('INVALID_ARGUMENT', `invalid file name ${JSON.stringify(name)}`);
  }
}

export function checkDatabaseName(name) {
  if (typeof name !== 'string' || !DB_NAME_RE.test(name)) {
    throw fail('INVALID_ARGUMENT',
      `the database name must be 1-64 characters of [A-Za-z0-9._-] not starting with '.', got ${JSON.stringify(name)}`);
  }
}

// A Web Lock held until the returned function is called; that function's
// promise settles once the lock is free again. LOCKED at once when another
// holder has it.
export async function acquireWebLock(lockName, what) {
  if (!globalThis.navigator?.locks) return async () => {};
  return new Promise((resolve, reject) => {
    const held = navigator.locks
      .request(lockName, { ifAvailable: true }, (lock) => {
        if (!lock) {
          reject(fail('LOCKED', `${what} is already open in another tab, worker or open() of this site`));
          return undefined;
        }
        return new Promise((release) => resolve(() => {
          release();
          return held;
        }));
      })
      .catch((e) => reject(fromDomError(e, `lock ${what}`)));
  });
}
