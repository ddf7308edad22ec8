// Database: the public API of cairndb over one wasm engine handle. Shared by
// every host entry (Node, browser worker). Validates arguments in JS (types,
// values JSON cannot hold), hands strings to the bindings (wasm/bindings.cc)
// and turns their results into plain objects and their failures into
// CairnError.
import { CairnError, invalid } from './errors.js';
import * as spaces from './space.js';

const HEX64 = /^[0-9a-fA-F]{64}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function unwrap(r) {
  if (r !== null && typeof r === 'object') throw new CairnError(r.code, r.message);
  return r;
}

function parsed(r) {
  const v = unwrap(r);
  return v === null ? null : JSON.parse(v);
}

// The versions' data: the JSON array after 0x1D that ends the bindings'
// answer (wasm/bindings.cc, AppendData).
function trailingData(text) {
  return JSON.parse(text.slice(text.indexOf('\x1d') + 1));
}

// Decodes the version records the bindings wrote to their output buffer
// (wasm/bindings.cc, AppendRecords): records end with 0x1E, fields with
// 0x1F, and after the records, past 0x1D, the versions' data is one JSON
// array (one JSON.parse for all of them costs less than one per version).
function parseVersions(text, withDepth = false) {
  const data = trailingData(text);
  // Each field is cut out at the next separator's position: no array of
  // fields per record (a split) for the collector to take back.
  const out = new Array(data.length);
  let at = 0;
  const next = () => {
    const end = text.indexOf('\x1f', at);
    const f = text.slice(at, end);
    at = end + 1;
    return f;
  };
  for (let i = 0; i < data.length; i++) {
    const coll = next();
    const id = next();
    const seq = Number(next());
    const hash = next();
    const prev = next();
    const causedBy = next();
    const ts = Number(next());
    const validFrom = next();
    const validTo = next();
    const deleted = next() === '1';
    const v = {
      coll,
      id,
      seq,
      hash,
      prev: prev === '' ? null : prev,
      causedBy: causedBy === '' ? [] : causedBy.split(','),
      ts,
      validFrom: validFrom === '' ? null : validFrom,
      validTo: validTo === '' ? null : validTo,
      deleted,
      data: data[i],
    };
    if (withDepth) v.depth = Number(next());
    at += 1; // the record's end
    out[i] = v;
  }
  return out;
}

// Decodes putMany's versions in the shorter form the bindings write for a
// batch (wasm/bindings.cc, AppendWritten), with the names packWrites
// checked: the engine stores names as given, so it does not send them back.
// Also used by the browser proxy, which receives putMany's answer as this
// text (one string to copy, not 1,000 objects to clone).
export function parseWritten(text, colls, ids) {
  if (text === '') return []; // the worker's answer to an empty batch
  const data = trailingData(text);
  let at = text.indexOf('\x1f');
  const first = Number(text.slice(0, at));
  const end = text.indexOf('\x1f', at + 1);
  const ts = Number(text.slice(at + 1, end));
  at = end + 1;
  const next = () => {
    const e = text.indexOf('\x1f', at);
    const f = text.slice(at, e);
    at = e + 1;
    return f;
  };
  const out = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const flags = text.charCodeAt(at) - 48;
    const hash = text.slice(at + 1, at + 65);
    at += 65;
    let prev = null;
    if (flags & 1) {
      prev = text.slice(at, at + 64);
      at += 64;
    }
    let causedBy = [];
    let validFrom = null;
    let validTo = null;
    if (flags & 2) {
      const causes = next();
      if (causes !== '') causedBy = causes.split(',');
      validFrom = next() || null;
      validTo = next() || null;
    }
    out[i] = {
      coll: colls[i],
      id: ids[i],
      seq: first + i,
      hash,
      prev,
      causedBy,
      ts,
      validFrom,
      validTo,
      deleted: false,
      data: data[i],
    };
  }
  return out;
}

function readVersions(h, withDepth = false) {
  return parseVersions(decoder.decode(h.output()), withDepth);
}

