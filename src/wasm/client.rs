//! `CvmClient`: validate → (credentials, rate limit) → sign → fetch → parse, with retries and
//! clock-skew correction decided by the pure core (`crate::client`). This layer only waits,
//! calls `fetch` and converts.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::credentials::CredentialSource;
use super::fetch::{aborted, send, Outgoing};
use super::js::{now_ms, now_secs};
use super::js_client;
use super::options::{call_signal, client_settings, to_json};
use crate::client::retry::{classify, decide, is_read_only, Failure};
use crate::client::{check_action, prepare_export_images, ClientConfig, ClockSkew, Decision, RateLimiter, RetryPolicy};
use crate::cvm::{parse_envelope, ExportImagesResponse};
use crate::error::{Error, ErrorKind};
use crate::tc3::SigningKeyCache;

#[wasm_bindgen]
extern "C" {
    /// The optional second argument of a call; typed for TypeScript as `CallOptions`.
    #[wasm_bindgen(typescript_type = "CallOptions")]
    pub type CallOptionsArg;

    /// The parameters of a generic `request`.
    #[wasm_bindgen(typescript_type = "Record<string, unknown>")]
    pub type PayloadArg;
}

// Fields pub(super): the COS exports (src/wasm/cos.rs, their own `impl CvmClient` block) read
// the credential, the configuration and the clock.
pub(super) struct Inner {
    pub(super) credentials: CredentialSource,
    pub(super) config: ClientConfig,
    pub(super) fetch: Option<Function>,
    retry: RetryPolicy,
    /// Shared by every call of this client; borrowed only synchronously.
    limiter: Option<RefCell<RateLimiter>>,
    pub(super) clock: Cell<ClockSkew>,
    /// Borrowed only while signing, never across an `await`.
    key_cache: RefCell<SigningKeyCache>,
}

/// A client for the CVM API (version 2017-03-12), shaped like the official Node SDK's:
/// `new CvmClient({ credential, region, profile })`, then `await client.ExportImages({...})`.
#[wasm_bindgen]
pub struct CvmClient {
    pub(super) inner: Rc<Inner>,
}

