//! Client-side rate limit: at most `limit` requests sent in ANY window of `window_ms`.
//!
//! A token bucket is not enough: one that bursts 20 and refills during the same second sends
//! up to 40 into one server window and gets throttled. This is a sliding window over the send
//! times, in two steps:
//! - [`SlidingWindow::reserve`] gives each call, on arrival, an estimated slot that keeps every
//!   window within the limit, so waiting callers queue in arrival order without polling;
//! - [`SlidingWindow::try_send`] is the gate right before `fetch`: it checks and records the
//!   ACTUAL send time. A reservation alone is not enough, because between the reserved instant
//!   and the real send there is a variable lag (a burst of 20 released together leaves over
//!   ~100 ms on a busy machine), which would let the next group overlap.

/// Times in order, oldest first: a `Vec` read from `head` (the expired front is dropped by
/// moving `head`, and the vector compacted once half of it is dead). What `VecDeque` does
/// here, for a third of its wasm (bench/LEVERS.md).
#[derive(Clone, Debug, Default)]
struct Times {
    v: Vec<f64>,
    head: usize,
}

impl Times {
    fn live(&self) -> &[f64] {
        &self.v[self.head..]
    }

    /// Drops the times at or before `cutoff` from the front.
    fn expire(&mut self, cutoff: f64) {
        self.head += self.live().iter().take_while(|&&t| t <= cutoff).count();
        if self.head >= 32 && self.head * 2 >= self.v.len() {
            let live = self.v.len() - self.head;
            self.v.copy_within(self.head.., 0);
            self.v.truncate(live);
            self.head = 0;
        }
    }
}

/// Jitter allowance added to the window, so requests sent exactly one window apart do not
/// arrive inside one server window.
pub const GUARD_MS: f64 = 100.0;

/// Fraction of the even spacing (window ÷ limit) kept between two sends: 1.0 = one send every
/// 50 ms at 20/s. Smooth sending keeps a burst from queueing at the server and arriving
/// bunched; 20 requests still leave within a second.
pub const PACING: f64 = 1.0;

/// A sliding-window limiter for one action.
#[derive(Clone, Debug)]
pub struct SlidingWindow {
    limit: usize,
    window_ms: f64,
    /// Reserved slots (estimates), non-decreasing.
    slots: Times,
    /// Actual send times, non-decreasing.
    sent: Times,
    /// Minimum spacing between two sends: a burst leaves paced, not all at once, because a
    /// server measures ARRIVAL times and a burst queued at its door arrives smeared.
    gap_ms: f64,
}

impl SlidingWindow {
    /// `limit` requests per `window_ms` (plus [`GUARD_MS`]). `limit` 0 is treated as 1.
    pub fn new(limit: u32, window_ms: f64) -> Self {
        Self::with_guard(limit, window_ms, GUARD_MS)
    }

    /// Like [`SlidingWindow::new`] with another guard: a limiter whose "send" is not the
    /// request itself (a Durable Object granting slots to Workers that send after a round
    /// trip) needs room for that trip's jitter too.
    pub fn with_guard(limit: u32, window_ms: f64, guard_ms: f64) -> Self {
        SlidingWindow {
            limit: limit.max(1) as usize,
            window_ms: window_ms + guard_ms,
            slots: Times::default(),
            sent: Times::default(),
            gap_ms: PACING * window_ms / f64::from(limit.max(1)),
        }
    }

    /// Reserves the earliest send time at or after `now_ms` and returns how long to wait.
    pub fn reserve(&mut self, now_ms: f64) -> f64 {
        self.reserve_at(now_ms) - now_ms
    }

    /// Reserves the earliest send time at or after `now_ms` and returns it (what
    /// [`SlidingWindow::release`] takes).
    pub fn reserve_at(&mut self, now_ms: f64) -> f64 {
        // Slots older than one window no longer constrain anything.
        self.slots.expire(now_ms - self.window_ms);
        let slots = self.slots.live();
        let mut at = now_ms;
        if slots.len() >= self.limit {
            // The slot `limit` places back must be a full window earlier.
            let bound = slots[slots.len() - self.limit] + self.window_ms;
            at = at.max(bound);
        }
        if let Some(&last) = slots.last() {
            at = at.max(last + self.gap_ms);
        }
        self.slots.v.push(at);
        at
    }

    /// Gives back the reservation made for `at` (a call that will not send: aborted while
    /// it waited, or refused). Later reservations are not moved; their calls move up by
    /// reserving again ([`SlidingWindow::reserve`] after this).
    pub fn release(&mut self, at: f64) {
        if let Some(i) = self.slots.live().iter().rposition(|&t| t == at) {
            self.slots.v.remove(self.slots.head + i);
        }
    }

