//! The call state machine (`src/client/call.rs`), natively: scripted flows and property tests of
//! its invariants, driven by a simulated driver (the role src/wasm's JS driver plays).
#![cfg(not(target_arch = "wasm32"))] // proptest does not build for wasm32-unknown-unknown

use std::rc::Rc;

use proptest::prelude::*;
use tc3_edge::client::limiter::RateLimiter;
use tc3_edge::client::{
    Action, Call, Client, ClientConfig, ClientOptions, ClockSkew, Credentials, Event, Limiter, Now, RetryPolicy, Shape,
};
use tc3_edge::tc3::{Credential, SigningKeyCache};
use tc3_edge::ErrorKind;

const OK_BODY: &str = r#"{"Response":{"TaskId":7,"CosPaths":["/a.raw"],"RequestId":"r-ok"}}"#;
const TOKEN: &str = "token-SECRET-abcdef123456";
const KEY: &str = "key-SECRET-abcdef123456";

fn client(retry: RetryPolicy, limit: Option<u32>, provider: bool) -> Client {
    let credential = Rc::new(Credential::new("AKIDtest", KEY, Some(TOKEN)).unwrap());
    Client {
        config: ClientConfig::new(&ClientOptions {
            region: Some("ap-guangzhou"),
            req_timeout_secs: Some(5.0),
            ..Default::default()
        })
        .unwrap(),
        retry,
        limiter: limit.map(RateLimiter::per_second).into(),
        clock: ClockSkew::default(),
        keys: SigningKeyCache::new(),
        credentials: if provider {
            Credentials::Provider(Default::default())
        } else {
            Credentials::Fixed(credential)
        },
        failover: Default::default(),
    }
}

fn now(mono_ms: f64) -> Now {
    Now {
        mono_ms,
        wall_ms: 1_795_824_191_000.0 + mono_ms,
        random: 0.5,
    }
}

fn export(dry_run: bool) -> Call {
    Call::new(
        "ExportImages",
        r#"{"BucketName":"b-1","ImageIds":["img-72n9mi0y"]}"#.into(),
        dry_run,
        Shape::ExportImages,
    )
}

fn header<'a>(a: &'a Action, name: &str) -> Option<&'a str> {
    match a {
        Action::Send { signed, .. } => signed.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()),
        _ => None,
    }
}

fn finished(a: &Action) -> Option<&Result<String, tc3_edge::Error>> {
    match a {
        Action::Finish(r) => Some(r),
        _ => None,
    }
}

#[test]
fn a_call_that_succeeds_at_once_is_one_send_then_the_typed_result() {
    let mut c = client(RetryPolicy::default(), None, false);
    let mut call = export(false);
    let a = call.step(&mut c, Event::Start, now(0.0));
    assert!(matches!(a, Action::Send { timeout_ms, .. } if timeout_ms == 5000.0));
    assert_eq!(header(&a, "X-TC-Token"), Some(TOKEN));
    assert_eq!(header(&a, "X-TC-Timestamp"), Some("1795824191"));
    let a = call.step(
        &mut c,
        Event::Response {
            status: 200,
            date: None,
            body: OK_BODY,
        },
        now(1.0),
    );
    assert_eq!(
        finished(&a).unwrap().as_deref().unwrap(),
        r#"{"TaskId":7,"CosPaths":["/a.raw"],"RequestId":"r-ok"}"#
    );
    assert!(
        matches!(call.step(&mut c, Event::Aborted, now(2.0)), Action::Idle),
        "finished calls ignore events"
    );
}

