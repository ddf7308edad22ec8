// Spaces and hyperedges: the Space class (one named set of N-dimensional
// points, README "Spaces in cairndb") and the hyperedge calls of Database.
// Validates arguments in JS and moves points, payloads and records through
// the word buffers of wasm/space_codec.h: a batch or an answer of any size
// crosses in one embind call, and records are decoded here.
//
// A Space holds no wasm memory of its own (only its database's handle), so
// it has nothing to close: it stops working when its database is closed.
import { CairnError, invalid } from './errors.js';
import { checkCount, checkName, checkObject, checkSeq, checkWellFormed, describe, parsed, toJsonText, unwrap } from './database.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_COORDINATE = 0xffffffff;
const TWO_32 = 4294967296;
const STRATEGIES = ['prefer-target', 'prefer-source', 'latest-wins', 'report'];
// Record flags (wasm/space_codec.h).
const BINARY = 1;
const DELETED = 2;
const HAS_DISTANCE = 4;
const ABSENT = 8;
// Write kinds.
const WRITE_JSON = 0;
const WRITE_BYTES = 1;
const WRITE_DELETE = 2;

function describeValue(v) {
  return typeof v === 'number' ? String(v) : describe(v);
}

// A point: an array of integers in [0, 2^32) or a Uint32Array. With `dims`,
// it must have exactly that many coordinates (at most that many for a
// prefix). Returns the coordinates.
export function checkPoint(v, what, dims, spaceName, prefix = false) {
  if (!(v instanceof Uint32Array)) {
    if (!Array.isArray(v)) {
      throw invalid(`${what} must be an array of coordinates (or a Uint32Array), got ${describe(v)}`);
    }
    for (let i = 0; i < v.length; i++) {
      const c = v[i];
      if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > MAX_COORDINATE) {
        throw invalid(`${what}[${i}] must be an integer from 0 to 4294967295, got ${describeValue(c)}`);
      }
    }
  }
  if (dims !== undefined && (prefix ? v.length > dims : v.length !== dims)) {
    throw invalid(
      `${what} has ${v.length} coordinate${v.length === 1 ? '' : 's'}; space ${JSON.stringify(spaceName)} has ` +
        `${prefix ? 'at most ' : ''}${dims} dimension${dims === 1 ? '' : 's'}`,
    );
  }
  return v;
}

// Writes the points, one after another, to the input words.
function putPoints(h, ...points) {
  let n = 0;
  for (const p of points) n += p.length;
  const w = h.spaceInput(n);
  let at = 0;
  for (const p of points) {
    w.set(p, at);
    at += p.length;
  }
}

// Decodes the records of the last call (wasm/space_codec.h). `tags`, when
// given, receives each record's tag, and absent records decode as null.
// History and diff records carry `deleted`.
function readRecords(h, withDeleted = false, tags = null) {
  const w = h.spaceOutput();
  const count = w[0];
  const jsonBytes = w[1];
  const bytes = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
  const payloads = JSON.parse(decoder.decode(bytes.subarray(8, 8 + jsonBytes)));
  const view = new DataView(w.buffer, w.byteOffset, w.byteLength);
  const out = new Array(count);
  let at = 2 + ((jsonBytes + 3) >>> 2);
  let next = 0;
  for (let i = 0; i < count; i++) {
    const flags = w[at];
    const dims = w[at + 1];
    const seq = w[at + 2] + w[at + 3] * TWO_32;
    at += 4;
    const point = new Array(dims);
    for (let d = 0; d < dims; d++) point[d] = w[at + d];
    at += dims;
    if (tags) tags.push(flags >>> 8);
    if (flags & ABSENT) {
      out[i] = null;
      continue;
    }
    const r = { point, seq, data: null };
    if (flags & HAS_DISTANCE) {
      r.distance = view.getFloat64(at * 4, true);
      at += 2;
    }
    if (flags & BINARY) {
      const len = w[at++];
      r.data = bytes.slice(at * 4, at * 4 + len);
      at += (len + 3) >>> 2;
    } else if (!(flags & DELETED)) {
      r.data = payloads[next++];
    }
    if (withDeleted) r.deleted = (flags & DELETED) !== 0;
    out[i] = r;
  }
  return out;
}

