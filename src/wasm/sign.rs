//! `signRequest`: sign without sending, for callers with their own transport (and for the
//! demo's "Explain" view). Returns what to send and every intermediate stage.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;

use super::js::now_secs;
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
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct SignedRequestOutput {
    /// The URL to send to.
    pub url: String,
    /// `"POST"` or `"GET"`.
    pub method: &'static str,
    /// Headers to send (`Host` is not among them: fetch derives it from the URL).
    #[tsify(type = "Record<string, string>")]
    pub headers: Vec<(String, String)>,
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

/// Field order of the packed input written by `packSignInput` (js/boundary.js); a native test
/// proves the two lists equal.
use crate::tc3::fields::SIGN_REQUEST_FIELDS as FIELDS;
use crate::text::Cat;

// Positions in FIELDS.
const F_SECRET_ID: usize = 0;
const F_SECRET_KEY: usize = 1;
const F_TOKEN: usize = 2;
const F_ACTION: usize = 3;
const F_VERSION: usize = 4;
const F_SERVICE: usize = 5;
const F_HOST: usize = 6;
const F_ENDPOINT: usize = 7;
const F_REGION: usize = 8;
const F_LANGUAGE: usize = 9;
const F_TIMESTAMP: usize = 10;
const F_METHOD: usize = 11;
const F_QUERY: usize = 12;
const F_CONTENT_TYPE: usize = 13;
const F_SIGNED_HEADERS: usize = 14;
const F_REQUEST_CLIENT: usize = 15;
const F_PAYLOAD: usize = 16;

/// The input, as read in ONE crossing: JS packs the properties into one string (checking
/// names and types), which costs far less than a wasm→JS call per property.
struct Packed<'a>([Option<Cow<'a, str>>; 17]);

