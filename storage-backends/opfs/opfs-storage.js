// The OPFS storage backend: a database in the origin private file system,
// for the npm package in a browser's dedicated worker. Implements the JS
// backend protocol of js/src/bridge.js: every method is synchronous and
// throws an Error with a `cairnCode` on failure.
//
// Why a pool: the engine opens and creates files synchronously, but OPFS
// hands out FileSystemSyncAccessHandles only asynchronously. So, as SQLite's
// opfs-sahpool does, the database directory holds "slot" files whose sync
// handles are all opened by the async OpfsStorage.open(); each slot starts
// with a 4 KiB header naming the database file it holds (or none: a free
// slot). Creating, renaming and removing a file rewrite headers; prepare()
// (async, called by the worker between engine calls) keeps MIN_FREE slots
// ready. The files' bytes follow the header unchanged, so exportFiles()
// yields exactly the files a native database directory holds.
//
// Header: "CAIRNPL1", a generation (u32; a rename writes max+1, so after a
// crash between renaming onto an existing name and freeing the old slot the
// newer claim wins), the name's length (u16) and bytes, and an FNV-1a
// checksum of all that. A header that is neither empty nor valid fails the
// open with CORRUPTION naming the slot file.
//
// Costs: each sync-handle call is expensive (~0.5 ms), so writes are
// gathered in a per-file buffer written by one call at sync() (or when a
// write is not contiguous), and small reads are served from a 64 KiB window.
//
// Durability: sync() is FileSystemSyncAccessHandle.flush(). Creating,
// renaming and removing flush the slot headers they change before returning.
//
// Lock: a Web Lock named "cairndb:opfs:<name>", held from open() until
// close(); a second tab, worker or open of the same name gets LOCKED at once
// (the sync handles are exclusive too, but their error would not say why).

import { acquireWebLock, checkDatabaseName, checkName, fail, fromDomError } from './web-storage-common.js';

const MAGIC = 'CAIRNPL1';
const HEADER = 4096;
const MIN_FREE = 4;
const TOP_UP = 8;
const READ_WINDOW = 64 << 10;
const MAX_PENDING = 4 << 20;
const ROOT_DIR = 'cairndb';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

function encodeHeader(name, generation) {
  const h = new Uint8Array(HEADER);
  const dv = new DataView(h.buffer);
  h.set(encoder.encode(MAGIC), 0);
  dv.setUint32(8, generation);
  const n = encoder.encode(name);
  dv.setUint16(12, n.length);
  h.set(n, 14);
  dv.setUint32(14 + n.length, fnv1a(h.subarray(0, 14 + n.length)));
  return h;
}

// { name, generation } of a claimed slot, null for a free one.
function decodeHeader(h, got, slotName) {
  if (got < HEADER || h.every((b) => b === 0)) return null;
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const bad = (why) => fail('CORRUPTION', `OPFS slot file ${slotName}: invalid header (${why})`);
  if (decoder.decode(h.subarray(0, 8)) !== MAGIC) throw bad('bad magic');
  const length = dv.getUint16(12);
  if (length > 64) throw bad(`name length ${length}`);
  if (dv.getUint32(14 + length) !== fnv1a(h.subarray(0, 14 + length))) throw bad('checksum mismatch');
  if (length === 0) return null;
  return { name: decoder.decode(h.subarray(14, 14 + length)), generation: dv.getUint32(8) };
}

// One slot file: its sync handle and, when it holds a database file, that
// file's state (size, pending writes, read window).
class Slot {
  constructor(fileName, handle) {
    this.fileName = fileName;
    this.handle = handle;
    this.name = null;
    this.generation = 0;
    this.size = 0;
    this.refs = 0;
    this.removed = false;
    this.pending = null; // { start, bytes, length }
    this.window = null; // { start, bytes, length }
  }

