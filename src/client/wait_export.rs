//! Waiting for an export's files: the decisions of `waitForExport` (and of the one-round
//! `checkExportFiles`) as a sans-IO state machine.
//!
//! No public CVM API reports an export task's progress. What changes is COS: each file in
//! `CosPaths` appears in the bucket once it is complete (COS writes an object whole), so the
//! waiter polls each pending file with a signed HEAD until all exist. The driver
//! (`src/wasm/wait_export.rs`) performs what [`Waiter::step`] asks — a request, a sleep, a
//! progress callback, the result — and feeds back what happened as an [`Event`], with the
//! MONOTONIC time in ms and a uniform random draw; nothing here reads a clock.
//!
//! - Rounds: a round asks about each pending file in `CosPaths` order. The first round starts
//!   at once (an export that already finished is seen immediately).
//! - Between rounds, exponential backoff with jitter, capped: after round `n` (from 0) the wait
//!   is uniform in `[interval, min(maxInterval, interval·2ⁿ)]` — AWS SDK waiters' scheme. The
//!   floor is `interval`, not 0 (textbook full jitter): a poll delay near zero buys nothing
//!   but load. Default interval 5 s, cap 120 s.
//! - Errors: [`crate::client::cos_reply::judge`] says what an answer means. Network failures,
//!   5xx and 429 are retried by the next round (HEAD is idempotent) and remembered for the
//!   timeout message; a definite COS error (NoSuchBucket, AccessDenied,
//!   SignatureDoesNotMatch, …) ends the wait at once.
//! - Bounds: no sleep and no request timeout reaches past the deadline (`timeout` after
//!   start); an event at or after it ends the wait with `Client.WaitTimeout` naming the
//!   missing files — unless its answer completed the last file (a file seen counts). Abort
//!   always wins. The machine finishes exactly once and ignores every event after that.
//! - Progress: one event at the start, then exactly one each time a file becomes ready, so
//!   `ready` never decreases.

use super::cos_reply::{judge, FileInfo, PollMethod, Verdict};
use crate::error::{Error, ErrorKind};
use crate::text::decimal;

/// Default `timeout`: 6 hours (a large image takes hours to export).
pub const DEFAULT_TIMEOUT_SECS: f64 = 6.0 * 3600.0;
/// Longest `timeout` accepted: 7 days.
pub const MAX_TIMEOUT_SECS: f64 = 7.0 * 86_400.0;
/// Default `interval`: the first wait between rounds.
pub const DEFAULT_INTERVAL_SECS: f64 = 5.0;
/// Default `maxInterval`: the backoff cap.
pub const DEFAULT_MAX_INTERVAL_SECS: f64 = 120.0;
/// Shortest `interval` accepted (tests and demos use short ones).
pub const MIN_INTERVAL_SECS: f64 = 0.01;
/// Longest `interval` / `maxInterval` accepted.
pub const MAX_INTERVAL_SECS: f64 = 3600.0;
/// Longest COS object key, in bytes (defined once, by the COS signer's rules).
pub use crate::cos::MAX_KEY_BYTES;
use crate::text::Cat;
/// Most files one wait accepts (an export has at most 10 images with their data disks).
pub const MAX_FILES: usize = 1000;

/// Whether to wait for every file or look once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `waitForExport`: until every file exists (or timeout, abort, a definite error).
    UntilReady,
    /// `checkExportFiles`: one round, then the state of each file.
    Once,
}

/// The timing of one wait, checked. All in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WaitSettings {
    /// The wait's bound, from its start.
    pub timeout_ms: f64,
    /// The first wait between rounds, and the floor of every later one.
    pub interval_ms: f64,
    /// The backoff cap.
    pub max_interval_ms: f64,
    /// One request's bound (the client's `reqTimeout`), further clamped to the deadline.
    pub request_timeout_ms: f64,
    /// Until ready, or once.
    pub mode: Mode,
    /// `notBefore` (Unix seconds): a file last modified more than [`NOT_BEFORE_SLACK_SECS`]
    /// before it is an earlier export's and stays pending.
    pub not_before_secs: Option<u64>,
    /// How each pending file is asked about: [`PollMethod::Head`] (default) or
    /// [`PollMethod::List`] (`probe: "list"`).
    pub probe: PollMethod,
}

/// `probe`: `"head"` (the default: a HEAD per pending file, a 404 until it exists) or
/// `"list"` (a GET Bucket per pending file, 200 either way). `Client.InvalidOption` otherwise.
#[cfg_attr(tc3_size, optimize(size))]
pub fn parse_probe(probe: Option<&str>) -> Result<PollMethod, Error> {
    match probe {
        None | Some("head") => Ok(PollMethod::Head),
        Some("list") => Ok(PollMethod::List),
        Some(_) => {
            Err(Error::new(ErrorKind::InvalidOption, "options.probe must be \"head\" or \"list\"").with_field("probe"))
        }
    }
}

/// The options as given (seconds), before checking.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WaitOptions {
    /// `timeout` (default 6 h).
    pub timeout_secs: Option<f64>,
    /// `interval` (default 5 s).
    pub interval_secs: Option<f64>,
    /// `maxInterval` (default 120 s, and never below `interval`).
    pub max_interval_secs: Option<f64>,
    /// `notBefore`, Unix seconds (a `Date` is converted by the boundary). `NaN` (an invalid
    /// `Date`) is refused like any other bad value.
    pub not_before_secs: Option<f64>,
}

