// The edge Worker's API (examples/worker): the page sends no Tencent Cloud key, only the
// caller's Cloudflare Access token (`Cf-Access-Jwt-Assertion`; in the demo, the local Access
// stand-in's token for the test user). The Worker signs with the keys it holds, records each
// export for its caller and watches COS itself.
import { workerSettings } from './connection.js';

const TIMEOUT_MS = 30_000;

/** An error like the library's: `code`, `message`, `httpCode`, `requestId`. */
function workerError(code, message, extra = {}) {
  return Object.assign(new Error(message), { code, ...extra });
}

async function call(method, path, body, signal) {
  const { url, token } = workerSettings();
  if (!url) throw workerError('Worker.NoUrl', 'Enter the Worker URL.');
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const signals = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res;
  try {
    res = await fetch(`${url}${path}`, {
      method,
      headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(token ? { 'Cf-Access-Jwt-Assertion': token } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: signals,
      cache: 'no-store',
    });
  } catch (err) {
    if (signal?.aborted) throw workerError('Client.Aborted', 'stopped watching');
    // A POST that may have reached the Worker is not repeated (ExportImages is not idempotent).
    throw workerError(timeout.aborted ? 'Client.Timeout' : 'Client.NetworkError', `the Worker at ${url} could not be reached (${err?.name ?? 'error'})`, { mayHaveExecuted: method === 'POST' });
  }
  let json = null;
  try { json = await res.json(); } catch { /* not JSON: handled below */ }
  if (!res.ok) {
    const e = json?.error ?? json?.Response?.Error ?? {};
    throw workerError(e.code ?? e.Code ?? 'Client.HttpStatus', e.message ?? e.Message ?? `HTTP ${res.status}`, { httpCode: res.status, requestId: e.requestId ?? json?.Response?.RequestId });
  }
  return json;
}

/** POST /export-images: the same body and answer as ExportImages ({ TaskId, CosPaths, RequestId }). */
export const workerExport = (params) => call('POST', '/export-images', params);
/** GET /exports: the caller's exports, newest first. */
export const workerList = (signal) => call('GET', '/exports', null, signal);
/** GET /exports/{TaskId}: state, progress and fresh download links of one export. */
export const workerTask = (taskId, signal) => call('GET', `/exports/${encodeURIComponent(taskId)}`, null, signal);
