//! One API call as a state machine (sans-IO): every decision of a call — wait for the
//! credential provider, for the rate limiter, sign and send, retry or give up, re-sign after
//! clock skew, stop on abort — is made here, from the current state and one event. The caller
//! (the wasm layer's JS driver, or a test) performs the returned [`Action`] and feeds back what
//! happened as the next [`Event`], with the clocks read at that moment ([`Now`]).
//!
//! Two clocks come in: `mono_ms` (monotonic, `performance.now()`) for the rate limiter and every
//! wait, so a wall-clock jump cannot release or hold requests; `wall_ms` (`Date.now()`) only
//! for the signature's timestamp (plus the learned skew) and credential expiry.
//!
//! Shared, per-client state ([`Client`]: rate limiter, clock skew, credential cache, derived-key
//! cache) is borrowed by each step; the per-call state is a [`Call`].

use std::rc::Rc;

use super::clock::ClockSkew;
use super::config::ClientConfig;
use super::credentials::needs_refresh;
use super::limiter::RateLimiter;
use super::observe::Note;
use super::retry::{classify, decide, Decision, Failure, RetryPolicy};
use super::transport::{fetch_failed, never_connected};
use crate::cvm::{parse_envelope, ExportImagesResponse};
use crate::error::{Error, ErrorKind};
use crate::tc3::{Credential, SignedRequest, SigningKeyCache};
use crate::text::Cat;

/// The clocks and the random draw, read by the driver when it delivers an event.
#[derive(Clone, Copy, Debug)]
pub struct Now {
    /// Monotonic milliseconds (`performance.now()`): limiter and waits.
    pub mono_ms: f64,
    /// Unix milliseconds (`Date.now()`): signing timestamps and credential expiry.
    pub wall_ms: f64,
    /// Uniform in [0, 1): backoff jitter.
    pub random: f64,
}

impl Now {
    /// Unix seconds of `wall_ms` (0 for a clock that makes no sense).
    pub fn wall_secs(&self) -> u64 {
        if self.wall_ms.is_finite() && self.wall_ms > 0.0 {
            (self.wall_ms / 1000.0) as u64
        } else {
            0
        }
    }
}

/// Where the client's credential comes from, and what is cached of a provider's answers.
pub enum Credentials {
    /// A fixed credential (`credential: { secretId, secretKey, token }`).
    Fixed(Rc<Credential>),
    /// An async provider function: its last answer and the shared call in flight.
    Provider(ProviderState),
}

/// A credential provider's cache, and the one provider call that concurrent calls share.
#[derive(Default)]
pub struct ProviderState {
    cached: Option<(Rc<Credential>, Option<u64>)>,
    /// The provider call in flight, by number. Dropped when it answers or when a waiter's
    /// bound expires (a provider that never settles must not hold later calls).
    in_flight: Option<u32>,
    calls: u32,
}

impl Credentials {
    /// The credential a synchronous signature can use: the fixed one, or the provider's last.
    pub fn current(&self) -> Option<Rc<Credential>> {
        match self {
            Credentials::Fixed(c) => Some(c.clone()),
            Credentials::Provider(p) => p.cached.as_ref().map(|(c, _)| c.clone()),
        }
    }
}

/// Where a call's rate-limit slot comes from.
pub enum Limiter {
    /// `rateLimit: false`: none.
    Off,
    /// The client's own sliding window per action (`rateLimit: { perSecond }`).
    Window(RateLimiter),
    /// A limiter shared beyond this client (`rateLimit: { acquire }`: a Durable Object, a
    /// Redis window…): the driver awaits `acquire(action, { signal })` before every attempt.
    Shared,
}

impl From<Option<RateLimiter>> for Limiter {
    fn from(window: Option<RateLimiter>) -> Self {
        window.map_or(Limiter::Off, Limiter::Window)
    }
}

