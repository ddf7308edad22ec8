// A full storage quota is a clear error, not a silent loss: with the site's
// quota cut down (DevTools Protocol Storage.overrideQuotaForOrigin), writes
// to OPFS and IndexedDB fail with IO_ERROR "out of storage space", every
// write acknowledged before is kept, and the database opens again once
// there is room.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { dbName, launch, serve, tempProfile, testPage } from './harness.js';

let server;
let context;
let page;
let cdp;

before(async () => {
  server = await serve();
});

after(async () => {
  await context?.close();
  server?.server.close();
});

// Each case gets a browser of its own: once an origin's IndexedDB has hit
// an overridden quota, Chromium does not apply a new override to it.
beforeEach(async () => {
  await context?.close();
  context = await launch(tempProfile());
  page = await testPage(context, server.url);
  cdp = await context.newCDPSession(page);
});

// putMany's answer reaches the page before its IndexedDB commit completes
// (js/src/worker.js); a commit that then fails must still reject the call.
for (const [storage, kind] of [['opfs', 'put'], ['idb', 'putMany'], ['idb', 'put']]) {
  test(`a full quota on ${storage} (${kind}) is IO_ERROR out of storage space; acknowledged writes stay`, async () => {
    const origin = server.url.replace(/\/$/, '');
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 3 << 20 });
    const name = dbName(`quota-${storage}`);
    const r = await page.evaluate(async ([name, storage, kind]) => {
      const db = await window.cairndb.open({ name, storage });
      let acked = 0;
      let error = null;
      const doc = (i) => ({ blob: 'q'.repeat(20000) + i });
      for (let i = 0; i < 2000 && !error; i += kind === 'put' ? 1 : 4) {
        try {
          if (kind === 'put') {
            await db.put('big', String(i), doc(i));
          } else {
            const vs = await db.putMany([0, 1, 2, 3].map((k) => ({ coll: 'big', id: String(i + k), doc: doc(i + k) })));
            if (vs.length !== 4 || vs[3].id !== String(i + 3)) throw new Error(`putMany answered ${JSON.stringify(vs)}`);
          }
          acked = kind === 'put' ? i + 1 : i + 4;
        } catch (e) {
          error = { code: e.code, message: e.message };
        }
      }
      const after = await db.put('big', 'later', {}).then(() => 'written', (e) => e.code);
      const read = (await db.get('big', '0'))?.id ?? null;
      await db.close().catch(() => {});
      return { acked, error, after, read };
    }, [name, storage, kind]);
    assert.ok(r.error, `no error after ${r.acked} writes of 20 kB into a 3 MiB quota`);
    assert.equal(r.error.code, 'IO_ERROR', r.error.message);
    assert.match(r.error.message, /out of storage space.*QuotaExceededError/);
    assert.ok(r.acked > 10, `only ${r.acked} writes before the quota ran out`);
    assert.equal(r.after, 'IO_ERROR', 'a write after the failure must fail too');
    assert.equal(r.read, '0');

    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    const again = await page.evaluate(async ([name, storage, acked]) => {
      const db = await window.cairndb.open({ name, storage });
      let missing = 0;
      for (let i = 0; i < acked; i++) if ((await db.get('big', String(i)))?.data.blob.endsWith(String(i)) !== true) missing++;
      const out = { missing, ok: (await db.verify()).ok, write: (await db.put('big', 'room', {})).id };
      await db.close();
      return out;
    }, [name, storage, r.acked]);
    assert.deepEqual(again, { missing: 0, ok: true, write: 'room' });
  });
}
