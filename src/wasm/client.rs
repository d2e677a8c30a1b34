//! `CvmClient`: validate → sign → fetch → parse, for `ExportImages` and any other CVM action.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::fetch::{send, Outgoing};
use super::js::now_secs;
use super::options::{client_settings, to_json};
use crate::client::{check_action, prepare_export_images, ClientConfig};
use crate::cvm::{parse_envelope, ExportImagesResponse};
use crate::error::{Error, ErrorKind};
use crate::tc3::{Credential, SigningKeyCache};

struct Inner {
    credential: Credential,
    config: ClientConfig,
    fetch: Option<Function>,
    /// Borrowed only while signing, never across an `await`.
    key_cache: RefCell<SigningKeyCache>,
}

/// A client for the CVM API (version 2017-03-12), shaped like the official Node SDK's:
/// `new CvmClient({ credential, region, profile })`, then `await client.ExportImages({...})`.
#[wasm_bindgen]
pub struct CvmClient {
    inner: Rc<Inner>,
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
                credential: s.credential,
                config: s.config,
                fetch: s.fetch,
                key_cache: RefCell::new(SigningKeyCache::new()),
            }),
        })
    }

    /// Exports custom images to a COS bucket. Parameters are validated first: a mistake
    /// rejects with the code the server would return (e.g. `InvalidImageId.Malformed`) and
    /// `field`, and nothing is sent. Resolves to `{ TaskId, CosPaths, RequestId }`.
    #[wasm_bindgen(js_name = ExportImages, unchecked_return_type = "Promise<ExportImagesResponse>")]
    pub fn export_images_pascal(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportImagesRequest")] params: JsValue,
    ) -> Promise {
        self.export_images(params)
    }

    /// Same as `ExportImages` (camelCase alias).
    #[wasm_bindgen(js_name = exportImages, unchecked_return_type = "Promise<ExportImagesResponse>")]
    pub fn export_images(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportImagesRequest")] params: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        settle(async move {
            let json = to_json(&params, "ExportImages parameters")?;
            let (_request, body) = prepare_export_images(&inner.config, &json)?;
            let response = call(&inner, "ExportImages", &body).await?;
            let result = ExportImagesResponse::from_response(&response)?;
            result
                .serialize(&serde_wasm_bindgen::Serializer::new())
                .map_err(|_| {
                    Error::new(
                        ErrorKind::InvalidResponse,
                        "could not build the result object",
                    )
                })
        })
    }

    /// Calls any CVM action (API version 2017-03-12) with `payload` as its parameters and
    /// resolves to the parsed `Response` object (which includes `RequestId`).
    #[wasm_bindgen(unchecked_return_type = "Promise<Record<string, any>>")]
    pub fn request(
        &self,
        action: String,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown> | undefined")]
        payload: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        settle(async move {
            check_action(&action)?;
            let body = if payload.is_undefined() {
                "{}".to_owned()
            } else {
                to_json(&payload, "payload")?
            };
            if !body.starts_with('{') {
                return Err(Error::validation(
                    "InvalidParameter",
                    "",
                    "payload must be an object",
                ));
            }
            let response = call(&inner, &action, &body).await?;
            // Hand JS its own parse of the Response object, as the official SDK does.
            let json = serde_json::to_string(&response).unwrap_or_default();
            js_sys::JSON::parse(&json)
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
        let (request, _) = prepare_export_images(&self.inner.config, &json)?;
        request
            .serialize(&serde_wasm_bindgen::Serializer::new())
            .map_err(|_| {
                Error::new(
                    ErrorKind::InvalidOption,
                    "could not build the result object",
                )
                .into()
            })
    }

    /// Validates and signs an `ExportImages` request exactly as `ExportImages` would send it,
    /// without sending: the URL, headers, body and each signing stage (for an "explain" view
    /// or another transport). `timestamp` defaults to now.
    #[wasm_bindgen(js_name = signExportImages, unchecked_return_type = "SignedRequestOutput")]
    pub fn sign_export_images(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportImagesRequest")] params: JsValue,
        timestamp: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let json = to_json(&params, "ExportImages parameters")?;
        let (_, body) = prepare_export_images(&self.inner.config, &json)?;
        let ts = match timestamp {
            None => now_secs(),
            Some(t) if t.is_finite() && t >= 0.0 && t.fract() == 0.0 => t as u64,
            Some(_) => {
                return Err(
                    Error::new(ErrorKind::InvalidOption, "timestamp must be whole seconds").into(),
                )
            }
        };
        let signed = self.inner.config.sign(
            &self.inner.credential,
            &mut self.inner.key_cache.borrow_mut(),
            "ExportImages",
            &body,
            ts,
        )?;
        super::sign::output(self.inner.config.endpoint.url.clone(), "POST", signed, body)
            .map_err(Into::into)
    }
}

/// Turns a future into a Promise that settles exactly once, rejecting with a TencentCloudError.
fn settle(fut: impl std::future::Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    future_to_promise(async move { fut.await.map_err(JsValue::from) })
}

/// Signs (with a fresh timestamp), sends one attempt and parses the envelope.
async fn call(
    inner: &Inner,
    action: &str,
    body: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
    let signed = {
        let mut cache = inner.key_cache.borrow_mut();
        inner
            .config
            .sign(&inner.credential, &mut cache, action, body, now_secs())?
    };
    let token = inner.credential.token().unwrap_or("");
    let reply = send(
        inner.fetch.as_ref(),
        &Outgoing {
            url: &inner.config.endpoint.url,
            headers: &signed.headers,
            body,
            timeout_secs: inner.config.req_timeout_secs,
            secrets: &[token],
        },
    )
    .await?;
    parse_envelope(reply.status, &reply.body)
}
