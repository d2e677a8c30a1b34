//! Whether to try a failed request again, and after how long.
//!
//! ExportImages creates a task, so it is NOT idempotent: a request that may have reached the
//! server (timeout, connection reset, 5xx, InternalError, an unreadable body) is never resent
//! unless the action is read-only (`Describe*`) or a dry run. Throttling
//! (`RequestLimitExceeded*`, HTTP 429) means the server did not execute the request, so it is
//! always retried. Backoff is exponential with full jitter; the random draw is an input.

use crate::error::{Error, ErrorKind};

/// Retry settings. `max_retries == 0` disables retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Backoff base: the first retry waits up to this long.
    pub base_ms: u32,
    /// Backoff cap: no wait is longer.
    pub cap_ms: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_ms: 100,
            cap_ms: 20_000,
        }
    }
}

impl RetryPolicy {
    /// No retries at all (`retry: false`).
    pub const DISABLED: RetryPolicy = RetryPolicy {
        max_retries: 0,
        base_ms: 0,
        cap_ms: 0,
    };
}

/// How a failure relates to the server having executed the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The server refused without executing (throttled): safe to resend.
    Throttled,
    /// The request never left (connection refused, DNS): safe to resend.
    NotSent,
    /// The server may have executed it (timeout, reset, 5xx, InternalError, bad body).
    Unknown,
    /// A definite answer (validation, auth, business error): resending cannot help.
    Final,
}

/// Classifies an error for the retry decision.
pub fn classify(err: &Error) -> Failure {
    match err.kind() {
        ErrorKind::Api if err.code().starts_with("RequestLimitExceeded") => Failure::Throttled,
        ErrorKind::Api if err.code().starts_with("InternalError") => Failure::Unknown,
        ErrorKind::HttpStatus if err.status() == Some(429) => Failure::Throttled,
        ErrorKind::HttpStatus if err.status().is_some_and(|s| s >= 500) => Failure::Unknown,
        ErrorKind::Network if !err.may_have_executed() => Failure::NotSent,
        ErrorKind::Network | ErrorKind::Timeout => Failure::Unknown,
        ErrorKind::TruncatedResponse | ErrorKind::NonJsonResponse | ErrorKind::InvalidResponse => Failure::Unknown,
        _ => Failure::Final,
    }
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, re-sign with a fresh timestamp, and try again.
    RetryAfter(u32),
    /// Give up and report the error.
    GiveUp,
}

/// Decides after failed attempt number `retries_done` (0 for the first attempt).
/// `idempotent` is true for read-only actions and dry runs; `random` is uniform in [0, 1).
pub fn decide(policy: &RetryPolicy, retries_done: u32, err: &Error, idempotent: bool, random: f64) -> Decision {
    if retries_done >= policy.max_retries {
        return Decision::GiveUp;
    }
    let retryable = match classify(err) {
        Failure::Throttled | Failure::NotSent => true,
        Failure::Unknown => idempotent,
        Failure::Final => false,
    };
    if !retryable {
        return Decision::GiveUp;
    }
    Decision::RetryAfter(backoff_ms(policy, retries_done, random))
}

/// Full jitter: uniform in [0, min(cap, base·2^n)].
pub fn backoff_ms(policy: &RetryPolicy, retries_done: u32, random: f64) -> u32 {
    let ceiling = u64::from(policy.base_ms)
        .saturating_mul(1u64 << retries_done.min(32))
        .min(u64::from(policy.cap_ms));
    let r = if random.is_finite() {
        random.clamp(0.0, 1.0)
    } else {
        0.0
    };
    (ceiling as f64 * r) as u32
}

