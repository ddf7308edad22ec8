// The whole cairndb API through the package entry, on the node and memory
// backends.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { open, CairnError } from 'cairndb';
import { tempDir } from './helpers.js';
import { defineApiCases } from './api-cases.js';

const backends = {
  node: () => open(path.join(tempDir(), 'db')),
  memory: () => open({ storage: 'memory' }),
};

for (const [name, openDb] of Object.entries(backends)) {
  describe(`api on ${name} storage`, () => defineApiCases(openDb));
}

test('a directory persists across reopen, checkpoints included', async () => {
  const dir = path.join(tempDir(), 'db');
  let db = await open(dir, { checkpointBytes: 64 << 10, segmentBytes: 64 << 10 });
  const written = [];
  for (let i = 0; i < 600; i++) {
    written.push(await db.put('p', String(i % 150), { i, pad: 'x'.repeat(200) }));
  }
  const head = await db.head();
  await db.close();
  db = await open(dir);
  assert.equal(await db.seq(), 600);
  assert.equal(await db.head(), head);
  for (const v of written.slice(-150)) assert.deepEqual(await db.get('p', v.id), v);
  assert.deepEqual(await db.get('p', '0', { asOf: 1 }), written[0]);
  assert.equal((await db.verify()).ok, true);
  const after = await db.put('p', 'new', 1);
  assert.equal(after.seq, 601);
  await db.close();
});

test('a second open of the same directory is LOCKED until the first closes', async () => {
  const dir = path.join(tempDir(), 'db');
  const db = await open(dir);
  await assert.rejects(open(dir), (e) => e instanceof CairnError && e.code === 'LOCKED');
  await db.close();
  const again = await open(dir);
  await again.close();
});

test('relaxed durability is accepted and sync() makes writes durable', async () => {
  const dir = path.join(tempDir(), 'db');
  const db = await open(dir, { durability: 'relaxed' });
  await db.put('r', '1', { ok: true });
  await db.sync();
  await db.close();
  const db2 = await open(dir);
  assert.deepEqual((await db2.get('r', '1')).data, { ok: true });
  await db2.close();
});
