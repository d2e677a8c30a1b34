//! Issue #17 — the call and the wait at their edges, natively against the machines
//! (`src/client/call.rs`, `wait_export.rs`, `limiter.rs`, `clock.rs`): credential expiry on the
//! server's clock, a limiter that gives back what an aborted call held and refuses a wait past
//! reqTimeout, a provider call given up by its starter, redirects refused, stale files kept
//! pending (`notBefore`), COS clock skew re-signed once per poll.
#![cfg(not(target_arch = "wasm32"))]

use std::rc::Rc;

use tc3_edge::client::cos_reply::{judge, CosReply, PollMethod, Verdict};
use tc3_edge::client::limiter::RateLimiter;
use tc3_edge::client::wait_export::{
    Action as WaitAction, Event as WaitEvent, Mode, WaitOptions, WaitSettings, Waiter,
};
use tc3_edge::client::{
    Action, Call, Client, ClientConfig, ClientOptions, ClockSkew, Credentials, Event, Now, RetryPolicy, Shape,
};
use tc3_edge::tc3::{Credential, SigningKeyCache};
use tc3_edge::ErrorKind;

/// Server time at the tests' start: Sat, 28 Nov 2026 00:03:11 GMT.
const SERVER: u64 = 1_795_824_191;
const SERVER_DATE: &str = "Sat, 28 Nov 2026 00:03:11 GMT";

fn client(limit: Option<u32>, provider: bool, req_timeout_secs: f64) -> Client {
    Client {
        config: ClientConfig::new(&ClientOptions {
            region: Some("ap-guangzhou"),
            req_timeout_secs: Some(req_timeout_secs),
            ..Default::default()
        })
        .unwrap(),
        retry: RetryPolicy::default(),
        limiter: limit.map(RateLimiter::per_second).into(),
        clock: ClockSkew::default(),
        keys: SigningKeyCache::new(),
        credentials: if provider {
            Credentials::Provider(Default::default())
        } else {
            Credentials::Fixed(Rc::new(Credential::new("AKIDtest", "key-SECRET-abcdef", None).unwrap()))
        },
        failover: Default::default(),
    }
}

/// The clocks with the local wall clock `local_secs` (monotonic `mono_ms`).
fn at(mono_ms: f64, local_secs: u64) -> Now {
    Now {
        mono_ms,
        wall_ms: local_secs as f64 * 1000.0,
        random: 0.5,
    }
}

fn describe() -> Call {
    Call::new("DescribeImages", "{}".into(), true, Shape::Raw)
}

fn error_of(a: &Action) -> &tc3_edge::Error {
    match a {
        Action::Finish(Err(e)) => e,
        _ => panic!("expected a failed finish"),
    }
}

// ---- 1. Credential expiry on the server's clock -------------------------------------------

#[test]
fn a_credential_expiring_on_the_servers_clock_is_refreshed_although_the_local_clock_is_slow() {
    // The browser's clock is 10 minutes slow; the client has learned that (+600 s).
    let local = SERVER - 600;
    let mut c = client(None, true, 5.0);
    assert!(c.clock.on_signature_expired(Some(SERVER_DATE), local));
    // An STS answer expiring 200 s from now on the server's clock — 800 s on the local one.
    let mut first = describe();
    let Action::CallProvider { id, .. } = first.step(&mut c, Event::Start, at(0.0, local)) else {
        panic!("nothing cached yet")
    };
    let cred = Credential::new("AKIDsts", "sts-key", Some("sts-token")).unwrap();
    assert!(matches!(
        first.step(
            &mut c,
            Event::Provided(id, Ok((cred, Some(SERVER + 200)))),
            at(1.0, local)
        ),
        Action::Send { .. }
    ));
    // The next call: within the 5-minute margin on the server's clock, so refreshed first.
    let a = describe().step(&mut c, Event::Start, at(2.0, local));
    assert!(
        matches!(a, Action::CallProvider { .. }),
        "the expiring token must not be sent again"
    );
    // The export waiter's signer judges the same way.
    assert!(c.credentials.usable(at(3.0, local), c.clock, 5000.0).is_err());
}

// ---- 2. Cancellation that reaches; the limiter's bound --------------------------------------

