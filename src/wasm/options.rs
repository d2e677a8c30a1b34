//! Reading option objects that come from JS.
//!
//! Every option object arrives packed: js/options.js checks its shape (objects, known
//! properties, types, literal values) and hands over one array, read here by position; every
//! check of a value stays in Rust (`ClientConfig::new`, `Credential::new`, the ranges below,
//! the COS request's and the wait's own checks). Checking shapes in JS instead of property by
//! property through `Reflect` measured ~2 KB gzip smaller for the client's options, and the
//! `Reflect` reader left the module with the last of them (bench/LEVERS.md, issue #20). A wrong
//! type is reported by the property's path alone, never its value (that value could be a
//! SecretKey). The TypeScript shapes below are generated from these Rust types.

use js_sys::{Array, Function};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::client::{ClientOptions, RetryPolicy};
use crate::error::{Error, ErrorKind};
use crate::text::Cat;

#[wasm_bindgen(module = "/js/options.js")]
extern "C" {
    #[wasm_bindgen(js_name = readClientOptions)]
    fn read_client_options(options: &JsValue, generic: bool) -> Array;
    // `catch`: what a getter or a proxy trap of the caller's object throws comes back as an
    // `Err` and is rethrown by the method as it is. Left to unwind through the wasm frames, it
    // would skip the release of the method's borrow of its client, and every later call of
    // that client would fail ("recursive use of an object").
    #[wasm_bindgen(catch, js_name = readCallOptions)]
    fn read_call_options(options: &JsValue, is_signal: bool) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = readCosRequest)]
    pub fn read_cos_request(request: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = readWaitRequest)]
    pub fn read_wait_request(
        task: &JsValue,
        options: &JsValue,
        once: bool,
        is_signal: bool,
    ) -> Result<JsValue, JsValue>;
}

/// Credentials, in the shape of the official Node SDK's `credential` option.
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct CredentialInput {
    /// The SecretId (`AKID…`).
    pub secret_id: String,
    /// The SecretKey. Never printed, logged or included in an error.
    pub secret_key: String,
    /// Session token of temporary credentials (sent as `X-TC-Token`).
    #[tsify(optional)]
    pub token: Option<String>,
}

/// HTTP settings, in the shape of the official SDK's `profile.httpProfile`.
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct HttpProfile {
    /// Host (`cvm.tencentcloudapi.com`, HTTPS) or URL (`http://127.0.0.1:8787`, a proxy).
    /// Default `cvm.tencentcloudapi.com`.
    #[tsify(optional)]
    pub endpoint: Option<String>,
    /// The host the request is signed for. Default: the endpoint's host name without port.
    /// Set it when sending through a proxy that forwards to the real API host.
    #[tsify(optional)]
    pub host: Option<String>,
    /// Timeout of one attempt, in seconds. Default 60. Also bounds each wait before it: for
    /// the credential provider, for a shared limiter's `acquire`, and in the client's own
    /// limiter (a call that would wait longer there is refused at once with
    /// `Client.RateLimiterError`, naming the wait it would have needed).
    #[tsify(optional)]
    pub req_timeout: Option<u32>,
    /// A second endpoint (host or URL), as in the official SDKs' region breaker. An attempt
    /// that failed without connecting (refused, DNS, TLS — Node's fetch says so; a browser's
    /// or workerd's bare `TypeError` does not, and counts as "may have executed") is sent
    /// again at once to the backup, signed for its host (unless `host` pins the signed host);
    /// after 5 such failures in a row every attempt goes to the backup for 60 s, then the
    /// endpoint is tried again. An attempt that may have executed is never resent elsewhere.
    #[tsify(optional)]
    pub backup_endpoint: Option<String>,
    /// Only `"POST"` is supported (the JSON body is what gets signed).
    #[tsify(optional, type = "\"POST\"")]
    pub req_method: Option<String>,
}

/// Client profile, in the shape of the official SDK's `profile`.
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct ClientProfile {
    /// Language of API error messages.
    #[tsify(optional, type = "\"zh-CN\" | \"en-US\"")]
    pub language: Option<String>,
    /// Only `"TC3-HMAC-SHA256"` is supported.
    #[tsify(optional, type = "\"TC3-HMAC-SHA256\"")]
    pub sign_method: Option<String>,
    /// Headers covered by the signature: `content-type;host` (default, as the official SDKs)
    /// or `content-type;host;x-tc-action` (the signature document's current example).
    #[tsify(optional, type = "\"content-type;host\" | \"content-type;host;x-tc-action\"")]
    pub signed_headers: Option<String>,
    /// HTTP settings.
    #[tsify(optional)]
    pub http_profile: Option<HttpProfile>,
    /// Where COS requests (`presignCosUrl` links, `waitForExport`) go: a URL template with
    /// `{Bucket}` and `{Region}`, the object key appended to its path — a proxy, or the local
    /// emulator (`"http://127.0.0.1:8787/cos/{Bucket}"`). They stay signed for the real host
    /// `<Bucket>.cos.<Region>.myqcloud.com`. Default `"https://{Bucket}.cos.{Region}.myqcloud.com"`;
    /// with the default, a poll that cannot connect there (refused, DNS, TLS) is sent again to
    /// `<Bucket>.cos.<Region>.tencentcos.cn`, signed for it, and so are the wait's later polls
    /// and its links (cos-js-sdk-v5's AutoSwitchHost).
    #[tsify(optional)]
    pub cos_endpoint: Option<String>,
}

