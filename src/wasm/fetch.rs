//! One HTTP attempt through `fetch`, bounded by a timeout and the caller's AbortSignal.
//!
//! The timeout aborts the fetch through an `AbortController`, so it also covers a body that
//! trickles in. A rejected fetch is an abort if the caller's signal fired, a timeout if our
//! timer fired, and otherwise a network error.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::js;
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
    /// Strings that must not appear in an error message (the session token travels in a
    /// header, and a custom `fetch` might quote its arguments when it fails).
    pub secrets: &'a [&'a str],
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

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Sends the request and reads the body. Settles exactly once.
pub async fn send(custom_fetch: Option<&Function>, out: &Outgoing<'_>) -> Result<Reply, Error> {
    let controller = web_sys::AbortController::new()
        .map_err(|_| Error::new(ErrorKind::Network, "AbortController is not available in this runtime"))?;
    let headers = Object::new();
    for (name, value) in out.headers {
        set(&headers, name, &JsValue::from_str(value));
    }
    let init = Object::new();
    set(&init, "method", &JsValue::from_str("POST"));
    set(&init, "headers", &headers);
    set(&init, "body", &JsValue::from_str(out.body));
    set(&init, "signal", &controller.signal());

    let timed_out = Rc::new(Cell::new(false));
    let on_timeout = {
        let timed_out = timed_out.clone();
        let controller = controller.clone();
        Closure::once(move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let timer = js::set_timeout(
        on_timeout.as_ref().unchecked_ref(),
        f64::from(out.timeout_secs) * 1000.0,
    );
    let unlink = js::link_abort(out.signal, &controller);
    let result = attempt(custom_fetch, out.url, &init).await;
    let _ = unlink.call0(&JsValue::UNDEFINED);
    js::clear_timeout(&timer);
    drop(on_timeout); // after clearTimeout: the callback can no longer be called

    result.map_err(|cause| {
        if out.signal.is_some_and(|s| s.aborted()) {
            aborted()
                .executed_maybe()
                .with_note("it was in flight, so the request may have been executed")
        } else if timed_out.get() {
            Error::new(
                ErrorKind::Timeout,
                format!(
                    "no complete answer within reqTimeout ({} s); the request may have been executed",
                    out.timeout_secs
                ),
            )
            .executed_maybe()
        } else {
            let (mut message, code) = describe(&cause);
            for secret in out.secrets.iter().filter(|s| !s.is_empty()) {
                message = message.replace(secret, "** redacted **");
            }
            let err = Error::new(ErrorKind::Network, format!("fetch failed: {message}"));
            if code.as_deref().is_some_and(|c| NOT_SENT_CODES.contains(&c)) {
                err.with_note("no connection was made, so nothing was executed")
            } else {
                err.executed_maybe().with_note("the request may have been executed")
            }
        }
    })
}

async fn attempt(custom_fetch: Option<&Function>, url: &str, init: &Object) -> Result<Reply, JsValue> {
    let promise = match custom_fetch {
        // Called as a plain function (`this` undefined), like the global one.
        Some(f) => Promise::resolve(&f.call2(&JsValue::UNDEFINED, &JsValue::from_str(url), init)?),
        None => js::global_fetch(url, init),
    };
    let response = JsFuture::from(promise).await?;
    let status = Reflect::get(&response, &JsValue::from_str("status"))?
        .as_f64()
        .ok_or_else(|| JsValue::from_str("the fetch result has no numeric status"))?;
    let date = header(&response, "date");
    let text_fn: Function = Reflect::get(&response, &JsValue::from_str("text"))?.dyn_into()?;
    let body = JsFuture::from(Promise::resolve(&text_fn.call0(&response)?)).await?;
    Ok(Reply {
        status: status as u16,
        body: body
            .as_string()
            .ok_or_else(|| JsValue::from_str("response.text() did not give a string"))?,
        date,
    })
}

/// `response.headers.get(name)`, tolerating a response object without headers.
fn header(response: &JsValue, name: &str) -> Option<String> {
    let headers = Reflect::get(response, &JsValue::from_str("headers")).ok()?;
    let get: Function = Reflect::get(&headers, &JsValue::from_str("get"))
        .ok()?
        .dyn_into()
        .ok()?;
    get.call1(&headers, &JsValue::from_str(name)).ok()?.as_string()
}

/// A readable description of a fetch rejection, and the cause's code when there is one
/// (Node reports `ECONNRESET`/`ECONNREFUSED` in `error.cause.code`).
fn describe(err: &JsValue) -> (String, Option<String>) {
    let text = |v: &JsValue, key: &str| {
        Reflect::get(v, &JsValue::from_str(key))
            .ok()
            .and_then(|x| x.as_string())
    };
    let mut s = text(err, "message")
        .or_else(|| err.as_string())
        .unwrap_or_else(|| "unknown error".to_owned());
    let cause = Reflect::get(err, &JsValue::from_str("cause")).unwrap_or(JsValue::UNDEFINED);
    let code = text(&cause, "code");
    if let Some(detail) = code.clone().or_else(|| text(&cause, "message")) {
        s.push_str(&format!(" ({detail})"));
    }
    (s, code)
}
