// The cairndb API in Chromium, over OPFS and IndexedDB: the Node package's
// API cases (tests/js/api-cases.js) run unchanged through PageDatabase, plus
// queries, bad input made in the page (values Playwright cannot carry), the
// second-open LOCKED rule and the browser-only options.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CairnError } from 'cairndb';
import { defineApiCases } from '../js/api-cases.js';
import { PageDatabase, dbName, launch, serve, tempProfile, testPage } from './harness.js';

let server;
let context;
let page;

before(async () => {
  server = await serve();
  context = await launch(tempProfile());
  page = await testPage(context, server.url);
});

after(async () => {
  await context?.close();
  server?.server.close();
});

for (const storage of ['opfs', 'idb']) {
  describe(`api on ${storage} in the browser`, () => {
    defineApiCases(() => PageDatabase.open(page, { name: dbName(storage), storage }));

    test('query, indexes and links', async () => {
      const db = await PageDatabase.open(page, { name: dbName(storage), storage });
      assert.equal(db.storage, storage);
      await db.putMany(Array.from({ length: 50 }, (_, i) => ({ coll: 'blocks', id: String(i), doc: { height: i, miner: `m${i % 3}` } })));
      let r = await db.query('FROM blocks WHERE height >= 45 ORDER BY height DESC LIMIT 3');
      assert.deepEqual(r.rows.map((x) => x.height), [49, 48, 47]);
      assert.equal(r.count, 3);
      assert.equal(r.seq, 50);
      assert.equal(r.head, await db.head());
      await db.createIndex('blocks', 'height');
      r = await db.query('EXPLAIN FROM blocks WHERE height >= 45');
      assert.match(r.plan, /access: index blocks\.height/);
      r = await db.query('FROM blocks GROUP BY miner COUNT ORDER BY miner');
      assert.deepEqual(r.rows, [{ miner: 'm0', count: 17 }, { miner: 'm1', count: 17 }, { miner: 'm2', count: 16 }]);
      await assert.rejects(db.query('FROM blocks ORDER height'),
        (e) => e instanceof CairnError && e.code === 'PARSE_ERROR' && /line 1, column 19: expected BY after ORDER/.test(e.message));
      await db.put('drivers', 'd1', {});
      await db.put('trips', 't1', {});
      await db.link('drivers:d1', 'handles', 'trips:t1');
      assert.deepEqual(await db.neighbors('drivers:d1', 'handles'), ['trips:t1']);
      await db.close();
    });

    test('a second open of the same name is LOCKED until the first closes', async () => {
      const name = dbName(storage);
      const db = await PageDatabase.open(page, { name, storage });
      await assert.rejects(PageDatabase.open(page, { name, storage }),
        (e) => e instanceof CairnError && e.code === 'LOCKED' && /another tab/.test(e.message));
      // Another tab of the same site is excluded too.
      const other = await context.newPage();
      await other.goto(`${server.url}test/`);
      await other.waitForFunction(() => window.cairndbReady === true);
      await assert.rejects(PageDatabase.open(other, { name, storage }), (e) => e.code === 'LOCKED');
      await db.close();
      const again = await PageDatabase.open(other, { name, storage });
      await again.close();
      await other.close();
    });
  });
}

test('spaces work through the proxy: insert, bbox pages with their cursor, asOf, CLOSED after close', async () => {
  const r = await page.evaluate(async (name) => {
    const db = await window.cairndb.open({ name, storage: 'opfs' });
    const s = await db.space('sensors', { dims: 2 });
    const out = { fields: { name: s.name, dims: s.dims } };
    const seqs = await s.insertMany(Array.from({ length: 10 }, (_, i) => ({ point: [i, i], data: { i } })));
    out.seqs = seqs;
    const page1 = await s.bbox([0, 0], [9, 9], { limit: 4 });
    out.page1 = { n: page1.length, hasCursor: typeof page1.cursor === 'string', keys: Object.keys(page1).length };
    const page2 = await s.bbox([0, 0], [9, 9], { limit: 100, cursor: page1.cursor });
    out.page2 = { n: page2.length, cursor: page2.cursor };
    out.asOf = (await s.bbox([0, 0], [9, 9], { asOf: seqs[0] })).map((x) => x.data);
    out.spaces = (await db.spaces()).map((x) => [x.name, x.dims]);
    out.badPoint = await s.insert([1], {}).then(() => 'inserted', (e) => [e.code, e.message]);
    await db.close();
    out.afterClose = await s.bbox([0, 0], [9, 9]).then(() => 'answered', (e) => e.code);
    return out;
  }, dbName('space'));
  assert.deepEqual(r.fields, { name: 'sensors', dims: 2 });
  assert.equal(r.seqs.length, 10);
  assert.deepEqual(r.page1, { n: 4, hasCursor: true, keys: 4 }); // cursor stays non-enumerable, as in Node
  assert.deepEqual(r.page2, { n: 6, cursor: null });
  assert.deepEqual(r.asOf, [{ i: 0 }]);
  assert.deepEqual(r.spaces, [['sensors', 2]]);
  assert.equal(r.badPoint[0], 'INVALID_ARGUMENT');
  assert.match(r.badPoint[1], /has 1 coordinate; space "sensors" has 2 dimensions/);
  assert.equal(r.afterClose, 'CLOSED');
});