/// How much older than `notBefore` a file's `Last-Modified` may be and still count: COS's
/// clock and the caller's differ a little, and `Last-Modified` has whole seconds.
pub const NOT_BEFORE_SLACK_SECS: u64 = 60;
/// Latest `notBefore` accepted: 9999-12-31T23:59:59Z (as the signer's timestamps).
pub const MAX_NOT_BEFORE_SECS: f64 = 253_402_300_799.0;

impl WaitSettings {
    /// Checks the options: each problem is `Client.InvalidOption` naming the option
    /// (`field` = its name, e.g. `timeout`).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn new(o: &WaitOptions, request_timeout_secs: u32, mode: Mode) -> Result<Self, Error> {
        let secs = |v: Option<f64>, name: &str, default: f64, min: f64, max: f64| match v {
            None => Ok(default),
            Some(v) if v.is_finite() && v >= min && v <= max => Ok(v),
            Some(_) => Err(Error::new(
                ErrorKind::InvalidOption,
                [
                    "options.",
                    name,
                    " must be a number of seconds from ",
                    &seconds(min),
                    " to ",
                    &seconds(max),
                ]
                .cat(),
            )
            .with_field(name)),
        };
        let timeout = secs(o.timeout_secs, "timeout", DEFAULT_TIMEOUT_SECS, 0.001, MAX_TIMEOUT_SECS)?;
        let interval = secs(
            o.interval_secs,
            "interval",
            DEFAULT_INTERVAL_SECS,
            MIN_INTERVAL_SECS,
            MAX_INTERVAL_SECS,
        )?;
        let max_interval = match o.max_interval_secs {
            None => DEFAULT_MAX_INTERVAL_SECS.max(interval),
            Some(_) => secs(o.max_interval_secs, "maxInterval", 0.0, interval, MAX_INTERVAL_SECS)?,
        };
        let not_before_secs = match o.not_before_secs {
            None => None,
            Some(v) if v.is_finite() && (0.0..=MAX_NOT_BEFORE_SECS).contains(&v) => Some(v as u64),
            Some(_) => {
                return Err(Error::new(
                    ErrorKind::InvalidOption,
                    "options.notBefore must be a valid Date or Unix seconds (the time the export was started)",
                )
                .with_field("notBefore"))
            }
        };
        Ok(WaitSettings {
            not_before_secs,
            probe: PollMethod::Head,
            timeout_ms: timeout * 1000.0,
            interval_ms: interval * 1000.0,
            max_interval_ms: max_interval * 1000.0,
            request_timeout_ms: f64::from(request_timeout_secs.max(1)) * 1000.0,
            mode,
        })
    }

    /// The wait after round `round` (from 0), for a uniform draw `random` in [0, 1):
    /// `interval + random · (min(cap, interval·2^round) − interval)`.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn backoff_ms(&self, round: u32, random: f64) -> f64 {
        let ceiling = (self.interval_ms * 2f64.powi(round.min(60) as i32)).min(self.max_interval_ms);
        let r = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.0
        };
        // `min`: interval + (ceiling − interval) can round one ulp above the ceiling.
        (self.interval_ms + r * (ceiling - self.interval_ms).max(0.0)).min(ceiling.max(self.interval_ms))
    }
}

/// Checks the task's bucket and `CosPaths` with the COS signer's own rules
/// ([`crate::cos::request::check_bucket`], [`crate::cos::request::check_key`]: one rule set,
/// one code per rule, checked here at the start so nothing the first poll would refuse gets
/// through). `field` names the task's property (`BucketName`, `CosPaths`, `CosPaths.<i>`).
#[cfg_attr(tc3_size, optimize(size))]
pub fn check_task(bucket: Option<&str>, cos_paths: &[String]) -> Result<(), Error> {
    crate::cos::request::check_bucket(bucket.unwrap_or("")).map_err(|e| {
        let message = ["task.", e.message()].cat();
        e.with_message(message)
    })?;
    if cos_paths.is_empty() || cos_paths.len() > MAX_FILES {
        return Err(Error::new(
            ErrorKind::InvalidOption,
            [
                "task.CosPaths must list 1 to ",
                &decimal(MAX_FILES as u64),
                " files (ExportImages' CosPaths)",
            ]
            .cat(),
        )
        .with_field("CosPaths"));
    }
    for (i, path) in cos_paths.iter().enumerate() {
        let field = || ["CosPaths.", &decimal(i as u64)].cat();
        crate::cos::request::check_key(path).map_err(|e| {
            // "key …" -> "task.CosPaths.3 …": the signer's message, naming the task's entry.
            let message = [
                "task.",
                &field(),
                e.message().strip_prefix("key").unwrap_or(e.message()),
            ]
            .cat();
            e.with_field(field()).with_message(message)
        })?;
        if cos_paths[..i].iter().any(|p| object_key(p) == object_key(path)) {
            return Err(Error::new(
                ErrorKind::InvalidOption,
                ["task.", &field(), " repeats an earlier path"].cat(),
            )
            .with_field(field()));
        }
    }
    Ok(())
}

/// The object key of a `CosPaths` entry: without its leading `/`.
#[cfg_attr(tc3_size, optimize(size))]
pub fn object_key(path: &str) -> &str {
    path.strip_prefix('/').unwrap_or(path)
}

/// One file's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileState {
    /// The `CosPaths` entry, as given.
    pub key: String,
    /// `Some` once the file exists.
    pub ready: Option<FileInfo>,
}

/// A progress report.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// Files that exist.
    pub ready: usize,
    /// All files.
    pub total: usize,
    /// Since the start (monotonic).
    pub elapsed_ms: f64,
    /// Each file, in `CosPaths` order.
    pub files: Vec<FileState>,
}

