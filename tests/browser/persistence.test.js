// Databases in OPFS and IndexedDB survive a page reload (with and without
// close(): a tab that goes away is not a clean close) and a browser restart
// on the same profile, checkpoints, segment rolls and renames included.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launch, serve, tempProfile, testPage } from './harness.js';

let server;
let profile;
let context;
let page;

before(async () => {
  server = await serve();
  profile = tempProfile();
  context = await launch(profile);
  page = await testPage(context, server.url);
});

after(async () => {
  await context?.close();
  server?.server.close();
});

// Small segments and checkpoints, so a few hundred writes roll segments and
// write (rename, remove) checkpoints.
const SMALL = { checkpointBytes: 64 << 10, segmentBytes: 64 << 10 };

// Writes `count` versions over 150 ids in the page; returns the last
// version of each id, the head and the seq. Leaves the database open unless
// `close`.
function writeInPage(options, count, close) {
  return page.evaluate(async ([options, count, close]) => {
    const db = await window.cairndb.open(options);
    const last = {};
    for (let i = 0; i < count; i++) {
      const v = await db.put('p', String(i % 150), { i, pad: 'x'.repeat(200) });
      last[v.id] = v;
    }
    const state = { last, head: await db.head(), seq: await db.seq(), stats: await db.stats() };
    if (close) await db.close();
    else window.leftOpen = db;
    return state;
  }, [options, count, close]);
}

function readInPage(options, ids) {
  return page.evaluate(async ([options, ids]) => {
    const db = await window.cairndb.open(options);
    const got = {};
    for (const id of ids) got[id] = await db.get('p', id);
    const out = {
      got,
      head: await db.head(),
      seq: await db.seq(),
      verify: await db.verify(),
      first: await db.get('p', '0', { asOf: 1 }),
    };
    await db.close();
    return out;
  }, [options, ids]);
}

for (const storage of ['opfs', 'idb']) {
  describe(`persistence on ${storage}`, () => {
    const name = `persist-${storage}`;
    const options = { name, storage, ...SMALL };
    let expected;

    test('survives close and a page reload, checkpoints included', async () => {
      expected = await writeInPage(options, 600, true);
      assert.equal(expected.seq, 600);
      assert.ok(expected.stats.checkpointEntries > 0, 'the writes took a checkpoint');
      await page.reload();
      await page.waitForFunction(() => window.cairndbReady === true);
      const r = await readInPage(options, Object.keys(expected.last));
      assert.equal(r.seq, 600);
      assert.equal(r.head, expected.head);
      assert.deepEqual(r.got, expected.last);
      assert.equal(r.first.data.i, 0);
      assert.equal(r.verify.ok, true, JSON.stringify(r.verify));
    });

    test('acknowledged writes survive a reload without close()', async () => {
      const more = await writeInPage(options, 200, false);
      assert.equal(more.seq, 800);
      await page.reload();
      await page.waitForFunction(() => window.cairndbReady === true);
      const r = await readInPage(options, Object.keys(more.last));
      assert.equal(r.seq, 800);
      assert.equal(r.head, more.head);
      assert.deepEqual(r.got, more.last);
      assert.equal(r.verify.ok, true, JSON.stringify(r.verify));
      expected = more;
    });

    test('survives a browser restart on the same profile', async () => {
      await context.close();
      context = await launch(profile);
      page = await testPage(context, server.url);
      const r = await readInPage(options, Object.keys(expected.last));
      assert.equal(r.seq, 800);
      assert.equal(r.head, expected.head);
      assert.deepEqual(r.got, expected.last);
      assert.equal(r.verify.ok, true, JSON.stringify(r.verify));
    });
  });
}

test('deleteDatabase removes a database; an open one is LOCKED', async () => {
  const r = await page.evaluate(async () => {
    const out = {};
    for (const storage of ['opfs', 'idb']) {
      const name = `doomed-${storage}`;
      const db = await window.cairndb.open({ name, storage });
      await db.put('d', '1', { here: true });
      try {
        await window.cairndb.deleteDatabase({ name, storage });
        out[`${storage}Open`] = 'deleted while open';
      } catch (e) {
        out[`${storage}Open`] = e.code;
      }
      await db.close();
      await window.cairndb.deleteDatabase({ name, storage });
      const again = await window.cairndb.open({ name, storage });
      out[storage] = await again.seq();
      await again.close();
    }
    return out;
  });
  assert.deepEqual(r, { opfsOpen: 'LOCKED', opfs: 0, idbOpen: 'LOCKED', idb: 0 });
});
