//! Issue #18, natively: the notes the call machine reports for `onEvent`, the trace header, the
//! attempt counters, and failover to `httpProfile.backupEndpoint` (which attempts go where, and
//! that nothing that may have executed is sent to the other endpoint).
#![cfg(not(target_arch = "wasm32"))]

use std::rc::Rc;

use tc3_edge::client::failover::OPEN_MS;
use tc3_edge::client::observe::Note;
use tc3_edge::client::{Action, Call, Client, ClientOptions, Credentials, Event, Now, Shape};
use tc3_edge::tc3::{Credential, SigningKeyCache};

// Shared test code: tests/support/*.rs (cargo builds only tests/*.rs as test crates).
mod support {
    pub mod client;
}

const OK: &str = r#"{"Response":{"RequestId":"r-ok"}}"#;
const THROTTLED: &str = r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"m"},"RequestId":"r-1"}}"#;

fn client(backup: Option<&str>, host: Option<&str>) -> Client {
    let options = ClientOptions {
        region: Some("ap-guangzhou"),
        backup_endpoint: backup,
        host,
        ..Default::default()
    };
    let credential = Credential::new("AKIDtest", "key", None).unwrap();
    support::client::client(&options, Credentials::Fixed(Rc::new(credential)))
}

fn now(mono_ms: f64) -> Now {
    Now {
        mono_ms,
        wall_ms: 1_795_824_191_000.0 + mono_ms,
        random: 0.5,
    }
}

fn read() -> Call {
    Call::new("DescribeImages", "{}".into(), true, Shape::Raw)
}

fn export() -> Call {
    Call::new("ExportImages", "{}".into(), false, Shape::Raw)
}

const REFUSED: Event<'static> = Event::Failed {
    timed_out: false,
    code: "ECONNREFUSED",
    message: "fetch failed",
};
const RESET: Event<'static> = Event::Failed {
    timed_out: false,
    code: "ECONNRESET",
    message: "fetch failed",
};

/// An HTTP 200 answer with `body` (the API's errors come with 200 too).
fn answered(body: &'static str) -> Event<'static> {
    Event::Response {
        status: 200,
        date: None,
        body,
    }
}

/// The Send's `backup` flag, or a panic naming the action.
fn sent_to_backup(a: &Action) -> bool {
    match a {
        Action::Send { backup, .. } => *backup,
        Action::Finish(Err(e)) => panic!("finished: {} {}", e.code(), e.message()),
        _ => panic!("not a Send"),
    }
}

fn header<'a>(a: &'a Action, name: &str) -> Option<&'a str> {
    match a {
        Action::Send { signed, .. } => signed.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str()),
        _ => None,
    }
}

