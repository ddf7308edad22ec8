// The web demo's code: opens a cairndb database in this browser (storage
// from ?storage=opfs|idb|auto, name from ?name=, default "web-demo") and
// wires the editor, the time-travel slider with its diff, the causal trace,
// the spatial view (spatial.js) and the status bar to it. Uses only the
// package's public API.
import { open, filesToTar } from 'cairndb';
import { setupSpatial } from './spatial.js';

const COLL = 'notes';
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
let db;
let current = null; // the id being edited, or null for a new note
let spatial = null; // the spatial view, where the package has db.space

function showMessage(text, isError = false) {
  $('message').textContent = text;
  $('message').className = isError ? 'error' : '';
}

async function run(what, fn) {
  document.body.dataset.busy = '1';
  try {
    return await fn();
  } catch (e) {
    showMessage(`${what}: ${e.code ?? e.name}: ${e.message}`, true);
    return undefined;
  } finally {
    delete document.body.dataset.busy;
  }
}

async function refreshStatus(verify) {
  $('seq').textContent = String(await db.seq());
  $('head').textContent = (await db.head()).slice(0, 16) + '…';
  $('head').title = await db.head();
  if (verify) {
    const r = await db.verify();
    $('verify').textContent = r.ok ? `ok (${r.checked} versions)` : `FAILED: ${r.tampered.length} tampered, ${r.problems.length} problems`;
    $('verify').className = r.ok ? 'ok' : 'bad';
  }
}

async function refreshList() {
  const docs = await db.list(COLL);
  const list = $('doc-list');
  list.replaceChildren(
    ...docs.map((v) => {
      const li = document.createElement('li');
      li.textContent = v.data?.title || v.id;
      li.dataset.id = v.id;
      if (v.id === current) li.className = 'current';
      li.onclick = () => run('select', () => select(v.id));
      return li;
    }),
  );
  const causes = $('caused-by');
  const chosen = causes.value;
  const others = docs.filter((v) => v.id !== current);
  causes.replaceChildren(new Option('(nothing)', ''), ...others.map((v) => new Option(`${v.id}: ${v.data?.title ?? ''}`, v.hash)));
  causes.value = [...causes.options].some((o) => o.value === chosen) ? chosen : '';
}

async function select(id) {
  current = id;
  const v = id === null ? null : await db.get(COLL, id);
  $('editing').textContent = id === null ? '(new note)' : `${COLL}/${id}`;
  $('doc-id').value = id ?? '';
  $('doc-id').disabled = id !== null;
  $('doc-title').value = v?.data?.title ?? '';
  $('doc-text').value = v?.data?.text ?? '';
  await refreshList();
  const seq = await db.seq();
  $('slider').max = String(seq);
  $('slider').min = '1';
  $('slider').value = String(seq);
  await showAsOf(seq);
}

// Lines of a and b, each marked ' ', '+' or '-' (a longest common
// subsequence of lines).
function lineDiff(a, b) {
  const x = a === '' ? [] : a.split('\n');
  const y = b === '' ? [] : b.split('\n');
  const n = x.length;
  const m = y.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) out.push([' ', x[i++]]), j++;
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) out.push(['-', x[i++]]);
    else out.push(['+', y[j++]]);
  }
  return out;
}

const pretty = (v) => (v === null ? '' : JSON.stringify(v.data, null, 2));

// The note as of `seq`, the diff against the version it replaced, and the
// trace of that version.
async function showAsOf(seq) {
  $('as-of').textContent = String(seq);
  await spatial?.draw(seq);
  if (current === null) {
    $('as-of-doc').textContent = '';
    $('diff').replaceChildren();
    $('as-of-note').textContent = 'a new note has no history yet';
    $('trace-list').replaceChildren();
    return;
  }
  const v = await db.get(COLL, current, { asOf: seq });
  const history = await db.history(COLL, current);
  const live = history.find((h) => h.seq <= seq) ?? null;
  $('as-of-note').textContent =
    live === null ? 'not written yet at this seq' : live.deleted ? `deleted at seq ${live.seq}` : `the version written at seq ${live.seq}`;
  $('as-of-doc').textContent = v === null ? '(no live version)' : JSON.stringify(v.data, null, 2);
  const before = live?.prev ? await db.getByHash(live.prev) : null;
  $('diff-what').textContent = live ? (before ? `seq ${before.seq} → seq ${live.seq}` : `created at seq ${live.seq}`) : '';
  $('diff').replaceChildren(
    ...(live ? lineDiff(pretty(before), pretty(live)) : []).map(([mark, text]) => {
      const span = document.createElement('span');
      span.textContent = `${mark} ${text}\n`;
      if (mark === '+') span.className = 'add';
      if (mark === '-') span.className = 'del';
      return span;
    }),
  );
  await showTrace(live);
}

