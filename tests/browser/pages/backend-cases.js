// A module worker that runs the storage-backend cases of
// tests/browser/backends.test.js against the OPFS and IndexedDB backends
// directly (OPFS sync access handles exist only in workers). A request
// { kind, name, testCase } is answered with { ok: true } or { error }.
import { OpfsStorage } from '/cairndb/dist/backends/opfs-storage.js';
import { IdbStorage } from '/cairndb/dist/backends/idb-storage.js';

const open = (kind, name) => (kind === 'opfs' ? OpfsStorage.open(name) : IdbStorage.open(name));

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}
function equal(a, b, what) {
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  if (ja !== jb) throw new Error(`${what}: got ${ja}, expected ${jb}`);
}
async function rejects(fn, code, what) {
  try {
    await fn();
  } catch (e) {
    if (e.cairnCode === code) return e;
    throw new Error(`${what}: expected ${code}, got ${e.cairnCode}: ${e.message}`);
  }
  throw new Error(`${what}: expected ${code}, but it succeeded`);
}
function read(file, offset, n) {
  const buf = new Uint8Array(n).fill(7);
  const got = file.read(offset, buf);
  return { got, bytes: [...buf] };
}
function pattern(n, seed) {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}
async function commit(storage) {
  await storage.whenDurable?.();
}

