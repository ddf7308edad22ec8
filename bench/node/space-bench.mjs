// The Node space benchmark: one process loads the same 2-D points into
// cairndb spaces (the wasm engine, on its Node and memory backends) and into
// the npm spatial indexes flatbush, rbush and kdbush, checks that every engine
// gives the same answer to every query, then times box queries and x = c line
// queries. Optionally runs the native harness (cairn-space-bench) on the same
// sizes for the wasm-to-native ratio.
//
//   node --expose-gc bench/node/space-bench.mjs [--points N] [--runs R]
//        [--queries Q] [--lines L] [--dir PATH] [--engines a,b]
//        [--no-checkpoint] [--native PATH|none] [--json FILE]
//
// --no-checkpoint skips cairndb's compact() after the load, so the queries
// also read the points still in the memtable (much slower; BENCHMARKS.md).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CAIRN_BATCH, makeEngines } from './space-peers.mjs';

const args = process.argv.slice(2);
function flag(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}
const config = {
  points: Number(flag('points', 1000000)),
  runs: Number(flag('runs', 3)),
  queries: Number(flag('queries', 1000)), // 0.01% boxes; 3/10 as many 0.1% boxes, 1/10 as many 1% boxes
  lines: Number(flag('lines', flag('queries', 1000))), // x = c lines, as many as the smallest boxes
  seed: 20261206,
  domainBits: 16,
  dir: flag('dir', '/var/tmp'),
  engines: null,
  native: flag('native', 'none'),
  checkpoint: !args.includes('--no-checkpoint'),
  json: flag('json', null),
};
const allEngines = makeEngines(config.dir);
config.engines = flag('engines', Object.keys(allEngines).join(',')).split(',');
for (const name of config.engines) if (!allEngines[name]) throw new Error(`unknown engine ${name}`);
if (!(config.points >= 10 && config.runs >= 1 && config.queries >= 10 && config.lines >= 1)) {
  throw new Error('--points and --queries need at least 10, --runs and --lines at least 1');
}
const CAIRN = config.engines.filter((e) => e.startsWith('cairndb'));
const PEERS = config.engines.filter((e) => !e.startsWith('cairndb'));
const DOMAIN = 2 ** config.domainBits;

// mulberry32: a small seeded generator of 32-bit integers.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
const below = (r, n) => Math.floor((r() / 2 ** 32) * n);

// ---- the data: n distinct points, uniform over [0, 2^16)^2 (a cairndb point
// is identified by its coordinates, so a duplicate would be a rewrite there
// and a second item in the peers), with payload { i }.
function makeData(n, seed) {
  const r = rng(seed);
  const xs = new Uint32Array(n);
  const ys = new Uint32Array(n);
  const seen = new Set();
  for (let i = 0; i < n; ) {
    const x = below(r, DOMAIN);
    const y = below(r, DOMAIN);
    const key = x * DOMAIN + y;
    if (seen.has(key)) continue;
    seen.add(key);
    xs[i] = x;
    ys[i] = y;
    i++;
  }
  const payloads = Array.from({ length: n }, (_, i) => ({ i }));
  return { n, xs, ys, payloads };
}

// `count` boxes covering `fraction` of the domain's area (square, inside the
// domain, inclusive bounds), at uniform random positions.
function makeBoxes(fraction, count, seed) {
  const r = rng(seed);
  const side = Math.max(1, Math.round(DOMAIN * Math.sqrt(fraction)));
  return Array.from({ length: count }, () => {
    const lo = [below(r, DOMAIN - side + 1), below(r, DOMAIN - side + 1)];
    return { lo, hi: [lo[0] + side - 1, lo[1] + side - 1] };
  });
}

// The x coordinates of `count` random points of the data.
function makeLines(data, count, seed) {
  const r = rng(seed);
  return Array.from({ length: count }, () => data.xs[below(r, data.n)]);
}

