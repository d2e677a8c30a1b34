//! All four stages in order, plus the common headers: what a caller actually uses.
//!
//! [`sign`] returns the headers to send and every intermediate value; it never touches a
//! request object, a clock or the network (the timestamp is an input), so the same code
//! serves the JS `signRequest`, the CVM client and the native tests.

use super::authorization::Authorization;
use super::canonical::{CanonicalRequest, HashedPayload, Method, SignedHeaders};
use super::credential::{is_header_safe, Credential};
use super::date::UtcDate;
use super::key::SigningKeyCache;
use super::string_to_sign::{CredentialScope, StringToSign};
use crate::error::{Error, ErrorKind};

/// Last second of 9999-12-31: the scope date has four year digits.
pub const MAX_TIMESTAMP: u64 = 253_402_300_799;

/// `X-TC-Language`: the language of error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    /// `zh-CN`
    ZhCn,
    /// `en-US`
    EnUs,
}

impl Language {
    /// Parses `zh-CN` or `en-US` (exactly; the API knows no other value).
    pub fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "zh-CN" => Ok(Language::ZhCn),
            "en-US" => Ok(Language::EnUs),
            _ => Err(Error::new(
                ErrorKind::InvalidOption,
                "language must be \"zh-CN\" or \"en-US\"",
            )),
        }
    }
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::EnUs => "en-US",
        }
    }
}

/// Everything that goes into one signature, besides the credential.
#[derive(Clone, Debug)]
pub struct SigningParams<'a> {
    /// POST (JSON body) or GET (query).
    pub method: Method,
    /// The host signed in `host:` — the real API host, even when sending through a proxy.
    pub host: &'a str,
    /// Service in the credential scope, e.g. `cvm`.
    pub service: &'a str,
    /// `X-TC-Action`, e.g. `ExportImages`.
    pub action: &'a str,
    /// `X-TC-Version`, e.g. `2017-03-12`.
    pub version: &'a str,
    /// `X-TC-Region`, omitted when `None`.
    pub region: Option<&'a str>,
    /// `X-TC-Language`, omitted when `None`.
    pub language: Option<Language>,
    /// `X-TC-RequestClient`, omitted when `None`.
    pub request_client: Option<&'a str>,
    /// `X-TC-Timestamp`: seconds since the Unix epoch. An input, never read from a clock here.
    pub timestamp: u64,
    /// The Content-Type that is sent and signed.
    pub content_type: &'a str,
    /// The query string without `?` (GET only).
    pub query: &'a str,
    /// The exact body bytes that will be sent (POST only).
    pub payload: &'a [u8],
    /// Which headers to sign.
    pub signed_headers: SignedHeaders,
    /// Send `X-TC-Content-SHA256: UNSIGNED-PAYLOAD` and sign that instead of the body hash.
    pub unsigned_payload: bool,
}

/// The result: headers to send and the intermediate values of each stage.
///
/// `Debug` prints every header but the session token (`X-TC-Token`), which it redacts: the
/// value is often logged whole. The rest is what travels in the clear anyway (the signature
/// and Authorization are derived with a one-way HMAC from a key that is not here).
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// Headers to send, in a stable order. `Host` is not among them: `fetch` sets it from
    /// the URL (it is a forbidden header name in browsers).
    pub headers: Vec<(&'static str, String)>,
    /// Stage 1 output.
    pub canonical_request: String,
    /// Stage 2 output.
    pub string_to_sign: String,
    /// Stage 3 output: lowercase hex.
    pub signature: String,
    /// Stage 4 output: the Authorization header value.
    pub authorization: String,
}

/// Header values that are secrets: `Debug` prints them as `** redacted **`.
const SECRET_HEADERS: [&str; 1] = ["X-TC-Token"];

impl core::fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        struct Headers<'a>(&'a [(&'static str, String)]);
        impl core::fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                let mut list = f.debug_list();
                for (name, value) in self.0 {
                    if SECRET_HEADERS.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                        list.entry(&(name, "** redacted **"));
                    } else {
                        list.entry(&(name, value));
                    }
                }
                list.finish()
            }
        }
        f.debug_struct("SignedRequest")
            .field("headers", &Headers(&self.headers))
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .field("authorization", &self.authorization)
            .finish()
    }
}

impl Drop for SignedRequest {
    fn drop(&mut self) {
        // The X-TC-Token header carries the session token: leave no copy in freed memory.
        for (_, value) in &mut self.headers {
            crate::wipe::wipe_string(value);
        }
    }
}

