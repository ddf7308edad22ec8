// Types of cairndb's browser entry (src/browser.js): the same database API
// as in Node, through a dedicated worker, over OPFS, IndexedDB or memory.
import type { Database as NodeDatabase, OpenOptions as NodeOpenOptions } from './index.js';

export type {
  Json, ErrorCode, Version, TraceEntry, WriteOptions, WriteOp, ReadOptions, ListOptions, TraceOptions,
  VerifyReport, Stats, Row, QueryResult, IndexInfo, NeighborOptions,
} from './index.js';
export { CairnError, ErrorCodes } from './index.js';

/** A database's files, as a native database directory holds them. */
export type DatabaseFiles = { [fileName: string]: Uint8Array };

export type BrowserStorage = 'opfs' | 'idb' | 'memory' | 'auto';

export interface BrowserOpenOptions extends Omit<NodeOpenOptions, 'path' | 'storage' | 'name'> {
  /** The database's name: 1-64 characters of [A-Za-z0-9._-]. Required unless storage is 'memory'. */
  name?: string;
  /** 'auto' (default): OPFS where the browser has sync access handles, else IndexedDB. */
  storage?: BrowserStorage;
}

/** The proxy of a database open in its worker: the Node API, plus export. */
export interface Database extends NodeDatabase {
  /** The storage in use. */
  readonly storage: 'opfs' | 'idb' | 'memory';
  /** Whether the browser granted persistent storage. */
  readonly persisted: boolean;
  /** Every file of the database as of every acknowledged write. */
  exportFiles(): Promise<DatabaseFiles>;
}

/** Opens (or creates) a database in this browser. LOCKED when open elsewhere. */
export declare function open(name: string, options?: BrowserOpenOptions): Promise<Database>;
export declare function open(options: BrowserOpenOptions): Promise<Database>;

/** Writes files into the database `name`, which must hold none (ALREADY_EXISTS). */
export declare function importDatabase(target: string | BrowserOpenOptions, files: DatabaseFiles): Promise<void>;

/** Deletes a database (LOCKED while open). */
export declare function deleteDatabase(target: string | BrowserOpenOptions): Promise<void>;

/** A ustar archive of the files (a download that `tar -xf` unpacks into a directory). */
export declare function filesToTar(files: DatabaseFiles): Uint8Array;
/** The regular files of a tar archive (LOCK left out). */
export declare function tarToFiles(tar: Uint8Array): DatabaseFiles;
