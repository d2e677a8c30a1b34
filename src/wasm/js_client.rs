//! The client's bindings to the host: one HTTP attempt through the global `fetch`, abortable
//! sleeps. (Not in the sign-only build.)
//!
//! `fetch` is called as the GLOBAL function, not through `window()`: that works in a page, a
//! web worker, Node >= 18 and workerd (which has no `window`, and throws "Illegal invocation"
//! if `fetch` is called as a method of another object). The snippet does mechanics only —
//! every decision (timeout vs abort vs network failure, retries) is made in Rust.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
/** Resolves after `ms`, or rejects as soon as `signal` aborts (removing its listener either way). */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(signal.reason);
    const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
    const timer = setTimeout(() => { if (signal) signal.removeEventListener("abort", onAbort); resolve(); }, ms);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Waits for `promise` at most `timeoutMs`, or until `signal` aborts. Never rejects: resolves to
 * [outcome, value] with outcome 0 = fulfilled (value), 1 = rejected (reason), 2 = timed out,
 * 3 = aborted — wasm decides what each means. The timer and the listener are removed either way.
 */
export function waitBounded(promise, signal, timeoutMs) {
  return new Promise((resolve) => {
    if (signal && signal.aborted) return resolve([3, undefined]);
    let timer;
    const done = (outcome, value) => {
      clearTimeout(timer);
      if (signal) signal.removeEventListener("abort", onAbort);
      resolve([outcome, value]);
    };
    const onAbort = () => done(3, undefined);
    timer = setTimeout(() => done(2, undefined), timeoutMs);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
    promise.then((v) => done(0, v), (e) => done(1, e));
  });
}

/**
 * Milliseconds from a MONOTONIC clock: what every wait and the rate limiter measure with, so a
 * wall-clock jump (NTP, a user changing the time) can neither hold calls nor let them out early.
 */
export function monotonicNow() {
  return typeof performance === "object" && performance && typeof performance.now === "function"
    ? performance.now()
    : Date.now();
}

/**
 * One HTTP attempt: POST with the given headers ("Name\0Value\0…") and body, aborted after
 * `timeoutMs` or when `signal` fires. Settles with ONE string, so wasm reads the outcome in one
 * crossing: "ok\0<status>\0<Date header>\0<body>" or "<timeout|aborted|network>\0<cause code>\0<message>".
 * It only reports what happened; wasm decides what it means.
 */
export async function sendOnce(fetchFn, url, headerBlock, body, timeoutMs, signal) {
  const parts = headerBlock.split("\0");
  const headers = {};
  for (let i = 0; i + 1 < parts.length; i += 2) headers[parts[i]] = parts[i + 1];
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs);
  const unlink = linkAbort(signal, controller);
  const init = { method: "POST", headers, body, signal: controller.signal };
  try {
    // Called as plain functions: an unbound global fetch is an "Illegal invocation" in workerd.
    const response = await (fetchFn ? fetchFn(url, init) : fetch(url, init));
    const status = response && response.status;
    if (typeof status !== "number") throw new TypeError("the fetch result has no numeric status");
    const text = await response.text();
    const date = (response.headers && typeof response.headers.get === "function" && response.headers.get("date")) || "";
    return `ok\0${status}\0${date}\0${text}`;
  } catch (e) {
    const kind = signal && signal.aborted ? "aborted" : timedOut ? "timeout" : "network";
    const cause = e && e.cause;
    const code = (cause && typeof cause.code === "string" && cause.code) || "";
    let message = e && typeof e.message === "string" ? e.message : String(e);
    if (cause && !code && typeof cause.message === "string") message += ` (${cause.message})`;
    return `${kind}\0${code}\0${message}`;
  } finally {
    clearTimeout(timer);
    unlink();
  }
}

/** Makes `signal` abort `controller` too; returns the function that undoes the link. */
export function linkAbort(signal, controller) {
  if (!signal) return () => {};
  if (signal.aborted) { controller.abort(); return () => {}; }
  const onAbort = () => controller.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

/** Duck-typed check, so an AbortSignal from another realm or a polyfill is accepted. */
export function isAbortSignal(v) {
  return v != null && typeof v === "object" && typeof v.aborted === "boolean" && typeof v.addEventListener === "function";
}
"#)]
extern "C" {
    pub fn sleep(ms: f64, signal: Option<&web_sys::AbortSignal>) -> js_sys::Promise;

    #[wasm_bindgen(js_name = waitBounded)]
    pub fn wait_bounded(
        promise: &js_sys::Promise,
        signal: Option<&web_sys::AbortSignal>,
        timeout_ms: f64,
    ) -> js_sys::Promise;

    #[wasm_bindgen(js_name = monotonicNow)]
    pub fn monotonic_now() -> f64;

    #[wasm_bindgen(js_name = sendOnce)]
    pub fn send_once(
        fetch: Option<&js_sys::Function>,
        url: &str,
        header_block: &str,
        body: &str,
        timeout_ms: f64,
        signal: Option<&web_sys::AbortSignal>,
    ) -> js_sys::Promise;

    #[wasm_bindgen(js_name = isAbortSignal)]
    pub fn is_abort_signal(v: &JsValue) -> bool;
}