#[test]
fn an_aborted_limiter_wait_gives_its_slot_back_and_the_calls_behind_move_up() {
    let mut c = client(Some(1), false, 10.0);
    let (mut a, mut b, mut d) = (describe(), describe(), describe());
    assert!(matches!(
        a.step(&mut c, Event::Start, at(0.0, SERVER)),
        Action::Send { .. }
    ));
    let Action::WaitForSlot(wait_b) = b.step(&mut c, Event::Start, at(0.0, SERVER)) else {
        panic!("b waits for the limiter")
    };
    let Action::WaitForSlot(wait_d) = d.step(&mut c, Event::Start, at(0.0, SERVER)) else {
        panic!("d waits behind b")
    };
    assert!(wait_d > wait_b + 1000.0, "{wait_b} {wait_d}");
    // b gives up: its slot is given back; d, woken, reserves again and gets b's place.
    let r = b.step(&mut c, Event::Aborted, at(100.0, SERVER));
    assert_eq!(error_of(&r).code(), "Client.Aborted");
    let Action::WaitForSlot(moved) = d.step(&mut c, Event::Wake, at(100.0, SERVER)) else {
        panic!("d still waits, less")
    };
    assert!(
        (100.0 + moved - wait_b).abs() < 1e-6,
        "d now leaves when b would have: {moved}"
    );
    assert!(matches!(
        d.step(&mut c, Event::Elapsed, at(100.0 + moved, SERVER)),
        Action::Send { .. }
    ));
}

#[test]
fn a_wait_in_the_limiter_longer_than_req_timeout_is_refused_at_once() {
    let mut c = client(Some(1), false, 1.0);
    assert!(matches!(
        describe().step(&mut c, Event::Start, at(0.0, SERVER)),
        Action::Send { .. }
    ));
    let mut late = describe();
    let r = late.step(&mut c, Event::Start, at(0.0, SERVER));
    let e = error_of(&r);
    assert_eq!(e.kind(), ErrorKind::RateLimiter);
    assert!(e.message().contains("would have to wait 1100 ms"), "{}", e.message());
    assert!(e.message().contains("reqTimeout (1 s)"), "{}", e.message());
    // Its slot was not kept: the next call waits as if it had never asked.
    let Action::WaitForSlot(ms) = describe().step(&mut c, Event::Start, at(200.0, SERVER)) else {
        panic!("a call within the bound waits")
    };
    assert!((ms - 900.0).abs() < 1e-6, "{ms}");
}

#[test]
fn a_joined_provider_call_given_up_by_its_starter_is_asked_anew() {
    let mut c = client(None, true, 5.0);
    let (mut starter, mut joiner) = (describe(), describe());
    let Action::CallProvider { id, .. } = starter.step(&mut c, Event::Start, at(0.0, SERVER)) else {
        panic!()
    };
    assert!(
        matches!(joiner.step(&mut c, Event::Start, at(1.0, SERVER)), Action::JoinProvider { id: j, .. } if j == id)
    );
    let r = starter.step(&mut c, Event::Aborted, at(2.0, SERVER));
    assert_eq!(error_of(&r).code(), "Client.Aborted");
    // The driver tells the joiner its call is gone: it starts its own.
    let Action::CallProvider { id: again, .. } = joiner.step(&mut c, Event::ProviderGone(id), at(3.0, SERVER)) else {
        panic!("a new provider call")
    };
    assert_ne!(again, id);
    let cred = Credential::new("AKIDp", "provider-key", None).unwrap();
    assert!(matches!(
        joiner.step(&mut c, Event::Provided(again, Ok((cred, None))), at(4.0, SERVER)),
        Action::Send { .. }
    ));
}

// ---- 4. Redirects ----------------------------------------------------------------------------

