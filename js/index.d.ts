// Types of the cairndb package.

/** A JSON value as stored: what JSON.parse returns. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Stable error codes (DESIGN.md). */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'PARSE_ERROR'
  | 'CORRUPTION'
  | 'IO_ERROR'
  | 'LOCKED'
  | 'CLOSED'
  | 'ALREADY_EXISTS'
  | 'INTERNAL';

export declare const ErrorCodes: readonly ErrorCode[];

/** Every failure of the package. `message` says what is wrong and where. */
export declare class CairnError extends Error {
  constructor(code: ErrorCode, message: string);
  readonly name: 'CairnError';
  readonly code: ErrorCode;
}

/** One immutable version of a document (or its tombstone). */
export interface Version {
  coll: string;
  id: string;
  /** The database-wide sequence number of this write. */
  seq: number;
  /** BLAKE2b-256 of the version's canonical encoding, 64 hex digits. */
  hash: string;
  /** The hash of the version this one replaced, or null. */
  prev: string | null;
  causedBy: string[];
  /** Wall clock at write, ms since the epoch. */
  ts: number;
  /** RFC 3339 UTC with milliseconds, or null. */
  validFrom: string | null;
  validTo: string | null;
  /** A tombstone: the document left the live view. */
  deleted: boolean;
  /** The document (null for a tombstone). */
  data: Json;
}

export interface TraceEntry extends Version {
  /** Hops from the start of the trace (0 for the start). */
  depth: number;
}

export interface WriteOptions {
  /** Hashes of the versions that caused this write; each must exist. */
  causedBy?: string[];
  /** ISO-8601 instant with a time zone, or a Date. */
  validFrom?: string | Date;
  validTo?: string | Date;
}

export interface WriteOp extends WriteOptions {
  coll: string;
  id: string;
  doc: unknown;
}

export interface ReadOptions {
  /** Read the database as it was right after write `asOf`. */
  asOf?: number;
}

export interface ListOptions extends ReadOptions {
  limit?: number;
  offset?: number;
  /** Only ids that sort after this one (a cursor). */
  startAfter?: string;
}

export interface TraceOptions extends ReadOptions {
  /** false: walk to causes; true: walk to effects. */
  reverse?: boolean;
  /** Hops from the start (0: the start alone). */
  depth?: number;
  /** Versions returned, the start included. */
  limit?: number;
}

export interface VerifyReport {
  ok: boolean;
  /** Objects re-hashed. */
  checked: number;
  /** Versions whose bytes no longer match their hash. */
  tampered: string[];
  /** Every other finding, with file and offset. */
  problems: string[];
}

export interface Stats {
  seq: number;
  documents: number;
  versions: number;
  logBytes: number;
  segments: number;
  memtableEntries: number;
  memtableBytes: number;
  checkpointEntries: number;
  cacheBytes: number;
  cacheCapacity: number;
  cacheHits: number;
  cacheMisses: number;
  indexBytes: number;
  replayedRecords: number;
}

/** One row of a query: the document's fields plus _id, _coll, _hash, _seq
 * (and _valid_from, _valid_to, _caused_by, _depth when set), or a group row. */
export type Row = { [field: string]: Json };

export interface QueryResult {
  rows: Row[];
  /** rows.length */
  count: number;
  /** The snapshot the query read (its AS OF, or the latest seq). */
  seq: number;
  /** The Merkle head after `seq`. */
  head: string;
  /** The plan, one step per line (what EXPLAIN returns). */
  plan: string;
}

export interface IndexInfo {
  coll: string;
  /** null for the full-text index */
  field: string | null;
  text: boolean;
  ready: boolean;
}

export interface NeighborOptions extends ReadOptions {
  /** The nodes that link to this one. */
  reverse?: boolean;
}

export interface OpenOptions {
  /** Node: the database directory (created when missing). */
  path?: string;
  /** 'node' (default in Node): a directory; 'memory': nothing persists. */
  storage?: 'node' | 'memory';
  /** A name for a memory database, used in messages. */
  name?: string;
  /**
   * 'strict' (default): a write's promise resolves after fsync.
   * 'relaxed': resolves once handed to the OS; a power cut may lose the
   * writes since the last sync (a process crash loses nothing).
   */
  durability?: 'strict' | 'relaxed';
  /** Block cache budget in bytes (default 64 MiB). */
  cacheBytes?: number;
  /** Log segment size (default 64 MiB). */
  segmentBytes?: number;
  /** Log bytes between checkpoints of the index (default 32 MiB). */
  checkpointBytes?: number;
  /** Create the database when missing (default true). */
  createIfMissing?: boolean;
}

export declare class Database {
  private constructor();
  put(coll: string, id: string, doc: unknown, options?: WriteOptions): Promise<Version>;
  /** Atomic: all or nothing, one group commit. Versions in input order. */
  putMany(ops: WriteOp[]): Promise<Version[]>;
  /** Writes a tombstone; history stays. NOT_FOUND when not live. */
  delete(coll: string, id: string, options?: WriteOptions): Promise<Version>;
  get(coll: string, id: string, options?: ReadOptions): Promise<Version | null>;
  getByHash(hash: string): Promise<Version | null>;
  /** Every version, newest first. */
  history(coll: string, id: string): Promise<Version[]>;
  /** Live documents ordered by id. */
  list(coll: string, options?: ListOptions): Promise<Version[]>;
  /** Every write in seq order from `fromSeq` (default 1). */
  versions(fromSeq?: number, options?: { limit?: number }): Promise<Version[]>;
  collections(): Promise<string[]>;
  /** The causal chain of a version, breadth-first. */
  trace(hash: string, options?: TraceOptions): Promise<TraceEntry[]>;
  /** Runs an NQL query (README, "Queries"). */
  query(nql: string): Promise<QueryResult>;
  /** A secondary index on a field (a dotted path) of a collection. */
  createIndex(coll: string, field: string): Promise<void>;
  /** The full-text index of a collection. */
  createTextIndex(coll: string): Promise<void>;
  /** Drops an index (field null: the full-text index). */
  dropIndex(coll: string, field: string | null): Promise<void>;
  indexes(): Promise<IndexInfo[]>;
  /** A named, directed link between documents, each "coll:id". */
  link(from: string, rel: string, to: string): Promise<Version>;
  unlink(from: string, rel: string, to: string): Promise<Version>;
  /** The live documents one link away, as "coll:id". */
  neighbors(node: string, rel: string, options?: NeighborOptions): Promise<string[]>;
  /** The Merkle head after the latest write (64 hex digits). */
  head(): Promise<string>;
  /** The latest write's seq (0 when empty). */
  seq(): Promise<number>;
  verify(): Promise<VerifyReport>;
  stats(): Promise<Stats>;
  checkpoint(): Promise<void>;
  /** Syncs everything written (useful in relaxed mode). */
  sync(): Promise<void>;
  readonly closed: boolean;
  /** Idempotent. Every later call fails with CLOSED. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Opens (or creates) a database: a directory path, or options. */
export declare function open(path: string, options?: OpenOptions): Promise<Database>;
export declare function open(options: OpenOptions): Promise<Database>;

/** BLAKE2b-256 of bytes as hex, computed by the engine. */
export declare function blake2b256(bytes: Uint8Array): Promise<string>;
