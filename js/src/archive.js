// A database's files as one archive: a POSIX ustar tar of { fileName:
// Uint8Array }, so a browser's export can be offered as one download and
// unpacked next to the cairn CLI (`tar -xf app.tar -C ./data`), and a
// native directory packed with `tar -cf` can be imported. Regular files
// only; names are the flat file names of a database directory.
import { invalid } from './errors.js';

const BLOCK = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function octal(value, width) {
  return value.toString(8).padStart(width - 1, '0');
}

function header(name, size) {
  const h = new Uint8Array(BLOCK);
  const put = (text, at) => h.set(encoder.encode(text), at);
  const n = encoder.encode(name);
  if (n.length > 100) throw invalid(`archive: file name ${JSON.stringify(name)} is longer than 100 bytes`);
  h.set(n, 0);
  put(octal(0o644, 8), 100);
  put(octal(0, 8), 108);
  put(octal(0, 8), 116);
  put(octal(size, 12), 124);
  put(octal(Math.floor(Date.now() / 1000), 12), 136);
  put('        ', 148);
  put('0', 156);
  put('ustar\x0000', 257);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${octal(sum, 7)}\0`, 148);
  return h;
}

export function filesToTar(files) {
  const parts = [];
  for (const [name, bytes] of Object.entries(files)) {
    if (!(bytes instanceof Uint8Array)) throw invalid(`archive: files[${JSON.stringify(name)}] must be a Uint8Array`);
    parts.push(header(name, bytes.length), bytes, new Uint8Array((BLOCK - (bytes.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function field(h, at, width) {
  const end = h.subarray(at, at + width).indexOf(0);
  return decoder.decode(h.subarray(at, end < 0 ? at + width : at + end));
}

export function tarToFiles(tar) {
  if (!(tar instanceof Uint8Array)) throw invalid('archive: tarToFiles takes a Uint8Array');
  const files = {};
  let at = 0;
  while (at + BLOCK <= tar.length) {
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    const recorded = parseInt(field(h, 148, 8).trim(), 8);
    if (recorded !== sum) throw invalid(`archive: bad header checksum at byte ${at}`);
    const prefix = field(h, 345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(h, 0, 100);
    const size = parseInt(field(h, 124, 12).trim(), 8);
    const type = String.fromCharCode(h[156] || 48);
    if (!Number.isSafeInteger(size) || at + BLOCK + size > tar.length) {
      throw invalid(`archive: entry ${JSON.stringify(name)} at byte ${at} runs past the end`);
    }
    const base = name.replace(/^(\.\/)+/, '');
    if ((type === '0' || type === '7') && base !== 'LOCK' && !base.includes('/')) {
      files[base] = tar.slice(at + BLOCK, at + BLOCK + size);
    }
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}
