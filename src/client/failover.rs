//! Failover to `profile.httpProfile.backupEndpoint`: the breaker that decides, per attempt,
//! whether the primary endpoint is skipped. What the official Go/Java/Python SDKs call the
//! region breaker, reduced to the one signal tc3-edge can trust: an attempt that failed without
//! connecting (refused, DNS, TLS before the request was sent), so nothing can have executed.
//!
//! After [`TRIP_AFTER`] such failures of the primary in a row, every attempt goes to the backup
//! for [`OPEN_MS`] (monotonic milliseconds); then one attempt tries the primary again
//! (half-open): if it connects, the breaker closes; if it fails without connecting, it opens
//! again for another [`OPEN_MS`]. Time comes in as a parameter.

/// Failures in a row (without connecting) that open the breaker.
pub const TRIP_AFTER: u32 = 5;
/// How long an open breaker sends everything to the backup.
pub const OPEN_MS: f64 = 60_000.0;

/// The breaker's state, shared by every call of a client.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Breaker {
    /// Failures without connecting of the primary, in a row.
    failures: u32,
    /// While `Some(t)` and the clock is before `t`, the primary is skipped.
    open_until: Option<f64>,
}

impl Breaker {
    /// True when an attempt made at `mono_ms` should skip the primary.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn skips_primary(&self, mono_ms: f64) -> bool {
        self.open_until.is_some_and(|until| mono_ms < until)
    }

    /// The primary failed without connecting at `mono_ms`. Returns true when this opened the
    /// breaker (the fifth in a row, or the half-open probe failing).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn primary_unreachable(&mut self, mono_ms: f64) -> bool {
        let probing = self.open_until.is_some_and(|until| mono_ms >= until);
        self.failures = self.failures.saturating_add(1);
        if probing || self.failures >= TRIP_AFTER {
            self.open_until = Some(mono_ms + OPEN_MS);
            self.failures = 0;
            return true;
        }
        false
    }

    /// The primary connected (any answer, or a failure after the request may have been sent):
    /// it is reachable, so the count starts again and the breaker closes.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn primary_reached(&mut self) {
        self.failures = 0;
        self.open_until = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_five_in_a_row_for_sixty_seconds_then_probes_the_primary() {
        let mut b = Breaker::default();
        for i in 0..4 {
            assert!(!b.primary_unreachable(f64::from(i) * 10.0), "failure {i} opened it");
            assert!(!b.skips_primary(f64::from(i) * 10.0 + 1.0));
        }
        assert!(b.primary_unreachable(100.0), "the fifth opens it");
        assert!(b.skips_primary(100.0));
        assert!(b.skips_primary(100.0 + OPEN_MS - 0.001));
        assert!(
            !b.skips_primary(100.0 + OPEN_MS),
            "after 60 s the primary is tried again"
        );
    }

    #[test]
    fn a_success_in_between_resets_the_count() {
        let mut b = Breaker::default();
        for t in 0..4 {
            b.primary_unreachable(f64::from(t));
        }
        b.primary_reached();
        for t in 10..14 {
            assert!(!b.primary_unreachable(f64::from(t)));
        }
        assert!(!b.skips_primary(20.0));
    }

    #[test]
    fn a_failed_probe_reopens_at_once_and_a_good_one_closes() {
        let mut b = Breaker::default();
        for t in 0..5 {
            b.primary_unreachable(f64::from(t));
        }
        let probe = 4.0 + OPEN_MS;
        assert!(!b.skips_primary(probe));
        assert!(b.primary_unreachable(probe), "one failed probe is enough");
        assert!(b.skips_primary(probe + OPEN_MS - 1.0));
        b.primary_reached();
        assert!(!b.skips_primary(probe + 1.0));
    }

    #[test]
    fn the_wall_clock_plays_no_part() {
        // Only the monotonic time given decides: a breaker opened at t stays open until
        // t + 60 s of that clock, whatever else happens.
        let mut b = Breaker::default();
        for _ in 0..5 {
            b.primary_unreachable(1_000.0);
        }
        assert!(b.skips_primary(1_000.0 + 59_999.0));
        assert!(!b.skips_primary(1_000.0 + 60_000.0));
    }
}
