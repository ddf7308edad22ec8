// Type-checks the browser entry's documented usage (tests/js/types.test.js).
import { open, importDatabase, deleteDatabase, filesToTar, tarToFiles, CairnError } from 'cairndb/browser';
import type { DatabaseFiles, Version } from 'cairndb/browser';

async function main(): Promise<void> {
  const db = await open({ name: 'app', storage: 'auto', durability: 'strict' });
  const kind: 'opfs' | 'idb' | 'memory' = db.storage;
  const v: Version = await db.put('notes', 'n1', { text: 'hi' });
  const files: DatabaseFiles = await db.exportFiles();
  const tar: Uint8Array = filesToTar(files);
  const back: DatabaseFiles = tarToFiles(tar);
  await db.close();
  await importDatabase({ name: 'copy', storage: 'idb' }, back);
  await deleteDatabase('copy');
  try {
    await open('app', { storage: 'opfs' });
  } catch (e) {
    if (e instanceof CairnError) console.log(e.code, kind, v.seq, db.persisted);
  }
  // @ts-expect-error: storage 'node' is for Node.
  await open({ name: 'x', storage: 'node' });
}
void main;
