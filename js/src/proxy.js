// The main thread's side of cairndb in a browser: a channel to the database
// worker (js/src/worker.js) and RemoteDatabase, the proxy with the methods
// of the Node Database class (js/src/database.js). Every method returns a
// promise; failures are CairnError with the same codes and messages as in
// Node.
import { CairnError, invalid } from './errors.js';
import { packWrites, parseWritten } from './database.js';
import { encodeDoc } from './wire.js';

// An answer as a call returns it: putMany's versions text, parsed with
// the names of its batch (p.names, kept by the request).
function readAnswer(answer, p) {
  return answer.versions !== undefined ? { value: parseWritten(answer.versions, p.names.colls, p.names.ids) } : answer;
}

// Requests to one worker, matched to answers by id.
export class WorkerChannel {
  #worker;
  #pending = new Map();
  #nextId = 1;
  #failure = null;

  constructor(worker) {
    this.#worker = worker;
    worker.onmessage = (event) => {
      const { id, error, early, settled, ...answer } = event.data;
      const p = this.#pending.get(id);
      if (!p) return;
      if (early) {
        // Read now, while the worker waits for the commit; kept until
        // the answer confirms it.
        p.early = readAnswer(early, p);
        return;
      }
      this.#pending.delete(id);
      if (error) p.reject(new CairnError(error.code, error.message));
      else p.resolve(settled ? p.early : readAnswer(answer, p));
    };
    const stop = (what) => {
      this.#failure = new CairnError('INTERNAL', `the database worker stopped: ${what}`);
      for (const p of this.#pending.values()) p.reject(this.#failure);
      this.#pending.clear();
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      stop(event.message || 'it failed to load or threw');
    };
    worker.onmessageerror = () => stop('an answer could not be read');
  }

  // Sends one request; resolves to its answer: { value }, or for calls
  // also { remote } or { array } (js/src/worker.js, answerOf). `what` names
  // the call in errors; `names`, for a putMany, its batch's names.
  request(message, what, names = null) {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, names });
      try {
        this.#worker.postMessage({ id, ...message });
      } catch (e) {
        this.#pending.delete(id);
        reject(invalid(`${what}: an argument cannot be sent to the database worker (${e?.name}: ${e?.message})`));
      }
    });
  }

  terminate() {
    this.#worker.terminate();
    this.#failure ??= new CairnError('CLOSED', 'the database is closed');
  }
}

// A proxy of an object kept in the worker: the database (target 0) or an
// object one of its calls returned, such as a space, which works while its
// database is open.
class RemoteObject {
  #channel;
  #target;

  constructor(channel, target, methods) {
    this.#channel = channel;
    this.#target = target;
    // Methods the worker's object has beyond the ones the class spells out
    // (e.g. a space's) are forwarded as they are.
    for (const m of methods) {
      if (!(m in this)) Object.defineProperty(this, m, { value: (...args) => this.call(m, args) });
    }
  }

  async call(method, args, names = null) {
    const { value, remote, array } = await this.#channel.request({ op: 'call', target: this.#target, method, args }, method, names);
    if (remote) return Object.assign(new RemoteObject(this.#channel, remote.id, remote.methods), remote.fields);
    if (array) {
      for (const [key, descriptor] of array.props) Object.defineProperty(array.items, key, descriptor);
      return array.items;
    }
    return value;
  }
}

export class RemoteDatabase extends RemoteObject {
  #channel;
  #closed = false;

  // `info`: the worker's answer to open: { storage, methods }.
  constructor(channel, info, persisted) {
    super(channel, 0, info.methods);
    this.#channel = channel;
    /** The storage in use: 'opfs', 'idb' or 'memory'. */
    this.storage = info.storage;
    /** Whether the browser granted persistent storage (navigator.storage.persist()). */
    this.persisted = persisted;
  }

  get closed() {
    return this.#closed;
  }

  async call(method, args, names = null) {
    if (this.#closed) throw new CairnError('CLOSED', 'the database is closed');
    return super.call(method, args, names);
  }

  // Documents are encoded here (js/src/wire.js), a putMany batch packed
  // here (packWrites); async, so that anything they throw rejects the
  // promise.
  async put(coll, id, doc, options) {
    return this.call('put', [coll, id, encodeDoc(doc, 'doc'), options]);
  }
  async putMany(ops) {
    if (this.#closed) throw new CairnError('CLOSED', 'the database is closed');
    const { packed, colls, ids } = packWrites(ops);
    return this.call('putMany', [{ packed }], { colls, ids });
  }
  delete(coll, id, options) {
    return this.call('delete', [coll, id, options]);
  }
  get(coll, id, options) {
    return this.call('get', [coll, id, options]);
  }
  getByHash(hash) {
    return this.call('getByHash', [hash]);
  }
  history(coll, id) {
    return this.call('history', [coll, id]);
  }
  list(coll, options) {
    return this.call('list', [coll, options]);
  }
  versions(fromSeq, options) {
    return this.call('versions', [fromSeq, options]);
  }
  collections() {
    return this.call('collections', []);
  }
  trace(hash, options) {
    return this.call('trace', [hash, options]);
  }
  query(nql) {
    return this.call('query', [nql]);
  }
  createIndex(coll, field) {
    return this.call('createIndex', [coll, field]);
  }
  createTextIndex(coll) {
    return this.call('createTextIndex', [coll]);
  }
  dropIndex(coll, field) {
    return this.call('dropIndex', [coll, field]);
  }
  indexes() {
    return this.call('indexes', []);
  }
  link(from, rel, to) {
    return this.call('link', [from, rel, to]);
  }
  unlink(from, rel, to) {
    return this.call('unlink', [from, rel, to]);
  }
  neighbors(node, rel, options) {
    return this.call('neighbors', [node, rel, options]);
  }
  head() {
    return this.call('head', []);
  }
  seq() {
    return this.call('seq', []);
  }
  verify() {
    return this.call('verify', []);
  }
  stats() {
    return this.call('stats', []);
  }
  checkpoint() {
    return this.call('checkpoint', []);
  }

  compact() {
    return this.call('compact', []);
  }
  sync() {
    return this.call('sync', []);
  }

  // Every file of the database, { fileName: Uint8Array }, as of every write
  // acknowledged so far: a native database directory's contents (write
  // them into a directory and the cairn CLI opens it).
  async exportFiles() {
    if (this.closed) throw new CairnError('CLOSED', 'the database is closed');
    return (await this.#channel.request({ op: 'export' }, 'exportFiles')).value;
  }

  // Closes the database (syncs, checkpoints when worthwhile, releases the
  // lock) and stops its worker. Idempotent; every later call fails with
  // CLOSED.
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await super.call('close', []);
    } finally {
      this.#channel.terminate();
    }
  }

  async [Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose')]() {
    await this.close();
  }
}