  call(what, fn) {
    try {
      return fn();
    } catch (e) {
      throw fromDomError(e, `${what} ${this.name ?? this.fileName}`);
    }
  }

  writeHeader(name, generation) {
    const h = encodeHeader(name, generation);
    this.call('write header of', () => this.handle.write(h, { at: 0 }));
    this.call('flush', () => this.handle.flush());
  }

  writePending() {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const bytes = p.bytes.subarray(0, p.length);
    this.call(`write at offset ${p.start}`, () => {
      let done = 0;
      while (done < bytes.length) {
        done += this.handle.write(bytes.subarray(done), { at: HEADER + p.start + done });
      }
    });
  }

  dropWindow(start, end) {
    const w = this.window;
    if (w && start < w.start + w.length && end > w.start) this.window = null;
  }

  read(offset, view) {
    const n = view.length;
    const got = Math.max(0, Math.min(n, this.size - offset));
    if (this.pending && offset < this.pending.start + this.pending.length && offset + n > this.pending.start) {
      this.writePending();
    }
    if (got > 0) {
      const w = this.window;
      if (w && offset >= w.start && offset + got <= w.start + w.length) {
        view.set(w.bytes.subarray(offset - w.start, offset - w.start + got));
      } else if (got >= READ_WINDOW) {
        this.call(`read at offset ${offset}`, () => this.handle.read(view.subarray(0, got), { at: HEADER + offset }));
      } else {
        // An aligned window when it covers the read, else one starting at it.
        const aligned = offset - (offset % READ_WINDOW);
        const start = aligned + READ_WINDOW >= offset + got ? aligned : offset;
        const length = Math.min(READ_WINDOW, this.size - start);
        const bytes = w && w.bytes.length >= length ? w.bytes : new Uint8Array(READ_WINDOW);
        this.call(`read at offset ${start}`, () => this.handle.read(bytes.subarray(0, length), { at: HEADER + start }));
        this.window = { start, bytes, length };
        view.set(bytes.subarray(offset - start, offset - start + got));
      }
    }
    view.fill(0, got);
    return got;
  }

  write(offset, view) {
    const end = offset + view.length;
    this.dropWindow(offset, end);
    const p = this.pending;
    if (p && offset === p.start + p.length && p.length + view.length <= MAX_PENDING) {
      if (p.length + view.length > p.bytes.length) {
        const grown = new Uint8Array(Math.min(MAX_PENDING, Math.max(p.bytes.length * 2, p.length + view.length)));
        grown.set(p.bytes.subarray(0, p.length));
        p.bytes = grown;
      }
      p.bytes.set(view, p.length);
      p.length += view.length;
    } else {
      this.writePending();
      if (view.length > MAX_PENDING) {
        this.pending = { start: offset, bytes: view, length: view.length };
        this.writePending();
      } else {
        const bytes = new Uint8Array(Math.max(view.length, 64 << 10));
        bytes.set(view);
        this.pending = { start: offset, bytes, length: view.length };
      }
    }
    this.size = Math.max(this.size, end);
  }

  sync() {
    this.writePending();
    this.call('flush', () => this.handle.flush());
  }

  truncate(size) {
    this.writePending();
    this.window = null;
    this.call(`truncate to ${size}`, () => this.handle.truncate(HEADER + size));
    this.size = size;
  }

  // Frees the slot: its header is cleared and its bytes dropped, durably.
  clear() {
    this.pending = null;
    this.window = null;
    this.call('free', () => {
      this.handle.truncate(0);
      this.handle.flush();
    });
    this.name = null;
    this.size = 0;
    this.removed = false;
  }
}

