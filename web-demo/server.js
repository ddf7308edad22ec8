// A small static file server (node:http, no dependencies) for the web demo
// and the browser tests. It serves directories of this repository under URL
// prefixes, with the MIME types module workers and WebAssembly need, and
// nothing outside them. No COOP/COEP headers: cairndb does not need them.
// Responses carry an ETag (size and modification time), and a request that
// names the current one gets 304, so a browser revalidates its cached copy
// instead of downloading the .wasm again (and can reuse its compiled code).
//
// As a program (npm start runs it): node web-demo/server.js [port]
// serves the demo at / and the cairndb package at /cairndb/, prints the URL
// and keeps serving.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8',
};

// The demo's mounts: URL prefix -> directory (relative to the repo root).
export const demoMounts = { '/cairndb/': 'js', '/': 'web-demo' };

// The file a URL path names under `mounts`, or null. Longest prefix first;
// paths that would leave their directory are refused.
function resolve(mounts, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  for (const prefix of Object.keys(mounts).sort((a, b) => b.length - a.length)) {
    if (!decoded.startsWith(prefix)) continue;
    const dir = path.resolve(repoRoot, mounts[prefix]);
    let file = path.resolve(dir, `.${path.sep}${decoded.slice(prefix.length)}`);
    if (file !== dir && !file.startsWith(dir + path.sep)) return null;
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    return file;
  }
  return null;
}

// Starts serving `mounts` on 127.0.0.1:`port` (0: any free port). Resolves
// to { server, url }.
export function startServer(mounts = demoMounts, port = 0) {
  const server = http.createServer((req, res) => {
    const urlPath = new URL(req.url, 'http://localhost').pathname;
    const file = resolve(mounts, urlPath);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    fs.stat(file ?? '', (statErr, stat) => {
      if (statErr || !file || !stat.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${urlPath}\n`);
        return;
      }
      const headers = {
        'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        etag: `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`,
      };
      if (req.headers['if-none-match'] === headers.etag) {
        res.writeHead(304, headers).end();
        return;
      }
      fs.readFile(file, (err, body) => {
        if (err) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${urlPath}\n`);
          return;
        }
        res.writeHead(200, headers);
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    });
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolvePromise({ server, url: `http://127.0.0.1:${server.address().port}/` });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  const { url } = await startServer(demoMounts, port);
  console.log(`cairndb web demo: ${url}  (Ctrl-C stops the server)`);
}
