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
use crate::client::retry::is_read_only;
use crate::client::{
    check_action, prepare_export_images, Action, Call, Client, Event, Limiter, Now, RateLimiter, Shape,
};
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

/// The header shared with the JS driver (f64 slots, in wasm memory): the action of the last
/// step, the buffers, and the clocks JS reads before each call.
pub(super) const IO_CODE: usize = 0; // the action (see `code_of`)
pub(super) const IO_NUMBER: usize = 1; // Wait: ms; Send: header count; providers: the provider call's id
pub(super) const IO_OUT_PTR: usize = 2; // the action's text (UTF-8) …
pub(super) const IO_OUT_LEN: usize = 3; // … and its length
const IO_IN_PTR: usize = 4; // where JS writes event text …
const IO_IN_CAP: usize = 5; // … and how much fits
pub(super) const IO_CALL: usize = 6; // the call's id (set by __start)
pub(super) const IO_TIMEOUT: usize = 7; // Send and providers: the bound of the wait, ms
                                        // Written by JS before each call: the clocks and the random draw (`Now`).
pub(super) const IO_MONO: usize = 8; // performance.now()
pub(super) const IO_WALL: usize = 9; // Date.now()
pub(super) const IO_RANDOM: usize = 10; // Math.random()
pub(super) const IO_SLOTS: usize = 11;

// Action codes (js/driver.js and js/wait.js have the same numbers).
pub(super) const IDLE: f64 = 0.0;
pub(super) const CALL_PROVIDER: f64 = 1.0;
pub(super) const JOIN_PROVIDER: f64 = 2.0;
pub(super) const WAIT: f64 = 3.0;
pub(super) const SEND: f64 = 4.0;
pub(super) const DONE: f64 = 5.0;
pub(super) const FAILED: f64 = 6.0;
const ACQUIRE: f64 = 7.0;
const WAIT_FOR_SLOT: f64 = 8.0;

// Event codes of __step.
pub(super) const EV_ELAPSED: u32 = 1;
pub(super) const EV_RESPONSE: u32 = 2;
pub(super) const EV_FAILED: u32 = 3;
pub(super) const EV_ABORTED: u32 = 4;
pub(super) const EV_PROVIDER_TIMEOUT: u32 = 5;
const EV_ACQUIRED: u32 = 6;
const EV_ACQUIRE_FAILED: u32 = 7; // number 1: not settled within the bound; else the text is why
const EV_WAKE: u32 = 8; // a WAIT_FOR_SLOT cut short: a slot was given back
pub(super) const EV_PROVIDER_GONE: u32 = 9; // number: the joined provider call, given up by its starter

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
    calls: Vec<Option<Call>>,
    /// The export waits in progress (`waitForExport`, `checkExportFiles`), driven by js/wait.js.
    pub(super) waits: Vec<Option<super::wait_export::WaitJob>>,
    pub(super) io: Box<[f64; IO_SLOTS]>,
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
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CvmClientOptions")] options: JsValue,
    ) -> Result<CvmClient, JsValue> {
        let s = client_settings(options)?;
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
            },
            provider: s.provider,
            fetch: s.fetch,
            shared_limiter,
            calls: Vec::new(),
            waits: Vec::new(),
            io: Box::new([0.0; IO_SLOTS]),
            input: Vec::new(),
            out: Vec::new(),
        };
        c.reserve(512);
        Ok(c)
    }

    /// Validates `ExportImages` parameters without sending anything; throws the same typed
    /// error `ExportImages` would reject with. Returns the normalized parameters.
    #[wasm_bindgen(js_name = validateExportImages, unchecked_return_type = "ExportImagesRequest")]
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

    /// For the JS driver: `[url, fetch, provider, ioIndex, sharedLimiter]`, read once per
    /// client. `ioIndex` is the header's index in a Float64Array over the wasm memory.
    #[wasm_bindgen(js_name = __driver, skip_typescript)]
    pub fn driver(&self) -> js_sys::Array {
        let io_index = (self.io.as_ptr() as usize / 8) as f64;
        [
            JsValue::from_str(&self.client.config.endpoint.url),
            self.fetch.clone().map_or(JsValue::UNDEFINED, Into::into),
            self.provider.clone().map_or(JsValue::UNDEFINED, Into::into),
            JsValue::from_f64(io_index),
            self.shared_limiter.clone().unwrap_or(JsValue::UNDEFINED),
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
        self.io[IO_IN_PTR] = self.input.as_ptr() as usize as f64;
        self.io[IO_IN_CAP] = self.input.len() as f64;
    }

    /// For the JS driver: the second argument of a call (`{ signal }`), checked. Only called
    /// when one is given. `is_signal`: JS's duck-typed AbortSignal test of `options.signal`.
    #[wasm_bindgen(js_name = __callOptions, skip_typescript)]
    pub fn check_call_options(&self, options: JsValue, is_signal: bool) -> Result<(), JsValue> {
        call_options(options, is_signal).map_err(Into::into)
    }

    /// For the JS driver: starts a call. `kind` 0: ExportImages, the input holds the
    /// parameters' JSON (`len` < 0: they have no JSON form); 1: `request`, the input holds
    /// `action NUL payload-JSON`; 2: `request` whose payload has no JSON form (`action NUL`).
    /// `aborted`: the call's signal has already fired (checked after validation). The clocks
    /// are in the header (`IO_MONO`…). Writes the first action; returns its code.
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
                self.io[IO_CALL] = id as f64;
                let call = self.calls[id].insert(call);
                // A signal that fired before the call began: it ends before anything is sent.
                let event = if aborted { Event::Aborted } else { Event::Start };
                let action = call.step(&mut self.client, event, now);
                self.emit(id, action)
            }
            Err(e) => {
                self.io[IO_CALL] = -1.0;
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
        let (first, rest) = text.split_once('\0').unwrap_or((text, ""));
        let event = match event {
            EV_ELAPSED => Event::Elapsed,
            EV_RESPONSE => Event::Response {
                status: number as u16,
                date: Some(first).filter(|d| !d.is_empty()),
                body: rest,
            },
            EV_FAILED => Event::Failed {
                timed_out: number != 0.0,
                code: first,
                message: rest,
            },
            EV_PROVIDER_TIMEOUT => Event::ProviderTimeout(number as u32),
            EV_ACQUIRED => Event::Acquired,
            EV_ACQUIRE_FAILED => Event::AcquireFailed(Some(text).filter(|_| number == 0.0)),
            EV_ABORTED => Event::Aborted,
            EV_WAKE => Event::Wake,
            EV_PROVIDER_GONE => Event::ProviderGone(number as u32),
            _ => Event::Aborted,
        };
        let action = call.step(&mut self.client, event, now);
        self.emit(id, action)
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
        self.emit(id, action)
    }
}

