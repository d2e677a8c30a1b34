//! `signRequest`: sign without sending, for callers with their own transport (and for the
//! demo's "Explain" view). Returns what to send and every intermediate stage.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::js::now_secs;
use super::options::{credential, to_json, Props};
use crate::client::Endpoint;
use crate::error::{Error, ErrorKind};
use crate::tc3::{self, Language, Method, SignedHeaders, SigningKeyCache, SigningParams};

thread_local! {
    /// Derived-key cache shared by `signRequest` calls: repeated signing with one key on
    /// one day costs one HMAC per request.
    static KEY_CACHE: RefCell<SigningKeyCache> = RefCell::new(SigningKeyCache::new());
}

/// Input of `signRequest`.
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct SignRequestInput {
    /// The SecretId.
    pub secret_id: String,
    /// The SecretKey (never echoed in an error).
    pub secret_key: String,
    /// Session token of temporary credentials.
    #[tsify(optional)]
    pub token: Option<String>,
    /// `X-TC-Action`, e.g. `"ExportImages"`.
    pub action: String,
    /// `X-TC-Version`. Default `"2017-03-12"`.
    #[tsify(optional)]
    pub version: Option<String>,
    /// Service in the credential scope. Default `"cvm"`.
    #[tsify(optional)]
    pub service: Option<String>,
    /// Host to sign for. Default `<service>.tencentcloudapi.com`.
    #[tsify(optional)]
    pub host: Option<String>,
    /// Where the request will be sent (host or URL); only shapes the returned `url`.
    /// Default `https://<host>/`.
    #[tsify(optional)]
    pub endpoint: Option<String>,
    /// `X-TC-Region`.
    #[tsify(optional)]
    pub region: Option<String>,
    /// `X-TC-Language`.
    #[tsify(optional, type = "\"zh-CN\" | \"en-US\"")]
    pub language: Option<String>,
    /// The parameters: an object (sent as `JSON.stringify(payload)`) or the exact body string.
    #[tsify(optional, type = "Record<string, unknown> | string")]
    pub payload: Option<()>,
    /// Seconds since the Unix epoch. Default: now.
    #[tsify(optional)]
    pub timestamp: Option<f64>,
    /// `"POST"` (default) or `"GET"`.
    #[tsify(optional, type = "\"POST\" | \"GET\"")]
    pub method: Option<String>,
    /// GET only: the URL-encoded query string, without `?`.
    #[tsify(optional)]
    pub query: Option<String>,
    /// Content-Type to send and sign. Default `application/json` for POST,
    /// `application/x-www-form-urlencoded` for GET.
    #[tsify(optional)]
    pub content_type: Option<String>,
    /// Default `"content-type;host"`.
    #[tsify(optional, type = "\"content-type;host\" | \"content-type;host;x-tc-action\"")]
    pub signed_headers: Option<String>,
    /// `X-TC-RequestClient`. Default: none.
    #[tsify(optional)]
    pub request_client: Option<String>,
}

/// Output of `signRequest`: pass `url`, `method`, `headers` and `body` to `fetch`.
#[derive(Serialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SignedRequestOutput {
    /// The URL to send to.
    pub url: String,
    /// `"POST"` or `"GET"`.
    pub method: &'static str,
    /// Headers to send (`Host` is not among them: fetch derives it from the URL).
    #[tsify(type = "Record<string, string>")]
    pub headers: BTreeMap<&'static str, String>,
    /// The exact body that was signed (empty for GET).
    pub body: String,
    /// Stage 1: the canonical request.
    pub canonical_request: String,
    /// Stage 2: the string to sign.
    pub string_to_sign: String,
    /// Stage 3: the signature, lowercase hex.
    pub signature: String,
    /// Stage 4: the Authorization header value.
    pub authorization: String,
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorKind::InvalidOption, message)
}

/// Signs one Tencent Cloud API 3.0 request (TC3-HMAC-SHA256) without sending it.
///
/// Throws a `TencentCloudError` (`Client.InvalidOption`, `Client.InvalidCredential`,
/// `InvalidParameter`) on bad input; the SecretKey never appears in it.
#[wasm_bindgen(js_name = signRequest, unchecked_return_type = "SignedRequestOutput")]
pub fn sign_request(
    #[wasm_bindgen(unchecked_param_type = "SignRequestInput")] input: JsValue,
) -> Result<JsValue, JsValue> {
    Ok(sign_request_inner(input)?)
}