#[test]
fn a_provider_is_called_once_for_concurrent_calls_and_an_aborted_waiter_does_not_retire_it() {
    let mut c = client(RetryPolicy::default(), None, true);
    let mut calls: Vec<Call> = (0..3).map(|_| export(false)).collect();
    let first = calls[0].step(&mut c, Event::Start, now(0.0));
    let Action::CallProvider { id, timeout_ms } = first else {
        panic!("expected CallProvider")
    };
    assert_eq!(timeout_ms, 5000.0);
    for call in &mut calls[1..] {
        assert!(matches!(call.step(&mut c, Event::Start, now(1.0)), Action::JoinProvider { id: j, .. } if j == id));
    }
    // The second waiter gives up: the shared call stays for the others.
    let a = calls[1].step(&mut c, Event::Aborted, now(2.0));
    assert_eq!(finished(&a).unwrap().as_ref().unwrap_err().code(), "Client.Aborted");
    let mut late = export(false);
    assert!(matches!(late.step(&mut c, Event::Start, now(3.0)), Action::JoinProvider { id: j, .. } if j == id));
    let cred = || Ok((Credential::new("AKIDp", "k", None).unwrap(), Some(1_795_824_191 + 3600)));
    assert!(matches!(
        calls[0].step(&mut c, Event::Provided(id, cred()), now(4.0)),
        Action::Send { .. }
    ));
    assert!(matches!(
        calls[2].step(&mut c, Event::Provided(id, cred()), now(4.0)),
        Action::Send { .. }
    ));
    // Cached now: a new call signs at once.
    assert!(matches!(
        export(false).step(&mut c, Event::Start, now(5.0)),
        Action::Send { .. }
    ));
}

#[test]
fn a_provider_that_never_answers_is_bounded_and_dropped() {
    let mut c = client(RetryPolicy::default(), None, true);
    let mut a = export(false);
    let Action::CallProvider { id, .. } = a.step(&mut c, Event::Start, now(0.0)) else {
        panic!()
    };
    let r = a.step(&mut c, Event::ProviderTimeout(id), now(5000.0));
    let err = finished(&r).unwrap().as_ref().unwrap_err().clone();
    assert_eq!(err.code(), "Client.CredentialProviderError");
    assert_eq!(err.message(), "the credential provider did not answer within 5 s");
    // The next call asks the provider again.
    assert!(
        matches!(export(false).step(&mut c, Event::Start, now(5001.0)), Action::CallProvider { id: j, .. } if j != id)
    );
}

#[test]
fn signature_expire_adopts_the_server_clock_and_re_signs_once() {
    let mut c = client(RetryPolicy::DISABLED, None, false);
    let mut call = export(false);
    let a = call.step(&mut c, Event::Start, now(0.0));
    assert_eq!(header(&a, "X-TC-Timestamp"), Some("1795824191"));
    let expired = r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureExpire","Message":"m"},"RequestId":"r"}}"#;
    let a = call.step(
        &mut c,
        Event::Response {
            status: 200,
            date: Some("Sat, 28 Nov 2026 00:13:11 GMT"),
            body: expired,
        },
        now(0.0),
    );
    assert_eq!(
        header(&a, "X-TC-Timestamp"),
        Some("1795824791"),
        "re-signed with the server's clock"
    );
    assert_eq!(c.clock.offset_secs(), 600);
    let a = call.step(
        &mut c,
        Event::Response {
            status: 200,
            date: Some("Sat, 28 Nov 2026 00:23:11 GMT"),
            body: expired,
        },
        now(0.0),
    );
    assert_eq!(
        finished(&a).unwrap().as_ref().unwrap_err().code(),
        "AuthFailure.SignatureExpire",
        "only once"
    );
}

#[test]
fn errors_are_redacted_and_say_why_an_export_was_not_resent() {
    let mut c = client(RetryPolicy::default(), None, false);
    let mut call = export(false);
    call.step(&mut c, Event::Start, now(0.0));
    let msg = format!("reset by peer while sending {TOKEN} / {KEY}");
    let a = call.step(
        &mut c,
        Event::Failed {
            timed_out: false,
            code: "ECONNRESET",
            message: &msg,
        },
        now(1.0),
    );
    let err = finished(&a).unwrap().as_ref().unwrap_err();
    assert_eq!(err.code(), "Client.NetworkError");
    assert!(err.may_have_executed());
    assert!(
        !err.message().contains(TOKEN) && !err.message().contains(KEY),
        "{}",
        err.message()
    );
    assert!(err.message().contains("not idempotent"), "{}", err.message());
}

