// The OPFS and IndexedDB storage backends against the storage interface's
// contract (the cases of tests/js/storage-backends.test.js), and against
// what each promises of its own: IndexedDB stores only commit points; the
// OPFS slot pool keeps removed files readable while open, grows between
// calls, survives a rename cut short and reports a damaged header. The
// cases run in a worker of the page (tests/browser/pages/backend-cases.js).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dbName, launch, serve, tempProfile, testPage } from './harness.js';

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

function runCase(kind, testCase) {
  return page.evaluate(([kind, name, testCase]) => new Promise((resolve) => {
    const worker = new Worker('/test/backend-cases.js', { type: 'module' });
    worker.onmessage = ({ data }) => {
      worker.terminate();
      resolve(data);
    };
    worker.onerror = (e) => resolve({ error: `worker: ${e.message}` });
    worker.postMessage({ kind, name, testCase });
  }), [kind, dbName(`be-${kind}`), testCase]);
}

const shared = ['offsets', 'names', 'lock', 'persist'];
const own = { opfs: ['removeWhileOpen', 'manyFiles', 'renameCrash', 'corruptHeader'], idb: ['commitPoints', 'demandLoad', 'chunkSizes', 'corruptEntry'] };

for (const kind of ['opfs', 'idb']) {
  describe(`${kind} backend`, () => {
    for (const testCase of [...shared, ...own[kind]]) {
      test(testCase, async () => {
        assert.deepEqual(await runCase(kind, testCase), { ok: true });
      });
    }
  });
}
