// cairndb for Node: the engine compiled to WebAssembly (CommonJS glue loaded
// through createRequire), storing a database in a directory through node:fs.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { NodeStorage } from '../dist/backends/node-storage.js';
import { MemoryStorage } from '../dist/backends/memory-storage.js';
import { bridgeStorage } from './bridge.js';
import { Database } from './database.js';
import { CairnError, ErrorCodes, invalid } from './errors.js';
import { engineOptions } from './options.js';

export { CairnError, ErrorCodes, Database };

const require = createRequire(import.meta.url);
let modulePromise = null;

// The wasm module, instantiated once per process. The .wasm bytes are read
// here and passed in: the glue's own loader would fetch() a file path.
export function loadModule() {
  if (!modulePromise) {
    const createCairnModule = require('../dist/cairn-node.cjs');
    const wasmBinary = fs.readFileSync(new URL('../dist/cairn-node.wasm', import.meta.url));
    modulePromise = createCairnModule({ wasmBinary });
  }
  return modulePromise;
}

// open('./data') or open({ path, storage: 'node' | 'memory', durability, ... })
export async function open(target, options) {
  let o;
  if (typeof target === 'string') {
    o = { ...(options ?? {}), path: target };
  } else if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
    o = { ...target };
  } else {
    throw invalid(`open takes a directory path or an options object, got ${target === null ? 'null' : typeof target}`);
  }
  const storage = o.storage ?? 'node';
  let backend;
  try {
    if (storage === 'node') {
      if (typeof o.path !== 'string' || o.path.length === 0) {
        throw invalid('open needs a directory path (a non-empty string)');
      }
      backend = new NodeStorage(o.path);
    } else if (storage === 'memory') {
      backend = new MemoryStorage(o.name ?? 'memory');
    } else {
      throw invalid(`unknown storage ${JSON.stringify(storage)} (node | memory)`);
    }
  } catch (e) {
    if (e instanceof CairnError) throw e;
    throw new CairnError(e.cairnCode ?? 'IO_ERROR', e.message);
  }
  const args = engineOptions(o);
  const module = await loadModule();
  const handle = new module.Database();
  const r = handle.open(bridgeStorage(backend), ...args);
  if (r !== null) {
    handle.delete();
    throw new CairnError(r.code, r.message);
  }
  return new Database(handle);
}

// BLAKE2b-256 of bytes, as hex, computed by the wasm engine.
export async function blake2b256(bytes) {
  if (!(bytes instanceof Uint8Array)) throw invalid('blake2b256 takes a Uint8Array');
  return (await loadModule()).blake2b256Hex(bytes);
}
