// @ts-check
// The channel between a wasm client and its two drivers (js/driver.js: API calls; js/wait.js:
// export waits). It owns what both do alike: the views of wasm memory, writing event text and
// the clocks into the client's buffers, reading an action's text, the error of a FAILED, what an
// attempt's outcome is as an event, the credential provider (one call shared by every call and
// wait of a client), and the loop that performs actions until the machine settles. The codes
// come from js/codes.js, generated from src/channel.rs. Nothing here decides: the wasm module
// answers each event with the next action.

import {
  CALL_PROVIDER, DONE, EV_ABORTED, EV_FAILED, EV_PROVIDER_GONE, EV_PROVIDER_TIMEOUT, EV_RESPONSE, FAILED, IDLE, IO_IN_CAP,
  IO_IN_PTR, IO_MONO, IO_NUMBER, IO_OUT_LEN, IO_OUT_PTR, IO_RANDOM, IO_TIMEOUT, IO_WALL, JOIN_PROVIDER,
} from "./codes.js";

/** @typedef {(url: string, init: RequestInit) => Promise<any>} Fetch */
/** @typedef {(event: Record<string, unknown>) => void} OnEvent */

/**
 * `rateLimit: { acquire }`: a limiter shared beyond one client (a Durable Object, …).
 * @typedef {{ acquire: (action: string, options: { signal?: AbortSignal, context?: unknown }) => unknown }} SharedLimiter
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
 * @property {OnEvent | undefined} onEvent
 * @property {string | undefined} backup httpProfile.backupEndpoint's URL
 * @property {number} seq the last callId given
 */

/**
 * One provider call: its number (the machine's), its answer, the controller whose signal the
 * provider got (aborted when the call that started it gives up on it), and `joiners`, told
 * when that call was aborted by its caller (they then ask anew; after the starter's timeout
 * they keep their own, equal bound on the same answer).
 * @typedef {{ id: number, promise: Promise<unknown>, controller: AbortController, joiners: Set<() => void> }} ProviderCall
 */

/**
 * The package's TencentCloudError class, as the drivers construct it.
 * @typedef {new (code: string, message: string, requestId?: string, field?: string, httpCode?: number, mayHaveExecuted?: boolean) => Error} ErrorClassOf
 */

/**
 * One call or wait being driven: what the loop and every hook of its driver get (a driver adds
 * its own fields).
 * @typedef {object} Run
 * @property {{ __events(): string, __reserve(len: number): void }} core the client
 * @property {ClientDriver} d
 * @property {number} id the machine's id (the header's CALL after start)
 * @property {AbortSignal | undefined} signal
 * @property {number} callId
 * @property {string} trace its trace id
 */

/**
 * What the loop asks of a driver (see `drive`): one object per driver, its hooks given the run.
 * Performing and reporting are apart so that the loop awaits the driver's own promise (an
 * async hook would add a microtask hop to every action).
 * @typedef {object} Steps
 * @property {(run: any, code: number) => Promise<any>} perform performs an action (other than
 *   the provider's)
 * @property {(run: any, code: number, outcome: any) => Reported} report what the outcome is as an event
 * @property {(run: any, event: number, n: number, len: number) => number} step feeds the event; the next action's code
 * @property {(run: any, provider: number, ok: boolean, value: unknown) => number} provided feeds the provider's answer
 * @property {(run: any, left: number, event: number) => void} [after] after a step (the action left, the event fed)
 * @property {(run: any, text: string) => any} done the result, from a DONE's text
 * @property {(run: any, err: any) => void} failed adds what the driver knows to a FAILED's error
 */

/**
 * An event as a driver reports it: its code, its number, and its text ("" for none). The text
 * is written into the input buffer by the loop, in the same turn as the step that reads it:
 * the buffer is the client's, and another call may write it across an `await`.
 * @typedef {[event: number, n: number, text: string]} Reported
 */

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

/** @type {WeakMap<object, ClientDriver>} */
const drivers = new WeakMap();

/**
 * A client's fixed parts, read once; shared by the call path and the export waiter, so both
 * see the same provider call in flight.
 * @param {{ __driver: () => [string, Fetch | undefined, (() => unknown) | undefined, number, SharedLimiter | undefined, (OnEvent | undefined)?, (string | undefined)?] }} core
 * @returns {ClientDriver}
 */
export function driverOf(core) {
  let d = drivers.get(core);
  if (!d) {
    const [url, fetchFn, provider, at, limiter, onEvent, backup] = core.__driver();
    d = { url, fetch: fetchFn, provider, at, limiter, shared: undefined, slotWaits: new Set(), onEvent, seq: 0, backup };
    drivers.set(core, d);
  }
  return d;
}

/**
 * A random (v4) UUID: a call's `X-TC-TraceId`, as the official SDKs send. `crypto.randomUUID`
 * exists only in secure contexts; `getRandomValues` everywhere.
 * @returns {string}
 */