#[test]
fn a_redirect_from_the_api_is_a_final_http_status_error_not_retried() {
    for status in [301u16, 302, 307, 308, 0] {
        let mut c = client(None, false, 5.0);
        let mut call = describe(); // read-only: would be retried after a 5xx
        assert!(matches!(
            call.step(&mut c, Event::Start, at(0.0, SERVER)),
            Action::Send { .. }
        ));
        let r = call.step(
            &mut c,
            Event::Response {
                status,
                date: None,
                body: r#"{"Response":{"RequestId":"r"}}"#,
            },
            at(1.0, SERVER),
        );
        let e = error_of(&r);
        assert_eq!(e.code(), "Client.HttpStatus", "{status}");
        assert_eq!(e.status(), (status != 0).then_some(status));
        assert!(e.message().contains("redirects are not followed"), "{}", e.message());
        assert_eq!(call.retries(), 0);
    }
}

#[test]
fn a_redirect_from_cos_ends_the_wait() {
    for status in [301u16, 302, 307, 0] {
        let reply = CosReply {
            status,
            ..CosReply::default()
        };
        let Verdict::Fatal(e) = judge(PollMethod::Head, "/a.raw", &reply, true) else {
            panic!("{status}: a redirect is fatal")
        };
        assert_eq!(
            (e.code(), e.status()),
            ("Client.HttpStatus", (status != 0).then_some(status))
        );
    }
}

// ---- 5. Stale files (notBefore) ---------------------------------------------------------------

fn settings(not_before: Option<f64>) -> Result<WaitSettings, tc3_edge::Error> {
    WaitSettings::new(
        &WaitOptions {
            timeout_secs: Some(60.0),
            interval_secs: Some(1.0),
            max_interval_secs: Some(1.0),
            not_before_secs: not_before,
        },
        5,
        Mode::UntilReady,
    )
}

fn found(last_modified: Option<&str>) -> CosReply<'_> {
    CosReply {
        status: 200,
        content_length: Some("7"),
        last_modified,
        ..CosReply::default()
    }
}

#[test]
fn a_file_older_than_not_before_stays_pending_until_a_newer_one_is_there() {
    // notBefore = SERVER: a file from yesterday is an earlier export's.
    let mut w = Waiter::new(settings(Some(SERVER as f64)).unwrap(), &["/a.raw".into()]);
    assert!(matches!(w.step(0.0, 0.5, WaitEvent::Start).action, WaitAction::Send(_)));
    let yesterday = "Fri, 27 Nov 2026 00:03:11 GMT";
    let s = w.step(10.0, 0.5, WaitEvent::Response(found(Some(yesterday))));
    assert!(matches!(s.action, WaitAction::Wait(_)), "stays pending: {:?}", s.action);
    assert_eq!(w.ready(), 0);
    // No Last-Modified: it cannot be told apart, so it is not taken either.
    assert!(matches!(
        w.step(1010.0, 0.5, WaitEvent::Elapsed).action,
        WaitAction::Send(_)
    ));
    assert!(matches!(
        w.step(1020.0, 0.5, WaitEvent::Response(found(None))).action,
        WaitAction::Wait(_)
    ));
    // 59 s before notBefore (clock slack): this export's file.
    assert!(matches!(
        w.step(2020.0, 0.5, WaitEvent::Elapsed).action,
        WaitAction::Send(_)
    ));
    let s = w.step(
        2030.0,
        0.5,
        WaitEvent::Response(found(Some("Sat, 28 Nov 2026 00:02:12 GMT"))),
    );
    let WaitAction::Finish(Ok(files)) = s.action else {
        panic!("ready: {:?}", s.action)
    };
    assert_eq!(
        files[0].ready.as_ref().unwrap().last_modified.as_deref(),
        Some("2026-11-28T00:02:12.000Z")
    );
    // 61 s before: stale.
    let mut w = Waiter::new(settings(Some(SERVER as f64)).unwrap(), &["/a.raw".into()]);
    w.step(0.0, 0.5, WaitEvent::Start);
    let s = w.step(
        1.0,
        0.5,
        WaitEvent::Response(found(Some("Sat, 28 Nov 2026 00:02:10 GMT"))),
    );
    assert!(matches!(s.action, WaitAction::Wait(_)));
    // Without notBefore the old file counts, as before.
    let mut w = Waiter::new(settings(None).unwrap(), &["/a.raw".into()]);
    w.step(0.0, 0.5, WaitEvent::Start);
    assert!(matches!(
        w.step(1.0, 0.5, WaitEvent::Response(found(Some(yesterday)))).action,
        WaitAction::Finish(Ok(_))
    ));
}