/// What another machine of the client (the export waiter's driver, `src/wasm/wait_export.rs`)
/// needs before it can sign: the provider action to perform first.
pub enum CredentialNeed {
    /// Call the provider (call `id`), bounded by `timeout_ms`.
    Call {
        /// The provider call's number.
        id: u32,
        /// Bound of the wait (the client's `reqTimeout`).
        timeout_ms: f64,
    },
    /// Wait for provider call `id`, already in flight for another call. (Should the call
    /// that started it give up on it, the driver reports that, and the provider is asked anew:
    /// [`Credentials::forget`].)
    Join {
        /// The provider call's number.
        id: u32,
        /// Bound of the wait.
        timeout_ms: f64,
    },
}

// The same cache and the same one shared provider call as `Call` uses (`attempt`,
// `on_provided`, the `ProviderTimeout` arm), for signers outside the API call path (COS
// requests): so a provider is asked at most once at a time whoever needs it.
impl Credentials {
    /// The credential to sign with at `now`, or the provider call to make or join first.
    /// `clock`: the learned offset — `expiredTime` is the server's time, so expiry is judged on
    /// the corrected clock the signature uses, not on the local one.
    pub fn usable(&mut self, now: Now, clock: ClockSkew, timeout_ms: f64) -> Result<Rc<Credential>, CredentialNeed> {
        let p = match self {
            Credentials::Fixed(c) => return Ok(c.clone()),
            Credentials::Provider(p) => p,
        };
        if let Some((c, expires)) = &p.cached {
            if !needs_refresh(*expires, clock.timestamp(now.wall_secs())) {
                return Ok(c.clone());
            }
        }
        match p.in_flight {
            Some(id) => Err(CredentialNeed::Join { id, timeout_ms }),
            None => {
                p.calls = p.calls.wrapping_add(1);
                let id = p.calls;
                p.in_flight = Some(id);
                Err(CredentialNeed::Call { id, timeout_ms })
            }
        }
    }

    /// Provider call `id` answered: caches a credential (and retires the shared call).
    pub fn provided(
        &mut self,
        id: u32,
        answer: Result<(Credential, Option<u64>), Error>,
    ) -> Result<Rc<Credential>, Error> {
        let Credentials::Provider(p) = self else {
            return Err(Error::new(ErrorKind::CredentialProvider, "internal: no provider"));
        };
        if p.in_flight == Some(id) {
            p.in_flight = None;
        }
        let (credential, expires) = answer?;
        let credential = Rc::new(credential);
        p.cached = Some((credential.clone(), expires));
        Ok(credential)
    }

    /// Provider call `id` was given up by the call that started it (its caller aborted, its
    /// bound passed: the driver aborted it through the provider's `signal`), or its answer was
    /// already delivered and dropped: whoever waited on it asks again.
    pub fn forget(&mut self, id: u32) {
        if let Credentials::Provider(p) = self {
            if p.in_flight == Some(id) {
                p.in_flight = None;
            }
        }
    }

    /// The wait for provider call `id` reached its bound: the stuck call is dropped (the next
    /// signer asks again). Returns the error the waiter ends with.
    pub fn provider_timed_out(&mut self, id: u32, timeout_secs: u32) -> Error {
        if let Credentials::Provider(p) = self {
            if p.in_flight == Some(id) {
                p.in_flight = None;
            }
        }
        let mut message = String::from("the credential provider did not answer within ");
        crate::text::push_u64(&mut message, timeout_secs.into());
        message.push_str(" s");
        Error::new(ErrorKind::CredentialProvider, message)
    }
}

/// A client's state shared by all its calls.
pub struct Client {
    /// Endpoint, region, language, timeout, signing choices.
    pub config: ClientConfig,
    /// Retry settings.
    pub retry: RetryPolicy,
    /// The rate limiter every attempt passes.
    pub limiter: Limiter,
    /// The learned clock offset.
    pub clock: ClockSkew,
    /// Derived signing keys.
    pub keys: SigningKeyCache,
    /// Fixed credential or provider cache.
    pub credentials: Credentials,
    /// When the primary endpoint is skipped for the backup (`httpProfile.backupEndpoint`).
    pub failover: super::failover::Breaker,
}

