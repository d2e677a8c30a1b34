//! Raw bindings to the host: the global `fetch`, timers, the clock, and the error class.
//!
//! `fetch` and `setTimeout` are bound as GLOBAL functions, not through `window()`: one binding
//! then works in a page, a web worker, Node >= 18 and workerd (which has no `window`, and
//! throws "Illegal invocation" if `fetch` is called as a method of another object).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `globalThis.fetch(url, init)`.
    #[wasm_bindgen(js_name = fetch)]
    pub fn global_fetch(url: &str, init: &JsValue) -> js_sys::Promise;

    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(callback: &js_sys::Function, ms: f64) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(id: &JsValue);
}

#[wasm_bindgen(inline_js = r#"
/** The error every tc3-edge failure is thrown as. */
export class TencentCloudError extends Error {
  constructor(code, message, requestId, field, httpCode, mayHaveExecuted) {
    super(message);
    this.name = "TencentCloudError";
    this.code = code;
    this.requestId = requestId;
    this.field = field;
    this.httpCode = httpCode;
    this.mayHaveExecuted = mayHaveExecuted === true;
  }
  toString() {
    return `${this.name}: [${this.code}] ${this.message}` + (this.requestId ? ` (RequestId: ${this.requestId})` : "");
  }
  toJSON() {
    const { name, code, message, requestId, field, httpCode, mayHaveExecuted } = this;
    return { name, code, message, requestId, field, httpCode, mayHaveExecuted };
  }
}
export function errorClass() { return TencentCloudError; }

/** Resolves after `ms`, or rejects as soon as `signal` aborts (removing its listener either way). */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(signal.reason);
    const onAbort = () => { clearTimeout(timer); reject(signal.reason); };
    const timer = setTimeout(() => { if (signal) signal.removeEventListener("abort", onAbort); resolve(); }, ms);
    if (signal) signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Settles like `promise`, or rejects as soon as `signal` aborts. */
export function abortable(promise, signal) {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => { signal.removeEventListener("abort", onAbort); resolve(v); },
      (e) => { signal.removeEventListener("abort", onAbort); reject(e); });
  });
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
    #[wasm_bindgen(js_name = errorClass)]
    pub fn error_class() -> JsValue;

    pub fn sleep(ms: f64, signal: Option<&web_sys::AbortSignal>) -> js_sys::Promise;

    pub fn abortable(promise: &js_sys::Promise, signal: Option<&web_sys::AbortSignal>) -> js_sys::Promise;

    #[wasm_bindgen(js_name = linkAbort)]
    pub fn link_abort(signal: Option<&web_sys::AbortSignal>, controller: &web_sys::AbortController)
        -> js_sys::Function;

    #[wasm_bindgen(js_name = isAbortSignal)]
    pub fn is_abort_signal(v: &JsValue) -> bool;

    #[wasm_bindgen(js_name = TencentCloudError)]
    pub type JsTencentCloudError;

    #[wasm_bindgen(constructor, js_class = TencentCloudError)]
    pub fn new(
        code: &str,
        message: &str,
        request_id: Option<String>,
        field: Option<String>,
        http_code: Option<u16>,
        may_have_executed: bool,
    ) -> JsTencentCloudError;
}

/// Seconds since the Unix epoch, from the host's clock (`SystemTime::now()` panics on wasm).
pub fn now_secs() -> u64 {
    (now_ms() / 1000.0).floor().max(0.0) as u64
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