impl<'a> Packed<'a> {
    fn parse(packed: &'a str, input: &JsValue) -> Result<Self, Error> {
        if let Some(err) = packed.strip_prefix('!') {
            // "!<kind><message>": the message names the property, never its value.
            let (kind, message) = err.split_at(err.len().min(1));
            return Err(match kind {
                "C" => Error::new(ErrorKind::InvalidCredential, message),
                "P" => Error::validation("InvalidParameter", "", message),
                _ => invalid(message),
            });
        }
        let mut fields: [Option<Cow<'a, str>>; 17] = Default::default();
        for (i, raw) in packed.splitn(FIELDS.len(), '\0').enumerate() {
            // Each field is tagged: '-' absent, 's' a value, 'r' a value holding NUL (which
            // would break the packing), read here directly.
            fields[i] = match raw.split_at(raw.len().min(1)) {
                ("-", _) | ("", _) => None,
                ("r", _) => js_sys::Reflect::get(input, &FIELDS[i].into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .map(Cow::Owned),
                (_, value) => Some(Cow::Borrowed(value)),
            };
        }
        Ok(Packed(fields))
    }

    fn get(&self, field: usize) -> Option<&str> {
        self.0[field].as_deref()
    }
}

thread_local! {
    /// Where JS writes the packed input (`packSignInputInto`). Kept between calls so a call
    /// costs no allocation; all zeros at rest (each call wipes what it was given: the
    /// SecretKey passes through it).
    static INPUT_BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Smallest input buffer: room for a typical request (credentials, options and a body of a
/// few hundred bytes) on the first call.
const MIN_INPUT_BUFFER: usize = 2048;

/// Largest input buffer kept for the next call.
const MAX_KEPT_INPUT_BUFFER: usize = 64 * 1024;

fn sign_request_inner(input: JsValue) -> Result<JsValue, Error> {
    // Taken out of the cell for the call, so a getter on `input` that calls signRequest again
    // finds it empty and uses its own buffer instead of aliasing this one.
    let mut buffer = INPUT_BUFFER.with(Cell::take);
    let result = read_input(&input, &mut buffer).and_then(|len| {
        let result = match core::str::from_utf8(&buffer[..len]) {
            Ok(packed) => sign_packed(packed, &input),
            Err(_) => Err(invalid("input must be made of well-formed strings")),
        };
        crate::wipe::wipe_bytes(&mut buffer[..len]);
        result
    });
    // A buffer grown for a large body is not kept (it would pin its size in wasm memory for
    // the life of the module); it is all zeros by now.
    if buffer.len() <= MAX_KEPT_INPUT_BUFFER {
        INPUT_BUFFER.with(|cell| cell.set(buffer));
    }
    result
}

/// Has JS pack `input` into `buffer`; returns the packed length.
fn read_input(input: &JsValue, buffer: &mut Vec<u8>) -> Result<usize, Error> {
    if buffer.is_empty() {
        buffer.resize(MIN_INPUT_BUFFER, 0);
    }
    super::js_string::read_into(buffer, |memory, ptr, cap| {
        super::js::pack_sign_input_into(memory, input, ptr, cap)
    })
    .ok_or_else(|| {
        // Cannot happen (packing always yields a string); leave nothing behind all the same.
        crate::wipe::wipe_bytes(buffer);
        invalid("input could not be packed")
    })
}

fn sign_packed(packed: &str, input: &JsValue) -> Result<JsValue, Error> {
    let p = Packed::parse(packed, input)?;
    let required = |field: usize, kind: ErrorKind| {
        p.get(field)
            .ok_or_else(|| Error::new(kind, ["input.", FIELDS[field], " is required"].cat()))
    };
    let credential = tc3::Credential::new(
        required(F_SECRET_ID, ErrorKind::InvalidCredential)?,
        required(F_SECRET_KEY, ErrorKind::InvalidCredential)?,
        p.get(F_TOKEN),
    )?;
    let action = required(F_ACTION, ErrorKind::InvalidOption)?;
    let version = p.get(F_VERSION).unwrap_or(crate::cvm::export_images::VERSION);
    let service = p.get(F_SERVICE).unwrap_or(crate::cvm::SERVICE);
    let default_host;
    let host = match p.get(F_HOST) {
        Some(h) => h,
        None => {
            default_host = [service, ".tencentcloudapi.com"].cat();
            &default_host
        }
    };
    let method = match p.get(F_METHOD) {
        None | Some("POST") => Method::Post,
        Some("GET") => Method::Get,
        Some(_) => return Err(invalid("input.method must be \"POST\" or \"GET\"")),
    };
    let query = p.get(F_QUERY).unwrap_or_default();
    let body = match (method, p.get(F_PAYLOAD)) {
        (_, Some(s)) => s,
        (Method::Get, None) => "",
        (Method::Post, None) => "{}",
    };
    let content_type = p.get(F_CONTENT_TYPE).unwrap_or(match method {
        Method::Post => "application/json",
        Method::Get => "application/x-www-form-urlencoded",
    });
    // JS wrote the number with `String(n)`: whole seconds are plain digits ("1.5", "1e+21",
    // "-1" are not). Parsed as an integer, which also keeps float parsing out of the module.
    let timestamp = match p.get(F_TIMESTAMP) {
        None => now_secs(),
        Some(t) => match crate::text::parse_u64(t) {
            Some(t) if t <= tc3::signer::MAX_TIMESTAMP => t,
            _ => {
                return Err(invalid(
                    "input.timestamp must be whole seconds since the Unix epoch (not milliseconds)",
                ))
            }
        },
    };
    let signed_headers = match p.get(F_SIGNED_HEADERS) {
        None | Some("content-type;host") => SignedHeaders::ContentTypeHost,
        Some("content-type;host;x-tc-action") => SignedHeaders::ContentTypeHostAction,
        Some(_) => {
            return Err(invalid(
                "input.signedHeaders must be \"content-type;host\" or \"content-type;host;x-tc-action\"",
            ))
        }
    };
    let language = p.get(F_LANGUAGE).map(Language::parse).transpose()?;
    let region = p.get(F_REGION);
    let request_client = p.get(F_REQUEST_CLIENT);
    let mut url = Endpoint::parse(p.get(F_ENDPOINT).unwrap_or(host))?.url;
    if method == Method::Get && !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }

    let signed = KEY_CACHE.with(|cache| {
        tc3::sign(
            &credential,
            &SigningParams {
                method,
                host,
                service,
                action,
                version,
                region,
                language,
                request_client,
                timestamp,
                content_type,
                query,
                payload: body.as_bytes(),
                signed_headers,
                unsigned_payload: false,
            },
            &mut cache.borrow_mut(),
        )
    })?;
    output(url, method.as_str(), signed, body)
}

/// The JS result object of a signature, built in ONE crossing: the parts are packed into a
/// NUL-separated string that `unpackSigned` (src/wasm/js.rs) turns into the object.
pub fn output(url: String, method: &'static str, signed: tc3::SignedRequest, body: &str) -> Result<JsValue, Error> {
    // Holds the token (X-TC-Token): wiped when dropped, and when it grows (`Wiping::push_str`).
    // Sized for the whole output, so it does not have to grow.
    let headers_len: usize = signed.headers.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    let mut packed = crate::wipe::Wiping::new(String::with_capacity(
        url.len()
            + method.len()
            + signed.canonical_request.len()
            + signed.string_to_sign.len()
            + signed.signature.len()
            + signed.authorization.len()
            + 6 // the NULs after the six parts
            + 21 // the header count and its NUL
            + headers_len
            + body.len(),
    ));
    for part in [
        url.as_str(),
        method,
        &signed.canonical_request,
        &signed.string_to_sign,
        &signed.signature,
        &signed.authorization,
    ] {
        packed.push_str(part);
        packed.push('\0');
    }
    let mut count = String::with_capacity(4);
    crate::text::push_u64(&mut count, signed.headers.len() as u64);
    packed.push_str(&count);
    packed.push('\0');
    for (name, value) in &signed.headers {
        packed.push_str(name);
        packed.push('\0');
        packed.push_str(value);
        packed.push('\0');
    }
    packed.push_str(body);
    Ok(super::js::unpack_signed(&packed))
}
