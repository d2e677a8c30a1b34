//! Property tests of the export waiter's state machine (`tc3_edge::client::wait_export`).
//!
//! A simulated driver runs the machine against a random COS: files that appear at random
//! times (or never), a bucket that may not exist, a key COS may refuse, random 5xx answers and
//! network failures, random latencies (some past the request's timeout) and a random abort.
//! Invariants: the machine finishes exactly once and ignores everything after; `ready` never
//! decreases and there is exactly one progress event at the start and one per file that
//! becomes ready; no sleep or request reaches past the deadline, so it finishes by then; every
//! sleep is within [interval, maxInterval] unless clamped to the deadline; abort wins; the
//! outcome matches the world (NoSuchBucket only if the bucket is missing, a timeout names
//! exactly the missing files, success when the files appear in time and nothing fails).
//! A second property feeds arbitrary event sequences: no panic, at most one finish.

#![cfg(not(target_arch = "wasm32"))] // proptest does not build for wasm32 (see Cargo.toml)

use proptest::prelude::*;

use tc3_edge::client::cos_reply::{CosReply, PollMethod};
use tc3_edge::client::wait_export::{Action, Event, Mode, Outcome, Progress, WaitOptions, WaitSettings, Waiter};
use tc3_edge::{Error, ErrorKind};

// Shared test code: tests/support/*.rs (cargo builds only tests/*.rs as test crates).
mod support {
    pub mod proptest_cases;
}
use support::proptest_cases::config;

const NO_SUCH_KEY: &str = "<Error><Code>NoSuchKey</Code><Message>m</Message></Error>";
const NO_SUCH_BUCKET: &str = "<Error><Code>NoSuchBucket</Code><Message>m</Message></Error>";
const BAD_SIGNATURE: &str = "<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error>";

#[derive(Clone, Debug)]
enum Bucket {
    Fine,
    Missing,
    RefusesSignature,
}

#[derive(Clone, Debug)]
struct World {
    /// When each file appears (ms after start), or never.
    appear_at: Vec<Option<f64>>,
    bucket: Bucket,
    /// Per request: probability of a 5xx or a network failure.
    fault_rate: f64,
    /// Most latency of a request, as a multiple of its timeout (> 1: some time out).
    latency_factor: f64,
    abort_at: Option<f64>,
    timeout_secs: f64,
    interval_secs: f64,
    max_interval_secs: f64,
    req_timeout_secs: u32,
    mode: Mode,
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(prop::option::weighted(0.85, 0.0..200_000.0f64), 1..6),
        prop_oneof![8 => Just(Bucket::Fine), 1 => Just(Bucket::Missing), 1 => Just(Bucket::RefusesSignature)],
        prop_oneof![Just(0.0), 0.0..0.5f64],
        0.01..1.5f64,
        prop::option::weighted(0.3, 0.0..400_000.0f64),
        (1.0..400.0f64, 0.05..10.0f64, 1.0..8.0f64, 1..30u32),
        prop_oneof![9 => Just(Mode::UntilReady), 1 => Just(Mode::Once)],
    )
        .prop_map(
            |(appear_at, bucket, fault_rate, latency_factor, abort_at, (timeout, interval, cap_factor, req), mode)| {
                World {
                    appear_at,
                    bucket,
                    fault_rate,
                    latency_factor,
                    abort_at,
                    timeout_secs: timeout,
                    interval_secs: interval,
                    max_interval_secs: interval * cap_factor,
                    req_timeout_secs: req,
                    mode,
                }
            },
        )
}

/// A deterministic stream of draws in [0, 1) (xorshift), so a case replays exactly.
struct Draws(u64);
impl Draws {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// COS's answer to `method` on file `i` at time `t`.
fn answer(w: &World, i: usize, method: PollMethod, t: f64) -> CosReply<'static> {
    let (status, body) = match w.bucket {
        Bucket::Missing => (404, NO_SUCH_BUCKET),
        Bucket::RefusesSignature => (403, BAD_SIGNATURE),
        Bucket::Fine if w.appear_at[i].is_some_and(|a| t >= a) => {
            return CosReply {
                status: if method == PollMethod::Head { 200 } else { 206 },
                content_length: Some("1"),
                content_range: Some("bytes 0-0/4096"),
                etag: Some("\"e\""),
                ..CosReply::default()
            }
        }
        Bucket::Fine => (404, NO_SUCH_KEY),
    };
    CosReply {
        status,
        // A HEAD's error has no body.
        body: if method == PollMethod::Head { "" } else { body },
        request_id: Some("rid"),
        ..CosReply::default()
    }
}

struct Run {
    result: Result<Vec<tc3_edge::client::wait_export::FileState>, Error>,
    finished_at: f64,
    progress: Vec<Progress>,
    aborted: bool,
    transient_faults: usize,
}

