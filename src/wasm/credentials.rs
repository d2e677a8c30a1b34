//! Where a client's credential comes from: a fixed object, or an async provider function
//! (a web console fetching temporary keys from its back end).
//!
//! Provider results are cached until 5 minutes before `expiredTime`; concurrent calls that
//! find the cache stale share ONE provider call (the in-flight promise is kept and awaited by
//! all), so a burst of requests does not stampede the back end.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::fetch::aborted;
use super::js_client;
use super::options::{credential, Props};
use crate::client::credentials::needs_refresh;
use crate::error::{Error, ErrorKind};
use crate::tc3::Credential;

/// A fixed credential or a provider.
pub enum CredentialSource {
    /// `credential: { secretId, secretKey, token }`.
    Fixed(Rc<Credential>),
    /// `credential: async () => ({ secretId, secretKey, token, expiredTime })`.
    Provider(Provider),
}

/// An async credential provider with its cache.
pub struct Provider {
    function: Function,
    cached: RefCell<Option<(Rc<Credential>, Option<u64>)>>,
    in_flight: RefCell<Option<Promise>>,
}

impl CredentialSource {
    /// From the `credential` option: an object or a function.
    pub fn from_option(value: JsValue) -> Result<Self, Error> {
        if let Some(function) = value.dyn_ref::<Function>() {
            return Ok(CredentialSource::Provider(Provider {
                function: function.clone(),
                cached: RefCell::new(None),
                in_flight: RefCell::new(None),
            }));
        }
        let p = Props::new(value, "options.credential", false)?;
        p.only(&["secretId", "secretKey", "token"])?;
        Ok(CredentialSource::Fixed(Rc::new(credential(&p)?)))
    }

    /// The fixed credential, if this is not a provider (for synchronous signing).
    pub fn fixed(&self) -> Option<Rc<Credential>> {
        match self {
            CredentialSource::Fixed(c) => Some(c.clone()),
            CredentialSource::Provider(p) => p.cached.borrow().as_ref().map(|(c, _)| c.clone()),
        }
    }

    /// The credential to sign with now, calling the provider when needed. Waiting for the
    /// provider is bounded by `timeout_secs` (the call's `reqTimeout`): a provider that never
    /// settles fails the call with `Client.CredentialProviderError`, and the next call asks
    /// the provider again.
    pub async fn get(
        &self,
        now_secs: u64,
        signal: Option<&web_sys::AbortSignal>,
        timeout_secs: u32,
    ) -> Result<Rc<Credential>, Error> {
        let p = match self {
            CredentialSource::Fixed(c) => return Ok(c.clone()),
            CredentialSource::Provider(p) => p,
        };
        if let Some((c, expires)) = p.cached.borrow().as_ref() {
            if !needs_refresh(*expires, now_secs) {
                return Ok(c.clone());
            }
        }
        let promise = {
            let mut in_flight = p.in_flight.borrow_mut();
            match in_flight.as_ref() {
                Some(existing) => existing.clone(),
                None => {
                    let started = match p.function.call0(&JsValue::UNDEFINED) {
                        Ok(v) => Promise::resolve(&v),
                        Err(e) => Promise::reject(&e),
                    };
                    *in_flight = Some(started.clone());
                    started
                }
            }
        };
        let timeout_ms = f64::from(timeout_secs) * 1000.0;
        let outcome = JsFuture::from(js_client::wait_bounded(&promise, signal, timeout_ms))
            .await
            .ok()
            .map(|pair| js_sys::Array::from(&pair));
        let (kind, value) = match &outcome {
            Some(pair) => (pair.get(0).as_f64().unwrap_or(1.0) as u8, pair.get(1)),
            None => (1, JsValue::UNDEFINED),
        };
        // A waiter that gave up (aborted) leaves the shared call to the others: it is still
        // running for them, and retiring it would start a second provider call.
        if kind == 3 {
            return Err(aborted());
        }
        // Otherwise the first waiter to come back (with the answer, or having waited its whole
        // timeout) retires the shared call: after a timeout the next call asks again instead of
        // joining a call that may never settle. Later waiters find it gone.
        {
            let mut in_flight = p.in_flight.borrow_mut();
            if in_flight.as_ref().is_some_and(|f| js_sys::Object::is(f, &promise)) {
                *in_flight = None;
            }
        }
        match kind {
            0 => {}
            2 => {
                let mut message = String::from("the credential provider did not answer within ");
                crate::tc3::text::push_u64(&mut message, u64::from(timeout_secs));
                message.push_str(" s (reqTimeout)");
                return Err(Error::new(ErrorKind::CredentialProvider, message));
            }
            _ => return Err(provider_error(&value)),
        }
        let (credential, expires) = read_provided(value)?;
        let credential = Rc::new(credential);
        *p.cached.borrow_mut() = Some((credential.clone(), expires));
        Ok(credential)
    }
}

fn provider_error(e: &JsValue) -> Error {
    // The provider's own message helps; it is the caller's code, which holds no keys of ours.
    let detail = js_sys::Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string());
    Error::new(
        ErrorKind::CredentialProvider,
        match detail {
            Some(d) => format!("the credential provider failed: {d}"),
            None => "the credential provider failed".to_owned(),
        },
    )
}

/// Reads `{ secretId, secretKey, token, expiredTime }` returned by a provider.
fn read_provided(value: JsValue) -> Result<(Credential, Option<u64>), Error> {
    let as_provider_error = |e: Error| {
        Error::new(
            ErrorKind::CredentialProvider,
            format!("the credential provider returned {}", e.message()),
        )
    };
    let p = Props::new(value, "credentials", false).map_err(as_provider_error)?;
    let credential = credential(&p).map_err(as_provider_error)?;
    let expires = match p.number("expiredTime").map_err(as_provider_error)? {
        None => None,
        Some(t) if t.is_finite() && t > 0.0 && t < 1e11 => Some(t as u64),
        Some(_) => {
            return Err(Error::new(
                ErrorKind::CredentialProvider,
                "the credential provider returned an expiredTime that is not Unix seconds",
            ))
        }
    };
    Ok((credential, expires))
}
