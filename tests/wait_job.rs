//! The export wait as the driver sees it (src/client/wait_job.rs), natively: what used to be
//! decided in the wasm boundary — credentials around a poll, the poll's headers and key time,
//! what a failed fetch means, the links, redaction, unexpected events.

use tc3_edge::client::cos_reply::CosReply;
use tc3_edge::client::wait_export::Mode;
use tc3_edge::client::wait_job::{Action, Event, WaitJob, WaitRequest};
use tc3_edge::client::{Client, Now};
use tc3_edge::cos::CosMethod;
use tc3_edge::tc3::Credential;

// Shared test code: tests/support/*.rs (cargo builds only tests/*.rs as test crates).
mod support {
    pub mod client;
    pub mod wait;
}

const NOW: u64 = 1_795_824_191;
const TOKEN: &str = "session-TOKEN-0123456789";
const SECRET: &str = "key-SECRET-abcdef";

fn client(provider: bool) -> Client {
    support::wait::client(provider, SECRET, TOKEN)
}

fn at(mono_ms: f64) -> Now {
    Now {
        mono_ms,
        wall_ms: NOW as f64 * 1000.0,
        random: 0.5,
    }
}

fn job(c: &Client, mode: Mode, progress: bool) -> WaitJob {
    let request = WaitRequest {
        bucket: Some("backup-1250000000".into()),
        keys: vec!["/a.qcow2".into(), "/b.qcow2".into()],
        wants_progress: progress,
        ..Default::default()
    };
    WaitJob::new(c, request, mode).unwrap()
}

fn ready() -> CosReply<'static> {
    support::wait::reply(200, "")
}

#[test]
fn a_poll_is_signed_for_the_bucket_with_a_key_time_from_a_second_ago() {
    let mut c = client(false);
    let mut j = job(&c, Mode::UntilReady, false);
    let Action::Send {
        method,
        url,
        headers,
        timeout_ms,
    } = j.step(&mut c, Event::Start, at(0.0))
    else {
        panic!("a poll first")
    };
    assert_eq!(method, CosMethod::Head);
    assert_eq!(url, "https://backup-1250000000.cos.ap-guangzhou.myqcloud.com/a.qcow2");
    assert_eq!(timeout_ms, 60_000.0);
    let auth = &headers.iter().find(|(n, _)| n == "Authorization").unwrap().1;
    let start = NOW - 1;
    assert!(
        auth.contains(&format!("q-key-time={start};{}", start + 900)),
        "900 s from a second ago: {auth}"
    );
    assert!(headers.iter().any(|(n, v)| n == "x-cos-security-token" && v == TOKEN));
}

#[test]
fn a_bodiless_head_error_is_read_with_a_one_byte_get() {
    let mut c = client(false);
    let mut j = job(&c, Mode::UntilReady, false);
    j.step(&mut c, Event::Start, at(0.0));
    let forbidden = CosReply { status: 403, ..ready() };
    let Action::Send { method, headers, .. } = j.step(&mut c, Event::Response(forbidden), at(1.0)) else {
        panic!()
    };
    assert_eq!(method, CosMethod::Get);
    assert!(headers.iter().any(|(n, v)| n == "Range" && v == "bytes=0-0"));
}

#[test]
fn the_result_carries_presigned_links_and_errors_are_redacted_once() {
    let mut c = client(false);
    let mut j = job(&c, Mode::UntilReady, false);
    j.step(&mut c, Event::Start, at(0.0));
    assert!(matches!(
        j.step(&mut c, Event::Response(ready()), at(1.0)),
        Action::Send { .. }
    ));
    let Action::Finish(Ok(json)) = j.step(&mut c, Event::Response(ready()), at(2.0)) else {
        panic!()
    };
    assert!(
        json.contains(
            "\"url\":\"https://backup-1250000000.cos.ap-guangzhou.myqcloud.com/a.qcow2?q-sign-algorithm=sha1"
        ),
        "{json}"
    );
    assert!(j.is_done());
    assert_eq!(j.step(&mut c, Event::Elapsed, at(3.0)), Action::Idle, "settled once");

    // A fetch message echoing the token: the error that leaves the wait has it redacted.
    let mut j = job(&c, Mode::Once, false);
    j.step(&mut c, Event::Start, at(0.0));
    let message = format!("bad header x-cos-security-token: {TOKEN}");
    let Action::Finish(Err(e)) = j.step(
        &mut c,
        Event::Failed {
            timed_out: false,
            code: "ECONNRESET",
            message: &message,
        },
        at(1.0),
    ) else {
        panic!()
    };
    assert!(!e.message().contains(TOKEN), "{}", e.message());
    assert!(e.message().contains("fetch failed: bad header"), "{}", e.message());
}

#[test]
fn a_timeout_names_the_request_bound_and_a_refused_connection_switches_host() {
    let mut c = client(false);
    let mut j = job(&c, Mode::Once, false);
    j.step(&mut c, Event::Start, at(0.0));
    let Action::Finish(Err(e)) = j.step(
        &mut c,
        Event::Failed {
            timed_out: true,
            code: "",
            message: "timeout",
        },
        at(60_000.0),
    ) else {
        panic!()
    };
    assert!(e.message().contains("no answer within 60000 ms"), "{}", e.message());

    let mut j = job(&c, Mode::UntilReady, false);
    j.step(&mut c, Event::Start, at(0.0));
    let Action::Send { url, .. } = j.step(
        &mut c,
        Event::Failed {
            timed_out: false,
            code: "ECONNREFUSED",
            message: "connect",
        },
        at(1.0),
    ) else {
        panic!()
    };
    assert!(
        url.starts_with("https://backup-1250000000.cos.ap-guangzhou.tencentcos.cn/"),
        "{url}"
    );
}

#[test]
fn the_provider_is_asked_before_a_poll_and_a_mismatched_answer_is_an_internal_error_not_an_abort() {
    let mut c = client(true);
    let mut j = job(&c, Mode::UntilReady, false);
    let Action::CallProvider { id, .. } = j.step(&mut c, Event::Start, at(0.0)) else {
        panic!("a credential first")
    };
    let Action::Finish(Err(e)) = j.step(&mut c, Event::ProviderTimeout(id + 1), at(1.0)) else {
        panic!()
    };
    assert_eq!(e.code(), "Client.InvalidResponse", "{e:?}");

    let mut j = job(&c, Mode::UntilReady, false);
    let a = j.step(&mut c, Event::Start, at(0.0));
    let (Action::CallProvider { id, .. } | Action::JoinProvider { id, .. }) = a else {
        panic!("{a:?}")
    };
    let cred = Credential::new("AKIDtmp", SECRET, Some(TOKEN)).unwrap();
    assert!(matches!(
        j.step(&mut c, Event::Provided(id, Ok((cred, None))), at(1.0)),
        Action::Send { .. }
    ));
}

#[test]
fn progress_is_held_until_delivered_and_abort_wins_while_it_is_out() {
    let mut c = client(false);
    let mut j = job(&c, Mode::UntilReady, true);
    let Action::Progress(report) = j.step(&mut c, Event::Start, at(0.0)) else {
        panic!()
    };
    assert!(report.contains("\"ready\":0"), "{report}");
    assert!(matches!(j.step(&mut c, Event::Continue, at(1.0)), Action::Send { .. }));
    assert!(matches!(
        j.step(&mut c, Event::Response(ready()), at(2.0)),
        Action::Progress(_)
    ));
    let Action::Finish(Err(e)) = j.step(&mut c, Event::Aborted, at(3.0)) else {
        panic!()
    };
    assert_eq!(e.code(), "Client.Aborted");
}
