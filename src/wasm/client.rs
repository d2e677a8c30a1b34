//! `CvmClient`: the options, the synchronous methods, and the boundary of the call path.
//!
//! A call (`ExportImages`, `request`) is the state machine of `crate::client::call`; this layer
//! decides nothing. The JS driver (js/driver.js, installed on this class's prototype by the
//! package entries) performs each action — fetch, timers, the credential provider — and feeds
//! what happened back through `__start`, `__step` and `__provided`. Strings travel through two
//! buffers in wasm memory that JS reads and writes itself (`TextEncoder.encodeInto`,
//! `TextDecoder`), and the action comes back as numbers in a small header there, so a call that
//! succeeds at once crosses the boundary twice: `__start` and `__step`.

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::credentials::{provider_error, read_provided};
use super::js::now_secs;
use super::options::{call_options, client_settings, to_json, RateLimit};
use crate::channel::{action, event, io, kind};
use crate::client::{prepare_export_images, Action, Call, Client, Event, Limiter, Now, RateLimiter};
use crate::error::{Error, ErrorKind};
use crate::tc3::SigningKeyCache;

#[wasm_bindgen(typescript_custom_section)]
const CALLS: &str = r#"
export interface CvmClient {
  /**
   * Exports custom images to a COS bucket. Parameters are validated first: a mistake
   * rejects with the code the server would return (e.g. `InvalidImageId.Malformed`) and
   * `field`, and nothing is sent. Resolves to `{ TaskId, CosPaths, RequestId }`.
   * `options.signal` aborts the call.
   */
  ExportImages(params: ExportImagesRequest, options?: CallOptions): Promise<ExportImagesResponse>;
  /** Same as `ExportImages` (camelCase alias). */
  exportImages(params: ExportImagesRequest, options?: CallOptions): Promise<ExportImagesResponse>;
  /**
   * Calls any CVM action (API version 2017-03-12) with `payload` as its parameters and
   * resolves to the parsed `Response` object (which includes `RequestId`). Only read-only
   * actions (`Describe*`) are retried after a failure whose outcome is unknown.
   */
  request(action: string, payload?: Record<string, unknown>, options?: CallOptions): Promise<Record<string, any>>;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const EVENTS: &str = r#"
/** Fields of every event: which call it belongs to. */
export interface TencentCloudEventBase {
  /** A number per call of this client, from 1. */
  callId: number;
  /** The call's `X-TC-TraceId` (also on its `TencentCloudError`). */
  traceId: string;
}

/**
 * What `onEvent` receives, synchronously (what it throws is ignored). No event holds a
 * SecretKey, a session token, an `Authorization` value, a signature or a presigned URL's query.
 * See docs/observability.md for the OpenTelemetry mapping.
 */
export type TencentCloudEvent = TencentCloudEventBase &
  (
    /** An attempt is sent. */
    | { type: "request"; action: string; service: string; attempt: number; method: "POST"; host: string }
    /** An answer arrived (`errorCode`: the API's `Error.Code` even on HTTP 200, or the client's code for an unusable answer). */
    | { type: "response"; action: string; attempt: number; status: number; durationMs: number; requestId?: string; errorCode?: string }
    /** Attempt `attempt` follows after `delayMs`, because of `reason` (an error code). */
    | { type: "retry"; action: string; attempt: number; delayMs: number; reason: string }
    /** The call waits for a rate-limit slot: `"local"` (the client's own, the wait planned) or `"shared"` (`acquire`, the time it took). */
    | { type: "throttle"; action: string; waitMs: number; limiter: "local" | "shared" }
    /** The credential provider supplied a credential (a refresh). */
    | { type: "credentials"; expiredTime?: number }
    /** The clock offset was corrected from the server's `Date`. */
    | { type: "skew"; offsetSecs: number }
    /**
     * One poll of `waitForExport` / `checkExportFiles`: the `CosPaths` entry (never a URL), the
     * HTTP status (0: no answer), and what it showed: `ready`, `pending` (not written yet),
     * `checking` (a bodiless HEAD error; a GET reads COS's code next), `stale` (older than
     * `notBefore`), `skewed` (COS refused the signature's time), `error`, `failed` (no answer).
     */
    | { type: "poll"; key: string; status: number; state: "ready" | "pending" | "checking" | "stale" | "skewed" | "error" | "failed" }
  );
"#;

/// A client for the CVM API (version 2017-03-12), shaped like the official Node SDK's:
/// `new CvmClient({ credential, region, profile })`, then `await client.ExportImages({...})`.
#[wasm_bindgen]
pub struct CvmClient {
    // pub(super): the COS exports (src/wasm/cos.rs, src/wasm/wait_export.rs: their own
    // `impl CvmClient` blocks) share the client's state and its io header and buffers.
    pub(super) client: Client,
    provider: Option<Function>,
    fetch: Option<Function>,
    /// `rateLimit: { acquire }`: the object (its `acquire` is called as a method by the driver).
    shared_limiter: Option<JsValue>,
    /// `onEvent`: when set, calls record their notes, and the driver takes them (`__events`).
    pub(super) on_event: Option<Function>,
    /// The notes of the last step, as a JSON array ("" when none).
    pub(super) events: String,
    calls: Vec<Option<Call>>,
    /// The export waits in progress (`waitForExport`, `checkExportFiles`), driven by js/wait.js.
    pub(super) waits: Vec<Option<crate::client::wait_job::WaitJob>>,
    pub(super) io: Box<[f64; io::SLOTS]>,
    /// Event text from JS (response date and body, failure code and message): zero-filled,
    /// used at `len == capacity` so JS only writes initialised memory. Never holds a secret.
    pub(super) input: Vec<u8>,
    /// The last action's text. A Send's holds the session token: JS wipes it after reading,
    /// and it is wiped here before it grows and when the client is freed.
    pub(super) out: Vec<u8>,
}

impl Drop for CvmClient {
    fn drop(&mut self) {
        crate::wipe::wipe_vec(&mut self.out);
    }
}

#[wasm_bindgen]
impl CvmClient {
    /// Checks the options and builds a client. Throws `TencentCloudError`
    /// (`Client.InvalidOption` / `Client.InvalidCredential`) on a bad option.
    #[wasm_bindgen(constructor)]
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CvmClientOptions")] options: JsValue,
    ) -> Result<CvmClient, JsValue> {
        Self::with_settings(options, false)
    }

