//! The waiter's bindings to the host: one signed COS request (HEAD, or GET to read an error
//! body), the monotonic clock, and the `onProgress` call. Mechanics only — what an answer
//! means is decided by `crate::client::cos_reply`.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::fetch::aborted;
use crate::client::cos_reply::{CosReply, PollMethod};
use crate::error::{Error, ErrorKind};

#[wasm_bindgen(inline_js = r#"
const COS_HEADERS = ["content-length", "content-range", "etag", "last-modified", "x-cos-request-id"];

/**
 * One COS request: `method` (HEAD or GET) with the given headers ("Name\0Value\0…"), aborted
 * after `timeoutMs` or when `signal` fires. Settles with ONE string:
 * "ok\0<status>\0<content-length>\0<content-range>\0<etag>\0<last-modified>\0<x-cos-request-id>\0<body>"
 * or "<timeout|aborted|network>\0<cause code>\0<message>". The body is read only for an error
 * status (COS's XML error document); a 2xx body is cancelled unread (it is the export file).
 */
export async function cosOnce(fetchFn, method, url, headerBlock, timeoutMs, signal) {
  const parts = headerBlock.split("\0");
  const headers = {};
  for (let i = 0; i + 1 < parts.length; i += 2) headers[parts[i]] = parts[i + 1];
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeoutMs);
  let onAbort = null;
  if (signal) {
    if (signal.aborted) controller.abort();
    else { onAbort = () => controller.abort(); signal.addEventListener("abort", onAbort, { once: true }); }
  }
  const init = { method, headers, signal: controller.signal, cache: "no-store" };
  try {
    const response = await (fetchFn ? fetchFn(url, init) : fetch(url, init));
    const status = response && response.status;
    if (typeof status !== "number") throw new TypeError("the fetch result has no numeric status");
    let body = "";
    if (status >= 300) body = await response.text();
    else if (response.body && typeof response.body.cancel === "function") await response.body.cancel().catch(() => {});
    const h = response.headers && typeof response.headers.get === "function" ? response.headers : null;
    const values = COS_HEADERS.map((name) => (h && h.get(name)) || "");
    return ["ok", String(status), ...values, body].join("\0");
  } catch (e) {
    const kind = signal && signal.aborted ? "aborted" : timedOut ? "timeout" : "network";
    const cause = e && e.cause;
    const code = (cause && typeof cause.code === "string" && cause.code) || "";
    let message = e && typeof e.message === "string" ? e.message : String(e);
    if (cause && !code && typeof cause.message === "string") message += ` (${cause.message})`;
    return `${kind}\0${code}\0${message}`;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

/** Milliseconds from a monotonic clock: waits and timeouts must not follow wall-clock jumps. */
export function monotonicMs() {
  return performance.now();
}

/**
 * Calls `onProgress(value)`. What it throws, or a promise it returns that rejects, is caught
 * and dropped: progress is advisory, and a bug in a UI callback must not end (or, as an
 * unhandled rejection, crash) the wait. It is not awaited.
 */
export function callProgress(fn, value) {
  try {
    const r = fn(value);
    if (r && typeof r.then === "function") r.then(undefined, () => {});
  } catch {}
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = cosOnce)]
    fn cos_once(
        fetch: Option<&js_sys::Function>,
        method: &str,
        url: &str,
        header_block: &str,
        timeout_ms: f64,
        signal: Option<&web_sys::AbortSignal>,
    ) -> js_sys::Promise;

    /// `performance.now()`.
    #[wasm_bindgen(js_name = monotonicMs)]
    pub fn monotonic_ms() -> f64;

    /// `onProgress(value)`, its exceptions dropped.
    #[wasm_bindgen(js_name = callProgress)]
    pub fn call_progress(f: &js_sys::Function, value: &JsValue);
}

/// A COS answer, owned; [`Answer::reply`] borrows it as the core's [`CosReply`].
pub struct Answer {
    status: u16,
    fields: [String; 5],
    body: String,
}

impl Answer {
    /// The view the core reads (empty header values are absent).
    pub fn reply(&self) -> CosReply<'_> {
        let get = |i: usize| Some(self.fields[i].as_str()).filter(|v| !v.is_empty());
        CosReply {
            status: self.status,
            content_length: get(0),
            content_range: get(1),
            etag: get(2),
            last_modified: get(3),
            request_id: get(4),
            body: &self.body,
        }
    }
}

/// Sends one COS request. `Err` is `Client.Aborted` (the signal), `Client.Timeout` (this
/// request's bound) or `Client.NetworkError`; the caller treats the last two as passing.
pub async fn send(
    custom_fetch: Option<&js_sys::Function>,
    method: PollMethod,
    url: &str,
    headers: &[(String, String)],
    timeout_ms: f64,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<Answer, Error> {
    // Holds the session token (x-cos-security-token): wiped when dropped.
    let mut header_block = crate::wipe::Wiping(String::new());
    for (i, (name, value)) in headers.iter().enumerate() {
        if i > 0 {
            header_block.push('\0');
        }
        header_block.push_str(name);
        header_block.push('\0');
        header_block.push_str(value);
    }
    let outcome = JsFuture::from(cos_once(
        custom_fetch,
        method.as_str(),
        url,
        &header_block,
        timeout_ms.max(1.0),
        signal,
    ))
    .await
    .ok()
    .and_then(|v| v.as_string())
    .unwrap_or_default();
    let mut parts = outcome.splitn(8, '\0');
    let kind = parts.next().unwrap_or("");
    if kind == "ok" {
        let status = parts.next().and_then(|s| s.parse::<u16>().ok()).unwrap_or(0);
        let mut fields: [String; 5] = Default::default();
        for field in &mut fields {
            *field = parts.next().unwrap_or("").to_owned();
        }
        let body = parts.next().unwrap_or("").to_owned();
        return Ok(Answer { status, fields, body });
    }
    let code = parts.next().unwrap_or("");
    let message = parts.collect::<Vec<_>>().join("\0");
    Err(match kind {
        "aborted" => aborted(),
        "timeout" => Error::new(
            ErrorKind::Timeout,
            format!("no answer within {} ms", timeout_ms.round()),
        ),
        _ if code.is_empty() => Error::new(ErrorKind::Network, format!("fetch failed: {message}")),
        _ => Error::new(ErrorKind::Network, format!("fetch failed: {message} ({code})")),
    })
}
