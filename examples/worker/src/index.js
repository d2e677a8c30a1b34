// tc3-edge example Worker: the edge function a web console calls to export CVM images, so the
// browser never holds a Tencent Cloud key — and only authenticated callers, each seeing only
// the exports they started.
//
//   POST /export-images     body: ExportImages parameters as JSON
//     200 { TaskId, CosPaths, RequestId }                (recorded for the caller first)
//     200 { DryRun: true, RequestId, message }           (DryRun: true on a valid request)
//   GET  /exports           200 { exports: [{ TaskId, BucketName, CosPaths, createdAt, state, ready, total, code? }] }
//                           (the caller's, newest first, at most 100)
//   GET  /exports/{TaskId}  200 { TaskId, BucketName, CosPaths, createdAt, state, ready, total, code?,
//                                 files: [{ key, state, size?, etag?, lastModified?, url? }] }
//                           (`url`: a presigned GET of a ready file, 1 hour, minted now)
//   OPTIONS on any route: CORS preflight (the only request that needs no token)
//   errors: 4xx/5xx { error: { code, message, field?, requestId?, mayHaveExecuted? } }
//
// Every other request carries Cloudflare Access's `Cf-Access-Jwt-Assertion` (src/access.js);
// missing or invalid → 401 Worker.Unauthenticated before anything else is done. Tasks live in
// one ExportTasks Durable Object per caller (src/tasks.js), which watches their files in COS.
//
// Configuration (see README.md): secrets TC_SECRET_ID, TC_SECRET_KEY, TC_TOKEN (optional);
// vars ACCESS_TEAM_DOMAIN, ACCESS_AUD, TC_REGION, TC_ENDPOINT, TC_COS_ENDPOINT, TC_LANGUAGE,
// ALLOWED_ORIGINS, ALLOWED_BUCKETS, CALLER_LIMIT_PER_MINUTE, READ_LIMIT_PER_MINUTE,
// TASK_TIMEOUT_HOURS, QUOTA_PER_SECOND, QUOTA_GUARD_MS, QUOTA_MAX_QUEUE_MS; bindings
// EXPORT_TASKS (required) and EXPORT_QUOTA (recommended).
//
// Secrets are read from `env` and handed to the client only: they are never put in a response,
// a header or a log line (tc3-edge's errors never contain the SecretKey or the token either);
// nor is a caller's Access token.

import { TencentCloudError } from "tc3-edge";
import { ACCESS_HEADER, accessConfig, authenticate } from "./access.js";
import { getClient, quotaNotes } from "./client.js";

// The Durable Object classes, exported from the Worker's main module as workerd requires:
// ExportQuota (binding EXPORT_QUOTA) holds one ExportImages quota window per key;
// ExportTasks (binding EXPORT_TASKS) holds one caller's export tasks.
export { ExportQuota } from "./quota.js";
export { ExportTasks } from "./tasks.js";

const EXPORT_ROUTE = "/export-images";
const LIST_ROUTE = "/exports";
const TASK_ROUTE = /^\/exports\/(\d{1,15})$/; // CVM's TaskIds are integers
const URL_EXPIRES_SECS = 3600;
const MAX_BODY_BYTES = 16 * 1024;
const DEFAULT_CALLER_LIMIT_PER_MINUTE = 30;
const DEFAULT_READ_LIMIT_PER_MINUTE = 120;
const CALLER_WINDOW_MS = 60_000;
const MAX_TRACKED_CALLERS = 10_000;

// ---------------------------------------------------------------------------------------------
// Per-caller limit: a sliding window of N requests per minute per IDENTITY (the Access email or
// service token), in memory — not per IP, where an IPv6 /64 is 2^64 fresh keys. Exports and
// reads are counted apart, so a console polling its exports does not use up its exports.
// It is per isolate: Cloudflare runs many isolates, so a caller can get N per minute from each
// (see README.md); CVM's own quota is global (EXPORT_QUOTA).

const callers = new Map(); // "kind identity" -> array of request times (ms), oldest first

