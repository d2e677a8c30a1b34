//! Property tests of the export wait as the driver sees it (`tc3_edge::client::wait_job`):
//! arbitrary event sequences — the right ones, ones for another provider call, answers while a
//! progress report is out, fetch messages that echo the secrets — against a client with fixed
//! or provided temporary credentials. Invariants: no panic; the wait settles exactly once
//! (`Finish`), then answers every event with `Idle`; a provider action is always answered by
//! the provider call it names or a typed error (never `Client.Aborted` unless the event was
//! `Aborted`); no error, report or result carries the SecretKey, and the session token appears
//! only in a request's `x-cos-security-token` header and links' query.

#![cfg(not(target_arch = "wasm32"))] // proptest does not build for wasm32 (see Cargo.toml)

use proptest::prelude::*;

use tc3_edge::client::wait_export::{Mode, WaitOptions};
use tc3_edge::client::wait_job::{Action, Event, WaitJob, WaitRequest};
use tc3_edge::client::{Client, Now};
use tc3_edge::tc3::Credential;

// Shared test code: tests/support/*.rs (cargo builds only tests/*.rs as test crates).
mod support {
    pub mod client;
    pub mod proptest_cases;
    pub mod wait;
}
use support::proptest_cases::config;
use support::wait::reply;

const SECRET: &str = "key-SECRET-0123456789abcdef";
const TOKEN: &str = "session-TOKEN-0123456789";

fn client(provider: bool) -> Client {
    support::wait::client(provider, SECRET, TOKEN)
}

/// What the driver reports, as data (the replies' texts are fixed below).
#[derive(Clone, Debug)]
enum Ev {
    Start,
    Ready,
    Missing,
    Forbidden(u16),
    Failed {
        timed_out: bool,
        refused: bool,
        echo: bool,
    },
    Elapsed,
    Continue,
    /// The provider call last asked for (`false`), or another one (`true`). (Its error never
    /// echoes the secrets: before its first answer the wait knows none to redact.)
    Provided {
        other: bool,
        ok: bool,
    },
    ProviderTimeout {
        other: bool,
    },
    ProviderGone {
        other: bool,
    },
    Aborted,
}

fn ev() -> impl Strategy<Value = Ev> {
    prop_oneof![
        1 => Just(Ev::Start),
        4 => Just(Ev::Ready),
        4 => Just(Ev::Missing),
        1 => prop_oneof![Just(403u16), Just(404), Just(500), Just(301)].prop_map(Ev::Forbidden),
        2 => (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(timed_out, refused, echo)| Ev::Failed { timed_out, refused, echo }),
        3 => Just(Ev::Elapsed),
        3 => Just(Ev::Continue),
        3 => (prop::bool::weighted(0.2), prop::bool::weighted(0.8)).prop_map(|(other, ok)| Ev::Provided { other, ok }),
        1 => any::<bool>().prop_map(|other| Ev::ProviderTimeout { other }),
        1 => any::<bool>().prop_map(|other| Ev::ProviderGone { other }),
        1 => Just(Ev::Aborted),
    ]
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn the_wait_settles_once_and_keeps_its_secrets(
        provider in any::<bool>(),
        once in any::<bool>(),
        progress in any::<bool>(),
        events in prop::collection::vec(ev(), 0..40),
    ) {
        let mut c = client(provider);
        let mode = if once { Mode::Once } else { Mode::UntilReady };
        let request = WaitRequest {
            bucket: Some("backup-1250000000".into()),
            keys: vec!["/a.qcow2".into(), "/b.qcow2".into()],
            options: WaitOptions { timeout_secs: Some(600.0), interval_secs: Some(1.0), ..Default::default() },
            wants_progress: progress,
            ..Default::default()
        };
        let mut job = WaitJob::new(&c, request, mode).unwrap();
        let mut asked: u32 = 0;
        let mut finished = 0;
        let echo = ["x-cos-security-token: ", TOKEN, " secret ", SECRET].concat();
        // The driver always starts the wait; what follows is arbitrary.
        for (i, e) in std::iter::once(&Ev::Start).chain(&events).enumerate() {
            let now = Now { mono_ms: i as f64 * 1000.0, wall_ms: 1_795_824_191_000.0 + i as f64 * 1000.0, random: 0.5 };
            let id = |other: bool| if other { asked.wrapping_add(7) } else { asked };
            let event = match e {
                Ev::Start => Event::Start,
                Ev::Ready => Event::Response(reply(200, "")),
                Ev::Missing => Event::Response(reply(404, "<Error><Code>NoSuchKey</Code><Message>m</Message></Error>")),
                Ev::Forbidden(s) => Event::Response(reply(*s, "")),
                Ev::Failed { timed_out, refused, echo: loud } => Event::Failed {
                    timed_out: *timed_out,
                    code: if *refused { "ECONNREFUSED" } else { "" },
                    message: if *loud { &echo } else { "boom" },
                },
                Ev::Elapsed => Event::Elapsed,
                Ev::Continue => Event::Continue,
                Ev::Provided { other, ok } => Event::Provided(
                    id(*other),
                    if *ok {
                        Ok((Credential::new("AKIDtmp", SECRET, Some(TOKEN)).unwrap(), None))
                    } else {
                        Err(tc3_edge::Error::new(tc3_edge::ErrorKind::CredentialProvider, "no"))
                    },
                ),
                Ev::ProviderTimeout { other } => Event::ProviderTimeout(id(*other)),
                Ev::ProviderGone { other } => Event::ProviderGone(id(*other)),
                Ev::Aborted => Event::Aborted,
            };
            let aborted = matches!(e, Ev::Aborted);
            let action = job.step(&mut c, event, now);
            if finished > 0 {
                prop_assert_eq!(action, Action::Idle, "after the end: {:?}", e);
                continue;
            }
            match action {
                Action::Finish(result) => {
                    finished += 1;
                    prop_assert!(job.is_done());
                    match result {
                        Ok(json) => prop_assert!(!json.contains(SECRET)),
                        Err(err) => {
                            prop_assert!(!err.message().contains(SECRET) && !err.message().contains(TOKEN), "{}", err.message());
                            prop_assert!(aborted || err.code() != "Client.Aborted", "{:?} ended as an abort", e);
                        }
                    }
                }
                Action::Send { url, headers, timeout_ms, .. } => {
                    prop_assert!(timeout_ms >= 1.0);
                    prop_assert!(!url.contains(SECRET) && !url.contains(TOKEN));
                    for (name, value) in &headers {
                        prop_assert!(!value.contains(SECRET));
                        prop_assert!(name == "x-cos-security-token" || !value.contains(TOKEN), "{}", name);
                    }
                }
                Action::Progress(json) => prop_assert!(!json.contains(SECRET)),
                Action::CallProvider { id, .. } | Action::JoinProvider { id, .. } => {
                    prop_assert!(provider, "a fixed credential never asks");
                    asked = id;
                }
                Action::Wait(ms) => prop_assert!(ms > 0.0 && ms <= 600_000.0),
                Action::Idle => prop_assert!(false, "Idle before the end, on {:?}", e),
            }
        }
        prop_assert!(finished <= 1);
    }
}
