//! One `waitForExport` / `checkExportFiles` as the driver sees it: the [`Waiter`]'s decisions
//! plus everything around them that is not I/O — the credential (the client's cache and its one
//! shared provider call), signing each poll, the clock correction a skewed poll asks for, what a
//! failed `fetch` means, the progress reports and the result with their presigned links, and
//! redaction. Sans-IO like [`crate::client::call`], with the same vocabulary: the driver feeds
//! an [`Event`] with the time, and performs the [`Action`] it gets back. The boundary
//! (src/wasm/wait_export.rs) only reads options, moves bytes and calls JS.

use std::rc::Rc;

use super::call::{Client, CredentialNeed, Now};
use super::cos_reply::{CosReply, PollMethod};
use super::export_json;
use super::transport::{fetch_failed, never_connected};
use super::wait_export::{self as wait, check_task, FileState, Mode, Poll, WaitOptions, WaitSettings, Waiter};
use crate::cos::signer::sign_request_for;
use crate::cos::{presign, CosEndpoint, CosMethod, CosRequest, KeyTime, MAX_EXPIRES_SECS};
use crate::error::{Error, ErrorKind};
use crate::tc3::Credential;
use crate::text::decimal;
use crate::text::Cat;

/// How long the signature of one poll is valid (the official COS SDK's default).
pub const POLL_SIGNATURE_SECS: u64 = 900;
/// Default lifetime of a download link (`urlExpires`).
pub const DEFAULT_URL_EXPIRES_SECS: u64 = 3600;
/// Default bound of a `checkExportFiles` call.
pub const DEFAULT_CHECK_TIMEOUT_SECS: f64 = 60.0;

/// What the caller asked for, as read from JS (unchecked).
#[derive(Clone, Debug, Default)]
pub struct WaitRequest {
    /// The task's `BucketName`.
    pub bucket: Option<String>,
    /// The task's `CosPaths`.
    pub keys: Vec<String>,
    /// `timeout`, `interval`, `maxInterval`, `notBefore`.
    pub options: WaitOptions,
    /// `urlExpires`.
    pub url_expires_secs: Option<f64>,
    /// `probe`.
    pub probe: Option<String>,
    /// `onProgress` was given.
    pub wants_progress: bool,
}

/// What happened, reported by the driver.
#[derive(Debug)]
pub enum Event<'a> {
    /// The wait begins.
    Start,
    /// COS answered the request in flight.
    Response(CosReply<'a>),
    /// The request in flight got no answer: its own bound passed (`timed_out`), or `fetch`
    /// rejected (`code`: Node's `error.cause.code`, or "").
    Failed {
        /// The request's bound passed.
        timed_out: bool,
        /// `error.cause.code`.
        code: &'a str,
        /// The error's message.
        message: &'a str,
    },
    /// The sleep ended.
    Elapsed,
    /// The progress report was delivered: go on.
    Continue,
    /// Provider call `id` answered (the credential and its `expiredTime`, or what it threw).
    Provided(u32, Result<(Credential, Option<u64>), Error>),
    /// Provider call `id` did not answer within the action's bound.
    ProviderTimeout(u32),
    /// Provider call `id`, which this wait joined, was given up by its starter: ask again.
    ProviderGone(u32),
    /// The caller's AbortSignal fired.
    Aborted,
}

/// What the driver does next. Exactly one per step.
#[derive(Debug, PartialEq)]
pub enum Action {
    /// Send this COS request (bounded by `timeout_ms`), then report [`Event::Response`] or
    /// [`Event::Failed`]. The headers hold the session token of temporary credentials.
    Send {
        /// `HEAD` or `GET`.
        method: CosMethod,
        /// Where to send it.
        url: String,
        /// Signed headers (`Authorization`, `x-cos-security-token`, `Range`…).
        headers: Vec<(String, String)>,
        /// The request's bound, ms (at least 1).
        timeout_ms: f64,
    },
    /// Sleep this long (monotonic), then report [`Event::Elapsed`].
    Wait(f64),
    /// Hand `onProgress` this JSON (it holds links: wipe after reading), then report
    /// [`Event::Continue`].
    Progress(String),
    /// Call the credential provider (provider call `id`), bounded by `timeout_ms`; report
    /// [`Event::Provided`] or [`Event::ProviderTimeout`].
    CallProvider {
        /// The provider call's number.
        id: u32,
        /// Its bound.
        timeout_ms: f64,
    },
    /// Await provider call `id`, started by another call or wait; report [`Event::Provided`],
    /// [`Event::ProviderTimeout`] or [`Event::ProviderGone`].
    JoinProvider {
        /// The provider call's number.
        id: u32,
        /// Its bound.
        timeout_ms: f64,
    },
    /// Settle: the result's JSON (it holds links: wipe after reading), or the error (redacted).
    Finish(Result<String, Error>),
    /// Nothing: the wait has already finished.
    Idle,
}

