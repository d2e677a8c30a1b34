//! One HTTP attempt, bounded by `reqTimeout` and the caller's AbortSignal.
//!
//! The snippet's `sendOnce` does the mechanics (AbortController, timer, fetch, reading the
//! body) and reports what happened in one string; this module decides what it means: an abort
//! if the caller's signal fired, a timeout if the timer did, otherwise a network error — which
//! may or may not have reached the server.

use wasm_bindgen_futures::JsFuture;

use super::js_client;
use crate::error::{Error, ErrorKind};

/// What came back: the status, the whole body as text, and the `Date` header (for clock skew).
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub date: Option<String>,
}

/// An outgoing POST.
pub struct Outgoing<'a> {
    pub url: &'a str,
    pub headers: &'a [(&'static str, String)],
    pub body: &'a str,
    pub timeout_secs: u32,
    /// The caller's AbortSignal: aborting it aborts the fetch at once.
    pub signal: Option<&'a web_sys::AbortSignal>,
}

/// Node reports these in `error.cause.code` when no connection was ever made, so the request
/// cannot have reached the server.
const NOT_SENT_CODES: [&str; 4] = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"];

/// The error of an aborted call.
pub fn aborted() -> Error {
    Error::new(ErrorKind::Aborted, "the call was aborted through its AbortSignal")
}

/// Sends the request and reads the body. Settles exactly once.
pub async fn send(custom_fetch: Option<&js_sys::Function>, out: &Outgoing<'_>) -> Result<Reply, Error> {
    // Holds the session token: wiped when dropped, and when it grows (`Wiping::push_str`).
    let capacity = out.headers.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    let mut header_block = crate::wipe::Wiping::new(String::with_capacity(capacity));
    for (i, (name, value)) in out.headers.iter().enumerate() {
        if i > 0 {
            header_block.push('\0');
        }
        header_block.push_str(name);
        header_block.push('\0');
        header_block.push_str(value);
    }
    let timeout_ms = f64::from(out.timeout_secs) * 1000.0;
    let outcome = JsFuture::from(js_client::send_once(
        custom_fetch,
        out.url,
        &header_block,
        out.body,
        timeout_ms,
        out.signal,
    ))
    .await
    .ok()
    .and_then(|v| v.as_string())
    .unwrap_or_default();
    let mut parts = outcome.splitn(4, '\0');
    let kind = parts.next().unwrap_or("");
    if kind == "ok" {
        let status = parts.next().and_then(|s| s.parse::<u16>().ok()).unwrap_or(0);
        let date = parts.next().filter(|d| !d.is_empty()).map(str::to_owned);
        let body = parts.next().unwrap_or("").to_owned();
        return Ok(Reply { status, body, date });
    }
    let code = parts.next().unwrap_or("");
    let message = parts.collect::<Vec<_>>().join("\0");
    Err(match kind {
        "aborted" => aborted()
            .executed_maybe()
            .with_note("it was in flight, so the request may have been executed"),
        "timeout" => Error::new(
            ErrorKind::Timeout,
            format!(
                "no complete answer within reqTimeout ({} s); the request may have been executed",
                out.timeout_secs
            ),
        )
        .executed_maybe(),
        _ => {
            // (The caller redacts the token should a custom fetch have quoted its arguments.)
            let message = if code.is_empty() {
                message
            } else {
                format!("{message} ({code})")
            };
            let err = Error::new(ErrorKind::Network, format!("fetch failed: {message}"));
            if NOT_SENT_CODES.contains(&code) {
                err.with_note("no connection was made, so nothing was executed")
            } else {
                err.executed_maybe().with_note("the request may have been executed")
            }
        }
    })
}