/// What a successful call finishes with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `{ TaskId, CosPaths, RequestId }` as JSON.
    ExportImages,
    /// The whole response body (the caller takes its `Response`).
    Raw,
}

/// What the driver reports.
pub enum Event<'a> {
    /// The call begins.
    Start,
    /// The provider call `id` answered: a credential and its expiry (Unix seconds), or why not.
    Provided(u32, Result<(Credential, Option<u64>), Error>),
    /// The wait for provider call `id` reached its bound (the client's `reqTimeout`).
    ProviderTimeout(u32),
    /// Provider call `id`, which this call joined, was given up by the call that started it
    /// (or its answer is gone): ask again.
    ProviderGone(u32),
    /// A [`Action::WaitForSlot`] was cut short: a slot was given back, so this call may move up.
    Wake,
    /// The shared limiter granted a slot: send now.
    Acquired,
    /// The shared limiter's `acquire` rejected (its message), or did not settle within its
    /// bound (`None`).
    AcquireFailed(Option<&'a str>),
    /// A [`Action::Wait`] elapsed.
    Elapsed,
    /// The server answered: HTTP status, `Date` header, the whole body.
    Response {
        /// HTTP status.
        status: u16,
        /// The `Date` header, if any.
        date: Option<&'a str>,
        /// The body text.
        body: &'a str,
    },
    /// No answer: `fetch` rejected (`timed_out` false) or `reqTimeout` passed first.
    Failed {
        /// True when the attempt's `reqTimeout` fired.
        timed_out: bool,
        /// `error.cause.code` (Node: `ECONNREFUSED`, …), or empty.
        code: &'a str,
        /// The rejection's message.
        message: &'a str,
    },
    /// The call's AbortSignal fired.
    Aborted,
}

/// What the driver must do next.
pub enum Action {
    /// Call the credential provider (provider call `id`, shared by every call that joins it)
    /// and report its answer — or [`Event::ProviderTimeout`] after `timeout_ms`.
    CallProvider {
        /// The provider call's number.
        id: u32,
        /// Bound of the wait.
        timeout_ms: f64,
    },
    /// Wait for the provider call `id` already in flight (started by another call).
    JoinProvider {
        /// The provider call's number.
        id: u32,
        /// Bound of the wait.
        timeout_ms: f64,
    },
    /// Wait this many (monotonic) milliseconds, then report [`Event::Elapsed`]: a backoff.
    Wait(f64),
    /// Wait this many milliseconds for the client's own rate limiter, then report
    /// [`Event::Elapsed`] — or [`Event::Wake`] earlier, when another call of the client gave its
    /// slot back (the driver wakes every such wait when a call ends while in one).
    WaitForSlot(f64),
    /// Await the shared limiter's `acquire(action, { signal })` — at most `timeout_ms` — and
    /// report [`Event::Acquired`] or [`Event::AcquireFailed`]. Nothing is sent before it.
    Acquire {
        /// Bound of the wait (`reqTimeout`).
        timeout_ms: f64,
    },
    /// POST `body` with these headers to the client's endpoint (`backup`: its backup
    /// endpoint); abort it after `timeout_ms`.
    Send {
        /// The signed headers (the request's body is [`Call::body`]).
        signed: SignedRequest,
        /// `reqTimeout`.
        timeout_ms: f64,
        /// Send to `httpProfile.backupEndpoint` instead of the endpoint.
        backup: bool,
    },
    /// The call is over: the result JSON, or the error.
    Finish(Result<String, Error>),
    /// Nothing: the call already finished (an event after the end is ignored).
    Idle,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for provider call `id`.
    Credentials(u32),
    /// Waiting for the reserved rate-limit slot (`gate` false) or for the gate to open.
    Limiter,
    /// Waiting for the shared limiter's `acquire`.
    Acquiring,
    /// The request is with `fetch`: it may reach the server.
    InFlight,
    /// Waiting out a backoff before the next attempt.
    Backoff,
    Done,
}

