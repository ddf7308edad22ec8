// Spaces and hyperedges through the package entry, on the node and memory
// backends; persistence across reopen; bad input; and interop with the
// native CLI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { open, CairnError } from 'cairndb';
import { cliPath, tempDir } from './helpers.js';

const backends = {
  node: () => open(path.join(tempDir(), 'db')),
  memory: () => open({ storage: 'memory' }),
};

const invalidArgument = (pattern) => (e) =>
  e instanceof CairnError && e.code === 'INVALID_ARGUMENT' && pattern.test(e.message);

const plain = (records) => records.map(({ point, seq, data }) => ({ point, seq, data }));

for (const [name, openDb] of Object.entries(backends)) {
  describe(`spaces on ${name} storage`, () => {
    test('create, open, list and drop spaces', async () => {
      const db = await openDb();
      const s = await db.space('sensors', { dims: 2, bits: 16 });
      assert.deepEqual({ name: s.name, dims: s.dims, bits: s.bits, createdSeq: s.createdSeq },
        { name: 'sensors', dims: 2, bits: 16, createdSeq: 1 });
      // Opening: without options, with matching ones; bits default to 32.
      assert.equal((await db.space('sensors')).bits, 16);
      assert.equal((await db.space('sensors', { dims: 2 })).dims, 2);
      assert.equal((await db.space('wide', { dims: 3 })).bits, 32);
      assert.deepEqual((await db.spaces()).map((x) => [x.name, x.dims, x.bits]), [['sensors', 2, 16], ['wide', 3, 32]]);
      assert.equal((await db.stats()).spaces, 2);
      await assert.rejects(db.space('sensors', { dims: 3 }), invalidArgument(/exists with dims 2 and bits 16/));
      await assert.rejects(db.space('nope'), (e) => e.code === 'NOT_FOUND' && /give options.dims/.test(e.message));
      await db.dropSpace('wide');
      assert.deepEqual((await db.spaces()).map((x) => x.name), ['sensors']);
      await assert.rejects(db.dropSpace('wide'), (e) => e.code === 'NOT_FOUND');
      await db.close();
    });

    test('insert, insertMany, delete, bbox, subscope, count, nearest, history', async () => {
      const db = await openDb();
      const s = await db.space('grid', { dims: 2, bits: 8 });
      const seq1 = await s.insert([1, 2], { t: 1 });
      assert.equal(typeof seq1, 'number');
      const bytes = new Uint8Array([0, 1, 2, 250, 255]);
      const seqs = await s.insertMany([
        { point: [3, 4], data: [1, 'two'] },
        { point: new Uint32Array([5, 5]), data: bytes },
        { point: [9, 9], data: null },
        { point: [1, 7], data: 'x' },
      ]);
      assert.deepEqual(seqs, [seq1 + 1, seq1 + 2, seq1 + 3, seq1 + 4]);
      assert.deepEqual(await s.insertMany([]), []);

      const all = await s.bbox([0, 0], [255, 255]);
      assert.equal(all.cursor, null);
      assert.equal(all.length, 5);
      const byPoint = Object.fromEntries(all.map((r) => [r.point.join(','), r]));
      assert.deepEqual(byPoint['1,2'], { point: [1, 2], seq: seq1, data: { t: 1 } });
      assert.deepEqual(byPoint['5,5'].data, bytes);
      assert.ok(byPoint['5,5'].data instanceof Uint8Array);
      assert.equal(byPoint['9,9'].data, null);
      assert.deepEqual(plain(await s.bbox([0, 0], [4, 4])).map((r) => r.point).sort(), [[1, 2], [3, 4]]);
      assert.deepEqual((await s.subscope([1])).map((r) => r.point).sort(), [[1, 2], [1, 7]]);
      assert.equal((await s.subscope([])).length, 5);
      assert.equal(await s.count([0, 0], [5, 5]), 3);
      assert.equal(await s.count([0, 0], [5, 5], { asOf: seq1 }), 1);

      const near = await s.nearest([0, 0], 2);
      assert.deepEqual(near.map((r) => r.point), [[1, 2], [3, 4]]);
      assert.equal(near[0].distance, Math.sqrt(5));
      assert.deepEqual(near[1].data, [1, 'two']);
      assert.deepEqual(await s.nearest([0, 0], 0), []);

      // Paging with limit and cursor visits every point once.
      const seen = [];
      let cursor;
      do {
        const page = await s.bbox([0, 0], [255, 255], { limit: 2, cursor });
        assert.ok(page.length <= 2);
        seen.push(...page.map((r) => r.point.join(',')));
        cursor = page.cursor;
      } while (cursor);
      assert.deepEqual(seen, all.map((r) => r.point.join(',')));

      await s.insert([1, 2], { t: 2 });
      const del = await s.delete([1, 2]);
      const hist = await s.history([1, 2]);
      assert.deepEqual(hist.map((r) => [r.seq, r.deleted, r.data]), [[del, true, null], [del - 1, false, { t: 2 }], [seq1, false, { t: 1 }]]);
      assert.deepEqual(await s.history([200, 200]), []);
      await assert.rejects(s.delete([1, 2]), (e) => e.code === 'NOT_FOUND');
      assert.equal(await s.count([0, 0], [255, 255]), 4);
      await db.close();
    });

    test('AS OF reads the space as it was', async () => {
      const db = await openDb();
      const s = await db.space('t', { dims: 1 });
      const a = await s.insert([10], 'a');
      const b = await s.insert([10], 'b');
      await s.delete([10]);
      assert.deepEqual(plain(await s.bbox([0], [20], { asOf: a })), [{ point: [10], seq: a, data: 'a' }]);
      assert.deepEqual(plain(await s.subscope([], { asOf: b })), [{ point: [10], seq: b, data: 'b' }]);
      assert.deepEqual(await s.bbox([0], [20]), []);
      assert.deepEqual((await s.nearest([0], 1, { asOf: b })).map((r) => r.data), ['b']);
      await assert.rejects(s.bbox([0], [20], { asOf: 999 }), invalidArgument(/beyond the latest seq/));
      await db.close();
    });

    test('branches, diff and merge', async () => {
      const db = await openDb();
      const s = await db.space('m', { dims: 2 });
      await s.insertMany([{ point: [1, 1], data: 1 }, { point: [2, 2], data: 2 }, { point: [3, 3], data: 3 }]);
      const fork = await db.seq();
      const b = await s.branch('dev');
      assert.deepEqual(b, { name: 'dev', parent: 'main', forkSeq: fork, createdSeq: fork + 1 });
      await s.insert([4, 4], 'dev', { branch: 'dev' });
      await s.insert([1, 1], 'dev-one', { branch: 'dev' });
      await s.delete([2, 2], { branch: 'dev' });
      assert.equal(await s.count([0, 0], [9, 9]), 3);
      assert.equal(await s.count([0, 0], [9, 9], { branch: 'dev' }), 3);
      const d = await s.diff('main', 'dev');
      assert.deepEqual(d.added.map((r) => [r.point, r.data]), [[[4, 4], 'dev']]);
      assert.deepEqual(d.removed.map((r) => [r.point, r.data]), [[[2, 2], 2]]);
      assert.deepEqual(d.changed.map((c) => [c.from.data, c.to.data]), [[1, 'dev-one']]);
      const old = await s.branch('old', { from: 'main', at: 2 });
      assert.equal(old.forkSeq, 2);
      assert.deepEqual((await s.branches()).map((x) => [x.name, x.parent]), [['main', null], ['dev', 'main'], ['old', 'main']]);
      await s.dropBranch('old');
      assert.deepEqual((await s.branches()).map((x) => x.name), ['main', 'dev']);

      // A conflict: both branches changed [3,3].
      await s.insert([3, 3], 'main-three');
      await s.insert([3, 3], 'dev-three', { branch: 'dev' });
      const report = await s.merge('dev', 'main', { strategy: 'report' });
      assert.equal(report.applied, 0);
      assert.equal(report.seq, 0);
      assert.equal(report.conflicts.length, 1);
      const c = report.conflicts[0];
      assert.deepEqual(c.point, [3, 3]);
      assert.deepEqual([c.base.data, c.source.data, c.target.data], [3, 'dev-three', 'main-three']);
      const merged = await s.merge('dev', 'main', { strategy: 'prefer-source' });
      assert.ok(merged.applied >= 4, JSON.stringify(merged));
      assert.equal(merged.seq, await db.seq());
      assert.deepEqual((await s.bbox([3, 3], [3, 3]))[0].data, 'dev-three');
      assert.deepEqual((await s.diff('main', 'dev')), { added: [], removed: [], changed: [] });
      await assert.rejects(s.merge('dev', 'main', { strategy: 'newest' }), invalidArgument(/options.strategy must be one of 'prefer-target'/));
      await assert.rejects(s.merge('dev', 'main'), invalidArgument(/options.strategy/));
      await assert.rejects(s.bbox([0, 0], [1, 1], { branch: 'nope' }), (e) => e.code === 'NOT_FOUND');
      await db.close();
    });

    test('hyperedges: put, at, of kind, traverse, delete', async () => {
      const db = await openDb();
      await db.space('a', { dims: 2 });
      await db.space('b', { dims: 1 });
      const e1 = await db.putEdge({
        kind: 'road',
        ends: [{ space: 'a', point: [0, 0], dir: 'tail', role: 'from' }, { space: 'a', point: [1, 1], dir: 'head' }],
        weight: 2.5,
        meta: { name: 'A1' },
      });
      assert.equal(typeof e1.id, 'string');
      assert.deepEqual({ ...e1, id: undefined }, {
        id: undefined,
        kind: 'road',
        ends: [{ space: 'a', point: [0, 0], role: 'from', dir: 'tail' }, { space: 'a', point: [1, 1], role: null, dir: 'head' }],
        weight: 2.5,
        meta: { name: 'A1' },
        validFrom: null,
        validTo: null,
        seq: e1.seq,
      });
      const e2 = await db.putEdge({ id: 'link', kind: 'rail', ends: [{ space: 'a', point: [1, 1] }, { space: 'b', point: [7] }] });
      assert.equal(e2.id, 'link');
      assert.deepEqual((await db.edgesAt('a', [1, 1])).map((e) => e.id).sort(), [e1.id, 'link'].sort());
      assert.deepEqual((await db.edgesAt('a', [1, 1], { kinds: ['rail'] })).map((e) => e.id), ['link']);
      assert.deepEqual((await db.edgesAt('a', [1, 1], { asOf: e1.seq })).map((e) => e.id), [e1.id]);
      assert.deepEqual((await db.edgesOfKind('road')).map((e) => e.id), [e1.id]);
      const hops = await db.traverseEdges('a', [0, 0], { depth: 2 });
      assert.deepEqual(hops.map((x) => [x.space, x.point, x.depth]), [['a', [1, 1], 1], ['b', [7], 2]]);
      assert.equal(hops[0].via, e1.id);
      assert.deepEqual((await db.traverseEdges('a', [0, 0], { depth: 2, limit: 1 })).length, 1);
      assert.deepEqual(await db.traverseEdges('a', [1, 1], { directed: true, kinds: ['road'] }), []);
      await db.deleteEdge('link');
      assert.deepEqual((await db.edgesOfKind('rail')), []);
      assert.deepEqual((await db.edgesOfKind('rail', { asOf: e2.seq })).map((e) => e.id), ['link']);
      await assert.rejects(db.deleteEdge('link'), (e) => e.code === 'NOT_FOUND');
      await assert.rejects(db.putEdge({ kind: 'x', ends: [{ space: 'a', point: [0, 0] }] }), invalidArgument(/2 to/));
      await assert.rejects(db.putEdge({ kind: 'x', ends: [{ space: 'a', point: [0] }, { space: 'a', point: [1, 1] }] }),
        invalidArgument(/coordinates/));
      await db.close();
    });

    test('bad input is INVALID_ARGUMENT with a clear message', async () => {
      const db = await openDb();
      const s = await db.space('bad', { dims: 2, bits: 4 });
      const cases = [
        [() => s.insert([1, -1], 1), /point\[1\] must be an integer from 0 to 4294967295, got -1/],
        [() => s.insert([1, 1.5], 1), /point\[1\] must be an integer .* got 1.5/],
        [() => s.insert([1, '2'], 1), /point\[1\] must be an integer .* got string 2/],
        [() => s.insert([1, 2, 3], 1), /has 3 coordinates; space "bad" has 2 dimensions/],
        [() => s.insert('1,2', 1), /must be an array of coordinates/],
        [() => s.insert([1, 2], undefined), /is undefined, which JSON cannot hold/],
        [() => s.insert([1, 2], 1n), /BigInt/],
        [() => s.insert([1, 16], 1), /axis|bits|fit/],
        [() => s.insertMany({}), /insertMany takes an array/],
        [() => s.insertMany([{ point: [1, 1], data: 1 }, 5]), /points\[1\] must be an object/],
        [() => s.insertMany([{ point: [1, 1], data: 1 }, { point: [1], data: 1 }]), /points\[1\].point has 1 coordinate;/],
        [() => s.bbox([0, 0], [1]), /max has 1 coordinate/],
        [() => s.bbox([0, 0], [1, 1], { limit: -1 }), /options.limit must be a non-negative integer/],
        [() => s.bbox([0, 0], [1, 1], { cursor: 5 }), /options.cursor must be a string/],
        [() => s.bbox([0, 0], [1, 1], { cursor: 'zz' }), /malformed cursor/],
        [() => s.bbox([0, 0], [1, 1], { asOf: -3 }), /options.asOf/],
        [() => s.bbox([2, 2], [1, 1]), /box min 2 is above box max 1/],
        [() => s.subscope([1, 2, 3]), /at most 2 dimensions/],
        [() => s.nearest([0, 0], -1), /k must be a non-negative integer/],
        [() => s.branch(7), /name must be a string/],
        [() => db.space('x', { dims: 0 }), /options.dims must be an integer from 1 to 16, got 0/],
        [() => db.space('x', { dims: 2, bits: 33 }), /options.bits must be an integer from 1 to 32/],
        [() => db.space('bad name!', { dims: 2 }), /space name/],
        [() => db.putEdge(null), /putEdge takes an object/],
        [() => db.putEdge({ kind: 'k', ends: 'x' }), /edge.ends must be an array/],
        [() => db.putEdge({ kind: 'k', ends: [{ space: 'bad', point: [0, 0], dir: 'up' }] }), /edge.ends\[0\].dir must be/],
        [() => db.putEdge({ kind: 'k', ends: [{ space: 'bad', point: [0, -1] }] }), /edge.ends\[0\].point\[1\]/],
        [() => db.putEdge({ kind: 'k', ends: [], weight: NaN }), /edge.weight must be a finite number/],
        [() => db.putEdge({ kind: 'k', ends: [], meta: { a: 1 } }), /edge.meta.a must be a string/],
        // Half a surrogate pair has no UTF-8 form: it would be stored as U+FFFD.
        [() => db.putEdge({ kind: 'k', ends: [], meta: { a: 'x\uDFFF' } }), /edge.meta.a "x\\udfff" holds a lone surrogate \(U\+DFFF at index 1\)/],
        [() => db.putEdge({ kind: 'k', ends: [], meta: { ['\uD83D']: 'x' } }), /edge.meta key "\\ud83d" holds a lone surrogate/],
        [() => db.putEdge({ kind: 'k\uD83D', ends: [] }), /edge.kind "k\\ud83d" holds a lone surrogate/],
        [() => db.space('s\uDC00', { dims: 2 }), /holds a lone surrogate/],
        [() => db.edgesAt('bad', [0, 0], { kinds: 'road' }), /options.kinds must be an array/],
        [() => db.traverseEdges('bad', [0, 0], { directed: 'yes' }), /options.directed must be a boolean/],
      ];
      for (const [call, pattern] of cases) {
        await assert.rejects(call(), invalidArgument(pattern), String(pattern));
      }
      // Nothing was written by the failed calls.
      assert.equal(await s.count([0, 0], [15, 15]), 0);
      await db.close();
      await assert.rejects(s.bbox([0, 0], [1, 1]), (e) => e.code === 'CLOSED');
    });

    test('after a compaction, box queries pass over blocks by their boxes and miss no point', async () => {
      const db = await openDb();
      const s = await db.space('grid', { dims: 2, bits: 12 });
      const points = new Map();
      let x = 7;
      for (let i = 0; i < 6000; i++) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const p = [x % 4096, Math.floor(x / 4096) % 4096];
        points.set(p.join(','), { point: p, data: i });
      }
      await s.insertMany([...points.values()]);
      await db.compact();
      assert.equal((await db.stats()).spaceBlocksSkipped, 0);
      for (const [lo, hi] of [[[100, 0], [100, 4095]], [[2000, 2000], [2100, 2050]], [[0, 4000], [4095, 4095]]]) {
        const want = [...points.values()]
          .filter(({ point: [px, py] }) => px >= lo[0] && px <= hi[0] && py >= lo[1] && py <= hi[1])
          .map(({ point, data }) => `${point}:${data}`).sort();
        const got = (await s.bbox(lo, hi)).map(({ point, data }) => `${point}:${data}`).sort();
        assert.deepEqual(got, want);
      }
      assert.ok((await db.stats()).spaceBlocksSkipped > 0);
      await db.close();
    });
  });
}

