// The Node benchmark: one process runs the same workload on cairndb (the
// wasm engine) and on the JS peers that persist to disk, at equal
// durability, and compares cairndb with the native engine on the same
// operations (by running the native harness, bench/cairn-bench, with the
// same sizes).
//
//   node bench/node/bench.mjs [--docs N] [--single-puts N] [--gets N]
//        [--runs R] [--dir PATH] [--peers a,b] [--native PATH|none] [--json FILE]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { peers } from './peers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
function flag(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}
const config = {
  docs: Number(flag('docs', 100000)),
  singlePuts: Number(flag('single-puts', 1000)),
  smallSinglePuts: Number(flag('small-single-puts', 100)),
  gets: Number(flag('gets', 20000)),
  runs: Number(flag('runs', 3)),
  batch: 1000,
  dir: flag('dir', '/var/tmp'),
  peers: flag('peers', Object.keys(peers).join(',')).split(','),
  native: flag('native', path.join(here, '../../build/release/bench/cairn-bench')),
  json: flag('json', null),
};

// Deterministic block-like documents, as in the native workload.
function rng(seed) {
  let s = BigInt(seed);
  return () => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return Number(s >> 33n);
  };
}
function makeDoc(i, r) {
  const hex = Array.from({ length: 8 }, () => r().toString(16).padStart(8, '0')).join('');
  return {
    id: String(1000000 + i),
    doc: { fee: (r() % 10000) / 100, hash: hex, height: 1000000 + i, miner: `m${r() % 100}`, tx: [r() % 10, r() % 1000, r() % 100] },
  };
}
const random = rng(20240501);
const docs = Array.from({ length: config.docs + config.singlePuts }, (_, i) => makeDoc(i, random));
const getIds = Array.from({ length: config.gets }, () => docs[random() % config.docs].id);
const rewriteIdx = Array.from({ length: Math.floor(config.docs / 10) }, () => random() % config.docs);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => performance.now();

