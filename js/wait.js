// @ts-check
// The export waiter's driver: `client.waitForExport` and `client.checkExportFiles`. The wait
// is a state machine in Rust (src/client/wait_job.rs around src/client/wait_export.rs; it signs
// the COS requests it asks for); this module only performs the actions — a HEAD/GET with fetch,
// a sleep, an onProgress call — and reports what happened. It decides nothing. The channel
// (js/channel.js: memory, clocks, the provider, the loop) is shared with js/driver.js.

import { EV_ABORTED, EV_CONTINUE, EV_ELAPSED, IO_CALL, IO_NUMBER, IO_TIMEOUT, PROGRESS, SEND, WAIT } from "./codes.js";
import { channelOf, driverOf, install, isAbortSignal, raceAttempt, reported, sleep, traceId } from "./channel.js";

/** The COS answer headers the machine reads, in the order __waitStep expects them. */
export const COS_HEADERS = ["content-length", "content-range", "etag", "last-modified", "x-cos-request-id", "date"];

/**
 * The wasm-bindgen `CvmClient` methods this driver calls (src/wasm/wait_export.rs); the clocks
 * are in the io header (the channel writes them before each).
 * @typedef {object} WaitCore
 * @property {() => [string, import("./channel.js").Fetch | undefined, (() => unknown) | undefined, number, import("./channel.js").SharedLimiter | undefined]} __driver
 * @property {(len: number) => void} __reserve
 * @property {() => string} __events the last step's events (JSON), for onEvent
 * @property {(task: unknown, options: unknown, once: boolean, isSignal: boolean, aborted: boolean) => number} __waitStart
 * @property {(id: number, event: number, n: number, len: number) => number} __waitStep
 * @property {(id: number, provider: number, ok: boolean, value: unknown) => number} __waitProvided
 */

/** A COS answer's event text: the headers in COS_HEADERS order, then the body. @param {{ headers: string[], body: string }} ok */
const answer = (ok) => ok.headers.join("\0") + "\0" + ok.body;

/**
 * One wait being driven (js/channel.js's run, plus what the wait counts).
 * @typedef {import("./channel.js").Run & { core: WaitCore, onProgress: ((value: unknown) => unknown) | undefined, polls: number, waited: number }} WaitRun
 */

/**
 * What one COS request came to.
 * @typedef {{ kind: "ok", status: number, headers: string[], body: string }
 *   | { kind: "timeout" | "network" | "aborted", code: string, message: string }} CosOutcome
 */

/**
 * Whether this runtime's fetch takes `cache: "no-store"`. workerd before compatibility date
 * 2024-11-11 throws on any `cache` value (every poll would fail), so the option is passed only
 * where `new Request` accepts it. Leaving it out there is safe: each poll carries a fresh
 * `Authorization`, so a shared cache (Cloudflare's) must not store its answer (RFC 9111 §3.5);
 * the only cache it guards against is a browser's private one, and browsers support it. (A
 * `Cache-Control` request header instead would make every bucket's CORS rules allow it.)
 */
/** @type {boolean | undefined} */
let noStoreKnown;
/**
 * Asked on the first COS request, not at import: touching `Request` makes Node load its fetch
 * implementation (undici), which measured ~10 ms of every cold start of the package.
 * @returns {boolean}
 */
const noStore = () => {
  if (noStoreKnown === undefined) {
    try {
      new Request("https://cache.invalid/", { cache: "no-store" });
      noStoreKnown = true;
    } catch {
      noStoreKnown = false;
    }
  }
  return noStoreKnown;
};

/**
 * One COS request: `method` (HEAD, or GET to read an error body) with `headers`, aborted
 * after `timeoutMs` or when `signal` fires. The body is read only for an error status (COS's
 * XML error document); a 2xx body is the export file itself, so it is cancelled unread.
 * @param {import("./channel.js").Fetch | undefined} fetchFn
 * @param {string} method
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {number} timeoutMs
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<CosOutcome>}
 */
export function cosOnce(fetchFn, method, url, headers, timeoutMs, signal) {
  const controller = new AbortController();
  /** @type {RequestInit} */
  const init = { method, headers, signal: controller.signal, redirect: "manual" };
  if (noStore()) init.cache = "no-store";
  // Raced against the timer and the signal: a transport that ignores its signal cannot hold the wait.
  return raceAttempt(() => cosAttempt(fetchFn, url, init), timeoutMs, signal, () => controller.abort());
}

/**
 * @param {import("./channel.js").Fetch | undefined} fetchFn
 * @param {string} url
 * @param {RequestInit} init
 * @returns {Promise<CosOutcome>}
 */
async function cosAttempt(fetchFn, url, init) {
  // Called as a plain function: an unbound global fetch is an "Illegal invocation" in workerd.
  const response = await (fetchFn ? fetchFn(url, init) : fetch(url, init));
  const status = response && response.status;
  if (typeof status !== "number") throw new TypeError("the fetch result has no numeric status");
  let body = "";
  // An error's XML is read (status 0: a browser's opaque redirect, refused by the machine), and
  // so is a listing (GET without Range: the quiet probe). A 2xx of HEAD or a ranged GET is the
  // export file itself: cancelled unread.
  const h0 = /** @type {Record<string, string>} */ (init.headers);
  if (status >= 300 || status < 200 || (init.method === "GET" && !h0.Range)) body = String(await response.text());
  else if (response.body && typeof response.body.cancel === "function") await response.body.cancel().catch(() => {});
  const h = response.headers && typeof response.headers.get === "function" ? response.headers : null;
  return { kind: "ok", status, headers: COS_HEADERS.map((name) => String((h && h.get(name)) || "")), body };
}