test('a space persists across reopen, AS OF and branches included', async () => {
  const dir = path.join(tempDir(), 'db');
  let db = await open(dir, { checkpointBytes: 64 << 10, segmentBytes: 64 << 10 });
  let s = await db.space('p', { dims: 3, bits: 10 });
  const batch = [];
  for (let i = 0; i < 3000; i++) batch.push({ point: [i % 1000, (i * 7) % 1000, i % 3], data: { i, pad: 'y'.repeat(40) } });
  const seqs = await s.insertMany(batch);
  assert.equal(seqs.length, 3000);
  await s.branch('b');
  await s.insert([0, 0, 0], 'on b', { branch: 'b' });
  const edge = await db.putEdge({ kind: 'k', ends: [{ space: 'p', point: [0, 0, 0] }, { space: 'p', point: [1, 7, 1] }] });
  const before = await s.bbox([0, 0, 0], [1023, 1023, 2]);
  const head = await db.head();
  await db.close();

  db = await open(dir);
  assert.equal(await db.head(), head);
  s = await db.space('p');
  assert.deepEqual({ dims: s.dims, bits: s.bits }, { dims: 3, bits: 10 });
  assert.deepEqual(await s.bbox([0, 0, 0], [1023, 1023, 2]), before);
  assert.equal(await s.count([0, 0, 0], [1023, 1023, 2], { asOf: seqs[99] }), 100);
  assert.deepEqual((await s.bbox([0, 0, 0], [0, 0, 0], { branch: 'b' }))[0].data, 'on b');
  assert.deepEqual((await db.edgesAt('p', [1, 7, 1])).map((e) => e.id), [edge.id]);
  assert.equal((await db.verify()).ok, true);
  await db.close();
});