// The seqs a write returned, as (low, high) word pairs.
function readSeqs(h, n) {
  const w = h.spaceOutput();
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = w[2 * i] + w[2 * i + 1] * TWO_32;
  return out;
}

// Encodes write ops { kind, point, data } into the input words; returns the
// number of words used. Payload text is produced before the buffer is
// taken, so a bad payload throws before wasm is touched.
function putWrites(h, ops) {
  let bound = 0;
  for (const op of ops) {
    bound += 3 + op.point.length;
    if (op.bytes) bound += (op.bytes.length + 3) >>> 2;
    else if (op.text !== undefined) bound += ((op.text.length * 3 + 3) >>> 2);
  }
  const w = h.spaceInput(bound);
  const bytes = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
  let at = 0;
  for (const op of ops) {
    w[at++] = op.kind;
    w[at++] = op.point.length;
    w.set(op.point, at);
    at += op.point.length;
    if (op.bytes) {
      w[at++] = op.bytes.length;
      bytes.set(op.bytes, at * 4);
      at += (op.bytes.length + 3) >>> 2;
    } else if (op.text !== undefined) {
      const lenAt = at++;
      const { written } = encoder.encodeInto(op.text, bytes.subarray(at * 4, at * 4 + op.text.length * 3));
      w[lenAt] = written;
      at += (written + 3) >>> 2;
    } else {
      w[at++] = 0;
    }
  }
  return at;
}

function payloadOf(data, where) {
  if (data instanceof Uint8Array) return { kind: WRITE_BYTES, bytes: data };
  return { kind: WRITE_JSON, text: toJsonText(data, where) };
}

function branchOf(o, what = 'options.branch') {
  return o.branch === undefined || o.branch === null ? 'main' : checkName(o.branch, what);
}

function checkBoolean(v, what) {
  if (v !== undefined && v !== null && typeof v !== 'boolean') throw invalid(`${what} must be a boolean, got ${describe(v)}`);
  return v === true;
}

function checkKinds(v, what) {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw invalid(`${what} must be an array of kind names, got ${describe(v)}`);
  return v.map((k, i) => checkName(k, `${what}[${i}]`));
}

function checkRange(v, what, min, max) {
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw invalid(`${what} must be an integer from ${min} to ${max}, got ${describeValue(v)}`);
  }
  return v;
}

// Sets `records.cursor` (a string that resumes after the last record, or
// null when there are no more). Not enumerable, so the array still compares
// and prints as a plain array of records; a host that copies answers between
// threads (structured clone drops it) must carry the cursor itself and call
// this again.
export function attachCursor(records, cursor) {
  Object.defineProperty(records, 'cursor', { value: cursor === '' ? null : cursor, enumerable: false });
  return records;
}

function withCursor(h, cursor) {
  return attachCursor(readRecords(h), cursor);
}

export class Space {
  #handleOf;

  // REQUIRES: `info` describes an existing space; `handleOf` returns the
  // database's open handle or throws CLOSED.
  constructor(handleOf, info) {
    this.#handleOf = handleOf;
    this.name = info.name;
    this.dims = info.dims;
    this.bits = info.bits;
    this.createdSeq = info.createdSeq;
    Object.freeze(this);
  }

