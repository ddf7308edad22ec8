// Compiled (never run) by types.test.js with tsc --strict: the package's
// .d.ts must accept every documented call and reject misuse (the lines
// marked @ts-expect-error must fail to type-check).
import {
  open, CairnError, Database, Version, TraceEntry, VerifyReport, ErrorCode, Space, SpaceRecords, SpaceRecord,
  NearestRecord, BranchInfo, SpaceDiff, MergeResult, SpaceInfo, Edge, EdgeHop,
} from 'cairndb';

async function main(): Promise<void> {
  const db: Database = await open('./data', { durability: 'strict', cacheBytes: 1 << 20 });
  const mem = await open({ storage: 'memory' });
  const v: Version = await db.put('blocks', '1', { height: 1 }, { causedBy: [], validFrom: new Date() });
  const many: Version[] = await db.putMany([{ coll: 'blocks', id: '2', doc: [1, 2], validTo: '2030-01-01T00:00:00Z' }]);
  const got: Version | null = await db.get('blocks', '1', { asOf: v.seq });
  const byHash: Version | null = await db.getByHash(v.hash);
  const hist: Version[] = await db.history('blocks', '1');
  const listed: Version[] = await db.list('blocks', { asOf: 1, limit: 10, offset: 0, startAfter: '0' });
  const all: Version[] = await db.versions(1, { limit: 5 });
  const colls: string[] = await db.collections();
  const chain: TraceEntry[] = await db.trace(v.hash, { reverse: true, depth: 2, limit: 10, asOf: 3 });
  const depth: number = chain[0].depth;
  const tomb: Version = await db.delete('blocks', '1');
  const head: string = await db.head();
  const seq: number = await db.seq();
  const report: VerifyReport = await db.verify();
  const docs: number = (await db.stats()).documents;
  const res = await db.query('FROM blocks WHERE height > 1 ORDER BY height DESC LIMIT 3');
  const rowCount: number = res.count + res.rows.length;
  const plan: string = res.plan;
  await db.createIndex('blocks', 'height');
  await db.createTextIndex('blocks');
  const idx = await db.indexes();
  const ready: boolean = idx[0].ready;
  await db.dropIndex('blocks', null);
  const link: Version = await db.link('blocks:1', 'next', 'blocks:2');
  const near: string[] = await db.neighbors('blocks:1', 'next', { reverse: true, asOf: link.seq });
  await db.unlink('blocks:1', 'next', 'blocks:2');
  void [rowCount, plan, ready, near];
  const space: Space = await db.space('sensors', { dims: 2, bits: 16 });
  const reopened: Space = await db.space('sensors');
  const dims: number = reopened.dims;
  const spaceSeq: number = await space.insert([1, 2], { t: 1 });
  const seqs: number[] = await space.insertMany([{ point: new Uint32Array([3, 4]), data: new Uint8Array([1]) }], { branch: 'main' });
  await space.delete([1, 2]);
  const page: SpaceRecords = await space.bbox([0, 0], [9, 9], { asOf: spaceSeq, limit: 10 });
  const cursor: string | null = page.cursor;
  const rec: SpaceRecord = page[0];
  const recPoint: number[] = rec.point;
  const sub = await space.subscope([1], { cursor: cursor ?? undefined, branch: 'main' });
  const n: number = await space.count([0, 0], [9, 9], { asOf: spaceSeq });
  const nearest: NearestRecord[] = await space.nearest([0, 0], 3);
  const dist: number = nearest[0].distance;
  const spaceHist = await space.history([1, 2]);
  const wasDeleted: boolean = spaceHist[0].deleted;
  const br: BranchInfo = await space.branch('dev', { from: 'main', at: spaceSeq });
  const brs: BranchInfo[] = await space.branches();
  const diff: SpaceDiff = await space.diff('main', 'dev', { asOf: spaceSeq });
  const merged: MergeResult = await space.merge('dev', 'main', { strategy: 'latest-wins' });
  await space.dropBranch('dev');
  const infos: SpaceInfo[] = await db.spaces();
  const edge: Edge = await db.putEdge({ kind: 'road', ends: [{ space: 'sensors', point: [0, 0], dir: 'tail' }, { space: 'sensors', point: [1, 1], role: 'to' }], weight: 2, meta: { name: 'A1' }, validFrom: 1 });
  const at: Edge[] = await db.edgesAt('sensors', [0, 0], { asOf: edge.seq, kinds: ['road'] });
  const ofKind: Edge[] = await db.edgesOfKind('road', { asOf: edge.seq });
  const hops: EdgeHop[] = await db.traverseEdges('sensors', [0, 0], { depth: 2, kinds: ['road'], directed: true, limit: 5, asOf: edge.seq });
  await db.deleteEdge(edge.id);
  await db.dropSpace('sensors');
  void [dims, seqs, recPoint, sub, n, dist, wasDeleted, br, brs, diff, merged, infos, at, ofKind, hops];
  // @ts-expect-error merge needs a known strategy
  await space.merge('dev', 'main', { strategy: 'newest' });
  // @ts-expect-error a point is an array of numbers
  await space.insert('1,2', 1);
  // @ts-expect-error an edge needs ends
  await db.putEdge({ kind: 'road' });
  await db.checkpoint();
  await db.sync();
  const closed: boolean = db.closed;
  await db[Symbol.asyncDispose]();
  await mem.close();
  try {
    await db.get('blocks', '1');
  } catch (e) {
    if (e instanceof CairnError) {
      const code: ErrorCode = e.code;
      void code;
    }
  }
  // @ts-expect-error durability is 'strict' or 'relaxed'
  await open({ storage: 'memory', durability: 'sometimes' });
  // @ts-expect-error asOf is a number
  await db.get('blocks', '1', { asOf: 'latest' });
  // @ts-expect-error put needs a document
  await db.put('blocks', '1');
  void [many, got, byHash, hist, listed, all, colls, depth, tomb, head, seq, report, docs, closed];
}
void main;