class OpfsFile {
  constructor(storage, slot) {
    this.storage = storage;
    this.slot = slot;
    slot.refs++;
  }
  #slot() {
    if (!this.slot) throw fail('IO_ERROR', 'the file is closed');
    return this.slot;
  }
  read(offset, view) {
    return this.#slot().read(offset, view);
  }
  write(offset, view) {
    this.storage.checkUsable();
    this.#slot().write(offset, view);
  }
  sync() {
    this.storage.checkUsable();
    this.#slot().sync();
  }
  size() {
    return this.#slot().size;
  }
  truncate(size) {
    this.storage.checkUsable();
    this.#slot().truncate(size);
  }
  close() {
    const slot = this.slot;
    if (!slot) return;
    this.slot = null;
    slot.refs--;
    // A removed file's slot is reused once nobody reads it any more, as a
    // POSIX inode lives until its last descriptor closes.
    if (slot.refs === 0 && slot.removed) this.storage.release(slot);
  }
}

export class OpfsStorage {
  // Opens (creating when missing) the database `name` under the origin
  // private file system's "cairndb" directory, taking its Web Lock and
  // opening a sync access handle on every slot. Async; everything after is
  // synchronous.
  static async open(name) {
    checkDatabaseName(name);
    const release = await acquireWebLock(`cairndb:opfs:${name}`, `database "${name}" (OPFS)`);
    const storage = new OpfsStorage(name, release);
    try {
      const root = await navigator.storage.getDirectory();
      const top = await root.getDirectoryHandle(ROOT_DIR, { create: true });
      storage.dir = await top.getDirectoryHandle(name, { create: true });
      await storage.load();
      await storage.prepare();
    } catch (e) {
      await storage.close();
      throw fromDomError(e, `open OPFS database "${name}"`);
    }
    return storage;
  }

  // Removes the database `name` from OPFS. Takes its lock first, so an open
  // database is LOCKED rather than damaged.
  static async destroy(name) {
    checkDatabaseName(name);
    const release = await acquireWebLock(`cairndb:opfs:${name}`, `database "${name}" (OPFS)`);
    try {
      const root = await navigator.storage.getDirectory();
      const top = await root.getDirectoryHandle(ROOT_DIR, { create: true });
      await top.removeEntry(name, { recursive: true }).catch((e) => {
        if (e?.name !== 'NotFoundError') throw e;
      });
    } catch (e) {
      throw fromDomError(e, `delete OPFS database "${name}"`);
    } finally {
      await release();
    }
  }

  constructor(name, release) {
    this.name = name;
    this.releaseLock = release;
    this.dir = null;
    this.slots = [];
    this.files = new Map(); // database file name -> Slot
    this.free = [];
    this.locked = false;
    this.closed = false;
  }

  async load() {
    const claims = [];
    for await (const [fileName, entry] of this.dir.entries()) {
      if (entry.kind !== 'file' || !/^slot-\d+$/.test(fileName)) continue;
      const handle = await entry.createSyncAccessHandle();
      const slot = new Slot(fileName, handle);
      this.slots.push(slot);
      const h = new Uint8Array(HEADER);
      const got = slot.call('read header of', () => handle.read(h, { at: 0 }));
      const claim = decodeHeader(h, got, fileName);
      if (!claim) {
        this.free.push(slot);
        continue;
      }
      slot.name = claim.name;
      slot.generation = claim.generation;
      slot.size = slot.call('size of', () => handle.getSize()) - HEADER;
      claims.push(slot);
    }
    // The newest claim of a name wins (see the header comment); older ones
    // were left by a rename that a crash interrupted.
    claims.sort((a, b) => b.generation - a.generation);
    for (const slot of claims) {
      if (this.files.has(slot.name)) {
        slot.clear();
        this.free.push(slot);
      } else {
        this.files.set(slot.name, slot);
      }
    }
  }

