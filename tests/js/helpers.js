// Shared helpers of the JS tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cliPath = process.env.CAIRN_CLI ?? path.join(repoRoot, 'build/release/cairn');

// A fresh directory, removed when the process exits.
export function tempDir(prefix = 'cairndb-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