#[test]
fn not_before_is_checked() {
    for bad in [f64::NAN, f64::INFINITY, -1.0, 253_402_300_800.0] {
        let e = settings(Some(bad)).unwrap_err();
        assert_eq!(
            (e.code(), e.field()),
            ("Client.InvalidOption", Some("notBefore")),
            "{bad}"
        );
    }
    assert!(settings(Some(0.0)).is_ok());
    assert_eq!(
        settings(Some(1.7e9 + 0.9)).unwrap().not_before_secs,
        Some(1_700_000_000)
    );
}

// ---- 6. COS clock skew ------------------------------------------------------------------------

const SKEWED: &str = "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the server's time is too large.</Message></Error>";
const EXPIRED: &str = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>";

fn refused<'a>(body: &'a str, date: Option<&'a str>) -> CosReply<'a> {
    CosReply {
        status: 403,
        body,
        date,
        ..CosReply::default()
    }
}

#[test]
fn a_cos_clock_skew_answer_is_re_signed_on_cos_clock_once_per_poll() {
    for body in [SKEWED, EXPIRED] {
        let mut w = Waiter::new(settings(None).unwrap(), &["/a.raw".into(), "/b.raw".into()]);
        w.step(0.0, 0.5, WaitEvent::Start);
        // HEAD 403 has no body: read it with a GET, then the skew.
        assert!(matches!(
            w.step(1.0, 0.5, WaitEvent::Response(CosReply { status: 403, ..CosReply::default() })).action,
            WaitAction::Send(p) if p.method == PollMethod::Get
        ));
        let s = w.step(2.0, 0.5, WaitEvent::Response(refused(body, Some(SERVER_DATE))));
        let WaitAction::Resign { poll, server_secs } = s.action else {
            panic!("re-sign: {:?}", s.action)
        };
        assert_eq!((poll.index, poll.method, server_secs), (0, PollMethod::Head, SERVER));
        // The machine knows the re-signed poll is a HEAD: a bodiless 404 to it needs its body.
        let mut probe = w.clone();
        let s = probe.step(
            2.5,
            0.5,
            WaitEvent::Response(CosReply {
                status: 404,
                ..CosReply::default()
            }),
        );
        assert!(
            matches!(s.action, WaitAction::Send(p) if p.method == PollMethod::Get),
            "{:?}",
            s.action
        );
        // Still refused after re-signing: the wait ends with COS's error.
        let s = w.step(3.0, 0.5, WaitEvent::Response(refused(body, Some(SERVER_DATE))));
        let WaitAction::Finish(Err(e)) = s.action else {
            panic!("once per poll: {:?}", s.action)
        };
        assert_eq!(e.status(), Some(403));
    }
    // The bound is per poll: after a poll that went through, the next one may re-sign again.
    let mut w = Waiter::new(settings(None).unwrap(), &["/a.raw".into(), "/b.raw".into()]);
    w.step(0.0, 0.5, WaitEvent::Start);
    assert!(matches!(
        w.step(1.0, 0.5, WaitEvent::Response(refused(SKEWED, Some(SERVER_DATE))))
            .action,
        WaitAction::Resign { .. }
    ));
    assert!(matches!(w.step(2.0, 0.5, WaitEvent::Response(found(None))).action, WaitAction::Send(p) if p.index == 1));
    assert!(matches!(
        w.step(3.0, 0.5, WaitEvent::Response(refused(SKEWED, Some(SERVER_DATE))))
            .action,
        WaitAction::Resign { .. }
    ));
    // Without COS's Date (a browser the bucket's CORS does not show it to) it cannot be fixed.
    let mut w = Waiter::new(settings(None).unwrap(), &["/a.raw".into()]);
    w.step(0.0, 0.5, WaitEvent::Start);
    let s = w.step(1.0, 0.5, WaitEvent::Response(refused(SKEWED, None)));
    assert!(matches!(s.action, WaitAction::Finish(Err(ref e)) if e.code() == "RequestTimeTooSkewed"));
}

