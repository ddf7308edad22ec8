// The package's .d.ts covers the whole API: a usage file type-checks under
// tsc --strict, resolving 'cairndb' through the package's exports map.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { createRequire } from 'node:module';
import { repoRoot } from './helpers.js';

function typeCheck(file) {
  const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
  return (() => {
    try {
      return execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022',
        '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022,esnext.disposable,dom',
        path.join(repoRoot, file)], { encoding: 'utf8', cwd: repoRoot });
    } catch (e) {
      return `${e.stdout}${e.stderr}`;
    }
  })();
}

test('index.d.ts type-checks the documented usage and rejects misuse', () => {
  assert.equal(typeCheck('tests/js/types/usage.ts').trim(), '');
});

test('browser.d.ts type-checks the browser entry\'s usage and rejects misuse', () => {
  assert.equal(typeCheck('tests/js/types/browser-usage.ts').trim(), '');
});