impl CvmClient {
    /// The clocks JS wrote into the header for this call.
    fn now(&self) -> Now {
        Now {
            mono_ms: self.io[IO_MONO],
            wall_ms: self.io[IO_WALL],
            random: self.io[IO_RANDOM],
        }
    }

    fn new_call(&self, kind: u32, len: i32) -> Result<Call, Error> {
        let text = usize::try_from(len)
            .ok()
            .and_then(|len| core::str::from_utf8(self.input.get(..len)?).ok());
        if kind == 0 {
            let json = text.ok_or_else(|| not_json("ExportImages parameters"))?;
            let (request, body) = prepare_export_images(&self.client.config, json)?;
            // A dry run creates nothing, so it may be retried like a read-only action.
            return Ok(Call::new(
                "ExportImages",
                body,
                request.is_dry_run(),
                Shape::ExportImages,
            ));
        }
        let (action, payload) = text.and_then(|t| t.split_once('\0')).unwrap_or(("", ""));
        check_action(action)?;
        if kind != 1 {
            return Err(not_json("payload"));
        }
        if !payload.starts_with('{') {
            return Err(Error::validation("InvalidParameter", "", "payload must be an object"));
        }
        Ok(Call::new(action, payload.to_owned(), is_read_only(action), Shape::Raw))
    }

    /// Writes `action` into the io header and the out buffer; frees a finished call's slot.
    pub(super) fn emit(&mut self, id: usize, action: Action) -> f64 {
        let code = match action {
            Action::Idle => IDLE,
            Action::CallProvider { id: p, timeout_ms } | Action::JoinProvider { id: p, timeout_ms } => {
                self.io[IO_NUMBER] = f64::from(p);
                self.io[IO_TIMEOUT] = timeout_ms;
                if matches!(action, Action::CallProvider { .. }) {
                    CALL_PROVIDER
                } else {
                    JOIN_PROVIDER
                }
            }
            Action::Wait(ms) => {
                self.io[IO_NUMBER] = ms;
                WAIT
            }
            Action::WaitForSlot(ms) => {
                self.io[IO_NUMBER] = ms;
                WAIT_FOR_SLOT
            }
            Action::Acquire { timeout_ms } => {
                self.io[IO_TIMEOUT] = timeout_ms;
                ACQUIRE
            }
            Action::Send { signed, timeout_ms } => {
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
                self.io[IO_NUMBER] = signed.headers.len() as f64;
                self.io[IO_TIMEOUT] = timeout_ms;
                SEND
            }
            Action::Finish(result) => {
                if let Some(slot) = self.calls.get_mut(id) {
                    *slot = None;
                }
                match result {
                    Ok(text) => {
                        writable(&mut self.out, text.len()).extend_from_slice(text.as_bytes());
                        DONE
                    }
                    Err(e) => {
                        // code, requestId, field, httpCode, mayHaveExecuted, then the message
                        // (last: it may hold anything, NULs included).
                        let status = e
                            .status()
                            .map(|s| crate::tc3::text::decimal(s.into()))
                            .unwrap_or_default();
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
                        FAILED
                    }
                }
            }
        };
        self.io[IO_CODE] = code;
        self.io[IO_OUT_PTR] = self.out.as_ptr() as usize as f64;
        self.io[IO_OUT_LEN] = self.out.len() as f64;
        code
    }
}

/// The out buffer, emptied, with room for `len` bytes. What it held is wiped first if it has
/// to grow (a Send's text holds the session token).
pub(super) fn writable(out: &mut Vec<u8>, len: usize) -> &mut Vec<u8> {
    if out.capacity() < len {
        crate::wipe::wipe_vec(out);
        *out = Vec::with_capacity(len.max(1024));
    }
    out.clear();
    out
}

fn not_json(what: &str) -> Error {
    Error::validation(
        "InvalidParameter",
        "",
        [what, " must be a JSON-serializable object"].concat(),
    )
}

/// This instance's `WebAssembly.Memory`, for the JS driver (the entries pass it to
/// `installCallPath`).
#[wasm_bindgen(js_name = __memory, skip_typescript)]
pub fn memory() -> JsValue {
    wasm_bindgen::memory()
}