#[test]
fn the_limiter_uses_the_monotonic_clock_whatever_the_wall_clock_does() {
    let mut c = client(RetryPolicy::default(), Some(2), false);
    let mut sends = Vec::new();
    for i in 0..6 {
        let mut call = export(false);
        let mut t = 0.0;
        // The wall clock jumps an hour back, then forward, between calls: irrelevant to waits.
        let wall_jump = [0.0, -3.6e6, 3.6e6][i % 3];
        let mut a = call.step(
            &mut c,
            Event::Start,
            Now {
                mono_ms: t,
                wall_ms: 1.7e12 + wall_jump,
                random: 0.5,
            },
        );
        while let Action::Wait(ms) | Action::WaitForSlot(ms) = a {
            t += ms;
            a = call.step(
                &mut c,
                Event::Elapsed,
                Now {
                    mono_ms: t,
                    wall_ms: 1.7e12 - wall_jump,
                    random: 0.5,
                },
            );
        }
        assert!(matches!(a, Action::Send { .. }));
        sends.push(t);
    }
    assert_eq!(sends[0], 0.0);
    assert!(sends[2] >= 1000.0 && sends[4] >= 2000.0, "{sends:?}");
    assert!(sends[5] < 3200.0, "{sends:?}");
}

// ---- properties ---------------------------------------------------------------------------

/// What the simulated transport answers to a send.
#[derive(Clone, Debug)]
enum Outcome {
    Ok,
    Throttled,
    Http(u16),
    InternalError,
    Truncated,
    Expired(i64),
    Refused,
    Reset,
    Timeout,
    Abort,
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Ok),
        Just(Outcome::Throttled),
        prop_oneof![Just(429u16), Just(500), Just(502), Just(404)].prop_map(Outcome::Http),
        Just(Outcome::InternalError),
        Just(Outcome::Truncated),
        (-3i64..3).prop_map(|m| Outcome::Expired(m * 400)),
        Just(Outcome::Refused),
        Just(Outcome::Reset),
        Just(Outcome::Timeout),
        Just(Outcome::Abort),
    ]
}

/// True when the server may have run a request answered this way.
fn may_have_run(o: &Outcome) -> bool {
    matches!(
        o,
        Outcome::Ok
            | Outcome::Http(500)
            | Outcome::Http(502)
            | Outcome::InternalError
            | Outcome::Truncated
            | Outcome::Reset
            | Outcome::Timeout
    )
}