/// One call's state.
pub struct Call {
    action: String,
    body: String,
    /// Read-only action or dry run: may be resent after an unknown outcome.
    idempotent: bool,
    shape: Shape,
    retries: u32,
    skew_corrected: bool,
    phase: Phase,
    credential: Option<Rc<Credential>>,
    signed_with: ClockSkew,
    /// The client limiter's reservation this call waits for (given back if it never sends).
    slot: Option<f64>,
    /// `X-TC-TraceId`, sent with every attempt (empty: none).
    trace_id: String,
    /// Attempts sent so far.
    attempts: u32,
    /// Backoff waited so far (ms).
    retry_delay_ms: u64,
    /// Monotonic time the attempt in flight was sent, or the shared limiter was asked.
    since_ms: f64,
    /// What the call did since the driver last took it (`Some` only when observed).
    notes: Option<Vec<Note>>,
    /// The attempt in flight went to the backup endpoint.
    at_backup: bool,
    /// The next attempt goes to the backup: the primary could not be reached.
    fail_over: bool,
    /// The endpoint that received an attempt (`Some(true)`: the backup): every later attempt
    /// goes there, so nothing that may have executed is ever sent to another endpoint.
    pinned: Option<bool>,
}

impl Call {
    /// An `ExportImages` call from its parameters' JSON (`None`: they have no JSON form),
    /// validated first: a mistake is the error the server would return, and nothing is sent.
    pub fn export_images(config: &ClientConfig, json: Option<&str>) -> Result<Self, Error> {
        let json = json.ok_or_else(|| not_json("ExportImages parameters"))?;
        let (request, body) = super::config::prepare_export_images(config, json)?;
        // A dry run creates nothing, so it may be retried like a read-only action.
        Ok(Call::new(
            "ExportImages",
            body,
            request.is_dry_run(),
            Shape::ExportImages,
        ))
    }

    /// A `request(action, payload)` call with the payload's JSON (`None`: it has no JSON form).
    /// Only read-only actions are retried after a failure whose outcome is unknown.
    pub fn request(action: &str, payload: Option<&str>) -> Result<Self, Error> {
        super::config::check_action(action)?;
        let payload = payload.ok_or_else(|| not_json("payload"))?;
        if !crate::text::starts_with_any(payload, b"{") {
            return Err(Error::validation("InvalidParameter", "", "payload must be an object"));
        }
        Ok(Call::new(
            action,
            payload.to_owned(),
            super::retry::is_read_only(action),
            Shape::Raw,
        ))
    }

    /// A call of `action` with this exact body. `idempotent`: read-only or dry run.
    pub fn new(action: &str, body: String, idempotent: bool, shape: Shape) -> Self {
        Call {
            action: action.to_owned(),
            body,
            idempotent,
            shape,
            retries: 0,
            skew_corrected: false,
            phase: Phase::Backoff,
            credential: None,
            signed_with: ClockSkew::default(),
            slot: None,
            trace_id: String::new(),
            attempts: 0,
            retry_delay_ms: 0,
            since_ms: 0.0,
            notes: None,
            at_backup: false,
            fail_over: false,
            pinned: None,
        }
    }

    /// Sends `trace_id` as `X-TC-TraceId` with every attempt (unsigned, as the official SDKs
    /// send it, so the signature is the same with or without it).
    pub fn with_trace_id(mut self, trace_id: &str) -> Self {
        trace_id.clone_into(&mut self.trace_id);
        self
    }

    /// Records [`Note`]s for the client's `onEvent` (see [`Call::take_notes`]).
    pub fn observed(mut self) -> Self {
        self.notes = Some(Vec::new());
        self
    }

