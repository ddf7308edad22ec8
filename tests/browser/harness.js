// Shared helpers of the browser tests: the static server, Debian's chromium
// driven by playwright-core (never a downloaded browser), the test page, and
// PageDatabase, a Node-side handle whose methods run the same call on a
// cairndb database inside the page, so the Node API cases run unchanged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CairnError } from 'cairndb';
import { startServer } from '../../web-demo/server.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const artefactDir = path.join(repoRoot, 'test-results', 'browser');
export const CHROMIUM = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export const testMounts = { '/cairndb/': 'js', '/test/': 'tests/browser/pages', '/': 'web-demo' };

export function serve() {
  return startServer(testMounts, 0);
}

// A fresh profile directory, removed when the process exits.
export function tempProfile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairndb-chromium-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function launch(profile) {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
  });
}

// A page of `context` on the test page, with cairndb loaded.
export async function testPage(context, baseUrl) {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(`${baseUrl}test/`);
  await page.waitForFunction(() => window.cairndbReady === true);
  return page;
}

// Turns the page's { code, message } back into the CairnError it was.
function rethrow(error) {
  if (error.code) throw new CairnError(error.code, error.message.slice(error.code.length + 2));
  throw new Error(`in the page: ${error.name}: ${error.message}`);
}

// A database opened in the page; its methods run there.
export class PageDatabase {
  static nextRef = 1;

  static async open(page, options) {
    const ref = `db${PageDatabase.nextRef++}`;
    const r = await page.evaluate(async ([ref, options]) => {
      try {
        window.dbs[ref] = await window.cairndb.open(options);
        return { storage: window.dbs[ref].storage };
      } catch (e) {
        return { error: { name: e.name, code: e.code, message: e.message } };
      }
    }, [ref, options]);
    if (r.error) rethrow(r.error);
    return new PageDatabase(page, ref, r.storage);
  }

  constructor(page, ref, storage) {
    this.page = page;
    this.ref = ref;
    this.storage = storage;
    this.closed = false;
    const methods = ['put', 'putMany', 'delete', 'get', 'getByHash', 'history', 'list', 'versions', 'collections',
      'trace', 'query', 'createIndex', 'createTextIndex', 'dropIndex', 'indexes', 'link', 'unlink', 'neighbors',
      'head', 'seq', 'verify', 'stats', 'checkpoint', 'compact', 'sync', 'close', 'exportFiles'];
    for (const m of methods) this[m] = (...args) => this.call(m, args);
    this[Symbol.asyncDispose] = () => this.call('asyncDispose', []);
  }

  async call(method, args) {
    const r = await this.page.evaluate(async ([ref, method, args]) => {
      const db = window.dbs[ref];
      try {
        const value = method === 'asyncDispose' ? await db[Symbol.asyncDispose]() : await db[method](...args);
        if (method === 'exportFiles') {
          // Uint8Arrays cross as base64.
          const out = {};
          for (const [name, bytes] of Object.entries(value)) {
            let s = '';
            for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
            out[name] = btoa(s);
          }
          return { value: out, closed: db.closed };
        }
        return { value, closed: db.closed };
      } catch (e) {
        return { error: { name: e.name, code: e.code, message: e.message }, closed: db.closed };
      }
    }, [this.ref, method, args]);
    this.closed = r.closed;
    if (r.error) rethrow(r.error);
    if (method === 'exportFiles') {
      return Object.fromEntries(Object.entries(r.value).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]));
    }
    return r.value;
  }
}

// A unique database name for one test.
let counter = 0;
export function dbName(prefix = 't') {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}