fn http_date(secs: u64) -> String {
    // Only the date parser's format matters here; build it from the signer's calendar.
    let d = tc3_edge::tc3::UtcDate::from_timestamp(secs).to_string();
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m: usize = d[5..7].parse().unwrap();
    let s = secs % 86_400;
    format!(
        "Mon, {} {} {} {:02}:{:02}:{:02} GMT",
        &d[8..10],
        months[m - 1],
        &d[0..4],
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

struct Run {
    sends: Vec<f64>,
    /// Shared-limiter grants; `acquired_before_each_send`: every send came right after one.
    acquires: usize,
    acquired_before_each_send: bool,
    finishes: usize,
    result: Option<Result<String, tc3_edge::Error>>,
    resent_after_maybe_executed: bool,
    skew_resigns: usize,
}

/// Drives one call to its end with the transport answering `outcomes` in turn (then Ok).
fn drive(c: &mut Client, call: &mut Call, outcomes: &[Outcome], start: f64, random: f64) -> Run {
    let mut run = Run {
        sends: vec![],
        acquires: 0,
        acquired_before_each_send: true,
        finishes: 0,
        result: None,
        resent_after_maybe_executed: false,
        skew_resigns: 0,
    };
    let mut t = start;
    let mut next = outcomes.iter().cloned().chain(std::iter::repeat(Outcome::Ok));
    let mut maybe_executed = false;
    let mut last_expired = false;
    let shared = matches!(c.limiter, Limiter::Shared);
    let mut granted = false;
    let wall = |t: f64| 1_795_824_191_000.0 + t;
    let mut a = call.step(
        c,
        Event::Start,
        Now {
            mono_ms: t,
            wall_ms: wall(t),
            random,
        },
    );
    for _ in 0..200 {
        a = match a {
            Action::Wait(ms) | Action::WaitForSlot(ms) => {
                assert!(ms > 0.0 && ms.is_finite());
                t += ms;
                call.step(
                    c,
                    Event::Elapsed,
                    Now {
                        mono_ms: t,
                        wall_ms: wall(t),
                        random,
                    },
                )
            }
            Action::Acquire { timeout_ms } => {
                assert_eq!(timeout_ms, 5000.0, "bounded by reqTimeout");
                run.acquires += 1;
                granted = true;
                call.step(
                    c,
                    Event::Acquired,
                    Now {
                        mono_ms: t,
                        wall_ms: wall(t),
                        random,
                    },
                )
            }
            Action::Send { .. } => {
                if shared && !std::mem::take(&mut granted) {
                    run.acquired_before_each_send = false;
                }
                if maybe_executed {
                    run.resent_after_maybe_executed = true;
                }
                if last_expired {
                    run.skew_resigns += 1;
                }
                run.sends.push(t);
                let o = next.next().unwrap();
                maybe_executed |= may_have_run(&o);
                last_expired = false;
                let now = Now {
                    mono_ms: t,
                    wall_ms: wall(t),
                    random,
                };
                let server_date;
                let ev = match &o {
                    Outcome::Ok => Event::Response {
                        status: 200,
                        date: None,
                        body: OK_BODY,
                    },
                    Outcome::Throttled => Event::Response {
                        status: 200,
                        date: None,
                        body: r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow"},"RequestId":"r"}}"#,
                    },
                    Outcome::Http(s) => Event::Response {
                        status: *s,
                        date: None,
                        body: "<html>",
                    },
                    Outcome::InternalError => Event::Response {
                        status: 200,
                        date: None,
                        body: r#"{"Response":{"Error":{"Code":"InternalError","Message":"x"},"RequestId":"r"}}"#,
                    },
                    Outcome::Truncated => Event::Response {
                        status: 200,
                        date: None,
                        body: r#"{"Response":{"Task"#,
                    },
                    Outcome::Expired(skew) => {
                        last_expired = true;
                        server_date = http_date(((wall(t) / 1000.0) as i64 + *skew) as u64);
                        Event::Response {
                            status: 200,
                            date: Some(&server_date),
                            body: r#"{"Response":{"Error":{"Code":"AuthFailure.SignatureExpire","Message":"x"},"RequestId":"r"}}"#,
                        }
                    }
                    Outcome::Refused => Event::Failed {
                        timed_out: false,
                        code: "ECONNREFUSED",
                        message: "refused",
                    },
                    Outcome::Reset => Event::Failed {
                        timed_out: false,
                        code: "ECONNRESET",
                        message: "reset",
                    },
                    Outcome::Timeout => Event::Failed {
                        timed_out: true,
                        code: "",
                        message: "",
                    },
                    Outcome::Abort => Event::Aborted,
                };
                call.step(c, ev, now)
            }
            Action::Finish(r) => {
                run.finishes += 1;
                run.result = Some(r);
                // Anything after the end is ignored.
                for ev in [Event::Aborted, Event::Elapsed, Event::Start] {
                    assert!(matches!(
                        call.step(
                            c,
                            ev,
                            Now {
                                mono_ms: t,
                                wall_ms: wall(t),
                                random
                            }
                        ),
                        Action::Idle
                    ));
                }
                return run;
            }
            Action::CallProvider { .. } | Action::JoinProvider { .. } => panic!("fixed credential"),
            Action::Idle => panic!("Idle before Finish"),
        };
    }
    panic!("the call did not finish within 200 steps");
}

fn policy() -> impl Strategy<Value = RetryPolicy> {
    (0u32..5, 0u32..200).prop_map(|(max_retries, base_ms)| RetryPolicy {
        max_retries,
        base_ms,
        cap_ms: 2_000,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Every call finishes exactly once; a request that may have executed is never resent
    /// unless the call is idempotent (read-only or dry run); skew re-signing at most once.
    #[test]
    fn calls_finish_once_never_resend_a_maybe_executed_request_and_re_sign_at_most_once(
        outcomes in prop::collection::vec(outcome(), 0..8),
        retry in policy(),
        idempotent in any::<bool>(),
        limit in prop::option::of(1u32..5),
        random in 0.0f64..1.0,
    ) {
        let mut c = client(retry, limit, false);
        let mut call = export(idempotent);
        let run = drive(&mut c, &mut call, &outcomes, 0.0, random);
        prop_assert_eq!(run.finishes, 1);
        prop_assert!(idempotent || !run.resent_after_maybe_executed);
        prop_assert!(run.skew_resigns <= 1);
        prop_assert!(run.sends.len() as u32 <= retry.max_retries + 2, "bounded attempts: {}", run.sends.len());
        if let Some(Err(e)) = &run.result {
            prop_assert!(!e.message().contains(TOKEN) && !e.message().contains(KEY));
        }
    }

    /// Abort wins: delivered at any step, the call finishes at once with Client.Aborted
    /// (mayHaveExecuted exactly when a request was in flight), and nothing is sent after it.
    #[test]
    fn abort_always_wins(outcomes in prop::collection::vec(outcome(), 0..6), at in 0usize..12, limit in prop::option::of(1u32..3)) {
        let mut c = client(RetryPolicy { max_retries: 5, base_ms: 50, cap_ms: 500 }, limit, false);
        // Warm the limiter so that waits happen.
        for _ in 0..3 { drive(&mut c, &mut export(false), &[], 0.0, 0.5); }
        let mut call = export(true);
        let mut t = 0.0;
        let mut next = outcomes.iter().cloned().chain(std::iter::repeat(Outcome::Throttled));
        let mut a = call.step(&mut c, Event::Start, now(t));
        for _ in 0..at {
            a = match a {
                Action::Wait(ms) | Action::WaitForSlot(ms) => { t += ms; call.step(&mut c, Event::Elapsed, now(t)) }
                Action::Send { .. } => match next.next().unwrap() {
                    Outcome::Timeout => call.step(&mut c, Event::Failed { timed_out: true, code: "", message: "" }, now(t)),
                    _ => call.step(&mut c, Event::Response { status: 200, date: None, body: r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"x"},"RequestId":"r"}}"# }, now(t)),
                },
                other => other,
            };
            if matches!(a, Action::Finish(_)) { break; }
        }
        if !matches!(a, Action::Finish(_)) {
            let in_flight = call.in_flight();
            let r = call.step(&mut c, Event::Aborted, now(t));
            let err = finished(&r).expect("abort finishes the call").as_ref().unwrap_err();
            prop_assert_eq!(err.code(), "Client.Aborted");
            prop_assert_eq!(err.may_have_executed(), in_flight);
            prop_assert!(matches!(call.step(&mut c, Event::Elapsed, now(t + 1.0)), Action::Idle));
        }
    }

    /// The limiter is never bypassed, by first attempts or retries: over interleaved calls with
    /// throttled answers and random driver lag, no window of 1 s holds more than the limit.
    #[test]
    fn retries_never_bypass_the_limiter(
        n in 2usize..12,
        limit in 1u32..4,
        lags in prop::collection::vec(0.0f64..120.0, 64),
        throttled in prop::collection::vec(any::<bool>(), 64),
    ) {
        let mut c = client(RetryPolicy { max_retries: 3, base_ms: 10, cap_ms: 100 }, Some(limit), false);
        let mut calls: Vec<Call> = (0..n).map(|_| export(false)).collect();
        // (due time, call index, action): a tiny event loop.
        let mut queue: Vec<(f64, usize, Action)> = Vec::new();
        for (i, call) in calls.iter_mut().enumerate() {
            let a = call.step(&mut c, Event::Start, now(0.0));
            queue.push((0.0, i, a));
        }
        let mut sends = Vec::new();
        let mut k = 0;
        let mut finishes = vec![0; n];
        while let Some(pos) = queue.iter().enumerate().min_by(|a, b| a.1 .0.total_cmp(&b.1 .0)).map(|(p, _)| p) {
            let (t, i, a) = queue.swap_remove(pos);
            k += 1;
            let lag = lags[k % lags.len()];
            let next = match a {
                Action::Wait(ms) | Action::WaitForSlot(ms) => Some((t + ms + lag, Event::Elapsed)),
                Action::Send { .. } => {
                    sends.push(t);
                    Some((t + lag, if throttled[k % throttled.len()] {
                        Event::Response { status: 200, date: None, body: r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"x"},"RequestId":"r"}}"# }
                    } else {
                        Event::Response { status: 200, date: None, body: OK_BODY }
                    }))
                }
                Action::Finish(_) => { finishes[i] += 1; None }
                _ => None,
            };
            if let Some((due, ev)) = next {
                let a = calls[i].step(&mut c, ev, now(due));
                queue.push((due, i, a));
            }
            prop_assert!(k < 10_000);
        }
        prop_assert!(finishes.iter().all(|&f| f == 1));
        sends.sort_by(f64::total_cmp);
        for (j, &s) in sends.iter().enumerate() {
            let in_window = sends[j..].iter().take_while(|&&u| u < s + 1000.0).count();
            prop_assert!(in_window <= limit as usize, "{} sends in the second after {}", in_window, s);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// With a shared limiter (`rateLimit: { acquire }`), every attempt — first, retries, the
    /// skew re-sign — is granted by `acquire` right before it is sent: never bypassed, one
    /// grant per send, and the other invariants hold as with the client's own window.
    #[test]
    fn a_shared_limiter_grants_every_attempt_including_retries(
        outcomes in prop::collection::vec(outcome(), 0..8),
        retry in policy(),
        idempotent in any::<bool>(),
        random in 0.0f64..1.0,
    ) {
        let mut c = client(retry, None, false);
        c.limiter = Limiter::Shared;
        let mut call = export(idempotent);
        let run = drive(&mut c, &mut call, &outcomes, 0.0, random);
        prop_assert_eq!(run.finishes, 1);
        prop_assert!(run.acquired_before_each_send, "a send without its own grant");
        prop_assert_eq!(run.acquires, run.sends.len(), "one grant per send");
        prop_assert!(idempotent || !run.resent_after_maybe_executed);
        prop_assert!(run.skew_resigns <= 1);
    }
}

fn shared_client() -> Client {
    let mut c = client(RetryPolicy::default(), None, false);
    c.limiter = Limiter::Shared;
    c
}

#[test]
fn a_shared_limiter_is_asked_before_the_send_and_a_retry_asks_again() {
    let mut c = shared_client();
    let mut call = export(false);
    assert!(
        matches!(call.step(&mut c, Event::Start, now(0.0)), Action::Acquire { .. }),
        "acquire comes first"
    );
    assert!(matches!(
        call.step(&mut c, Event::Acquired, now(1.0)),
        Action::Send { .. }
    ));
    let throttled = r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"x"},"RequestId":"r"}}"#;
    let a = call.step(
        &mut c,
        Event::Response {
            status: 200,
            date: None,
            body: throttled,
        },
        now(2.0),
    );
    let Action::Wait(ms) = a else {
        panic!("backoff expected")
    };
    assert!(
        matches!(call.step(&mut c, Event::Elapsed, now(2.0 + ms)), Action::Acquire { .. }),
        "the retry re-acquires"
    );
    assert!(matches!(
        call.step(&mut c, Event::Acquired, now(3.0 + ms)),
        Action::Send { .. }
    ));
}