test('bad input made in the page gets the same errors as in Node', async () => {
  const results = await page.evaluate(async (name) => {
    const db = await window.cairndb.open({ name, storage: 'idb' });
    const cyclic = { a: { b: [] } };
    cyclic.a.b.push(cyclic);
    class Point {
      constructor(x) {
        this.x = x;
      }
      toJSON() {
        return { at: this.x };
      }
    }
    const attempts = {
      bigint: () => db.put('c', 'a', { n: 10n }),
      cycle: () => db.put('c', 'a', cyclic),
      fn: () => db.put('c', 'a', { f: () => 1 }),
      undef: () => db.put('c', 'a', [1, undefined]),
      nan: () => db.put('c', 'a', { x: NaN }),
      symbol: () => db.put('c', 'a', Symbol('s')),
      manyDeep: () => db.putMany([{ coll: 'c', id: 'a', doc: { deep: 1n } }]),
      idFirst: () => db.putMany([{ coll: 'c', id: 'a', doc: 1 }, { coll: 'c', id: 2, doc: 1n }]),
      collFirst: () => db.put(1, 'a', { n: 1n }),
      fnOption: () => db.put('c', 'a', {}, { causedBy: [() => 1] }),
      asOf: () => db.get('c', 'a', { asOf: -1 }),
      badColl: () => db.put('bad name', 'a', {}),
    };
    const out = {};
    for (const [k, f] of Object.entries(attempts)) {
      try {
        await f();
        out[k] = 'resolved';
      } catch (e) {
        out[k] = { cairn: e instanceof window.cairndb.CairnError, code: e.code, message: e.message };
      }
    }
    out.toJSON = (await db.put('c', 'p', { p: new Point(3), d: new Date(0) })).data;
    out.seq = await db.seq();
    await db.close();
    return out;
  }, dbName('bad'));
  const expect = {
    bigint: /doc\.n is a BigInt/,
    cycle: /doc\.a\.b\[0\] refers back to itself/,
    fn: /doc\.f is a function/,
    undef: /doc\[1\] is undefined/,
    nan: /doc\.x is NaN/,
    symbol: /doc is a symbol/,
    manyDeep: /ops\[0\]\.doc\.deep is a BigInt/,
    idFirst: /ops\[1\]\.id must be a string/,
    collFirst: /coll must be a string, got number 1/,
    fnOption: /cannot be sent to the database worker/,
    asOf: /asOf must be a non-negative integer/,
    badColl: /collection name has ' ' at position 3/,
  };
  for (const [k, pattern] of Object.entries(expect)) {
    assert.equal(results[k].cairn, true, `${k}: ${JSON.stringify(results[k])}`);
    assert.equal(results[k].code, 'INVALID_ARGUMENT', `${k}: ${results[k].message}`);
    assert.match(results[k].message, pattern, k);
  }
  assert.deepEqual(results.toJSON, { d: '1970-01-01T00:00:00.000Z', p: { at: 3 } });
  assert.equal(results.seq, 1);
});

test('open options: auto picks OPFS; memory; bad options are INVALID_ARGUMENT', async () => {
  const auto = await PageDatabase.open(page, { name: dbName('auto') });
  assert.equal(auto.storage, 'opfs');
  await auto.close();
  const mem = await PageDatabase.open(page, { storage: 'memory' });
  assert.equal(mem.storage, 'memory');
  await mem.put('m', '1', { ok: true });
  assert.equal(await mem.seq(), 1);
  await mem.close();
  const bad = [
    [{ name: 'x', storage: 'floppy' }, /unknown storage "floppy"/],
    [{ storage: 'idb' }, /needs options\.name/],
    [{ name: '../up', storage: 'opfs' }, /database name must be/],
    [{ name: 'x', storage: 'idb', colour: 'red' }, /unknown option "colour"/],
    [{ name: 'x', storage: 'idb', durability: 'maybe' }, /durability must be "strict" or "relaxed"/],
    [{ path: './data' }, /options\.path is for Node/],
  ];
  for (const [options, pattern] of bad) {
    await assert.rejects(PageDatabase.open(page, options),
      (e) => e.code === 'INVALID_ARGUMENT' && pattern.test(e.message), JSON.stringify(options));
  }
});
