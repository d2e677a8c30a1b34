// @ts-check
// The export waiter's driver: `client.waitForExport` and `client.checkExportFiles`. The wait
// is a state machine in Rust (src/client/wait_export.rs; its boundary src/wasm/wait_export.rs
// signs the COS requests it asks for); this module only performs the actions — a HEAD/GET
// with fetch, a sleep, an onProgress call, the credential provider — and feeds back what
// happened with the monotonic time (performance.now()). It decides nothing. Beside
// js/driver.js (API calls), through the same io header and buffers in wasm memory.

import { awaitProvider, driverOf, EV_PROVIDER_GONE, isAbortSignal, monotonic, parseFailure, raceAttempt, sleep } from "./driver.js";

// Action codes (src/wasm/client.rs, and PROGRESS in src/wasm/wait_export.rs).
const IDLE = 0;
// 1, 2: CALL_PROVIDER / JOIN_PROVIDER (the provider call, see awaitProvider).
const WAIT = 3;
const SEND = 4;
const DONE = 5;
const FAILED = 6;
const PROGRESS = 7;

// Events of __waitStep.
const EV_ELAPSED = 1;
const EV_RESPONSE = 2;
const EV_FAILED = 3;
const EV_ABORTED = 4;
const EV_PROVIDER_TIMEOUT = 5;
const EV_CONTINUE = 6;

// Slots of the io header (f64).
const IO_NUMBER = 1;
const IO_OUT_PTR = 2;
const IO_OUT_LEN = 3;
const IO_IN_PTR = 4;
const IO_IN_CAP = 5;
const IO_CALL = 6;
const IO_TIMEOUT = 7;

/** The COS answer headers the machine reads, in the order __waitStep expects them. */
export const COS_HEADERS = ["content-length", "content-range", "etag", "last-modified", "x-cos-request-id", "date"];

/**
 * The wasm-bindgen `CvmClient` methods this driver calls (src/wasm/wait_export.rs).
 * @typedef {object} WaitCore
 * @property {() => [string, import("./driver.js").Fetch | undefined, (() => unknown) | undefined, number, import("./driver.js").SharedLimiter | undefined]} __driver
 * @property {(len: number) => void} __reserve
 * @property {(task: unknown, options: unknown, once: boolean, isSignal: boolean, aborted: boolean, mono: number, wall: number, random: number) => number} __waitStart
 * @property {(id: number, event: number, n: number, len: number, mono: number, wall: number, random: number) => number} __waitStep
 * @property {(id: number, provider: number, ok: boolean, value: unknown, mono: number, wall: number, random: number) => number} __waitProvided
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
const noStore = (() => {
  try {
    new Request("https://cache.invalid/", { cache: "no-store" });
    return true;
  } catch {
    return false;
  }
})();

/**
 * One COS request: `method` (HEAD, or GET to read an error body) with `headers`, aborted
 * after `timeoutMs` or when `signal` fires. The body is read only for an error status (COS's
 * XML error document); a 2xx body is the export file itself, so it is cancelled unread.
 * @param {import("./driver.js").Fetch | undefined} fetchFn
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
  if (noStore) init.cache = "no-store";
  // Raced against the timer and the signal: a transport that ignores its signal cannot hold the wait.
  return raceAttempt(() => cosAttempt(fetchFn, url, init), timeoutMs, signal, () => controller.abort());
}

/**
 * @param {import("./driver.js").Fetch | undefined} fetchFn
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
 * @param {import("./driver.js").ErrorClassOf} ErrorClass
 */