    /// The notes recorded since the last take (empty when not observed).
    pub fn take_notes(&mut self) -> Vec<Note> {
        self.notes.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Attempts sent so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Backoff waited before retries so far, in milliseconds.
    pub fn retry_delay_ms(&self) -> u64 {
        self.retry_delay_ms
    }

    fn note(&mut self, make: impl FnOnce(&str) -> Note) {
        if let Some(notes) = &mut self.notes {
            notes.push(make(&self.action));
        }
    }

    /// Notes a change of the client's clock offset from `before`.
    fn note_skew(&mut self, client: &Client, before: ClockSkew) {
        if client.clock != before {
            let offset_secs = client.clock.offset_secs();
            self.note(|_| Note::Skew { offset_secs });
        }
    }

    /// The body every attempt sends.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// True once the call has finished.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// True while a request is with the transport (it may reach the server).
    pub fn in_flight(&self) -> bool {
        self.phase == Phase::InFlight
    }

    /// Retries done so far.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// Advances the call by one event. Every path ends in exactly one [`Action::Finish`];
    /// after it every event gets [`Action::Idle`].
    pub fn step(&mut self, client: &mut Client, event: Event<'_>, now: Now) -> Action {
        if self.phase == Phase::Done {
            return Action::Idle;
        }
        match (self.phase, event) {
            // Abort wins in every phase; in flight, the request may have reached the server.
            (phase, Event::Aborted) => {
                self.release_slot(client);
                let err = Error::new(ErrorKind::Aborted, "the call was aborted through its AbortSignal");
                self.finish(Err(if phase == Phase::InFlight {
                    err.executed_maybe()
                        .with_note("it was in flight, so the request may have been executed")
                } else {
                    err
                }))
            }
            (Phase::Backoff, Event::Start | Event::Elapsed) => self.attempt(client, now),
            (Phase::Credentials(id), Event::Provided(answer_id, answer)) if id == answer_id => {
                self.on_provided(client, id, answer, now)
            }
            (Phase::Credentials(id), Event::ProviderTimeout(t)) if id == t => {
                if let Credentials::Provider(p) = &mut client.credentials {
                    // The stuck call is dropped: the next call asks the provider again.
                    if p.in_flight == Some(id) {
                        p.in_flight = None;
                    }
                }
                let secs = client.config.req_timeout_secs;
                self.finish(Err(Error::new(
                    ErrorKind::CredentialProvider,
                    [
                        "the credential provider did not answer within ",
                        &crate::text::decimal(secs.into()),
                        " s",
                    ]
                    .cat(),
                )))
            }
            (Phase::Credentials(id), Event::ProviderGone(gone)) if id == gone => {
                client.credentials.forget(id);
                self.attempt(client, now)
            }
            (Phase::Limiter, Event::Elapsed) => {
                // The reserved time has come: the reservation now stands for this send.
                self.slot = None;
                self.gate(client, now)
            }
            (Phase::Limiter, Event::Wake) => {
                // A slot ahead was given back: reserve again (never later than before).
                self.release_slot(client);
                self.reserve(client, now)
            }
            (Phase::Acquiring, Event::Acquired) => {
                let wait_ms = now.mono_ms - self.since_ms;
                if wait_ms >= 1.0 {
                    self.note(|action| Note::Throttle {
                        action: action.to_owned(),
                        wait_ms,
                        shared: true,
                    });
                }
                self.send(client, now)
            }
            (Phase::Acquiring, Event::AcquireFailed(why)) => {
                let message = match why {
                    Some(why) => ["the rate limiter refused the request: ", why].cat(),
                    None => [
                        "the rate limiter did not grant a slot within ",
                        &crate::text::decimal(client.config.req_timeout_secs.into()),
                        " s (reqTimeout)",
                    ]
                    .cat(),
                };
                self.finish(Err(Error::new(ErrorKind::RateLimiter, message)))
            }
            (Phase::InFlight, Event::Response { status, date, body }) => {
                self.reached(client);
                self.on_response(client, status, date, body, now)
            }
            (
                Phase::InFlight,
                Event::Failed {
                    timed_out,
                    code,
                    message,
                },
            ) => {
                let err = transport_error(timed_out, code, message, client.config.req_timeout_secs);
                if timed_out {
                    // It may have reached that endpoint: never sent anywhere else. (Whether the
                    // primary connected is unknown: the breaker is left as it is.)
                    self.pinned = Some(self.at_backup);
                } else if err.may_have_executed() {
                    // A reset after connecting: the endpoint is reachable, and the request may
                    // have run there, so it is never sent anywhere else.
                    self.reached(client);
                } else if client.config.backup.is_some() && !self.at_backup && self.pinned.is_none() {
                    // The primary could not be reached, so nothing ran: the backup, at once.
                    client.failover.primary_unreachable(now.mono_ms);
                    self.fail_over = true;
                    self.note_retry(0, err.code());
                    self.phase = Phase::Backoff;
                    return self.attempt(client, now);
                }
                self.on_failure(client, err, None, now)
            }
            // An event that does not belong to this phase is a driver bug: end the call with
            // a typed error rather than guess (never reached by the JS driver).
            _ => self.finish(Err(Error::new(
                ErrorKind::InvalidResponse,
                "internal: an event arrived out of order",
            ))),
        }
    }

    /// The attempt in flight connected (an answer, or a failure that may have executed):
    /// the call stays with that endpoint, and a primary that connects closes the breaker.
    fn reached(&mut self, client: &mut Client) {
        self.pinned = Some(self.at_backup);
        if !self.at_backup {
            client.failover.primary_reached();
        }
    }

    /// Gives the client limiter's reservation back, if this call holds one it has not used.
    fn release_slot(&mut self, client: &mut Client) {
        if let (Some(at), Limiter::Window(limiter)) = (self.slot.take(), &mut client.limiter) {
            limiter.release(&self.action, at);
        }
    }

    fn finish(&mut self, result: Result<String, Error>) -> Action {
        self.phase = Phase::Done;
        self.credential = None;
        Action::Finish(result)
    }

    /// Starts an attempt: a credential first, then a rate-limit slot, then sign and send.
    fn attempt(&mut self, client: &mut Client, now: Now) -> Action {
        let p = match &mut client.credentials {
            Credentials::Fixed(c) => {
                self.credential = Some(c.clone());
                return self.reserve(client, now);
            }
            Credentials::Provider(p) => p,
        };
        // `expiredTime` is server time: judged on the corrected clock, as the signature is.
        let server_secs = client.clock.timestamp(now.wall_secs());
        if let Some((c, expires)) = &p.cached {
            if !needs_refresh(*expires, server_secs) {
                self.credential = Some(c.clone());
                return self.reserve(client, now);
            }
        }
        let timeout_ms = f64::from(client.config.req_timeout_secs) * 1000.0;
        match p.in_flight {
            Some(id) => {
                self.phase = Phase::Credentials(id);
                Action::JoinProvider { id, timeout_ms }
            }
            None => {
                p.calls = p.calls.wrapping_add(1);
                let id = p.calls;
                p.in_flight = Some(id);
                self.phase = Phase::Credentials(id);
                Action::CallProvider { id, timeout_ms }
            }
        }
    }

    fn on_provided(
        &mut self,
        client: &mut Client,
        id: u32,
        answer: Result<(Credential, Option<u64>), Error>,
        now: Now,
    ) -> Action {
        let Credentials::Provider(p) = &mut client.credentials else {
            return self.finish(Err(Error::new(ErrorKind::CredentialProvider, "internal: no provider")));
        };
        // The first waiter back retires the shared call; later ones find it gone.
        if p.in_flight == Some(id) {
            p.in_flight = None;
        }
        match answer {
            Ok((credential, expires)) => {
                self.note(|_| Note::Credentials { expired_time: expires });
                let credential = Rc::new(credential);
                p.cached = Some((credential.clone(), expires));
                self.credential = Some(credential);
                self.reserve(client, now)
            }
            Err(e) => self.finish(Err(e)),
        }
    }

    /// Takes a rate-limit reservation (in arrival order); waits for it if needed. With a
    /// shared limiter, asks it for a slot instead — before every attempt, retries included.
    fn reserve(&mut self, client: &mut Client, now: Now) -> Action {
        let limiter = match &mut client.limiter {
            Limiter::Off => return self.send(client, now),
            Limiter::Shared => {
                // Every attempt (retries and the skew re-sign too) asks the shared limiter.
                self.phase = Phase::Acquiring;
                self.since_ms = now.mono_ms;
                return Action::Acquire {
                    timeout_ms: f64::from(client.config.req_timeout_secs) * 1000.0,
                };
            }
            Limiter::Window(limiter) => limiter,
        };
        let at = limiter.reserve_at(&self.action, now.mono_ms);
        let delay = at - now.mono_ms;
        let timeout_ms = f64::from(client.config.req_timeout_secs) * 1000.0;
        if delay > timeout_ms {
            // It would fail at its bound anyway: refused now, and the slot is free at once.
            limiter.release(&self.action, at);
            let mut message = String::from("the client's rate limiter has no slot for ");
            message.push_str(&self.action);
            message.push_str(" within reqTimeout (");
            crate::text::push_u64(&mut message, client.config.req_timeout_secs.into());
            message.push_str(" s): the call would have to wait ");
            crate::text::push_u64(&mut message, delay.ceil() as u64);
            message.push_str(" ms");
            return self.finish(Err(Error::new(ErrorKind::RateLimiter, message)));
        }
        if delay > 0.0 {
            self.phase = Phase::Limiter;
            self.slot = Some(at);
            self.note(|action| Note::Throttle {
                action: action.to_owned(),
                wait_ms: delay,
                shared: false,
            });
            return Action::WaitForSlot(delay);
        }
        self.gate(client, now)
    }

    /// The gate on the actual send time: nothing happens between it and the send.
    fn gate(&mut self, client: &mut Client, now: Now) -> Action {
        if let Limiter::Window(limiter) = &mut client.limiter {
            if let Err(more) = limiter.try_send(&self.action, now.mono_ms) {
                self.phase = Phase::Limiter;
                self.note(|action| Note::Throttle {
                    action: action.to_owned(),
                    wait_ms: more,
                    shared: false,
                });
                return Action::WaitForSlot(more);
            }
        }
        self.send(client, now)
    }

    fn send(&mut self, client: &mut Client, now: Now) -> Action {
        let Some(credential) = self.credential.clone() else {
            return self.finish(Err(Error::new(ErrorKind::InvalidCredential, "internal: no credential")));
        };
        self.signed_with = client.clock;
        let timestamp = self.signed_with.timestamp(now.wall_secs());
        let backup = client.config.backup.is_some()
            && self
                .pinned
                .unwrap_or_else(|| self.fail_over || client.failover.skips_primary(now.mono_ms));
        self.at_backup = backup;
        self.fail_over = false;
        match client.config.sign_for(
            backup,
            &credential,
            &mut client.keys,
            &self.action,
            &self.body,
            timestamp,
        ) {
            Ok(mut signed) => {
                self.phase = Phase::InFlight;
                self.attempts += 1;
                self.since_ms = now.mono_ms;
                if !self.trace_id.is_empty() {
                    // After signing: not a signed header (as in the official SDKs).
                    signed.headers.push(("X-TC-TraceId", self.trace_id.clone()));
                }
                let attempt = self.attempts;
                self.note(|action| Note::Request {
                    action: action.to_owned(),
                    attempt,
                    host: match (&client.config.backup, backup) {
                        (Some(b), true) => b.hostname.clone(),
                        _ => client.config.endpoint.hostname.clone(),
                    },
                });
                Action::Send {
                    signed,
                    timeout_ms: f64::from(client.config.req_timeout_secs) * 1000.0,
                    backup,
                }
            }
            Err(e) => self.finish(Err(e)),
        }
    }

    fn on_response(&mut self, client: &mut Client, status: u16, date: Option<&str>, body: &str, now: Now) -> Action {
        let (attempt, duration_ms) = (self.attempts, now.mono_ms - self.since_ms);
        let note = |request_id: Option<&str>, error_code: Option<&str>| {
            let (request_id, error_code) = (request_id.map(str::to_owned), error_code.map(str::to_owned));
            move |action: &str| Note::Response {
                action: action.to_owned(),
                attempt,
                status,
                duration_ms,
                request_id,
                error_code,
            }
        };
        // A redirect is refused, not followed and not retried (see super::redirect).
        if let Some(e) = super::redirect::refused(status, &self.action) {
            self.note(note(None, Some(e.code())));
            return self.finish(Err(e));
        }
        match parse_envelope(status, body) {
            Ok(response) => {
                let request_id = response.get("RequestId").and_then(|v| v.as_str());
                self.note(note(request_id, None));
                // Only a success corrects the clock here: a SignatureExpire answer is handled
                // in on_failure, where it also earns the one re-signed retry.
                let before = client.clock;
                client.clock.on_response(date, now.wall_secs());
                self.note_skew(client, before);
                let result = match self.shape {
                    Shape::ExportImages => ExportImagesResponse::from_response(&response).map(|r| r.to_json()),
                    Shape::Raw => Ok(body.to_owned()),
                };
                self.finish(result)
            }
            Err(e) => {
                self.note(note(e.request_id(), Some(e.code())));
                self.on_failure(client, e, date, now)
            }
        }
    }

    fn on_failure(&mut self, client: &mut Client, err: Error, date: Option<&str>, now: Now) -> Action {
        let err = match &self.credential {
            Some(c) => err.redact(&[c.token().unwrap_or(""), c.secret_key()]),
            None => err,
        };
        // The server refused the timestamp, so nothing ran: adopt its clock, re-sign, once.
        // Retry when the offset now differs from the one this attempt signed with — also when
        // a concurrent call of this client corrected it first.
        if err.code() == "AuthFailure.SignatureExpire" && !self.skew_corrected {
            let before = client.clock;
            client.clock.on_signature_expired(date, now.wall_secs());
            self.note_skew(client, before);
            if client.clock != self.signed_with {
                self.skew_corrected = true;
                self.note_retry(0, err.code());
                return self.attempt(client, now);
            }
        }
        match decide(&client.retry, self.retries, &err, self.idempotent, now.random) {
            Decision::RetryAfter(ms) => {
                self.retries += 1;
                self.retry_delay_ms += u64::from(ms);
                self.note_retry(ms, err.code());
                self.phase = Phase::Backoff;
                if ms == 0 {
                    return self.attempt(client, now);
                }
                Action::Wait(f64::from(ms))
            }
            Decision::GiveUp => {
                let err = explain_give_up(err, self.retries, self.idempotent, &self.action);
                self.finish(Err(err))
            }
        }
    }
}

impl Call {
    fn note_retry(&mut self, delay_ms: u32, reason: &str) {
        let attempt = self.attempts + 1;
        self.note(|action| Note::Retry {
            action: action.to_owned(),
            attempt,
            delay_ms,
            reason: reason.to_owned(),
        });
    }
}

/// What a transport failure means: a timeout or a network error that may or may not have
/// reached the server.
fn transport_error(timed_out: bool, code: &str, message: &str, timeout_secs: u32) -> Error {
    if timed_out {
        return Error::new(
            ErrorKind::Timeout,
            [
                "no complete answer within reqTimeout (",
                &crate::text::decimal(timeout_secs.into()),
                " s); the request may have been executed",
            ]
            .cat(),
        )
        .executed_maybe();
    }
    let err = fetch_failed(code, message);
    if never_connected(code) {
        err.with_note("no connection was made, so nothing was executed")
    } else {
        err.executed_maybe().with_note("the request may have been executed")
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
            .cat(),
        )
    } else {
        err
    };
    match retries {
        0 => err,
        n => err.with_note(&["gave up after ", &crate::text::decimal(n.into()), " retries"].cat()),
    }
}

/// `InvalidParameter`: what JS passed has no JSON form (a cycle, a BigInt).
fn not_json(what: &str) -> Error {
    Error::validation(
        "InvalidParameter",
        "",
        [what, " must be a JSON-serializable object"].cat(),
    )
}
