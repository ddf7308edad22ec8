// Queries, indexes and links through the package.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open, CairnError } from 'cairndb';

test('query returns { rows, count, seq, head } and uses indexes', async () => {
  const db = await open({ storage: 'memory' });
  for (let i = 0; i < 50; i++) await db.put('blocks', String(i), { height: i, miner: `m${i % 3}` });
  let r = await db.query('FROM blocks WHERE height >= 45 ORDER BY height DESC LIMIT 3');
  assert.deepEqual(r.rows.map((x) => x.height), [49, 48, 47]);
  assert.equal(r.count, 3);
  assert.equal(r.seq, 50);
  assert.equal(r.head, await db.head());
  assert.equal(r.rows[0]._id, '49');
  assert.equal(r.rows[0]._coll, 'blocks');
  assert.match(r.rows[0]._hash, /^[0-9a-f]{64}$/);
  await db.createIndex('blocks', 'height');
  assert.deepEqual(await db.indexes(), [{ coll: 'blocks', field: 'height', text: false, ready: true }]);
  r = await db.query('EXPLAIN FROM blocks WHERE height >= 45 ORDER BY height DESC LIMIT 3');
  assert.equal(r.count, 0);
  assert.match(r.plan, /access: index blocks\.height/);
  r = await db.query('FROM blocks WHERE height >= 45 ORDER BY height DESC LIMIT 3');
  assert.deepEqual(r.rows.map((x) => x.height), [49, 48, 47]);
  r = await db.query('FROM blocks GROUP BY miner COUNT, AVG height AS mean ORDER BY miner');
  assert.deepEqual(r.rows, [
    { miner: 'm0', count: 17, mean: 24 },
    { miner: 'm1', count: 17, mean: 25 },
    { miner: 'm2', count: 16, mean: 24.5 },
  ]);
  r = await db.query('FROM blocks AS OF 10 COUNT');
  assert.deepEqual(r.rows, [{ count: 10 }]);
  assert.equal(r.seq, 10);
  await db.dropIndex('blocks', 'height');
  assert.deepEqual(await db.indexes(), []);
  await db.close();
});

test('full-text search with and without the text index', async () => {
  const db = await open({ storage: 'memory' });
  await db.put('notes', 'a', { title: 'The Quick brown fox' });
  await db.put('notes', 'b', { title: 'Lazy dogs', tags: ['FOXES'] });
  const ids = async (q) => (await db.query(q)).rows.map((r) => r._id);
  assert.deepEqual(await ids('FROM notes SEARCH "fox*"'), ['a', 'b']);
  await db.createTextIndex('notes');
  assert.deepEqual(await ids('FROM notes SEARCH "fox*"'), ['a', 'b']);
  assert.deepEqual(await ids('FROM notes SEARCH "quick FOX"'), ['a']);
  assert.match((await db.query('EXPLAIN FROM notes SEARCH "fox"')).plan, /text index/);
  await db.close();
});

test('links, neighbors and TRAVERSE', async () => {
  const db = await open({ storage: 'memory' });
  await db.put('driver', 'd1', { name: 'Ann' });
  await db.put('trip', 't1', { km: 3 });
  const l = await db.link('driver:d1', 'handles', 'trip:t1');
  assert.equal(l.coll, '_cairn_link');
  assert.deepEqual(await db.neighbors('driver:d1', 'handles'), ['trip:t1']);
  assert.deepEqual(await db.neighbors('trip:t1', 'handles', { reverse: true }), ['driver:d1']);
  assert.deepEqual((await db.query('FROM driver TRAVERSE handles')).rows.map((r) => r.km), [3]);
  await db.unlink('driver:d1', 'handles', 'trip:t1');
  assert.deepEqual(await db.neighbors('driver:d1', 'handles'), []);
  assert.deepEqual(await db.neighbors('driver:d1', 'handles', { asOf: l.seq }), ['trip:t1']);
  await db.close();
});

test('bad queries and arguments', async () => {
  const db = await open({ storage: 'memory' });
  await assert.rejects(db.query('FROM t WHERE'), (e) => e instanceof CairnError && e.code === 'PARSE_ERROR' &&
    /line 1, column 13: expected a field/.test(e.message));
  await assert.rejects(db.query(42), (e) => e.code === 'INVALID_ARGUMENT' && /query takes NQL text/.test(e.message));
  await assert.rejects(db.query('FROM t AS OF 5'), (e) => e.code === 'INVALID_ARGUMENT' && /beyond the latest seq/.test(e.message));
  await assert.rejects(db.createIndex('t'), (e) => e.code === 'INVALID_ARGUMENT' && /field must be a string/.test(e.message));
  await assert.rejects(db.link('a:1', 'r', 'a:2'), (e) => e.code === 'NOT_FOUND');
  await assert.rejects(db.neighbors('a1', 'r'), (e) => e.code === 'INVALID_ARGUMENT' && /coll:id/.test(e.message));
  await assert.rejects(db.put('_cairn_link', 'x', {}), (e) => e.code === 'INVALID_ARGUMENT' && /reserved/.test(e.message));
  await db.close();
});