  // Keeps at least MIN_FREE free slots, so that the engine's synchronous
  // creates always find one. Async: the worker calls it between requests.
  async prepare() {
    if (this.closed || this.free.length >= MIN_FREE) return;
    let next = this.slots.length;
    while (this.free.length < TOP_UP) {
      let fileName;
      do fileName = `slot-${String(next++).padStart(4, '0')}`;
      while (this.slots.some((s) => s.fileName === fileName));
      try {
        const entry = await this.dir.getFileHandle(fileName, { create: true });
        const slot = new Slot(fileName, await entry.createSyncAccessHandle());
        this.slots.push(slot);
        this.free.push(slot);
      } catch (e) {
        throw fromDomError(e, `create OPFS slot file ${fileName} of database "${this.name}"`);
      }
    }
  }

  // After a failed write or flush the engine turns read-only; this keeps
  // the backend from being written after close.
  checkUsable() {
    if (this.closed) throw fail('IO_ERROR', `OPFS database "${this.name}" is closed`);
  }

  maxGeneration() {
    let g = 0;
    for (const s of this.files.values()) g = Math.max(g, s.generation);
    return g;
  }

  release(slot) {
    slot.clear();
    this.free.push(slot);
  }

  openFile(name, { create = false } = {}) {
    checkName(name);
    this.checkUsable();
    let slot = this.files.get(name);
    if (!slot) {
      if (!create) throw fail('NOT_FOUND', `${name} does not exist in OPFS database "${this.name}"`);
      slot = this.free.pop();
      if (!slot) {
        throw fail('IO_ERROR', `create ${name}: no free OPFS slot file in database "${this.name}" (prepare() was not run)`);
      }
      const generation = this.maxGeneration() + 1;
      try {
        slot.call('create', () => slot.handle.truncate(HEADER));
        slot.writeHeader(name, generation);
      } catch (e) {
        this.free.push(slot);
        throw e;
      }
      slot.name = name;
      slot.generation = generation;
      slot.size = 0;
      this.files.set(name, slot);
    }
    return new OpfsFile(this, slot);
  }

  list() {
    return [...this.files.keys()];
  }

  remove(name) {
    checkName(name);
    this.checkUsable();
    const slot = this.files.get(name);
    if (!slot) throw fail('NOT_FOUND', `${name} does not exist in OPFS database "${this.name}"`);
    this.files.delete(name);
    if (slot.refs > 0) {
      // Still open: free the name now (durably) and the bytes at last close.
      slot.writeHeader('', 0);
      slot.removed = true;
    } else {
      this.release(slot);
    }
  }

  rename(from, to) {
    checkName(from);
    checkName(to);
    this.checkUsable();
    const slot = this.files.get(from);
    if (!slot) throw fail('NOT_FOUND', `${from} does not exist in OPFS database "${this.name}"`);
    if (from === to) return;
    const generation = this.maxGeneration() + 1;
    slot.writePending();
    slot.writeHeader(to, generation);
    slot.name = to;
    slot.generation = generation;
    this.files.delete(from);
    const replaced = this.files.get(to);
    this.files.set(to, slot);
    if (replaced) {
      if (replaced.refs > 0) {
        replaced.writeHeader('', 0);
        replaced.removed = true;
      } else {
        this.release(replaced);
      }
    }
  }

  lock() {
    if (this.locked) throw fail('LOCKED', `OPFS database "${this.name}" is already open`);
    this.locked = true;
  }

  unlock() {
    this.locked = false;
  }

  capabilities() {
    return { durableSync: true, directIo: false, atomicRename: true, crossProcessLock: true, name: 'opfs' };
  }

  describe() {
    return `opfs:${this.name}`;
  }

  // Writes what is pending, closes every sync handle and releases the lock.
  // Async only to match IdbStorage; idempotent.
  async close() {
    if (this.closed) return;
    this.closed = true;
    let first = null;
    for (const slot of this.slots) {
      try {
        slot.writePending();
        slot.handle.close();
      } catch (e) {
        first ??= fromDomError(e, `close ${slot.name ?? slot.fileName}`);
      }
    }
    this.slots = [];
    this.files.clear();
    this.free = [];
    await this.releaseLock();
    if (first) throw first;
  }
}
