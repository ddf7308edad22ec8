// cairndb through a bundler: vite builds the application in
// tests/browser/fixtures/bundler/ (main.js imports 'cairndb', the installed
// package, through its `browser` export condition), the suite's static
// server serves only the built files (no COOP/COEP headers, no js/), and in
// Chromium the page writes, reads, reopens and reads back a database on
// OPFS and on IndexedDB. So the worker and the .wasm must be found through
// the URLs the bundler rewrote, not through the package's own layout.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'vite';
import { startServer } from '../../web-demo/server.js';
import { tempDir } from '../js/helpers.js';
import { launch, repoRoot, tempProfile } from './harness.js';

const fixture = path.join(repoRoot, 'tests/browser/fixtures/bundler');

let outDir;
let server;
let context;

before(async () => {
  outDir = path.join(tempDir('cairndb-vite-'), 'dist');
  await build({
    root: fixture,
    base: './',
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  server = await startServer({ '/': outDir }, 0);
  context = await launch(tempProfile());
});

after(async () => {
  await context?.close();
  server?.server.close();
});

test('the vite build emits the worker and the .wasm as assets of its own', () => {
  const assets = fs.readdirSync(path.join(outDir, 'assets'));
  assert.ok(assets.some((f) => /^worker-.*\.js$/.test(f)), `no worker in ${assets}`);
  assert.ok(assets.some((f) => /^cairn-web-.*\.wasm$/.test(f)), `no .wasm in ${assets}`);
});

test('a vite-bundled page opens, writes and reopens databases on opfs and idb', async () => {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(server.url);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30000 });
  const result = await page.evaluate(() => window.__result);
  await page.close();
  assert.equal(result.error, undefined, `${JSON.stringify(result.error)}\n${problems.join('\n')}`);
  assert.deepEqual(problems, []);
  assert.equal(result.crossOriginIsolated, false);
  for (const storage of ['opfs', 'idb']) {
    const r = result[storage];
    assert.equal(r.storage, storage);
    assert.deepEqual(r.got, { text: 'hello from a bundle' }, storage);
    const expected = { data: { text: 'hello from a bundle' }, seq: r.put.seq, hash: r.put.hash };
    assert.deepEqual(r.reopened, expected, storage);
    assert.equal(r.put.seq, 1, storage);
    assert.equal(r.seq, 1, storage);
    assert.equal(r.verify, true, storage);
  }
});