#[test]
fn a_shared_limiter_that_rejects_or_hangs_ends_the_call_with_nothing_sent() {
    let mut c = shared_client();
    let mut call = export(false);
    assert!(matches!(
        call.step(&mut c, Event::Start, now(0.0)),
        Action::Acquire { .. }
    ));
    let r = call.step(&mut c, Event::AcquireFailed(Some("queue full")), now(1.0));
    let err = finished(&r).unwrap().as_ref().unwrap_err();
    assert_eq!(err.code(), "Client.RateLimiterError");
    assert_eq!(err.message(), "the rate limiter refused the request: queue full");
    assert!(!err.may_have_executed());

    let mut call = export(false);
    assert!(
        matches!(call.step(&mut c, Event::Start, now(0.0)), Action::Acquire { timeout_ms } if timeout_ms == 5000.0)
    );
    let r = call.step(&mut c, Event::AcquireFailed(None), now(5000.0));
    let err = finished(&r).unwrap().as_ref().unwrap_err();
    assert_eq!(err.code(), "Client.RateLimiterError");
    assert_eq!(
        err.message(),
        "the rate limiter did not grant a slot within 5 s (reqTimeout)"
    );

    // Abort while acquiring: Client.Aborted, and it was not in flight.
    let mut call = export(false);
    assert!(matches!(
        call.step(&mut c, Event::Start, now(0.0)),
        Action::Acquire { .. }
    ));
    let r = call.step(&mut c, Event::Aborted, now(1.0));
    let err = finished(&r).unwrap().as_ref().unwrap_err();
    assert_eq!(err.code(), "Client.Aborted");
    assert!(!err.may_have_executed());
    assert!(
        matches!(call.step(&mut c, Event::Acquired, now(2.0)), Action::Idle),
        "a late grant is ignored"
    );
}

