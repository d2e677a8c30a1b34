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
// The object grants slots; the Worker sends right after the grant. The guard (QUOTA_GUARD_MS,
// default 200 ms) covers the jitter of that last hop (object → Worker → CVM), so the API, which
// counts ARRIVALS, still sees at most N in any second.
//
// Under load (issue #16):
//   - the limit, guard and queue bound are the Worker's configuration (`quotaSettings(env)`),
//     read by the object from its own env — never from whichever request arrives first;
//   - the queue bound counts the guard: a window admits `limit` sends per (1 s + guard), so at
//     most `queueCapacity()` callers may wait, and no admitted caller waits longer than
//     `maxQueueMs` (a grant that would come later is refused, even after reserving);
//   - a SLOW object is not an unreachable one: a grant that does not come in time is refused
//     (429 + Retry-After), and only a failure to reach the object falls back to the isolate's
//     own window — otherwise the isolates would bypass the shared quota exactly under load;
//   - the local fallback refuses before reserving, so a refused caller never pushes later ones back.
//
// Protocol (internal, Worker → object): POST https://quota/acquire
//   204 (X-Quota-Waited-Ms)  the slot is yours: send now
//   429 { retryAfterMs }     no slot within maxQueueMs: do not wait here
import { SlidingWindow } from "tc3-edge";

const DEFAULT_LIMIT = 20;
const DEFAULT_GUARD_MS = 200;
/** The longest a caller may be queued for a slot, by default (a bound on every wait). */
export const MAX_QUEUE_MS = 20_000;
// The client gives `acquire` its request timeout (30 s) at most; the queue bound stays below.
const MAX_QUEUE_MS_CEILING = 25_000;
// The trip to the object and back on top of its own bound, before its silence counts as "slow".
const HOP_ALLOWANCE_MS = 2_000;
const WINDOW_MS = 1000;

const now = () => performance.now();

/** The quota's configuration: QUOTA_PER_SECOND (20), QUOTA_GUARD_MS (200), QUOTA_MAX_QUEUE_MS (20000). */
export function quotaSettings(env = {}) {
  return {
    limit: wholeNumber(env.QUOTA_PER_SECOND, DEFAULT_LIMIT, 1, 1_000_000),
    guardMs: wholeNumber(env.QUOTA_GUARD_MS, DEFAULT_GUARD_MS, 0, 10_000),
    maxQueueMs: wholeNumber(env.QUOTA_MAX_QUEUE_MS, MAX_QUEUE_MS, 1, MAX_QUEUE_MS_CEILING),
  };
}

/**
 * How many callers may wait at once so that none waits longer than `maxQueueMs`: the window
 * grants `limit` per (1 s + guard), so k waiting callers are served within
 * ceil(k / limit) · (1 s + guard). At least `limit` (one window's worth); the grant loop's
 * deadline still refuses a slot that comes too late.
 */
export function queueCapacity({ limit, guardMs, maxQueueMs }) {
  return limit * Math.max(1, Math.floor(maxQueueMs / (WINDOW_MS + guardMs)));
}

/** When a refused caller should come back: once the callers ahead of it are served. */
function drainMs(waiting, { limit, guardMs }) {
  return Math.max(1000, Math.ceil(waiting / limit) * (WINDOW_MS + guardMs));
}

/**
 * One slot of `window`, or a refusal, within `settings.maxQueueMs`. `state.waiting` counts the
 * callers holding a reservation; a full queue refuses BEFORE reserving. `sleep(ms)` may reject
 * (an abort). Resolves to { waitedMs } or { retryAfterMs }.
 */
async function takeSlot(window, state, settings, sleep) {
  if (state.waiting >= queueCapacity(settings)) return { retryAfterMs: drainMs(state.waiting, settings) };
  state.waiting += 1;
  try {
    const start = now();
    const deadline = start + settings.maxQueueMs;
    const wait = window.reserve(start);
    // The capacity should keep this from happening; if it does, the reserved slot goes unused
    // rather than a caller waiting past the bound.
    if (start + wait > deadline) return { retryAfterMs: Math.max(1000, Math.ceil(wait)) };
    if (wait > 0) await sleep(wait);
    // The gate: record the grant as a send only when the window has room at this instant.
    for (let more = window.trySend(now()); more > 0; more = window.trySend(now())) {
      if (now() + more > deadline) return { retryAfterMs: Math.max(1000, Math.ceil(more)) };
      await sleep(more);
    }
    return { waitedMs: now() - start };
  } finally {
    state.waiting -= 1;
  }
}