    /// For `TencentCloudClient` (js/generic.js): a client of any service and version.
    #[wasm_bindgen(js_name = __generic, skip_typescript)]
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn generic(options: JsValue) -> Result<CvmClient, JsValue> {
        Self::with_settings(options, true)
    }

    #[cfg_attr(tc3_size, optimize(size))]
    fn with_settings(options: JsValue, generic: bool) -> Result<CvmClient, JsValue> {
        let s = client_settings(options, generic)?;
        let (limiter, shared_limiter) = match s.rate_limit {
            RateLimit::Off => (Limiter::Off, None),
            RateLimit::PerSecond(n) => (Limiter::Window(RateLimiter::per_second(n)), None),
            RateLimit::Shared(object) => (Limiter::Shared, Some(object)),
        };
        let mut c = CvmClient {
            client: Client {
                config: s.config,
                retry: s.retry,
                limiter,
                clock: Default::default(),
                keys: SigningKeyCache::new(),
                credentials: s.credentials,
                failover: Default::default(),
            },
            provider: s.provider,
            fetch: s.fetch,
            shared_limiter,
            on_event: s.on_event,
            events: String::new(),
            calls: Vec::new(),
            waits: Vec::new(),
            io: Box::new([0.0; io::SLOTS]),
            input: Vec::new(),
            out: Vec::new(),
        };
        c.reserve(512);
        Ok(c)
    }

    /// Validates `ExportImages` parameters without sending anything; throws the same typed
    /// error `ExportImages` would reject with. Returns the normalized parameters.
    #[wasm_bindgen(js_name = validateExportImages, unchecked_return_type = "ExportImagesRequest")]
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn validate_export_images(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExportImagesRequest")] params: JsValue,
    ) -> Result<JsValue, JsValue> {
        let json = to_json(&params, "ExportImages parameters")?;
        let (_, body) = prepare_export_images(&self.client.config, &json)?;
        js_sys::JSON::parse(&body)
            .map_err(|_| Error::new(ErrorKind::InvalidResponse, "could not build the result object").into())
    }

