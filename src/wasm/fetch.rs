//! One HTTP attempt through `fetch`, bounded by a timeout.
//!
//! The timeout aborts the fetch through an `AbortController`, so it also covers a body that
//! trickles in. A rejected fetch is a network error unless our timer fired first.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::js;
use crate::error::{Error, ErrorKind};

/// What came back: the status and the whole body as text.
pub struct Reply {
    pub status: u16,
    pub body: String,
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
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Sends the request and reads the body. Settles exactly once: success, network error or timeout.
pub async fn send(custom_fetch: Option<&Function>, out: &Outgoing<'_>) -> Result<Reply, Error> {
    let controller = web_sys::AbortController::new().map_err(|_| {
        Error::new(
            ErrorKind::Network,
            "AbortController is not available in this runtime",
        )
    })?;
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
    let result = attempt(custom_fetch, out.url, &init).await;
    js::clear_timeout(&timer);
    drop(on_timeout); // after clearTimeout: the callback can no longer be called

    result.map_err(|cause| {
        if timed_out.get() {
            Error::new(
                ErrorKind::Timeout,
                format!("no complete answer within reqTimeout ({} s); the request may have been executed", out.timeout_secs),
            )
        } else {
            let mut message = format!("fetch failed: {}", describe(&cause));
            for secret in out.secrets.iter().filter(|s| !s.is_empty()) {
                message = message.replace(secret, "** redacted **");
            }
            Error::new(ErrorKind::Network, message)
        }
    })
}

async fn attempt(
    custom_fetch: Option<&Function>,
    url: &str,
    init: &Object,
) -> Result<Reply, JsValue> {
    let promise = match custom_fetch {
        // Called as a plain function (`this` undefined), like the global one.
        Some(f) => {
            Promise::resolve(&f.call2(&JsValue::UNDEFINED, &JsValue::from_str(url), init)?)
        }
        None => js::global_fetch(url, init),
    };
    let response = JsFuture::from(promise).await?;
    let status = Reflect::get(&response, &JsValue::from_str("status"))?
        .as_f64()
        .ok_or_else(|| JsValue::from_str("the fetch result has no numeric status"))?;
    let text_fn: Function = Reflect::get(&response, &JsValue::from_str("text"))?.dyn_into()?;
    let body = JsFuture::from(Promise::resolve(&text_fn.call0(&response)?)).await?;
    Ok(Reply {
        status: status as u16,
        body: body
            .as_string()
            .ok_or_else(|| JsValue::from_str("response.text() did not give a string"))?,
    })
}

/// A readable description of a fetch rejection, with the cause's code when there is one
/// (Node reports `ECONNRESET`/`ECONNREFUSED` in `error.cause.code`).
fn describe(err: &JsValue) -> String {
    let text = |v: &JsValue, key: &str| {
        Reflect::get(v, &JsValue::from_str(key))
            .ok()
            .and_then(|x| x.as_string())
    };
    let mut s = text(err, "message")
        .or_else(|| err.as_string())
        .unwrap_or_else(|| "unknown error".to_owned());
    if let Ok(cause) = Reflect::get(err, &JsValue::from_str("cause")) {
        if let Some(code) = text(&cause, "code").or_else(|| text(&cause, "message")) {
            s.push_str(&format!(" ({code})"));
        }
    }
    s
}
