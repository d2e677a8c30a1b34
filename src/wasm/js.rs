//! Raw bindings to the host: a small JS snippet (the error class, one HTTP attempt through the
//! global `fetch`, abortable sleeps, packing helpers) and the clock.
//!
//! `fetch` is called as the GLOBAL function, not through `window()`: that works in a page, a
//! web worker, Node >= 18 and workerd (which has no `window`, and throws "Illegal invocation"
//! if `fetch` is called as a method of another object). The snippet does mechanics only —
//! every decision (timeout vs abort vs network failure, retries) is made in Rust.

use wasm_bindgen::prelude::*;

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

const SIGN_FIELDS = ["secretId", "secretKey", "token", "action", "version", "service", "host", "endpoint",
  "region", "language", "timestamp", "method", "query", "contentType", "signedHeaders", "requestClient", "payload"];
const SIGN_FIELD_SET = new Set(SIGN_FIELDS);
const CREDENTIAL_COUNT = 3; // secretId, secretKey, token: their type errors are Client.InvalidCredential
const TIMESTAMP = SIGN_FIELDS.indexOf("timestamp");

/**
 * Packs signRequest's input into one string (fields in SIGN_FIELDS order, NUL-separated, each
 * tagged "-" absent, "s" value, or "r" when the value holds a NUL and wasm must read the property
 * itself; the payload last), so wasm reads it in one crossing. Errors
 * come back as "!<kind><message>" and name the property, never its value.
 * (Shaped for speed: it runs on every call; for-in + hasOwn and index tests measured ~25 %
 * cheaper than Object.keys and name comparisons.)
 */
export function packSignInput(input) {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return "!Oinput must be an object";
  for (const key in input) {
    if (!SIGN_FIELD_SET.has(key) && Object.hasOwn(input, key) && input[key] !== undefined) {
      return `!Oinput.${key} is not a known option (known: ${SIGN_FIELDS.join(", ")})`;
    }
  }
  let out = "";
  for (let i = 0; i < SIGN_FIELDS.length - 1; i++) {
    const v = input[SIGN_FIELDS[i]];
    if (v === undefined || v === null) out += "-\0";
    else if (typeof v === "string") out += v.indexOf("\0") === -1 ? "s" + v + "\0" : "r\0"; // "r": rare, wasm reads it itself
    else if (i === TIMESTAMP && typeof v === "number") out += (Number.isFinite(v) ? "s" + v : "s-1") + "\0";
    else return `!${i < CREDENTIAL_COUNT ? "C" : "O"}input.${SIGN_FIELDS[i]} must be a ${i === TIMESTAMP ? "number" : "string"}`;
  }
  const payload = input.payload;
  if (payload === undefined || payload === null) return out + "-";
  if (typeof payload === "string") return out + "s" + payload;
  let json;
  try { json = typeof payload === "object" ? JSON.stringify(payload) : undefined; } catch { json = undefined; }
  if (json === undefined) return "!Pinput.payload must be a JSON-serializable object or the body string";
  return out + "s" + json;
}

// A byte view of the wasm memory last written to, renewed when that memory grows (growing
// detaches the old buffer) or another instance's memory is given. The memory is passed on
// every call, not kept here: two instances of the module can share this snippet (a second
// copy of the glue imports the same snippet file), and each must write into its own memory.
let wasmBytes = new Uint8Array(0);
const encoder = new TextEncoder();

// A string that did not fit the buffer wasm offered, kept for `writePending` so that it is
// computed (and its getters or toJSON run) once.
let pending = "";

/**
 * Writes `s` UTF-8 straight into wasm `memory` at [ptr, ptr + cap) with the native
 * `TextEncoder.encodeInto` — far cheaper than returning a JS string, which wasm-bindgen copies
 * one char code at a time. Returns the bytes written, or -(an upper bound of the bytes needed)
 * after keeping `s` for `writePending`.
 */
function writeString(memory, s, ptr, cap) {
  if (wasmBytes.buffer !== memory.buffer) wasmBytes = new Uint8Array(memory.buffer);
  const { read, written } = encoder.encodeInto(s, wasmBytes.subarray(ptr, ptr + cap));
  if (read === s.length) return written;
  pending = s;
  return -3 * s.length;
}

/** Writes the string kept by the last `writeString` that did not fit (wasm grew its buffer). */
export function writePending(memory, ptr, cap) {
  const s = pending;
  pending = "";
  return writeString(memory, s, ptr, cap);
}

/** `JSON.stringify(value)` written into wasm memory (see writeString); -1 if it is not JSON. */
export function stringifyInto(memory, value, ptr, cap) {
  let json;
  try { json = JSON.stringify(value); } catch { return -1; }
  return typeof json === "string" ? writeString(memory, json, ptr, cap) : -1;
}

/**
 * `packSignInput` written into wasm memory (see writeString). A throwing getter on `input`
 * becomes a "!O" error, so the call always returns to wasm (which wipes the buffer: it holds
 * the SecretKey).
 */
export function packSignInputInto(memory, input, ptr, cap) {
  let packed;
  try {
    packed = packSignInput(input);
  } catch (e) {
    packed = `!Oinput could not be read: ${e && typeof e.message === "string" ? e.message : "a getter threw"}`;
  }
  return writeString(memory, packed, ptr, cap);
}

/**
 * Builds signRequest's result object from the NUL-separated parts wasm packed: url, method, the
 * four stages, the header count, the headers (name, value), then the body (which may itself
 * hold NULs). Sliced in place with indexOf: measured ~25 % cheaper than split + index.
 */
export function unpackSigned(packed) {
  let from = 0;
  const next = () => {
    const end = packed.indexOf("\0", from);
    const part = packed.slice(from, end);
    from = end + 1;
    return part;
  };
  const url = next(), method = next(), canonicalRequest = next(), stringToSign = next(), signature = next(), authorization = next();
  const headers = {};
  for (let count = Number(next()); count > 0; count--) {
    const name = next();
    headers[name] = next();
  }
  return { url, method, headers, body: packed.slice(from), canonicalRequest, stringToSign, signature, authorization };
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

    #[wasm_bindgen(js_name = sendOnce)]
    pub fn send_once(
        fetch: Option<&js_sys::Function>,
        url: &str,
        header_block: &str,
        body: &str,
        timeout_ms: f64,
        signal: Option<&web_sys::AbortSignal>,
    ) -> js_sys::Promise;

    #[wasm_bindgen(js_name = packSignInputInto)]
    pub fn pack_sign_input_into(memory: &JsValue, input: &JsValue, ptr: *mut u8, cap: usize) -> i32;

    #[wasm_bindgen(js_name = stringifyInto)]
    pub fn stringify_into(memory: &JsValue, value: &JsValue, ptr: *mut u8, cap: usize) -> i32;

    #[wasm_bindgen(js_name = writePending)]
    pub fn write_pending(memory: &JsValue, ptr: *mut u8, cap: usize) -> i32;

    #[wasm_bindgen(js_name = unpackSigned)]
    pub fn unpack_signed(packed: &str) -> JsValue;

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