/// What a credential provider returns (the STS API's shape, camelCased).
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct ProvidedCredential {
    /// The SecretId.
    pub secret_id: String,
    /// The SecretKey.
    pub secret_key: String,
    /// The session token.
    #[tsify(optional)]
    pub token: Option<String>,
    /// When the credential expires, in Unix seconds. It is refreshed 5 minutes before.
    /// Omitted: never refreshed.
    #[tsify(optional)]
    pub expired_time: Option<f64>,
}

/// Retry settings: `false` disables retries.
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct RetryOptions {
    /// Retries after the first attempt. Default 3.
    #[tsify(optional)]
    pub max_retries: Option<u32>,
    /// Backoff base in ms (full jitter, doubling each retry). Default 100.
    #[tsify(optional)]
    pub base_delay_ms: Option<u32>,
    /// Longest backoff in ms. Default 20000.
    #[tsify(optional)]
    pub max_delay_ms: Option<u32>,
}

/// Client-side rate limit per action: `false` disables it.
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct RateLimitOptions {
    /// Requests per second per action, counted over any 1-second window. Default 20 (the
    /// documented CVM limit). A call aborted while it waits for its slot gives the slot back:
    /// the calls behind it move up.
    #[tsify(optional)]
    pub per_second: Option<u32>,
}

/// A rate limiter shared beyond one client (a Durable Object, a Redis window…). The client
/// awaits `acquire(action, { signal })` right before every attempt is sent, retries included;
/// the wait is bounded by `reqTimeout`. `signal` aborts when the call gives up on the slot (its
/// caller's abort, or `reqTimeout`), so the limiter can stop holding a slot nobody will use. If
/// it rejects (or does not settle in time) the call rejects with `Client.RateLimiterError` and
/// nothing is sent. `context` is the call's own `context` option, untouched: how a limiter
/// tells the caller something about this call's slot (e.g. "granted by a fallback").
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct SharedRateLimiter {
    /// Resolves when the request may be sent now.
    #[tsify(type = "(action: string, options: { signal: AbortSignal; context?: unknown }) => Promise<void>")]
    pub acquire: (),
}

/// Options of one call (`client.ExportImages(params, { signal })`).
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct CallOptions {
    /// Aborts the call: checked before each attempt, interrupts waits and the fetch in flight.
    #[tsify(optional, type = "AbortSignal")]
    pub signal: Option<()>,
    /// Any value of yours, handed untouched to a shared limiter's `acquire(action, { signal,
    /// context })` for this call's attempts (the library never reads it). A Worker uses it to
    /// learn which limiter admitted the request, since `signal` there is the call's own.
    #[tsify(optional, type = "unknown")]
    pub context: Option<()>,
}

/// Options of `new CvmClient(options)`.
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct CvmClientOptions {
    /// SecretId, SecretKey and optional token — or an async function returning them with
    /// `expiredTime` (temporary keys from your back end), cached and refreshed 5 minutes before
    /// expiry, judged on the server's clock (the offset learned from its `Date`, as signatures
    /// are). Concurrent calls share one provider call; it gets `{ signal }`, aborted when the
    /// call that started it gives up (its caller's abort, `reqTimeout`); the others then ask
    /// again. Its answer is not kept beyond the cache.
    #[tsify(
        type = "CredentialInput | ((options: { signal: AbortSignal }) => Promise<ProvidedCredential> | ProvidedCredential)"
    )]
    pub credential: CredentialInput,
    /// Region, e.g. `"ap-guangzhou"` (required for ExportImages).
    #[tsify(optional)]
    pub region: Option<String>,
    /// Language, endpoint, timeout and signing choices.
    #[tsify(optional)]
    pub profile: Option<ClientProfile>,
    /// A `fetch` to use instead of the global one (tests, custom transports).
    #[tsify(optional, type = "typeof fetch")]
    pub fetch: Option<()>,
    /// Retries of throttled requests (and, for read-only actions and dry runs, of failures
    /// whose outcome is unknown). Default `{ maxRetries: 3, baseDelayMs: 100, maxDelayMs: 20000 }`.
    #[tsify(optional, type = "RetryOptions | false")]
    pub retry: Option<RetryOptions>,
    /// Client-side rate limit shared by all calls of this client (default `{ perSecond: 20 }`),
    /// a limiter shared beyond it (`{ acquire }`), or `false`.
    #[tsify(optional, type = "RateLimitOptions | SharedRateLimiter | false")]
    pub rate_limit: Option<RateLimitOptions>,
    /// Called synchronously with each event of a call (attempts, responses, retries,
    /// throttling, credential refreshes, clock corrections, export polls); what it throws is
    /// ignored. No event holds a secret, an `Authorization` value, a signature or a presigned
    /// URL's query. See `TencentCloudEvent` and docs/observability.md.
    #[tsify(optional, type = "(event: TencentCloudEvent) => void")]
    pub on_event: Option<()>,
}