fn check_progress(p: &Progress, log: &mut Vec<Progress>, total: usize) {
    assert_eq!(p.total, total);
    assert_eq!(p.ready, p.files.iter().filter(|f| f.ready.is_some()).count());
    if let Some(last) = log.last() {
        assert_eq!(p.ready, last.ready + 1, "exactly one event per file that became ready");
        assert!(p.elapsed_ms >= last.elapsed_ms);
        for (a, b) in last.files.iter().zip(&p.files) {
            assert!(a.ready.is_none() || b.ready.is_some(), "a ready file stays ready");
        }
    } else {
        assert_eq!(p.ready, 0, "the first event is the start");
        assert_eq!(p.elapsed_ms, 0.0);
    }
    log.push(p.clone());
}

fn simulate(w: &World, seed: u64) -> Run {
    let keys: Vec<String> = (0..w.appear_at.len()).map(|i| format!("/img_{i}.qcow2")).collect();
    let settings = WaitSettings::new(
        &WaitOptions {
            timeout_secs: Some(w.timeout_secs),
            interval_secs: Some(w.interval_secs),
            max_interval_secs: Some(w.max_interval_secs),
            not_before_secs: None,
        },
        w.req_timeout_secs,
        w.mode,
    )
    .unwrap();
    let deadline = settings.timeout_ms;
    let mut draws = Draws(seed | 1);
    let mut machine = Waiter::new(settings, &keys);
    let mut now = 0.0;
    let mut log = Vec::new();
    let mut faults = 0;
    let mut step: Outcome = machine.step(now, draws.next(), Event::Start);
    for _ in 0..100_000 {
        if let Some(p) = &step.progress {
            check_progress(p, &mut log, keys.len());
        }
        // When the next event happens, and what it is.
        let (at, event) = match step.action.clone() {
            Action::Finish(result) => {
                assert!(
                    now <= deadline + 1e-6,
                    "finished at {now} after the deadline {deadline}"
                );
                // Finished once: everything after is ignored.
                for e in [
                    Event::Elapsed,
                    Event::Aborted,
                    Event::Start,
                    Event::Response(answer(w, 0, PollMethod::Head, now)),
                ] {
                    let after = machine.step(now + 1.0, 0.5, e);
                    assert_eq!((after.progress, after.action), (None, Action::Idle));
                }
                return Run {
                    result,
                    finished_at: now,
                    progress: log,
                    aborted: w.abort_at.is_some_and(|a| a <= now),
                    transient_faults: faults,
                };
            }
            Action::Idle => panic!("a correct driver never gets Nothing"),
            Action::Resign { .. } => panic!("no clock-skew answer is scripted here"),
            Action::Wait(ms) => {
                assert!(
                    ms >= 0.0 && now + ms <= deadline + 1e-6,
                    "sleep {ms} at {now} passes {deadline}"
                );
                assert!(ms <= settings.max_interval_ms + 1e-6, "cap: {ms}");
                assert!(
                    ms >= settings.interval_ms - 1e-6 || (now + ms - deadline).abs() < 1e-6,
                    "a sleep is at least the interval unless clamped to the deadline"
                );
                (now + ms, Event::Elapsed)
            }
            Action::Send(poll) => {
                assert!(poll.index < keys.len());
                assert!(poll.timeout_ms > 0.0 && poll.timeout_ms <= settings.request_timeout_ms);
                assert!(
                    now + poll.timeout_ms <= deadline + 1e-6,
                    "a request may not outlive the deadline"
                );
                let latency = draws.next() * w.latency_factor * poll.timeout_ms;
                if latency >= poll.timeout_ms {
                    faults += 1;
                    (
                        now + poll.timeout_ms,
                        Event::Failed(Error::new(ErrorKind::Timeout, "timed out")),
                    )
                } else if draws.next() < w.fault_rate {
                    faults += 1;
                    if draws.next() < 0.5 {
                        (now + latency, Event::Failed(Error::new(ErrorKind::Network, "reset")))
                    } else {
                        (
                            now + latency,
                            Event::Response(CosReply {
                                status: 503,
                                ..CosReply::default()
                            }),
                        )
                    }
                } else {
                    (
                        now + latency,
                        Event::Response(answer(w, poll.index, poll.method, now + latency)),
                    )
                }
            }
        };
        // The abort, if it comes first, is what happens.
        let (at, event) = match w.abort_at {
            Some(a) if a >= now && a <= at => (a, Event::Aborted),
            _ => (at, event),
        };
        now = at;
        step = machine.step(now, draws.next(), event);
    }
    panic!("the wait did not end");
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn the_waiter_holds_its_invariants_against_a_random_cos(w in world(), seed in any::<u64>()) {
        let run = simulate(&w, seed);
        let total = w.appear_at.len();
        let ready_at_end = run.progress.last().map_or(0, |p| p.ready);
        match &run.result {
            Ok(files) => {
                prop_assert!(!run.aborted, "abort wins");
                prop_assert_eq!(files.len(), total);
                prop_assert!(matches!(w.bucket, Bucket::Fine));
                let ready = files.iter().filter(|f| f.ready.is_some()).count();
                prop_assert_eq!(ready, ready_at_end);
                if w.mode == Mode::UntilReady {
                    prop_assert_eq!(ready, total, "success means every file");
                }
                for (f, appear) in files.iter().zip(&w.appear_at) {
                    if let Some(info) = &f.ready {
                        prop_assert!(appear.is_some_and(|a| a <= run.finished_at));
                        prop_assert_eq!(info.size, Some(4096));
                    }
                }
            }
            Err(e) if e.code() == "Client.Aborted" => prop_assert!(run.aborted),
            Err(e) => {
                prop_assert!(!run.aborted, "abort wins over {}", e.code());
                match e.code() {
                    "NoSuchBucket" => prop_assert!(matches!(w.bucket, Bucket::Missing)),
                    "SignatureDoesNotMatch" => prop_assert!(matches!(w.bucket, Bucket::RefusesSignature)),
                    "Client.WaitTimeout" => {
                        // Names exactly the files still missing.
                        let named = e.message().rsplit_once("missing: ").map(|(_, k)| k.split("; ").next().unwrap_or("")).unwrap_or("");
                        let missing: Vec<String> = match run.progress.last() {
                            Some(p) => p.files.iter().filter(|f| f.ready.is_none()).map(|f| f.key.clone()).collect(),
                            None => (0..total).map(|i| format!("/img_{i}.qcow2")).collect(),
                        };
                        prop_assert_eq!(named, missing.join(", "));
                        prop_assert!(ready_at_end < total);
                    }
                    "Client.HttpStatus" | "Client.NetworkError" | "Client.Timeout" => {
                        prop_assert_eq!(w.mode, Mode::Once, "only a one-round check fails on a passing fault");
                        prop_assert!(run.transient_faults > 0);
                    }
                    other => prop_assert!(false, "unexpected {}", other),
                }
            }
        }
        // Liveness: files that appear early, with nothing failing, are all seen in time.
        let latest = w.appear_at.iter().map(|a| a.unwrap_or(f64::INFINITY)).fold(0.0, f64::max);
        let per_round = total as f64 * 2.0 * f64::from(w.req_timeout_secs) * 1000.0 * w.latency_factor;
        let slack = w.max_interval_secs * 1000.0 + 2.0 * per_round;
        if w.mode == Mode::UntilReady && matches!(w.bucket, Bucket::Fine) && w.fault_rate == 0.0
            && w.latency_factor < 1.0 && w.abort_at.is_none() && latest + slack < w.timeout_secs * 1000.0 {
            prop_assert!(run.result.is_ok(), "{:?}", run.result.as_ref().err());
        }
    }

    #[test]
    fn backoff_stays_between_the_interval_and_the_cap(
        interval in 0.01..3600.0f64, cap_factor in 1.0..50.0f64, round in any::<u32>(), r in any::<f64>()
    ) {
        let s = WaitSettings::new(&WaitOptions {
            timeout_secs: Some(60.0),
            interval_secs: Some(interval),
            max_interval_secs: Some((interval * cap_factor).min(3600.0)),
            not_before_secs: None,
        }, 60, Mode::UntilReady).unwrap();
        let b = s.backoff_ms(round, r);
        prop_assert!(b >= s.interval_ms && b <= s.max_interval_ms, "{} not in [{}, {}]", b, s.interval_ms, s.max_interval_ms);
    }

    #[test]
    fn arbitrary_event_sequences_never_panic_and_finish_at_most_once(
        events in prop::collection::vec((0u8..7, 0.0..5_000.0f64, any::<f64>(), 0u16..600), 0..60)
    ) {
        let settings = WaitSettings::new(&WaitOptions {
            timeout_secs: Some(30.0), interval_secs: Some(0.5), max_interval_secs: Some(4.0),
            not_before_secs: None,
        }, 5, Mode::UntilReady).unwrap();
        let keys = vec!["/a".to_owned(), "/b".to_owned(), "/c".to_owned()];
        let mut m = Waiter::new(settings, &keys);
        let (mut now, mut finishes, mut last_ready, mut events_seen) = (0.0, 0, 0, 0);
        for (kind, dt, r, status) in events {
            now += dt;
            let event = match kind {
                0 => Event::Start,
                1 => Event::Elapsed,
                2 => Event::Aborted,
                3 => Event::Failed(Error::new(ErrorKind::Network, "x")),
                4 => Event::Response(CosReply { status, ..CosReply::default() }),
                5 => Event::Response(CosReply { status, body: NO_SUCH_KEY, ..CosReply::default() }),
                _ => Event::Response(CosReply { status, body: NO_SUCH_BUCKET, ..CosReply::default() }),
            };
            let step = m.step(now, r, event);
            if let Some(p) = step.progress {
                prop_assert!(p.ready >= last_ready);
                prop_assert!(events_seen == 0 || p.ready == last_ready + 1);
                last_ready = p.ready;
                events_seen += 1;
            }
            if let Action::Finish(_) = step.action {
                finishes += 1;
            }
            prop_assert!(finishes <= 1);
            prop_assert_eq!(m.is_done(), finishes == 1);
        }
    }
}