async function showTrace(version) {
  const list = $('trace-list');
  if (!version) {
    list.replaceChildren();
    return;
  }
  const chain = await db.trace(version.hash, { reverse: $('trace-reverse').checked, limit: 50 });
  list.replaceChildren(
    ...chain.map((t) => {
      const li = document.createElement('li');
      const deleted = t.deleted ? ' deleted' : '';
      li.textContent = `depth ${t.depth}: ${t.coll}/${t.id} @ seq ${t.seq} (${t.hash.slice(0, 10)}…)${deleted}`;
      return li;
    }),
  );
}

async function save() {
  const id = current ?? $('doc-id').value.trim();
  if (!id) {
    showMessage('give the note an id first', true);
    return;
  }
  const cause = $('caused-by').value;
  const v = await db.put(COLL, id, { title: $('doc-title').value, text: $('doc-text').value }, { causedBy: cause ? [cause] : [] });
  showMessage(`saved ${COLL}/${id} at seq ${v.seq}`);
  await select(id);
  await refreshStatus(true);
}

async function remove() {
  if (current === null) return;
  const v = await db.delete(COLL, current);
  showMessage(`deleted ${COLL}/${current} at seq ${v.seq}; its history stays`);
  await select(current);
  await refreshStatus(true);
}

async function exportTar() {
  const tar = filesToTar(await db.exportFiles());
  const url = URL.createObjectURL(new Blob([tar], { type: 'application/x-tar' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: `${db.name ?? 'cairn'}.tar` });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  showMessage(`exported ${tar.length} bytes: unpack into a directory and run cairn <dir> verify`);
}

// A first visit gets two notes, one caused by the other.
async function seed() {
  const a = await db.put(COLL, 'welcome', { title: 'Welcome', text: 'Every save is a new version.\nNothing is overwritten.' });
  await db.put(COLL, 'ideas', { title: 'Ideas', text: 'Drag the slider to travel in time.' }, { causedBy: [a.hash] });
  await db.put(COLL, 'welcome', { title: 'Welcome', text: 'Every save is a new version.\nNothing is ever overwritten.\nTry the diff.' });
}

// The spatial view where the package has db.space (a note otherwise).
// Its writes move the clock, so the slider follows them to the latest seq.
async function startSpatial() {
  if (typeof db.space !== 'function') {
    $('spatial-note').textContent = 'The spatial API (db.space) is not in this version of the package.';
    return;
  }
  $('spatial-note').remove();
  spatial = await setupSpatial(db, $('spatial'), {
    onWrite: () =>
      run('spatial', async () => {
        const seq = await db.seq();
        $('slider').max = String(seq);
        $('slider').value = String(seq);
        await showAsOf(seq);
        await refreshStatus(true);
      }),
    showError: (e) => showMessage(`spatial: ${e.code ?? e.name}: ${e.message}`, true),
  });
}

async function main() {
  const storage = params.get('storage') ?? 'auto';
  const name = params.get('name') ?? 'web-demo';
  db = await open({ name, storage });
  db.name = name;
  $('storage').textContent = `${db.storage}${db.persisted ? ' (persistent)' : ''}`;
  if ((await db.seq()) === 0) await seed();
  $('new-doc').onclick = () => run('new', () => select(null));
  $('save').onclick = () => run('save', save);
  $('delete').onclick = () => run('delete', remove);
  $('slider').oninput = () => run('time travel', () => showAsOf(Number($('slider').value)));
  $('trace-reverse').onchange = () => run('trace', () => showAsOf(Number($('slider').value)));
  $('verify-now').onclick = () => run('verify', () => refreshStatus(true));
  $('export').onclick = () => run('export', exportTar);
  await startSpatial();
  const first = (await db.list(COLL, { limit: 1 }))[0];
  await select(first ? first.id : null);
  await refreshStatus(true);
  window.demo = { db };
  document.body.dataset.ready = '1';
}

run('open', main);