  #point(v, what, prefix = false) {
    return checkPoint(v, what, this.dims, this.name, prefix);
  }

  #read(options, paging) {
    const o = checkObject(options, 'options');
    const r = { branch: branchOf(o), asOf: checkSeq(o.asOf, 'options.asOf') };
    if (paging) {
      r.limit = checkCount(o.limit, 'options.limit', -1);
      if (o.cursor !== undefined && o.cursor !== null && typeof o.cursor !== 'string') {
        throw invalid(`options.cursor must be a string from a previous answer, got ${describe(o.cursor)}`);
      }
      r.cursor = o.cursor ?? '';
    }
    return r;
  }

  // Writes a point (replacing its state); returns the write's seq.
  async insert(point, data, options) {
    return (await this.insertMany([{ point, data }], options))[0];
  }

  // Writes every point atomically; returns their seqs in input order.
  async insertMany(points, options) {
    const h = this.#handleOf();
    if (!Array.isArray(points)) throw invalid(`insertMany takes an array of { point, data }, got ${describe(points)}`);
    const branch = branchOf(checkObject(options, 'options'));
    const ops = points.map((p, i) => {
      if (p === null || typeof p !== 'object' || Array.isArray(p)) {
        throw invalid(`points[${i}] must be an object { point, data }, got ${describe(p)}`);
      }
      return { point: this.#point(p.point, `points[${i}].point`), ...payloadOf(p.data, `points[${i}].data`) };
    });
    if (ops.length === 0) return [];
    return readSeqs(h, unwrap(h.spaceWrite(this.name, branch, putWrites(h, ops))));
  }

  // Writes a tombstone; returns its seq. NOT_FOUND when the point is not live.
  async delete(point, options) {
    const h = this.#handleOf();
    const op = { kind: WRITE_DELETE, point: this.#point(point, 'point') };
    const branch = branchOf(checkObject(options, 'options'));
    return readSeqs(h, unwrap(h.spaceWrite(this.name, branch, putWrites(h, [op]))))[0];
  }

  // The live points in the box [min, max] (inclusive), in Hilbert order. The
  // array's `cursor` resumes after its last record (null: no more).
  async bbox(min, max, options) {
    const h = this.#handleOf();
    const lo = this.#point(min, 'min');
    const hi = this.#point(max, 'max');
    const o = this.#read(options, true);
    putPoints(h, lo, hi);
    return withCursor(h, unwrap(h.spaceBox(this.name, o.branch, o.asOf, o.limit, o.cursor, this.dims)));
  }

  // The live points whose leading coordinates equal `prefix`.
  async subscope(prefix, options) {
    const h = this.#handleOf();
    const p = this.#point(prefix, 'prefix', true);
    const o = this.#read(options, true);
    putPoints(h, p);
    return withCursor(h, unwrap(h.spaceSubscope(this.name, o.branch, o.asOf, o.limit, o.cursor, p.length)));
  }

  async count(min, max, options) {
    const h = this.#handleOf();
    const lo = this.#point(min, 'min');
    const hi = this.#point(max, 'max');
    const o = this.#read(options, false);
    putPoints(h, lo, hi);
    return unwrap(h.spaceCount(this.name, o.branch, o.asOf, this.dims));
  }

  // The k live points nearest to `point`, nearest first, with `distance`.
  async nearest(point, k, options) {
    const h = this.#handleOf();
    const p = this.#point(point, 'point');
    if (!Number.isSafeInteger(k) || k < 0) throw invalid(`k must be a non-negative integer, got ${describeValue(k)}`);
    const o = this.#read(options, false);
    putPoints(h, p);
    unwrap(h.spaceNearest(this.name, o.branch, o.asOf, this.dims, k));
    return readRecords(h);
  }

  // Every state of the point, newest first, tombstones included (deleted).
  async history(point, options) {
    const h = this.#handleOf();
    const p = this.#point(point, 'point');
    const branch = branchOf(checkObject(options, 'options'));
    putPoints(h, p);
    unwrap(h.spaceHistory(this.name, branch, this.dims));
    return readRecords(h, true);
  }

  // Creates branch `name` from options.from (default main) as of options.at
  // (default: now).
  async branch(name, options) {
    const h = this.#handleOf();
    const o = checkObject(options, 'options');
    const from = branchOf({ branch: o.from }, 'options.from');
    return parsed(h.createBranch(this.name, checkName(name, 'name'), from, checkSeq(o.at, 'options.at')));
  }

  async branches() {
    return parsed(this.#handleOf().branches(this.name));
  }

  async dropBranch(name) {
    const h = this.#handleOf();
    unwrap(h.dropBranch(this.name, checkName(name, 'name')));
  }

  // What changed from branch `from` to branch `to`.
  async diff(from, to, options) {
    const h = this.#handleOf();
    const o = checkObject(options, 'options');
    unwrap(h.spaceDiff(this.name, checkName(from, 'from'), checkName(to, 'to'), checkSeq(o.asOf, 'options.asOf')));
    const tags = [];
    const records = readRecords(h, false, tags);
    const d = { added: [], removed: [], changed: [] };
    for (let i = 0; i < records.length; i++) {
      if (tags[i] === 0) d.added.push(records[i]);
      else if (tags[i] === 1) d.removed.push(records[i]);
      else d.changed.push({ from: records[i], to: records[++i] });
    }
    return d;
  }

  // Merges branch `source` into `target` with options.strategy.
  async merge(source, target, options) {
    const h = this.#handleOf();
    const o = checkObject(options, 'options');
    const strategy = STRATEGIES.indexOf(o.strategy);
    if (strategy < 0) {
      throw invalid(`options.strategy must be one of ${STRATEGIES.map((s) => `'${s}'`).join(', ')}, got ${describeValue(o.strategy)}`);
    }
    const r = parsed(h.mergeBranch(this.name, checkName(source, 'source'), checkName(target, 'target'), strategy));
    const states = readRecords(h, true, []);
    const conflicts = [];
    for (let i = 0; i + 2 < states.length; i += 3) {
      const [base, src, tgt] = [states[i], states[i + 1], states[i + 2]];
      // A conflict has at least one state: both branches changed the point.
      conflicts.push({ point: (base ?? src ?? tgt).point, base, source: src, target: tgt });
    }
    return { applied: r.applied, conflicts, seq: r.seq };
  }
}

// ---- the Database calls (js/src/database.js delegates here)

export async function openSpace(handleOf, name, options) {
  const h = handleOf();
  checkName(name, 'name');
  const o = checkObject(options, 'options');
  const dims = checkRange(o.dims, 'options.dims', 1, 16);
  const bits = checkRange(o.bits, 'options.bits', 1, 32);
  const existing = parsed(h.spaces()).find((s) => s.name === name);
  if (existing) {
    if ((dims !== undefined && dims !== existing.dims) || (bits !== undefined && bits !== existing.bits)) {
      throw invalid(
        `space ${JSON.stringify(name)} exists with dims ${existing.dims} and bits ${existing.bits}, ` +
          `not dims ${dims ?? existing.dims} and bits ${bits ?? existing.bits}`,
      );
    }
    return new Space(handleOf, existing);
  }
  if (dims === undefined) {
    throw new CairnError('NOT_FOUND', `no space named ${JSON.stringify(name)} (give options.dims to create it)`);
  }
  return new Space(handleOf, parsed(h.createSpace(name, dims, bits ?? 32)));
}

export function listSpaces(h) {
  return parsed(h.spaces());
}

export function dropSpace(h, name) {
  unwrap(h.dropSpace(checkName(name, 'name')));
}

function edgeOf(raw) {
  for (const end of raw.ends) if (end.role === '') end.role = null;
  return raw;
}

// Encodes a hyperedge into the input words (wasm/space_codec.h); returns the
// words used.
function putEdgeWords(h, e) {
  const strings = [];
  const str = (s) => {
    const b = encoder.encode(s);
    strings.push(b);
    return b;
  };
  const id = str(e.id);
  const kind = str(e.kind);
  const ends = e.ends.map((end) => ({ ...end, spaceBytes: str(end.space), roleBytes: str(end.role) }));
  const meta = e.meta.map(([k, v]) => [str(k), str(v)]);
  let words = 2 + 3 + 3 + 1 + 1;
  for (const b of strings) words += 1 + ((b.length + 3) >>> 2);
  for (const end of ends) words += 2 + end.point.length;
  const w = h.spaceInput(words);
  const bytes = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
  const view = new DataView(w.buffer, w.byteOffset, w.byteLength);
  let at = 0;
  const putBytes = (b) => {
    w[at++] = b.length;
    bytes.set(b, at * 4);
    at += (b.length + 3) >>> 2;
  };
  const putSeq = (v) => {
    w[at++] = v === undefined ? 0 : 1;
    w[at++] = v === undefined ? 0 : v % TWO_32;
    w[at++] = v === undefined ? 0 : Math.floor(v / TWO_32);
  };
  putBytes(id);
  putBytes(kind);
  view.setFloat64(at * 4, e.weight, true);
  at += 2;
  putSeq(e.validFrom);
  putSeq(e.validTo);
  w[at++] = ends.length;
  for (const end of ends) {
    putBytes(end.spaceBytes);
    putBytes(end.roleBytes);
    w[at++] = end.dir === 'tail' ? 1 : end.dir === 'head' ? 2 : 0;
    w[at++] = end.point.length;
    w.set(end.point, at);
    at += end.point.length;
  }
  w[at++] = meta.length;
  for (const [k, v] of meta) {
    putBytes(k);
    putBytes(v);
  }
  return at;
}

export function putEdge(h, edge) {
  if (edge === null || typeof edge !== 'object' || Array.isArray(edge)) {
    throw invalid(`putEdge takes an object { id?, kind, ends, weight?, meta?, validFrom?, validTo? }, got ${describe(edge)}`);
  }
  const e = {
    id: edge.id === undefined || edge.id === null ? '' : checkName(edge.id, 'edge.id'),
    kind: checkName(edge.kind, 'edge.kind'),
    weight: edge.weight === undefined || edge.weight === null ? 1 : edge.weight,
    validFrom: checkSeq(edge.validFrom, 'edge.validFrom'),
    validTo: checkSeq(edge.validTo, 'edge.validTo'),
    meta: [],
  };
  if (typeof e.weight !== 'number' || !Number.isFinite(e.weight)) {
    throw invalid(`edge.weight must be a finite number, got ${describeValue(edge.weight)}`);
  }
  if (!Array.isArray(edge.ends)) throw invalid(`edge.ends must be an array of endpoints, got ${describe(edge.ends)}`);
  e.ends = edge.ends.map((end, i) => {
    const at = `edge.ends[${i}]`;
    if (end === null || typeof end !== 'object' || Array.isArray(end)) {
      throw invalid(`${at} must be an object { space, point, role?, dir? }, got ${describe(end)}`);
    }
    if (end.dir !== undefined && end.dir !== null && end.dir !== 'tail' && end.dir !== 'head') {
      throw invalid(`${at}.dir must be 'tail', 'head' or null, got ${describeValue(end.dir)}`);
    }
    return {
      space: checkName(end.space, `${at}.space`),
      point: checkPoint(end.point, `${at}.point`),
      role: end.role === undefined || end.role === null ? '' : checkName(end.role, `${at}.role`),
      dir: end.dir ?? null,
    };
  });
  if (edge.meta !== undefined && edge.meta !== null) {
    const meta = checkObject(edge.meta, 'edge.meta');
    for (const [k, v] of Object.entries(meta)) {
      if (typeof v !== 'string') throw invalid(`edge.meta.${k} must be a string, got ${describe(v)}`);
      checkWellFormed(k, 'edge.meta key');
      e.meta.push([k, checkWellFormed(v, `edge.meta.${k}`)]);
    }
  }
  return edgeOf(parsed(h.putEdge(putEdgeWords(h, e))));
}

export function deleteEdge(h, id) {
  unwrap(h.deleteEdge(checkName(id, 'id')));
}

export function edgesAt(h, space, point, options) {
  const o = checkObject(options, 'options');
  const p = checkPoint(point, 'point');
  const name = checkName(space, 'space');
  const kinds = checkKinds(o.kinds, 'options.kinds');
  const asOf = checkSeq(o.asOf, 'options.asOf');
  putPoints(h, p);
  return parsed(h.edgesAt(name, p.length, asOf, kinds)).map(edgeOf);
}

export function edgesOfKind(h, kind, options) {
  const o = checkObject(options, 'options');
  return parsed(h.edgesOfKind(checkName(kind, 'kind'), checkSeq(o.asOf, 'options.asOf'))).map(edgeOf);
}

export function traverseEdges(h, space, point, options) {
  const o = checkObject(options, 'options');
  const p = checkPoint(point, 'point');
  const name = checkName(space, 'space');
  const kinds = checkKinds(o.kinds, 'options.kinds');
  const depth = checkCount(o.depth, 'options.depth', 1);
  const limit = checkCount(o.limit, 'options.limit', -1);
  const directed = checkBoolean(o.directed, 'options.directed');
  const asOf = checkSeq(o.asOf, 'options.asOf');
  putPoints(h, p);
  return parsed(h.traverseEdges(name, p.length, asOf, kinds, depth, limit, directed));
}
