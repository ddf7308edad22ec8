// Each kind of bad input gets a CairnError naming what is wrong and where,
// and changes nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open, CairnError } from 'cairndb';

async function rejects(promiseOrFn, code, pattern) {
  const p = typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn;
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof CairnError, `not a CairnError: ${e}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

test('wrong types and missing arguments', async () => {
  const db = await open({ storage: 'memory' });
  await rejects(db.put(), 'INVALID_ARGUMENT', /coll must be a string, got undefined/);
  await rejects(db.put(1, 'a', {}), 'INVALID_ARGUMENT', /coll must be a string, got number 1/);
  await rejects(db.put('c', null, {}), 'INVALID_ARGUMENT', /id must be a string, got null/);
  await rejects(db.put('c', 'a'), 'INVALID_ARGUMENT', /doc is undefined/);
  await rejects(db.put('c', 'a', {}, 'opts'), 'INVALID_ARGUMENT', /options must be an object/);
  await rejects(db.put('c', 'a', {}, { causedBy: 'abc' }), 'INVALID_ARGUMENT', /causedBy must be an array/);
  await rejects(db.put('c', 'a', {}, { causedBy: ['xyz'] }), 'INVALID_ARGUMENT', /causedBy\[0\] must be a version hash/);
  await rejects(db.put('c', 'a', {}, { validFrom: 5 }), 'INVALID_ARGUMENT', /validFrom must be an ISO-8601 string or a Date/);
  await rejects(db.put('c', 'a', {}, { validFrom: new Date('nope') }), 'INVALID_ARGUMENT', /validFrom is an invalid Date/);
  await rejects(db.get('c'), 'INVALID_ARGUMENT', /id must be a string/);
  await rejects(db.get('c', 'a', { asOf: -1 }), 'INVALID_ARGUMENT', /asOf must be a non-negative integer/);
  await rejects(db.get('c', 'a', { asOf: 1.5 }), 'INVALID_ARGUMENT', /asOf/);
  await rejects(db.get('c', 'a', { asOf: 99 }), 'INVALID_ARGUMENT', /beyond the latest seq/);
  await rejects(db.list('c', { limit: 'ten' }), 'INVALID_ARGUMENT', /limit must be a non-negative integer/);
  await rejects(db.getByHash(42), 'INVALID_ARGUMENT', /hash must be a version hash/);
  await rejects(db.trace('zz'), 'INVALID_ARGUMENT', /hash must be a version hash/);
  await rejects(db.trace('a'.repeat(64), { reverse: 'yes' }), 'INVALID_ARGUMENT', /reverse must be a boolean/);
  await rejects(db.putMany('nope'), 'INVALID_ARGUMENT', /putMany takes an array/);
  await rejects(db.putMany([null]), 'INVALID_ARGUMENT', /ops\[0\] must be an object/);
  await rejects(db.putMany([{ coll: 'c', id: 'a', doc: 1 }, { coll: 'c', id: 2, doc: 1 }]), 'INVALID_ARGUMENT', /ops\[1\]\.id must be a string/);
  // Every field of an op is checked, each error naming the op and the field.
  const op = { coll: 'c', id: 'a', doc: 1 };
  await rejects(db.putMany([op, { ...op, coll: 'c\0d' }]), 'INVALID_ARGUMENT', /ops\[1\]\.coll "c\\u0000d" contains a NUL/);
  await rejects(db.putMany([op, { ...op, coll: null }]), 'INVALID_ARGUMENT', /ops\[1\]\.coll must be a string, got null/);
  await rejects(db.putMany([op, op, { ...op, id: 'x\0' }]), 'INVALID_ARGUMENT', /ops\[2\]\.id "x\\u0000" contains a NUL/);
  // Half a surrogate pair has no UTF-8 form: it would be stored as U+FFFD.
  await rejects(db.putMany([op, { ...op, id: 'q\uD800' }]), 'INVALID_ARGUMENT', /ops\[1\]\.id "q\\ud800" holds a lone surrogate \(U\+D800 at index 1\)/);
  await rejects(db.put('c\u{1F600}\uDC01', 'a', 1), 'INVALID_ARGUMENT', /coll "c\u{1F600}\\udc01" holds a lone surrogate \(U\+DC01 at index 3\)/u);
  await rejects(db.get('c', '\uDBFF'), 'INVALID_ARGUMENT', /id "\\udbff" holds a lone surrogate/);
  await rejects(db.putMany([op, { ...op, doc: undefined }]), 'INVALID_ARGUMENT', /ops\[1\]\.doc is undefined/);
  await rejects(db.putMany([op, { ...op, causedBy: 'h' }]), 'INVALID_ARGUMENT', /ops\[1\]\.causedBy must be an array/);
  await rejects(db.putMany([op, { ...op, causedBy: ['zz'] }]), 'INVALID_ARGUMENT', /ops\[1\]\.causedBy\[0\]/);
  await rejects(db.putMany([op, { ...op, validFrom: 5 }]), 'INVALID_ARGUMENT', /ops\[1\]\.validFrom must be an ISO-8601 string or a Date/);
  await rejects(db.putMany([op, { ...op, validTo: new Date(NaN) }]), 'INVALID_ARGUMENT', /ops\[1\]\.validTo is an invalid Date/);
  // The names first, then the document, then the options, as in put().
  await rejects(db.putMany([{ ...op, id: 7, causedBy: 'h' }]), 'INVALID_ARGUMENT', /ops\[0\]\.id must be a string/);
  await rejects(db.putMany([{ ...op, doc: 1n, causedBy: 'h' }]), 'INVALID_ARGUMENT', /ops\[0\]\.doc is a BigInt/);
  assert.equal(await db.seq(), 0);
  await db.close();
});

test('values JSON cannot hold', async () => {
  const db = await open({ storage: 'memory' });
  await rejects(db.put('c', 'a', { n: 10n }), 'INVALID_ARGUMENT', /doc\.n is a BigInt/);
  const cyclic = { a: { b: [] } };
  cyclic.a.b.push(cyclic);
  await rejects(db.put('c', 'a', cyclic), 'INVALID_ARGUMENT', /doc\.a\.b\[0\] refers back to itself/);
  await rejects(db.put('c', 'a', { f: () => 1 }), 'INVALID_ARGUMENT', /doc\.f is a function/);
  await rejects(db.put('c', 'a', [1, undefined]), 'INVALID_ARGUMENT', /doc\[1\] is undefined/);
  await rejects(db.put('c', 'a', { x: NaN }), 'INVALID_ARGUMENT', /doc\.x is NaN/);
  await rejects(db.put('c', 'a', { x: [Infinity] }), 'INVALID_ARGUMENT', /doc\.x\[0\] is Infinity/);
  await rejects(db.put('c', 'a', Symbol('s')), 'INVALID_ARGUMENT', /doc is a symbol/);
  await rejects(db.putMany([{ coll: 'c', id: 'a', doc: { deep: 1n } }]), 'INVALID_ARGUMENT', /ops\[0\]\.doc\.deep is a BigInt/);
  // Shared (non-cyclic) references are fine, as are undefined properties
  // (left out, as JSON.stringify does) and Dates (their JSON form).
  const shared = { k: 1 };
  const v = await db.put('c', 'ok', { a: shared, b: shared, u: undefined, d: new Date(0) });
  assert.deepEqual(v.data, { a: { k: 1 }, b: { k: 1 }, d: '1970-01-01T00:00:00.000Z' });
  assert.equal(await db.seq(), 1);
  await db.close();
});

test('names, limits and times the engine rejects', async () => {
  const db = await open({ storage: 'memory' });
  await rejects(db.put('', 'a', {}), 'INVALID_ARGUMENT', /collection/);
  await rejects(db.put('bad name', 'a', {}), 'INVALID_ARGUMENT', /collection name has ' ' at position 3/);
  await rejects(db.put('c', '', {}), 'INVALID_ARGUMENT', /id/);
  await rejects(db.put('c', 'a\0b', {}), 'INVALID_ARGUMENT', /NUL/);
  await rejects(db.put('c', 'x'.repeat(300), {}), 'INVALID_ARGUMENT', /id/);
  await rejects(db.put('c', 'a', { big: 'x'.repeat(2 << 20) }), 'INVALID_ARGUMENT', /bytes|limit|large/);
  await rejects(db.put('c', 'a', {}, { validFrom: 'yesterday' }), 'INVALID_ARGUMENT', /yesterday/);
  await rejects(db.put('c', 'a', {}, { validFrom: '2025-01-01T00:00:00Z', validTo: '2024-01-01T00:00:00Z' }), 'INVALID_ARGUMENT', /valid/);
  await rejects(db.put('c', 'a', {}, { causedBy: ['ab'.repeat(32)] }), 'NOT_FOUND', /abab/);
  assert.equal(await db.seq(), 0);
  await db.close();
});

test('bad open arguments and options', async () => {
  await rejects(open(), 'INVALID_ARGUMENT', /open takes a directory path or an options object/);
  await rejects(open(''), 'INVALID_ARGUMENT', /non-empty string/);
  await rejects(open({ storage: 'floppy' }), 'INVALID_ARGUMENT', /unknown storage "floppy"/);
  await rejects(open({ storage: 'memory', durability: 'maybe' }), 'INVALID_ARGUMENT', /durability must be "strict" or "relaxed"/);
  await rejects(open({ storage: 'memory', cacheBytes: -1 }), 'INVALID_ARGUMENT', /cacheBytes/);
  await rejects(open({ storage: 'memory', colour: 'red' }), 'INVALID_ARGUMENT', /unknown option "colour"/);
  await rejects(open('/proc/version/db'), 'IO_ERROR', /\/proc\/version/);
});

// What the browser worker accepts from the page for putMany: the batch as
// packWrites encodes it (js/src/database.js). A page can post any text, so
// each malformed encoding is refused whole, naming what is wrong.
test('malformed putMany batch encodings reach the engine and are refused', async () => {
  const { putPackedText, packWrites } = await import('../../js/src/database.js');
  const db = await open({ storage: 'memory' });
  await db.put('c', 'before', 1);
  const { packed: good } = packWrites([{ coll: 'c', id: 'a', doc: { n: 1 } }, { coll: 'c', id: 'b', doc: [2] }]);
  assert.equal(good, '[{"n":1},[2]]\0c\0a\0\0\0\0c\0b\0\0\0\0');
  const cases = [
    ['[{"n":1}]', 'INVALID_ARGUMENT', /truncated batch encoding/],
    ['{"n":1}\0c\0a\0\0\0\0', 'PARSE_ERROR', /the documents: offset 0: expected '\[' to start an array/],
    ['[{"n":1},"open]\0c\0a\0\0\0\0', 'PARSE_ERROR', /offset 9: string not closed/],
    ['[1,2]\0c\0a\0\0\0\0', 'INVALID_ARGUMENT', /2 documents for a different number of writes/],
    ['[1]\0c\0a\0\0\0\0c\0b\0\0\0\0', 'INVALID_ARGUMENT', /1 documents for a different number of writes/],
    ['[1]\0c\0a\0\0\0', 'INVALID_ARGUMENT', /truncated batch encoding/],
    ['[1,{"n":}]\0c\0a\0\0\0\0c\0b\0\0\0\0', 'PARSE_ERROR', /batch item 1/],
    ['[1,2 3]\0c\0a\0\0\0\0c\0b\0\0\0\0', 'PARSE_ERROR', /batch item 1/],
    ['[1]\0c\0a\0nothex\0\0\0', 'INVALID_ARGUMENT', /op 0/],
  ];
  for (const [text, code, pattern] of cases) {
    await rejects(db[putPackedText](text), code, pattern);
  }
  assert.equal(await db.seq(), 1);
  assert.equal(await db.get('c', 'a'), null);
  // The good encoding is taken.
  await db[putPackedText](good);
  assert.deepEqual((await db.get('c', 'b')).data, [2]);
  await db.close();
});
