// @ts-check
// The call path's driver. A call (ExportImages, request) is a state machine in Rust
// (src/client/call.rs); this module only performs its actions — fetch, timers, a shared
// limiter — and reports what happened. It decides nothing: the wasm module answers each event
// with the next action. The channel (js/channel.js: two buffers and a small header in wasm
// memory, the clocks, the credential provider, the loop) is shared with js/wait.js; a call
// that succeeds at once crosses into wasm twice (__start, __step).

import {
  ACQUIRE, EV_ABORTED, EV_ACQUIRE_FAILED, EV_ACQUIRED, EV_ELAPSED, EV_WAKE, IO_ATTEMPTS, IO_BACKUP, IO_CALL, IO_NUMBER, IO_RETRY_DELAY, IO_TIMEOUT, KIND_EXPORT, KIND_REQUEST, KIND_REQUEST_NOT_JSON, SEND, WAIT, WAIT_FOR_SLOT,
} from "./codes.js";
import { channelOf, driverOf, install, isAbortSignal, raceAttempt, reported, settleWithin, sleep, traceId } from "./channel.js";

// The channel's parts this module's users (the entries, tests) know it by.
export { awaitProvider, deliver, driverOf, isAbortSignal, monotonic, parseFailure, raceAttempt, settleWithin, sleep, traceId } from "./channel.js";

/**
 * The wasm-bindgen `CvmClient` methods the driver calls (src/wasm/client.rs).
 * @typedef {object} Core
 * @property {() => [string, Fetch | undefined, (() => unknown) | undefined, number, SharedLimiter | undefined, (OnEvent | undefined)?, (string | undefined)?]} __driver
 * @property {() => string} __events
 * @property {(len: number) => void} __reserve
 * @property {(options: unknown, isSignal: boolean) => void} __callOptions
 * @property {(kind: number, len: number, aborted: boolean) => number} __start
 * @property {(id: number, event: number, n: number, len: number) => number} __step
 * @property {(id: number, provider: number, ok: boolean, value: unknown) => number} __provided
 */

/** @typedef {import("./channel.js").Fetch} Fetch */
/** @typedef {import("./channel.js").OnEvent} OnEvent */
/** @typedef {import("./channel.js").SharedLimiter} SharedLimiter */
/** @typedef {import("./channel.js").ClientDriver} ClientDriver */
/** @typedef {import("./channel.js").ErrorClassOf} ErrorClassOf */

/**
 * What one HTTP attempt came to.
 * @typedef {{ kind: "ok", status: number, date: string, text: string }
 *   | { kind: "timeout" | "network" | "aborted", code: string, message: string }} Outcome
 */

/** An answer's event text: its `Date`, then the body. @param {{ date: string, text: string }} ok */
const answer = (ok) => ok.date + "\0" + ok.text;

/**
 * One call being driven (js/channel.js's run, plus the call's own parts).
 * @typedef {import("./channel.js").Run & { core: Core, kind: number, action: string, context: unknown }} CallRun
 */

/**
 * One HTTP attempt: POST, bounded by `timeoutMs` and `signal`. Reports what happened; the
 * state machine decides what it means. The attempt is raced against the timer and the signal,
 * so a transport that ignores its signal cannot hold the call; the fetch itself is aborted
 * too, through an AbortController created only if the transport reads `init.signal` (Node's
 * AbortController measured ~10 % of a whole call with a transport that answers at once).
 * @param {Fetch | undefined} fetchFn
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {string} body
 * @param {number} timeoutMs
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<Outcome>}
 */
export function sendOnce(fetchFn, url, headers, body, timeoutMs, signal) {
  /** @type {AbortController | undefined} */
  let controller;
  const init = {
    method: "POST",
    headers,
    body,
    // Never followed: the signed headers would travel to the Location (src/client/redirect.rs).
    redirect: /** @type {RequestRedirect} */ ("manual"),
    get signal() {
      return (controller ??= new AbortController()).signal;
    },
  };
  return raceAttempt(() => attempt(fetchFn, url, init), timeoutMs, signal, () => controller && controller.abort());
}

/**
 * fetch, then the whole body as text.
 * @param {Fetch | undefined} fetchFn
 * @param {string} url
 * @param {RequestInit} init
 * @returns {Promise<Outcome>}
 */
async function attempt(fetchFn, url, init) {
  // Called as plain functions: an unbound global fetch is an "Illegal invocation" in workerd.
  const response = await (fetchFn ? fetchFn(url, init) : fetch(url, init));
  const status = response && response.status;
  if (typeof status !== "number") throw new TypeError("the fetch result has no numeric status");
  const text = await response.text();
  const h = response.headers;
  const date = (h && typeof h.get === "function" && h.get("date")) || "";
  return { kind: "ok", status, date: String(date), text: String(text) };
}

/**
 * A WAIT_FOR_SLOT: resolves "elapsed" after `ms`, "woken" when a slot of the client's own
 * limiter was given back (see wakeSlotWaits), or "aborted".
 * @param {ClientDriver} d
 * @param {number} ms
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<"elapsed" | "woken" | "aborted">}
 */