// Every point in [lo, hi], by a scan of the data: the reference for a few queries.
function scan(data, lo, hi) {
  const out = [];
  for (let i = 0; i < data.n; i++) {
    if (data.xs[i] >= lo[0] && data.xs[i] <= hi[0] && data.ys[i] >= lo[1] && data.ys[i] <= hi[1]) out.push(i);
  }
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => performance.now();
const gc = () => globalThis.gc?.();

function describeLoad() {
  let out = `load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`;
  try {
    const psi = /avg60=([\d.]+)/.exec(fs.readFileSync('/proc/pressure/cpu', 'utf8'));
    if (psi) out += `, cpu pressure (some, avg60) ${psi[1]}%`;
  } catch {
    // No PSI on this kernel.
  }
  return out;
}

const started = now();
const loadAtStart = describeLoad();
const data = makeData(config.points, config.seed);
const percent = (f) => `${+(f * 100).toFixed(4)}%`;
const kinds = [
  [0.0001, config.queries],
  [0.001, Math.floor((config.queries * 3) / 10)],
  [0.01, Math.floor(config.queries / 10)],
].map(([fraction, count], k) => ({
  name: `box ${percent(fraction)} of the domain`,
  boxes: makeBoxes(fraction, count, config.seed + 100 + k),
}));
kinds.push({ name: 'line x = c (cairndb: subscope([c]); peers: box x = c, any y)', lines: makeLines(data, config.lines, config.seed + 200) });
for (const kind of kinds) kind.size = kind.boxes ? kind.boxes.length : kind.lines.length;
const boxOf = (kind, q) => (kind.boxes ? kind.boxes[q] : { lo: [kind.lines[q], 0], hi: [kind.lines[q], DOMAIN - 1] });

// ---- the checks, before any query is timed: every engine's answer to every
// query is the same set of points (by payload), the first of each kind is
// checked against a scan of the data, and cairndb's records carry the right
// coordinates and agree with its count() and with the line as a box.
const sortedIndexes = (index, results) => Int32Array.from(results, (r) => index.indexOf(r)).sort();
function sameIndexes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
async function answer(index, kind, q) {
  if (kind.boxes) return index.box(kind.boxes[q].lo, kind.boxes[q].hi);
  return index.line(kind.lines[q]);
}
async function verify(name, index) {
  for (const kind of kinds) {
    kind.answers ??= [];
    for (let q = 0; q < kind.size; q++) {
      const results = await answer(index, kind, q);
      const got = sortedIndexes(index, results);
      if (index.pointOf) {
        for (const r of results) {
          const i = index.indexOf(r);
          const p = index.pointOf(r);
          if (p.length !== 2 || p[0] !== data.xs[i] || p[1] !== data.ys[i]) throw new Error(`${name}: point ${i} came back as ${p}`);
        }
        const box = boxOf(kind, q);
        if (kind.boxes && (await index.count(box.lo, box.hi)) !== got.length) throw new Error(`${name}: ${kind.name}, query ${q}: count() disagrees`);
        if (kind.lines && !sameIndexes(sortedIndexes(index, await index.lineAsBox(kind.lines[q])), got)) {
          throw new Error(`${name}: ${kind.name}, query ${q}: the line as a box disagrees with subscope`);
        }
      }
      if (kind.answers[q] === undefined) {
        if (q === 0) {
          const box = boxOf(kind, q);
          const want = Int32Array.from(scan(data, box.lo, box.hi)).sort();
          if (!sameIndexes(want, got)) throw new Error(`${name}: ${kind.name}, query 0: ${got.length} points, a scan finds ${want.length}`);
        }
        kind.answers[q] = got;
      } else if (!sameIndexes(kind.answers[q], got)) {
        throw new Error(`${name}: ${kind.name}, query ${q}: ${got.length} points, the others ${kind.answers[q].length}` +
          (got.length === kind.answers[q].length ? ' (different points)' : ''));
      }
    }
    kind.total = kind.answers.reduce((t, a) => t + a.length, 0);
  }
}

// One timed pass, in µs per query; the results must add up to the checked
// total. count() answers a number, every other call an array.
async function timed(name, index, kind, call) {
  const fn = index[call ?? (kind.boxes ? 'box' : 'line')];
  const items = kind.boxes ?? kind.lines;
  let total = 0;
  let t;
  if (call === 'count') {
    t = now();
    for (const b of items) total += await fn(b.lo, b.hi);
  } else if (kind.boxes && index.async) {
    t = now();
    for (const b of items) total += (await fn(b.lo, b.hi)).length;
  } else if (kind.boxes) {
    t = now();
    for (const b of items) total += fn(b.lo, b.hi).length;
  } else if (index.async) {
    t = now();
    for (const x of items) total += (await fn(x)).length;
  } else {
    t = now();
    for (const x of items) total += fn(x).length;
  }
  const us = ((now() - t) * 1000) / items.length;
  if (total !== kind.total) throw new Error(`${name}: ${kind.name}: a timed pass (${call ?? 'default'}) returned ${total} points, not ${kind.total}`);
  return us;
}

// ---- the runs: fresh engines each run, the order rotating; each engine is
// loaded, checked, then timed, and closed before the next one starts.
const samples = Object.fromEntries(config.engines.map((e) => [e, {}]));
const push = (engine, metric, v) => (samples[engine][metric] ??= []).push(v);
for (let run = 0; run < config.runs; run++) {
  const order = config.engines.map((_, i) => config.engines[(i + run) % config.engines.length]);
  for (const name of order) {
    const engine = allEngines[name];
    const input = engine.prepare(data);
    gc();
    const t = now();
    const index = await engine.load(input);
    const loadSeconds = (now() - t) / 1000;
    push(name, 'load', loadSeconds);
    if (index.checkpoint && config.checkpoint) {
      const c = now();
      await index.checkpoint();
      push(name, 'checkpoint', (now() - c) / 1000);
    }
    await verify(name, index);
    gc();
    const line = [`load ${loadSeconds.toFixed(2)} s`];
    for (const kind of kinds) {
      const us = await timed(name, index, kind);
      push(name, kind.name, us);
      line.push(`${kind.name.split(' (')[0]} ${us.toFixed(1)} µs`);
    }
    if (index.count) {
      for (const kind of kinds) {
        if (kind.boxes) push(name, `count(), ${kind.name}`, await timed(name, index, kind, 'count'));
        else push(name, 'line as bbox([c, 0], [c, 65535])', await timed(name, index, kind, 'lineAsBox'));
      }
    }
    await index.close();
    process.stderr.write(`  run ${run + 1} ${name}: ${line.join(', ')}\n`);
  }
}
const medians = Object.fromEntries(
  Object.entries(samples).map(([e, metrics]) => [e, Object.fromEntries(Object.entries(metrics).map(([m, xs]) => [m, median(xs)]))]),
);

// ---- the native engine on the same sizes (uniform 2-D, strict durability).
let native = null;
if (config.native !== 'none') {
  const jsonFile = path.join(os.tmpdir(), `cairn-native-space-${process.pid}.json`);
  execFileSync(config.native, ['--points', String(config.points), '--runs', String(config.runs),
    '--queries', String(config.queries), '--datasets', 'uniform', '--dims', '2', '--no-relaxed',
    '--dir', config.dir, '--json', jsonFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  const report = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
  fs.rmSync(jsonFile);
  const rows = report.sections[0].rows.filter((r) => !r.as_of_table);
  const row = (prefix, engine) => rows.find((r) => r.name.startsWith(prefix))?.medians[engine];
  native = { cairn: {}, packed: {} };
  for (const [key, engine] of [['cairn', 'Cairn'], ['packed', 'Boost rtree packed']]) {
    native[key].load = row('load', engine);
    for (const kind of kinds) native[key][kind.name] = row(kind.boxes ? kind.name : 'subscope', engine);
  }
}

// ---- the report.
const fmt = (x) =>
  x === undefined ? 'n/a' : x >= 100 ? Math.round(x).toLocaleString('en-US') : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2);
const ratio = (peer, cairn) => (peer && cairn ? `${(peer / cairn).toFixed(2)}x` : 'n/a');
const metrics = [
  ['load', `load ${config.points.toLocaleString('en-US')} points`, 's'],
  ...(config.checkpoint && CAIRN.length ? [['checkpoint', 'cairndb compact() after the load (not in the load)', 's']] : []),
  ...kinds.map((k) => [k.name, k.name, 'µs/query']),
];
const out = [];
out.push(`${config.points.toLocaleString('en-US')} distinct uniform random points in [0, 2^16)^2, seed ${config.seed}; ` +
  `cairndb loads with insertMany in batches of ${CAIRN_BATCH.toLocaleString('en-US')}; ${config.runs} runs, medians`);
out.push('');
out.push(`| measurement | unit | results/query | ${config.engines.join(' | ')} |`);
out.push(`|---|---|---:|${config.engines.map(() => '---:|').join('')}`);
for (const [key, label, unit] of metrics) {
  const kind = kinds.find((k) => k.name === key);
  const results = kind ? (kind.total / kind.size).toFixed(1) : '';
  out.push(`| ${label} | ${unit} | ${results} | ${config.engines.map((e) => fmt(medians[e][key])).join(' | ')} |`);
}
if (CAIRN.length && PEERS.length) {
  const pairs = CAIRN.flatMap((c) => PEERS.map((p) => [c, p]));
  out.push('');
  out.push('Speed ratios, peer time / cairndb time (above 1: cairndb is faster):');
  out.push('');
  out.push(`| measurement | ${pairs.map(([c, p]) => `${c} vs ${p}`).join(' | ')} |`);
  out.push(`|---|${pairs.map(() => '---:|').join('')}`);
  for (const [key, label] of metrics) {
    if (key === 'checkpoint') continue;
    out.push(`| ${label} | ${pairs.map(([c, p]) => ratio(medians[p][key], medians[c][key])).join(' | ')} |`);
  }
}
if (CAIRN.length) {
  out.push('');
  out.push('cairndb, where the time goes (µs/query):');
  out.push('');
  out.push(`| query | ${CAIRN.map((c) => `${c} records | ${c} count() or bbox`).join(' | ')} |`);
  out.push(`|---|${CAIRN.map(() => '---:|---:|').join('')}`);
  for (const kind of kinds) {
    const extra = kind.boxes ? `count(), ${kind.name}` : 'line as bbox([c, 0], [c, 65535])';
    const label = kind.boxes ? `${kind.name}: bbox, count()` : 'line x = c: subscope([c]), bbox([c, 0], [c, 65535])';
    out.push(`| ${label} | ${CAIRN.map((c) => `${fmt(medians[c][kind.name])} | ${fmt(medians[c][extra])}`).join(' | ')} |`);
  }
}
if (native && medians['cairndb (node)']) {
  const wasm = medians['cairndb (node)'];
  out.push('');
  out.push(`cairndb (node) against the native engine (cairn-space-bench on the same sizes: its own uniform 2-D points and queries, strict durability, ${config.queries} subscope lines, a compaction after the load):`);
  out.push('');
  out.push('| measurement | native Cairn | cairndb (node) | native time / wasm time | native Boost rtree packed | flatbush |');
  out.push('|---|---:|---:|---:|---:|---:|');
  for (const [key, label] of metrics) {
    if (key === 'checkpoint') continue;
    out.push(`| ${label} | ${fmt(native.cairn[key])} | ${fmt(wasm[key])} | ${ratio(native.cairn[key], wasm[key])} | ` +
      `${fmt(native.packed[key])} | ${fmt(medians.flatbush?.[key])} |`);
  }
}
const machine = `${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
  `Node ${process.version}, ${os.type()} ${os.release()}`;
const loadAtEnd = describeLoad();
out.push('');
out.push(`engines: ${config.engines.map((e) => `${e}: ${allEngines[e].storage}`).join('; ')}`);
out.push(`machine: ${machine}`);
out.push(`load at the start: ${loadAtStart}; at the end: ${loadAtEnd}`);
out.push(`wall time ${((now() - started) / 1000).toFixed(0)} s`);
console.log(out.join('\n'));
if (config.json) {
  const queries = kinds.map((k) => ({ name: k.name, queries: k.size, resultsPerQuery: k.total / k.size }));
  fs.writeFileSync(config.json, JSON.stringify({ config, machine, loadAtStart, loadAtEnd, queries, samples, medians, native }, null, 2));
}
