// `npm pack` of js/ gives a tarball that installs into an empty project and
// works there, with its types.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot, tempDir } from './helpers.js';

test('npm pack installs into an empty project and works', async () => {
  const work = tempDir('cairndb-pack-');
  const out = execFileSync('npm', ['pack', path.join(repoRoot, 'js'), '--pack-destination', work, '--json'],
    { encoding: 'utf8', cwd: work });
  const [info] = JSON.parse(out);
  const files = info.files.map((f) => f.path);
  for (const f of ['src/index.js', 'dist/cairn-node.cjs', 'dist/cairn-node.wasm', 'dist/backends/node-storage.js', 'index.d.ts',
    'src/browser.js', 'src/worker.js', 'dist/cairn-web.mjs', 'dist/cairn-web.wasm', 'dist/backends/opfs-storage.js',
    'dist/backends/idb-storage.js', 'browser.d.ts']) {
    assert.ok(files.includes(f), `${f} is not in the tarball`);
  }
  const project = path.join(work, 'app');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', path.join(work, info.filename)],
    { cwd: project, stdio: 'pipe' });
  fs.writeFileSync(path.join(project, 'main.js'), `
    import { open } from 'cairndb';
    const db = await open('./data');
    const v = await db.put('notes', 'n1', { text: 'hello' });
    await db.close();
    const again = await open('./data');
    const got = await again.get('notes', 'n1');
    console.log(JSON.stringify({ same: got.hash === v.hash, seq: await again.seq(), verify: (await again.verify()).ok }));
    await again.close();
  `);
  const result = JSON.parse(execFileSync(process.execPath, ['main.js'], { cwd: project, encoding: 'utf8' }));
  assert.deepEqual(result, { same: true, seq: 1, verify: true });
  assert.ok(fs.existsSync(path.join(project, 'node_modules/cairndb/index.d.ts')));
});
