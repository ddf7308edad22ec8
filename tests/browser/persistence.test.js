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

// A database several times larger than what an IndexedDB open reads (each
// file's first chunk and a table's last MiB; the rest loads in the
// background): every kind of read answers exactly at once after a reopen,
// and a write right after the open lands and persists. OPFS runs the same
// scenarios.
const LARGE = `
window.largeFill = async (options) => {
  await window.cairndb.deleteDatabase(options);
  const words = ['amber', 'basalt', 'cedar', 'delta', 'ember', 'fjord', 'glacier', 'harbor'];
  const db = await window.cairndb.open(options);
  for (let b = 0; b < 6000; b += 500) {
    await db.putMany(Array.from({ length: 500 }, (_, k) => {
      const n = b + k;
      return { coll: 'big', id: 'd' + n, doc: { n, text: words[n % 8] + ' ' + words[(n * 7) % 8], pad: String(n).padEnd(600, '.') } };
    }));
  }
  for (let n = 0; n < 6000; n += 600) await db.put('big', 'd' + n, { n, text: 'revised', pad: '' });
  await db.createIndex('big', 'n');
  await db.createTextIndex('big');
  const space = await db.space('pts', { dims: 2, bits: 16 });
  await space.insertMany(Array.from({ length: 400 }, (_, i) => ({ point: [i * 13 % 1000, i * 29 % 1000], data: { i } })));
  return db;
};
// Opening a space may create one, so it waits for the whole load: it
// comes last.
window.largeReads = async (d) => {
  const ids = Array.from({ length: 60 }, (_, k) => 'd' + ((k * 997) % 6000));
  const gets = [];
  for (const id of ids) gets.push(await d.get('big', id));
  return {
    gets,
    asOf: await d.get('big', 'd0', { asOf: 1 }),
    history: await d.history('big', 'd600'),
    listed: (await d.list('big', { limit: 5000 })).length,
    range: (await d.query('FROM big WHERE n >= 5990 ORDER BY n')).rows.map((x) => x.n),
    text: (await d.query('FROM big SEARCH "glacier"')).count,
    head: await d.head(),
    seq: await d.seq(),
    box: (await (await d.space('pts')).bbox([0, 0], [300, 300])).map((p) => p.data.i).sort((a, b) => a - b),
  };
};
// After the reads, a write, read back and read again after a reopen.
window.largeWrite = async (db, options) => {
  const verify = await db.verify();
  const written = await db.put('big', 'new', { n: -1 });
  const fresh = await db.get('big', 'new');
  await db.close();
  const again = await window.cairndb.open(options);
  const reopened = await again.get('big', 'new');
  await again.close();
  await window.cairndb.deleteDatabase(options);
  return { verify, written, fresh, reopened };
};`;

function checkLarge(r) {
  assert.deepEqual(r.after.gets, r.before.gets);
  assert.equal(r.after.gets.filter((v) => v !== null).length, 60);
  assert.deepEqual(r.after.asOf, r.before.asOf);
  assert.equal(r.after.history.length, 2);
  assert.deepEqual(r.after.history, r.before.history);
  assert.equal(r.after.listed, 5000);
  assert.deepEqual(r.after.range, [5990, 5991, 5992, 5993, 5994, 5995, 5996, 5997, 5998, 5999]);
  assert.equal(r.after.text, r.before.text);
  assert.ok(r.after.text > 0);
  assert.deepEqual(r.after.box, r.before.box);
  assert.ok(r.after.box.length > 0);
  assert.equal(r.after.head, r.before.head);
  assert.equal(r.after.seq, r.before.seq);
  assert.equal(r.verify.ok, true, JSON.stringify(r.verify));
  assert.equal(r.fresh.hash, r.written.hash);
  assert.deepEqual(r.reopened, r.fresh);
}

for (const storage of ['idb', 'opfs']) {
  test(`${storage}: every read is exact at once after reopening a 4 MB database, and a write lands`, async () => {
    await page.evaluate(LARGE);
    const r = await page.evaluate(async ([storage]) => {
      const options = { name: `large-${storage}`, storage };
      let db = await window.largeFill(options);
      const before = await window.largeReads(db);
      await db.close();
      db = await window.cairndb.open(options);
      const after = await window.largeReads(db);
      return { before, after, ...(await window.largeWrite(db, options)) };
    }, [storage]);
    checkLarge(r);
  });

  // No close: the reopen replays the whole 4 MB log (no checkpoint yet),
  // chunks it has not loaded included.
  test(`${storage}: a 4 MB database left open by a reload replays its log and reads exactly`, async () => {
    await page.evaluate(LARGE);
    const before = await page.evaluate(async ([storage]) => {
      const db = await window.largeFill({ name: `left-${storage}`, storage });
      window.leftOpen = db;
      return window.largeReads(db);
    }, [storage]);
    await page.reload();
    await page.waitForFunction(() => window.cairndbReady === true);
    await page.evaluate(LARGE);
    const r = await page.evaluate(async ([storage]) => {
      const options = { name: `left-${storage}`, storage };
      const db = await window.cairndb.open(options);
      const after = await window.largeReads(db);
      const stats = await db.stats();
      return { after, stats, ...(await window.largeWrite(db, options)) };
    }, [storage]);
    assert.ok(r.stats.replayedRecords > 0, JSON.stringify(r.stats));
    checkLarge({ before, ...r });
  });
}