/**
 * Calls `onProgress(value)`. What it throws, or a promise it returns that rejects, is caught
 * and dropped: progress is advisory, and a bug in a UI callback must not end (or, as an
 * unhandled rejection, crash) the wait. It is not awaited.
 * @param {(value: unknown) => unknown} fn
 * @param {unknown} value
 */
export function callProgress(fn, value) {
  try {
    const r = /** @type {any} */ (fn(value));
    if (r && typeof r.then === "function") r.then(undefined, () => {});
  } catch {
    // dropped (see above)
  }
}

/**
 * Installs `waitForExport` and `checkExportFiles` on the wasm-bindgen `CvmClient` class.
 * @param {{ prototype: object }} Class the generated CvmClient
 * @param {WebAssembly.Memory} memory that module instance's memory
 * @param {import("./channel.js").ErrorClassOf} ErrorClass
 */
export function installWaitPath(Class, memory, ErrorClass) {
  const ch = channelOf(memory, ErrorClass);

  /**
   * A SEND action: `method NUL url (NUL name NUL value)*`, the header count in the header. The
   * text holds the session token: zeroed in wasm memory once read.
   * @param {import("./channel.js").ClientDriver} d
   */
  const outgoing = (d) => {
    const n = ch.slot(d, IO_NUMBER);
    const s = ch.text(d, true).split("\0");
    /** @type {Record<string, string>} */
    const headers = {};
    for (let i = 0; i < n; i++) headers[s[2 + 2 * i]] = s[3 + 2 * i];
    return { method: s[0], url: s[1], headers };
  };

  /**
   * The wait's part of the loop (js/channel.js): PROGRESS, WAIT, SEND, and the wait's exports.
   * @type {import("./channel.js").Steps}
   */
  const steps = {
    /** @param {WaitRun} w @param {number} code @returns {Promise<any>} */
    perform(w, code) {
      const d = w.d;
      if (code === PROGRESS) {
        const report = JSON.parse(ch.text(d, true));
        if (w.onProgress) callProgress(w.onProgress, report);
        return Promise.resolve();
      }
      if (code === WAIT) {
        const ms = ch.slot(d, IO_NUMBER);
        w.waited += ms;
        return sleep(ms, w.signal);
      }
      if (code !== SEND) return Promise.resolve();
      w.polls++;
      const timeout = ch.slot(d, IO_TIMEOUT);
      const { method, url, headers } = outgoing(d);
      return cosOnce(d.fetch, method, url, headers, timeout, w.signal);
    },
    /** @param {WaitRun} _w @param {number} code @param {any} o @returns {import("./channel.js").Reported} */
    report(_w, code, o) {
      if (code === PROGRESS) return [EV_CONTINUE, 0, ""];
      if (code === WAIT) return [o ? EV_ABORTED : EV_ELAPSED, 0, ""];
      if (code === SEND) return reported(/** @type {CosOutcome} */ (o), answer);
      return [EV_ABORTED, 0, ""];
    },
    /** @param {WaitRun} w @param {number} event @param {number} n @param {number} len */
    step: (w, event, n, len) => w.core.__waitStep(w.id, event, n, len),
    /** @param {WaitRun} w @param {number} provider @param {boolean} ok @param {unknown} value */
    provided: (w, provider, ok, value) => w.core.__waitProvided(w.id, provider, ok, value),
    /** @param {WaitRun} _w @param {string} text */
    done: (_w, text) => JSON.parse(text),
    /** For the error: polls sent, backoff waited. @param {WaitRun} w @param {any} err */
    failed(w, err) {
      err.attempts = w.polls;
      err.totalRetryDelayMs = w.waited;
    },
  };

  /**
   * Checks the task and options (in wasm), starts the wait and drives it; never throws
   * synchronously.
   * @param {WaitCore} core
   * @param {unknown} task
   * @param {unknown} options
   * @param {boolean} once checkExportFiles
   * @returns {Promise<any>}
   */
  const wait = (core, task, options, once) => {
    try {
      const d = driverOf(core);
      const o = /** @type {any} */ (options !== null && typeof options === "object" ? options : {});
      const signal = isAbortSignal(o.signal) ? o.signal : undefined;
      // Read once, before the wait starts in wasm: a getter that throws then leaves nothing
      // started (read after, it left the started wait's slot taken for good).
      const progress = once ? undefined : o.onProgress;
      ch.clocks(d);
      const first = core.__waitStart(task, options, once, signal !== undefined, !!(signal && signal.aborted));
      // Checked by __waitStart: a function, or absent.
      const onProgress = typeof progress === "function" ? progress : undefined;
      /** @type {WaitRun} */
      const run = { core, d, id: ch.slot(d, IO_CALL), signal, callId: ++d.seq, trace: traceId(), onProgress, polls: 0, waited: 0 };
      return ch.drive(run, first, true, steps);
    } catch (e) {
      return Promise.reject(e);
    }
  };

  install(Class, {
    /**
     * @this {WaitCore}
     * @param {unknown} task
     * @param {unknown} [options]
     */
    waitForExport(task, options) {
      return wait(this, task, options, false);
    },
    /**
     * @this {WaitCore}
     * @param {unknown} task
     * @param {unknown} [options]
     */
    checkExportFiles(task, options) {
      return wait(this, task, options, true);
    },
  });
}
