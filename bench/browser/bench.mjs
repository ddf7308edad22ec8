// The browser benchmark: in Debian's chromium (headless, driven by
// playwright-core), the same workload (workload.js) on cairndb over OPFS
// and over IndexedDB, on SQLite's wasm build (opfs-sahpool VFS) and on
// Dexie, at equal durability; medians of several runs with the engines'
// order rotating, and cairndb's ratios against each peer.
//
//   node bench/browser/bench.mjs [--docs N] [--single-puts N] [--gets N]
//        [--runs R] [--engines a,b] [--json FILE]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../web-demo/server.js';

const args = process.argv.slice(2);
function flag(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}
const ENGINES = ['cairndb-opfs', 'cairndb-idb', 'sqlite-wasm-sahpool', 'dexie'];
const config = {
  docs: Number(flag('docs', 100000)),
  singlePuts: Number(flag('single-puts', 500)),
  gets: Number(flag('gets', 5000)),
  runs: Number(flag('runs', 5)),
  batch: 1000,
  engines: flag('engines', ENGINES.join(',')).split(','),
  json: flag('json', null),
};
const CHROMIUM = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));

const { server, url } = await startServer({ '/cairndb/': 'js', '/node_modules/': 'node_modules', '/': 'bench/browser' });
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cairndb-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const browserVersion = context.browser()?.version() ?? (await (async () => {
  const p = await context.newPage();
  const v = await p.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1] ?? 'unknown');
  await p.close();
  return v;
})());

const results = Object.fromEntries(config.engines.map((e) => [e, []]));
const versions = {};
try {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => window.benchReady === true);
  for (let run = 0; run < config.runs; run++) {
    const order = config.engines.map((_, i) => config.engines[(i + run) % config.engines.length]);
    for (const engine of order) {
      const r = await page.evaluate(([engine, c]) => window.runEngine(engine, c), [engine, config]);
      versions[engine] = r.version;
      results[engine].push(r);
      console.error(`run ${run + 1}/${config.runs} ${engine}: ingest ${fmt(r.ingestPerSec)}/s, puts ${fmt(r.putsPerSec)}/s, ` +
        `gets ${fmt(r.getsPerSec)}/s, cold open ${fmt(r.coldOpenMs)} ms`);
    }
  }
} finally {
  await context.close();
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}

const med = Object.fromEntries(Object.entries(results).map(([e, rs]) => [e, {
  ingestPerSec: median(rs.map((r) => r.ingestPerSec)),
  putsPerSec: median(rs.map((r) => r.putsPerSec)),
  getsPerSec: median(rs.map((r) => r.getsPerSec)),
  coldOpenMs: median(rs.map((r) => r.coldOpenMs)),
}]));

const lines = [];
lines.push(`Chromium ${browserVersion}, ${os.cpus().length} vCPUs (${os.cpus()[0]?.model ?? 'unknown CPU'}), ` +
  `${config.docs} docs, ${config.singlePuts} single puts, ${config.gets} gets, median of ${config.runs} runs`);
lines.push('');
lines.push('| engine | batched ingest docs/s | single durable puts/s | point gets/s | cold open + first get (ms) |');
lines.push('|---|---|---|---|---|');
for (const [e, m] of Object.entries(med)) {
  const name = versions[e] ? `${e} (${versions[e]})` : e;
  lines.push(`| ${name} | ${fmt(m.ingestPerSec)} | ${fmt(m.putsPerSec)} | ${fmt(m.getsPerSec)} | ${fmt(m.coldOpenMs)} |`);
}
for (const mine of config.engines.filter((e) => e.startsWith('cairndb'))) {
  lines.push('');
  lines.push(`| ${mine} / peer | batched ingest | single durable puts | point gets | cold open (time ratio, < 1 is faster) |`);
  lines.push('|---|---|---|---|---|');
  for (const peer of config.engines.filter((e) => !e.startsWith('cairndb'))) {
    const a = med[mine];
    const b = med[peer];
    const x = (v) => `${v.toFixed(2)}x`;
    lines.push(`| ${peer} | ${x(a.ingestPerSec / b.ingestPerSec)} | ${x(a.putsPerSec / b.putsPerSec)} | ` +
      `${x(a.getsPerSec / b.getsPerSec)} | ${x(a.coldOpenMs / b.coldOpenMs)} |`);
  }
}
console.log(lines.join('\n'));
if (config.json) {
  fs.writeFileSync(config.json, JSON.stringify({ config, browserVersion, versions, results, medians: med }, null, 2));
}
