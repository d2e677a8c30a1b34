//! Client-side rate limit: at most `limit` requests sent in ANY window of `window_ms`.
//!
//! A token bucket is not enough: one that bursts 20 and refills during the same second sends
//! up to 40 into one server window and gets throttled. This is a sliding window over the send
//! times, with reservations: each call is given the earliest slot that keeps every window
//! within the limit, so waiting callers queue in arrival order and never poll.

use std::collections::VecDeque;

/// Jitter allowance added to the window, so requests sent exactly one window apart do not
/// arrive inside one server window.
pub const GUARD_MS: f64 = 25.0;

/// A sliding-window limiter for one action.
#[derive(Clone, Debug)]
pub struct SlidingWindow {
    limit: usize,
    window_ms: f64,
    /// Send times (past and reserved), non-decreasing.
    slots: VecDeque<f64>,
}

impl SlidingWindow {
    /// `limit` requests per `window_ms` (plus [`GUARD_MS`]). `limit` 0 is treated as 1.
    pub fn new(limit: u32, window_ms: f64) -> Self {
        SlidingWindow {
            limit: limit.max(1) as usize,
            window_ms: window_ms + GUARD_MS,
            slots: VecDeque::new(),
        }
    }

    /// Reserves the earliest send time at or after `now_ms` and returns how long to wait.
    pub fn reserve(&mut self, now_ms: f64) -> f64 {
        // Slots older than one window no longer constrain anything.
        while self.slots.front().is_some_and(|&t| t <= now_ms - self.window_ms) {
            self.slots.pop_front();
        }
        let mut at = now_ms;
        if self.slots.len() >= self.limit {
            // The slot `limit` places back must be a full window earlier.
            let bound = self.slots[self.slots.len() - self.limit] + self.window_ms;
            at = at.max(bound);
        }
        if let Some(&last) = self.slots.back() {
            at = at.max(last);
        }
        self.slots.push_back(at);
        at - now_ms
    }
}

/// One sliding window per action, shared by every call of a client.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    limit: u32,
    window_ms: f64,
    actions: Vec<(String, SlidingWindow)>,
}

impl RateLimiter {
    /// `per_second` requests per second per action (the documented CVM limit is 20).
    pub fn per_second(per_second: u32) -> Self {
        RateLimiter {
            limit: per_second,
            window_ms: 1000.0,
            actions: Vec::new(),
        }
    }

    /// Reserves a slot for `action`; returns the wait in milliseconds.
    pub fn reserve(&mut self, action: &str, now_ms: f64) -> f64 {
        let i = match self.actions.iter().position(|(a, _)| a == action) {
            Some(i) => i,
            None => {
                self.actions
                    .push((action.to_owned(), SlidingWindow::new(self.limit, self.window_ms)));
                self.actions.len() - 1
            }
        };
        self.actions[i].1.reserve(now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The most send times inside any closed interval of `len` ms.
    fn max_in_any_window(times: &[f64], len: f64) -> usize {
        times
            .iter()
            .map(|&start| times.iter().filter(|&&t| t >= start && t <= start + len).count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn a_burst_of_100_never_puts_more_than_20_in_any_second() {
        let mut w = SlidingWindow::new(20, 1000.0);
        let sends: Vec<f64> = (0..100).map(|_| 5_000.0 + w.reserve(5_000.0)).collect();
        assert_eq!(max_in_any_window(&sends, 1000.0), 20);
        assert_eq!(
            sends.iter().filter(|&&t| t == 5_000.0).count(),
            20,
            "the first 20 go at once"
        );
        assert!(sends.windows(2).all(|p| p[0] <= p[1]), "arrival order is kept");
        // 100 requests at 20 per (1 s + guard) need 4 full windows after the first.
        assert!(sends[99] >= 5_000.0 + 4.0 * 1000.0 && sends[99] <= 5_000.0 + 4.0 * (1000.0 + GUARD_MS));
    }

    #[test]
    fn steady_callers_are_not_delayed_below_the_limit() {
        let mut w = SlidingWindow::new(20, 1000.0);
        for i in 0..200 {
            assert_eq!(w.reserve(i as f64 * 60.0), 0.0, "one every 60 ms is under 20/s");
        }
    }

    #[test]
    fn a_token_bucket_pattern_is_refused() {
        // 20 at t=0, then 20 more at t=500: a refilling bucket would allow the second burst.
        let mut w = SlidingWindow::new(20, 1000.0);
        let mut sends: Vec<f64> = (0..20).map(|_| w.reserve(0.0)).collect();
        sends.extend((0..20).map(|_| 500.0 + w.reserve(500.0)));
        assert_eq!(max_in_any_window(&sends, 1000.0), 20);
        assert!(sends[20] >= 1000.0 + GUARD_MS);
    }

    #[test]
    fn mixed_random_arrivals_hold_the_limit() {
        let mut w = SlidingWindow::new(20, 1000.0);
        let mut seed = 12345u64;
        let mut now = 0.0;
        let mut sends = Vec::new();
        for _ in 0..2000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            now += (seed >> 33) as f64 % 40.0; // arrivals every 0–40 ms: faster than 20/s
            sends.push(now + w.reserve(now));
        }
        assert!(max_in_any_window(&sends, 1000.0) <= 20);
    }

    #[test]
    fn actions_have_separate_windows() {
        let mut r = RateLimiter::per_second(2);
        assert_eq!(r.reserve("ExportImages", 0.0), 0.0);
        assert_eq!(r.reserve("ExportImages", 0.0), 0.0);
        assert!(r.reserve("ExportImages", 0.0) > 1000.0);
        assert_eq!(r.reserve("DescribeImages", 0.0), 0.0);
    }
}
