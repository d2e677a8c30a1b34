// tc3-edge example Worker: the edge function a web console calls to export CVM images,
// so the browser never holds a Tencent Cloud key.
//
//   POST /export-images   body: ExportImages parameters as JSON
//     200 { TaskId, CosPaths, RequestId }
//     200 { DryRun: true, RequestId, message }           (DryRun: true on a valid request)
//     4xx/5xx { error: { code, message, field?, requestId?, mayHaveExecuted? } }
//   OPTIONS /export-images  CORS preflight
//
// Configuration (see README.md): secrets TC_SECRET_ID, TC_SECRET_KEY, TC_TOKEN (optional);
// vars TC_REGION, TC_ENDPOINT (optional), TC_LANGUAGE (optional), ALLOWED_ORIGINS,
// CALLER_LIMIT_PER_MINUTE (optional, default 30).
//
// Secrets are read from `env` and handed to the client only: they are never put in a response,
// a header or a log line (tc3-edge's errors never contain the SecretKey or the token either).

import { CvmClient, TencentCloudError } from "tc3-edge";
import { quotaAcquirer } from "./quota.js";

// The Durable Object class that holds one ExportImages quota window per key (wrangler.toml
// binds it as EXPORT_QUOTA). Exported from the Worker's main module, as workerd requires.
export { ExportQuota } from "./quota.js";

const ROUTE = "/export-images";
const MAX_BODY_BYTES = 16 * 1024;
const DEFAULT_CALLER_LIMIT_PER_MINUTE = 30;
const CALLER_WINDOW_MS = 60_000;
const MAX_TRACKED_CALLERS = 10_000;

// ---------------------------------------------------------------------------------------------
// One CvmClient per isolate, created on the first request (env is only reachable from a
// handler) and shared by every request the isolate serves afterwards, so whatever state the
// client keeps (its signing-key cache, its rate limiter) is shared too.

let client = null;

function getClient(env) {
  if (client) return client;
  const { TC_SECRET_ID: secretId, TC_SECRET_KEY: secretKey, TC_REGION: region } = env;
  if (!secretId || !secretKey || !region) return null;
  // `env` is fixed for an isolate's life: a new secret or var means a new deployment, hence
  // new isolates, hence a new client.
  const profile = { httpProfile: { endpoint: env.TC_ENDPOINT || "cvm.tencentcloudapi.com", reqTimeout: 30 } };
  if (env.TC_LANGUAGE) profile.language = env.TC_LANGUAGE;
  const perSecond = quotaPerSecond(env);
  client = new CvmClient({
    credential: { secretId, secretKey, token: env.TC_TOKEN || undefined },
    region,
    profile,
    // With the EXPORT_QUOTA binding, every isolate of this Worker (every location) shares ONE
    // window per quota key (SecretId + action + region) held by a Durable Object; without it,
    // this isolate's own limiter (the client's default) is all there is.
    rateLimit: env.EXPORT_QUOTA ? fleetLimiter(env, secretId, region, perSecond) : { perSecond },
  });
  return client;
}

function quotaPerSecond(env) {
  const n = Number.parseInt(env.QUOTA_PER_SECOND ?? "", 10);
  return Number.isInteger(n) && n > 0 ? n : 20;
}

// What each request's call learned about the quota, found by the call's AbortSignal (the client
// hands `acquire` the signal of the call it is acquiring for).
const quotaNotes = new WeakMap(); // AbortSignal -> { fallback: string | null }

