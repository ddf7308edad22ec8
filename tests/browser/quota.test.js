// A full storage quota is a clear error, not a silent loss: with the site's
// quota cut down (DevTools Protocol Storage.overrideQuotaForOrigin), writes
// to OPFS and IndexedDB fail with IO_ERROR "out of storage space", every
// write acknowledged before is kept, and the database opens again once
// there is room.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dbName, launch, serve, tempProfile, testPage } from './harness.js';

let server;
let context;
let page;
let cdp;

before(async () => {
  server = await serve();
  context = await launch(tempProfile());
  page = await testPage(context, server.url);
  cdp = await context.newCDPSession(page);
});

after(async () => {
  await context?.close();
  server?.server.close();
});

for (const storage of ['opfs', 'idb']) {
  test(`a full quota on ${storage} is IO_ERROR out of storage space; acknowledged writes stay`, async () => {
    const origin = server.url.replace(/\/$/, '');
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 3 << 20 });
    const name = dbName(`quota-${storage}`);
    const r = await page.evaluate(async ([name, storage]) => {
      const db = await window.cairndb.open({ name, storage });
      let acked = 0;
      let error = null;
      for (let i = 0; i < 2000 && !error; i++) {
        try {
          await db.put('big', String(i), { blob: 'q'.repeat(20000) + i });
          acked++;
        } catch (e) {
          error = { code: e.code, message: e.message };
        }
      }
      const after = await db.put('big', 'later', {}).then(() => 'written', (e) => e.code);
      const read = (await db.get('big', '0'))?.id ?? null;
      await db.close().catch(() => {});
      return { acked, error, after, read };
    }, [name, storage]);
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