    /// The gate right before sending: records `now_ms` as a send and returns `Ok` when the
    /// window has room, otherwise how long to wait before asking again.
    pub fn try_send(&mut self, now_ms: f64) -> Result<(), f64> {
        self.sent.expire(now_ms - self.window_ms);
        let sent = self.sent.live();
        let mut free_at = sent.last().map_or(now_ms, |&last| last + self.gap_ms);
        if sent.len() >= self.limit {
            free_at = free_at.max(sent[sent.len() - self.limit] + self.window_ms);
        }
        if free_at > now_ms {
            return Err((free_at - now_ms).max(1.0));
        }
        let last = sent.last().copied().unwrap_or(now_ms);
        self.sent.v.push(now_ms.max(last));
        Ok(())
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

    fn window(&mut self, action: &str) -> &mut SlidingWindow {
        let i = match self.actions.iter().position(|(a, _)| a == action) {
            Some(i) => i,
            None => {
                self.actions
                    .push((action.to_owned(), SlidingWindow::new(self.limit, self.window_ms)));
                self.actions.len() - 1
            }
        };
        &mut self.actions[i].1
    }

    /// Reserves a slot for `action`; returns the estimated wait in milliseconds.
    pub fn reserve(&mut self, action: &str, now_ms: f64) -> f64 {
        self.window(action).reserve(now_ms)
    }

    /// Reserves a slot for `action`; returns its time (see [`SlidingWindow::reserve_at`]).
    pub fn reserve_at(&mut self, action: &str, now_ms: f64) -> f64 {
        self.window(action).reserve_at(now_ms)
    }

    /// Gives back `action`'s reservation for `at` (see [`SlidingWindow::release`]).
    pub fn release(&mut self, action: &str, at: f64) {
        self.window(action).release(at);
    }

    /// The gate right before sending `action` (see [`SlidingWindow::try_send`]).
    pub fn try_send(&mut self, action: &str, now_ms: f64) -> Result<(), f64> {
        self.window(action).try_send(now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// The window as it was written with `VecDeque` (before `Times`), as a reference.
    struct Reference {
        limit: usize,
        window_ms: f64,
        gap_ms: f64,
        slots: VecDeque<f64>,
        sent: VecDeque<f64>,
    }

    impl Reference {
        fn reserve_at(&mut self, now: f64) -> f64 {
            while self.slots.front().is_some_and(|&t| t <= now - self.window_ms) {
                self.slots.pop_front();
            }
            let mut at = now;
            if self.slots.len() >= self.limit {
                at = at.max(self.slots[self.slots.len() - self.limit] + self.window_ms);
            }
            if let Some(&last) = self.slots.back() {
                at = at.max(last + self.gap_ms);
            }
            self.slots.push_back(at);
            at
        }
        fn release(&mut self, at: f64) {
            if let Some(i) = self.slots.iter().rposition(|&t| t == at) {
                self.slots.remove(i);
            }
        }
        fn try_send(&mut self, now: f64) -> Result<(), f64> {
            while self.sent.front().is_some_and(|&t| t <= now - self.window_ms) {
                self.sent.pop_front();
            }
            let mut free_at = self.sent.back().map_or(now, |&last| last + self.gap_ms);
            if self.sent.len() >= self.limit {
                free_at = free_at.max(self.sent[self.sent.len() - self.limit] + self.window_ms);
            }
            if free_at > now {
                return Err((free_at - now).max(1.0));
            }
            self.sent.push_back(now.max(self.sent.back().copied().unwrap_or(now)));
            Ok(())
        }
    }

    #[test]
    fn times_behave_as_the_vecdeque_version_across_compactions() {
        // A small LCG: thousands of mixed operations, so `Times` compacts many times.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % n
        };
        for limit in [1u32, 3, 20] {
            let mut w = SlidingWindow::new(limit, 1000.0);
            let mut r = Reference {
                limit: w.limit,
                window_ms: w.window_ms,
                gap_ms: w.gap_ms,
                slots: VecDeque::new(),
                sent: VecDeque::new(),
            };
            let (mut now, mut held) = (0.0, Vec::new());
            for _ in 0..20_000 {
                now += next(120) as f64;
                match next(3) {
                    0 => {
                        let at = w.reserve_at(now);
                        assert_eq!(at, r.reserve_at(now));
                        held.push(at);
                    }
                    1 if !held.is_empty() => {
                        let at = held.swap_remove(next(held.len() as u64) as usize);
                        w.release(at);
                        r.release(at);
                    }
                    _ => assert_eq!(w.try_send(now), r.try_send(now)),
                }
                assert_eq!(w.slots.live(), r.slots.iter().copied().collect::<Vec<_>>().as_slice());
                assert_eq!(w.sent.live(), r.sent.iter().copied().collect::<Vec<_>>().as_slice());
            }
        }
    }

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
        assert_eq!(sends[0], 5_000.0, "the first goes at once");
        let gap = PACING * 1000.0 / 20.0;
        assert!(sends.windows(2).all(|p| p[1] - p[0] >= gap), "paced, in arrival order");
        // The first 20 leave within half a second; each later group of 20 one window later.
        assert!(sends[19] - sends[0] <= 19.0 * gap + 1e-9);
        assert!((sends[99] - sends[19] - 4.0 * (1000.0 + GUARD_MS)).abs() < 1e-6);
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
    fn the_gate_holds_the_limit_on_actual_send_times_despite_lag() {
        // 100 callers reserve at t=0; each actually reaches the gate after a random lag of
        // up to 150 ms past its reserved slot, then retries the gate until it opens.
        let mut w = SlidingWindow::new(20, 1000.0);
        let mut seed = 99u64;
        let mut arrivals: Vec<f64> = (0..100)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                w.reserve(0.0) + (seed >> 33) as f64 % 150.0
            })
            .collect();
        arrivals.sort_by(|a, b| a.total_cmp(b));
        let mut sends = Vec::new();
        for mut t in arrivals {
            loop {
                match w.try_send(t) {
                    Ok(()) => break,
                    Err(wait) => t += wait,
                }
            }
            sends.push(t);
        }
        assert_eq!(sends.len(), 100);
        assert!(max_in_any_window(&sends, 1000.0) <= 20);
    }

    #[test]
    fn actions_have_separate_windows() {
        let mut r = RateLimiter::per_second(2);
        assert_eq!(r.reserve("ExportImages", 0.0), 0.0);
        assert_eq!(r.reserve("ExportImages", 0.0), PACING * 500.0);
        assert!(r.reserve("ExportImages", 0.0) > 1000.0);
        assert_eq!(r.reserve("DescribeImages", 0.0), 0.0);
        assert_eq!(r.try_send("DescribeImages", 0.0), Ok(()));
        assert_eq!(r.try_send("DescribeImages", 0.0), Err(PACING * 500.0));
    }
}