export function traceId() {
  const c = /** @type {any} */ (globalThis).crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Hands `onEvent` each event the machine reported (a JSON array of plain objects, built in
 * src/client/observe.rs), with the call's ids added. Synchronous; what it throws is ignored:
 * observing must not change the call.
 * @param {OnEvent} onEvent
 * @param {string} json
 * @param {number} callId
 * @param {string} trace
 */
export function deliver(onEvent, json, callId, trace) {
  if (json === "") return;
  for (const event of JSON.parse(json)) {
    event.callId = callId;
    event.traceId = trace;
    try {
      onEvent(event);
    } catch {
      // ignored: see above
    }
  }
}

/**
 * Performs a CALL_PROVIDER (a new provider call, number `id`) or a JOIN_PROVIDER (the one in
 * flight, whichever call or wait of the client started it; the machine numbers them and decides
 * which), bounded by `timeoutMs` and `signal`. The provider gets `{ signal }`, aborted when the
 * call that started it gives up on it (its bound, its caller's abort); those who joined then
 * hear "gone" and ask anew — in workerd a promise of another request, cancelled, would never
 * settle. The answer is dropped once settled: no credential kept for the client's life, none
 * handed to a later call (a late joiner hears "gone").
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
 * The error a FAILED action's text describes: code, requestId, field, httpCode,
 * mayHaveExecuted, then the message (last: it may hold anything), NUL-separated
 * (src/wasm/client.rs writes it).
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
 * What an attempt came to, as the event that reports it (an answer: its status and
 * `answer(r)`; a failure: 1 for a timeout, and `code NUL message`; aborted: EV_ABORTED).
 * @template {{ kind: string, code?: string, message?: string, status?: number }} R
 * @param {R} r
 * @param {(r: Extract<R, { kind: "ok" }>) => string} answer
 * @returns {Reported}
 */
export function reported(r, answer) {
  if (r.kind === "ok") return [EV_RESPONSE, /** @type {number} */ (r.status), answer(/** @type {Extract<R, { kind: "ok" }>} */ (r))];
  if (r.kind === "aborted") return [EV_ABORTED, 0, ""];
  return [EV_FAILED, r.kind === "timeout" ? 1 : 0, r.code + "\0" + r.message];
}

/**
 * Installs `methods` on the wasm-bindgen class's prototype (as its own methods are: writable,
 * configurable, not enumerable).
 * @param {{ prototype: object }} Class
 * @param {Record<string, Function>} methods
 */
export function install(Class, methods) {
  for (const [name, value] of Object.entries(methods)) {
    Object.defineProperty(Class.prototype, name, { value, writable: true, configurable: true });
  }
}

/** @type {WeakMap<WebAssembly.Memory, ReturnType<typeof open>>} */
const channels = new WeakMap();

/**
 * The channel over `memory` (one per module instance, shared by both drivers).
 * @param {WebAssembly.Memory} memory
 * @param {ErrorClassOf} ErrorClass
 */
export function channelOf(memory, ErrorClass) {
  let ch = channels.get(memory);
  if (!ch) {
    ch = open(memory, ErrorClass);
    channels.set(memory, ch);
  }
  return ch;
}

/**
 * @param {WebAssembly.Memory} memory
 * @param {ErrorClassOf} ErrorClass
 */
function open(memory, ErrorClass) {
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
   * Slot `slot` of client `d`'s io header.
   * @param {ClientDriver} d
   * @param {number} slot
   */
  const slot = (d, slot) => {
    views();
    return io[d.at + slot];
  };

  /**
   * Writes `s` into the client's input buffer (growing it through `__reserve` if it does not
   * fit); returns its UTF-8 length.
   * @param {{ __reserve(len: number): void }} core
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

  /**
   * The last action's text; zeroed in wasm memory once read when it may hold a secret (a
   * request's session token, links carrying it).
   * @param {ClientDriver} d
   * @param {boolean} wipe
   */
  const text = (d, wipe) => {
    views();
    const ptr = io[d.at + IO_OUT_PTR];
    const end = ptr + io[d.at + IO_OUT_LEN];
    const s = decoder.decode(bytes.subarray(ptr, end));
    if (wipe) bytes.fill(0, ptr, end);
    return s;
  };


  /**
   * Performs actions until the machine settles: resolves to `steps.done` of the result's text,
   * or throws the error (with `traceId`; `steps.failed` adds the rest). The provider's actions
   * are performed here, every other one by the driver. Abort wins over what has not arrived; an
   * answer already read is delivered (the machine decides).
   * @param {Run} run
   * @param {number} code the first action
   * @param {boolean} wipe the result's text may hold a secret (links)
   * @param {Steps} steps
   * @returns {Promise<any>}
   */
  const drive = async (run, code, wipe, steps) => {
    const { core, d, signal } = run;
    for (;;) {
      if (d.onEvent) deliver(d.onEvent, core.__events(), run.callId, run.trace);
      if (code === DONE) return steps.done(run, text(d, wipe));
      if (code === FAILED) {
        const err = /** @type {any} */ (parseFailure(text(d, false), ErrorClass));
        err.traceId = run.trace;
        steps.failed(run, err);
        throw err;
      }
      if (code === IDLE) throw new ErrorClass("Client.InvalidResponse", "internal: the machine ended without a result");
      /** @type {Reported} */
      let r = [EV_ABORTED, 0, ""];
      if (code === CALL_PROVIDER || code === JOIN_PROVIDER) {
        // One provider call shared by every call and wait that joins it.
        const provider = slot(d, IO_NUMBER);
        const p = await awaitProvider(d, code, provider, slot(d, IO_TIMEOUT), signal);
        if ((p.kind === "ok" || p.kind === "error") && !(signal && signal.aborted)) {
          clocks(d);
          code = steps.provided(run, provider, p.kind === "ok", p.value);
          continue;
        }
        if (p.kind === "timeout") r = [EV_PROVIDER_TIMEOUT, provider, ""];
        else if (p.kind === "gone") r = [EV_PROVIDER_GONE, provider, ""];
      } else r = steps.report(run, code, await steps.perform(run, code));
      if (signal && signal.aborted && r[0] !== EV_RESPONSE) r = [EV_ABORTED, 0, ""];
      const len = r[2] === "" ? 0 : write(core, d, r[2]);
      clocks(d);
      const left = code;
      code = steps.step(run, r[0], r[1], len);
      if (steps.after) steps.after(run, left, r[0]);
    }
  };

  return { slot, write, clocks, text, drive };
}
