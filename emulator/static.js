// Static files for the demo page (www/) and the built package (pkg/), never outside their roots.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8', '.wasm': 'application/wasm', '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.webmanifest': 'application/manifest+json',
};

/** The file a URL path names under `roots` ({ '/prefix/': absDir }), or null (no root, traversal, bad encoding). */
export function resolveStatic(pathname, roots) {
  const prefix = Object.keys(roots).filter((p) => pathname.startsWith(p)).sort((a, b) => b.length - a.length)[0];
  if (prefix === undefined) return null;
  let rel;
  try {
    rel = decodeURIComponent(pathname.slice(prefix.length));
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  const root = resolve(roots[prefix]);
  const file = resolve(root, './' + rel); // './': a leading '/' in rel must not mean the disk root
  // After decoding, `..` (or `%2e%2e`) could climb out: only paths inside the root are served.
  if (file !== root && !file.startsWith(root + sep)) return null;
  return file;
}

/** Serves GET/HEAD for a static path; returns false when there is nothing to serve (caller sends 404). */
export async function serveStatic(req, res, pathname, roots) {
  let file = resolveStatic(pathname, roots);
  if (!file) return false;
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = resolve(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return false;
  res.writeHead(200, {
    'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-store', // a rebuilt .wasm must never be served stale
  });
  if (req.method === 'HEAD') return res.end(), true;
  createReadStream(file).pipe(res);
  return true;
}