/// One wait's state between steps.
#[derive(Debug)]
pub struct WaitJob {
    waiter: Waiter,
    bucket: String,
    region: String,
    url_expires: u64,
    wants_progress: bool,
    mode: Mode,
    /// The last credential used: signs the polls, and the links of reports and the result.
    credential: Option<Rc<Credential>>,
    /// What the waiter asked for, held while a progress report or the provider is out.
    pending: Option<wait::Action>,
    /// The provider call this wait waits for.
    provider: Option<u32>,
    /// The bound of the request in flight (for a timeout's message).
    timeout_ms: f64,
    done: bool,
}

impl WaitJob {
    /// Checks the task and the options against the client (`Client.InvalidOption`, or
    /// `MissingParameter` without a region: nothing is sent).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn new(client: &Client, request: WaitRequest, mode: Mode) -> Result<Self, Error> {
        check_task(request.bucket.as_deref(), &request.keys)?;
        let config = &client.config;
        let region = config.region.clone().ok_or_else(|| {
            Error::validation(
                "MissingParameter",
                "Region",
                "the client has no region: the export's bucket is in the client's region",
            )
        })?;
        let mut options = request.options;
        if mode == Mode::Once && options.timeout_secs.is_none() {
            options.timeout_secs = Some(DEFAULT_CHECK_TIMEOUT_SECS);
        }
        let mut settings = WaitSettings::new(&options, config.req_timeout_secs, mode)?;
        settings.probe = wait::parse_probe(request.probe.as_deref())?;
        let url_expires = match request.url_expires_secs {
            None => DEFAULT_URL_EXPIRES_SECS,
            Some(v) if v.fract() == 0.0 && (1.0..=MAX_EXPIRES_SECS as f64).contains(&v) => v as u64,
            Some(_) => {
                return Err(Error::new(
                    ErrorKind::InvalidOption,
                    [
                        "options.urlExpires must be whole seconds from 1 to ",
                        &decimal(MAX_EXPIRES_SECS),
                    ]
                    .cat(),
                )
                .with_field("urlExpires"))
            }
        };
        let waiter = Waiter::new(settings, &request.keys);
        Ok(WaitJob {
            // No cosEndpoint: the real host, which may be swapped for tencentcos.cn.
            waiter: if config.cos_endpoint.is_real() {
                waiter.with_host_switch()
            } else {
                waiter
            },
            bucket: request.bucket.unwrap_or_default(),
            region,
            url_expires,
            wants_progress: request.wants_progress && mode == Mode::UntilReady,
            mode,
            credential: None,
            pending: None,
            provider: None,
            timeout_ms: 0.0,
            done: false,
        })
    }

    /// True once the wait has settled ([`Action::Finish`] was returned).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The last poll's report, once (for `onEvent`).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn take_report(&mut self) -> Option<wait::PollReport> {
        self.waiter.take_report()
    }

    /// Advances on `event`, which happened at `now`.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn step(&mut self, client: &mut Client, event: Event<'_>, now: Now) -> Action {
        if self.done {
            return Action::Idle;
        }
        let (ms, random) = (now.mono_ms, now.random);
        let outcome = match event {
            // Abort wins in every phase, also while a progress report or the provider is out.
            Event::Aborted => return self.end(client, Err(wait::aborted()), now),
            Event::Continue if self.provider.is_none() => return self.resume(client, now),
            Event::Provided(id, answer) if self.provider == Some(id) => {
                self.provider = None;
                return match client.credentials.provided(id, answer) {
                    Ok(c) => {
                        self.credential = Some(c);
                        self.resume(client, now)
                    }
                    Err(e) => self.end(client, Err(e), now),
                };
            }
            Event::ProviderTimeout(id) if self.provider == Some(id) => {
                let e = client
                    .credentials
                    .provider_timed_out(id, client.config.req_timeout_secs);
                return self.end(client, Err(e), now);
            }
            Event::ProviderGone(id) if self.provider == Some(id) => {
                // The provider call this wait joined was given up by its starter: ask anew.
                client.credentials.forget(id);
                self.provider = None;
                return self.resume(client, now);
            }
            Event::Start if self.pending.is_none() && self.provider.is_none() => {
                self.waiter.step(ms, random, wait::Event::Start)
            }
            Event::Elapsed if self.pending.is_none() && self.provider.is_none() => {
                self.waiter.step(ms, random, wait::Event::Elapsed)
            }
            Event::Response(reply) if self.pending.is_none() && self.provider.is_none() => {
                self.waiter.step(ms, random, wait::Event::Response(reply))
            }
            Event::Failed {
                timed_out,
                code,
                message,
            } if self.pending.is_none() && self.provider.is_none() => {
                let event = if timed_out {
                    wait::Event::Failed(Error::new(
                        ErrorKind::Timeout,
                        ["no answer within ", &decimal(self.timeout_ms.round() as u64), " ms"].cat(),
                    ))
                } else if never_connected(code) {
                    wait::Event::Unreachable(fetch_failed(code, message))
                } else {
                    wait::Event::Failed(fetch_failed(code, message))
                };
                self.waiter.step(ms, random, event)
            }
            // An event this phase does not expect (a provider answer for another provider
            // call, a response while sleeping): a driver bug, settled as one, never as success.
            _ => return self.end(client, Err(unexpected()), now),
        };
        match outcome.progress {
            Some(progress) if self.wants_progress => match self.links(client, &progress.files, now) {
                Ok(urls) => {
                    let mut text = json_buffer(&progress.files, &urls);
                    export_json::progress(&progress, &urls, &mut text);
                    wipe_links(urls);
                    self.pending = Some(outcome.action);
                    Action::Progress(text)
                }
                Err(e) => self.end(client, Err(e), now),
            },
            _ => self.perform(client, outcome.action, now),
        }
    }

    /// Performs what was held back (by a progress report or the provider).
    #[cfg_attr(tc3_size, optimize(size))]
    fn resume(&mut self, client: &mut Client, now: Now) -> Action {
        match self.pending.take() {
            Some(action) => self.perform(client, action, now),
            None => self.end(client, Err(unexpected()), now),
        }
    }

    /// Turns the waiter's `action` into the driver's: a request or the result needs a
    /// credential first (the provider's answer resumes here).
    #[cfg_attr(tc3_size, optimize(size))]
    fn perform(&mut self, client: &mut Client, action: wait::Action, now: Now) -> Action {
        // COS said the signature's time is off, and what its clock reads: learn the offset
        // (shared with API calls and presigned links), then re-sign the poll like any other.
        let action = match action {
            wait::Action::Resign { poll, server_secs } => {
                client.clock.adopt(server_secs, now.wall_secs());
                wait::Action::Send(poll)
            }
            action => action,
        };
        if matches!(action, wait::Action::Send(_) | wait::Action::Finish(Ok(_))) {
            let timeout_ms = f64::from(client.config.req_timeout_secs) * 1000.0;
            match client.credentials.usable(now, client.clock, timeout_ms) {
                Ok(c) => self.credential = Some(c),
                Err(need) => {
                    self.pending = Some(action);
                    return match need {
                        CredentialNeed::Call { id, timeout_ms } => {
                            self.provider = Some(id);
                            Action::CallProvider { id, timeout_ms }
                        }
                        CredentialNeed::Join { id, timeout_ms } => {
                            self.provider = Some(id);
                            Action::JoinProvider { id, timeout_ms }
                        }
                    };
                }
            }
        }
        match action {
            wait::Action::Wait(ms) => Action::Wait(ms),
            wait::Action::Send(poll) => {
                self.timeout_ms = poll.timeout_ms;
                match self.signed_poll(client, poll, now) {
                    Ok(send) => send,
                    Err(e) => self.end(client, Err(e), now),
                }
            }
            wait::Action::Finish(result) => self.end(client, result, now),
            wait::Action::Idle | wait::Action::Resign { .. } => self.end(client, Err(unexpected()), now),
        }
    }

    /// Settles: the result's JSON (the files, with links signed now) or the error, redacted
    /// (the one place errors leave the wait: a fetch message may echo the request).
    #[cfg_attr(tc3_size, optimize(size))]
    fn end(&mut self, client: &Client, result: Result<Vec<FileState>, Error>, now: Now) -> Action {
        self.done = true;
        self.pending = None;
        let result = result.and_then(|files| {
            let urls = self.links(client, &files, now)?;
            let mut text = json_buffer(&files, &urls);
            match self.mode {
                Mode::UntilReady => export_json::ready_files(&files, &urls, &mut text),
                Mode::Once => export_json::file_states(&files, &urls, &mut text),
            }
            wipe_links(urls);
            Ok(text)
        });
        Action::Finish(result.map_err(|e| match &self.credential {
            Some(c) => e.redact(&[c.token().unwrap_or(""), c.secret_key()]),
            None => e,
        }))
    }

    /// `poll` as a request: method, URL and signed headers (sent to `profile.cosEndpoint` or the
    /// alternate host, signed for the real one).
    #[cfg_attr(tc3_size, optimize(size))]
    fn signed_poll(&self, client: &Client, poll: Poll, now: Now) -> Result<Action, Error> {
        let credential = self
            .credential
            .as_deref()
            .ok_or_else(|| Error::new(ErrorKind::InvalidCredential, "internal: no credential"))?;
        let key = &self.waiter.files()[poll.index].key;
        let prefix = [("prefix", wait::object_key(key)), ("max-keys", "1")];
        type Pairs<'a> = &'a [(&'a str, &'a str)];
        let (method, headers, key, query): (CosMethod, Pairs<'_>, &str, Pairs<'_>) = match poll.method {
            PollMethod::Head => (CosMethod::Head, &[], key, &[]),
            // One byte: COS's answer to a GET carries the error document a HEAD's lacks, and a
            // ready file's body is not downloaded.
            PollMethod::Get => (CosMethod::Get, &[("Range", "bytes=0-0")], key, &[]),
            // GET Bucket, `/?prefix=<key>&max-keys=1`: the bucket root, no object key.
            PollMethod::List => (CosMethod::Get, &[], "", &prefix),
        };
        let request = CosRequest {
            method,
            bucket: &self.bucket,
            region: &self.region,
            key,
            query,
            headers,
        };
        let mut signed = sign_request_for(
            credential,
            &request,
            self.key_time(client, now, POLL_SIGNATURE_SECS)?,
            poll.alternate,
        )?;
        let url = if poll.alternate {
            CosEndpoint::alternate().object_url(&request)?
        } else {
            client.config.cos_endpoint.object_url(&request)?
        };
        Ok(Action::Send {
            method,
            url,
            headers: core::mem::take(&mut signed.headers),
            timeout_ms: poll.timeout_ms.max(1.0),
        })
    }

    /// A signature's validity from now (on the corrected clock) for `secs`. It starts a second
    /// early: COS refuses a start in its future, and `Date` has whole seconds.
    #[cfg_attr(tc3_size, optimize(size))]
    fn key_time(&self, client: &Client, now: Now, secs: u64) -> Result<KeyTime, Error> {
        client.clock.cos_key_time(now.wall_secs(), secs)
    }

    /// A presigned GET for each ready file (`None` for a pending one, and for all without a
    /// credential yet: a progress report before the first poll). A link that cannot be signed
    /// is the wait's error (the result's `url` is required).
    #[cfg_attr(tc3_size, optimize(size))]
    fn links(&self, client: &Client, files: &[FileState], now: Now) -> Result<Vec<Option<String>>, Error> {
        let Some(credential) = self.credential.as_deref() else {
            return Ok(vec![None; files.len()]);
        };
        let time = self.key_time(client, now, self.url_expires)?;
        let alternate = CosEndpoint::alternate();
        // After a host switch the links point at the host that could be reached.
        let endpoint = if self.waiter.switched() {
            &alternate
        } else {
            &client.config.cos_endpoint
        };
        let mut urls = Vec::with_capacity(files.len());
        for f in files {
            let url = match f.ready {
                None => None,
                Some(_) => {
                    let request = CosRequest {
                        method: CosMethod::Get,
                        bucket: &self.bucket,
                        region: &self.region,
                        key: &f.key,
                        query: &[],
                        headers: &[],
                    };
                    match presign(credential, &request, time, endpoint) {
                        Ok(p) => Some(p.url.clone()),
                        Err(e) => {
                            wipe_links(urls);
                            return Err(e);
                        }
                    }
                }
            };
            urls.push(url);
        }
        Ok(urls)
    }
}