    /// Validates and signs an `ExportImages` request exactly as `ExportImages` would send it,
    /// without sending: the URL, headers, body and each signing stage (for an "explain" view
    /// or another transport). `timestamp` defaults to now (corrected by `clockOffset`).
    /// Needs a fixed credential, or a provider that has already supplied one.
    #[wasm_bindgen(js_name = signExportImages, unchecked_return_type = "SignedRequestOutput")]
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn sign_export_images(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ExportImagesRequest")] params: JsValue,
        timestamp: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let json = to_json(&params, "ExportImages parameters")?;
        let c = &mut self.client;
        let (_, body) = prepare_export_images(&c.config, &json)?;
        let ts = match timestamp {
            None => c.clock.timestamp(now_secs()),
            Some(t) if t.is_finite() && t >= 0.0 && t.fract() == 0.0 => t as u64,
            Some(_) => return Err(Error::new(ErrorKind::InvalidOption, "timestamp must be whole seconds").into()),
        };
        let credential = c.credentials.current().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidCredential,
                "the credential provider has not supplied a credential yet",
            )
        })?;
        let signed = c.config.sign(&credential, &mut c.keys, "ExportImages", &body, ts)?;
        super::sign::output(c.config.endpoint.url.clone(), "POST", signed, &body).map_err(Into::into)
    }

    /// Seconds added to the local clock when signing: learned from the server's `Date` header
    /// after `AuthFailure.SignatureExpire`, or when a response shows 5 minutes of skew or more.
    #[wasm_bindgen(getter, js_name = clockOffset)]
    pub fn clock_offset(&self) -> f64 {
        self.client.clock.offset_secs() as f64
    }

    /// For the JS driver: `[url, fetch, provider, ioIndex, sharedLimiter, onEvent, backupUrl]`, read once per
    /// client. `ioIndex` is the header's index in a Float64Array over the wasm memory.
    #[wasm_bindgen(js_name = __driver, skip_typescript)]
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn driver(&self) -> js_sys::Array {
        let io_index = (self.io.as_ptr() as usize / 8) as f64;
        [
            JsValue::from_str(&self.client.config.endpoint.url),
            self.fetch.clone().map_or(JsValue::UNDEFINED, Into::into),
            self.provider.clone().map_or(JsValue::UNDEFINED, Into::into),
            JsValue::from_f64(io_index),
            self.shared_limiter.clone().unwrap_or(JsValue::UNDEFINED),
            self.on_event.clone().map_or(JsValue::UNDEFINED, Into::into),
            self.client
                .config
                .backup
                .as_ref()
                .map_or(JsValue::UNDEFINED, |b| JsValue::from_str(&b.url)),
        ]
        .into_iter()
        .collect()
    }

    /// For the JS driver: grows the input buffer to at least `len` bytes.
    #[wasm_bindgen(js_name = __reserve, skip_typescript)]
    pub fn reserve(&mut self, len: usize) {
        if len > self.input.len() {
            self.input = vec![0; len];
        }
        self.io[io::IN_PTR] = self.input.as_ptr() as usize as f64;
        self.io[io::IN_CAP] = self.input.len() as f64;
    }

    /// For the JS driver: the second argument of a call (`{ signal }`), checked. Only called
    /// when one is given. `is_signal`: JS's duck-typed AbortSignal test of `options.signal`.
    #[wasm_bindgen(js_name = __callOptions, skip_typescript)]
    pub fn check_call_options(&self, options: JsValue, is_signal: bool) -> Result<(), JsValue> {
        call_options(options, is_signal)
    }

    /// For the JS driver: starts a call. The input begins with the call's trace id and a NUL
    /// (its `X-TC-TraceId`), then: `kind` 0: ExportImages, the parameters' JSON (`len` < 0:
    /// they have no JSON form, nothing was written); 1: `request`, `action NUL payload-JSON`;
    /// 2: `request` whose payload has no JSON form (`action NUL`).
    /// `aborted`: the call's signal has already fired (checked after validation). The clocks
    /// are in the header (`io::MONO`…). Writes the first action; returns its code.
    #[wasm_bindgen(js_name = __start, skip_typescript)]
    pub fn start(&mut self, kind: u32, len: i32, aborted: bool) -> f64 {
        let now = self.now();
        match self.new_call(kind, len) {
            Ok(call) => {
                let id = match self.calls.iter().position(Option::is_none) {
                    Some(i) => i,
                    None => {
                        self.calls.push(None);
                        self.calls.len() - 1
                    }
                };
                self.io[io::CALL] = id as f64;
                let call = self.calls[id].insert(call);
                // A signal that fired before the call began: it ends before anything is sent.
                let event = if aborted { Event::Aborted } else { Event::Start };
                let action = call.step(&mut self.client, event, now);
                self.collect(id);
                self.emit(id, action)
            }
            Err(e) => {
                self.io[io::CALL] = -1.0;
                self.emit(usize::MAX, Action::Finish(Err(e)))
            }
        }
    }

    /// For the JS driver: feeds an event to call `id` (see the `EV_*` codes; `number` is the
    /// HTTP status, the timed-out flag or the provider call's id; the input's first `len`
    /// bytes its text). Writes the next action; returns its code.
    #[wasm_bindgen(js_name = __step, skip_typescript)]
    pub fn step(&mut self, id: usize, event: u32, number: f64, len: usize) -> f64 {
        let now = self.now();
        let Some(Some(call)) = self.calls.get_mut(id) else {
            return self.emit(id, Action::Idle);
        };
        let text = core::str::from_utf8(&self.input[..len.min(self.input.len())]).unwrap_or("");
        let (first, rest) = crate::text::split_once_byte(text, 0).unwrap_or((text, ""));
        let event = match event {
            event::ELAPSED => Event::Elapsed,
            event::RESPONSE => Event::Response {
                status: number as u16,
                date: Some(first).filter(|d| !d.is_empty()),
                body: rest,
            },
            event::FAILED => Event::Failed {
                timed_out: number != 0.0,
                code: first,
                message: rest,
            },
            event::PROVIDER_TIMEOUT => Event::ProviderTimeout(number as u32),
            event::ACQUIRED => Event::Acquired,
            event::ACQUIRE_FAILED => Event::AcquireFailed(Some(text).filter(|_| number == 0.0)),
            event::ABORTED => Event::Aborted,
            event::WAKE => Event::Wake,
            event::PROVIDER_GONE => Event::ProviderGone(number as u32),
            _ => Event::Aborted,
        };
        let action = call.step(&mut self.client, event, now);
        self.collect(id);
        self.emit(id, action)
    }

    /// For the JS driver (only with `onEvent`): the events of the last step, as a JSON array
    /// of objects without `callId`/`traceId` (the driver adds them); "" when none.
    #[wasm_bindgen(js_name = __events, skip_typescript)]
    pub fn events(&mut self) -> String {
        core::mem::take(&mut self.events)
    }

    /// For the JS driver: the answer of provider call `provider` (its value, or what it
    /// threw), for call `id`.
    #[wasm_bindgen(js_name = __provided, skip_typescript)]
    pub fn provided(&mut self, id: usize, provider: u32, ok: bool, value: JsValue) -> f64 {
        let now = self.now();
        let answer = if ok {
            read_provided(value)
        } else {
            Err(provider_error(&value))
        };
        let Some(Some(call)) = self.calls.get_mut(id) else {
            return self.emit(id, Action::Idle);
        };
        let action = call.step(&mut self.client, Event::Provided(provider, answer), now);
        self.collect(id);
        self.emit(id, action)
    }
}

