// @ts-check
// The call path's driver. A call (ExportImages, request) is a state machine in Rust
// (src/client/call.rs); this module only performs its actions — fetch, timers, the credential
// provider — and feeds back what happened. It decides nothing: the wasm module answers each
// event with the next action.
//
// The boundary is two buffers and a small header in wasm memory (src/wasm/client.rs): JS
// writes event text with TextEncoder.encodeInto and reads the action's text with TextDecoder,
// so a call that succeeds at once crosses into wasm twice (__start, __step).

// Action codes (src/wasm/client.rs has the same numbers).
const IDLE = 0;
const CALL_PROVIDER = 1;
// 2: JOIN_PROVIDER, the provider call in flight (d.shared): awaited below like CALL_PROVIDER.
const WAIT = 3;
const SEND = 4;
const DONE = 5;
const FAILED = 6;
const ACQUIRE = 7;
const WAIT_FOR_SLOT = 8; // the client's own limiter: like WAIT, but woken when a slot is given back

// Events of __step.
const EV_ELAPSED = 1;
const EV_RESPONSE = 2;
const EV_FAILED = 3;
const EV_ABORTED = 4;
const EV_PROVIDER_TIMEOUT = 5;
const EV_ACQUIRED = 6;
const EV_ACQUIRE_FAILED = 7; // n = 1: not settled within the bound; else the text says why
const EV_WAKE = 8;
export const EV_PROVIDER_GONE = 9; // n: the joined provider call, given up by the call that started it

// Slots of the io header (f64).
const IO_NUMBER = 1;
const IO_OUT_PTR = 2;
const IO_OUT_LEN = 3;
const IO_IN_PTR = 4;
const IO_IN_CAP = 5;
const IO_CALL = 6;
const IO_TIMEOUT = 7;
const IO_MONO = 8;
const IO_WALL = 9;
const IO_RANDOM = 10;

// Kinds of __start.
const KIND_EXPORT = 0;
const KIND_REQUEST = 1;
const KIND_REQUEST_NOT_JSON = 2;

/**
 * The monotonic clock every wait and the rate limiter use: `performance.now()`, or
 * `Date.now()` only where there is no `performance` (a wall-clock jump must not release or
 * hold queued calls).
 * @type {() => number}
 */
export const monotonic =
  typeof performance === "object" && performance !== null && typeof performance.now === "function"
    ? () => performance.now()
    : () => Date.now();

/**
 * The wasm-bindgen `CvmClient` methods the driver calls (src/wasm/client.rs).
 * @typedef {object} Core
 * @property {() => [string, Fetch | undefined, (() => unknown) | undefined, number, SharedLimiter | undefined]} __driver
 * @property {(len: number) => void} __reserve
 * @property {(options: unknown, isSignal: boolean) => void} __callOptions
 * @property {(kind: number, len: number, aborted: boolean) => number} __start
 * @property {(id: number, event: number, n: number, len: number) => number} __step
 * @property {(id: number, provider: number, ok: boolean, value: unknown) => number} __provided
 */

/** @typedef {(url: string, init: RequestInit) => Promise<any>} Fetch */

/**
 * `rateLimit: { acquire }`: a limiter shared beyond one client (a Durable Object, …).
 * @typedef {{ acquire: (action: string, options: { signal?: AbortSignal }) => unknown }} SharedLimiter
 */

/**
 * A client's fixed parts, read once.
 * @typedef {object} ClientDriver
 * @property {string} url
 * @property {Fetch | undefined} fetch
 * @property {(() => unknown) | undefined} provider
 * @property {number} at the io header's index in a Float64Array over the memory
 * @property {SharedLimiter | undefined} limiter
 * @property {ProviderCall | undefined} shared the provider call in flight (dropped once settled)
 * @property {Set<() => void>} slotWaits wakes the calls waiting in the client's own limiter
 */

/**
 * One provider call: its number (the machine's), its answer, the controller whose signal the
 * provider got (aborted when the call that started it gives up on it), and `joiners`, told
 * when that call was aborted by its caller (they then ask anew; after the starter's timeout
 * they keep their own, equal bound on the same answer).
 * @typedef {{ id: number, promise: Promise<unknown>, controller: AbortController, joiners: Set<() => void> }} ProviderCall
 */