/// A request to perform.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Poll {
    /// Which file (index into `CosPaths`).
    pub index: usize,
    /// HEAD, or GET to read an error body.
    pub method: PollMethod,
    /// Abort it after this long: the client's `reqTimeout`, clamped to the deadline.
    pub timeout_ms: f64,
    /// Send it to the bucket's alternate host `<Bucket>.cos.<Region>.tencentcos.cn` (signed for
    /// it): the `myqcloud.com` host could not be reached.
    pub alternate: bool,
}

/// What the driver does next. Exactly one per step.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Send this request, then report [`Event::Response`] or [`Event::Failed`].
    Send(Poll),
    /// Wait this long (never past the deadline), then report [`Event::Elapsed`].
    Wait(f64),
    /// COS refused the signature's time (`RequestTimeTooSkewed`, or `AccessDenied` "Request
    /// has expired") and said its own (`Date`): adopt `server_secs` as the clock (the learned
    /// offset every signature of the client uses), re-sign `poll` and send it. Once per poll.
    Resign {
        /// The poll to send again.
        poll: Poll,
        /// COS's clock, Unix seconds, from its `Date` header.
        server_secs: u64,
    },
    /// Settle with this. (Every file, in order; `UntilReady` succeeds only with all ready.)
    Finish(Result<Vec<FileState>, Error>),
    /// Nothing to do: the event did not apply (already finished, or unexpected here).
    Idle,
}

/// The result of one step: an optional progress report to emit first, then what to do.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Emit this (`onProgress`) before doing `action`.
    pub progress: Option<Progress>,
    /// What to do.
    pub action: Action,
}

/// What happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Event<'a> {
    /// The wait begins.
    Start,
    /// COS answered the request in flight.
    Response(super::cos_reply::CosReply<'a>),
    /// The request in flight failed without an answer (network, its timeout).
    Failed(Error),
    /// The request in flight failed without connecting (refused, DNS, TLS): nothing was sent.
    Unreachable(Error),
    /// The sleep ended.
    Elapsed,
    /// The caller's AbortSignal fired.
    Aborted,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    NotStarted,
    InFlight(Poll),
    Sleeping,
    Done,
}

/// What one poll found, for the client's `onEvent` (`poll` events).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollReport {
    /// The object key (the `CosPaths` entry): never a URL, so never a presigned query.
    pub key: String,
    /// HTTP status (0: no answer).
    pub status: u16,
    /// `ready`, `pending`, `checking` (a bodiless HEAD error: a GET reads COS's error code
    /// next), `stale` (older than `notBefore`), `skewed` (COS refused the signature's time),
    /// `error` (an answer that is not the file's state) or `failed` (no answer).
    pub state: &'static str,
}

/// The waiter for one export's files.
#[derive(Clone, Debug)]
pub struct Waiter {
    /// The last poll's report, until taken.
    report: Option<PollReport>,
    /// `myqcloud.com` may be swapped for `tencentcos.cn` (no `cosEndpoint` was given).
    may_switch: bool,
    /// Polls go to the alternate host (the `myqcloud.com` one could not be reached).
    alternate: bool,
    settings: WaitSettings,
    files: Vec<FileState>,
    phase: Phase,
    start_ms: f64,
    /// Rounds completed.
    rounds: u32,
    /// A `NoSuchKey` proved the bucket exists: a bodiless HEAD 404 is a file not yet written.
    bucket_seen: bool,
    /// The last transient problem, for the timeout message.
    last_problem: Option<String>,
    /// The poll in flight is already a re-signed one (clock skew): a second skew error ends
    /// the wait.
    resigned: bool,
}