#[test]
fn non_idempotent_and_idempotent_differ_only_on_unknown_outcomes() {
    let mut c = client(RetryPolicy::default(), None, false);
    let run = drive(&mut c, &mut export(true), &[Outcome::Timeout], 0.0, 0.0);
    assert_eq!(run.sends.len(), 2, "a dry run is resent after a timeout");
    let run = drive(&mut c, &mut export(false), &[Outcome::Timeout], 0.0, 0.0);
    assert_eq!(run.sends.len(), 1);
    let err = run.result.unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.may_have_executed());
    let run = drive(
        &mut c,
        &mut export(false),
        &[Outcome::Refused, Outcome::Throttled],
        0.0,
        0.0,
    );
    assert_eq!(
        run.sends.len(),
        3,
        "never sent or throttled: resent even for ExportImages"
    );
    assert!(run.result.unwrap().is_ok());
}

#[test]
fn calls_are_made_from_what_js_passed_and_only_safe_ones_are_idempotent() {
    use tc3_edge::client::{ClientConfig, ClientOptions};
    let config = ClientConfig::new(&ClientOptions {
        region: Some("ap-guangzhou"),
        ..Default::default()
    })
    .unwrap();
    let e = Call::export_images(&config, None).err().expect("no JSON form");
    assert_eq!(e.code(), "InvalidParameter");
    assert!(e.message().contains("JSON-serializable"), "{}", e.message());
    let params = r#"{"ImageIds":["img-72n9mi0y"],"BucketName":"b-1250000000","DryRun":true}"#;
    assert!(Call::export_images(&config, Some(params)).is_ok());
    let bad = r#"{"ImageIds":["nope"],"BucketName":"b-1250000000"}"#;
    assert_eq!(
        Call::export_images(&config, Some(bad))
            .err()
            .expect("validated")
            .field(),
        Some("ImageIds.0")
    );
    assert_eq!(
        Call::request("DescribeImages", None).err().expect("no JSON").code(),
        "InvalidParameter"
    );
    assert_eq!(
        Call::request("DescribeImages", Some("[1]"))
            .err()
            .expect("not an object")
            .code(),
        "InvalidParameter"
    );
    assert!(Call::request("bad action", Some("{}")).is_err());
    assert_eq!(Call::request("DescribeImages", Some("{}")).unwrap().body(), "{}");
}