/**
 * What one HTTP attempt came to.
 * @typedef {{ kind: "ok", status: number, date: string, text: string }
 *   | { kind: "timeout" | "network" | "aborted", code: string, message: string }} Outcome
 */

/**
 * Duck-typed check, so an AbortSignal from another realm or a polyfill is accepted.
 * @param {unknown} v
 * @returns {v is AbortSignal}
 */
export function isAbortSignal(v) {
  return (
    v != null &&
    typeof v === "object" &&
    typeof (/** @type {any} */ (v).aborted) === "boolean" &&
    typeof (/** @type {any} */ (v).addEventListener) === "function"
  );
}

/**
 * Resolves after `ms` with false, or with true as soon as `signal` aborts (removing its
 * listener either way).
 * @param {number} ms
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<boolean>}
 */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (!signal) {
      setTimeout(resolve, ms, false);
      return;
    }
    if (signal.aborted) return resolve(true);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(false);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * How `promise` settles within `ms`, unless `signal` aborts first (or `gone` says that what was
 * awaited was given up by whoever started it: a plain set of callbacks, not an AbortSignal —
 * in workerd a signal made by one request cannot be listened to from another).
 * @param {Promise<unknown>} promise
 * @param {number} ms
 * @param {AbortSignal | undefined} signal
 * @param {Set<() => void>} [gone]
 * @returns {Promise<{ kind: "ok" | "error" | "timeout" | "aborted" | "gone", value?: unknown }>}
 */
export function settleWithin(promise, ms, signal, gone) {
  return new Promise((resolve) => {
    if (signal && signal.aborted) return resolve({ kind: "aborted" });
    /** @param {{ kind: "ok" | "error" | "timeout" | "aborted" | "gone", value?: unknown }} r */
    const done = (r) => {
      clearTimeout(timer);
      if (signal) signal.removeEventListener("abort", onAbort);
      if (gone) gone.delete(onGone);
      resolve(r);
    };
    const onAbort = () => done({ kind: "aborted" });
    const onGone = () => done({ kind: "gone" });
    const timer = setTimeout(() => done({ kind: "timeout" }), ms);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    if (gone) gone.add(onGone);
    promise.then(
      (value) => done({ kind: "ok", value }),
      (value) => done({ kind: "error", value }),
    );
  });
}

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
 * Runs one attempt raced against `timeoutMs` and `signal`: settles once, with what `run`
 * resolved to, or `{ kind: "timeout" | "aborted" | "network", code, message }` (`code`: Node's
 * `error.cause.code`, e.g. ECONNREFUSED). `stop` aborts the request when the race is lost.
 * Shared by API calls (sendOnce) and COS polls (js/wait.js).
 * @template T
 * @param {() => Promise<T>} run
 * @param {number} timeoutMs
 * @param {AbortSignal | undefined} signal
 * @param {() => void} stop
 * @returns {Promise<T | { kind: "timeout" | "aborted" | "network", code: string, message: string }>}
 */