const cases = {
  // Writes at offsets, a gap reads as zeros, short reads zero-fill,
  // truncate shrinks and grows with zeros; also across 64 KiB chunks and
  // read windows.
  async offsets(kind, name) {
    const s = await open(kind, name);
    const f = s.openFile('a.bin', { create: true });
    f.write(0, new Uint8Array([1, 2, 3]));
    f.write(10, new Uint8Array([9]));
    equal(f.size(), 11, 'size');
    equal(read(f, 0, 16), { got: 11, bytes: [1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0] }, 'read');
    equal(read(f, 100, 4), { got: 0, bytes: [0, 0, 0, 0] }, 'read past the end');
    f.truncate(2);
    equal(f.size(), 2, 'size after truncate');
    f.truncate(5);
    equal(read(f, 0, 5).bytes, [1, 2, 0, 0, 0], 'grown with zeros');
    const big = pattern(200000, 5);
    f.write(70000, big);
    f.sync();
    const back = new Uint8Array(200000);
    equal(f.read(70000, back), 200000, 'big read');
    check(back.every((b, i) => b === big[i]), 'big write reads back');
    equal(read(f, 131070, 4).bytes, [...big.subarray(131070 - 70000, 131074 - 70000)], 'across a chunk boundary');
    f.write(131071, new Uint8Array([0xaa]));
    equal(read(f, 131070, 3).bytes, [big[131070 - 70000], 0xaa, big[131072 - 70000]], 'overwrite seen by reads');
    f.truncate(100000);
    equal(read(f, 99998, 4).got, 2, 'shrunk across chunks');
    f.close();
    await commit(s);
    await s.close();
  },

  // Names are checked; list, rename (replacing), remove.
  async names(kind, name) {
    const s = await open(kind, name);
    await rejects(() => s.openFile('missing', {}), 'NOT_FOUND', 'open missing');
    for (const bad of ['', '../x', 'a/b', '.hidden', 'x'.repeat(65), 'sp ace']) {
      await rejects(() => s.openFile(bad, { create: true }), 'INVALID_ARGUMENT', `name ${bad}`);
    }
    s.openFile('one', { create: true }).write(0, new Uint8Array([1]));
    const replaced = s.openFile('two', { create: true });
    replaced.write(0, new Uint8Array([2, 2]));
    replaced.sync();
    equal(s.list().sort(), ['one', 'two'], 'list');
    s.rename('one', 'two');
    equal(s.list(), ['two'], 'list after rename');
    equal(s.openFile('two', {}).size(), 1, 'the renamed file replaced the old one');
    equal(read(replaced, 0, 2).bytes, [2, 2], 'a file open while renamed over stays readable');
    replaced.close();
    await rejects(() => s.rename('one', 'three'), 'NOT_FOUND', 'rename missing');
    s.remove('two');
    await rejects(() => s.remove('two'), 'NOT_FOUND', 'remove missing');
    equal(s.list(), [], 'empty');
    await commit(s);
    await s.close();
  },

  // lock() is exclusive; a second open of the same database anywhere in the
  // site is LOCKED until the first closes.
  async lock(kind, name) {
    const s = await open(kind, name);
    s.lock();
    await rejects(() => s.lock(), 'LOCKED', 'second lock');
    s.unlock();
    s.lock();
    const e = await rejects(() => open(kind, name), 'LOCKED', 'second open');
    check(/another tab/.test(e.message), e.message);
    s.unlock();
    await s.close();
    const again = await open(kind, name);
    await again.close();
  },

  // Files, renames and removes survive close and reopen.
  async persist(kind, name) {
    const s = await open(kind, name);
    const a = s.openFile('a', { create: true });
    a.write(0, pattern(150000, 1));
    a.sync();
    const b = s.openFile('b', { create: true });
    b.write(0, pattern(10, 2));
    b.sync();
    s.openFile('gone', { create: true }).sync();
    s.rename('b', 'c');
    s.remove('gone');
    a.close();
    b.close();
    await commit(s);
    await s.close();
    const t = await open(kind, name);
    equal(t.list().sort(), ['a', 'c'], 'list after reopen');
    const a2 = t.openFile('a', {});
    const bytes = new Uint8Array(150000);
    equal(a2.read(0, bytes), 150000, 'size of a');
    const expected = pattern(150000, 1);
    check(bytes.every((x, i) => x === expected[i]), 'bytes of a');
    equal(read(t.openFile('c', {}), 0, 10).bytes, [...pattern(10, 2)], 'bytes of c');
    await t.close();
  },

  // IndexedDB: what is stored is always a commit point. Changes after the
  // last commit are gone when the worker goes away without closing.
  async commitPoints(kind, name) {
    const s = await open(kind, name);
    const f = s.openFile('log', { create: true });
    f.write(0, new Uint8Array([1, 1, 1]));
    f.sync();
    const committed = s.whenDurable();
    check(committed instanceof Promise, 'a sync asks for a commit');
    f.write(3, new Uint8Array([2, 2]));
    f.sync();
    const second = s.whenDurable();
    await committed;
    await second;
    equal(s.whenDurable(), null, 'nothing outstanding');
    f.write(5, new Uint8Array([3])); // never synced
    s.openFile('new', { create: true }); // asks for a commit that never starts
    await s.releaseLock(); // the worker "dies": no close, no further commit
    const t = await open(kind, name);
    equal(t.list(), ['log'], 'uncommitted create is gone');
    equal(read(t.openFile('log', {}), 0, 6), { got: 5, bytes: [1, 1, 1, 2, 2, 0] }, 'the last commit point');
    await t.close();
  },

  // OPFS: a removed file stays readable through handles still open (as a
  // POSIX inode), and its slot is reused only after they close.
  async removeWhileOpen(kind, name) {
    const s = await open(kind, name);
    const f = s.openFile('x', { create: true });
    f.write(0, new Uint8Array([5, 6, 7]));
    f.sync();
    const free = s.free.length;
    s.remove('x');
    equal(s.list(), [], 'removed from the list');
    equal(read(f, 0, 3).bytes, [5, 6, 7], 'still readable while open');
    equal(s.free.length, free, 'slot not free while open');
    const g = s.openFile('x', { create: true });
    equal(g.size(), 0, 'a new x is a new file');
    f.close();
    equal(s.free.length, free, 'slot freed at last close (the new x took one)');
    g.close();
    await s.close();
    const t = await open(kind, name);
    equal(t.list(), ['x'], 'after reopen');
    equal(t.openFile('x', {}).size(), 0, 'the new x');
    await t.close();
  },

  // OPFS: creating more files than free slots needs prepare() between
  // calls, and says so when it was not run.
  async manyFiles(kind, name) {
    const s = await open(kind, name);
    for (let i = 0; i < 30; i++) {
      await s.prepare();
      s.openFile(`f${i}`, { create: true }).write(0, new Uint8Array([i]));
    }
    const e = await rejects(() => {
      for (let i = 0; i < 100; i++) s.openFile(`g${i}`, { create: true });
    }, 'IO_ERROR', 'creates past the free slots');
    check(/no free OPFS slot/.test(e.message), e.message);
    for (const n of s.list()) s.openFile(n, {}).sync();
    await s.close();
    const t = await open(kind, name);
    equal(t.list().filter((n) => n.startsWith('f')).length, 30, 'all 30 after reopen');
    equal(read(t.openFile('f29', {}), 0, 1).bytes, [29], 'contents');
    await t.close();
  },

  // OPFS: a crash between renaming onto an existing name and freeing the
  // replaced slot leaves two claims; the newer generation wins on open.
  async renameCrash(kind, name) {
    const s = await open(kind, name);
    s.openFile('old', { create: true }).write(0, new Uint8Array([1]));
    s.openFile('tmp', { create: true }).write(0, new Uint8Array([2, 2]));
    for (const n of ['old', 'tmp']) s.openFile(n, {}).sync();
    // What rename('tmp', 'old') writes first, and then the crash.
    const slot = s.files.get('tmp');
    slot.writeHeader('old', s.maxGeneration() + 1);
    await s.close();
    const t = await open(kind, name);
    equal(t.list(), ['old'], 'one claim left');
    equal(read(t.openFile('old', {}), 0, 2).bytes, [2, 2], 'the newer claim');
    await t.close();
  },

  // IndexedDB, loading on demand: open reads the sizes, each file's first
  // chunk and its last MiB; touching any other chunk throws IO_ERROR and
  // records a miss until fetchMisses() (or the background load) brings it
  // in; a write never lands in a chunk not yet loaded; a truncate drops
  // pending chunks, which the background load then leaves alone.
  async demandLoad(kind, name) {
    const CHUNK = 64 << 10;
    const size = 40 * CHUNK + 123;
    const s = await IdbStorage.open(name);
    for (const f of ['big', 'cut', 'moved']) {
      const file = s.openFile(f, { create: true });
      file.write(0, pattern(size, f.length));
      file.sync();
    }
    await s.close();

    const t = await IdbStorage.open(name, { load: 'demand' });
    const big = t.openFile('big', {});
    const expected = pattern(size, 3);
    equal(big.size(), size, 'size known at once');
    equal(read(big, 5, 3).bytes, [...expected.subarray(5, 8)], 'the first chunk is loaded');
    equal(read(big, size - 3, 3).bytes, [...expected.subarray(size - 3)], 'the tail is loaded');
    equal(t.hasMisses(), false, 'no miss yet');
    // Nothing of the background load has arrived before this code awaits,
    // so chunks 10 and 11 are pending.
    const thrown = (fn) => {
      try {
        fn();
      } catch (e) {
        return e;
      }
      return null;
    };
    const mid = new Uint8Array(CHUNK + 10);
    let e = thrown(() => big.read(10 * CHUNK + 5, mid));
    check(e?.cairnCode === 'IO_ERROR' && /not yet loaded/.test(e.message), `read of pending chunks: ${e?.message}`);
    check(t.hasMisses(), 'the miss is recorded');
    e = thrown(() => big.write(12 * CHUNK + 1, new Uint8Array([1])));
    check(e?.cairnCode === 'IO_ERROR', `a write into a pending chunk is refused: ${e?.message}`);
    const cut = t.openFile('cut', {});
    e = thrown(() => cut.truncate(15 * CHUNK + 5));
    check(e?.cairnCode === 'IO_ERROR', `a truncate into a pending chunk is refused: ${e?.message}`);
    equal(cut.size(), size, 'the refused truncate changed nothing');
    e = thrown(() => t.rename('moved', 'renamed'));
    check(e?.cairnCode === 'IO_ERROR', `a rename of a file with pending chunks is refused: ${e?.message}`);
    equal(t.list().sort(), ['big', 'cut', 'moved'], 'the refused rename changed nothing');
    // A truncate to a chunk boundary needs nothing, and drops what follows.
    cut.truncate(20 * CHUNK);
    cut.write(20 * CHUNK, new Uint8Array([9, 9]));
    equal(cut.size(), 20 * CHUNK + 2, 'cut and grown');
    cut.sync();
    await t.fetchMisses();
    equal(t.hasMisses(), false, 'misses cleared');
    equal(big.read(10 * CHUNK + 5, mid), mid.length, 'read after the fetch');
    check(mid.every((b, i) => b === expected[10 * CHUNK + 5 + i]), 'the fetched bytes');
    await t.whenLoaded();
    t.rename('moved', 'renamed');
    equal(t.hasMisses(), false, 'nothing missed after the whole load');
    const all = new Uint8Array(size);
    equal(big.read(0, all), size, 'whole read after the load');
    check(all.every((b, i) => b === expected[i]), 'every byte after the load');
    equal(read(cut, 20 * CHUNK - 1, 4).bytes, [pattern(size, 3)[20 * CHUNK - 1], 9, 9, 0], 'the cut file kept its new tail');
    // The worker's bracket around calls it may run twice: no write inside.
    t.beginReadOnly();
    for (const [what, fn] of [['write', () => big.write(0, new Uint8Array([1]))], ['sync', () => big.sync()],
      ['truncate', () => cut.truncate(1)], ['create', () => t.openFile('new', { create: true })],
      ['rename', () => t.rename('renamed', 'again')], ['remove', () => t.remove('big')]]) {
      e = thrown(fn);
      check(e?.cairnCode === 'INTERNAL' && /writes nothing/.test(e.message), `${what} inside a read-only call: ${e?.message}`);
    }
    equal(read(big, 0, 1).bytes, [expected[0]], 'reads still work inside');
    t.endReadOnly();
    equal(t.list().sort(), ['big', 'cut', 'renamed'], 'nothing changed inside the bracket');
    big.write(0, new Uint8Array([expected[0]]));
    await commit(t);
    await t.close();

    const u = await IdbStorage.open(name, { load: 'demand' });
    await u.whenLoaded();
    equal(u.list().sort(), ['big', 'cut', 'renamed'], 'files after reopen');
    const cut2 = u.openFile('cut', {});
    equal(cut2.size(), 20 * CHUNK + 2, 'cut size after reopen');
    equal(read(cut2, 20 * CHUNK - 1, 4).bytes, [pattern(size, 3)[20 * CHUNK - 1], 9, 9, 0], 'cut bytes after reopen');
    const renamed = new Uint8Array(size);
    equal(u.openFile('renamed', {}).read(0, renamed), size, 'renamed size');
    const movedBytes = pattern(size, 5);
    check(renamed.every((b, i) => b === movedBytes[i]), 'renamed bytes');
    await u.close();
    await rejects(() => IdbStorage.open(name, { load: 'lazy' }), 'INVALID_ARGUMENT', 'unknown load mode');
  },

  // IndexedDB: each file keeps the chunk size it was created with
  // (chunkBytes), through writes, truncates, renames and reopens, loaded
  // whole or on demand; an entry without one (as earlier versions wrote)
  // means 64 KiB; a chunk size out of range is refused.
  async chunkSizes(kind, name) {
    const BIG = 256 << 10;
    const chunkBytes = (file) => (file.startsWith('t') ? BIG : 64 << 10);
    const s = await IdbStorage.open(name, { chunkBytes });
    const t = s.openFile('table.tmp', { create: true });
    const tBytes = pattern(5 * BIG + 99, 6);
    t.write(0, tBytes);
    t.sync();
    const l = s.openFile('log', { create: true });
    const lBytes = pattern(3 * BIG, 7);
    l.write(0, lBytes);
    l.sync();
    s.rename('table.tmp', 'kept');
    t.truncate(4 * BIG + 10);
    t.sync();
    await commit(s);
    await s.close();
    const bad = await IdbStorage.open(name, { chunkBytes: () => 0 });
    await rejects(() => bad.openFile('z', { create: true }), 'INVALID_ARGUMENT', 'a zero chunk size');
    await bad.close();

    // The stored chunks: 256 KiB for the renamed table, 64 KiB for the log.
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open(`cairndb:${name}`, 1);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const get = (store, key) => new Promise((resolve, reject) => {
      const r = db.transaction(store).objectStore(store).get(key);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    equal(await get('files', 'kept'), { size: 4 * BIG + 10, chunk: BIG }, 'the table entry');
    equal((await get('chunks', ['kept', 0])).length, BIG, 'a whole table chunk');
    equal((await get('chunks', ['kept', 4])).length, 10, 'the cut last table chunk');
    equal(await get('files', 'log'), { size: 3 * BIG, chunk: 64 << 10 }, 'the log entry');
    // An entry as earlier versions wrote it: no chunk size, 64 KiB chunks.
    const old = pattern(2 * 65536 + 5, 8);
    const tx = db.transaction(['files', 'chunks'], 'readwrite');
    tx.objectStore('files').put({ size: old.length }, 'old');
    for (let i = 0; i * 65536 < old.length; i++) tx.objectStore('chunks').put(old.slice(i * 65536, (i + 1) * 65536), ['old', i]);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onabort = () => reject(tx.error);
    });
    db.close();

    for (const load of ['all', 'demand']) {
      const u = await IdbStorage.open(name, { load, chunkBytes });
      await u.whenLoaded();
      equal(u.list().sort(), ['kept', 'log', 'old'], `files (${load})`);
      for (const [file, bytes] of [['kept', tBytes.subarray(0, 4 * BIG + 10)], ['log', lBytes], ['old', old]]) {
        const back = new Uint8Array(bytes.length);
        equal(u.openFile(file, {}).read(0, back), bytes.length, `size of ${file} (${load})`);
        check(back.every((b, i) => b === bytes[i]), `bytes of ${file} (${load})`);
      }
      await u.close();
    }
  },

  // IndexedDB: a damaged entry in "files" fails the open with CORRUPTION.
  async corruptEntry(kind, name) {
    const s = await IdbStorage.open(name);
    s.openFile('f', { create: true }).sync();
    await commit(s);
    await s.close();
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open(`cairndb:${name}`, 1);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const tx = db.transaction('files', 'readwrite');
    tx.objectStore('files').put({ size: 10, chunk: 0 }, 'f');
    await new Promise((resolve) => {
      tx.oncomplete = resolve;
    });
    db.close();
    for (const load of ['all', 'demand']) {
      const e = await rejects(() => IdbStorage.open(name, { load }), 'CORRUPTION', `open with a damaged entry (${load})`);
      check(e.message.includes('the entry of f'), e.message);
    }
  },

  // OPFS: a damaged slot header fails the open with CORRUPTION naming it.
  async corruptHeader(kind, name) {
    const s = await open(kind, name);
    s.openFile('victim', { create: true }).sync();
    const slot = s.files.get('victim');
    slot.handle.write(new Uint8Array([0x42]), { at: 20 });
    slot.handle.flush();
    const fileName = slot.fileName;
    await s.close();
    const e = await rejects(() => open(kind, name), 'CORRUPTION', 'open with a damaged header');
    check(e.message.includes(fileName) && /checksum/.test(e.message), e.message);
  },
};

self.onmessage = async ({ data: { kind, name, testCase } }) => {
  try {
    await cases[testCase](kind, name);
    postMessage({ ok: true });
  } catch (e) {
    postMessage({ error: `${e.cairnCode ?? e.name}: ${e.message}` });
  }
};
