// Engine options shared by every host: validates the user's options and
// returns the positional arguments of the bindings' open().
import { invalid } from './errors.js';

const KNOWN = new Set(['path', 'name', 'storage', 'durability', 'cacheBytes', 'segmentBytes',
  'checkpointBytes', 'createIfMissing']);

function size(o, key, fallback, min) {
  const v = o[key];
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < min) {
    throw invalid(`options.${key} must be an integer of at least ${min}, got ${String(v)}`);
  }
  return v;
}

export function engineOptions(o) {
  for (const k of Object.keys(o)) {
    if (!KNOWN.has(k)) throw invalid(`unknown option ${JSON.stringify(k)}`);
  }
  const durability = o.durability ?? 'strict';
  if (durability !== 'strict' && durability !== 'relaxed') {
    throw invalid(`options.durability must be "strict" or "relaxed", got ${JSON.stringify(durability)}`);
  }
  if (o.createIfMissing !== undefined && typeof o.createIfMissing !== 'boolean') {
    throw invalid('options.createIfMissing must be a boolean');
  }
  return [
    durability === 'relaxed' ? 1 : 0,
    size(o, 'cacheBytes', 64 << 20, 0),
    size(o, 'segmentBytes', 64 << 20, 64 << 10),
    size(o, 'checkpointBytes', 32 << 20, 64 << 10),
    o.createIfMissing ?? true,
  ];
}