export function raceAttempt(run, timeoutMs, signal, stop) {
  return new Promise((resolve) => {
    let settled = false;
    /** @param {T | { kind: "timeout" | "aborted" | "network", code: string, message: string }} outcome */
    const done = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (signal) signal.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    /** @param {"timeout" | "aborted"} kind */
    const lose = (kind) => {
      done({ kind, code: "", message: kind });
      stop();
    };
    const onAbort = () => lose("aborted");
    const timer = setTimeout(lose, timeoutMs, "timeout");
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    run().then(done, (e) => {
      const err = /** @type {any} */ (e);
      const cause = err && err.cause;
      const code = (cause && typeof cause.code === "string" && cause.code) || "";
      let message = err && typeof err.message === "string" ? err.message : String(e);
      if (cause && !code && typeof cause.message === "string") message += ` (${cause.message})`;
      done({ kind: signal && signal.aborted ? "aborted" : "network", code, message });
    });
  });
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

/** @type {WeakMap<object, ClientDriver>} */
const drivers = new WeakMap();

/**
 * A client's fixed parts, read once; shared by the call path and the export waiter
 * (js/wait.js), so both see the same provider call in flight.
 * @param {{ __driver: Core["__driver"] }} core
 * @returns {ClientDriver}
 */
export function driverOf(core) {
  let d = drivers.get(core);
  if (!d) {
    const [url, fetchFn, provider, at, limiter] = core.__driver();
    d = { url, fetch: fetchFn, provider, at, limiter, shared: undefined, slotWaits: new Set() };
    drivers.set(core, d);
  }
  return d;
}

/**
 * Performs a CALL_PROVIDER (a new provider call, number `id`) or a JOIN_PROVIDER (the one in
 * flight, whichever call or wait of the client started it; the machine, src/client/call.rs,
 * numbers them and decides which), bounded by `timeoutMs` and `signal`. The provider gets
 * `{ signal }`, aborted when the call that started it gives up on it (its bound, its caller's
 * abort); those who joined then hear "gone" and ask anew — in workerd a promise of another
 * request, cancelled, would never settle. The answer is dropped once settled: no credential
 * kept for the client's life, none handed to a later call (a late joiner hears "gone").
 * @param {ClientDriver} d
 * @param {number} code CALL_PROVIDER or JOIN_PROVIDER
 * @param {number} id the provider call's number
 * @param {number} timeoutMs
 * @param {AbortSignal | undefined} signal
 * @returns {Promise<{ kind: "ok" | "error" | "timeout" | "aborted" | "gone", value?: unknown }>}
 */
export async function awaitProvider(d, code, id, timeoutMs, signal) {
  if (code !== CALL_PROVIDER) {
    const call = d.shared;
    if (!call || call.id !== id) return { kind: "gone" };
    return settleWithin(call.promise, timeoutMs, signal, call.joiners);
  }
  const fn = /** @type {(options: { signal: AbortSignal }) => unknown} */ (d.provider);
  const controller = new AbortController();
  /** @type {Promise<unknown>} */
  let promise;
  try {
    promise = Promise.resolve(fn({ signal: controller.signal }));
  } catch (e) {
    promise = Promise.reject(e);
  }
  /** @type {ProviderCall} */
  const call = { id, promise, controller, joiners: new Set() };
  d.shared = call;
  const drop = () => {
    if (d.shared === call) d.shared = undefined;
  };
  promise.then(drop, drop);
  const r = await settleWithin(promise, timeoutMs, signal);
  if (r.kind === "timeout" || r.kind === "aborted") {
    drop();
    controller.abort();
    if (r.kind === "aborted") for (const tell of [...call.joiners]) tell();
  }
  return r;
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
 * The error a FAILED action's text describes: code, requestId, field, httpCode,
 * mayHaveExecuted, then the message (last: it may hold anything), NUL-separated
 * (src/wasm/client.rs writes it). Shared by API calls and export waits (js/wait.js).
 * @param {string} s
 * @param {ErrorClassOf} ErrorClass
 * @returns {Error}
 */
export function parseFailure(s, ErrorClass) {
  /** @type {string[]} */
  const parts = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const end = s.indexOf("\0", from);
    parts.push(s.slice(from, end));
    from = end + 1;
  }
  const [code, requestId, field, httpCode, executed] = parts;
  return new ErrorClass(code, s.slice(from), requestId || undefined, field || undefined, httpCode ? Number(httpCode) : undefined, executed === "1");
}

/**
 * The package's TencentCloudError class, as the drivers construct it.
 * @typedef {new (code: string, message: string, requestId?: string, field?: string, httpCode?: number, mayHaveExecuted?: boolean) => Error} ErrorClassOf
 */

/**
 * Installs `ExportImages`, `exportImages` and `request` on the wasm-bindgen `CvmClient`
 * class: each runs the call's state machine to its end.
 * @param {{ prototype: object }} Class the generated CvmClient
 * @param {WebAssembly.Memory} memory that module instance's memory
 * @param {ErrorClassOf} ErrorClass
 */
export function installCallPath(Class, memory, ErrorClass) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let bytes = new Uint8Array(0);
  let io = new Float64Array(0);
  /**
   * Renews the views when the memory has grown: growing detaches the old buffer, and a view of a
   * detached buffer has length 0 (checked instead of the `memory.buffer` getter, which measured
   * ~2 % of a whole call at six reads per call).
   */
  const views = () => {
    if (io.length === 0) {
      bytes = new Uint8Array(memory.buffer);
      io = new Float64Array(memory.buffer);
    }
  };
  /**
   * Writes `s` into the client's input buffer; returns its UTF-8 length.
   * @param {Core} core
   * @param {ClientDriver} d
   * @param {string} s
   */
  const write = (core, d, s) => {
    views();
    let ptr = io[d.at + IO_IN_PTR];
    let { read, written } = encoder.encodeInto(s, bytes.subarray(ptr, ptr + io[d.at + IO_IN_CAP]));
    if (read < s.length) {
      core.__reserve(3 * s.length);
      views();
      ptr = io[d.at + IO_IN_PTR];
      ({ written } = encoder.encodeInto(s, bytes.subarray(ptr, ptr + io[d.at + IO_IN_CAP])));
    }
    return written;
  };

  /**
   * Writes the clocks and a random draw into the header: every event is delivered with them
   * (the monotonic clock for waits and the limiter, the wall clock for signatures).
   * @param {ClientDriver} d
   */
  const clocks = (d) => {
    views();
    io[d.at + IO_MONO] = monotonic();
    io[d.at + IO_WALL] = Date.now();
    io[d.at + IO_RANDOM] = Math.random();
  };

  /** The last action's text. @param {ClientDriver} d */
  const out = (d) => {
    views();
    const ptr = io[d.at + IO_OUT_PTR];
    return decoder.decode(bytes.subarray(ptr, ptr + io[d.at + IO_OUT_LEN]));
  };

  /** The error of a FAILED action. @param {ClientDriver} d */
  const failure = (d) => parseFailure(out(d), ErrorClass);

  /**
   * A SEND action's headers and body. The text holds the session token: its bytes in wasm
   * memory are zeroed as soon as they are read.
   * @param {ClientDriver} d
   */
  const outgoing = (d) => {
    const s = out(d);
    const ptr = io[d.at + IO_OUT_PTR];
    bytes.fill(0, ptr, ptr + io[d.at + IO_OUT_LEN]);
    /** @type {Record<string, string>} */
    const headers = {};
    let from = 0;
    for (let count = io[d.at + IO_NUMBER]; count > 0; count--) {
      const a = s.indexOf("\0", from);
      const b = s.indexOf("\0", a + 1);
      headers[s.slice(from, a)] = s.slice(a + 1, b);
      from = b + 1;
    }
    return { headers, body: s.slice(from) };
  };

  /**
   * Performs actions until the call finishes: resolves to the result (`request`: the
   * response's `Response` object).
   * @param {Core} core
   * @param {ClientDriver} d
   * @param {number} kind
   * @param {number} id
   * @param {number} code the first action
   * @param {string} action the API action (what a shared limiter is asked for)
   * @param {AbortSignal | undefined} signal
   * @returns {Promise<any>}
   */
  const run = async (core, d, kind, id, code, action, signal) => {
    for (;;) {
      // The step may have grown the wasm memory: renew the views before reading the header.
      views();
      if (code === DONE) {
        const result = JSON.parse(out(d));
        return kind === KIND_EXPORT ? result : result.Response;
      }
      if (code === FAILED) throw failure(d);
      if (code === IDLE) throw new ErrorClass("Client.InvalidResponse", "internal: the call ended without a result");
      let event = EV_ABORTED;
      let n = 0;
      let len = 0;
      if (code === WAIT) {
        if (!(await sleep(io[d.at + IO_NUMBER], signal))) event = EV_ELAPSED;
      } else if (code === SEND) {
        const timeout = io[d.at + IO_TIMEOUT];
        const { headers, body } = outgoing(d);
        const r = await sendOnce(d.fetch, d.url, headers, body, timeout, signal);
        if (r.kind === "ok") {
          event = EV_RESPONSE;
          n = r.status;
          len = write(core, d, r.date + "\0" + r.text);
        } else if (r.kind !== "aborted") {
          event = EV_FAILED;
          n = r.kind === "timeout" ? 1 : 0;
          len = write(core, d, r.code + "\0" + r.message);
        }
      } else if (code === WAIT_FOR_SLOT) {
        const how = await slotWait(d, io[d.at + IO_NUMBER], signal);
        if (how !== "aborted") event = how === "woken" ? EV_WAKE : EV_ELAPSED;
      } else if (code === ACQUIRE) {
        // A shared limiter (rateLimit.acquire): called as its method, with a signal that aborts
        // when the call gives up on the slot (its caller's abort, or reqTimeout), so the limiter
        // stops holding a slot nobody will use.
        const limiter = /** @type {SharedLimiter} */ (d.limiter);
        const timeout = io[d.at + IO_TIMEOUT]; // before acquire runs: it may call this client
        const giveUp = new AbortController();
        const onAbort = () => giveUp.abort();
        if (signal) signal.addEventListener("abort", onAbort, { once: true });
        /** @type {Promise<unknown>} */
        let granted;
        try {
          granted = Promise.resolve(limiter.acquire(action, { signal: giveUp.signal }));
        } catch (e) {
          granted = Promise.reject(e);
        }
        const r = await settleWithin(granted, timeout, signal);
        if (signal) signal.removeEventListener("abort", onAbort);
        if (r.kind === "timeout" || r.kind === "aborted") giveUp.abort();
        if (r.kind === "ok") event = EV_ACQUIRED;
        else if (r.kind !== "aborted") {
          event = EV_ACQUIRE_FAILED;
          n = r.kind === "timeout" ? 1 : 0;
          const err = /** @type {any} */ (r.value);
          len = write(core, d, r.kind === "error" ? (err && typeof err.message === "string" ? err.message : String(err)) : "");
        }
      } else {
        // CALL_PROVIDER / JOIN_PROVIDER: one provider call shared by every call that joins it.
        const provider = io[d.at + IO_NUMBER];
        const timeout = io[d.at + IO_TIMEOUT];
        const r = await awaitProvider(d, code, provider, timeout, signal);
        if (r.kind === "ok" || r.kind === "error") {
          if (!(signal && signal.aborted)) {
            clocks(d);
            code = core.__provided(id, provider, r.kind === "ok", r.value);
            continue;
          }
        } else if (r.kind === "timeout" || r.kind === "gone") {
          event = r.kind === "timeout" ? EV_PROVIDER_TIMEOUT : EV_PROVIDER_GONE;
          n = provider;
        }
      }
      // Abort wins over what has not arrived; an answer already read is delivered (the
      // machine decides; a retry it asks for next meets the abort in its WAIT).
      if (signal && signal.aborted && event !== EV_RESPONSE) event = EV_ABORTED;
      clocks(d);
      const left = code;
      code = core.__step(id, event, n, len);
      if (left === WAIT_FOR_SLOT && event === EV_ABORTED) wakeSlotWaits(d);
    }
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
      if (options !== undefined && options !== null) {
        const s = /** @type {any} */ (options).signal;
        core.__callOptions(options, isAbortSignal(s));
        if (s != null) signal = s;
      }
      /** @type {string | undefined} */
      let json;
      try {
        json = input == null && kind === KIND_REQUEST ? "{}" : JSON.stringify(input);
      } catch {
        json = undefined;
      }
      let len = -1;
      if (kind === KIND_EXPORT) {
        if (typeof json === "string") len = write(core, d, json);
      } else if (typeof json === "string") {
        len = write(core, d, action + "\0" + json);
      } else {
        kind = KIND_REQUEST_NOT_JSON;
        len = write(core, d, action + "\0");
      }
      clocks(d);
      const first = core.__start(kind, len, !!(signal && signal.aborted));
      views();
      return run(core, d, kind, io[d.at + IO_CALL], first, kind === KIND_EXPORT ? "ExportImages" : action, signal);
    } catch (e) {
      return Promise.reject(e);
    }
  };

  const proto = /** @type {any} */ (Class.prototype);
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
  for (const [name, value] of /** @type {const} */ ([["ExportImages", ExportImages], ["exportImages", ExportImages], ["request", request]])) {
    Object.defineProperty(proto, name, { value, writable: true, configurable: true });
  }
}
