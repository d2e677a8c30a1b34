// A fleet of the example Worker in workerd (Miniflare): several NAMED workers running the same
// bundle — each its own isolate, with its own module state and its own CvmClient — that share
// one Durable Object namespace (EXPORT_QUOTA, defined by the first). That is what Cloudflare
// does at scale: many isolates of one Worker, one namespace of objects.
import { dirname } from 'node:path';
import { Miniflare } from 'miniflare';
import { compatibilityDate, ORIGIN, WORKER_URL } from './worker.js';

/**
 * Starts `isolates` workers named w0…wN-1 on `scriptPath`. `quota`: "object" (EXPORT_QUOTA bound
 * to the ExportQuota class of w0), "broken" (bound to a class whose fetch always throws: the
 * object cannot serve), or "none" (no binding: each isolate's own limiter). `output` collects
 * workerd's stdout/stderr.
 */
export async function startFleet(scriptPath, bindings, { isolates = 4, quota = 'object', output } = {}) {
  const common = {
    modules: true,
    scriptPath,
    modulesRoot: dirname(scriptPath),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: compatibilityDate(),
    bindings,
    outboundService: { network: { allow: ['public', 'private', 'local'] } },
  };
  const workers = Array.from({ length: isolates }, (_, i) => {
    const w = { ...common, name: `w${i}` };
    if (quota === 'object') w.durableObjects = { EXPORT_QUOTA: { className: 'ExportQuota', scriptName: 'w0' } };
    if (quota === 'broken') w.durableObjects = { EXPORT_QUOTA: { className: 'BrokenQuota', scriptName: 'broken' } };
    return w;
  });
  if (quota === 'broken') {
    workers.push({
      name: 'broken',
      modules: [{
        type: 'ESModule',
        path: 'broken.mjs',
        contents: `export class BrokenQuota { async fetch() { throw new Error("quota object down"); } }
                   export default { fetch: () => new Response("unused") };`,
      }],
      compatibilityDate: compatibilityDate(),
      durableObjects: { EXPORT_QUOTA: 'BrokenQuota' },
    });
  }
  const capture = output
    ? { handleRuntimeStdio(stdout, stderr) { for (const s of [stdout, stderr]) s.on('data', (d) => output.push(String(d))); } }
    : {};
  const mf = new Miniflare({ ...capture, workers });
  await mf.ready;
  const fetchers = await Promise.all(workers.slice(0, isolates).map((w) => mf.getWorker(w.name)));
  return { mf, fetchers };
}

/** POSTs ExportImages parameters to one isolate, as the console would. */
export async function postTo(fetcher, params, { ip = '203.0.113.9' } = {}) {
  const res = await fetcher.fetch(WORKER_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: ORIGIN, 'CF-Connecting-IP': ip },
    body: JSON.stringify(params),
  });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, quota: res.headers.get('X-Quota'), body };
}

/** The most of `times` (ms) inside any window shorter than `len` ms (a server's "1 second"). */
export function maxInWindow(times, len = 1000) {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i] - s[j] >= len) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