export class ExportQuota {
  constructor(ctx, env) {
    this.settings = quotaSettings(env);
    this.window = new SlidingWindow(this.settings.limit, WINDOW_MS, this.settings.guardMs);
    this.queue = { waiting: 0 };
  }

  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== "/acquire" || request.method !== "POST") return new Response(null, { status: 404 });
    const slot = await takeSlot(this.window, this.queue, this.settings, (ms) => new Promise((ok) => setTimeout(ok, ms)));
    if (slot.retryAfterMs !== undefined) return Response.json({ retryAfterMs: slot.retryAfterMs }, { status: 429 });
    return new Response(null, { status: 204, headers: { "X-Quota-Waited-Ms": String(Math.round(slot.waitedMs)) } });
  }
}

function wholeNumber(text, fallback, min, max) {
  const n = Number.parseInt(text ?? "", 10);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
}

class QuotaRefused extends Error {}

/**
 * The `rateLimit.acquire` a Worker's CvmClient calls before every attempt (retries included).
 * Asks the quota key's object for a slot:
 *   - 204: granted;
 *   - 429, or no answer within maxQueueMs + the hop: REFUSED — the call rejects, nothing is sent,
 *     `onRefused(signal, retryAfterMs)` is told (the Worker's Retry-After);
 *   - the object cannot be reached (the stub's fetch throws) or cannot serve (another status):
 *     FALLBACK to this isolate's own window — availability first: the Worker keeps exporting at
 *     the per-isolate rate and says so (`onFallback`, which logs and marks the response).
 */
export function quotaAcquirer({ namespace, key, settings = quotaSettings(), onFallback, onRefused }) {
  const local = new SlidingWindow(settings.limit, WINDOW_MS, settings.guardMs);
  const localQueue = { waiting: 0 };
  const id = namespace.idFromName(key);
  const refuse = (signal, retryAfterMs, why) => {
    onRefused?.(signal, retryAfterMs);
    throw new QuotaRefused(`${why}; retry in ${Math.ceil(retryAfterMs / 1000)} s`);
  };
  return async function acquire(action, { signal } = {}) {
    let response;
    let timer;
    const slow = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new QuotaRefused("slow")), settings.maxQueueMs + HOP_ALLOWANCE_MS);
    });
    try {
      // A stub per call: an I/O object made while serving one request cannot be used by
      // another (a Workers rule), and the client is shared by all of the isolate's requests.
      const stub = namespace.get(id);
      response = await Promise.race([stub.fetch("https://quota/acquire", { method: "POST", signal }), slow]);
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      if (err instanceof QuotaRefused) {
        // Slow, not unreachable: the object holds the fleet's queue; sending anyway would
        // bypass the quota exactly when it is needed.
        refuse(signal, settings.maxQueueMs, `the quota object gave no slot within ${settings.maxQueueMs} ms`);
      }
      onFallback?.(signal, `quota object unreachable (${err?.name ?? "error"}: ${err?.message ?? ""})`);
      return localAcquire(local, localQueue, settings, signal, refuse);
    } finally {
      clearTimeout(timer);
    }
    if (response.status === 204) return;
    if (response.status === 429) {
      const { retryAfterMs } = await response.json().catch(() => ({}));
      refuse(signal, Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? retryAfterMs : 1000, "the ExportImages quota queue is full");
    }
    onFallback?.(signal, `quota object answered ${response.status}`);
    return localAcquire(local, localQueue, settings, signal, refuse);
  };
}

/** The same rule in this isolate: refused before reserving when full, bounded, abortable. */
async function localAcquire(window, queue, settings, signal, refuse) {
  const slot = await takeSlot(window, queue, settings, (ms) => abortableSleep(ms, signal));
  if (slot.retryAfterMs !== undefined) refuse(signal, slot.retryAfterMs, "the local ExportImages queue is full");
}

function abortableSleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
    const timer = setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(); }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