// The one version a call returned, or null.
function readVersion(h, r) {
  return unwrap(r) === null ? null : readVersions(h)[0];
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function checkName(v, what) {
  if (typeof v !== 'string') throw invalid(`${what} must be a string, got ${describe(v)}`);
  if (v.includes('\0')) throw invalid(`${what} ${JSON.stringify(v)} contains a NUL character`);
  return checkWellFormed(v, what);
}

// Strings cross to the engine as UTF-8, which has no form for half a
// surrogate pair: the encoder would put U+FFFD in its place, and the string
// stored would not be the string given.
export function checkWellFormed(v, what) {
  if (v.isWellFormed()) return v;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && (v.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      i++; // a whole pair
      continue;
    }
    throw invalid(`${what} ${JSON.stringify(v)} holds a lone surrogate (U+${c.toString(16).toUpperCase()} at index ${i}), which UTF-8 cannot encode`);
  }
  return v;
}

function checkSeq(v, what) {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'bigint') v = Number(v);
  if (!Number.isSafeInteger(v) || v < 0) {
    throw invalid(`${what} must be a non-negative integer seq, got ${describe(v)}`);
  }
  return v;
}

function checkCount(v, what, fallback) {
  if (v === undefined || v === null) return fallback;
  if (!Number.isSafeInteger(v) || v < 0) {
    throw invalid(`${what} must be a non-negative integer, got ${describe(v)}`);
  }
  return v;
}

function checkHash(v, what) {
  if (typeof v !== 'string' || !HEX64.test(v)) {
    throw invalid(`${what} must be a version hash (64 hex digits), got ${describe(v)}`);
  }
  return v;
}

function checkObject(v, what) {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw invalid(`${what} must be an object, got ${describe(v)}`);
  }
  return v;
}

// True when JSON.stringify(v) would hold exactly v: no BigInt, function,
// symbol, undefined (outside an object property), NaN, Infinity or cycle.
// Builds no strings, so the common case costs one pass.
function jsonSafe(v, stack) {
  if (v !== null && typeof v === 'object' && typeof v.toJSON === 'function') v = v.toJSON();
  const t = typeof v;
  if (t === 'string' || t === 'boolean' || v === null) return true;
  if (t === 'number') return Number.isFinite(v);
  if (t !== 'object') return false;
  if (stack.includes(v)) return false;
  stack.push(v);
  let ok = true;
  if (Array.isArray(v)) {
    for (let i = 0; ok && i < v.length; i++) ok = jsonSafe(v[i], stack);
  } else {
    for (const k in v) {
      if (!Object.hasOwn(v, k) || v[k] === undefined) continue; // left out, as JSON.stringify does
      if (!(ok = jsonSafe(v[k], stack))) break;
    }
  }
  stack.pop();
  return ok;
}

// The INVALID_ARGUMENT naming the path of the first value JSON cannot hold.
function jsonError(value, where) {
  const stack = [];
  const walk = (v, at) => {
    if (v !== null && typeof v === 'object' && typeof v.toJSON === 'function') v = v.toJSON();
    switch (typeof v) {
      case 'number':
        if (!Number.isFinite(v)) throw invalid(`${at} is ${v}, which JSON cannot hold`);
        return;
      case 'bigint':
        throw invalid(`${at} is a BigInt, which JSON cannot hold (use a string or a number)`);
      case 'undefined':
        throw invalid(`${at} is undefined, which JSON cannot hold`);
      case 'function':
      case 'symbol':
        throw invalid(`${at} is a ${typeof v}, which JSON cannot hold`);
      case 'object':
        break;
      default:
        return;
    }
    if (v === null) return;
    if (stack.includes(v)) throw invalid(`${at} refers back to itself (a cycle), which JSON cannot hold`);
    stack.push(v);
    if (Array.isArray(v)) {
      v.forEach((e, i) => walk(e, `${at}[${i}]`));
    } else {
      for (const [k, e] of Object.entries(v)) if (e !== undefined) walk(e, `${at}.${k}`);
    }
    stack.pop();
  };
  walk(value, where);
  return invalid(`${where} cannot be held by JSON`);
}

