// The web demo as a person uses it: it loads, seeds, edits a note twice
// with a cause, travels back in time with the slider, shows the diff and the
// trace, adds points on the spatial canvas and queries a dragged box (also
// back in time), keeps the head and verify status in view, and still has
// everything after a reload. A screenshot is saved to test-results/browser/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { artefactDir, launch, serve, tempProfile } from './harness.js';

let server;
let context;

before(async () => {
  server = await serve();
  context = await launch(tempProfile());
});

after(async () => {
  await context?.close();
  server?.server.close();
});

async function load(page, query) {
  await page.goto(`${server.url}?${query}`);
  await page.waitForSelector('body[data-ready="1"]');
}

async function idle(page) {
  await page.waitForFunction(() => document.body.dataset.busy === undefined);
}

for (const storage of ['opfs', 'idb']) {
  test(`the demo edits, travels in time and persists on ${storage}`, async () => {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const query = `storage=${storage}&name=demo-${storage}`;
    await load(page, query);
    assert.equal(await page.textContent('#storage').then((t) => t.split(' ')[0]), storage);
    assert.match(await page.textContent('#verify'), /^ok \(4 versions\)/);
    assert.equal(await page.textContent('#seq'), '4');
    assert.deepEqual(await page.$$eval('#doc-list li', (l) => l.map((x) => x.textContent)), ['Ideas', 'Welcome']);

    await page.click('#new-doc');
    await idle(page);
    await page.fill('#doc-id', 'shopping');
    await page.fill('#doc-title', 'Shopping');
    await page.fill('#doc-text', 'milk');
    await page.selectOption('#caused-by', { label: 'welcome: Welcome' });
    await page.click('#save');
    await idle(page);
    assert.match(await page.textContent('#message'), /saved notes\/shopping at seq 5/);
    await page.fill('#doc-text', 'milk\neggs');
    await page.click('#save');
    await idle(page);
    assert.match(await page.textContent('#message'), /at seq 6/);
    assert.equal(await page.textContent('#seq'), '6');
    assert.match(await page.textContent('#verify'), /^ok \(6 versions\)/);
    assert.match(await page.textContent('#diff .add'), /milk\\neggs/);
    assert.match(await page.textContent('#diff .del'), /"text": "milk"/);

    // Back to seq 5: the first version, created then.
    await page.$eval('#slider', (s) => {
      s.value = '5';
      s.dispatchEvent(new Event('input'));
    });
    await idle(page);
    assert.equal(await page.textContent('#as-of'), '5');
    assert.match(await page.textContent('#as-of-doc'), /"text": "milk"/);
    assert.doesNotMatch(await page.textContent('#as-of-doc'), /eggs/);
    assert.match(await page.textContent('#diff-what'), /created at seq 5/);
    const trace = await page.$$eval('#trace-list li', (l) => l.map((x) => x.textContent));
    assert.equal(trace.length, 2);
    assert.match(trace[0], /depth 0: notes\/shopping @ seq 5/);
    assert.match(trace[1], /depth 1: notes\/welcome @ seq 3/);
    // Before the note existed.
    await page.$eval('#slider', (s) => {
      s.value = '2';
      s.dispatchEvent(new Event('input'));
    });
    await idle(page);
    assert.match(await page.textContent('#as-of-note'), /not written yet/);
    const head = await page.getAttribute('#head', 'title');
    assert.match(head, /^[0-9a-f]{64}$/);

    // The spatial view: three clicks insert three points (seqs 7-9), a
    // dragged box finds the two inside it, and the slider takes them away.
    // The canvas moves as the panels above it change height: find it anew
    // before each gesture.
    const canvas = await page.$('#space-canvas');
    const canvasRect = async () => {
      await canvas.scrollIntoViewIfNeeded();
      return canvas.boundingBox();
    };
    let seq = 6;
    const clickAt = async (fx, fy) => {
      const rect = await canvasRect();
      await page.mouse.click(rect.x + rect.width * fx, rect.y + rect.height * fy);
      seq++;
      await page.waitForFunction((n) => document.getElementById('seq').textContent === String(n), seq);
      await idle(page);
    };
    await clickAt(0.2, 0.2);
    await clickAt(0.3, 0.35);
    await clickAt(0.8, 0.8);
    assert.match(await page.textContent('#space-info'), /3 points as of seq 9/);
    const rect = await canvasRect();
    await page.mouse.move(rect.x + rect.width * 0.1, rect.y + rect.height * 0.1);
    await page.mouse.down();
    await page.mouse.move(rect.x + rect.width * 0.25, rect.y + rect.height * 0.25, { steps: 4 });
    await page.mouse.move(rect.x + rect.width * 0.5, rect.y + rect.height * 0.5, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(() => /bbox/.test(document.getElementById('space-info').textContent));
    await idle(page);
    const hits = await page.$$eval('#bbox-results li', (l) => l.map((x) => x.textContent));
    assert.equal(hits.length, 2, hits.join('\n'));
    assert.match(hits.join('\n'), /\[200, 200\] seq 7/);
    assert.match(hits.join('\n'), /\[300, 350\] seq 8/);
    assert.match(await page.textContent('#space-info'), /2 of 3 points/);
    assert.match(await page.textContent('#verify'), /^ok/);
    await page.$eval('#slider', (s) => {
      s.value = '7';
      s.dispatchEvent(new Event('input'));
    });
    await idle(page);
    assert.match(await page.textContent('#space-info'), /1 of 1 points/);
    assert.equal((await page.$$eval('#bbox-results li', (l) => l.length)), 1);

    if (storage === 'opfs') {
      await page.$eval('#slider', (s) => {
        s.value = '9';
        s.dispatchEvent(new Event('input'));
      });
      await idle(page);
      fs.mkdirSync(artefactDir, { recursive: true });
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.screenshot({ path: path.join(artefactDir, 'demo.png'), fullPage: true });
    }

    // A reload finds the same database.
    const finalHead = await page.getAttribute('#head', 'title');
    assert.notEqual(finalHead, head);
    await load(page, query);
    assert.equal(await page.textContent('#seq'), '9');
    assert.equal(await page.getAttribute('#head', 'title'), finalHead);
    assert.deepEqual(await page.$$eval('#doc-list li', (l) => l.map((x) => x.textContent)), ['Ideas', 'Shopping', 'Welcome']);
    assert.match(await page.textContent('#space-info'), /3 points as of seq 9/);
    assert.deepEqual(errors, []);
    await page.close();
  });
}

// The demo's static server: revalidation by ETag (304 when unchanged, so a
// browser reuses the cached .wasm), MIME types, and no path out of a mount.
test('the static server answers 304 for an unchanged file and refuses paths outside its mounts', async () => {
  const url = `${server.url}cairndb/dist/cairn-web.wasm`;
  const first = await fetch(url);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('content-type'), 'application/wasm');
  const etag = first.headers.get('etag');
  assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
  assert.ok((await first.arrayBuffer()).byteLength > 0);
  const again = await fetch(url, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await again.arrayBuffer()).byteLength, 0);
  const stale = await fetch(url, { headers: { 'if-none-match': '"0-0"' } });
  assert.equal(stale.status, 200);
  assert.equal((await fetch(`${server.url}cairndb/%2e%2e/package.json`)).status, 404);
  assert.equal((await fetch(`${server.url}cairndb/dist/missing.js`)).status, 404);
});