const haveCli = fs.existsSync(cliPath);
const cli = (args, input) => execFileSync(cliPath, args, { encoding: 'utf8', input });

test('a space written by the native CLI opens in Node with the same records and head',
  { skip: !haveCli && 'native CLI not built' }, async () => {
    const dir = path.join(tempDir(), 'native');
    cli([dir, 'space', 'create', 'geo', '--dims', '2', '--bits', '16']);
    cli([dir, 'space', 'insert', 'geo', '3,7', '{"name":"a","v":[1.5,"é"]}']);
    const imported = JSON.parse(cli([dir, 'space', 'import', 'geo'],
      '{"point":[10,10],"data":{"n":1}}\n{"point":[11,12],"bytes":"AAEC/w=="}\n'));
    assert.equal(imported.imported, 2);
    cli([dir, 'space', 'branch', 'geo', 'dev']);
    cli([dir, 'space', 'insert', 'geo', '1,1', '"dev only"', '--branch', 'dev']);
    cli([dir, 'space', 'edge', 'put', '{"id":"e","kind":"k","ends":[{"space":"geo","point":[3,7]},{"space":"geo","point":[10,10]}]}']);
    const nativeHead = JSON.parse(cli([dir, 'head']));
    const nativeBox = cli([dir, 'space', 'box', 'geo', '0,0', '65535,65535']).trim().split('\n').map((l) => JSON.parse(l));

    const db = await open(dir);
    assert.equal(await db.seq(), nativeHead.seq);
    assert.equal(await db.head(), nativeHead.head);
    const s = await db.space('geo');
    const box = await s.bbox([0, 0], [65535, 65535]);
    // The CLI prints bytes payloads as base64 in "bytes"; Node returns a Uint8Array.
    assert.deepEqual(box.map((r) => ({ point: r.point, seq: r.seq,
      ...(r.data instanceof Uint8Array ? { bytes: Buffer.from(r.data).toString('base64') } : { data: r.data }) })), nativeBox);
    assert.deepEqual((await s.bbox([1, 1], [1, 1], { branch: 'dev' }))[0].data, 'dev only');
    assert.deepEqual((await db.edgesAt('geo', [3, 7])).map((e) => e.id), ['e']);
    // Node continues the same chain; the CLI reads what Node wrote.
    await s.insert([5, 5], { from: 'node' });
    const head = await db.head();
    await db.close();
    assert.equal(JSON.parse(cli([dir, 'head'])).head, head);
    assert.deepEqual(JSON.parse(cli([dir, 'space', 'box', 'geo', '5,5', '5,5'])).data, { from: 'node' });
  });