#[wasm_bindgen]
impl CvmClient {
    /// Checks the options and builds a client. Throws `TencentCloudError`
    /// (`Client.InvalidOption` / `Client.InvalidCredential`) on a bad option.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CvmClientOptions")] options: JsValue,
    ) -> Result<CvmClient, JsValue> {
        let s = client_settings(options)?;
        Ok(CvmClient {
            inner: Rc::new(Inner {
                credentials: s.credentials,
                config: s.config,
                fetch: s.fetch,
                retry: s.retry,
                limiter: s.rate_limit.map(|n| RefCell::new(RateLimiter::per_second(n))),
                clock: Cell::new(ClockSkew::default()),
                key_cache: RefCell::new(SigningKeyCache::new()),
            }),
        })
    }

    /// Exports custom images to a COS bucket. Parameters are validated first: a mistake
    /// rejects with the code the server would return (e.g. `InvalidImageId.Malformed`) and
    /// `field`, and nothing is sent. Resolves to `{ TaskId, CosPaths, RequestId }`.
    /// `options.signal` aborts the call.
    #[wasm_bindgen(js_name = ExportImages, unchecked_return_type = "Promise<ExportImagesResponse>")]
    pub fn export_images_pascal(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportImagesRequest")] params: JsValue,
        options: Option<CallOptionsArg>,
    ) -> Promise {
        self.export_images(params, options)
    }

    /// Same as `ExportImages` (camelCase alias).
    #[wasm_bindgen(js_name = exportImages, unchecked_return_type = "Promise<ExportImagesResponse>")]
    pub fn export_images(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportImagesRequest")] params: JsValue,
        options: Option<CallOptionsArg>,
    ) -> Promise {
        let inner = self.inner.clone();
        settle(async move {
            let signal = call_signal(options.map_or(JsValue::UNDEFINED, Into::into))?;
            let json = to_json(&params, "ExportImages parameters")?;
            let (request, body) = prepare_export_images(&inner.config, &json)?;
            // A dry run creates nothing, so it may be retried like a read-only action.
            let (response, _) = execute(&inner, "ExportImages", &body, request.is_dry_run(), signal.as_ref()).await?;
            let result = ExportImagesResponse::from_response(&response)?;
            json_to_js(&result.to_json())
        })
    }

    /// Calls any CVM action (API version 2017-03-12) with `payload` as its parameters and
    /// resolves to the parsed `Response` object (which includes `RequestId`). Only read-only
    /// actions (`Describe*`) are retried after a failure whose outcome is unknown.
    #[wasm_bindgen(unchecked_return_type = "Promise<Record<string, any>>")]
    pub fn request(&self, action: String, payload: Option<PayloadArg>, options: Option<CallOptionsArg>) -> Promise {
        let inner = self.inner.clone();
        settle(async move {
            let signal = call_signal(options.map_or(JsValue::UNDEFINED, Into::into))?;
            check_action(&action)?;
            let body = match payload {
                Some(p) => to_json(&p.into(), "payload")?,
                None => "{}".to_owned(),
            };
            if !body.starts_with('{') {
                return Err(Error::validation("InvalidParameter", "", "payload must be an object"));
            }
            let (_, text) = execute(&inner, &action, &body, is_read_only(&action), signal.as_ref()).await?;
            // Hand JS its own parse of the Response object, as the official SDK does.
            let top = json_to_js(&text)?;
            js_sys::Reflect::get(&top, &"Response".into())
                .map_err(|_| Error::new(ErrorKind::InvalidResponse, "could not read the response"))
        })
    }

    /// Validates `ExportImages` parameters without sending anything; throws the same typed
    /// error `ExportImages` would reject with. Returns the normalized parameters.
    #[wasm_bindgen(js_name = validateExportImages, unchecked_return_type = "ExportImagesRequest")]
    pub fn validate_export_images(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportImagesRequest")] params: JsValue,
    ) -> Result<JsValue, JsValue> {
        let json = to_json(&params, "ExportImages parameters")?;
        let (_, body) = prepare_export_images(&self.inner.config, &json)?;
        Ok(json_to_js(&body)?)
    }

    /// Validates and signs an `ExportImages` request exactly as `ExportImages` would send it,
    /// without sending: the URL, headers, body and each signing stage (for an "explain" view
    /// or another transport). `timestamp` defaults to now (corrected by `clockOffset`).
    /// Needs a fixed credential, or a provider that has already supplied one.
    #[wasm_bindgen(js_name = signExportImages, unchecked_return_type = "SignedRequestOutput")]
    pub fn sign_export_images(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportImagesRequest")] params: JsValue,
        timestamp: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let json = to_json(&params, "ExportImages parameters")?;
        let (_, body) = prepare_export_images(&self.inner.config, &json)?;
        let ts = match timestamp {
            None => self.inner.clock.get().timestamp(now_secs()),
            Some(t) if t.is_finite() && t >= 0.0 && t.fract() == 0.0 => t as u64,
            Some(_) => return Err(Error::new(ErrorKind::InvalidOption, "timestamp must be whole seconds").into()),
        };
        let credential = self.inner.credentials.fixed().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidCredential,
                "the credential provider has not supplied a credential yet",
            )
        })?;
        let signed = self.inner.config.sign(
            &credential,
            &mut self.inner.key_cache.borrow_mut(),
            "ExportImages",
            &body,
            ts,
        )?;
        super::sign::output(self.inner.config.endpoint.url.clone(), "POST", signed, &body).map_err(Into::into)
    }

    /// Seconds added to the local clock when signing: learned from the server's `Date` header
    /// after `AuthFailure.SignatureExpire`, or when a response shows 5 minutes of skew or more.
    #[wasm_bindgen(getter, js_name = clockOffset)]
    pub fn clock_offset(&self) -> f64 {
        self.inner.clock.get().offset_secs() as f64
    }
}

/// `JSON.parse(text)`: one crossing to build a JS object from JSON this crate wrote or checked.
fn json_to_js(text: &str) -> Result<JsValue, Error> {
    js_sys::JSON::parse(text).map_err(|_| Error::new(ErrorKind::InvalidResponse, "could not build the result object"))
}

/// Turns a future into a Promise that settles exactly once, rejecting with a TencentCloudError.
fn settle(fut: impl std::future::Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    future_to_promise(async move { fut.await.map_err(JsValue::from) })
}

