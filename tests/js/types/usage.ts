// Compiled (never run) by types.test.js with tsc --strict: the package's
// .d.ts must accept every documented call and reject misuse (the lines
// marked @ts-expect-error must fail to type-check).
import { open, CairnError, Database, Version, TraceEntry, VerifyReport, ErrorCode } from 'cairndb';

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
