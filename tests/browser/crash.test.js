// Acknowledged means durable, in a browser: the page streams writes to an
// OPFS and an IndexedDB database and reports each write whose promise
// resolved; the test kills the whole browser with SIGKILL mid-stream,
// relaunches it on the same profile, and checks that every acknowledged
// write is there and verify passes. Several rounds, each killed at a
// different point.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { launch, serve, tempProfile, testPage } from './harness.js';

const ROUNDS = 3;
const STORAGES = ['opfs', 'idb'];

let server;
const profile = tempProfile();

before(async () => {
  server = await serve();
});

after(() => server?.server.close());

// The browser process launched for `profile` by this process (its parent),
// found through /proc.
function browserPid(profileDir) {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && cmdline.includes(`--user-data-dir=${profileDir}`)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`no browser process of this test runs with profile ${profileDir}`);
}

// Kills the browser and every process of its group (renderers, the worker's
// host) at once, as a crash or a power switch would.
function killBrowser(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  if (pgrp === pid) process.kill(-pid, 'SIGKILL');
  else process.kill(pid, 'SIGKILL');
}

async function waitFor(predicate, what, ms = 20000) {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('every acknowledged write survives SIGKILL of the browser', async () => {
  const acked = Object.fromEntries(STORAGES.map((s) => [s, new Set()]));
  let base = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const context = await launch(profile);
    const page = await testPage(context, server.url);

    // First, everything acknowledged in earlier rounds must be there.
    const check = await page.evaluate(async ([storages, ackedIds]) => {
      const out = {};
      for (const storage of storages) {
        const db = await window.cairndb.open({ name: `crash-${storage}`, storage });
        const missing = [];
        for (const i of ackedIds[storage]) {
          const v = await db.get('c', String(i));
          if (v === null || v.data.i !== i) missing.push(i);
        }
        out[storage] = { missing, verify: await db.verify(), seq: await db.seq() };
        await db.close();
      }
      return out;
    }, [STORAGES, Object.fromEntries(STORAGES.map((s) => [s, [...acked[s]]]))]);
    for (const s of STORAGES) {
      assert.deepEqual(check[s].missing, [], `${s}, round ${round}: acknowledged writes lost`);
      assert.equal(check[s].verify.ok, true, `${s}, round ${round}: ${JSON.stringify(check[s].verify)}`);
      assert.ok(check[s].seq >= acked[s].size, `${s}: seq ${check[s].seq} < ${acked[s].size} acknowledged writes`);
    }

    // Then a stream of writes, killed part way.
    const counts = () => STORAGES.map((s) => acked[s].size);
    const start = counts();
    const target = 100 + round * 150;
    const pid = browserPid(profile);
    let killed = false;
    // The kill comes straight from the acknowledgement that reaches the
    // target, so the browser has as little time as possible to finish
    // anything an acknowledgement had claimed.
    await page.exposeBinding('ack', (_source, storage, i) => {
      if (killed) return;
      acked[storage].add(i);
      if (counts().every((n, k) => n - start[k] >= target)) {
        killed = true;
        killBrowser(pid);
      }
    });
    let streamError = null;
    await page.exposeBinding('streamFailed', (_source, message) => {
      streamError ??= message;
    });
    await page.evaluate(([storages, base]) => {
      for (const storage of storages) {
        (async () => {
          const db = await window.cairndb.open({ name: `crash-${storage}`, storage });
          for (let i = base; ; i++) {
            await db.put('c', String(i), { i, pad: 'y'.repeat(100 + (i % 700)) });
            window.ack(storage, i);
          }
        })().catch((e) => window.streamFailed(`${storage}: ${e.message}`));
      }
    }, [STORAGES, base]);
    await waitFor(() => killed || streamError, `${target} acknowledged writes per database`, 60000);
    assert.equal(streamError, null, 'a write stream failed before the kill');
    await context.close().catch(() => {});
    base += 1_000_000;
  }
  for (const s of STORAGES) assert.ok(acked[s].size >= 100 * ROUNDS, `${s}: only ${acked[s].size} writes acknowledged`);

  // The last round's writes, after the last kill.
  const context = await launch(profile);
  const page = await testPage(context, server.url);
  const final = await page.evaluate(async ([storages, ackedIds]) => {
    const out = {};
    for (const storage of storages) {
      const db = await window.cairndb.open({ name: `crash-${storage}`, storage });
      const missing = [];
      for (const i of ackedIds[storage]) if ((await db.get('c', String(i)))?.data.i !== i) missing.push(i);
      out[storage] = { missing, ok: (await db.verify()).ok };
      await db.close();
    }
    return out;
  }, [STORAGES, Object.fromEntries(STORAGES.map((s) => [s, [...acked[s]]]))]);
  await context.close();
  for (const s of STORAGES) assert.deepEqual(final[s], { missing: [], ok: true }, s);
});