#[test]
fn the_clock_adopts_cos_time_for_every_later_signature() {
    let mut clock = ClockSkew::default();
    assert!(clock.adopt(SERVER, SERVER + 3600));
    assert_eq!(clock.offset_secs(), -3600);
    assert_eq!(clock.timestamp(SERVER + 3601), SERVER + 1);
    assert!(!clock.adopt(SERVER, SERVER + 3600), "the same offset again: no change");
}

// ---- 9. The quiet probe: GET Bucket ------------------------------------------------------------

const LISTED: &str = "<?xml version='1.0' encoding='utf-8' ?>\n<ListBucketResult><Name>b-1250000000</Name><Prefix>a.raw</Prefix><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>a.raw</Key><LastModified>2026-11-28T00:03:11.000Z</LastModified><ETag>&quot;e1&quot;</ETag><Size>7</Size></Contents></ListBucketResult>";
const LISTED_OTHER: &str =
    "<ListBucketResult><Contents><Key>a.raw.part</Key><Size>1</Size></Contents></ListBucketResult>";
const LISTED_NONE: &str = "<ListBucketResult><Name>b-1250000000</Name><Prefix>a.raw</Prefix></ListBucketResult>";

fn listing(status: u16, body: &str) -> CosReply<'_> {
    CosReply {
        status,
        body,
        ..CosReply::default()
    }
}

#[test]
fn a_listing_tells_whether_the_key_is_there() {
    let Verdict::Ready(info) = judge(PollMethod::List, "/a.raw", &listing(200, LISTED), false) else {
        panic!("listed")
    };
    assert_eq!(info.size, Some(7));
    assert_eq!(info.etag.as_deref(), Some("\"e1\""));
    assert_eq!(info.last_modified.as_deref(), Some("2026-11-28T00:03:11.000Z"));
    for body in [LISTED_OTHER, LISTED_NONE] {
        assert_eq!(
            judge(PollMethod::List, "/a.raw", &listing(200, body), false),
            Verdict::Pending { bucket_exists: true }
        );
    }
    let not_a_listing = judge(PollMethod::List, "/a.raw", &listing(200, "<html/>"), false);
    assert!(matches!(not_a_listing, Verdict::Fatal(ref e) if e.code() == "Client.HttpStatus"));
    let no_bucket = "<Error><Code>NoSuchBucket</Code><Message>m</Message></Error>";
    assert!(
        matches!(judge(PollMethod::List, "/a.raw", &listing(404, no_bucket), false), Verdict::Fatal(ref e) if e.code() == "NoSuchBucket")
    );
    let denied = "<Error><Code>AccessDenied</Code><Message>no cos:GetBucket</Message></Error>";
    assert!(
        matches!(judge(PollMethod::List, "/a.raw", &listing(403, denied), false), Verdict::Fatal(ref e) if e.code() == "AccessDenied")
    );
}

#[test]
fn the_waiter_probes_with_listings_when_asked_and_not_before_reads_their_times() {
    use tc3_edge::client::wait_export::parse_probe;
    assert_eq!(parse_probe(None).unwrap(), PollMethod::Head);
    assert_eq!(parse_probe(Some("list")).unwrap(), PollMethod::List);
    assert_eq!(parse_probe(Some("LIST")).unwrap_err().field(), Some("probe"));
    let mut s = settings(Some((SERVER + 3600) as f64)).unwrap();
    s.probe = PollMethod::List;
    let mut w = Waiter::new(s, &["/a.raw".into()]);
    assert!(matches!(w.step(0.0, 0.5, WaitEvent::Start).action, WaitAction::Send(p) if p.method == PollMethod::List));
    // Not there yet: 200, pending, the next round lists again.
    assert!(matches!(
        w.step(1.0, 0.5, WaitEvent::Response(listing(200, LISTED_NONE))).action,
        WaitAction::Wait(_)
    ));
    assert!(
        matches!(w.step(1001.0, 0.5, WaitEvent::Elapsed).action, WaitAction::Send(p) if p.method == PollMethod::List)
    );
    // Listed, but an hour older than notBefore: an earlier export's.
    assert!(matches!(
        w.step(1002.0, 0.5, WaitEvent::Response(listing(200, LISTED))).action,
        WaitAction::Wait(_)
    ));
}
