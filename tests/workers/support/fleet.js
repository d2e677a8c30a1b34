// A fleet of the example Worker in workerd (Miniflare): several NAMED workers running the same
// bundle — each its own isolate, with its own module state and its own CvmClient — that share
// one Durable Object namespace (EXPORT_QUOTA, defined by the first). That is what Cloudflare
// does at scale: many isolates of one Worker, one namespace of objects.
import { dirname } from 'node:path';
import { Miniflare } from 'miniflare';
import { compatibilityDate, ORIGIN } from './worker.js';

/**
 * Starts `isolates` workers named w0…wN-1 on `scriptPath`. `quota`: "object" (EXPORT_QUOTA bound
 * to the ExportQuota class of w0), "broken" (bound to a class whose fetch always throws: the
 * object cannot serve), "slow" (bound to a class that answers after 10 minutes: reachable, but
 * no grant comes in time), or "none" (no binding: each isolate's own limiter). EXPORT_TASKS is
 * bound to w0's ExportTasks in every case. `output` collects workerd's stdout/stderr.
 */
export async function startFleet(scriptPath, bindings, { isolates = 4, quota = 'object', output, extraWorkers = [] } = {}) {
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
    // Each isolate is reached through its own route (Miniflare's dispatchFetch picks the
    // worker by URL; its per-worker fetcher refuses requests with an Origin header).
    const w = { ...common, name: `w${i}`, routes: [`w${i}.test/*`] };
    w.durableObjects = { EXPORT_TASKS: { className: 'ExportTasks', scriptName: 'w0', useSQLite: true } };
    if (quota === 'object') w.durableObjects.EXPORT_QUOTA = { className: 'ExportQuota', scriptName: 'w0', useSQLite: true };
    if (quota === 'broken') w.durableObjects.EXPORT_QUOTA = { className: 'BrokenQuota', scriptName: 'stand-in' };
    if (quota === 'slow') w.durableObjects.EXPORT_QUOTA = { className: 'SlowQuota', scriptName: 'stand-in' };
    return w;
  });
  if (quota === 'broken' || quota === 'slow') {
    workers.push({
      name: 'stand-in',
      modules: [{
        type: 'ESModule',
        path: 'stand-in.mjs',
        contents: `export class BrokenQuota { async fetch() { throw new Error("quota object down"); } }
                   export class SlowQuota { async fetch() { await new Promise((ok) => setTimeout(ok, 600000)); return new Response(null, { status: 204 }); } }
                   export default { fetch: () => new Response("unused") };`,
      }],
      compatibilityDate: compatibilityDate(),
      durableObjects: { BROKEN: 'BrokenQuota', SLOW: 'SlowQuota' },
    });
  }
  workers.push(...extraWorkers); // e.g. another script bound to w0's objects
  const capture = output
    ? { handleRuntimeStdio(stdout, stderr) { for (const s of [stdout, stderr]) s.on('data', (d) => output.push(String(d))); } }
    : {};
  const mf = new Miniflare({ ...capture, workers });
  await mf.ready;
  const fetchers = workers.slice(0, isolates).map((w) => ({
    name: w.name,
    fetch: (path, init) => mf.dispatchFetch(`http://${w.name}.test${path}`, init),
  }));
  return { mf, fetchers };
}

/** POSTs ExportImages parameters to one isolate, as the console would (`token`: its Access token). */
export async function postTo(fetcher, params, { ip = '203.0.113.9', token } = {}) {
  const headers = { 'Content-Type': 'application/json', Origin: ORIGIN, 'CF-Connecting-IP': ip };
  if (token) headers['Cf-Access-Jwt-Assertion'] = token;
  const res = await fetcher.fetch('/export-images', { method: 'POST', headers, body: JSON.stringify(params) });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, quota: res.headers.get('X-Quota'), retryAfter: res.headers.get('Retry-After'), body };
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