/** `rateLimit.acquire`: one Durable Object per (SecretId, action, region). */
function fleetLimiter(env, secretId, region, limit) {
  const acquirers = new Map(); // action -> acquire
  return {
    acquire(action, options) {
      let acquire = acquirers.get(action);
      if (!acquire) {
        acquire = quotaAcquirer({
          namespace: env.EXPORT_QUOTA,
          key: `${secretId}:${action}:${region}`,
          limit,
          onFallback(signal, why) {
            // Failure policy: keep serving at this isolate's rate, and say so (log + header).
            console.warn(`tc3-edge worker: ${why}; using this isolate's limiter for ${action}`);
            const note = signal && quotaNotes.get(signal);
            if (note) note.fallback = why;
          },
        });
        acquirers.set(action, acquire);
      }
      return acquire(action, options);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Per-caller limit: a sliding window of N requests per minute per CF-Connecting-IP, in memory.
// It is per isolate: Cloudflare runs many isolates (per colo, and more under load), so a caller
// can get N per minute from each. A global limit needs a Durable Object (or the Rate Limiting
// binding) — see README.md.

const callers = new Map(); // ip -> array of request times (ms), oldest first

function takeCallerSlot(ip, limit, now) {
  let times = callers.get(ip);
  if (times) {
    while (times.length && times[0] <= now - CALLER_WINDOW_MS) times.shift();
  } else {
    if (callers.size >= MAX_TRACKED_CALLERS) pruneCallers(now);
    times = [];
    callers.set(ip, times);
  }
  if (times.length >= limit) {
    const retryAfterMs = times[0] + CALLER_WINDOW_MS - now;
    return { ok: false, retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
  }
  times.push(now);
  return { ok: true };
}

function pruneCallers(now) {
  for (const [ip, times] of callers) {
    if (!times.length || times[times.length - 1] <= now - CALLER_WINDOW_MS) callers.delete(ip);
  }
  // Still full (a flood of distinct addresses): forget the oldest entries (Map keeps insertion order).
  for (const ip of callers.keys()) {
    if (callers.size < MAX_TRACKED_CALLERS) break;
    callers.delete(ip);
  }
}

function callerLimit(env) {
  const n = Number.parseInt(env.CALLER_LIMIT_PER_MINUTE ?? "", 10);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_CALLER_LIMIT_PER_MINUTE;
}

// ---------------------------------------------------------------------------------------------
// CORS: exact origins from ALLOWED_ORIGINS (comma or space separated). CORS keeps other web
// pages from using a visitor's browser against this Worker; it is not authentication.

function allowedOrigins(env) {
  return new Set(String(env.ALLOWED_ORIGINS || "").split(/[\s,]+/).filter(Boolean));
}

function corsHeaders(origin) {
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Expose-Headers": "Retry-After, X-Quota",
    Vary: "Origin",
  };
}

// ---------------------------------------------------------------------------------------------
// Responses

function json(status, body, extraHeaders = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      ...extraHeaders,
    },
  });
}

function fail(status, code, message, extra = {}, headers = {}) {
  return json(status, { error: { code, message, ...extra } }, headers);
}

// How an error of CVM (or of the way to it) is answered. The caller learns the API's code,
// message and RequestId in every case; the status says whose move it is.
function statusForApiError(code) {
  if (code === "RequestLimitExceeded" || code.startsWith("RequestLimitExceeded.") ||
      code.startsWith("LimitExceeded") || code === "Client.RateLimiterError") return 429; // throttled / quota: try again later
  if (code === "AuthFailure.CamRoleNameAuthenticateFailed") return 422; // the RoleName parameter
  if (code.startsWith("AuthFailure") || code.startsWith("UnauthorizedOperation")) return 502; // the Worker's key
  if (code === "Client.Timeout") return 504;
  if (code.startsWith("Client.")) return 502; // network, non-JSON, truncated, HTTP status
  if (code === "InternalError" || code.startsWith("InternalError.") ||
      code.startsWith("ResourceUnavailable") || code.startsWith("ResourceInsufficient")) return 502;
  if (code.startsWith("InvalidParameter") || code.startsWith("MissingParameter") ||
      code.startsWith("UnknownParameter") || code.startsWith("InvalidImageId") ||
      code.startsWith("UnsupportedOperation") || code.startsWith("ResourceNotFound") ||
      code.startsWith("OperationDenied")) return 422; // the request names something CVM refuses
  return 502;
}

function retryAfterFor(code) {
  if (code.startsWith("RequestLimitExceeded") || code === "Client.RateLimiterError") return "1";
  if (code.startsWith("LimitExceeded")) return "60";
  return null;
}

// ---------------------------------------------------------------------------------------------

