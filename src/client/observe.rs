//! What a call did, for the client's `onEvent`: the machine ([`super::call`]) records a
//! [`Note`] at each observable step; the driver turns each into an event object, adding the
//! call's `callId` and `traceId`. Notes hold only what a log may show: names, numbers, codes and
//! request ids — never a credential, a header value or a signature (the machine has none of
//! these at hand when it writes one).

use crate::json::push_string;
use crate::text::push_u64;

/// One observable step of a call.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// An attempt is sent (`attempt` is 1-based) to `host`.
    Request {
        /// The action.
        action: String,
        /// The attempt's number, 1-based.
        attempt: u32,
        /// The host the request is sent to (not the signed host: where it goes).
        host: String,
    },
    /// The server answered attempt `attempt`.
    Response {
        /// The action.
        action: String,
        /// The attempt's number.
        attempt: u32,
        /// HTTP status.
        status: u16,
        /// Monotonic time from send to the whole body.
        duration_ms: f64,
        /// The answer's `RequestId`, if any.
        request_id: Option<String>,
        /// `Response.Error.Code` (also on HTTP 200), or the client's code for an answer it
        /// could not use; `None` on success.
        error_code: Option<String>,
    },
    /// Attempt `attempt` follows after `delay_ms`, because of `reason` (an error code).
    Retry {
        /// The action.
        action: String,
        /// The number of the attempt that will be made.
        attempt: u32,
        /// The backoff before it.
        delay_ms: u32,
        /// The error code that caused it.
        reason: String,
    },
    /// The call waits for a rate-limit slot: the client's own limiter (`shared` false, the
    /// wait it was given) or a shared one (the time `acquire` took).
    Throttle {
        /// The action.
        action: String,
        /// Milliseconds waited (local: planned; shared: measured).
        wait_ms: f64,
        /// `rateLimit: { acquire }`.
        shared: bool,
    },
    /// The credential provider supplied a credential, expiring at this Unix time (if given).
    Credentials {
        /// `expiredTime`.
        expired_time: Option<u64>,
    },
    /// The client's clock offset was corrected from the server's `Date`.
    Skew {
        /// The new offset, seconds.
        offset_secs: i64,
    },
    /// One poll of an export wait (see `super::wait_export::PollReport`).
    Poll(super::wait_export::PollReport),
}

impl Note {
    /// The event as a JSON object without `callId`/`traceId` (the driver adds them).
    /// `service`: the client's service, named in `request` events.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn push_json(&self, out: &mut String, service: &str) {
        let field = |out: &mut String, name: &str| {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str("\":");
        };
        let num = |out: &mut String, n: f64| {
            // Whole milliseconds: a log shows no sub-millisecond noise.
            let n = if n.is_finite() && n > 0.0 { n.round() as u64 } else { 0 };
            push_u64(out, n);
        };
        let (kind, action) = match self {
            Note::Request { action, .. } => ("request", Some(action)),
            Note::Response { action, .. } => ("response", Some(action)),
            Note::Retry { action, .. } => ("retry", Some(action)),
            Note::Throttle { action, .. } => ("throttle", Some(action)),
            Note::Credentials { .. } => ("credentials", None),
            Note::Skew { .. } => ("skew", None),
            Note::Poll(_) => ("poll", None),
        };
        out.push_str("{\"type\":\"");
        out.push_str(kind);
        out.push('"');
        if let Some(action) = action {
            field(out, "action");
            push_string(out, action);
        }
        match self {
            Note::Request { attempt, host, .. } => {
                field(out, "service");
                push_string(out, service);
                field(out, "attempt");
                push_u64(out, (*attempt).into());
                out.push_str(",\"method\":\"POST\"");
                field(out, "host");
                push_string(out, host);
            }
            Note::Response {
                attempt,
                status,
                duration_ms,
                request_id,
                error_code,
                ..
            } => {
                field(out, "attempt");
                push_u64(out, (*attempt).into());
                field(out, "status");
                push_u64(out, (*status).into());
                field(out, "durationMs");
                num(out, *duration_ms);
                for (name, value) in [("requestId", request_id), ("errorCode", error_code)] {
                    if let Some(v) = value {
                        field(out, name);
                        push_string(out, v);
                    }
                }
            }
            Note::Retry {
                attempt,
                delay_ms,
                reason,
                ..
            } => {
                field(out, "attempt");
                push_u64(out, (*attempt).into());
                field(out, "delayMs");
                push_u64(out, (*delay_ms).into());
                field(out, "reason");
                push_string(out, reason);
            }
            Note::Throttle { wait_ms, shared, .. } => {
                field(out, "waitMs");
                num(out, *wait_ms);
                field(out, "limiter");
                out.push_str(if *shared { "\"shared\"" } else { "\"local\"" });
            }
            Note::Credentials { expired_time } => {
                if let Some(t) = expired_time {
                    field(out, "expiredTime");
                    push_u64(out, *t);
                }
            }
            Note::Poll(p) => {
                field(out, "key");
                push_string(out, &p.key);
                field(out, "status");
                push_u64(out, p.status.into());
                field(out, "state");
                push_string(out, p.state);
            }
            Note::Skew { offset_secs } => {
                field(out, "offsetSecs");
                if *offset_secs < 0 {
                    out.push('-');
                }
                push_u64(out, offset_secs.unsigned_abs());
            }
        }
        out.push('}');
    }
}

/// Notes as a JSON array.
#[cfg_attr(tc3_size, optimize(size))]
pub fn to_json(notes: &[Note], service: &str) -> String {
    let mut out = String::from("[");
    for (i, note) in notes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        note.push_json(&mut out, service);
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_json_objects_with_their_fields() {
        let notes = [
            Note::Request {
                action: "GetFederationToken".into(),
                attempt: 1,
                host: "sts.tencentcloudapi.com".into(),
            },
            Note::Response {
                action: "GetFederationToken".into(),
                attempt: 1,
                status: 200,
                duration_ms: 12.4,
                request_id: Some("r-\"1".into()),
                error_code: None,
            },
            Note::Skew { offset_secs: -600 },
            Note::Throttle {
                action: "A".into(),
                wait_ms: 999.6,
                shared: false,
            },
        ];
        assert_eq!(
            to_json(&notes, "sts"),
            concat!(
                r#"[{"type":"request","action":"GetFederationToken","service":"sts","attempt":1,"method":"POST","host":"sts.tencentcloudapi.com"},"#,
                r#"{"type":"response","action":"GetFederationToken","attempt":1,"status":200,"durationMs":12,"requestId":"r-\"1"},"#,
                r#"{"type":"skew","offsetSecs":-600},"#,
                r#"{"type":"throttle","action":"A","waitMs":1000,"limiter":"local"}]"#
            )
        );
    }
}
