// The emulator's HTTP server: CORS on everything, the API on `/`, admin routes under /__admin/,
// static files (demo page and built package) for every other GET.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createAccess, handleAccess } from './access.js';
import { handleApi } from './api.js';
import { COS_CORS, COS_PREFIX, cosPreflight, handleCos } from './cos.js';
import { checkFaults, sendFault, takeFault } from './faults.js';
import { BUCKETS } from './account.js';
import { createState } from './state.js';
import { serveStatic } from './static.js';

export const DEFAULT_API_HOSTS = ['cvm.tencentcloudapi.com', 'cvm.intl.tencentcloudapi.com'];
const MAX_BODY = 1 << 20;
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-TC-Action, X-TC-Version, X-TC-Timestamp, X-TC-Region, X-TC-Token, X-TC-Language, X-TC-RequestClient, X-TC-Content-SHA256',
  'Access-Control-Expose-Headers': 'Date', // so a page can read the server time and correct its clock
  'Access-Control-Max-Age': '600',
};
const rootDir = (rel) => fileURLToPath(new URL(rel, import.meta.url));

/**
 * Starts the emulator. Options: port (0 = any free), host, staticRoots ({ '/url-prefix/': absDir }),
 * clock (ms, for tests), apiHosts (hosts a signature may name besides the Host header),
 * log (one line per request), maxRunningExportTasks, exportTaskMs (how long a task runs; its files
 * appear in COS one by one meanwhile), rateLimit ({ max, windowMs }), workerUrl (the example
 * Worker's URL, for the demo page: GET /__demo/config).
 */
