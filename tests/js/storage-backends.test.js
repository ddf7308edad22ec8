// The JS storage backends (storage-backends/node, storage-backends/memory)
// against the storage interface's contract, as the C++ conformance suite
// checks the C++ backends.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { NodeStorage } from '../../js/dist/backends/node-storage.js';
import { MemoryStorage } from '../../js/dist/backends/memory-storage.js';
import { tempDir } from './helpers.js';

const code = (c) => (e) => e.cairnCode === c;

const backends = {
  node: () => new NodeStorage(path.join(tempDir(), 'store')),
  memory: () => new MemoryStorage(),
};

for (const [name, make] of Object.entries(backends)) {
  describe(`${name} backend`, () => {
    test('write at offsets, read back, short reads zero-fill', () => {
      const s = make();
      const f = s.openFile('a.bin', { create: true });
      f.write(0, new Uint8Array([1, 2, 3]));
      f.write(10, new Uint8Array([9]));  // a gap reads as zeros
      assert.equal(f.size(), 11);
      const buf = new Uint8Array(16).fill(7);
      assert.equal(f.read(0, buf), 11);
      assert.deepEqual([...buf], [1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0]);
      const past = new Uint8Array(4).fill(7);
      assert.equal(f.read(100, past), 0);
      assert.deepEqual([...past], [0, 0, 0, 0]);
      f.truncate(2);
      assert.equal(f.size(), 2);
      f.truncate(5);
      const again = new Uint8Array(5);
      f.read(0, again);
      assert.deepEqual([...again], [1, 2, 0, 0, 0]);
      f.sync();
      f.close();
    });

    test('names: open, list, rename replaces, remove', () => {
      const s = make();
      assert.throws(() => s.openFile('missing', {}), code('NOT_FOUND'));
      for (const bad of ['', '../x', 'a/b', '.hidden', 'x'.repeat(65), 'sp ace']) {
        assert.throws(() => s.openFile(bad, { create: true }), code('INVALID_ARGUMENT'), bad);
      }
      s.openFile('one', { create: true }).write(0, new Uint8Array([1]));
      const replaced = s.openFile('two', { create: true });
      replaced.write(0, new Uint8Array([2, 2]));
      replaced.sync();
      assert.deepEqual(s.list().sort(), ['one', 'two']);
      s.rename('one', 'two');
      assert.deepEqual(s.list(), ['two']);
      assert.equal(s.openFile('two', {}).size(), 1);
      // A file open while renamed over stays readable (a compaction replaces
      // the newest checkpoint table while readers hold it).
      const old = new Uint8Array(2);
      assert.equal(replaced.read(0, old), 2);
      assert.deepEqual([...old], [2, 2]);
      replaced.close();
      assert.throws(() => s.rename('one', 'three'), code('NOT_FOUND'));
      s.remove('two');
      assert.throws(() => s.remove('two'), code('NOT_FOUND'));
      assert.deepEqual(s.list(), []);
    });

    test('lock is exclusive until unlocked', () => {
      const s = make();
      s.lock();
      assert.throws(() => s.lock(), code('LOCKED'));
      s.unlock();
      s.lock();
      s.unlock();
    });
  });
}

test('node backend: the lock names its pid, excludes other opens, and is taken over when stale', () => {
  const dir = path.join(tempDir(), 'locked');
  const a = new NodeStorage(dir);
  a.lock();
  assert.equal(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8'), `${process.pid}\n`);
  assert.throws(() => new NodeStorage(dir).lock(), code('LOCKED'));
  assert.throws(() => a.openFile('LOCK', { create: true }), code('INVALID_ARGUMENT'));
  assert.deepEqual(a.list(), []);
  a.unlock();
  assert.equal(fs.existsSync(path.join(dir, 'LOCK')), false);
  // Another live process holds it (our parent stands in for one)...
  fs.writeFileSync(path.join(dir, 'LOCK'), `${process.ppid}\n`);
  assert.throws(() => new NodeStorage(dir).lock(), (e) => e.cairnCode === 'LOCKED' && e.message.includes(`pid ${process.ppid}`));
  // ...a holder that is gone, or an empty LOCK left by a native host, is not.
  for (const stale of ['999999999\n', '']) {
    fs.writeFileSync(path.join(dir, 'LOCK'), stale);
    const b = new NodeStorage(dir);
    b.lock();
    assert.equal(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8'), `${process.pid}\n`);
    b.unlock();
  }
});

test('node backend: a path that is a file is refused', () => {
  const file = path.join(tempDir(), 'plain');
  fs.writeFileSync(file, 'x');
  assert.throws(() => new NodeStorage(file), (e) => ['INVALID_ARGUMENT', 'IO_ERROR'].includes(e.cairnCode));
  assert.throws(() => new NodeStorage(''), code('INVALID_ARGUMENT'));
});
