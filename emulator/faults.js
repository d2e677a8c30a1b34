// Injected failures, for testing how a client copes. They touch API requests only, except the
// `cos*` ones, which touch COS requests only (emulator/cos.js).
// A response fault fires either before the action runs (default: nothing was executed) or, with
// `after: true`, once it has run (a task may exist although the client never saw the answer).
import { STATUS_CODES } from 'node:http';

/** Response faults, highest priority first: at most one fires per request. */
export const RESPONSE_FAULTS = ['reset', 'status', 'nonJson', 'truncate', 'internalError'];
const SPEC = {
  latencyMs: (v) => Number.isSafeInteger(v) && v >= 0 && v <= 600_000,
  clockOffsetSeconds: (v) => Number.isFinite(v),
  status: (v) => Number.isInteger(v) && v >= 400 && v <= 599,
  reset: (v) => typeof v === 'boolean', nonJson: (v) => typeof v === 'boolean',
  truncate: (v) => typeof v === 'boolean', internalError: (v) => typeof v === 'boolean',
  after: (v) => typeof v === 'boolean',
  count: (v) => Number.isSafeInteger(v) && v >= 1,
  // COS: answer `cosStatus` (5xx, with COS's XML error) to the next `cosCount` COS requests
  // (omitted: until cleared), before anything is checked; wait `cosLatencyMs` before each answer.
  cosStatus: (v) => Number.isInteger(v) && v >= 500 && v <= 599,
  cosCount: (v) => Number.isSafeInteger(v) && v >= 1,
  cosLatencyMs: (v) => Number.isSafeInteger(v) && v >= 0 && v <= 600_000,
};

/** Validates a POST /__admin/faults body; returns an error string or null. */
export function checkFaults(body) {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'faults must be a JSON object';
  for (const [k, v] of Object.entries(body)) {
    if (!SPEC[k]) return `unknown fault \`${k}\`; known: ${Object.keys(SPEC).join(', ')}`;
    if (!SPEC[k](v)) return `invalid value for \`${k}\``;
  }
  return null;
}

/** The response fault for this request as { kind, after, status } (consuming one of `count`), or null. */
export function takeFault(faults) {
  const kind = RESPONSE_FAULTS.find((k) => faults[k]);
  if (!kind) return null;
  const fault = { kind, after: faults.after === true, status: faults.status };
  if (faults.count !== undefined && --faults.count <= 0) {
    for (const k of [...RESPONSE_FAULTS, 'count', 'after']) delete faults[k];
  }
  return fault;
}

const html = (title) => `<html><head><title>${title}</title></head><body><h1>${title}</h1><p>tc3-edge emulator fault</p></body></html>`;

/** Answers (or drops) `res` as the fault says; `payload` is the JSON the API would have sent. */
export function sendFault({ kind, status }, { req, res, payload }) {
  switch (kind) {
    case 'reset':
      req.socket.destroy(); // no status line at all: the client sees a network error
      return;
    case 'status':
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
      return void res.end(html(`${status} ${STATUS_CODES[status] ?? 'Error'}`));
    case 'nonJson':
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return void res.end(html('Service temporarily unavailable'));
    case 'truncate': {
      // A complete HTTP response whose JSON body stops half way: a parse error, not a network error.
      const full = Buffer.from(JSON.stringify(payload));
      const half = full.subarray(0, Math.floor(full.length / 2));
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': half.length });
      return void res.end(half);
    }
    case 'internalError': {
      const body = { Response: { Error: { Code: 'InternalError', Message: 'An internal error has occurred. Retry your request.' }, RequestId: payload.Response.RequestId } };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify(body));
    }
  }
}
