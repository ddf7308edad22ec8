// The IndexedDB storage backend: a database kept as chunks of its files in
// IndexedDB, for the npm package in a browser's dedicated worker (where OPFS
// is missing, or when chosen). Implements the JS backend protocol of
// js/src/bridge.js: every method is synchronous and throws an Error with a
// `cairnCode` on failure.
//
// Layout: the IndexedDB database "cairndb:<name>" has two object stores,
// "files" (file name -> { size, chunk }) and "chunks" ([file name, index] ->
// the bytes [index * chunk, (index + 1) * chunk) of the file; the last chunk
// is cut at the file's size; chunks never written read as zeros). A file's
// chunk size is fixed when it is created: `chunkBytes(name)`, by default
// CHUNK (64 KiB). An entry without `chunk` (written before chunk sizes
// varied) means 64 KiB. Bigger chunks read faster in bulk (IndexedDB
// returns 1 MiB as four 256 KiB chunks about twice as fast as sixteen
// 64 KiB ones) but make every commit rewrite more: the worker gives
// 256 KiB to files written once (the engine's checkpoint tables), 64 KiB to
// the rest. (Chromium keeps each value over 64 KiB as a blob file beside
// its database; log chunks just under 64 KiB, stored inline, measured no
// faster on the browser benchmark, bench/browser.)
//
// Why a write-back cache: IndexedDB is asynchronous but the engine calls
// storage synchronously. So every file is held in memory, and reads and
// writes touch only memory. sync(), create, rename and remove just mark
// that a commit is wanted. After each
// engine call the worker (js/src/worker.js) calls whenDurable(), which
// starts ONE readwrite transaction holding every change since the last one
// (so the stored state always moves from one commit point to the next, as a
// whole) and returns a promise that settles when that transaction has
// completed. The worker answers the call only then, so in strict mode a
// write's promise resolves after its data is committed (transaction
// durability "strict"). While a commit is in flight, later calls run
// against memory and their changes are gathered into the next single
// transaction: a group commit.
//
// Failure: a commit that fails (QuotaExceededError, an aborted transaction)
// rejects the promises of the calls it carried, and every later write,
// sync, create, rename or remove fails with IO_ERROR (so the engine turns
// read-only); what is stored stays the previous commit point, which a
// reopen recovers from.
//
// Loading: IdbStorage.open() with load "all" (the default) reads every
// chunk before it returns. With load "demand" (what the worker uses) it
// reads only the file sizes, the first chunk and the last `tailBytes(name)`
// (by default TAIL_BYTES) of every file (where a table keeps its smallest
// keys, its index and filter, and a log its header and newest records); the
// other chunks are "pending" and stream in behind the open, BATCH_CHUNKS at
// a time, each batch after the fetches for misses in flight. The background
// load starts BACKGROUND_DELAY_MS after the open, so the first calls have
// the connection to themselves, or at once when whenLoaded() is called
// (whenLoaded() settles when all are in). Touching a pending chunk
// (a read, a write or truncate that would keep part of it, a rename of its
// file) records a miss and throws IO_ERROR; the caller (js/src/worker.js)
// then awaits fetchMisses(), which reads the missed chunks (and the
// READAHEAD_BYTES after each) in one transaction, and runs its call again.
// The worker retries only calls that write nothing, and makes writes wait
// for whenLoaded(), so a call never sees a half-done write. A chunk leaves
// "pending" only when fetched, or when a truncate drops it, so a fetch never
// overwrites bytes written in memory.
//
// Lock: a Web Lock named "cairndb:idb:<name>", held from open() until
// close() has committed; a second tab, worker or open gets LOCKED at once.

import { acquireWebLock, checkDatabaseName, checkName, fail, fromDomError } from './web-storage-common.js';