fn check_abort(signal: Option<&web_sys::AbortSignal>) -> Result<(), Error> {
    if signal.is_some_and(|s| s.aborted()) {
        Err(aborted())
    } else {
        Ok(())
    }
}

/// Waits `ms`, or fails at once with `Client.Aborted` when the signal fires.
async fn wait(ms: f64, signal: Option<&web_sys::AbortSignal>) -> Result<(), Error> {
    if ms <= 0.0 {
        return check_abort(signal);
    }
    JsFuture::from(js_client::sleep(ms, signal))
        .await
        .map(|_| ())
        .map_err(|_| aborted())
}

/// Runs one call to completion: each attempt takes a credential, a rate-limit slot and a
/// fresh timestamp; failures are retried only as `crate::client::retry` decides.
async fn execute(
    inner: &Inner,
    action: &str,
    body: &str,
    idempotent: bool,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<(crate::json::Value, String), Error> {
    let mut retries = 0;
    let mut skew_corrected = false;
    loop {
        check_abort(signal)?;
        let credential = inner.credentials.get(now_secs(), signal).await?;
        if let Some(limiter) = &inner.limiter {
            let delay = limiter.borrow_mut().reserve(action, now_ms());
            wait(delay, signal).await?;
            // The gate: record the real send time; nothing awaits between here and fetch().
            // (The borrow ends with the statement: never hold it across an await.)
            loop {
                let gate = limiter.borrow_mut().try_send(action, now_ms());
                match gate {
                    Ok(()) => break,
                    Err(more) => wait(more, signal).await?,
                }
            }
        }
        check_abort(signal)?;
        let signed_with = inner.clock.get();
        let signed = {
            let timestamp = signed_with.timestamp(now_secs());
            let mut cache = inner.key_cache.borrow_mut();
            inner.config.sign(&credential, &mut cache, action, body, timestamp)?
        };
        let token = credential.token().unwrap_or("");
        let sent = send(
            inner.fetch.as_ref(),
            &Outgoing {
                url: &inner.config.endpoint.url,
                headers: &signed.headers,
                body,
                timeout_secs: inner.config.req_timeout_secs,
                signal,
            },
        )
        .await;
        let (err, date) = match sent {
            Ok(reply) => match parse_envelope(reply.status, &reply.body) {
                Ok(response) => {
                    // Only a success corrects the clock here: a SignatureExpire answer is
                    // handled below, where it also earns the one re-signed retry.
                    let mut clock = inner.clock.get();
                    clock.on_response(reply.date.as_deref(), now_secs());
                    inner.clock.set(clock);
                    return Ok((response, reply.body));
                }
                Err(e) => (e, reply.date),
            },
            Err(e) => (e, None),
        };
        let err = err.redact(&[token, credential.secret_key()]);
        if err.kind() == ErrorKind::Aborted {
            return Err(err);
        }
        // The server refused the timestamp, so nothing ran: adopt its clock, re-sign, once.
        // Retry when the offset now differs from the one this attempt signed with — also when
        // a concurrent call of this client corrected it first.
        if err.code() == "AuthFailure.SignatureExpire" && !skew_corrected {
            let mut clock = inner.clock.get();
            clock.on_signature_expired(date.as_deref(), now_secs());
            inner.clock.set(clock);
            if clock != signed_with {
                skew_corrected = true;
                continue;
            }
        }
        match decide(&inner.retry, retries, &err, idempotent, js_sys::Math::random()) {
            Decision::RetryAfter(ms) => {
                wait(f64::from(ms), signal).await?;
                retries += 1;
            }
            Decision::GiveUp => return Err(explain_give_up(err, retries, idempotent, action)),
        }
    }
}

/// Says why the call stopped where it did.
fn explain_give_up(err: Error, retries: u32, idempotent: bool, action: &str) -> Error {
    let err = if classify(&err) == Failure::Unknown && !idempotent {
        err.with_note(
            &[
                "not retried: ",
                action,
                " is not idempotent and may have created a task",
            ]
            .concat(),
        )
    } else {
        err
    };
    match retries {
        0 => err,
        n => err.with_note(&format!("gave up after {n} retries")),
    }
}