impl CvmClient {
    /// Keeps call `id`'s notes of the step just made, as JSON, for `__events`.
    fn collect(&mut self, id: usize) {
        if let Some(Some(call)) = self.calls.get_mut(id) {
            let notes = call.take_notes();
            self.events = if notes.is_empty() {
                String::new()
            } else {
                crate::client::observe::to_json(&notes, &self.client.config.service)
            };
        }
    }

    /// A call from the input: `traceId NUL` then what `kind` says (see `__start`).
    fn new_call(&self, kind: u32, len: i32) -> Result<Call, Error> {
        let text = usize::try_from(len)
            .ok()
            .and_then(|len| core::str::from_utf8(self.input.get(..len)?).ok());
        let (trace_id, text) = match text.and_then(|t| crate::text::split_once_byte(t, 0)) {
            Some((trace_id, rest)) => (trace_id, Some(rest)),
            None => ("", None),
        };
        let call = self.new_call_of(kind, text)?.with_trace_id(trace_id);
        Ok(if self.on_event.is_some() { call.observed() } else { call })
    }

    fn new_call_of(&self, kind: u32, text: Option<&str>) -> Result<Call, Error> {
        if kind == kind::EXPORT {
            return Call::export_images(&self.client.config, text);
        }
        let (action, payload) = text
            .and_then(|t| crate::text::split_once_byte(t, 0))
            .unwrap_or(("", ""));
        Call::request(action, Some(payload).filter(|_| kind == kind::REQUEST))
    }

