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
  /** Wall clock at write, ms since the epoch; the same for every version of one putMany. */
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
  /** Sorted runs (checkpoint tables) the index is merged from. */
  checkpointTables: number;
  /** Of those, read through a memory mapping: always 0 in the wasm build, whose storages do not map. */
  mappedTables: number;
  spaces: number;
  /** Branches of every space, besides each space's main. */
  spaceBranches: number;
  cacheBytes: number;
  cacheCapacity: number;
  cacheHits: number;
  cacheMisses: number;
  indexBytes: number;
  replayedRecords: number;
  /** Checkpoint-table blocks that space queries passed over unread since open, because their bounding box missed the query's box. */
  spaceBlocksSkipped: number;
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

/** A point: its coordinates, integers from 0 to 2^32 - 1 (each below 2^bits of its space). */
export type Point = number[] | Uint32Array;

/** A point's payload: any JSON value, or bytes. */
export type SpacePayload = Json | Uint8Array;

/** One point as a query sees it. Points come back as plain arrays. */
export interface SpaceRecord {
  point: number[];
  /** The write that made this state. */
  seq: number;
  /** The JSON value, a Uint8Array for a bytes payload, or null for a tombstone. */
  data: SpacePayload;
}

/** bbox and subscope answers: records in Hilbert order. `cursor` (not
 * enumerable) resumes after the last record; null when there are no more. */
export type SpaceRecords = SpaceRecord[] & { readonly cursor: string | null };

export interface NearestRecord extends SpaceRecord {
  /** Euclidean distance from the query point. */
  distance: number;
}

export interface SpaceHistoryRecord extends SpaceRecord {
  /** A tombstone (its data is null). */
  deleted: boolean;
}

export interface SpaceInfo {
  name: string;
  dims: number;
  bits: number;
  /** The seq of its definition. */
  createdSeq: number;
}

export interface BranchInfo {
  name: string;
  /** null for main. */
  parent: string | null;
  /** It sees its parent as of this seq. */
  forkSeq: number;
  createdSeq: number;
}

export interface SpaceOptions {
  /** Coordinates per point, 1 to 16. Needed to create; optional to open. */
  dims?: number;
  /** Bits per coordinate, 1 to 32 (default 32 when creating). */
  bits?: number;
}

export interface SpaceWriteOptions {
  /** Default 'main'. */
  branch?: string;
}

export interface SpaceReadOptions extends ReadOptions {
  /** Default 'main'. */
  branch?: string;
}

export interface SpacePageOptions extends SpaceReadOptions {
  /** At most this many records. */
  limit?: number;
  /** The `cursor` of a previous answer: resume after its last record. */
  cursor?: string | null;
}

export interface SpaceDiff {
  /** In `to`, not in `from`. */
  added: SpaceRecord[];
  /** In `from`, not in `to`. */
  removed: SpaceRecord[];
  /** In both, with another payload: the state in `from` and in `to`. */
  changed: { from: SpaceRecord; to: SpaceRecord }[];
}

export type MergeStrategy = 'prefer-target' | 'prefer-source' | 'latest-wins' | 'report';

export interface MergeConflict {
  point: number[];
  /** Each side's state (history records); null when the point was absent there. */
  base: SpaceHistoryRecord | null;
  source: SpaceHistoryRecord | null;
  target: SpaceHistoryRecord | null;
}

export interface MergeResult {
  /** Points written to the target. */
  applied: number;
  conflicts: MergeConflict[];
  /** The last seq written (0 when nothing was). */
  seq: number;
}

/** A named set of points. Holds no resources of its own: it stops working
 * (CLOSED) when its database closes. */
