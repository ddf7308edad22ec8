// The API cases every host and storage of cairndb must pass: run on the
// node and memory backends by api.test.js, and on OPFS and IndexedDB in a
// browser by tests/browser/api.test.js (through a handle whose calls run in
// the page). `openDb` opens a fresh, empty database.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CairnError } from 'cairndb';

export function defineApiCases(openDb) {
  test('put, get, history and time travel', async () => {
    const db = await openDb();
    const v1 = await db.put('blocks', '618000', { height: 618000, miner: 'm1' });
    assert.equal(v1.coll, 'blocks');
    assert.equal(v1.id, '618000');
    assert.equal(v1.seq, 1);
    assert.match(v1.hash, /^[0-9a-f]{64}$/);
    assert.equal(v1.prev, null);
    assert.deepEqual(v1.causedBy, []);
    assert.equal(v1.deleted, false);
    assert.deepEqual(v1.data, { height: 618000, miner: 'm1' });
    assert.ok(Math.abs(v1.ts - Date.now()) < 60000);

    const v2 = await db.put('blocks', '618000', { height: 618000, miner: 'm2' }, { causedBy: [v1.hash] });
    assert.equal(v2.seq, 2);
    assert.equal(v2.prev, v1.hash);
    assert.deepEqual(v2.causedBy, [v1.hash]);
    assert.deepEqual((await db.get('blocks', '618000')).data.miner, 'm2');
    assert.deepEqual((await db.get('blocks', '618000', { asOf: 1 })).data.miner, 'm1');
    assert.equal(await db.get('blocks', '618000', { asOf: 0 }), null);
    assert.equal(await db.get('blocks', 'nope'), null);
    const h = await db.history('blocks', '618000');
    assert.deepEqual(h.map((v) => v.seq), [2, 1]);
    assert.deepEqual(await db.getByHash(v1.hash), v1);
    assert.equal(await db.getByHash('0'.repeat(64)), null);
    assert.deepEqual(await db.history('blocks', 'never'), []);
    await db.close();
  });

  test('same content, same hash; canonical data', async () => {
    const db = await openDb();
    const a = await db.put('c', 'x', { b: 2, a: [1, 2.5, 'é'], n: null });
    const again = await db.getByHash(a.hash);
    assert.deepEqual(again.data, { a: [1, 2.5, 'é'], b: 2, n: null });
    assert.deepEqual(Object.keys(again.data), ['a', 'b', 'n']);
    await db.close();
  });

  test('documents holding the bytes that separate returned versions come back whole', async () => {
    // Versions leave the engine as records cut at 0x1E and 0x1F, followed
    // after 0x1D by their data: the same bytes inside a document must not
    // cut it.
    const db = await openDb();
    const doc = { s: 'a\x1d\x1e\x1fb', list: ['\x1d', '\x1f'], 'key\x1e': { '\x1d': 1 } };
    const [v, w] = await db.putMany([
      { coll: 'c', id: 'x\u00e9\u{1F600}', doc },
      { coll: 'c', id: 'y', doc: [doc, '\x1e'] },
    ]);
    assert.deepEqual(v.data, doc);
    assert.deepEqual(w.data, [doc, '\x1e']);
    assert.equal(w.ts, v.ts); // one clock reading per batch
    assert.deepEqual(await db.get('c', 'x\u00e9\u{1F600}'), v);
    assert.equal(v.id, 'x\u00e9\u{1F600}');
    const t = await db.delete('c', 'y', { causedBy: [v.hash] });
    assert.deepEqual(await db.history('c', 'y'), [t, w]);
    const traced = await db.trace(t.hash);
    assert.deepEqual(traced.map((e) => [e.hash, e.depth, e.data]), [[t.hash, 0, null], [v.hash, 1, doc]]);
    await db.close();
  });

  test('delete writes a tombstone and keeps history', async () => {
    const db = await openDb();
    const v1 = await db.put('docs', 'a', { n: 1 });
    const t = await db.delete('docs', 'a');
    assert.equal(t.deleted, true);
    assert.equal(t.data, null);
    assert.equal(t.prev, v1.hash);
    assert.equal(await db.get('docs', 'a'), null);
    assert.deepEqual((await db.get('docs', 'a', { asOf: v1.seq })).data, { n: 1 });
    assert.deepEqual((await db.history('docs', 'a')).map((v) => v.deleted), [true, false]);
    await assert.rejects(db.delete('docs', 'a'), (e) => e instanceof CairnError && e.code === 'NOT_FOUND');
    await db.close();
  });

  test('putMany is atomic and returns versions in input order', async () => {
    const db = await openDb();
    const vs = await db.putMany([
      { coll: 'a', id: '1', doc: { n: 1 } },
      { coll: 'a', id: '2', doc: [1, 2] },
      { coll: 'b', id: '1', doc: 'text', validFrom: '2024-05-01T00:00:00Z', validTo: new Date('2025-01-01T00:00:00Z') },
    ]);
    assert.deepEqual(vs.map((v) => v.seq), [1, 2, 3]);
    assert.deepEqual(vs.map((v) => v.data), [{ n: 1 }, [1, 2], 'text']);
    // Exactly what a read returns (in a browser they cross the worker as text).
    for (const v of vs) assert.deepEqual(await db.get(v.coll, v.id), v);
    assert.equal(vs[2].validFrom, '2024-05-01T00:00:00.000Z');
    assert.equal(vs[2].validTo, '2025-01-01T00:00:00.000Z');
    // Replacing versions (a prev), naming causes in upper case (returned as
    // stored, in lower case) and one bound of validity.
    const again = await db.putMany([
      { coll: 'a', id: '2', doc: 3 },
      { coll: 'a', id: '1', doc: 4, causedBy: [vs[1].hash.toUpperCase(), vs[2].hash], validTo: '2030-01-01T01:00:00+01:00' },
      { coll: 'c', id: '9', doc: 5 },
    ]);
    assert.deepEqual(again.map((v) => [v.seq, v.prev]), [[4, vs[1].hash], [5, vs[0].hash], [6, null]]);
    assert.deepEqual(again[1].causedBy, [vs[1].hash, vs[2].hash]);
    assert.equal(again[1].validFrom, null);
    assert.equal(again[1].validTo, '2030-01-01T00:00:00.000Z');
    for (const v of again) assert.deepEqual(await db.get(v.coll, v.id), v);
    // One bad op: nothing of the batch is written.
    await assert.rejects(
      db.putMany([
        { coll: 'a', id: '3', doc: 1 },
        { coll: 'a', id: '4', doc: 2, causedBy: ['ab'.repeat(32)] },
      ]),
      (e) => e.code === 'NOT_FOUND',
    );
    assert.equal(await db.get('a', '3'), null);
    assert.equal(await db.seq(), 6);
    assert.deepEqual(await db.putMany([]), []);
    await db.close();
  });

  test('list: live view, as of, limit, offset and cursor', async () => {
    const db = await openDb();
    for (const id of ['c', 'a', 'b', 'd']) await db.put('l', id, { id });
    const before = await db.seq();
    await db.delete('l', 'b');
    await db.put('l', 'e', {});
    assert.deepEqual((await db.list('l')).map((v) => v.id), ['a', 'c', 'd', 'e']);
    assert.deepEqual((await db.list('l', { asOf: before })).map((v) => v.id), ['a', 'b', 'c', 'd']);
    assert.deepEqual((await db.list('l', { limit: 2, offset: 1 })).map((v) => v.id), ['c', 'd']);
    assert.deepEqual((await db.list('l', { startAfter: 'c' })).map((v) => v.id), ['d', 'e']);
    assert.deepEqual(await db.list('empty'), []);
    assert.deepEqual(await db.collections(), ['l']);
    const all = await db.versions(1);
    assert.deepEqual(all.map((v) => v.seq), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual((await db.versions(5, { limit: 1 })).map((v) => v.seq), [5]);
    await db.close();
  });

  test('trace walks caused_by both ways with depth, limit and asOf', async () => {
    const db = await openDb();
    const a = await db.put('e', 'a', {});
    const b = await db.put('e', 'b', {}, { causedBy: [a.hash] });
    const c = await db.put('e', 'c', {}, { causedBy: [b.hash] });
    const d = await db.put('e', 'd', {}, { causedBy: [a.hash, c.hash] });
    const back = await db.trace(d.hash);
    assert.deepEqual(back.map((v) => [v.id, v.depth]), [['d', 0], ['a', 1], ['c', 1], ['b', 2]]);
    const fwd = await db.trace(a.hash, { reverse: true });
    assert.deepEqual(fwd.map((v) => [v.id, v.depth]), [['a', 0], ['b', 1], ['d', 1], ['c', 2]]);
    assert.equal((await db.trace(a.hash, { reverse: true, limit: 2 })).length, 2);
    assert.equal((await db.trace(a.hash, { reverse: true, depth: 0 })).length, 1);
    assert.deepEqual((await db.trace(a.hash, { reverse: true, asOf: c.seq })).map((v) => v.id), ['a', 'b', 'c']);
    await assert.rejects(db.trace('f'.repeat(64)), (e) => e.code === 'NOT_FOUND');
    await db.close();
  });

  test('head, seq, verify and stats', async () => {
    const db = await openDb();
    assert.equal(await db.seq(), 0);
    assert.equal(await db.head(), '0'.repeat(64));
    await db.put('x', '1', 1);
    const h1 = await db.head();
    await db.put('x', '2', 2);
    assert.notEqual(await db.head(), h1);
    assert.equal(await db.seq(), 2);
    assert.deepEqual(await db.verify(), { ok: true, checked: 2, tampered: [], problems: [] });
    const s = await db.stats();
    assert.equal(s.documents, 2);
    assert.equal(s.versions, 2);
    await db.checkpoint();
    await db.sync();
    assert.equal((await db.stats()).checkpointEntries > 0, true);
    await db.close();
  });

  test('compact merges the index into one table and every read stays the same', async () => {
    const db = await openDb();
    // A large checkpoint, then a small one: two tables (only a newer table
    // of comparable size is merged into an older one).
    await db.putMany(Array.from({ length: 300 }, (_, i) => ({ coll: 'c', id: String(i), doc: { i, r: 0 } })));
    await db.checkpoint();
    const small = await db.putMany([0, 1, 2].map((i) => ({ coll: 'c', id: String(i), doc: { i, r: 1 } })));
    await db.delete('c', '3');
    await db.checkpoint();
    assert.equal((await db.stats()).checkpointTables, 2);
    // The JS storages do not map files: every table is read through the block cache.
    assert.equal((await db.stats()).mappedTables, 0);
    const read = async () => ({
      list: (await db.list('c')).map((v) => [v.id, v.hash]),
      history: (await db.history('c', '1')).map((v) => v.hash),
      past: (await db.get('c', '1', { asOf: small[0].seq - 1 })).data,
      gone: await db.get('c', '3'),
      byHash: (await db.getByHash(small[2].hash)).data,
    });
    const before = await read();
    assert.equal(before.list.length, 299);
    assert.deepEqual(before.past, { i: 1, r: 0 });
    await db.compact();
    assert.equal((await db.stats()).checkpointTables, 1);
    assert.deepEqual(await read(), before);
    assert.equal((await db.verify()).ok, true);
    await db.close();
  });

  test('close is idempotent; every later call is CLOSED; asyncDispose closes', async () => {
    const db = await openDb();
    await db.put('x', '1', 1);
    await db.close();
    await db.close();
    assert.equal(db.closed, true);
    for (const call of [() => db.get('x', '1'), () => db.put('x', '2', 1), () => db.head(), () => db.verify(), () => db.compact(),
      // CLOSED comes before the check of the batch, as in every call.
      () => db.putMany([{ coll: 'x', id: 2, doc: 1 }])]) {
      await assert.rejects(call(), (e) => e instanceof CairnError && e.code === 'CLOSED');
    }
    const db2 = await openDb();
    await db2.put('x', '1', 1);
    await db2[Symbol.asyncDispose]();
    assert.equal(db2.closed, true);
  });
}