// A document already turned into JSON text by toJsonText in another thread
// (js/src/wire.js): passed to the engine as it is, not parsed and written
// again. Only the worker makes one, for put, from text the proxy made (a
// putMany batch arrives packed, packWrites having stringified it).
export class JsonText {
  constructor(text) {
    this.text = text;
  }
}

// A JSON value's text, or INVALID_ARGUMENT naming the path of the first
// value JSON cannot hold.
export function toJsonText(value, where) {
  if (value instanceof JsonText) return value.text;
  if (!jsonSafe(value, [])) throw jsonError(value, where);
  return JSON.stringify(value);
}

// A putMany batch in the engine's encoding (wasm/bindings.cc, PutMany): the
// documents as one JSON array, then NUL, then five fields per op, each
// ended by NUL; '' for an empty batch. One JSON.stringify of all the
// documents costs far less than one per document. Checks each op as
// putMany does, so the browser proxy, which packs in the page, fails on a
// bad op with the same message as Node. Returns { packed, colls, ids }:
// the names as checked, which parseWritten puts in the versions.
export function packWrites(ops) {
  if (!Array.isArray(ops)) throw invalid(`putMany takes an array of writes, got ${describe(ops)}`);
  if (ops.length === 0) return { packed: '', colls: [], ids: [] };
  const docs = new Array(ops.length);
  const colls = new Array(ops.length);
  const ids = new Array(ops.length);
  let heads = '';
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op === null || typeof op !== 'object' || Array.isArray(op)) {
      throw invalid(`ops[${i}] must be an object { coll, id, doc, causedBy?, validFrom?, validTo? }, got ${describe(op)}`);
    }
    // In put()'s order: the names, the document, then the options.
    const coll = checkName(op.coll, `ops[${i}].coll`);
    const id = checkName(op.id, `ops[${i}].id`);
    const doc = op.doc;
    if (!jsonSafe(doc, [])) throw jsonError(doc, `ops[${i}].doc`);
    docs[i] = doc;
    colls[i] = coll;
    ids[i] = id;
    // The common op names no causes and no validity: its last three fields
    // are empty, and writeArgs has nothing to check.
    let rest = '\0\0\0';
    if (op.causedBy != null || op.validFrom != null || op.validTo != null) {
      const [causedBy, from, to] = writeArgs(op, `ops[${i}]`);
      rest = `${causedBy}\0${from ?? ''}\0${to ?? ''}\0`;
    }
    heads += coll + '\0' + id + '\0' + rest;
  }
  return { packed: JSON.stringify(docs) + '\0' + heads, colls, ids };
}

// The worker's name for putMany taking a packed batch.
export const putPackedText = Symbol('putPackedText');

function writeArgs(options, what) {
  const o = checkObject(options, what);
  let causedBy = '';
  if (o.causedBy !== undefined && o.causedBy !== null) {
    if (!Array.isArray(o.causedBy)) {
      throw invalid(`${what}.causedBy must be an array of version hashes, got ${describe(o.causedBy)}`);
    }
    causedBy = o.causedBy.map((h, i) => checkHash(h, `${what}.causedBy[${i}]`)).join(',');
  }
  const time = (v, name) => {
    if (v === undefined || v === null) return null;
    if (v instanceof Date) {
      if (Number.isNaN(v.getTime())) throw invalid(`${what}.${name} is an invalid Date`);
      return v.toISOString();
    }
    if (typeof v !== 'string') {
      throw invalid(`${what}.${name} must be an ISO-8601 string or a Date, got ${describe(v)}`);
    }
    return v;
  };
  return [causedBy, time(o.validFrom, 'validFrom'), time(o.validTo, 'validTo')];
}

const finalizer = new FinalizationRegistry((handle) => {
  // A database dropped without close(): release its engine and lock.
  handle.close();
  handle.delete();
});

export class Database {
  #handle;

  constructor(handle) {
    this.#handle = handle;
    finalizer.register(this, handle, this);
  }