const CHUNK = 64 << 10;
const MAX_CHUNK = 4 << 20;
const TAIL_BYTES = 1 << 20; // read with the sizes when loading on demand
const BATCH_CHUNKS = 16; // chunks per request of the background load
const BACKGROUND_DELAY_MS = 50;
const READAHEAD_BYTES = 3 * CHUNK; // fetched after each missed chunk

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function completion(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('the transaction was aborted', 'AbortError'));
  });
}

function openIdb(dbName) {
  const r = indexedDB.open(dbName, 1);
  r.onupgradeneeded = () => {
    r.result.createObjectStore('files');
    r.result.createObjectStore('chunks');
  };
  return request(r);
}

// One file in memory: its size, its chunks, and what changed since the
// last commit.
class Node {
  constructor(size, chunkSize) {
    this.size = size;
    this.chunkSize = chunkSize;
    this.chunks = new Map();
    this.dirty = new Set();
    this.metaDirty = true;
    this.pending = new Set(); // chunk indices stored but not yet in memory
  }
  chunk(i) {
    let c = this.chunks.get(i);
    if (!c) {
      c = new Uint8Array(this.chunkSize);
      this.chunks.set(i, c);
    }
    return c;
  }
}

class IdbFile {
  constructor(storage, node, name) {
    this.storage = storage;
    this.node = node;
    this.name = name;
  }
  read(offset, view) {
    const node = this.node;
    const got = Math.max(0, Math.min(view.length, node.size - offset));
    this.storage.checkLoaded(this.node, this.name, offset, got, 'read');
    const span = node.chunkSize;
    let done = 0;
    while (done < got) {
      const at = offset + done;
      const i = Math.floor(at / span);
      const from = at - i * span;
      const n = Math.min(span - from, got - done);
      const c = node.chunks.get(i);
      if (c) view.set(c.subarray(from, from + n), done);
      else view.fill(0, done, done + n);
      done += n;
    }
    view.fill(0, got);
    return got;
  }
  write(offset, view) {
    this.storage.checkWritable(`write ${this.name}`);
    this.storage.checkLoaded(this.node, this.name, offset, view.length, 'write');
    const node = this.node;
    const span = node.chunkSize;
    let done = 0;
    while (done < view.length) {
      const at = offset + done;
      const i = Math.floor(at / span);
      const from = at - i * span;
      const n = Math.min(span - from, view.length - done);
      node.chunk(i).set(view.subarray(done, done + n), from);
      node.dirty.add(i);
      done += n;
    }
    if (offset + view.length > node.size) {
      node.size = offset + view.length;
      node.metaDirty = true;
    }
  }
  sync() {
    this.storage.checkWritable(`sync ${this.name}`);
    this.storage.syncRequested = true;
  }
  size() {
    return this.node.size;
  }
  truncate(size) {
    this.storage.checkWritable(`truncate ${this.name}`);
    const node = this.node;
    const span = node.chunkSize;
    if (size < node.size) {
      if (size % span !== 0) this.storage.checkLoaded(node, this.name, size, 1, 'truncate');
      const keep = Math.ceil(size / span);
      for (const i of [...node.pending]) if (i >= keep) node.pending.delete(i);
      for (const i of [...node.chunks.keys()]) {
        if (i >= keep) {
          node.chunks.delete(i);
          node.dirty.delete(i);
        }
      }
      const tail = size % span;
      if (tail !== 0 && node.chunks.has(keep - 1)) {
        node.chunks.get(keep - 1).fill(0, tail);
        node.dirty.add(keep - 1);
      }
      if (this.storage.files.get(this.name) === node) this.storage.deletes.push({ name: this.name, from: keep });
    }
    node.size = size;
    node.metaDirty = true;
  }
  close() {}
}