/// Signs one request. Fails with `Client.InvalidOption` on inputs that would produce a
/// request the API cannot accept (empty host, non-ASCII header values, GET with a body, …).
pub fn sign(
    credential: &Credential,
    params: &SigningParams<'_>,
    cache: &mut SigningKeyCache,
) -> Result<SignedRequest, Error> {
    check(params)?;
    let hashed_payload = if params.unsigned_payload {
        HashedPayload::unsigned()
    } else {
        HashedPayload::of(params.payload)
    };
    let canonical = CanonicalRequest {
        method: params.method,
        query: params.query,
        content_type: params.content_type,
        host: params.host,
        action: params.action,
        signed_headers: params.signed_headers,
        hashed_payload,
    };
    let mut canonical_request = String::with_capacity(192 + params.host.len() + params.content_type.len());
    canonical.write_to(&mut canonical_request);
    let date = UtcDate::from_timestamp(params.timestamp);
    let scope = CredentialScope {
        date,
        service: params.service,
    };
    let mut string_to_sign = String::with_capacity(128);
    StringToSign {
        timestamp: params.timestamp,
        scope,
        hashed_canonical_request: sha256(canonical_request.as_bytes()),
    }
    .write_to(&mut string_to_sign);
    let key = cache.get(credential.secret_key(), date, params.service);
    let signature_bytes = key.sign(string_to_sign.as_bytes());
    let mut authorization = String::with_capacity(160 + credential.secret_id().len());
    Authorization {
        secret_id: credential.secret_id(),
        scope,
        signed_headers: params.signed_headers,
        signature: signature_bytes,
    }
    .write_to(&mut authorization);

    let mut headers: Vec<(&'static str, String)> = Vec::with_capacity(10);
    headers.push(("Authorization", authorization.clone()));
    headers.push(("Content-Type", params.content_type.to_owned()));
    headers.push(("X-TC-Action", params.action.to_owned()));
    let mut timestamp = String::with_capacity(12);
    crate::text::push_u64(&mut timestamp, params.timestamp);
    headers.push(("X-TC-Timestamp", timestamp));
    headers.push(("X-TC-Version", params.version.to_owned()));
    if let Some(region) = params.region {
        headers.push(("X-TC-Region", region.to_owned()));
    }
    if let Some(token) = credential.token() {
        headers.push(("X-TC-Token", token.to_owned()));
    }
    if let Some(language) = params.language {
        headers.push(("X-TC-Language", language.as_str().to_owned()));
    }
    if let Some(client) = params.request_client {
        headers.push(("X-TC-RequestClient", client.to_owned()));
    }
    if params.unsigned_payload {
        headers.push(("X-TC-Content-SHA256", "UNSIGNED-PAYLOAD".to_owned()));
    }
    Ok(SignedRequest {
        headers,
        canonical_request,
        string_to_sign,
        signature: crate::text::hex(&signature_bytes),
        authorization,
    })
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

fn invalid(message: &str) -> Error {
    Error::new(ErrorKind::InvalidOption, message)
}

/// A token of the API's own vocabulary: ASCII letters, digits, `-`, `_`, `.`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn check(p: &SigningParams<'_>) -> Result<(), Error> {
    if !is_token(p.host) || crate::text::starts_with_any(p.host, b".-") {
        return Err(invalid(
            "host must be a bare host name such as cvm.tencentcloudapi.com (no scheme, port or path)",
        ));
    }
    if !is_token(p.service) || p.service.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(invalid("service must be a lowercase product name such as \"cvm\""));
    }
    if !p.action.bytes().all(|b| b.is_ascii_alphanumeric()) || p.action.is_empty() {
        return Err(invalid("action must be an API action name such as \"ExportImages\""));
    }
    if !is_token(p.version) {
        return Err(invalid("version must be an API version such as \"2017-03-12\""));
    }
    if let Some(region) = p.region {
        if !is_token(region) {
            return Err(invalid("region must be a region name such as \"ap-guangzhou\""));
        }
    }
    if let Some(client) = p.request_client {
        if !is_header_safe(client) {
            return Err(invalid("requestClient must be printable ASCII"));
        }
    }
    if p.content_type.is_empty() || !is_header_safe(p.content_type) {
        return Err(invalid("contentType must be a printable ASCII media type"));
    }
    if p.timestamp > MAX_TIMESTAMP {
        return Err(invalid(
            "timestamp must be in seconds since the Unix epoch (not milliseconds)",
        ));
    }
    match p.method {
        Method::Post if !p.query.is_empty() => Err(invalid(
            "a POST request carries its parameters in the body; the query must be empty",
        )),
        Method::Get if !p.payload.is_empty() => Err(invalid(
            "a GET request carries its parameters in the query; the body must be empty",
        )),
        Method::Get if !is_header_safe(p.query) || crate::text::contains_any(p.query, b" #") => {
            Err(invalid("the query must be URL-encoded"))
        }
        _ => Ok(()),
    }
}