async function readJsonObject(request) {
  const declared = Number(request.headers.get("Content-Length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return { status: 413 };
  const buf = await request.arrayBuffer();
  if (buf.byteLength > MAX_BODY_BYTES) return { status: 413 };
  let value;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(buf));
  } catch {
    return { status: 400 };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { status: 400 };
  return { value };
}

async function exportImages(request, env, cors) {
  const contentType = (request.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();
  if (contentType !== "application/json") {
    return fail(415, "Worker.UnsupportedMediaType", "send the parameters as application/json", {}, cors);
  }

  const ip = request.headers.get("CF-Connecting-IP") || "unknown";
  const slot = takeCallerSlot(ip, callerLimit(env), Date.now());
  if (!slot.ok) {
    return fail(429, "Worker.TooManyRequests", `at most ${callerLimit(env)} requests per minute`, {},
      { ...cors, "Retry-After": String(slot.retryAfter) });
  }

  const body = await readJsonObject(request);
  if (body.status === 413) {
    return fail(413, "Worker.PayloadTooLarge", `the body is larger than ${MAX_BODY_BYTES} bytes`, {}, cors);
  }
  if (body.status === 400) {
    return fail(400, "Worker.InvalidJson", "the body must be a JSON object of ExportImages parameters", {}, cors);
  }

  let cvm;
  try {
    cvm = getClient(env);
  } catch (err) {
    if (!(err instanceof TencentCloudError)) throw err;
    // e.g. Client.InvalidOption for a malformed TC_ENDPOINT or TC_REGION (never the key).
    console.error(`tc3-edge worker: bad configuration: ${err.code}`);
  }
  if (!cvm) {
    console.error("tc3-edge worker: TC_SECRET_ID, TC_SECRET_KEY and TC_REGION must be set");
    return fail(500, "Worker.NotConfigured", "the Worker is not configured", {}, cors);
  }

  // Validate here, so a mistake is answered 400 without a signed request ever leaving.
  let params;
  try {
    params = cvm.validateExportImages(body.value);
  } catch (err) {
    if (!(err instanceof TencentCloudError)) throw err;
    return fail(400, err.code, err.message, err.field ? { field: err.field } : {}, cors);
  }

  const call = new AbortController();
  const note = { fallback: null };
  quotaNotes.set(call.signal, note);
  // X-Quota says which limiter admitted the request: "global" (the Durable Object),
  // "local-fallback" (the object could not be reached), or "local" (no EXPORT_QUOTA binding).
  const quotaHeader = () => ({ "X-Quota": !env.EXPORT_QUOTA ? "local" : note.fallback ? "local-fallback" : "global" });
  try {
    const { TaskId, CosPaths, RequestId } = await cvm.ExportImages(params, { signal: call.signal });
    return json(200, { TaskId, CosPaths, RequestId }, { ...cors, ...quotaHeader() });
  } catch (err) {
    if (!(err instanceof TencentCloudError)) throw err;
    if (err.code === "DryRunOperation") {
      return json(200, { DryRun: true, RequestId: err.requestId, message: err.message }, cors);
    }
    const status = statusForApiError(err.code);
    const headers = { ...cors, ...quotaHeader() };
    const retryAfter = retryAfterFor(err.code);
    if (retryAfter) headers["Retry-After"] = retryAfter;
    if (status >= 500) {
      // Code and RequestId only: enough to find the request in CVM's logs, nothing secret.
      console.error(`tc3-edge worker: ExportImages failed: ${err.code} requestId=${err.requestId ?? "-"}`);
    }
    const extra = {};
    if (err.requestId) extra.requestId = err.requestId;
    if (err.field) extra.field = err.field;
    // A timeout, a dropped connection or a 5xx may come after CVM created the task: say so,
    // so the console looks the task up instead of exporting twice.
    if (err.mayHaveExecuted) extra.mayHaveExecuted = true;
    return fail(status, err.code, err.message, extra, headers);
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const origin = request.headers.get("Origin");

    if (url.pathname !== ROUTE) return fail(404, "Worker.NotFound", `no such route; use POST ${ROUTE}`);

    // Browsers send Origin with every POST and preflight; one that is not listed gets nothing.
    if (!origin || !allowedOrigins(env).has(origin)) {
      return fail(403, "Worker.OriginNotAllowed", "this origin may not call this Worker");
    }
    const cors = corsHeaders(origin);

    if (request.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: {
          ...cors,
          "Access-Control-Allow-Methods": "POST, OPTIONS",
          "Access-Control-Allow-Headers": "Content-Type",
          "Access-Control-Max-Age": "600",
        },
      });
    }
    if (request.method !== "POST") {
      return fail(405, "Worker.MethodNotAllowed", `use POST ${ROUTE}`, {}, { ...cors, Allow: "POST, OPTIONS" });
    }

    try {
      return await exportImages(request, env, cors);
    } catch (err) {
      // Not a TencentCloudError: a bug. Name its kind, never echo it (it could quote input).
      console.error(`tc3-edge worker: unexpected ${err && err.name}`);
      return fail(500, "Worker.InternalError", "unexpected error", {}, cors);
    }
  },
};