impl Waiter {
    /// A waiter for `keys` (checked with [`check_task`]).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn new(settings: WaitSettings, keys: &[String]) -> Self {
        Waiter {
            report: None,
            may_switch: false,
            alternate: false,
            settings,
            files: keys
                .iter()
                .map(|k| FileState {
                    key: k.clone(),
                    ready: None,
                })
                .collect(),
            phase: Phase::NotStarted,
            start_ms: 0.0,
            rounds: 0,
            bucket_seen: false,
            last_problem: None,
            resigned: false,
        }
    }

    /// When the bucket's real host cannot be reached, switch to `<Bucket>.cos.<Region>.tencentcos.cn`
    /// (what cos-js-sdk-v5 calls AutoSwitchHost). Only for the real host: a `cosEndpoint`
    /// (a proxy, the emulator) is the caller's choice.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn with_host_switch(mut self) -> Self {
        self.may_switch = true;
        self
    }

    /// True once polls go to the alternate host.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn switched(&self) -> bool {
        self.alternate
    }

    /// The last poll's report, once (for `onEvent`).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn take_report(&mut self) -> Option<PollReport> {
        self.report.take()
    }

    /// True once the machine has finished.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Files that exist now.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn ready(&self) -> usize {
        self.files.iter().filter(|f| f.ready.is_some()).count()
    }

    /// The files' current states.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn files(&self) -> &[FileState] {
        &self.files
    }

    /// Advances on `event`, which happened at monotonic time `now_ms`; `random` is uniform in
    /// [0, 1) (used for backoff).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn step(&mut self, now_ms: f64, random: f64, event: Event<'_>) -> Outcome {
        let nothing = Outcome {
            progress: None,
            action: Action::Idle,
        };
        match (self.phase, event) {
            (Phase::Done, _) => nothing,
            (_, Event::Aborted) => self.finish(None, Err(aborted())),
            (Phase::NotStarted, Event::Start) => {
                self.start_ms = now_ms;
                let progress = Some(self.progress(now_ms));
                let next = self.advance(0, now_ms, random);
                Outcome { progress, action: next }
            }
            (Phase::InFlight(poll), Event::Response(reply)) => {
                let key = &self.files[poll.index].key;
                let verdict = judge(poll.method, key, &reply, self.bucket_seen);
                let state = match &verdict {
                    Verdict::Ready(info) if self.stale(info) => "stale",
                    Verdict::Ready(_) => "ready",
                    Verdict::Pending { .. } => "pending",
                    Verdict::Skewed(_) => "skewed",
                    Verdict::ReadErrorBody => "checking",
                    _ => "error",
                };
                self.report = Some(PollReport {
                    key: key.clone(),
                    status: reply.status,
                    state,
                });
                match verdict {
                    Verdict::Ready(ref info) if self.stale(info) => {
                        self.last_problem = Some(
                            [
                                poll.method.as_str(),
                                " ",
                                key,
                                ": the file in COS is older than notBefore (an earlier export's file)",
                            ]
                            .cat(),
                        );
                        self.continue_round(poll.index + 1, now_ms, random)
                    }
                    Verdict::Skewed(e) => match reply.date.and_then(crate::client::clock::parse_http_date) {
                        Some(server_secs) if !self.resigned => {
                            self.resigned = true;
                            let poll = Poll {
                                method: self.settings.probe,
                                ..poll
                            };
                            self.phase = Phase::InFlight(poll);
                            Outcome {
                                progress: None,
                                action: Action::Resign { poll, server_secs },
                            }
                        }
                        _ => self.finish(None, Err(e)),
                    },
                    Verdict::Ready(info) => {
                        self.files[poll.index].ready = Some(info);
                        let progress = Some(self.progress(now_ms));
                        let next = self.advance(poll.index + 1, now_ms, random);
                        Outcome { progress, action: next }
                    }
                    Verdict::Pending { bucket_exists } => {
                        self.bucket_seen |= bucket_exists;
                        self.continue_round(poll.index + 1, now_ms, random)
                    }
                    Verdict::ReadErrorBody => match self.send(poll.index, PollMethod::Get, now_ms) {
                        Some(next) => Outcome {
                            progress: None,
                            action: next,
                        },
                        None => self.finish(None, Err(self.timeout_error())),
                    },
                    Verdict::Transient(e) => self.on_transient(poll, e, now_ms, random),
                    Verdict::Fatal(e) => self.finish(None, Err(e)),
                }
            }
            (Phase::InFlight(poll), Event::Unreachable(_)) if self.may_switch && !poll.alternate => {
                // The real host could not be reached, so nothing was sent: the same poll, at
                // once, to the alternate host — and every later one.
                self.report = Some(PollReport {
                    key: self.files[poll.index].key.clone(),
                    status: 0,
                    state: "failed",
                });
                self.alternate = true;
                let poll = Poll {
                    alternate: true,
                    ..poll
                };
                self.phase = Phase::InFlight(poll);
                Outcome {
                    progress: None,
                    action: Action::Send(poll),
                }
            }
            (Phase::InFlight(poll), Event::Failed(e) | Event::Unreachable(e)) => {
                let key = &self.files[poll.index].key;
                self.report = Some(PollReport {
                    key: key.clone(),
                    status: 0,
                    state: "failed",
                });
                let e = Error::new(e.kind(), [poll.method.as_str(), " ", key, ": ", e.message()].cat());
                self.on_transient(poll, e, now_ms, random)
            }
            (Phase::Sleeping, Event::Elapsed) => self.continue_round(0, now_ms, random),
            _ => nothing,
        }
    }

    /// With `notBefore`: the answer's file predates it (by more than the slack), or its
    /// `Last-Modified` is missing or unreadable, so it cannot be told from an earlier export's.
    #[cfg_attr(tc3_size, optimize(size))]
    fn stale(&self, info: &FileInfo) -> bool {
        let Some(not_before) = self.settings.not_before_secs else {
            return false;
        };
        match info
            .last_modified
            .as_deref()
            .and_then(crate::client::clock::parse_iso_8601)
        {
            Some(t) => t.saturating_add(NOT_BEFORE_SLACK_SECS) < not_before,
            None => true,
        }
    }

    /// A failure that may pass: remembered and retried next round (or, for a one-round
    /// check, the check's error: it could not tell that file's state).
    #[cfg_attr(tc3_size, optimize(size))]
    fn on_transient(&mut self, poll: Poll, e: Error, now_ms: f64, random: f64) -> Outcome {
        if self.settings.mode == Mode::Once {
            return self.finish(None, Err(e));
        }
        // A request cut short by the deadline tells nothing: keep the problem seen before it.
        // (Its own timeout was the deadline's rest: a host timer may fire a fraction of a ms
        // before the monotonic clock shows the deadline, so the clock alone cannot tell.)
        let cut_short = e.kind() == ErrorKind::Timeout && poll.timeout_ms < self.settings.request_timeout_ms;
        if !cut_short && now_ms < self.start_ms + self.settings.timeout_ms {
            self.last_problem = Some(e.message().to_owned());
        }
        self.continue_round(poll.index + 1, now_ms, random)
    }

    #[cfg_attr(tc3_size, optimize(size))]
    fn continue_round(&mut self, from: usize, now_ms: f64, random: f64) -> Outcome {
        let next = self.advance(from, now_ms, random);
        Outcome {
            progress: None,
            action: next,
        }
    }

    /// After file `from - 1`: done, the next pending file of this round, or the sleep.
    #[cfg_attr(tc3_size, optimize(size))]
    fn advance(&mut self, from: usize, now_ms: f64, random: f64) -> Action {
        if self.files.iter().all(|f| f.ready.is_some()) {
            return self.finish(None, Ok(self.files.clone())).action;
        }
        let deadline = self.start_ms + self.settings.timeout_ms;
        if now_ms >= deadline {
            return self.finish(None, Err(self.timeout_error())).action;
        }
        if let Some(index) = (from..self.files.len()).find(|&i| self.files[i].ready.is_none()) {
            if let Some(next) = self.send(index, self.settings.probe, now_ms) {
                return next;
            }
        }
        if self.settings.mode == Mode::Once {
            return self.finish(None, Ok(self.files.clone())).action;
        }
        let wait = self.settings.backoff_ms(self.rounds, random).min(deadline - now_ms);
        self.rounds = self.rounds.saturating_add(1);
        self.phase = Phase::Sleeping;
        Action::Wait(wait)
    }

    /// A request for file `index`, bounded by the deadline (`None` if it has passed).
    #[cfg_attr(tc3_size, optimize(size))]
    fn send(&mut self, index: usize, method: PollMethod, now_ms: f64) -> Option<Action> {
        let remaining = self.start_ms + self.settings.timeout_ms - now_ms;
        if remaining <= 0.0 {
            return None;
        }
        let poll = Poll {
            index,
            method,
            timeout_ms: self.settings.request_timeout_ms.min(remaining),
            alternate: self.alternate,
        };
        // A new poll (not a re-signed one) may correct the clock once again.
        self.resigned = false;
        self.phase = Phase::InFlight(poll);
        Some(Action::Send(poll))
    }

    #[cfg_attr(tc3_size, optimize(size))]
    fn finish(&mut self, progress: Option<Progress>, result: Result<Vec<FileState>, Error>) -> Outcome {
        self.phase = Phase::Done;
        Outcome {
            progress,
            action: Action::Finish(result),
        }
    }

    #[cfg_attr(tc3_size, optimize(size))]
    fn progress(&self, now_ms: f64) -> Progress {
        Progress {
            ready: self.ready(),
            total: self.files.len(),
            elapsed_ms: (now_ms - self.start_ms).max(0.0),
            files: self.files.clone(),
        }
    }

    /// `Client.WaitTimeout`, naming every file still missing.
    #[cfg_attr(tc3_size, optimize(size))]
    fn timeout_error(&self) -> Error {
        let missing: Vec<&str> = self
            .files
            .iter()
            .filter(|f| f.ready.is_none())
            .map(|f| f.key.as_str())
            .collect();
        let what = match self.settings.mode {
            Mode::UntilReady => "the export's files did not all appear",
            Mode::Once => "the files could not all be checked",
        };
        let mut message = [
            what,
            " within the timeout (",
            &seconds(self.settings.timeout_ms / 1000.0),
            " s): ",
            &decimal(missing.len() as u64),
            " of ",
            &decimal(self.files.len() as u64),
            " missing: ",
            &missing.join_with(", "),
        ]
        .cat();
        if let Some(p) = &self.last_problem {
            message.push_str("; last poll problem: ");
            message.push_str(p);
        }
        Error::new(ErrorKind::WaitTimeout, message)
    }
}