  #h() {
    if (!this.#handle) throw new CairnError('CLOSED', 'the database is closed');
    return this.#handle;
  }

  async put(coll, id, doc, options) {
    const h = this.#h();
    checkName(coll, 'coll');
    checkName(id, 'id');
    const text = toJsonText(doc, 'doc');
    const [causedBy, from, to] = writeArgs(options, 'options');
    return readVersion(h, h.put(coll, id, text, causedBy, from, to));
  }

  async putMany(ops) {
    const h = this.#h();
    const { packed, colls, ids } = packWrites(ops);
    if (packed === '') return [];
    this.#putPacked(h, packed);
    return parseWritten(decoder.decode(h.output()), colls, ids);
  }

  // The worker's putMany: a batch packWrites made in the page, answered
  // with the versions' text (parseWritten reads it there).
  async [putPackedText](packed) {
    const h = this.#h();
    if (typeof packed !== 'string') throw invalid('putMany: the batch did not cross to the worker');
    if (packed === '') return '';
    this.#putPacked(h, packed);
    return decoder.decode(h.output());
  }

  #putPacked(h, packed) {
    // The batch crosses as UTF-8 bytes written straight into wasm memory.
    const bound = packed.length * 3;
    const { written } = encoder.encodeInto(packed, h.inputBuffer(bound));
    unwrap(h.putMany(written));
  }

  async delete(coll, id, options) {
    const h = this.#h();
    const [causedBy, from, to] = writeArgs(options, 'options');
    return readVersion(h, h.deleteDoc(checkName(coll, 'coll'), checkName(id, 'id'), causedBy, from, to));
  }

  async get(coll, id, options) {
    const h = this.#h();
    const o = checkObject(options, 'options');
    const found = h.get(checkName(coll, 'coll'), checkName(id, 'id'), checkSeq(o.asOf, 'options.asOf') ?? -1);
    if (found < 0) unwrap(h.lastError());
    return found === 0 ? null : readVersions(h)[0];
  }

  async getByHash(hash) {
    const h = this.#h();
    return readVersion(h, h.getByHash(checkHash(hash, 'hash')));
  }

  async history(coll, id) {
    const h = this.#h();
    unwrap(h.history(checkName(coll, 'coll'), checkName(id, 'id')));
    return readVersions(h);
  }

  async list(coll, options) {
    const h = this.#h();
    const o = checkObject(options, 'options');
    let startAfter;
    if (o.startAfter !== undefined && o.startAfter !== null) startAfter = checkName(o.startAfter, 'options.startAfter');
    unwrap(
      h.list(
        checkName(coll, 'coll'),
        checkSeq(o.asOf, 'options.asOf'),
        checkCount(o.limit, 'options.limit', -1),
        checkCount(o.offset, 'options.offset', 0),
        startAfter,
      ),
    );
    return readVersions(h);
  }

  // Every write in seq order from `fromSeq` (tombstones included).
  async versions(fromSeq = 1, options) {
    const h = this.#h();
    const o = checkObject(options, 'options');
    const from = checkSeq(fromSeq, 'fromSeq') ?? 1;
    unwrap(h.versions(from, checkCount(o.limit, 'options.limit', -1)));
    return readVersions(h);
  }

  async collections() {
    return parsed(this.#h().collections());
  }

  // The causal chain of a version, breadth-first: [{ ...version, depth }].
  async trace(hash, options) {
    const h = this.#h();
    const o = checkObject(options, 'options');
    if (o.reverse !== undefined && typeof o.reverse !== 'boolean') {
      throw invalid(`options.reverse must be a boolean, got ${describe(o.reverse)}`);
    }
    unwrap(
      h.trace(
        checkHash(hash, 'hash'),
        o.reverse === true,
        checkCount(o.depth, 'options.depth', -1),
        checkCount(o.limit, 'options.limit', -1),
        checkSeq(o.asOf, 'options.asOf'),
      ),
    );
    return readVersions(h, true);
  }

  // Runs an NQL query: { rows, count, seq, head } (and plan, for EXPLAIN and
  // every query).
  async query(nql) {
    const h = this.#h();
    if (typeof nql !== 'string') throw invalid(`query takes NQL text, got ${describe(nql)}`);
    const r = parsed(h.query(nql));
    return { rows: r.rows, count: r.rows.length, seq: r.seq, head: r.head, plan: r.plan };
  }

  // A secondary index on a field (a dotted path) of a collection.
  async createIndex(coll, field) {
    const h = this.#h();
    unwrap(h.createIndex(checkName(coll, 'coll'), checkName(field, 'field')));
  }

  // The full-text index of a collection (SEARCH uses it).
  async createTextIndex(coll) {
    unwrap(this.#h().createTextIndex(checkName(coll, 'coll')));
  }

  async dropIndex(coll, field) {
    const h = this.#h();
    unwrap(h.dropIndex(checkName(coll, 'coll'), field === null ? '*text' : checkName(field, 'field')));
  }

  async indexes() {
    return parsed(this.#h().indexes());
  }

  // A named, directed link between two documents ("coll:id").
  async link(from, rel, to) {
    const h = this.#h();
    return readVersion(h, h.link(checkName(from, 'from'), checkName(rel, 'rel'), checkName(to, 'to'), true));
  }

  async unlink(from, rel, to) {
    const h = this.#h();
    return readVersion(h, h.link(checkName(from, 'from'), checkName(rel, 'rel'), checkName(to, 'to'), false));
  }

  // The nodes one `rel` link away ({ reverse }: linking to `node`).
  async neighbors(node, rel, options) {
    const h = this.#h();
    const o = checkObject(options, 'options');
    if (o.reverse !== undefined && typeof o.reverse !== 'boolean') {
      throw invalid(`options.reverse must be a boolean, got ${describe(o.reverse)}`);
    }
    return parsed(h.neighbors(checkName(node, 'node'), checkName(rel, 'rel'), o.reverse === true,
      checkSeq(o.asOf, 'options.asOf')));
  }

  async head() {
    return parsed(this.#h().head()).head;
  }

  async seq() {
    return parsed(this.#h().head()).seq;
  }

  async verify() {
    return parsed(this.#h().verify());
  }

  async stats() {
    return parsed(this.#h().stats());
  }

  // ---- spaces and hyperedges (js/src/space.js)

  // Opens space `name`, creating it when options.dims is given and it does
  // not exist (options.bits: default 32). NOT_FOUND without dims when there
  // is no such space; INVALID_ARGUMENT when it exists with other dims/bits.
  async space(name, options) {
    return spaces.openSpace(() => this.#h(), name, options);
  }

  // [{ name, dims, bits, createdSeq }]
  async spaces() {
    return spaces.listSpaces(this.#h());
  }

  async dropSpace(name) {
    spaces.dropSpace(this.#h(), name);
  }

  async putEdge(edge) {
    return spaces.putEdge(this.#h(), edge);
  }

  async deleteEdge(id) {
    spaces.deleteEdge(this.#h(), id);
  }

  async edgesAt(space, point, options) {
    return spaces.edgesAt(this.#h(), space, point, options);
  }

  async edgesOfKind(kind, options) {
    return spaces.edgesOfKind(this.#h(), kind, options);
  }

  async traverseEdges(space, point, options) {
    return spaces.traverseEdges(this.#h(), space, point, options);
  }

  async checkpoint() {
    unwrap(this.#h().checkpoint());
  }

  async compact() {
    unwrap(this.#h().compact());
  }

  async sync() {
    unwrap(this.#h().sync());
  }

  get closed() {
    return this.#handle === null;
  }

  // Syncs, checkpoints when worthwhile and releases the lock. Idempotent.
  async close() {
    if (!this.#handle) return;
    const h = this.#handle;
    this.#handle = null;
    finalizer.unregister(this);
    const r = h.close();
    h.delete();
    unwrap(r);
  }

  async [Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose')]() {
    await this.close();
  }
}

// For js/src/space.js.
export { unwrap, parsed, describe, checkName, checkSeq, checkCount, checkObject };