fn sign_request_inner(input: JsValue) -> Result<JsValue, Error> {
    let p = Props::new(input, "input", false)?;
    p.only(&[
        "secretId",
        "secretKey",
        "token",
        "action",
        "version",
        "service",
        "host",
        "endpoint",
        "region",
        "language",
        "payload",
        "timestamp",
        "method",
        "query",
        "contentType",
        "signedHeaders",
        "requestClient",
    ])?;
    let credential = credential(&p)?;
    let action = p.required_string("action")?;
    let version = p
        .string("version")?
        .unwrap_or_else(|| crate::cvm::export_images::VERSION.to_owned());
    let service = p.string("service")?.unwrap_or_else(|| crate::cvm::SERVICE.to_owned());
    let host = p
        .string("host")?
        .unwrap_or_else(|| format!("{service}.tencentcloudapi.com"));
    let method = match p.string("method")?.as_deref() {
        None | Some("POST") => Method::Post,
        Some("GET") => Method::Get,
        Some(_) => return Err(invalid("input.method must be \"POST\" or \"GET\"")),
    };
    let query = p.string("query")?.unwrap_or_default();
    let payload = p.raw("payload");
    let body = match (method, payload.as_string()) {
        (_, Some(s)) => s,
        (Method::Get, None) if payload.is_undefined() => String::new(),
        (Method::Post, None) if payload.is_undefined() => "{}".to_owned(),
        (_, None) => to_json(&payload, "input.payload")?,
    };
    let content_type = p.string("contentType")?.unwrap_or_else(|| {
        match method {
            Method::Post => "application/json",
            Method::Get => "application/x-www-form-urlencoded",
        }
        .to_owned()
    });
    let timestamp = match p.number("timestamp")? {
        None => now_secs(),
        Some(t) if t.is_finite() && t >= 0.0 && t.fract() == 0.0 && t <= tc3::signer::MAX_TIMESTAMP as f64 => t as u64,
        Some(_) => {
            return Err(invalid(
                "input.timestamp must be whole seconds since the Unix epoch (not milliseconds)",
            ))
        }
    };
    let signed_headers = match p.string("signedHeaders")?.as_deref() {
        None | Some("content-type;host") => SignedHeaders::ContentTypeHost,
        Some("content-type;host;x-tc-action") => SignedHeaders::ContentTypeHostAction,
        Some(_) => {
            return Err(invalid(
                "input.signedHeaders must be \"content-type;host\" or \"content-type;host;x-tc-action\"",
            ))
        }
    };
    let language = p.string("language")?.as_deref().map(Language::parse).transpose()?;
    let region = p.string("region")?;
    let request_client = p.string("requestClient")?;
    let base_url = Endpoint::parse(p.string("endpoint")?.as_deref().unwrap_or(&host))?.url;
    let url = if method == Method::Get && !query.is_empty() {
        format!("{base_url}?{query}")
    } else {
        base_url
    };

    let signed = KEY_CACHE.with(|cache| {
        tc3::sign(
            &credential,
            &SigningParams {
                method,
                host: &host,
                service: &service,
                action: &action,
                version: &version,
                region: region.as_deref(),
                language,
                request_client: request_client.as_deref(),
                timestamp,
                content_type: &content_type,
                query: &query,
                payload: body.as_bytes(),
                signed_headers,
                unsigned_payload: false,
            },
            &mut cache.borrow_mut(),
        )
    })?;
    output(url, method.as_str(), signed, body)
}

/// The JS result object of a signature.
pub fn output(url: String, method: &'static str, signed: tc3::SignedRequest, body: String) -> Result<JsValue, Error> {
    let out = SignedRequestOutput {
        url,
        method,
        headers: signed.headers.into_iter().collect(),
        body,
        canonical_request: signed.canonical_request,
        string_to_sign: signed.string_to_sign,
        signature: signed.signature,
        authorization: signed.authorization,
    };
    out.serialize(&serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true))
        .map_err(|_| Error::new(ErrorKind::InvalidOption, "could not build the result object"))
}