/// Seconds as a short decimal, to the millisecond (`0.5`, `60`, `0.01`), without `core::fmt`
/// (whose float formatting alone is kilobytes of wasm).
#[cfg_attr(tc3_size, optimize(size))]
pub fn seconds(secs: f64) -> String {
    let ms = (secs * 1000.0).round().max(0.0) as u64;
    let mut s = decimal(ms / 1000);
    let frac = ms % 1000;
    if frac > 0 {
        let digits = decimal(1000 + frac);
        s.push('.');
        s.push_str(crate::text::trim_end_byte(&digits[1..], b'0'));
    }
    s
}

/// `Client.Aborted` for a wait.
#[cfg_attr(tc3_size, optimize(size))]
pub fn aborted() -> Error {
    Error::new(ErrorKind::Aborted, "the wait was aborted through its AbortSignal")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::cos_reply::CosReply;

    fn settings(mode: Mode) -> WaitSettings {
        WaitSettings::new(
            &WaitOptions {
                timeout_secs: Some(60.0),
                interval_secs: Some(1.0),
                max_interval_secs: Some(8.0),
                not_before_secs: None,
            },
            10,
            mode,
        )
        .unwrap()
    }

    fn keys(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("/f{i}.qcow2")).collect()
    }

    fn status(s: u16) -> CosReply<'static> {
        CosReply {
            status: s,
            ..CosReply::default()
        }
    }

    fn error_body(s: u16, code: &str) -> String {
        let _ = s;
        format!("<Error><Code>{code}</Code><Message>m</Message></Error>")
    }

    #[test]
    fn options_are_checked_and_defaulted() {
        let d = WaitSettings::new(&WaitOptions::default(), 60, Mode::UntilReady).unwrap();
        assert_eq!(
            (d.timeout_ms, d.interval_ms, d.max_interval_ms, d.request_timeout_ms),
            (21_600_000.0, 5_000.0, 120_000.0, 60_000.0)
        );
        let big = WaitOptions {
            interval_secs: Some(300.0),
            ..WaitOptions::default()
        };
        assert_eq!(
            WaitSettings::new(&big, 60, Mode::UntilReady).unwrap().max_interval_ms,
            300_000.0
        );
        for (o, field) in [
            (
                WaitOptions {
                    timeout_secs: Some(0.0),
                    ..Default::default()
                },
                "timeout",
            ),
            (
                WaitOptions {
                    timeout_secs: Some(f64::NAN),
                    ..Default::default()
                },
                "timeout",
            ),
            (
                WaitOptions {
                    timeout_secs: Some(8.0 * 86_400.0),
                    ..Default::default()
                },
                "timeout",
            ),
            (
                WaitOptions {
                    interval_secs: Some(0.0),
                    ..Default::default()
                },
                "interval",
            ),
            (
                WaitOptions {
                    interval_secs: Some(-1.0),
                    ..Default::default()
                },
                "interval",
            ),
            (
                WaitOptions {
                    interval_secs: Some(10.0),
                    max_interval_secs: Some(5.0),
                    ..Default::default()
                },
                "maxInterval",
            ),
        ] {
            let e = WaitSettings::new(&o, 60, Mode::UntilReady).unwrap_err();
            assert_eq!((e.code(), e.field()), ("Client.InvalidOption", Some(field)), "{o:?}");
        }
    }

    #[test]
    fn numbers_in_messages_are_written_without_fmt() {
        for (v, text) in [
            (0.5, "0.5"),
            (60.0, "60"),
            (0.01, "0.01"),
            (0.001, "0.001"),
            (1.25, "1.25"),
            (604_800.0, "604800"),
        ] {
            assert_eq!(seconds(v), text);
            assert_eq!(seconds(v), format!("{v}"));
        }
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(850), "850");
    }

    #[test]
    fn tasks_are_checked() {
        assert!(check_task(Some("backup-1250000000"), &keys(2)).is_ok());
        let cases: [(Option<&str>, Vec<String>, &str, &str); 6] = [
            (None, keys(1), "BucketName", "MissingParameter"),
            (
                Some("backup"),
                keys(1),
                "BucketName",
                "InvalidParameterValue.InvalidAppIdFormat",
            ),
            (Some("Backup-125"), keys(1), "BucketName", "InvalidParameterValue"),
            (Some("b-1"), vec![], "CosPaths", "Client.InvalidOption"),
            (
                Some("b-1"),
                vec!["/a".into(), "/".into()],
                "CosPaths.1",
                "MissingParameter",
            ),
            (
                Some("b-1"),
                vec!["/a".into(), "a".into()],
                "CosPaths.1",
                "Client.InvalidOption",
            ),
        ];
        for (bucket, paths, field, code) in cases {
            let e = check_task(bucket, &paths).unwrap_err();
            assert_eq!((e.code(), e.field()), (code, Some(field)), "{paths:?}");
        }
    }

    /// Issue #17, item 7: the waiter and the COS signer share one rule set and its codes.
    #[test]
    fn the_task_check_is_the_cos_signers_check() {
        use crate::cos::request::{check_bucket, check_key};
        for bucket in [
            "",
            "backup",
            "backup-",
            "Backup-1250000000",
            "back.up-1250000000",
            &["a".repeat(60), "-1250000000".into()].cat(),
        ] {
            let signer = check_bucket(bucket).unwrap_err();
            let waiter = check_task(Some(bucket), &keys(1)).unwrap_err();
            assert_eq!(
                (waiter.code(), waiter.field()),
                (signer.code(), Some("BucketName")),
                "{bucket}"
            );
        }
        let long = "k".repeat(850);
        for key in ["/", "/a/../b", "/../a", "..", "/a/./b", &["/", &long, "k"].cat()] {
            let signer = check_key(key).unwrap_err();
            let waiter = check_task(Some("b-1250000000"), &[key.to_owned()]).unwrap_err();
            assert_eq!(
                (waiter.code(), waiter.field()),
                (signer.code(), Some("CosPaths.0")),
                "{key}"
            );
            assert!(waiter.message().starts_with("task.CosPaths.0 "), "{}", waiter.message());
        }
        // 850 bytes is the key's limit, the leading '/' aside, for both.
        for key in [["/", &long].cat(), long.clone()] {
            assert!(check_key(&key).is_ok());
            assert!(check_task(Some("b-1250000000"), &[key]).is_ok());
        }
    }

    #[test]
    fn backoff_grows_from_the_interval_to_the_cap() {
        let s = settings(Mode::UntilReady);
        assert_eq!(s.backoff_ms(0, 0.9), 1_000.0, "round 0: exactly the interval");
        assert_eq!(s.backoff_ms(1, 1.0), 2_000.0);
        assert_eq!(s.backoff_ms(2, 0.5), 2_500.0);
        assert_eq!(s.backoff_ms(10, 1.0), 8_000.0, "capped");
        assert_eq!(s.backoff_ms(u32::MAX, 0.0), 1_000.0);
        assert_eq!(s.backoff_ms(3, f64::NAN), 1_000.0);
    }

    #[test]
    fn files_appear_one_by_one_and_the_wait_ends_with_all() {
        let mut w = Waiter::new(settings(Mode::UntilReady), &keys(2));
        let s = w.step(0.0, 0.0, Event::Start);
        assert_eq!(s.progress.as_ref().map(|p| (p.ready, p.total)), Some((0, 2)));
        assert_eq!(
            s.action,
            Action::Send(Poll {
                index: 0,
                method: PollMethod::Head,
                timeout_ms: 10_000.0,
                alternate: false,
            })
        );
        // The first 404 has no body: read it with a GET.
        let s = w.step(5.0, 0.0, Event::Response(status(404)));
        assert!(matches!(
            s.action,
            Action::Send(Poll {
                index: 0,
                method: PollMethod::Get,
                ..
            })
        ));
        let body = error_body(404, "NoSuchKey");
        let s = w.step(
            6.0,
            0.0,
            Event::Response(CosReply {
                status: 404,
                body: &body,
                ..CosReply::default()
            }),
        );
        assert!(matches!(
            s.action,
            Action::Send(Poll {
                index: 1,
                method: PollMethod::Head,
                ..
            })
        ));
        // The bucket is known now: a bare 404 means "not yet".
        let s = w.step(7.0, 0.0, Event::Response(status(404)));
        assert_eq!((s.progress, s.action), (None, Action::Wait(1_000.0)));
        let s = w.step(1_007.0, 0.0, Event::Elapsed);
        assert!(matches!(s.action, Action::Send(Poll { index: 0, .. })));
        let s = w.step(
            1_010.0,
            0.0,
            Event::Response(CosReply {
                content_length: Some("9"),
                ..status(200)
            }),
        );
        let p = s.progress.unwrap();
        assert_eq!((p.ready, p.elapsed_ms), (1, 1_010.0));
        assert_eq!(p.files[0].ready.as_ref().unwrap().size, Some(9));
        assert!(matches!(s.action, Action::Send(Poll { index: 1, .. })));
        let s = w.step(1_020.0, 1.0, Event::Response(status(404)));
        assert!(
            matches!(s.action, Action::Wait(ms) if ms == 2_000.0),
            "round 1 waits up to 2x: {:?}",
            s.action
        );
        w.step(3_020.0, 0.5, Event::Elapsed);
        let s = w.step(3_030.0, 0.0, Event::Response(status(200)));
        assert_eq!(s.progress.as_ref().map(|p| p.ready), Some(2));
        let Action::Finish(Ok(files)) = s.action else {
            panic!("{:?}", s.action)
        };
        assert_eq!(
            files.iter().map(|f| f.key.as_str()).collect::<Vec<_>>(),
            ["/f0.qcow2", "/f1.qcow2"]
        );
        assert!(w.is_done());
        assert_eq!(w.step(4_000.0, 0.0, Event::Elapsed).action, Action::Idle);
        assert_eq!(
            w.step(4_000.0, 0.0, Event::Aborted).action,
            Action::Idle,
            "finished once"
        );
    }

    #[test]
    fn a_missing_bucket_or_a_bad_signature_ends_the_wait_at_once() {
        for (st, code) in [
            (404, "NoSuchBucket"),
            (403, "SignatureDoesNotMatch"),
            (403, "AccessDenied"),
        ] {
            let mut w = Waiter::new(settings(Mode::UntilReady), &keys(3));
            w.step(0.0, 0.0, Event::Start);
            assert!(matches!(
                w.step(1.0, 0.0, Event::Response(status(st))).action,
                Action::Send(Poll {
                    method: PollMethod::Get,
                    ..
                })
            ));
            let body = error_body(st, code);
            let s = w.step(
                2.0,
                0.0,
                Event::Response(CosReply {
                    status: st,
                    request_id: Some("rid"),
                    body: &body,
                    ..CosReply::default()
                }),
            );
            let Action::Finish(Err(e)) = s.action else {
                panic!("{code}: {:?}", s.action)
            };
            assert_eq!((e.code(), e.request_id(), e.status()), (code, Some("rid"), Some(st)));
        }
    }

    #[test]
    fn transient_failures_are_retried_and_reported_on_timeout() {
        let mut w = Waiter::new(settings(Mode::UntilReady), &keys(1));
        w.step(0.0, 0.0, Event::Start);
        assert_eq!(
            w.step(1.0, 0.0, Event::Response(status(503))).action,
            Action::Wait(1_000.0)
        );
        assert!(matches!(w.step(1_001.0, 0.0, Event::Elapsed).action, Action::Send(_)));
        assert!(matches!(
            w.step(
                1_002.0,
                0.0,
                Event::Failed(Error::new(ErrorKind::Network, "fetch failed: ECONNRESET"))
            )
            .action,
            Action::Wait(_)
        ));
        // A request the deadline cuts short does not hide the problem seen before it.
        let mut w2 = w.clone();
        assert!(matches!(w2.step(3_000.0, 0.0, Event::Elapsed).action, Action::Send(_)));
        let s = w2.step(
            60_000.0,
            0.0,
            Event::Failed(Error::new(ErrorKind::Timeout, "no answer")),
        );
        let Action::Finish(Err(e)) = s.action else { panic!() };
        assert!(
            e.message().ends_with("HEAD /f0.qcow2: fetch failed: ECONNRESET"),
            "{}",
            e.message()
        );
        // Its timer firing a little before the clock shows the deadline does not either.
        let mut w3 = w.clone();
        assert!(matches!(w3.step(59_999.0, 0.0, Event::Elapsed).action, Action::Send(p) if p.timeout_ms == 1.0));
        let s = w3.step(
            59_999.5,
            0.0,
            Event::Failed(Error::new(ErrorKind::Timeout, "no answer within 1 ms")),
        );
        assert!(matches!(s.action, Action::Wait(ms) if ms <= 0.5), "{s:?}");
        let Action::Finish(Err(e)) = w3.step(60_000.0, 0.0, Event::Elapsed).action else {
            panic!()
        };
        assert!(
            e.message().ends_with("HEAD /f0.qcow2: fetch failed: ECONNRESET"),
            "{}",
            e.message()
        );
        // The deadline (60 s) passes during the sleep.
        let s = w.step(60_000.0, 0.0, Event::Elapsed);
        let Action::Finish(Err(e)) = s.action else { panic!() };
        assert_eq!(e.code(), "Client.WaitTimeout");
        assert!(e.message().contains("1 of 1 missing: /f0.qcow2"), "{}", e.message());
        assert!(
            e.message().contains("HEAD /f0.qcow2: fetch failed: ECONNRESET"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn requests_and_sleeps_stop_at_the_deadline() {
        let mut w = Waiter::new(settings(Mode::UntilReady), &keys(1));
        w.step(100.0, 0.0, Event::Start);
        w.step(59_000.0, 0.0, Event::Response(status(404)));
        let s = w.step(
            59_500.0,
            0.0,
            Event::Response(CosReply {
                status: 404,
                body: "<Error><Code>NoSuchKey</Code></Error>",
                ..CosReply::default()
            }),
        );
        assert_eq!(s.action, Action::Wait(600.0), "clamped to the deadline at 60.1 s");
        let s = w.step(59_900.0, 0.0, Event::Elapsed);
        assert_eq!(
            s.action,
            Action::Send(Poll {
                index: 0,
                method: PollMethod::Head,
                timeout_ms: 200.0,
                alternate: false,
            })
        );
        // An answer after the deadline that completes the last file still counts.
        let s = w.step(60_200.0, 0.0, Event::Response(status(200)));
        assert!(matches!(s.action, Action::Finish(Ok(_))));
    }

    #[test]
    fn abort_wins_in_every_phase() {
        for phase in 0..3 {
            let mut w = Waiter::new(settings(Mode::UntilReady), &keys(1));
            if phase > 0 {
                w.step(0.0, 0.0, Event::Start);
            }
            if phase > 1 {
                w.step(1.0, 0.0, Event::Response(status(503)));
            }
            let Action::Finish(Err(e)) = w.step(2.0, 0.0, Event::Aborted).action else {
                panic!()
            };
            assert_eq!(e.code(), "Client.Aborted");
        }
    }

    #[test]
    fn once_mode_reports_each_file_after_one_round() {
        let mut w = Waiter::new(settings(Mode::Once), &keys(2));
        w.step(0.0, 0.0, Event::Start);
        w.step(
            1.0,
            0.0,
            Event::Response(CosReply {
                etag: Some("\"e\""),
                ..status(200)
            }),
        );
        let s = w.step(2.0, 0.0, Event::Response(status(404)));
        assert!(matches!(
            s.action,
            Action::Send(Poll {
                index: 1,
                method: PollMethod::Get,
                ..
            })
        ));
        let s = w.step(
            3.0,
            0.0,
            Event::Response(CosReply {
                status: 404,
                body: "<Error><Code>NoSuchKey</Code></Error>",
                ..CosReply::default()
            }),
        );
        let Action::Finish(Ok(files)) = s.action else {
            panic!("{:?}", s.action)
        };
        assert_eq!(files[0].ready.as_ref().and_then(|i| i.etag.as_deref()), Some("\"e\""));
        assert_eq!(files[1].ready, None);
        // A failure that tells nothing about a file fails the check instead of calling it pending.
        let mut w = Waiter::new(settings(Mode::Once), &keys(2));
        w.step(0.0, 0.0, Event::Start);
        let Action::Finish(Err(e)) = w.step(1.0, 0.0, Event::Response(status(502))).action else {
            panic!()
        };
        assert_eq!((e.code(), e.status()), ("Client.HttpStatus", Some(502)));
    }
}

#[cfg(test)]
mod host_switch_tests {
    use super::*;

    fn waiter() -> Waiter {
        let settings = WaitSettings::new(&WaitOptions::default(), 10, Mode::UntilReady).unwrap();
        Waiter::new(settings, &["/a.raw".into()])
    }

    fn unreachable() -> Event<'static> {
        Event::Unreachable(Error::new(ErrorKind::Network, "fetch failed (ENOTFOUND)"))
    }

    #[test]
    fn an_unreachable_real_host_is_swapped_for_tencentcos_once_and_for_good() {
        let mut w = waiter().with_host_switch();
        let Action::Send(first) = w.step(0.0, 0.0, Event::Start).action else {
            panic!()
        };
        assert!(!first.alternate);
        let Action::Send(again) = w.step(1.0, 0.0, unreachable()).action else {
            panic!("sent again at once")
        };
        assert_eq!(
            again,
            Poll {
                alternate: true,
                ..first
            }
        );
        assert!(w.switched());
        assert_eq!(w.take_report().map(|r| r.state), Some("failed"));
        // Unreachable there too: an ordinary transient failure (a backoff), still the alternate.
        assert!(matches!(w.step(2.0, 0.0, unreachable()).action, Action::Wait(_)));
        let Action::Send(next) = w.step(500.0, 0.0, Event::Elapsed).action else {
            panic!()
        };
        assert!(next.alternate, "every later poll goes there");
    }

    #[test]
    fn no_switch_for_a_cos_endpoint_nor_after_a_failure_that_connected() {
        let mut w = waiter();
        w.step(0.0, 0.0, Event::Start);
        assert!(matches!(w.step(1.0, 0.0, unreachable()).action, Action::Wait(_)));
        assert!(!w.switched());
        let mut w = waiter().with_host_switch();
        w.step(0.0, 0.0, Event::Start);
        let reset = Event::Failed(Error::new(ErrorKind::Network, "fetch failed (ECONNRESET)"));
        assert!(matches!(w.step(1.0, 0.0, reset).action, Action::Wait(_)));
        assert!(!w.switched());
    }
}
