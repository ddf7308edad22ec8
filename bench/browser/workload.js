// The browser benchmark's workload, run in the page on one engine
// (engines.js): the Node benchmark's block-like documents, ingested in
// batches of 1,000; single durable puts; random point gets (each must find
// its document); then a cold open of the whole database (a new worker or
// connection) until its first get answers.
import { engines } from './engines.js';

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

export async function runEngine(name, { docs, singlePuts, gets, batch }) {
  const random = rng(20240501);
  const data = Array.from({ length: docs + singlePuts }, (_, i) => makeDoc(i, random));
  const getIds = Array.from({ length: gets }, () => random() % docs);
  const engine = engines[name]();
  const now = () => performance.now();

  await engine.open({ fresh: true });
  let t = now();
  for (let i = 0; i < docs; i += batch) await engine.ingest(data.slice(i, Math.min(docs, i + batch)));
  const ingestMs = now() - t;

  t = now();
  for (let i = docs; i < docs + singlePuts; i++) await engine.put(data[i].id, data[i].doc);
  const putMs = now() - t;

  t = now();
  for (const k of getIds) {
    const got = await engine.get(data[k].id);
    if (got?.height !== data[k].doc.height) throw new Error(`${name}: get ${data[k].id} returned ${JSON.stringify(got)}`);
  }
  const getMs = now() - t;
  await engine.close();

  t = now();
  await engine.open({ fresh: false });
  const probe = data[docs - 1];
  const first = await engine.get(probe.id);
  const coldOpenMs = now() - t;
  if (first?.height !== probe.doc.height) throw new Error(`${name}: after reopen, get ${probe.id} returned ${JSON.stringify(first)}`);
  await engine.close();

  return {
    version: engine.version ?? null,
    ingestPerSec: docs / (ingestMs / 1000),
    putsPerSec: singlePuts / (putMs / 1000),
    getsPerSec: gets / (getMs / 1000),
    coldOpenMs,
  };
}
