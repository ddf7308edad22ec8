// The Node storage backend: one database directory through node:fs *Sync
// calls. Implements the storage interface of core/include/cairn/storage.h
// (as the JS backend protocol of js/src/bridge.js): methods are synchronous
// and throw an Error with a `cairnCode` on failure.
//
// Durability: sync() is fdatasync; creating, renaming and removing a file
// fsync the directory, as the posix backend does.
//
// Lock: the file LOCK holds the pid of the process that has the database
// open. The native posix backend writes its pid there too (under its flock)
// and empties it on close, so Node and native hosts exclude each other. A
// LOCK naming a process that no longer runs, or empty, is stale and taken
// over. Within one process a registry excludes a second open.
import fs from 'node:fs';
import path from 'node:path';

const LOCK = 'LOCK';
const NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;
const heldDirs = new Set();

function fail(code, message) {
  const e = new Error(message);
  e.cairnCode = code;
  return e;
}

function fromFsError(err, what) {
  const code = err.code === 'ENOENT' ? 'NOT_FOUND' : 'IO_ERROR';
  return fail(code, `${what}: ${err.code || ''} ${err.message}`.trim());
}

function checkName(name) {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw fail('INVALID_ARGUMENT', `invalid file name ${JSON.stringify(name)}`);
  }
  if (name === LOCK) {
    throw fail('INVALID_ARGUMENT', 'invalid file name "LOCK": it is reserved for the lock');
  }
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

class NodeFile {
  constructor(fd, filePath) {
    this.fd = fd;
    this.path = filePath;
  }
  read(offset, view) {
    let got = 0;
    try {
      while (got < view.length) {
        const n = fs.readSync(this.fd, view, got, view.length - got, offset + got);
        if (n === 0) break;
        got += n;
      }
    } catch (e) {
      throw fromFsError(e, `read ${this.path} at offset ${offset}`);
    }
    view.fill(0, got);
    return got;
  }
  write(offset, view) {
    try {
      let done = 0;
      while (done < view.length) {
        done += fs.writeSync(this.fd, view, done, view.length - done, offset + done);
      }
    } catch (e) {
      throw fromFsError(e, `write ${this.path} at offset ${offset}`);
    }
  }
  sync() {
    try {
      fs.fdatasyncSync(this.fd);
    } catch (e) {
      throw fromFsError(e, `sync ${this.path}`);
    }
  }
  size() {
    try {
      return fs.fstatSync(this.fd).size;
    } catch (e) {
      throw fromFsError(e, `stat ${this.path}`);
    }
  }
  truncate(size) {
    try {
      fs.ftruncateSync(this.fd, size);
    } catch (e) {
      throw fromFsError(e, `truncate ${this.path} to ${size}`);
    }
  }
  close() {
    if (this.fd !== null) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // Closing after a failed write cannot lose anything the engine
        // acknowledged: acknowledged data was synced.
      }
      this.fd = null;
    }
  }
}

export class NodeStorage {
  constructor(dir) {
    if (typeof dir !== 'string' || dir.length === 0) {
      throw fail('INVALID_ARGUMENT', 'the database path must be a non-empty string');
    }
    this.dir = path.resolve(dir);
    this.locked = false;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw fromFsError(e, `create directory ${this.dir}`);
    }
    if (!fs.statSync(this.dir).isDirectory()) {
      throw fail('INVALID_ARGUMENT', `${this.dir} is not a directory`);
    }
  }

  syncDir() {
    let fd;
    try {
      fd = fs.openSync(this.dir, 'r');
      fs.fsyncSync(fd);
    } catch (e) {
      throw fromFsError(e, `sync directory ${this.dir}`);
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  openFile(name, { create = false } = {}) {
    checkName(name);
    const p = path.join(this.dir, name);
    let fd;
    let created = false;
    try {
      fd = fs.openSync(p, 'r+');
    } catch (e) {
      if (e.code !== 'ENOENT' || !create) throw fromFsError(e, `open ${p}`);
      try {
        fd = fs.openSync(p, 'wx+');
        created = true;
      } catch (e2) {
        if (e2.code !== 'EEXIST') throw fromFsError(e2, `create ${p}`);
        fd = fs.openSync(p, 'r+');
      }
    }
    if (created) this.syncDir();
    return new NodeFile(fd, p);
  }

  list() {
    try {
      return fs
        .readdirSync(this.dir, { withFileTypes: true })
        .filter((d) => d.isFile() && d.name !== LOCK && NAME_RE.test(d.name))
        .map((d) => d.name);
    } catch (e) {
      throw fromFsError(e, `list ${this.dir}`);
    }
  }

  remove(name) {
    checkName(name);
    try {
      fs.unlinkSync(path.join(this.dir, name));
    } catch (e) {
      throw fromFsError(e, `remove ${path.join(this.dir, name)}`);
    }
    this.syncDir();
  }

  rename(from, to) {
    checkName(from);
    checkName(to);
    try {
      fs.renameSync(path.join(this.dir, from), path.join(this.dir, to));
    } catch (e) {
      throw fromFsError(e, `rename ${from} to ${to} in ${this.dir}`);
    }
    this.syncDir();
  }

  lock() {
    if (this.locked || heldDirs.has(this.dir)) {
      throw fail('LOCKED', `${this.dir} is already open in this process`);
    }
    const p = path.join(this.dir, LOCK);
    const me = `${process.pid}\n`;
    try {
      fs.writeFileSync(p, me, { flag: 'wx' });
    } catch (e) {
      if (e.code !== 'EEXIST') throw fromFsError(e, `create ${p}`);
      const holder = Number.parseInt(fs.readFileSync(p, 'utf8').trim(), 10);
      if (Number.isInteger(holder) && holder !== process.pid && pidAlive(holder)) {
        throw fail('LOCKED', `${this.dir} is open in another process (pid ${holder})`);
      }
      // Stale (its holder is gone) or empty (released by a native host):
      // take it over.
      fs.writeFileSync(p, me);
    }
    this.syncDir();
    heldDirs.add(this.dir);
    this.locked = true;
  }

  unlock() {
    if (!this.locked) return;
    this.locked = false;
    heldDirs.delete(this.dir);
    try {
      fs.unlinkSync(path.join(this.dir, LOCK));
    } catch (e) {
      if (e.code !== 'ENOENT') throw fromFsError(e, `remove ${path.join(this.dir, LOCK)}`);
    }
  }

  capabilities() {
    return {
      durableSync: true,
      directIo: false,
      atomicRename: true,
      crossProcessLock: true,
      name: 'node',
    };
  }

  describe() {
    return this.dir;
  }
}
