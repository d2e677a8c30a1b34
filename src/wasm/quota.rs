//! `SlidingWindow` for JS: the client's own rate-limit rule (`crate::client::limiter`), for a
//! limiter that lives outside one client — the example Worker's Durable Object, which holds
//! the window of one quota key for a whole fleet of isolates. Same code, so "20 per second"
//! means the same thing in the client and in the object.

use wasm_bindgen::prelude::*;

use crate::client::limiter;
use crate::error::{Error, ErrorKind};

/// At most `limit` sends in ANY window of `windowMs` (+ `guardMs`), paced evenly: the rule of
/// the client's rate limiter, as a value a Durable Object can keep.
#[wasm_bindgen]
pub struct SlidingWindow(limiter::SlidingWindow);

#[wasm_bindgen]
impl SlidingWindow {
    /// `limit` sends per `windowMs`; `guardMs` (default 100) is added to the window for the
    /// jitter between the moment a slot is granted and the request's arrival. Throws
    /// `Client.InvalidOption` on a limit that is not a positive integer or a window or guard
    /// that is not a finite number of milliseconds ≥ 0 (window > 0).
    #[wasm_bindgen(constructor)]
    pub fn new(limit: f64, window_ms: f64, guard_ms: Option<f64>) -> Result<SlidingWindow, JsValue> {
        let guard_ms = guard_ms.unwrap_or(limiter::GUARD_MS);
        if !(limit.fract() == 0.0 && (1.0..=1_000_000.0).contains(&limit)) {
            return Err(invalid("limit must be a whole number from 1 to 1000000"));
        }
        if !(window_ms.is_finite() && window_ms > 0.0 && guard_ms.is_finite() && guard_ms >= 0.0) {
            return Err(invalid("windowMs must be > 0 and guardMs >= 0 (finite milliseconds)"));
        }
        Ok(SlidingWindow(limiter::SlidingWindow::with_guard(
            limit as u32,
            window_ms,
            guard_ms,
        )))
    }

    /// Reserves the earliest slot at or after `nowMs` (a monotonic clock) and returns how many
    /// milliseconds to wait for it (0: now). Callers queue in the order they reserve.
    pub fn reserve(&mut self, now_ms: f64) -> f64 {
        self.0.reserve(now_ms)
    }

    /// The gate right before a send: records `nowMs` as a send and returns 0 when the window
    /// has room; otherwise records nothing and returns the milliseconds to wait before asking
    /// again.
    #[wasm_bindgen(js_name = trySend)]
    pub fn try_send(&mut self, now_ms: f64) -> f64 {
        match self.0.try_send(now_ms) {
            Ok(()) => 0.0,
            Err(wait) => wait,
        }
    }
}

fn invalid(message: &str) -> JsValue {
    Error::new(ErrorKind::InvalidOption, message).into()
}
