// The memory storage backend for JavaScript hosts: files are growable byte
// arrays in a Map. Nothing survives the process; sync() has nothing to do.
// Implements the JS backend protocol of js/src/bridge.js (methods throw an
// Error with a `cairnCode` on failure).
const NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

function fail(code, message) {
  const e = new Error(message);
  e.cairnCode = code;
  return e;
}

function checkName(name) {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw fail('INVALID_ARGUMENT', `invalid file name ${JSON.stringify(name)}`);
  }
}

class MemoryFile {
  constructor(node) {
    this.node = node;
  }
  read(offset, view) {
    const { bytes, size } = this.node;
    const got = Math.max(0, Math.min(view.length, size - offset));
    if (got > 0) view.set(bytes.subarray(offset, offset + got));
    view.fill(0, got);
    return got;
  }
  write(offset, view) {
    this.reserve(offset + view.length);
    this.node.bytes.set(view, offset);
    this.node.size = Math.max(this.node.size, offset + view.length);
  }
  sync() {}
  size() {
    return this.node.size;
  }
  truncate(size) {
    this.reserve(size);
    if (size < this.node.size) this.node.bytes.fill(0, size, this.node.size);
    this.node.size = size;
  }
  reserve(n) {
    if (n <= this.node.bytes.length) return;
    const grown = new Uint8Array(Math.max(n, this.node.bytes.length * 2, 4096));
    grown.set(this.node.bytes.subarray(0, this.node.size));
    this.node.bytes = grown;
  }
  close() {}
}

export class MemoryStorage {
  constructor(name = 'memory') {
    this.name = name;
    this.files = new Map();
    this.locked = false;
  }
  openFile(name, { create = false } = {}) {
    checkName(name);
    let node = this.files.get(name);
    if (!node) {
      if (!create) throw fail('NOT_FOUND', `${name} does not exist in ${this.name}`);
      node = { bytes: new Uint8Array(0), size: 0 };
      this.files.set(name, node);
    }
    return new MemoryFile(node);
  }
  list() {
    return [...this.files.keys()];
  }
  remove(name) {
    checkName(name);
    if (!this.files.delete(name)) throw fail('NOT_FOUND', `${name} does not exist in ${this.name}`);
  }
  rename(from, to) {
    checkName(from);
    checkName(to);
    const node = this.files.get(from);
    if (!node) throw fail('NOT_FOUND', `${from} does not exist in ${this.name}`);
    this.files.delete(from);
    this.files.set(to, node);
  }
  lock() {
    if (this.locked) throw fail('LOCKED', `${this.name} is already open`);
    this.locked = true;
  }
  unlock() {
    this.locked = false;
  }
  capabilities() {
    return { durableSync: false, directIo: false, atomicRename: true, crossProcessLock: false, name: 'memory' };
  }
  describe() {
    return this.name;
  }
}