export class IdbStorage {
  // Opens (creating when missing) the database `name`: takes its Web Lock
  // and reads every file into memory (`load` "all"), or only the sizes and
  // tails, the rest following in the background (`load` "demand"; see
  // "Loading" above). `durability` is the engine's mode: "strict" commits
  // with IndexedDB durability "strict", "relaxed" with "relaxed".
  // `chunkBytes(fileName)`: the chunk size of a file created from now on
  // (see "Layout").
  static async open(name, { durability = 'strict', load = 'all', tailBytes = () => TAIL_BYTES, chunkBytes = () => CHUNK } = {}) {
    checkDatabaseName(name);
    if (load !== 'all' && load !== 'demand') {
      throw fail('INVALID_ARGUMENT', `load must be "all" or "demand", got ${JSON.stringify(load)}`);
    }
    // The lock and the connection are asked for at once; a failure of
    // either gives back the other.
    const [locked, opened] = await Promise.allSettled([
      acquireWebLock(`cairndb:idb:${name}`, `database "${name}" (IndexedDB)`),
      openIdb(`cairndb:${name}`),
    ]);
    if (locked.status === 'rejected') {
      if (opened.status === 'fulfilled') opened.value.close();
      throw locked.reason;
    }
    const storage = new IdbStorage(name, locked.value, durability);
    storage.chunkBytes = chunkBytes;
    try {
      if (opened.status === 'rejected') throw opened.reason;
      storage.db = opened.value;
      if (load === 'all') {
        await storage.loadAll();
      } else {
        await storage.loadTails(tailBytes);
        storage.loadTimer = setTimeout(() => storage.#startLoad(), BACKGROUND_DELAY_MS);
      }
    } catch (e) {
      await storage.close().catch(() => {});
      throw fromDomError(e, `open IndexedDB database "cairndb:${name}"`);
    }
    return storage;
  }

  // Removes the database `name` from IndexedDB, under its lock.
  static async destroy(name) {
    checkDatabaseName(name);
    const release = await acquireWebLock(`cairndb:idb:${name}`, `database "${name}" (IndexedDB)`);
    try {
      await request(indexedDB.deleteDatabase(`cairndb:${name}`));
    } catch (e) {
      throw fromDomError(e, `delete IndexedDB database "cairndb:${name}"`);
    } finally {
      await release();
    }
  }

  constructor(name, release, durability) {
    this.name = name;
    this.releaseLock = release;
    this.durability = durability === 'relaxed' ? 'relaxed' : 'strict';
    this.db = null;
    this.files = new Map(); // name -> Node
    this.deletes = []; // { name, from }: stored chunks >= from (and, from 0, the file) to delete
    this.syncRequested = false;
    this.inFlight = null; // the promise of the newest commit started or queued
    this.queued = null; // a commit queued behind the one in flight, not yet started
    this.failure = null;
    this.locked = false;
    this.closed = false;
    this.loaded = Promise.resolve(); // settles when no chunk is pending
    this.loadTimer = undefined; // starts the background load (load "demand")
    this.loadStarted = false;
    this.chunkBytes = () => CHUNK;
    this.readOnly = false; // see beginReadOnly()
    this.loadFailure = null;
    this.misses = new Map(); // Node -> { name, indices: Set } touched while pending
    this.fetching = null; // the fetch of misses in flight
  }

  // The stored files, every chunk pending.
  #addFiles(names, metas) {
    names.forEach((name, i) => {
      const { size, chunk = CHUNK } = metas[i] ?? {};
      if (!Number.isSafeInteger(size) || size < 0 || !Number.isInteger(chunk) || chunk <= 0 || chunk > MAX_CHUNK) {
        throw fail('CORRUPTION',
          `IndexedDB database "cairndb:${this.name}": the entry of ${name} is not { size, chunk } (got ${JSON.stringify(metas[i])})`);
      }
      const node = new Node(size, chunk);
      node.metaDirty = false;
      for (let c = 0; c < Math.ceil(size / chunk); c++) node.pending.add(c);
      this.files.set(name, node);
    });
  }

