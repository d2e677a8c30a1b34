// One ExportImages quota for a whole fleet of Worker isolates: a Durable Object per quota key.
//
// CVM allows 20 ExportImages per second per account (and action, and region). Each isolate's
// CvmClient keeps ITS calls under that, but Cloudflare runs many isolates at once, in many
// locations: together they would send 20 × N. A Durable Object is one single-threaded instance
// per name, worldwide, so naming one per quota key — SecretId + action + region — gives every
// isolate the same window. The window is tc3-edge's own `SlidingWindow` (the client's rate-limit
// rule, from the same wasm module): at most N sends in ANY window of 1 s + guard, paced evenly,
// queued in arrival order.
//
// The object grants slots; the Worker sends right after the grant. The guard (default 200 ms,
// QUOTA_GUARD_MS) covers the jitter of that last hop (object → Worker → CVM), so the API, which
// counts ARRIVALS, still sees at most N in any second.
//
// Protocol (internal, Worker → object): POST https://quota/acquire?limit=20&guard=200
//   204                      the slot is yours: send now
//   429 { retryAfterMs }     the queue is longer than MAX_QUEUE_MS: do not wait here
import { SlidingWindow } from "tc3-edge";

/** The longest a caller may be queued in the object (a bound on every wait). */
export const MAX_QUEUE_MS = 20_000;
const DEFAULT_LIMIT = 20;
const DEFAULT_GUARD_MS = 200;

const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class ExportQuota {
  constructor(state, env) {
    this.state = state;
    this.env = env;
    this.window = null; // created on the first request, with the limit it names
    this.granted = 0;
  }

  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== "/acquire" || request.method !== "POST") return new Response(null, { status: 404 });
    if (!this.window) {
      const limit = positiveInt(url.searchParams.get("limit"), DEFAULT_LIMIT);
      const guard = positiveInt(url.searchParams.get("guard"), DEFAULT_GUARD_MS);
      this.window = new SlidingWindow(limit, 1000, guard);
    }
    const wait = this.window.reserve(now());
    if (wait > MAX_QUEUE_MS) {
      // The reservation stays taken (the window only ever errs on the safe side).
      return Response.json({ retryAfterMs: Math.ceil(wait) }, { status: 429 });
    }
    if (wait > 0) await sleep(wait);
    // The gate: record the grant as a send only when the window has room at this instant.
    for (let more = this.window.trySend(now()); more > 0; more = this.window.trySend(now())) await sleep(more);
    this.granted += 1;
    return new Response(null, { status: 204, headers: { "X-Quota-Waited-Ms": String(Math.round(wait)) } });
  }
}

function positiveInt(text, fallback) {
  const n = Number.parseInt(text ?? "", 10);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/**
 * The `rateLimit.acquire` a Worker's CvmClient calls before every attempt (retries included).
 * Asks the quota key's object for a slot; if the object cannot be reached it falls back to this
 * isolate's own window (FAILURE POLICY: availability first — a Worker keeps exporting, at the
 * per-isolate rate, and says so: `onFallback` is told, which logs and marks the response).
 * An answer of the object that refuses (queue full) is final: the call rejects, nothing sent.
 */
export function quotaAcquirer({ namespace, key, limit = DEFAULT_LIMIT, guardMs = DEFAULT_GUARD_MS, timeoutMs = MAX_QUEUE_MS + 5_000, onFallback }) {
  const local = new SlidingWindow(limit, 1000);
  const stub = namespace.get(namespace.idFromName(key));
  return async function acquire(action, { signal } = {}) {
    let response;
    try {
      const bound = AbortSignal.timeout(timeoutMs);
      response = await stub.fetch(`https://quota/acquire?limit=${limit}&guard=${guardMs}`, {
        method: "POST",
        signal: signal ? AbortSignal.any([signal, bound]) : bound,
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      onFallback?.(signal, `quota object unreachable (${err?.name ?? "error"})`);
      return localAcquire(local, signal);
    }
    if (response.status === 204) return;
    if (response.status === 429) {
      const { retryAfterMs } = await response.json().catch(() => ({}));
      throw new Error(`the ExportImages quota queue is full; retry in ${Math.ceil((retryAfterMs ?? 1000) / 1000)} s`);
    }
    onFallback?.(signal, `quota object answered ${response.status}`);
    return localAcquire(local, signal);
  };
}

/** The same rule in this isolate: wait for a local slot (bounded by MAX_QUEUE_MS, abortable). */
async function localAcquire(window, signal) {
  const wait = window.reserve(now());
  if (wait > MAX_QUEUE_MS) throw new Error("the local ExportImages queue is full");
  if (wait > 0) await abortableSleep(wait, signal);
  for (let more = window.trySend(now()); more > 0; more = window.trySend(now())) await abortableSleep(more, signal);
}

function abortableSleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
    const timer = setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(); }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