function takeCallerSlot(key, limit, now) {
  let times = callers.get(key);
  if (times) {
    while (times.length && times[0] <= now - CALLER_WINDOW_MS) times.shift();
  } else {
    if (callers.size >= MAX_TRACKED_CALLERS) pruneCallers(now);
    times = [];
    callers.set(key, times);
  }
  if (times.length >= limit) {
    const retryAfterMs = times[0] + CALLER_WINDOW_MS - now;
    return { ok: false, retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
  }
  times.push(now);
  return { ok: true };
}

function pruneCallers(now) {
  for (const [key, times] of callers) {
    if (!times.length || times[times.length - 1] <= now - CALLER_WINDOW_MS) callers.delete(key);
  }
  // Still full: forget the oldest entries (Map keeps insertion order).
  for (const key of callers.keys()) {
    if (callers.size < MAX_TRACKED_CALLERS) break;
    callers.delete(key);
  }
}

function positive(text, fallback) {
  const n = Number.parseInt(text ?? "", 10);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

// ---------------------------------------------------------------------------------------------
// CORS: exact origins from ALLOWED_ORIGINS (comma or space separated). CORS keeps other web
// pages from using a visitor's browser against this Worker; it is not authentication (Access
// is). A request without Origin is not a browser's cross-origin request (a script with a
// service token): it gets no CORS headers and is judged by its token alone.

const listed = (text) => String(text || "").split(/[\s,]+/).filter(Boolean);

function corsHeaders(origin) {
  if (!origin) return {};
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
// The body: read as a stream and dropped as soon as it passes the limit, so a chunked body
// (no Content-Length) of any size costs at most MAX_BODY_BYTES + one chunk of memory.

async function readJsonObject(request) {
  const declared = Number(request.headers.get("Content-Length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return { status: 413 };
  const chunks = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        reader.cancel().catch(() => {});
        return { status: 413 };
      }
      chunks.push(value);
    }
  }
  const buf = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { buf.set(c, at); at += c.byteLength; }
  let value;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(buf));
  } catch {
    return { status: 400 };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { status: 400 };
  return { value };
}

// ---------------------------------------------------------------------------------------------
// The caller's own ExportTasks object: ownership by construction (src/tasks.js).

function tasksOf(env, identity) {
  return env.EXPORT_TASKS.get(env.EXPORT_TASKS.idFromName(identity));
}

async function exportImages(request, env, ctx, { cors, identity, cvm }) {
  const contentType = (request.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();
  if (contentType !== "application/json") {
    return fail(415, "Worker.UnsupportedMediaType", "send the parameters as application/json", {}, cors);
  }
  const body = await readJsonObject(request);
  if (body.status === 413) return fail(413, "Worker.PayloadTooLarge", `the body is larger than ${MAX_BODY_BYTES} bytes`, {}, cors);
  if (body.status === 400) return fail(400, "Worker.InvalidJson", "the body must be a JSON object of ExportImages parameters", {}, cors);

  // Validate here, so a mistake is answered 400 without a signed request ever leaving.
  let params;
  try {
    params = cvm.validateExportImages(body.value);
  } catch (err) {
    if (!(err instanceof TencentCloudError)) throw err;
    return fail(400, err.code, err.message, err.field ? { field: err.field } : {}, cors);
  }
  const buckets = listed(env.ALLOWED_BUCKETS);
  if (buckets.length && !buckets.includes(params.BucketName)) {
    return fail(403, "Worker.BucketNotAllowed", "this Worker does not export to that bucket", { field: "BucketName" }, cors);
  }

  const call = new AbortController();
  const note = { fallback: null, retryAfterMs: null };
  quotaNotes.set(call.signal, note);
  // The Worker's clock, before the call: a file older than this (minus the slack) is not this export's.
  const createdAt = new Date().toISOString();
  // The call and the recording run as ONE piece of work kept alive by waitUntil: if the caller
  // goes away mid-call, the request is not cancelled half-way (ExportImages may already have
  // created the task) and the TaskId is still recorded, so the console finds it in GET /exports.
  const work = (async () => {
    const out = await cvm.ExportImages(params, { signal: call.signal });
    let recorded = true;
    try {
      await tasksOf(env, identity).record({ TaskId: out.TaskId, BucketName: params.BucketName, CosPaths: out.CosPaths, owner: identity, createdAt });
    } catch (err) {
      // The task exists at CVM: answer it anyway, and say it is not in GET /exports.
      recorded = false;
      console.error(`tc3-edge worker: export ${out.TaskId} could not be recorded (${err?.name ?? "error"})`);
    }
    return { out, recorded };
  })();
  ctx.waitUntil(work.catch(() => {}));

  // X-Quota says which limiter admitted the request: "global" (the Durable Object),
  // "local-fallback" (the object could not be reached), or "local" (no EXPORT_QUOTA binding).
  const quotaHeader = () => ({ "X-Quota": !env.EXPORT_QUOTA ? "local" : note.fallback ? "local-fallback" : "global" });
  try {
    const { out: { TaskId, CosPaths, RequestId }, recorded } = await work;
    return json(200, recorded ? { TaskId, CosPaths, RequestId } : { TaskId, CosPaths, RequestId, recorded }, { ...cors, ...quotaHeader() });
  } catch (err) {
    if (!(err instanceof TencentCloudError)) throw err;
    if (err.code === "DryRunOperation") {
      return json(200, { DryRun: true, RequestId: err.requestId, message: err.message }, cors);
    }
    const status = statusForApiError(err.code);
    const headers = { ...cors, ...quotaHeader() };
    // The quota object's own answer says when to come back; else the code's usual wait.
    const retryAfter = err.code === "Client.RateLimiterError" && note.retryAfterMs
      ? String(Math.max(1, Math.ceil(note.retryAfterMs / 1000)))
      : retryAfterFor(err.code);
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

async function listExports(env, { cors, identity }) {
  const tasks = await tasksOf(env, identity).list(identity);
  return json(200, { exports: tasks.map(({ files, ...summary }) => summary) }, cors);
}

async function showExport(env, taskId, { cors, identity, cvm }) {
  const task = await tasksOf(env, identity).get(identity, taskId);
  if (!task) return fail(404, "Worker.NotFound", "no such export", {}, cors);
  // Fresh links at every answer (the stored state has none: a link is a bearer credential for
  // one file and expires; the Worker's key signs it here, the page never sees the key).
  task.files = task.files.map((f) => f.state === "ready"
    ? { ...f, url: cvm.presignCosUrl({ BucketName: task.BucketName, key: f.key, expires: URL_EXPIRES_SECS }).url }
    : f);
  return json(200, task, cors);
}

// ---------------------------------------------------------------------------------------------

function route(url) {
  if (url.pathname === EXPORT_ROUTE) return { name: "export", methods: "POST" };
  if (url.pathname === LIST_ROUTE) return { name: "list", methods: "GET" };
  const m = TASK_ROUTE.exec(url.pathname);
  if (m) return { name: "show", methods: "GET", taskId: Number(m[1]) };
  if (url.pathname.startsWith(`${LIST_ROUTE}/`)) return { name: "show", methods: "GET", taskId: null }; // not a TaskId: unknown
  return null;
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const origin = request.headers.get("Origin");

    // Browsers send Origin with every cross-origin request and preflight; one that is not
    // listed gets nothing (and no CORS headers).
    if (origin && !listed(env.ALLOWED_ORIGINS).includes(origin)) {
      return fail(403, "Worker.OriginNotAllowed", "this origin may not call this Worker");
    }
    const cors = corsHeaders(origin);

    // Fail closed: without Access settings or the tasks binding, no route works.
    const access = accessConfig(env);
    if (access.problem || !env.EXPORT_TASKS) {
      console.error(`tc3-edge worker: not configured: ${access.problem ?? "the EXPORT_TASKS binding is missing"}`);
      return fail(500, "Worker.NotConfigured", "the Worker is not configured", {}, cors);
    }

    const r = route(url);
    if (!r) return fail(404, "Worker.NotFound", `no such route; use POST ${EXPORT_ROUTE}, GET ${LIST_ROUTE} or GET ${LIST_ROUTE}/{TaskId}`, {}, cors);

    if (request.method === "OPTIONS") {
      if (!origin) return fail(403, "Worker.OriginNotAllowed", "a preflight names its Origin");
      return new Response(null, {
        status: 204,
        headers: {
          ...cors,
          "Access-Control-Allow-Methods": `${r.methods}, OPTIONS`,
          // The page sends the Access token itself where no Access edge adds it (local runs).
          "Access-Control-Allow-Headers": `Content-Type, ${ACCESS_HEADER}`,
          "Access-Control-Max-Age": "600",
        },
      });
    }

    try {
      // Who is calling, before anything else: nothing reaches CVM or COS for a stranger.
      const who = await authenticate(request, access);
      if (!who.identity) {
        console.warn(`tc3-edge worker: unauthenticated request refused: ${who.reason}`);
        if (who.unavailable) return fail(503, "Worker.AccessUnavailable", "the identity provider's keys could not be fetched", {}, { ...cors, "Retry-After": "5" });
        return fail(401, "Worker.Unauthenticated", `a valid Cloudflare Access token (${ACCESS_HEADER}) is required`, {}, cors);
      }
      const { identity } = who;

      if (request.method !== r.methods) {
        return fail(405, "Worker.MethodNotAllowed", `use ${r.methods} ${url.pathname}`, {}, { ...cors, Allow: `${r.methods}, OPTIONS` });
      }

      const kind = r.name === "export" ? "export" : "read";
      const limit = kind === "export"
        ? positive(env.CALLER_LIMIT_PER_MINUTE, DEFAULT_CALLER_LIMIT_PER_MINUTE)
        : positive(env.READ_LIMIT_PER_MINUTE, DEFAULT_READ_LIMIT_PER_MINUTE);
      const slot = takeCallerSlot(`${kind} ${identity}`, limit, Date.now());
      if (!slot.ok) {
        return fail(429, "Worker.TooManyRequests", `at most ${limit} requests per minute`, {}, { ...cors, "Retry-After": String(slot.retryAfter) });
      }

      const cvm = getClient(env);
      if (!cvm) {
        console.error("tc3-edge worker: TC_SECRET_ID, TC_SECRET_KEY and TC_REGION must be set (and valid)");
        return fail(500, "Worker.NotConfigured", "the Worker is not configured", {}, cors);
      }

      const caller = { cors, identity, cvm };
      if (r.name === "export") return await exportImages(request, env, ctx, caller);
      if (r.name === "list") return await listExports(env, caller);
      if (r.taskId === null) return fail(404, "Worker.NotFound", "no such export", {}, cors);
      return await showExport(env, r.taskId, caller);
    } catch (err) {
      // Not a TencentCloudError: a bug. Name its kind, never echo it (it could quote input).
      console.error(`tc3-edge worker: unexpected ${err && err.name}`);
      return fail(500, "Worker.InternalError", "unexpected error", {}, cors);
    }
  },
};