export declare class Space {
  private constructor();
  readonly name: string;
  readonly dims: number;
  readonly bits: number;
  readonly createdSeq: number;
  /** Writes the point (replacing its state); resolves to the write's seq. */
  insert(point: Point, data: unknown, options?: SpaceWriteOptions): Promise<number>;
  /** Atomic: all or nothing. Resolves to the seqs in input order. */
  insertMany(points: { point: Point; data: unknown }[], options?: SpaceWriteOptions): Promise<number[]>;
  /** Writes a tombstone; resolves to its seq. NOT_FOUND when not live. */
  delete(point: Point, options?: SpaceWriteOptions): Promise<number>;
  /** Every live point p with min[i] <= p[i] <= max[i]. */
  bbox(min: Point, max: Point, options?: SpacePageOptions): Promise<SpaceRecords>;
  /** Every live point whose leading coordinates equal `prefix` (0 to dims of them). */
  subscope(prefix: Point, options?: SpacePageOptions): Promise<SpaceRecords>;
  count(min: Point, max: Point, options?: SpaceReadOptions): Promise<number>;
  /** The k live points nearest to `point`, nearest first. */
  nearest(point: Point, k: number, options?: SpaceReadOptions): Promise<NearestRecord[]>;
  /** Every state of the point, newest first, tombstones included. */
  history(point: Point, options?: SpaceWriteOptions): Promise<SpaceHistoryRecord[]>;
  /** Forks a branch from options.from (default main) as of options.at (default now). */
  branch(name: string, options?: { from?: string; at?: number }): Promise<BranchInfo>;
  branches(): Promise<BranchInfo[]>;
  /** main, and branches others fork from, cannot be dropped. */
  dropBranch(name: string): Promise<void>;
  diff(from: string, to: string, options?: ReadOptions): Promise<SpaceDiff>;
  /** One atomic write. 'report' writes nothing when there is any conflict. */
  merge(source: string, target: string, options: { strategy: MergeStrategy }): Promise<MergeResult>;
}

export interface EdgeEnd {
  space: string;
  point: Point;
  role?: string | null;
  dir?: 'tail' | 'head' | null;
}

export interface EdgeInput {
  /** Default: derived from the content. */
  id?: string;
  kind: string;
  /** Two or more. */
  ends: EdgeEnd[];
  /** Default 1. */
  weight?: number;
  meta?: { [key: string]: string };
  /** Valid for seqs in [validFrom, validTo). */
  validFrom?: number | null;
  validTo?: number | null;
}

export interface Edge {
  id: string;
  kind: string;
  ends: { space: string; point: number[]; role: string | null; dir: 'tail' | 'head' | null }[];
  weight: number;
  meta: { [key: string]: string };
  validFrom: number | null;
  validTo: number | null;
  /** The write that made this state. */
  seq: number;
}

export interface EdgeQueryOptions extends ReadOptions {
  /** Only these kinds (default: every kind). */
  kinds?: string[];
}

export interface EdgeTraverseOptions extends EdgeQueryOptions {
  /** Hops from the start (default 1). */
  depth?: number;
  /** Endpoints returned, the start excluded. */
  limit?: number;
  /** Only from tail ends to head ends. */
  directed?: boolean;
}

export interface EdgeHop {
  space: string;
  point: number[];
  depth: number;
  /** The id of the hyperedge that reached it first. */
  via: string;
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
  /** Opens a space; creates it when options.dims is given and it does not exist. */
  space(name: string, options?: SpaceOptions): Promise<Space>;
  spaces(): Promise<SpaceInfo[]>;
  /** Its points leave every view; their versions stay in the log. */
  dropSpace(name: string): Promise<void>;
  /** Writes a hyperedge; resolves to it with id and seq set. */
  putEdge(edge: EdgeInput): Promise<Edge>;
  deleteEdge(id: string): Promise<void>;
  /** The live hyperedges with an end at (space, point). */
  edgesAt(space: string, point: Point, options?: EdgeQueryOptions): Promise<Edge[]>;
  edgesOfKind(kind: string, options?: ReadOptions): Promise<Edge[]>;
  /** Breadth-first over live hyperedges: every end reached, nearest first. */
  traverseEdges(space: string, point: Point, options?: EdgeTraverseOptions): Promise<EdgeHop[]>;
  checkpoint(): Promise<void>;
  /**
   * Merges the whole index into one checkpoint table, so reads search one
   * sorted run. Rewrites the index (not the log): call it after a bulk load.
   */
  compact(): Promise<void>;
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
