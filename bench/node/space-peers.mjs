// The engines of the Node space benchmark, each behind the same small
// interface:
//   engine.prepare(data) -> input   builds the engine's input before any clock starts
//   engine.load(input) -> index     the timed bulk load
//   index.box(lo, hi) -> results    every point in the box, inclusive on both axes
//   index.line(x) -> results        every point with this x (cairndb: subscope([x]))
//   index.async                     true when box and line return promises (cairndb);
//                                   the peers answer synchronously and are not awaited
//   index.indexOf(result) -> i      the point a result names, for the checks
//   index.checkpoint?()             cairndb: called after the load, timed apart
//   index.close()
// `data` holds n distinct points: data.xs[i], data.ys[i], and their payloads
// data.payloads[i] = { i }. cairndb returns records that carry the payload;
// the peers return ids, so for fairness they map each id to its payload.
//
// The peers (flatbush, rbush, kdbush) are static, in-memory indexes: they
// persist nothing, keep no history and (flatbush and kdbush) cannot change
// after finish(). cairndb runs on its Node backend (a directory, strict
// durability: every insertMany resolves after fsync) and on its memory
// backend.
import fs from 'node:fs';
import path from 'node:path';
import { open as openCairn } from 'cairndb';
import Flatbush from 'flatbush';
import KDBush from 'kdbush';
import RBush from 'rbush';

// cairndb's insertMany batch in this benchmark (the engine's largest batch).
export const CAIRN_BATCH = 100000;
const DOMAIN_MAX = 65535;

function cairnEngine(storage, openDb) {
  return {
    storage,
    prepare(data) {
      const batches = [];
      for (let i = 0; i < data.n; i += CAIRN_BATCH) {
        const batch = [];
        for (let k = i; k < Math.min(data.n, i + CAIRN_BATCH); k++) {
          batch.push({ point: [data.xs[k], data.ys[k]], data: data.payloads[k] });
        }
        batches.push(batch);
      }
      return batches;
    },
    async load(batches) {
      const { db, cleanup } = await openDb();
      const space = await db.space('pts', { dims: 2, bits: 32 });
      for (const batch of batches) await space.insertMany(batch);
      return {
        async: true,
        // Compacts the index into one table, as the native harness does after
        // its load: otherwise the points still in the memtable are scanned by
        // every query, and every range searches each checkpoint table.
        checkpoint: () => db.compact(),
        box: (lo, hi) => space.bbox(lo, hi),
        line: (x) => space.subscope([x]),
        // Not compared with the peers: the count without the records, and the
        // line as a box, to show where the time goes.
        count: (lo, hi) => space.count(lo, hi),
        lineAsBox: (x) => space.bbox([x, 0], [x, DOMAIN_MAX]),
        indexOf: (r) => r.data.i,
        pointOf: (r) => r.point,
        async close() {
          await db.close();
          cleanup();
        },
      };
    },
  };
}

export function makeEngines(dir) {
  return {
    'cairndb (node)': cairnEngine('Node backend in a directory, strict durability (fsync per insertMany)', async () => {
      const where = fs.mkdtempSync(path.join(dir, 'cairn-space-bench-'));
      const db = await openCairn(where);
      return { db, cleanup: () => fs.rmSync(where, { recursive: true, force: true }) };
    }),
    'cairndb (memory)': cairnEngine('memory backend (nothing persists)', async () => ({
      db: await openCairn({ storage: 'memory' }),
      cleanup: () => {},
    })),
    flatbush: {
      storage: 'static packed Hilbert R-tree in memory (Float64Array boxes, node size 16)',
      prepare: (data) => data,
      async load(data) {
        const index = new Flatbush(data.n);
        for (let i = 0; i < data.n; i++) index.add(data.xs[i], data.ys[i]);
        index.finish();
        const { payloads } = data;
        return {
          box: (lo, hi) => index.search(lo[0], lo[1], hi[0], hi[1]).map((id) => payloads[id]),
          line: (x) => index.search(x, 0, x, DOMAIN_MAX).map((id) => payloads[id]),
          indexOf: (p) => p.i,
          close: async () => {},
        };
      },
    },
    rbush: {
      storage: 'dynamic R-tree in memory, bulk-loaded with load() (node size 9)',
      prepare: (data) => {
        const items = new Array(data.n);
        for (let i = 0; i < data.n; i++) {
          items[i] = { minX: data.xs[i], minY: data.ys[i], maxX: data.xs[i], maxY: data.ys[i], id: i };
        }
        return { items, payloads: data.payloads };
      },
      async load({ items, payloads }) {
        const tree = new RBush();
        tree.load(items);
        const search = (minX, minY, maxX, maxY) => tree.search({ minX, minY, maxX, maxY }).map((item) => payloads[item.id]);
        return {
          box: (lo, hi) => search(lo[0], lo[1], hi[0], hi[1]),
          line: (x) => search(x, 0, x, DOMAIN_MAX),
          indexOf: (p) => p.i,
          close: async () => {},
        };
      },
    },
    kdbush: {
      storage: 'static k-d tree in memory (Float64Array coordinates, node size 64)',
      prepare: (data) => data,
      async load(data) {
        const index = new KDBush(data.n);
        for (let i = 0; i < data.n; i++) index.add(data.xs[i], data.ys[i]);
        index.finish();
        const { payloads } = data;
        return {
          box: (lo, hi) => index.range(lo[0], lo[1], hi[0], hi[1]).map((id) => payloads[id]),
          line: (x) => index.range(x, 0, x, DOMAIN_MAX).map((id) => payloads[id]),
          indexOf: (p) => p.i,
          close: async () => {},
        };
      },
    },
  };
}