/// Options of `new TencentCloudClient(options)`: those of `CvmClient`, plus the service.
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct TencentCloudClientOptions {
    /// The service: the credential scope's name and the default host's first label
    /// (`"sts"` → `sts.tencentcloudapi.com`). Lowercase letters and digits.
    pub service: String,
    /// The API version of the service, e.g. `"2018-08-13"` for STS.
    pub version: String,
    /// As `CvmClientOptions.credential`.
    #[tsify(
        type = "CredentialInput | ((options: { signal: AbortSignal }) => Promise<ProvidedCredential> | ProvidedCredential)"
    )]
    pub credential: CredentialInput,
    /// Region, e.g. `"ap-guangzhou"` (sent as `X-TC-Region`; most services need one).
    #[tsify(optional)]
    pub region: Option<String>,
    /// As `CvmClientOptions.profile`; the endpoint defaults to `<service>.tencentcloudapi.com`.
    #[tsify(optional)]
    pub profile: Option<ClientProfile>,
    /// As `CvmClientOptions.fetch`.
    #[tsify(optional, type = "typeof fetch")]
    pub fetch: Option<()>,
    /// As `CvmClientOptions.retry`.
    #[tsify(optional, type = "RetryOptions | false")]
    pub retry: Option<RetryOptions>,
    /// As `CvmClientOptions.rateLimit`.
    #[tsify(optional, type = "RateLimitOptions | SharedRateLimiter | false")]
    pub rate_limit: Option<RateLimitOptions>,
    /// As `CvmClientOptions.onEvent`.
    #[tsify(optional, type = "(event: TencentCloudEvent) => void")]
    pub on_event: Option<()>,
}

/// An invalid option. Every message starts with the option's path; without its root
/// (`options.`, `input.`) it becomes the error's `field` (`profile.httpProfile.endpoint`), so a
/// form can show the error next to the right input.
#[cfg_attr(tc3_size, optimize(size))]
pub fn invalid(message: String) -> Error {
    let end = message
        .bytes()
        .position(|b| b == b' ' || b == b':')
        .unwrap_or(message.len());
    let path = &message[..end];
    let field = crate::text::split_once_byte(path, b'.')
        .map_or(path, |(_, rest)| rest)
        .to_owned();
    Error::new(ErrorKind::InvalidOption, message).with_field(field)
}

/// The answer of a js/options.js reader: the packed array, or (a string) a shape error's
/// message, which becomes `Client.InvalidOption` (see [`invalid`]).
#[cfg_attr(tc3_size, optimize(size))]
pub fn packed(answer: JsValue) -> Result<Array, Error> {
    match answer.as_string() {
        Some(message) => Err(invalid(message)),
        None => Ok(answer.unchecked_into()),
    }
}

/// What `new CvmClient(options)` settles to.
pub struct ClientSettings {
    pub credentials: crate::client::Credentials,
    pub provider: Option<Function>,
    pub config: crate::client::ClientConfig,
    pub fetch: Option<Function>,
    pub retry: RetryPolicy,
    pub rate_limit: RateLimit,
    pub on_event: Option<Function>,
}

/// The `rateLimit` option.
pub enum RateLimit {
    /// `false`.
    Off,
    /// `{ perSecond }` (default 20): the client's own window per action.
    PerSecond(u32),
    /// `{ acquire }`: a shared limiter; the object is kept so `acquire` is called as its method.
    Shared(JsValue),
}