async function runPeer(name, run) {
  const peer = peers[name];
  const dir = fs.mkdtempSync(path.join(config.dir, `cairn-node-bench-${name}-`));
  const out = {};
  try {
    const e = await peer.open(dir);
    let t = now();
    for (let i = 0; i < config.docs; i += config.batch) await e.ingest(docs.slice(i, i + config.batch));
    out.ingest = config.docs / ((now() - t) / 1000);

    const singles = peer.smallSinglePuts ? Math.min(config.smallSinglePuts, config.singlePuts) : config.singlePuts;
    t = now();
    for (let i = 0; i < singles; i++) await e.put(docs[config.docs + i]);
    out.singlePuts = singles / ((now() - t) / 1000);
    out.singlePutCount = singles;

    for (const id of getIds.slice(0, 1000)) await e.get(id); // warm-up
    t = now();
    for (const id of getIds) {
      if ((await e.get(id)) === null) throw new Error(`${name}: ${id} not found`);
    }
    out.gets = config.gets / ((now() - t) / 1000);

    // Correctness: a sample of documents, byte for byte as JSON.
    for (let i = 0; i < config.docs; i += Math.max(1, Math.floor(config.docs / 200))) {
      const got = await e.get(docs[i].id);
      if (JSON.stringify(sortKeys(got)) !== JSON.stringify(sortKeys(docs[i].doc))) {
        throw new Error(`${name}: document ${docs[i].id} came back different`);
      }
    }

    if (e.getAsOf) {
      const before = await e.seq();
      for (let i = 0; i < rewriteIdx.length; i += config.batch) {
        await e.ingest(rewriteIdx.slice(i, i + config.batch).map((k) => ({ id: docs[k].id, doc: { ...docs[k].doc, fee: -1 } })));
      }
      t = now();
      for (const id of getIds) {
        const v = await e.getAsOf(id, before);
        if (v === null || v.fee === -1) throw new Error(`${name}: old version of ${id} wrong`);
      }
      out.getsAsOf = config.gets / ((now() - t) / 1000);
    }
    await e.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.stderr.write(`  run ${run + 1} ${name}: ${JSON.stringify(out, (k, v) => (typeof v === 'number' ? Math.round(v) : v))}\n`);
  return out;
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

const results = Object.fromEntries(config.peers.map((p) => [p, []]));
for (let run = 0; run < config.runs; run++) {
  // Rotate the order so no engine always runs first.
  const order = config.peers.map((_, i) => config.peers[(i + run) % config.peers.length]);
  for (const name of order) results[name].push(await runPeer(name, run));
}
const med = {};
for (const [name, rs] of Object.entries(results)) {
  med[name] = {};
  for (const key of ['ingest', 'singlePuts', 'gets', 'getsAsOf']) {
    const xs = rs.map((r) => r[key]).filter((x) => x !== undefined);
    if (xs.length) med[name][key] = median(xs);
  }
  med[name].singlePutCount = rs[0].singlePutCount;
}

// The native engine on the same sizes (buffered log, as Node writes).
let native = null;
if (config.native !== 'none' && fs.existsSync(config.native)) {
  const jsonFile = path.join(os.tmpdir(), `cairn-native-${process.pid}.json`);
  execFileSync(config.native, ['--docs', String(config.docs), '--single-puts', String(config.singlePuts),
    '--gets', String(config.gets), '--runs', String(config.runs), '--opens', '1', '--dir', config.dir,
    '--json', jsonFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  const report = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  fs.rmSync(jsonFile);
  const row = (prefix) => report.rows.find((r) => r.name.startsWith(prefix))?.cairn.median;
  native = {
    ingest: row('batched ingest (1000/commit), buffered log'),
    singlePuts: row('single durable puts, buffered log'),
    gets: row('point get, current, random ids'),
    getsAsOf: row('get AS OF before rewrites, random ids'),
  };
}

const fmt = (x) => (x === undefined ? 'n/a' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const lines = [];
lines.push(`docs ${config.docs}, batches of ${config.batch}, single puts ${config.singlePuts} (${config.smallSinglePuts} for peers that rewrite their whole file), gets ${config.gets}, runs ${config.runs}; medians in ops/s`);
lines.push('');
lines.push(`| engine | durability | batched ingest | single durable puts | point gets | get of an old version |`);
lines.push(`|---|---|---|---|---|---|`);
for (const [name, m] of Object.entries(med)) {
  lines.push(`| ${name} | ${peers[name].durability} | ${fmt(m.ingest)} | ${fmt(m.singlePuts)} | ${fmt(m.gets)} | ${fmt(m.getsAsOf)} |`);
}
if (med.cairndb) {
  lines.push('');
  lines.push(`| cairndb / peer | batched ingest | single durable puts | point gets |`);
  lines.push(`|---|---|---|---|`);
  for (const [name, m] of Object.entries(med)) {
    if (name === 'cairndb') continue;
    const r = (k) => (m[k] ? `${(med.cairndb[k] / m[k]).toFixed(2)}x` : 'n/a');
    lines.push(`| ${name} | ${r('ingest')} | ${r('singlePuts')} | ${r('gets')} |`);
  }
  if (native) {
    lines.push('');
    lines.push(`| cairndb (wasm in Node) / native engine | batched ingest | single durable puts | point gets | get AS OF |`);
    lines.push(`|---|---|---|---|---|`);
    const r = (k) => (native[k] ? `${(med.cairndb[k] / native[k]).toFixed(2)}x` : 'n/a');
    lines.push(`| ratio | ${r('ingest')} | ${r('singlePuts')} | ${r('gets')} | ${r('getsAsOf')} |`);
    lines.push(`| native ops/s | ${fmt(native.ingest)} | ${fmt(native.singlePuts)} | ${fmt(native.gets)} | ${fmt(native.getsAsOf)} |`);
  }
}
const machine = `${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
lines.push('');
lines.push(`machine: ${machine}`);
console.log(lines.join('\n'));
if (config.json) {
  fs.writeFileSync(config.json, JSON.stringify({ config, machine, results, medians: med, native }, null, 2));
}
