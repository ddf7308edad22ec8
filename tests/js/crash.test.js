// kill -9 of the Node host in the middle of writing: every write whose
// promise resolved survives, the database opens, verifies and keeps
// counting seqs. Kills land at random points, including inside checkpoints
// and segment rotations (small sizes make those frequent).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { open } from 'cairndb';
import { tempDir } from './helpers.js';

const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-writer.js');
const ROUNDS = Number(process.env.CAIRN_JS_CRASH_ROUNDS ?? 12);

function runAndKill(dir, round, afterMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      if (!out.includes('ready\n') && (out + d).includes('ready\n')) {
        setTimeout(() => child.kill('SIGKILL'), afterMs);
      }
      out += d;
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited with ${code}: ${err}`));
      // Only complete lines were acknowledged before the kill.
      const lines = out.split('\n').slice(0, -1).filter((l) => l !== 'ready');
      resolve(lines.map((l) => l.split(' ')));
    });
  });
}

test(`acknowledged writes survive kill -9 of the Node host (${ROUNDS} kills)`, async () => {
  const dir = path.join(tempDir('cairndb-crash-'), 'db');
  const acknowledged = new Map();
  let lastSeq = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const acks = await runAndKill(dir, round, 50 + Math.floor(Math.random() * 700));
    for (const [id, hash] of acks) acknowledged.set(id, hash);
    const db = await open(dir);
    const seq = await db.seq();
    assert.ok(seq >= lastSeq, `seq went back from ${lastSeq} to ${seq}`);
    lastSeq = seq;
    for (const [id, hash] of acknowledged) {
      const v = await db.get('c', id);
      assert.ok(v, `round ${round}: acknowledged write ${id} is missing`);
      assert.equal(v.hash, hash, `round ${round}: ${id}`);
    }
    const report = await db.verify();
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    await db.close();
  }
  assert.ok(acknowledged.size > ROUNDS, `only ${acknowledged.size} writes were acknowledged`);
});