/// Reads and checks `CvmClientOptions` (`generic` false) or `TencentCloudClientOptions`
/// (`generic` true: `service` and `version` are required, and only there allowed).
#[cfg_attr(tc3_size, optimize(size))]
pub fn client_settings(options: JsValue, generic: bool) -> Result<ClientSettings, Error> {
    // The order of js/options.js's `readClientOptions` answer.
    let v = read_client_options(&options, generic);
    let at = |i: u32| v.get(i);
    let string = |i: u32| at(i).as_string();
    let function = |i: u32| at(i).dyn_into::<Function>().ok();
    if v.length() == 2 {
        let message = string(0).unwrap_or_default();
        let e = invalid(message);
        return Err(if at(1).is_truthy() {
            Error::new(ErrorKind::InvalidCredential, e.message().to_owned())
                .with_field(e.field().unwrap_or("credential"))
        } else {
            e
        });
    }
    let (credentials, provider) = match function(0) {
        Some(f) => (crate::client::Credentials::Provider(Default::default()), Some(f)),
        None => (super::credentials::fixed(string(1), string(2), string(3))?, None),
    };
    let (service, version) = (string(19), string(20));
    let (region, language, endpoint, host) = (string(4), string(5), string(7), string(8));
    let (backup_endpoint, cos_endpoint) = (string(10), string(11));
    let config = crate::client::ClientConfig::new(&ClientOptions {
        service: service.as_deref(),
        version: version.as_deref(),
        endpoint: endpoint.as_deref(),
        host: host.as_deref(),
        backup_endpoint: backup_endpoint.as_deref(),
        region: region.as_deref(),
        language: language.as_deref(),
        req_timeout_secs: at(9).as_f64(),
        sign_action: at(6).is_truthy(),
        content_type: None,
        cos_endpoint: cos_endpoint.as_deref(),
    })?;
    let retry = if at(13).is_truthy() {
        RetryPolicy::DISABLED
    } else {
        let d = RetryPolicy::default();
        RetryPolicy {
            max_retries: whole(at(14), "options.retry.maxRetries", d.max_retries, 0..=10)?,
            base_ms: whole(at(15), "options.retry.baseDelayMs", d.base_ms, 0..=60_000)?,
            cap_ms: whole(at(16), "options.retry.maxDelayMs", d.cap_ms, 0..=600_000)?,
        }
    };
    let limit = at(17);
    let rate_limit = if limit.as_bool() == Some(false) {
        RateLimit::Off
    } else if limit.is_object() {
        RateLimit::Shared(limit)
    } else {
        RateLimit::PerSecond(whole(limit, "options.rateLimit.perSecond", 20, 1..=10_000)?)
    };
    Ok(ClientSettings {
        credentials,
        provider,
        config,
        fetch: function(12),
        retry,
        rate_limit,
        on_event: function(18),
    })
}

/// A whole number in `range` (`value` is a number or undefined: js/options.js checked the
/// type), or the default.
#[cfg_attr(tc3_size, optimize(size))]
fn whole(value: JsValue, path: &str, default: u32, range: std::ops::RangeInclusive<u32>) -> Result<u32, Error> {
    match value.as_f64() {
        None => Ok(default),
        Some(v) if v.fract() == 0.0 && v >= f64::from(*range.start()) && v <= f64::from(*range.end()) => Ok(v as u32),
        Some(_) => Err(invalid(
            [
                path,
                " must be a whole number from ",
                &crate::text::decimal((*range.start()).into()),
                " to ",
                &crate::text::decimal((*range.end()).into()),
            ]
            .cat(),
        )),
    }
}

/// Checks `{ signal, context }`, the options of a call (their shape: js/options.js);
/// `is_signal` is the JS driver's duck-typed AbortSignal test of its `signal`.
#[cfg_attr(tc3_size, optimize(size))]
pub fn call_options(options: JsValue, is_signal: bool) -> Result<(), JsValue> {
    packed(read_call_options(&options, is_signal)?)?;
    Ok(())
}

/// `JSON.stringify(value)`, or a typed error naming `what` when it cannot be serialized
/// (a BigInt, a cycle, a function).
#[cfg_attr(tc3_size, optimize(size))]
pub fn to_json(value: &JsValue, what: &str) -> Result<String, Error> {
    let err = || {
        Error::validation(
            "InvalidParameter",
            "",
            [what, " must be a JSON-serializable object"].cat(),
        )
    };
    // JS writes the JSON straight into this buffer (see `super::text`); most parameter
    // objects fit the first guess. `undefined`, a function or a symbol has no JSON text
    // (JSON.stringify gives `undefined`), nor has a value it throws on: both are `None`.
    let mut buffer = vec![0; 512];
    let len = super::js_string::read_into(&mut buffer, |memory, ptr, cap| {
        super::js::stringify_into(memory, value, ptr, cap)
    })
    .ok_or_else(err)?;
    buffer.truncate(len);
    String::from_utf8(buffer).map_err(|_| err())
}