  // Puts a stored chunk into memory if it is still pending (never one
  // beyond the committed size, nor one changed in memory).
  #install(name, node, index, bytes) {
    if (!node.pending.has(index)) return;
    if (!(bytes instanceof Uint8Array) || bytes.length > node.chunkSize) {
      throw fail('CORRUPTION',
        `IndexedDB database "cairndb:${this.name}": chunk ${index} of ${name} is not a byte chunk of at most ${node.chunkSize} bytes`);
    }
    node.chunk(index).set(bytes);
    node.pending.delete(index);
  }

  async loadAll() {
    const tx = this.db.transaction(['files', 'chunks'], 'readonly');
    const files = tx.objectStore('files');
    const chunks = tx.objectStore('chunks');
    const [names, metas, keys, values] = await Promise.all([
      request(files.getAllKeys()), request(files.getAll()), request(chunks.getAllKeys()), request(chunks.getAll()),
    ]);
    this.#addFiles(names, metas);
    keys.forEach(([name, index], i) => {
      const node = this.files.get(name);
      if (node) this.#install(name, node, index, values[i]);
    });
    for (const node of this.files.values()) node.pending.clear(); // never stored: zeros
  }

  // The sizes, and the first chunk and those of the last TAIL_BYTES of
  // every file, in one transaction; every other chunk stays pending.
  async loadTails(tailBytes) {
    const tx = this.db.transaction(['files', 'chunks'], 'readonly');
    const files = tx.objectStore('files');
    const chunks = tx.objectStore('chunks');
    const [names, metas] = await Promise.all([request(files.getAllKeys()), request(files.getAll())]);
    this.#addFiles(names, metas);
    const tails = [];
    for (const [name, node] of this.files) {
      const count = Math.ceil(node.size / node.chunkSize);
      const first = Math.max(0, count - Math.max(1, Math.ceil(tailBytes(name) / node.chunkSize)));
      if (count > 0) tails.push(this.#fetchRange(chunks, name, node, first, count - 1));
      if (first > 0) tails.push(this.#fetchRange(chunks, name, node, 0, 0));
    }
    await Promise.all(tails);
  }

  // Reads the stored chunks [lo, hi] of `name` into `node` (those still
  // pending); a chunk never stored reads as zeros.
  async #fetchRange(chunks, name, node, lo, hi) {
    const range = IDBKeyRange.bound([name, lo], [name, hi]);
    const [keys, values] = await Promise.all([request(chunks.getAllKeys(range)), request(chunks.getAll(range))]);
    keys.forEach(([, index], i) => this.#install(name, node, index, values[i]));
    for (let i = lo; i <= hi; i++) node.pending.delete(i);
  }

  #startLoad() {
    clearTimeout(this.loadTimer);
    if (this.loadStarted) return;
    this.loadStarted = true;
    this.loaded = this.#loadRest();
    this.loaded.catch(() => {}); // reported by whenLoaded() and by misses
  }

  // The background load: every pending chunk, BATCH_CHUNKS a request, one
  // file after another; stops when the storage closes.
  async #loadRest() {
    try {
      for (const [name, node] of [...this.files]) {
        while (node.pending.size > 0 && !this.closed && this.files.get(name) === node) {
          while (this.fetching) await this.fetching.catch(() => {});
          if (node.pending.size === 0 || this.closed) break;
          const lo = Math.min(...node.pending);
          const tx = this.db.transaction('chunks', 'readonly');
          await this.#fetchRange(tx.objectStore('chunks'), name, node, lo, lo + BATCH_CHUNKS - 1);
        }
      }
    } catch (e) {
      if (this.closed) return;
      this.loadFailure = fromDomError(e, `load IndexedDB database "cairndb:${this.name}"`);
      throw this.loadFailure;
    }
  }

  // Settles once no chunk is pending (at once with load "all"); rejects if
  // the background load failed.
  whenLoaded() {
    if (this.loadTimer !== undefined) this.#startLoad();
    return this.loaded;
  }

  // Throws IO_ERROR, after recording every pending chunk of bytes
  // [offset, offset + n) of file `name` (its `node`) as missed, when there
  // is any.
  checkLoaded(node, name, offset, n, what) {
    if (node.pending.size === 0 || n <= 0) return;
    const first = Math.floor(offset / node.chunkSize);
    const last = Math.floor((offset + n - 1) / node.chunkSize);
    let missed = 0;
    for (let i = first; i <= last; i++) {
      if (!node.pending.has(i)) continue;
      let m = this.misses.get(node);
      if (!m) this.misses.set(node, (m = { name, indices: new Set() }));
      m.indices.add(i);
      missed++;
    }
    if (missed === 0) return;
    if (this.loadFailure) throw this.loadFailure;
    throw fail('IO_ERROR',
      `${what} ${name} at ${offset}: ${missed} chunk(s) not yet loaded from IndexedDB database "cairndb:${this.name}"`);
  }

  // True when a chunk was missed since the last fetchMisses().
  hasMisses() {
    return this.misses.size > 0;
  }

  // Reads every missed chunk, and the READAHEAD_BYTES after each, in one
  // transaction.
  async fetchMisses() {
    const mine = this.#fetchMisses();
    this.fetching = mine;
    try {
      await mine;
    } finally {
      if (this.fetching === mine) this.fetching = null;
    }
  }

  async #fetchMisses() {
    const misses = [...this.misses.values()];
    const nodes = [...this.misses.keys()];
    this.misses.clear();
    if (this.loadFailure) throw this.loadFailure;
    const wanted = [];
    misses.forEach(({ name, indices }, k) => {
      for (const i of indices) if (nodes[k].pending.has(i)) wanted.push([name, nodes[k], i]);
    });
    if (wanted.length === 0) return;
    try {
      const chunks = this.db.transaction('chunks', 'readonly').objectStore('chunks');
      await Promise.all(wanted.map(([name, node, i]) =>
        this.#fetchRange(chunks, name, node, i, i + Math.floor(READAHEAD_BYTES / node.chunkSize))));
    } catch (e) {
      throw fromDomError(e, `load IndexedDB database "cairndb:${this.name}"`);
    }
  }

  // Between these, every write, sync, create, rename or remove fails with
  // INTERNAL: the worker brackets the calls it may run twice after a miss,
  // which must write nothing.
  beginReadOnly() {
    this.readOnly = true;
  }
  endReadOnly() {
    this.readOnly = false;
  }

  checkWritable(what) {
    if (this.readOnly) throw fail('INTERNAL', `${what}: a call that writes nothing (run again after a miss) wrote`);
    if (this.closed) throw fail('IO_ERROR', `${what}: IndexedDB database "cairndb:${this.name}" is closed`);
    if (this.failure) {
      throw fail('IO_ERROR', `${what}: an earlier IndexedDB commit failed (${this.failure.message}); reopen the database`);
    }
  }

  // Stages every change since the last commit into one transaction. The
  // bytes are copied (structured clone) by put() before this returns, so
  // later writes do not leak into this commit.
  #commit() {
    const tx = this.db.transaction(['files', 'chunks'], 'readwrite', { durability: this.durability });
    const files = tx.objectStore('files');
    const chunks = tx.objectStore('chunks');
    for (const d of this.deletes) {
      chunks.delete(IDBKeyRange.bound([d.name, d.from], [d.name, Infinity]));
      if (d.from === 0) files.delete(d.name);
    }
    this.deletes = [];
    for (const [name, node] of this.files) {
      if (node.metaDirty) files.put({ size: node.size, chunk: node.chunkSize }, name);
      node.metaDirty = false;
      for (const i of node.dirty) {
        const length = Math.min(node.chunkSize, node.size - i * node.chunkSize);
        if (length <= 0) continue;
        const c = node.chunks.get(i);
        chunks.put(length === node.chunkSize ? c : c.slice(0, length), [name, i]);
      }
      node.dirty.clear();
    }
    return completion(tx).catch((e) => {
      this.failure ??= fromDomError(e, `commit to IndexedDB database "cairndb:${this.name}"`);
      throw this.failure;
    });
  }

  // A promise that settles when everything synced so far is committed, or
  // null when no sync is outstanding. Starts one commit, or joins the one
  // queued behind the commit in flight.
  whenDurable() {
    if (!this.syncRequested) return null;
    this.syncRequested = false;
    if (this.failure) return Promise.reject(this.failure);
    if (this.queued) return this.queued.promise;
    const ticket = { started: false, promise: null };
    const run = () => {
      ticket.started = true;
      if (this.queued === ticket) this.queued = null;
      return this.#commit();
    };
    ticket.promise = this.inFlight ? this.inFlight.then(run) : run();
    if (!ticket.started) this.queued = ticket;
    const mine = ticket.promise;
    this.inFlight = mine;
    const done = () => {
      if (this.inFlight === mine) this.inFlight = null;
    };
    mine.then(done, done);
    return mine;
  }

  openFile(name, { create = false } = {}) {
    checkName(name);
    let node = this.files.get(name);
    if (!node) {
      if (!create) throw fail('NOT_FOUND', `${name} does not exist in IndexedDB database "cairndb:${this.name}"`);
      this.checkWritable(`create ${name}`);
      const chunk = this.chunkBytes(name);
      if (!Number.isInteger(chunk) || chunk <= 0 || chunk > MAX_CHUNK) {
        throw fail('INVALID_ARGUMENT', `chunk size of ${name}: ${chunk} is not a whole number of bytes in [1, ${MAX_CHUNK}]`);
      }
      node = new Node(0, chunk);
      this.files.set(name, node);
      this.syncRequested = true;
    }
    return new IdbFile(this, node, name);
  }

  list() {
    return [...this.files.keys()];
  }

  remove(name) {
    checkName(name);
    this.checkWritable(`remove ${name}`);
    if (!this.files.delete(name)) {
      throw fail('NOT_FOUND', `${name} does not exist in IndexedDB database "cairndb:${this.name}"`);
    }
    this.deletes.push({ name, from: 0 });
    this.syncRequested = true;
  }

  rename(from, to) {
    checkName(from);
    checkName(to);
    this.checkWritable(`rename ${from} to ${to}`);
    const node = this.files.get(from);
    if (!node) throw fail('NOT_FOUND', `${from} does not exist in IndexedDB database "cairndb:${this.name}"`);
    if (from === to) return;
    // Its stored chunks move with it, so all must be in memory.
    if (node.pending.size > 0) this.checkLoaded(node, from, 0, node.size, 'rename');
    this.files.delete(from);
    this.deletes.push({ name: from, from: 0 }, { name: to, from: 0 });
    this.files.set(to, node);
    node.metaDirty = true;
    for (const i of node.chunks.keys()) node.dirty.add(i);
    this.syncRequested = true;
  }

  lock() {
    if (this.locked) throw fail('LOCKED', `IndexedDB database "cairndb:${this.name}" is already open`);
    this.locked = true;
  }

  unlock() {
    this.locked = false;
  }

  capabilities() {
    return {
      durableSync: this.durability === 'strict',
      directIo: false,
      atomicRename: true,
      crossProcessLock: true,
      name: 'idb',
    };
  }

  describe() {
    return `idb:${this.name}`;
  }

  // Commits what is outstanding, closes the connection and releases the
  // lock. Idempotent; rejects when the last commit failed.
  async close() {
    if (this.closed) return;
    clearTimeout(this.loadTimer);
    let failure = null;
    try {
      this.syncRequested ||= this.deletes.length > 0;
      await (this.whenDurable() ?? this.inFlight);
    } catch (e) {
      failure = e;
    }
    this.closed = true;
    this.db?.close();
    this.files.clear();
    await this.releaseLock();
    if (failure) throw failure;
  }
}