export async function startEmulator(opts = {}) {
  const {
    port = 0, host = '127.0.0.1', clock = () => Date.now(), apiHosts = DEFAULT_API_HOSTS, log = () => {},
    staticRoots = { '/': rootDir('../www/'), '/pkg/': rootDir('../pkg/') },
    maxRunningExportTasks = 50, exportTaskMs = 5_000, rateLimit = { max: 20, windowMs: 1000 },
    workerUrl = null,
  } = opts;
  const state = createState({ maxRunningExportTasks, exportTaskMs, rateLimit });
  const now = () => clock() + (state.faults.clockOffsetSeconds ?? 0) * 1000; // the server's idea of time
  // What the demo page asks at GET /__demo/config: where the example Worker runs (make demo
  // starts it beside the emulator; null when it does not run) and where its Access token comes from.
  const demo = { workerUrl, accessTokenUrl: '/__access/token', accessHeader: 'Cf-Access-Jwt-Assertion' };
  // Cloudflare Access's stand-in (access.js), ready before the first request; its team domain
  // is this server's origin, known once listening.
  const ctx = { state, now, apiHosts, staticRoots, access: await createAccess(), demo };

  const server = createServer((req, res) => {
    handle(req, res, ctx)
      .then((note) => log(`${req.method} ${req.url} ${res.statusCode}${note ? ` ${note}` : ''}`))
      .catch((e) => {
        log(`${req.method} ${req.url} failed: ${e.stack}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end();
      });
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(port, host, ok));
  const actualPort = server.address().port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}/`;
  ctx.access.issuer = url.slice(0, -1);
  const close = () => new Promise((ok) => {
    server.close(() => ok());
    server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
  });
  return { url, port: actualPort, close, state, server, access: ctx.access };
}

async function handle(req, res, { state, now, apiHosts, staticRoots, access, demo }) {
  for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
  res.setHeader('Date', new Date(now()).toUTCString()); // includes a forced clock offset
  // COS (emulator/cos.js): by the raw path, which is what the signature covers.
  if (req.url.startsWith(COS_PREFIX)) {
    if (req.method === 'OPTIONS') return void res.writeHead(204, cosPreflight(req)).end();
    for (const [k, v] of Object.entries(COS_CORS)) res.setHeader(k, v);
    if (state.faults.cosLatencyMs) await new Promise((ok) => setTimeout(ok, state.faults.cosLatencyMs));
    return handleCos(req, res, { state, now, buckets: BUCKETS });
  }
  if (req.method === 'OPTIONS') return void res.writeHead(204).end();

  // Prefixing (not resolving against a base) keeps `//x/y` a path instead of a host.
  let u;
  try {
    u = new URL(`http://emulator${req.url}`);
  } catch {
    return sendJson(res, 404, { error: 'not found' });
  }
  if (u.pathname.startsWith('/__admin/')) return admin(req, res, u.pathname, state, now);
  if (u.pathname === '/__demo/config' && req.method === 'GET') return sendJson(res, 200, demo);
  if (await handleAccess(req, res, u.pathname, u.searchParams, access, (status, value) => sendJson(res, status, value))) return 'access';
  const isApi = u.pathname === '/' && (req.method === 'POST' || (req.method === 'GET' && req.headers['x-tc-action'] !== undefined));
  if (isApi) return api(req, res, { state, now, apiHosts });
  if ((req.method === 'GET' || req.method === 'HEAD') && (await serveStatic(req, res, u.pathname, staticRoots))) return;
  sendJson(res, 404, { error: `not found: ${req.method} ${u.pathname}` });
}

async function api(req, res, { state, now, apiHosts }) {
  const arrivedAt = now(); // the rate limit counts arrivals, as the real API does
  const body = await readBody(req);
  if (body === null) return void res.writeHead(413, { Connection: 'close' }).end('request body larger than 1 MiB');
  const { faults } = state;
  if (faults.latencyMs) await new Promise((ok) => setTimeout(ok, faults.latencyMs));

  const fault = takeFault(faults);
  const rawQuery = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
  if (fault && !fault.after) {
    // Before: the request never reaches the API; nothing is checked, rate-counted or created.
    const requestId = randomUUID();
    state.record({ time: new Date(now()).toISOString(), method: req.method, action: req.headers['x-tc-action'] ?? null, code: null, fault: fault.kind, requestId });
    const payload = { Response: { Error: { Code: 'InternalError', Message: 'fault injected before the action ran' }, RequestId: requestId } };
    sendFault(fault, { req, res, payload });
    return `fault ${fault.kind} (before)`;
  }
  const { payload, entry } = handleApi({ method: req.method, rawQuery, headers: req.headers, body }, { state, now: now(), arrivedAt, apiHosts });
  if (fault) entry.fault = fault.kind;
  state.record(entry);
  if (fault) sendFault(fault, { req, res, payload });
  else sendJson(res, 200, payload);
  return `${entry.action} ${entry.code}${fault ? ` then fault ${fault.kind}` : ''}`;
}

async function admin(req, res, pathname, state, now) {
  const route = `${req.method} ${pathname.replace(/\/$/, '')}`;
  if (route === 'GET /__admin/ledger') return sendJson(res, 200, state.ledger(now()));
  if (route === 'GET /__admin/faults') return sendJson(res, 200, state.faults);
  if (route === 'GET /__admin/config') return sendJson(res, 200, { exportTaskMs: state.config.exportTaskMs });
  if (route === 'POST /__admin/config') {
    // How long tasks created from now on run (their files appear in COS meanwhile).
    let body;
    try {
      body = JSON.parse((await readBody(req))?.toString('utf8') || '{}');
    } catch {
      return sendJson(res, 400, { error: 'config must be JSON' });
    }
    const keys = Object.keys(body ?? {});
    const ms = body?.exportTaskMs;
    if (keys.some((k) => k !== 'exportTaskMs') || !Number.isSafeInteger(ms) || ms < 0 || ms > 86_400_000) {
      return sendJson(res, 400, { error: 'config is { "exportTaskMs": <whole ms from 0 to 86400000> }' });
    }
    state.config.exportTaskMs = ms;
    return sendJson(res, 200, { exportTaskMs: ms });
  }
  if (route === 'POST /__admin/age') {
    // Moves every task so far `seconds` into the past, as if exported then: its files' COS
    // Last-Modified moves with it (a re-export over the same keys is then told apart by time).
    let body;
    try {
      body = JSON.parse((await readBody(req))?.toString('utf8') || '{}');
    } catch {
      return sendJson(res, 400, { error: 'age must be JSON' });
    }
    const secs = body?.seconds;
    if (Object.keys(body ?? {}).some((k) => k !== 'seconds') || !Number.isSafeInteger(secs) || secs < 0 || secs > 30 * 86_400) {
      return sendJson(res, 400, { error: 'age is { "seconds": <whole seconds from 0 to 2592000> }' });
    }
    for (const task of state.tasks) task.CreatedAt -= secs * 1000;
    return sendJson(res, 200, { tasks: state.tasks.length });
  }
  if (route === 'POST /__admin/reset') {
    state.reset();
    return sendJson(res, 200, { ok: true });
  }
  if (route === 'DELETE /__admin/faults') {
    state.faults = {};
    return sendJson(res, 200, state.faults);
  }
  if (route === 'POST /__admin/faults') {
    let faults;
    try {
      faults = JSON.parse((await readBody(req))?.toString('utf8') || '{}');
    } catch {
      return sendJson(res, 400, { error: 'faults must be JSON' });
    }
    const problem = checkFaults(faults);
    if (problem) return sendJson(res, 400, { error: problem });
    state.faults = faults; // replaces whatever was set before
    return sendJson(res, 200, state.faults);
  }
  sendJson(res, 404, { error: `no admin route ${route}` });
}

/** The raw body bytes (the signature covers exactly these), or null past MAX_BODY. */
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