/// `Client.InvalidResponse` for an event the wait cannot take where it is (a driver bug).
#[cfg_attr(tc3_size, optimize(size))]
fn unexpected() -> Error {
    Error::new(
        ErrorKind::InvalidResponse,
        "internal error: the export waiter got an event it did not expect",
    )
}

/// Room for a report's JSON with these links, so that writing it does not reallocate (a
/// reallocation would free a copy of the links unwiped).
/// (A key counted six times: a `\uXXXX` escape; a link twice: it is ASCII.)
#[cfg_attr(tc3_size, optimize(size))]
fn json_buffer(files: &[FileState], urls: &[Option<String>]) -> String {
    let info = |f: &FileState| {
        f.ready
            .as_ref()
            .map_or(0, |i| 6 * i.etag.as_ref().map_or(0, String::len))
    };
    let texts: usize = files.iter().map(|f| 6 * f.key.len() + info(f) + 256).sum::<usize>()
        + urls.iter().flatten().map(|u| 2 * u.len()).sum::<usize>();
    String::with_capacity(256 + texts)
}

/// The links hold the session token of temporary credentials.
#[cfg_attr(tc3_size, optimize(size))]
fn wipe_links(urls: Vec<Option<String>>) {
    for mut url in urls.into_iter().flatten() {
        crate::wipe::wipe_string(&mut url);
    }
}