/// True for actions that change nothing, which may be retried after an unknown outcome:
/// `Describe*`, `Get*`, `List*`, `Inquiry*`/`Inquire*` (price queries) — a verb prefix
/// followed by the next word's capital, so `Getaway` is not a read.
pub fn is_read_only(action: &str) -> bool {
    ["Describe", "Get", "List", "Inquiry", "Inquire"].iter().any(|verb| {
        action
            .strip_prefix(verb)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str) -> Error {
        Error::api(code.to_owned(), "m".to_owned(), Some("r".to_owned()))
    }

    #[test]
    fn throttling_is_always_retried() {
        let p = RetryPolicy::default();
        for code in [
            "RequestLimitExceeded",
            "RequestLimitExceeded.UinLimitExceeded",
            "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
        ] {
            assert!(
                matches!(decide(&p, 0, &api(code), false, 0.5), Decision::RetryAfter(_)),
                "{code}"
            );
        }
        let e429 = Error::new(ErrorKind::HttpStatus, "x").with_status(429);
        assert!(matches!(decide(&p, 0, &e429, false, 0.5), Decision::RetryAfter(_)));
    }

    #[test]
    fn unknown_outcomes_are_retried_only_when_idempotent() {
        let p = RetryPolicy::default();
        let unknowns = [
            api("InternalError"),
            Error::new(ErrorKind::Timeout, "t"),
            Error::new(ErrorKind::Network, "reset").executed_maybe(),
            Error::new(ErrorKind::HttpStatus, "x").with_status(502),
            Error::new(ErrorKind::TruncatedResponse, "x"),
            Error::new(ErrorKind::NonJsonResponse, "x"),
        ];
        for e in &unknowns {
            assert_eq!(decide(&p, 0, e, false, 0.5), Decision::GiveUp, "{e}");
            assert!(matches!(decide(&p, 0, e, true, 0.5), Decision::RetryAfter(_)), "{e}");
        }
    }

    #[test]
    fn a_request_that_never_left_is_retried_even_when_not_idempotent() {
        let refused = Error::new(ErrorKind::Network, "ECONNREFUSED");
        assert!(matches!(
            decide(&RetryPolicy::default(), 0, &refused, false, 0.5),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn final_answers_are_never_retried() {
        let p = RetryPolicy::default();
        for e in [
            api("InvalidImageId.NotFound"),
            api("AuthFailure.SignatureFailure"),
            Error::validation("MissingParameter", "BucketName", "m"),
        ] {
            assert_eq!(decide(&p, 0, &e, true, 0.5), Decision::GiveUp);
        }
    }

    #[test]
    fn attempts_are_bounded_and_disabled_means_none() {
        let p = RetryPolicy::default();
        let e = api("RequestLimitExceeded");
        assert!(matches!(decide(&p, 2, &e, false, 0.5), Decision::RetryAfter(_)));
        assert_eq!(decide(&p, 3, &e, false, 0.5), Decision::GiveUp);
        assert_eq!(decide(&RetryPolicy::DISABLED, 0, &e, false, 0.5), Decision::GiveUp);
    }

    #[test]
    fn backoff_is_full_jitter_under_an_exponential_capped_ceiling() {
        let p = RetryPolicy {
            max_retries: 10,
            base_ms: 100,
            cap_ms: 1_000,
        };
        assert_eq!(backoff_ms(&p, 0, 0.999_999), 99);
        assert_eq!(backoff_ms(&p, 1, 0.999_999), 199);
        assert_eq!(backoff_ms(&p, 2, 0.5), 200);
        assert_eq!(backoff_ms(&p, 9, 0.999_999), 999, "capped");
        assert_eq!(backoff_ms(&p, 40, 0.5), 500, "no overflow");
        assert_eq!(backoff_ms(&p, 3, 0.0), 0);
        assert_eq!(backoff_ms(&p, 3, f64::NAN), 0);
    }

    #[test]
    fn read_only_actions() {
        assert!(is_read_only("DescribeImages"));
        assert!(!is_read_only("ExportImages"));
        assert!(is_read_only("GetFederationToken") && is_read_only("ListUsers"));
        assert!(!is_read_only("CreateImage") && !is_read_only("Getaway") && !is_read_only("Listen"));
    }
}