export function installWaitPath(Class, memory, ErrorClass) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let bytes = new Uint8Array(0);
  let io = new Float64Array(0);
  /** Renews the views when the memory has grown (growing detaches the old buffer). */
  const views = () => {
    if (bytes.buffer !== memory.buffer) {
      bytes = new Uint8Array(memory.buffer);
      io = new Float64Array(memory.buffer);
    }
  };

  /**
   * Writes `s` into the client's input buffer; returns its UTF-8 length.
   * @param {WaitCore} core
   * @param {number} at
   * @param {string} s
   */
  const write = (core, at, s) => {
    views();
    let ptr = io[at + IO_IN_PTR];
    let { read, written } = encoder.encodeInto(s, bytes.subarray(ptr, ptr + io[at + IO_IN_CAP]));
    if (read < s.length) {
      core.__reserve(3 * s.length);
      views();
      ptr = io[at + IO_IN_PTR];
      ({ written } = encoder.encodeInto(s, bytes.subarray(ptr, ptr + io[at + IO_IN_CAP])));
    }
    return written;
  };

  /**
   * The last action's text; zeroed in wasm memory once read when it may hold a secret (a
   * request's x-cos-security-token, links carrying the session token).
   * @param {number} at
   * @param {boolean} wipe
   */
  const out = (at, wipe) => {
    views();
    const ptr = io[at + IO_OUT_PTR];
    const end = ptr + io[at + IO_OUT_LEN];
    const s = decoder.decode(bytes.subarray(ptr, end));
    if (wipe) bytes.fill(0, ptr, end);
    return s;
  };

  /** The error of a FAILED action. @param {number} at */
  const failure = (at) => parseFailure(out(at, false), ErrorClass);

  /**
   * A SEND action: `method NUL url (NUL name NUL value)*`, the header count in the header.
   * @param {number} at
   */
  const outgoing = (at) => {
    const s = out(at, true).split("\0");
    /** @type {Record<string, string>} */
    const headers = {};
    for (let i = 0, n = io[at + IO_NUMBER]; i < n; i++) headers[s[2 + 2 * i]] = s[3 + 2 * i];
    return { method: s[0], url: s[1], headers };
  };

  /**
   * Performs actions until the wait finishes: resolves to the result's JSON text.
   * @param {WaitCore} core
   * @param {import("./driver.js").ClientDriver} d
   * @param {number} id
   * @param {number} code the first action
   * @param {AbortSignal | undefined} signal
   * @param {((value: unknown) => unknown) | undefined} onProgress
   * @returns {Promise<string>}
   */
  const run = async (core, d, id, code, signal, onProgress) => {
    for (;;) {
      // The step may have grown the wasm memory: renew the views before reading the header.
      views();
      if (code === DONE) return out(d.at, true);
      if (code === FAILED) throw failure(d.at);
      if (code === IDLE) throw new ErrorClass("Client.InvalidResponse", "internal: the wait ended without a result");
      let event = EV_ABORTED;
      let n = 0;
      let len = 0;
      if (code === PROGRESS) {
        const report = JSON.parse(out(d.at, true));
        if (onProgress) callProgress(onProgress, report);
        event = EV_CONTINUE;
      } else if (code === WAIT) {
        if (!(await sleep(io[d.at + IO_NUMBER], signal))) event = EV_ELAPSED;
      } else if (code === SEND) {
        const timeout = io[d.at + IO_TIMEOUT];
        const { method, url, headers } = outgoing(d.at);
        const r = await cosOnce(d.fetch, method, url, headers, timeout, signal);
        if (r.kind === "ok") {
          event = EV_RESPONSE;
          n = r.status;
          len = write(core, d.at, r.headers.join("\0") + "\0" + r.body);
        } else if (r.kind !== "aborted") {
          event = EV_FAILED;
          n = r.kind === "timeout" ? 1 : 0;
          len = write(core, d.at, r.code + "\0" + r.message);
        }
      } else {
        // CALL_PROVIDER / JOIN_PROVIDER: the client's one provider call (js/driver.js).
        const provider = io[d.at + IO_NUMBER];
        const timeout = io[d.at + IO_TIMEOUT];
        const r = await awaitProvider(d, code, provider, timeout, signal);
        if (r.kind === "ok" || r.kind === "error") {
          if (!(signal && signal.aborted)) {
            code = core.__waitProvided(id, provider, r.kind === "ok", r.value, monotonic(), Date.now(), Math.random());
            continue;
          }
        } else if (r.kind === "timeout" || r.kind === "gone") {
          event = r.kind === "timeout" ? EV_PROVIDER_TIMEOUT : EV_PROVIDER_GONE;
          n = provider;
        }
      }
      // Abort wins over what has not arrived; an answer already read is delivered.
      if (signal && signal.aborted && event !== EV_RESPONSE) event = EV_ABORTED;
      code = core.__waitStep(id, event, n, len, monotonic(), Date.now(), Math.random());
    }
  };

  /**
   * Checks the task and options (in wasm), starts the wait and drives it; never throws
   * synchronously.
   * @param {WaitCore} core
   * @param {unknown} task
   * @param {unknown} options
   * @param {boolean} once checkExportFiles
   * @returns {Promise<string>}
   */
  const wait = (core, task, options, once) => {
    try {
      const d = driverOf(core);
      const o = /** @type {any} */ (options !== null && typeof options === "object" ? options : {});
      const s = o.signal;
      const signal = isAbortSignal(s) ? s : undefined;
      const first = core.__waitStart(task, options, once, signal !== undefined, !!(signal && signal.aborted), monotonic(), Date.now(), Math.random());
      // Checked by __waitStart: a function, or absent.
      const onProgress = once ? undefined : o.onProgress;
      views();
      return run(core, d, io[d.at + IO_CALL], first, signal, typeof onProgress === "function" ? onProgress : undefined);
    } catch (e) {
      return Promise.reject(e);
    }
  };

  const proto = /** @type {any} */ (Class.prototype);
  /**
   * @this {WaitCore}
   * @param {unknown} task
   * @param {unknown} [options]
   */
  async function waitForExport(task, options) {
    return JSON.parse(await wait(this, task, options, false));
  }
  /**
   * @this {WaitCore}
   * @param {unknown} task
   * @param {unknown} [options]
   */
  async function checkExportFiles(task, options) {
    return JSON.parse(await wait(this, task, options, true));
  }
  for (const [name, value] of /** @type {const} */ ([["waitForExport", waitForExport], ["checkExportFiles", checkExportFiles]])) {
    Object.defineProperty(proto, name, { value, writable: true, configurable: true });
  }
}
