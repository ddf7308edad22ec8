// One file format across hosts: a database exported from the browser (OPFS
// and IndexedDB) opens with the native cairn CLI, with the same head and
// versions, and a directory the CLI wrote imports into the browser and opens
// there. Needs the native build (build/release/cairn).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cliPath, tempDir } from '../js/helpers.js';
import { PageDatabase, dbName, launch, serve, tempProfile, testPage } from './harness.js';

const haveCli = fs.existsSync(cliPath);
let server;
let context;
let page;

before(async () => {
  server = await serve();
  context = await launch(tempProfile());
  page = await testPage(context, server.url);
});

after(async () => {
  await context?.close();
  server?.server.close();
});

function cli(dir, ...args) {
  return execFileSync(cliPath, [dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

for (const storage of ['opfs', 'idb']) {
  test(`a database exported from ${storage} opens with the native CLI`, { skip: !haveCli && `no ${cliPath}` }, async () => {
    const db = await PageDatabase.open(page, { name: dbName(storage), storage, checkpointBytes: 64 << 10 });
    const first = await db.put('users', 'ada', { name: 'Ada Lovelace' });
    for (let i = 0; i < 300; i++) await db.put('blocks', String(i), { height: i, pad: 'z'.repeat(300) });
    const second = await db.put('users', 'ada', { name: 'Ada King' }, { causedBy: [first.hash] });
    await db.delete('blocks', '7');
    const head = await db.head();
    const files = await db.exportFiles();
    await db.close();
    assert.ok(Object.keys(files).some((n) => n.startsWith('log-')), `no log segment in ${Object.keys(files)}`);

    const dir = path.join(tempDir(), 'db');
    fs.mkdirSync(dir);
    for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
    assert.deepEqual(JSON.parse(cli(dir, 'head')), { seq: 303, head });
    assert.equal(JSON.parse(cli(dir, 'verify')).ok, true);
    assert.equal(JSON.parse(cli(dir, 'get', 'users', 'ada')).hash, second.hash);
    assert.equal(JSON.parse(cli(dir, 'get', 'users', 'ada', '--as-of', String(first.seq))).data.name, 'Ada Lovelace');
    assert.throws(() => cli(dir, 'get', 'blocks', '7'), /NOT_FOUND/);
    assert.equal(JSON.parse(cli(dir, 'get', 'blocks', '299')).data.height, 299);
  });

  test(`a native database directory imports into ${storage}`, { skip: !haveCli && `no ${cliPath}` }, async () => {
    const dir = path.join(tempDir(), 'db');
    const v1 = JSON.parse(cli(dir, 'put', 'orders', 'o1', '{"qty":1}'));
    const v2 = JSON.parse(cli(dir, 'put', 'orders', 'o2', '{"qty":2}', '--caused-by', v1.hash));
    cli(dir, 'create-index', 'orders', 'qty');
    const native = JSON.parse(cli(dir, 'head'));
    const files = {};
    // The whole directory, LOCK included: import must leave it out.
    for (const name of fs.readdirSync(dir)) files[name] = fs.readFileSync(path.join(dir, name)).toString('base64');
    assert.ok('LOCK' in files);
    const name = dbName(`import-${storage}`);
    const r = await page.evaluate(async ([name, storage, files]) => {
      const bytes = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Uint8Array.from(atob(v), (c) => c.charCodeAt(0))]));
      await window.cairndb.importDatabase({ name, storage }, bytes);
      let again;
      try {
        await window.cairndb.importDatabase({ name, storage }, bytes);
      } catch (e) {
        again = e.code;
      }
      const db = await window.cairndb.open({ name, storage });
      const out = {
        again,
        head: await db.head(),
        seq: await db.seq(),
        o2: await db.get('orders', 'o2'),
        trace: (await db.trace((await db.get('orders', 'o2')).hash)).map((v) => v.id),
        query: (await db.query('FROM orders WHERE qty >= 2')).rows.map((x) => x._id),
        verify: await db.verify(),
      };
      await db.put('orders', 'o3', { qty: 3 });
      await db.close();
      return out;
    }, [name, storage, files]);
    assert.equal(r.again, 'ALREADY_EXISTS');
    assert.equal(r.head, native.head);
    assert.equal(r.seq, native.seq);
    assert.equal(r.o2.hash, v2.hash);
    assert.deepEqual(r.trace, ['o2', 'o1']);
    assert.deepEqual(r.query, ['o2']);
    assert.equal(r.verify.ok, true);
  });
}

test('export, tar and import round-trip between OPFS and IndexedDB, many files included', async () => {
  const r = await page.evaluate(async (names) => {
    const { open, importDatabase, filesToTar, tarToFiles } = window.cairndb;
    // Small segments and checkpoints: a few dozen files, more than the OPFS
    // backend keeps free slots for.
    const db = await open({ name: names[0], storage: 'opfs', segmentBytes: 64 << 10, checkpointBytes: 64 << 10 });
    await db.putMany(Array.from({ length: 300 }, (_, i) => ({ coll: 'n', id: String(i), doc: { i, pad: 'p'.repeat(2000) } })));
    for (let i = 0; i < 300; i++) await db.put('n', String(i), { i, again: true, pad: 'q'.repeat(2000) });
    const head = await db.head();
    const files = tarToFiles(filesToTar(await db.exportFiles()));
    await db.close();
    const out = { files: Object.keys(files).length, head };
    await importDatabase({ name: names[1], storage: 'idb' }, files);
    const idb = await open({ name: names[1], storage: 'idb' });
    const back = tarToFiles(filesToTar(await idb.exportFiles()));
    out.idb = { head: await idb.head(), ok: (await idb.verify()).ok, doc: (await idb.get('n', '299')).data.again };
    await idb.close();
    await importDatabase({ name: names[2], storage: 'opfs' }, back);
    const opfs = await open({ name: names[2], storage: 'opfs' });
    out.opfs = { head: await opfs.head(), ok: (await opfs.verify()).ok, doc: (await opfs.get('n', '0')).data.again };
    await opfs.close();
    return out;
  }, [dbName('rt'), dbName('rt'), dbName('rt')]);
  assert.ok(r.files > 10, `only ${r.files} files`);
  assert.deepEqual(r.idb, { head: r.head, ok: true, doc: true });
  assert.deepEqual(r.opfs, { head: r.head, ok: true, doc: true });
});

test('filesToTar and tarToFiles round-trip, and tar reads the archive', async () => {
  const r = await page.evaluate(() => {
    const files = { 'log-000001.cairn': new Uint8Array([1, 2, 3]), 'checkpoint-x': new Uint8Array(1000).fill(7) };
    const tar = window.cairndb.filesToTar(files);
    const back = window.cairndb.tarToFiles(tar);
    return {
      tar: btoa(String.fromCharCode(...tar)),
      names: Object.keys(back),
      sizes: Object.values(back).map((b) => b.length),
      seven: back['checkpoint-x'][999],
    };
  });
  assert.deepEqual(r.names, ['log-000001.cairn', 'checkpoint-x']);
  assert.deepEqual(r.sizes, [3, 1000]);
  assert.equal(r.seven, 7);
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'a.tar'), Buffer.from(r.tar, 'base64'));
  const listing = execFileSync('tar', ['-tvf', path.join(dir, 'a.tar')], { encoding: 'utf8' });
  assert.match(listing, /3 .* log-000001\.cairn/);
  assert.match(listing, /1000 .* checkpoint-x/);
});