#[test]
fn notes_of_a_throttled_then_successful_call() {
    let mut c = client(None, None);
    let mut call = read().with_trace_id("trace-1").observed();
    let a = call.step(&mut c, Event::Start, now(0.0));
    assert_eq!(header(&a, "X-TC-TraceId"), Some("trace-1"));
    let a = call.step(&mut c, answered(THROTTLED), now(8.0));
    assert!(matches!(a, Action::Wait(_)));
    let a = call.step(&mut c, Event::Elapsed, now(100.0));
    assert_eq!(header(&a, "X-TC-TraceId"), Some("trace-1"), "every attempt carries it");
    call.step(&mut c, answered(OK), now(110.0));
    let notes = call.take_notes();
    let kinds: Vec<String> = notes
        .iter()
        .map(|n| match n {
            Note::Request { attempt, .. } => format!("request {attempt}"),
            Note::Response {
                attempt,
                error_code,
                duration_ms,
                ..
            } => {
                format!(
                    "response {attempt} {} {duration_ms}",
                    error_code.as_deref().unwrap_or("-")
                )
            }
            Note::Retry { attempt, reason, .. } => format!("retry {attempt} {reason}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "request 1",
            "response 1 RequestLimitExceeded 8",
            "retry 2 RequestLimitExceeded",
            "request 2",
            "response 2 - 10"
        ]
    );
    let Note::Retry { delay_ms, .. } = &notes[2] else {
        unreachable!()
    };
    assert_eq!((call.attempts(), call.retry_delay_ms()), (2, u64::from(*delay_ms)));
    assert!(call.take_notes().is_empty(), "taken once");
}

#[test]
fn an_unobserved_call_records_nothing() {
    let mut c = client(None, None);
    let mut call = read();
    call.step(&mut c, Event::Start, now(0.0));
    call.step(&mut c, answered(OK), now(1.0));
    assert!(call.take_notes().is_empty());
    assert_eq!(call.attempts(), 1);
}

#[test]
fn refused_at_the_primary_goes_to_the_backup_at_once_signed_for_its_host() {
    let mut c = client(Some("backup.example.com"), None);
    let mut call = export().observed();
    let first = call.step(&mut c, Event::Start, now(0.0));
    assert!(!sent_to_backup(&first));
    let second = call.step(&mut c, REFUSED, now(1.0));
    assert!(
        sent_to_backup(&second),
        "ExportImages too: a refused connection executed nothing"
    );
    // Signed for backup.example.com: the same request signed for it gives the same Authorization.
    let ts: u64 = header(&second, "X-TC-Timestamp").unwrap().parse().unwrap();
    let expected = c
        .config
        .sign_for(
            true,
            &Credential::new("AKIDtest", "key", None).unwrap(),
            &mut SigningKeyCache::new(),
            "ExportImages",
            "{}",
            ts,
        )
        .unwrap();
    let auth =
        |s: &tc3_edge::tc3::SignedRequest| s.headers.iter().find(|(n, _)| *n == "Authorization").unwrap().1.clone();
    assert_eq!(header(&second, "Authorization"), Some(auth(&expected).as_str()));
    assert_ne!(header(&first, "Authorization"), header(&second, "Authorization"));
    let hosts: Vec<_> = call
        .take_notes()
        .into_iter()
        .filter_map(|n| match n {
            Note::Request { host, .. } => Some(host),
            _ => None,
        })
        .collect();
    assert_eq!(hosts, ["cvm.tencentcloudapi.com", "backup.example.com"]);
}

#[test]
fn a_pinned_host_stays_signed_at_the_backup() {
    let c = client(Some("http://127.0.0.1:9"), Some("cvm.tencentcloudapi.com"));
    assert_eq!(c.config.backup_signing_host, "cvm.tencentcloudapi.com");
    let c = client(Some("http://127.0.0.1:9"), None);
    assert_eq!(c.config.backup_signing_host, "127.0.0.1");
}

#[test]
fn no_failover_after_a_failure_that_may_have_executed() {
    // A read after a reset: resent, but to the same endpoint.
    let mut c = client(Some("backup.example.com"), None);
    let mut call = read();
    assert!(!sent_to_backup(&call.step(&mut c, Event::Start, now(0.0))));
    assert!(matches!(call.step(&mut c, RESET, now(1.0)), Action::Wait(_)));
    assert!(!sent_to_backup(&call.step(&mut c, Event::Elapsed, now(200.0))));
    // ...even if it is refused there later: the first attempt may have run at the primary.
    let a = call.step(&mut c, REFUSED, now(201.0));
    assert!(matches!(a, Action::Wait(_)), "retried by the policy, not failed over");
    assert!(!sent_to_backup(&call.step(&mut c, Event::Elapsed, now(400.0))));

    // A write after a reset: not resent at all.
    let mut call = export();
    call.step(&mut c, Event::Start, now(500.0));
    let a = call.step(&mut c, RESET, now(501.0));
    assert!(matches!(&a, Action::Finish(Err(e)) if e.may_have_executed()));
}

#[test]
fn a_write_that_reached_the_backup_is_never_resent_to_the_primary() {
    let mut c = client(Some("backup.example.com"), None);
    let mut call = export();
    call.step(&mut c, Event::Start, now(0.0));
    assert!(sent_to_backup(&call.step(&mut c, REFUSED, now(1.0))));
    let a = call.step(&mut c, RESET, now(2.0));
    assert!(matches!(&a, Action::Finish(Err(e)) if e.may_have_executed()));
}

#[test]
fn the_breaker_opens_after_five_calls_refused_in_a_row_for_sixty_seconds() {
    let mut c = client(Some("backup.example.com"), None);
    let mut t = 0.0;
    for _ in 0..5 {
        let mut call = read();
        assert!(
            !sent_to_backup(&call.step(&mut c, Event::Start, now(t))),
            "closed: primary first"
        );
        assert!(sent_to_backup(&call.step(&mut c, REFUSED, now(t + 1.0))));
        call.step(&mut c, answered(OK), now(t + 2.0));
        t += 10.0;
    }
    // Open: straight to the backup, until 60 s after the fifth failure (at t = 41 ms).
    let opened_at = 41.0;
    for at in [t, opened_at + OPEN_MS - 1.0] {
        let mut call = read();
        assert!(sent_to_backup(&call.step(&mut c, Event::Start, now(at))), "at {at}");
    }
    let mut probe = read();
    assert!(
        !sent_to_backup(&probe.step(&mut c, Event::Start, now(opened_at + OPEN_MS))),
        "then the primary again"
    );
    probe.step(&mut c, answered(OK), now(opened_at + OPEN_MS + 5.0));
    let mut call = read();
    assert!(
        !sent_to_backup(&call.step(&mut c, Event::Start, now(opened_at + OPEN_MS + 10.0))),
        "closed by the answer"
    );
}

#[test]
fn without_a_backup_a_refused_connection_follows_the_retry_policy() {
    let mut c = client(None, None);
    let mut call = export();
    call.step(&mut c, Event::Start, now(0.0));
    assert!(matches!(call.step(&mut c, REFUSED, now(1.0)), Action::Wait(_)));
}

#[test]
fn a_timeout_pins_the_call_but_does_not_close_an_open_breaker() {
    let mut c = client(Some("backup.example.com"), None);
    for t in 0..5 {
        let mut call = read();
        call.step(&mut c, Event::Start, now(f64::from(t)));
        call.step(&mut c, REFUSED, now(f64::from(t)));
        call.step(&mut c, answered(OK), now(f64::from(t)));
    }
    // Half-open probe at the primary times out: unknown whether it connected.
    let mut probe = read();
    assert!(!sent_to_backup(&probe.step(&mut c, Event::Start, now(OPEN_MS + 10.0))));
    let timeout = Event::Failed {
        timed_out: true,
        code: "",
        message: "timeout",
    };
    assert!(matches!(
        probe.step(&mut c, timeout, now(OPEN_MS + 5_010.0)),
        Action::Wait(_)
    ));
    assert!(
        !sent_to_backup(&probe.step(&mut c, Event::Elapsed, now(OPEN_MS + 5_200.0))),
        "pinned to the primary"
    );
    // The breaker was not closed by the timeout: one refused probe reopens it at once.
    let mut next = read();
    assert!(!sent_to_backup(&next.step(
        &mut c,
        Event::Start,
        now(OPEN_MS + 6_000.0)
    )));
    assert!(sent_to_backup(&next.step(&mut c, REFUSED, now(OPEN_MS + 6_001.0))));
    let mut after = read();
    assert!(
        sent_to_backup(&after.step(&mut c, Event::Start, now(OPEN_MS + 6_002.0))),
        "open again"
    );
}