    /// Writes `a` into the io header and the out buffer; frees a finished call's slot.
    fn emit(&mut self, id: usize, a: Action) -> f64 {
        match a {
            Action::Idle => self.write_number(action::IDLE, 0.0),
            Action::CallProvider { id: p, timeout_ms } => self.write_provider(action::CALL_PROVIDER, p, timeout_ms),
            Action::JoinProvider { id: p, timeout_ms } => self.write_provider(action::JOIN_PROVIDER, p, timeout_ms),
            Action::Wait(ms) => self.write_number(action::WAIT, ms),
            Action::WaitForSlot(ms) => self.write_number(action::WAIT_FOR_SLOT, ms),
            Action::Acquire { timeout_ms } => {
                self.io[io::TIMEOUT] = timeout_ms;
                self.write_number(action::ACQUIRE, 0.0)
            }
            Action::Send {
                signed,
                timeout_ms,
                backup,
            } => {
                self.io[io::BACKUP] = if backup { 1.0 } else { 0.0 };
                let body = self.calls[id].as_ref().map_or("", |c| c.body());
                let len = signed.headers.iter().map(|(n, v)| n.len() + v.len() + 2).sum::<usize>() + body.len();
                let out = writable(&mut self.out, len);
                for (name, value) in &signed.headers {
                    for part in [name.as_bytes(), value.as_bytes()] {
                        out.extend_from_slice(part);
                        out.push(0);
                    }
                }
                out.extend_from_slice(body.as_bytes());
                self.io[io::NUMBER] = signed.headers.len() as f64;
                self.io[io::TIMEOUT] = timeout_ms;
                self.written(action::SEND)
            }
            Action::Finish(result) => {
                let (attempts, delay) = match self.calls.get_mut(id) {
                    Some(slot) => slot
                        .take()
                        .map_or((0.0, 0.0), |c| (f64::from(c.attempts()), c.retry_delay_ms() as f64)),
                    None => (0.0, 0.0),
                };
                self.io[io::ATTEMPTS] = attempts;
                self.io[io::RETRY_DELAY] = delay;
                match result {
                    Ok(text) => self.write_out(action::DONE, text.as_bytes()),
                    Err(e) => self.emit_error(e),
                }
            }
        }
    }

    /// The clocks JS wrote into the header before this call into wasm.
    pub(super) fn now(&self) -> Now {
        Now {
            mono_ms: self.io[io::MONO],
            wall_ms: self.io[io::WALL],
            random: self.io[io::RANDOM],
        }
    }

    /// Action `code` with its number (`WAIT`: ms).
    pub(super) fn write_number(&mut self, code: f64, number: f64) -> f64 {
        self.io[io::NUMBER] = number;
        self.io[io::CODE] = code;
        code
    }

    /// A provider action: the provider call's id and its bound.
    pub(super) fn write_provider(&mut self, code: f64, provider: u32, timeout_ms: f64) -> f64 {
        self.io[io::TIMEOUT] = timeout_ms;
        self.write_number(code, f64::from(provider))
    }

    /// Action `code` whose text is `text`.
    pub(super) fn write_out(&mut self, code: f64, text: &[u8]) -> f64 {
        writable(&mut self.out, text.len()).extend_from_slice(text);
        self.written(code)
    }

    /// `FAILED` with `e`: code, requestId, field, httpCode, mayHaveExecuted, then the message
    /// (last: it may hold anything, NULs included).
    #[cfg_attr(tc3_size, optimize(size))]
    pub(super) fn emit_error(&mut self, e: Error) -> f64 {
        let status = e.status().map(|s| crate::text::decimal(s.into())).unwrap_or_default();
        let parts = [
            e.code(),
            e.request_id().unwrap_or(""),
            e.field().unwrap_or(""),
            &status,
            if e.may_have_executed() { "1" } else { "" },
        ];
        let len = parts.iter().map(|p| p.len() + 1).sum::<usize>() + e.message().len();
        let out = writable(&mut self.out, len);
        for p in parts {
            out.extend_from_slice(p.as_bytes());
            out.push(0);
        }
        out.extend_from_slice(e.message().as_bytes());
        self.written(action::FAILED)
    }

    /// Action `code`, its text in the out buffer.
    fn written(&mut self, code: f64) -> f64 {
        self.io[io::CODE] = code;
        self.io[io::OUT_PTR] = self.out.as_ptr() as usize as f64;
        self.io[io::OUT_LEN] = self.out.len() as f64;
        code
    }
}

/// The out buffer, emptied, with room for `len` bytes. What it held is wiped first if it has
/// to grow (a Send's text holds the session token).
fn writable(out: &mut Vec<u8>, len: usize) -> &mut Vec<u8> {
    if out.capacity() < len {
        crate::wipe::wipe_vec(out);
        *out = Vec::with_capacity(len.max(1024));
    }
    out.clear();
    out
}

/// This instance's `WebAssembly.Memory`, for the JS driver (the entries pass it to
/// `installCallPath`).
#[wasm_bindgen(js_name = __memory, skip_typescript)]
pub fn memory() -> JsValue {
    wasm_bindgen::memory()
}
