// One file format: a directory written by the native CLI opens in Node with
// the same hashes and head, and one written in Node passes the CLI's verify.
// Also: the native and Node hosts exclude each other through LOCK.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { open, blake2b256, CairnError } from 'cairndb';
import { cliPath, tempDir } from './helpers.js';

const cli = (...args) => execFileSync(cliPath, args, { encoding: 'utf8' });
const haveCli = fs.existsSync(cliPath);

test('the wasm build hashes BLAKE2b-256 like the published vectors', async () => {
  // BLAKE2b with a 32-byte digest (RFC 7693 parameters; the same values as
  // b2sum -l 256).
  assert.equal(await blake2b256(new Uint8Array()),
    '0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
  assert.equal(await blake2b256(new TextEncoder().encode('abc')),
    'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
  assert.equal(await blake2b256(new TextEncoder().encode('The quick brown fox jumps over the lazy dog')),
    '01718cec35cd3d796dd00020e0bfecb473ad23457d063b75eff29c0ffa2e58a9');
});

test('a directory written by the native CLI opens in Node, identical', { skip: !haveCli && 'native CLI not built' }, async () => {
  const dir = path.join(tempDir(), 'native');
  const first = JSON.parse(cli(dir, 'put', 'blocks', '1', '{"h":1,"x":[1.5,"é"]}'));
  const second = JSON.parse(cli(dir, 'put', 'blocks', '2', '{"h":2}', '--caused-by', first.hash,
    '--valid-from', '2024-05-01T12:00:00+02:00'));
  cli(dir, 'delete', 'blocks', '1');
  const nativeHead = JSON.parse(cli(dir, 'head'));
  const nativeExport = cli(dir, 'export', '--history').trim().split('\n').map((l) => JSON.parse(l));

  const db = await open(dir);
  assert.equal(await db.seq(), nativeHead.seq);
  assert.equal(await db.head(), nativeHead.head);
  const all = await db.versions(1);
  assert.deepEqual(all.map((v) => v.hash), nativeExport.map((v) => v.hash));
  assert.deepEqual((await db.getByHash(second.hash)).validFrom, '2024-05-01T10:00:00.000Z');
  assert.deepEqual((await db.trace(first.hash, { reverse: true })).map((v) => v.hash), [first.hash, second.hash]);
  assert.equal((await db.verify()).ok, true);
  // Node continues the same chain.
  await db.put('blocks', '3', { from: 'node' });
  const head = await db.head();
  await db.close();
  assert.equal(JSON.parse(cli(dir, 'head')).head, head);
});

test('a directory written in Node passes the native verify', { skip: !haveCli && 'native CLI not built' }, async () => {
  const dir = path.join(tempDir(), 'node');
  const db = await open(dir, { checkpointBytes: 64 << 10, segmentBytes: 64 << 10 });
  const ops = [];
  for (let i = 0; i < 2000; i++) ops.push({ coll: 'n', id: String(i % 300), doc: { i, s: 'y'.repeat(50) } });
  for (let i = 0; i < ops.length; i += 250) await db.putMany(ops.slice(i, i + 250));
  const v = await db.put('n', 'last', { ok: true });
  await db.delete('n', '7');
  const head = await db.head();
  await db.close();
  const report = JSON.parse(cli(dir, 'verify'));
  assert.equal(report.ok, true);
  assert.equal(report.checked, 2002);
  assert.deepEqual(JSON.parse(cli(dir, 'head')), { seq: 2002, head });
  assert.equal(JSON.parse(cli(dir, 'get', 'n', 'last')).hash, v.hash);
});

test('native and Node hosts lock each other out', { skip: !haveCli && 'native CLI not built' }, async () => {
  const dir = path.join(tempDir(), 'shared');
  const db = await open(dir);
  await db.put('x', '1', 1);
  // The CLI fails with LOCKED while Node has the directory open...
  assert.throws(() => execFileSync(cliPath, [dir, 'head'], { stdio: 'pipe' }), (e) => /LOCKED/.test(String(e.stderr)));
  await db.close();
  assert.equal(JSON.parse(cli(dir, 'head')).seq, 1);
  // ...and Node fails with LOCKED while a native process holds it (an
  // import reading from a pipe that stays open).
  const child = spawn(cliPath, [dir, 'import', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
  child.stdin.write('{"coll":"x","id":"2","data":2}\n');
  for (let i = 0; i < 100 && !fs.readFileSync(path.join(dir, 'LOCK'), 'utf8').trim(); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  await assert.rejects(open(dir), (e) => e instanceof CairnError && e.code === 'LOCKED' && /pid \d+/.test(e.message));
  child.stdin.end();
  await new Promise((r) => child.on('exit', r));
  const again = await open(dir);
  assert.deepEqual((await again.get('x', '2')).data, 2);
  await again.close();
});