function slotWait(d, ms, signal) {
  return new Promise((resolve) => {
    if (signal && signal.aborted) return resolve("aborted");
    /** @param {"elapsed" | "woken" | "aborted"} how */
    const done = (how) => {
      clearTimeout(timer);
      d.slotWaits.delete(wake);
      if (signal) signal.removeEventListener("abort", onAbort);
      resolve(how);
    };
    const wake = () => done("woken");
    const onAbort = () => done("aborted");
    const timer = setTimeout(done, ms, "elapsed");
    d.slotWaits.add(wake);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A call left its WAIT_FOR_SLOT without sending (aborted): its slot was given back, so every
 * other call waiting in the limiter asks the machine again (it may move up).
 * @param {ClientDriver} d
 */
function wakeSlotWaits(d) {
  for (const wake of [...d.slotWaits]) wake();
}

/**
 * Installs `ExportImages`, `exportImages` and `request` on the wasm-bindgen `CvmClient`
 * class: each runs the call's state machine to its end.
 * @param {{ prototype: object }} Class the generated CvmClient
 * @param {WebAssembly.Memory} memory that module instance's memory
 * @param {ErrorClassOf} ErrorClass
 */
export function installCallPath(Class, memory, ErrorClass) {
  const ch = channelOf(memory, ErrorClass);

  /**
   * A SEND action's headers and body. The text holds the session token: its bytes in wasm
   * memory are zeroed as soon as they are read.
   * @param {ClientDriver} d
   */
  const outgoing = (d) => {
    const count = ch.slot(d, IO_NUMBER);
    const s = ch.text(d, true);
    /** @type {Record<string, string>} */
    const headers = {};
    let from = 0;
    for (let n = count; n > 0; n--) {
      const a = s.indexOf("\0", from);
      const b = s.indexOf("\0", a + 1);
      headers[s.slice(from, a)] = s.slice(a + 1, b);
      from = b + 1;
    }
    return { headers, body: s.slice(from) };
  };

  /**
   * The call path's part of the loop (js/channel.js): SEND, WAIT, WAIT_FOR_SLOT, ACQUIRE, and
   * the call's exports. `perform` is not async: each await it would add is a microtask hop on
   * every call.
   * @type {import("./channel.js").Steps}
   */
  const steps = {
    /** @param {CallRun} c @param {number} code @returns {Promise<any>} */
    perform(c, code) {
      const d = c.d;
      if (code === SEND) {
        const timeout = ch.slot(d, IO_TIMEOUT);
        const url = ch.slot(d, IO_BACKUP) === 1 && d.backup ? d.backup : d.url;
        const { headers, body } = outgoing(d);
        return sendOnce(d.fetch, url, headers, body, timeout, c.signal);
      }
      if (code === WAIT) return sleep(ch.slot(d, IO_NUMBER), c.signal);
      if (code === WAIT_FOR_SLOT) return slotWait(d, ch.slot(d, IO_NUMBER), c.signal);
      if (code === ACQUIRE) return acquire(c);
      return Promise.resolve(true);
    },
    /** @param {CallRun} _c @param {number} code @param {any} o @returns {import("./channel.js").Reported} */
    report(_c, code, o) {
      if (code === SEND) return reported(/** @type {Outcome} */ (o), answer);
      if (code === WAIT) return [o ? EV_ABORTED : EV_ELAPSED, 0, ""];
      if (code === WAIT_FOR_SLOT) return [o === "aborted" ? EV_ABORTED : o === "woken" ? EV_WAKE : EV_ELAPSED, 0, ""];
      if (code === ACQUIRE) return o;
      return [EV_ABORTED, 0, ""];
    },
    /** @param {CallRun} c @param {number} event @param {number} n @param {number} len */
    step: (c, event, n, len) => c.core.__step(c.id, event, n, len),
    /** @param {CallRun} c @param {number} provider @param {boolean} ok @param {unknown} value */
    provided: (c, provider, ok, value) => c.core.__provided(c.id, provider, ok, value),
    /** A call that left its WAIT_FOR_SLOT aborted gave its slot back: the others may move up. @param {CallRun} c @param {number} left @param {number} event */
    after(c, left, event) {
      if (left === WAIT_FOR_SLOT && event === EV_ABORTED) wakeSlotWaits(c.d);
    },
    /** @param {CallRun} c @param {string} text */
    done(c, text) {
      const result = JSON.parse(text);
      return c.kind === KIND_EXPORT ? result : result.Response;
    },
    /** @param {CallRun} c @param {any} err */
    failed(c, err) {
      err.attempts = ch.slot(c.d, IO_ATTEMPTS);
      err.totalRetryDelayMs = ch.slot(c.d, IO_RETRY_DELAY);
    },
  };

  /**
   * An ACQUIRE: a shared limiter (rateLimit.acquire), called as its method, with a signal that
   * aborts when the call gives up on the slot (its caller's abort, or reqTimeout), so the
   * limiter stops holding a slot nobody will use.
   * @param {CallRun} c
   * @returns {Promise<import("./channel.js").Reported>}
   */
  const acquire = async (c) => {
    const { d, signal, context } = c;
    const limiter = /** @type {SharedLimiter} */ (d.limiter);
    const timeout = ch.slot(d, IO_TIMEOUT); // before acquire runs: it may call this client
    const giveUp = new AbortController();
    const onAbort = () => giveUp.abort();
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    /** @type {Promise<unknown>} */
    let granted;
    try {
      granted = Promise.resolve(limiter.acquire(c.action, context === undefined ? { signal: giveUp.signal } : { signal: giveUp.signal, context }));
    } catch (e) {
      granted = Promise.reject(e);
    }
    const r = await settleWithin(granted, timeout, signal);
    if (signal) signal.removeEventListener("abort", onAbort);
    if (r.kind === "timeout" || r.kind === "aborted") giveUp.abort();
    if (r.kind === "ok") return [EV_ACQUIRED, 0, ""];
    if (r.kind === "aborted") return [EV_ABORTED, 0, ""];
    const err = /** @type {any} */ (r.value);
    return [EV_ACQUIRE_FAILED, r.kind === "timeout" ? 1 : 0, r.kind === "error" ? (err && typeof err.message === "string" ? err.message : String(err)) : ""];
  };

  /**
   * Starts a call and drives it; never throws synchronously.
   * @param {Core} core
   * @param {number} kind
   * @param {string} action
   * @param {unknown} input
   * @param {unknown} options
   * @returns {Promise<any>}
   */
  const call = (core, kind, action, input, options) => {
    try {
      const d = driverOf(core);
      /** @type {AbortSignal | undefined} */
      let signal;
      /** @type {unknown} */
      let context;
      if (options !== undefined && options !== null) {
        const s = /** @type {any} */ (options).signal;
        core.__callOptions(options, isAbortSignal(s));
        if (s != null) signal = s;
        context = /** @type {any} */ (options).context;
      }
      /** @type {string | undefined} */
      let json;
      try {
        json = input == null && kind === KIND_REQUEST ? "{}" : JSON.stringify(input);
      } catch {
        json = undefined;
      }
      const trace = traceId();
      const callId = ++d.seq;
      let len = -1;
      if (kind === KIND_EXPORT) {
        if (typeof json === "string") len = ch.write(core, d, trace + "\0" + json);
      } else if (typeof json === "string") {
        len = ch.write(core, d, trace + "\0" + action + "\0" + json);
      } else {
        kind = KIND_REQUEST_NOT_JSON;
        len = ch.write(core, d, trace + "\0" + action + "\0");
      }
      ch.clocks(d);
      const first = core.__start(kind, len, !!(signal && signal.aborted));
      /** @type {CallRun} */
      const run = { core, d, id: ch.slot(d, IO_CALL), signal, callId, trace, kind, action: kind === KIND_EXPORT ? "ExportImages" : action, context };
      return ch.drive(run, first, false, steps);
    } catch (e) {
      return Promise.reject(e);
    }
  };

  /**
   * @this {Core}
   * @param {unknown} params
   * @param {unknown} [options]
   */
  function ExportImages(params, options) {
    return call(this, KIND_EXPORT, "", params, options);
  }
  /**
   * @this {Core}
   * @param {unknown} action
   * @param {unknown} [payload]
   * @param {unknown} [options]
   */
  function request(action, payload, options) {
    // An action with a NUL could not travel in the packed input; "" fails the same check.
    const name = typeof action === "string" && action.indexOf("\0") === -1 ? action : "";
    return call(this, KIND_REQUEST, name, payload, options);
  }
  install(Class, { ExportImages, exportImages: ExportImages, request });
}

/**
 * The `TencentCloudClient` class over the wasm-bindgen `CvmClient`: a client of any service and
 * version (`CvmClient.__generic` checks the options, `service` and `version` included), with
 * `request` only — the same machine, driver, options and errors as `CvmClient`, which is this
 * client for cvm/2017-03-12 plus the typed ExportImages and COS methods.
 * @param {{ __generic(options: unknown): any }} Class the generated CvmClient
 */
export function genericClient(Class) {
  return class TencentCloudClient {
    #core;
    /** @param {unknown} options */
    constructor(options) {
      this.#core = Class.__generic(options);
    }
    /**
     * @param {string} action
     * @param {Record<string, unknown>} [payload]
     * @param {{ signal?: AbortSignal }} [options]
     * @returns {Promise<Record<string, any>>}
     */
    request(action, payload, options) {
      return this.#core.request(action, payload, options);
    }
    /** @returns {number} */
    get clockOffset() {
      return this.#core.clockOffset;
    }
    /** Frees the wasm side now (otherwise when garbage-collected). */
    free() {
      this.#core.free();
    }
  };
}
