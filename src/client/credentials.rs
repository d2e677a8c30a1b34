//! When cached temporary credentials must be fetched again from their provider.
//!
//! Web consoles get temporary keys (STS) from their back end; `expiredTime` is Unix seconds,
//! as the STS API returns it. They are refreshed at least 5 minutes before they expire, so a
//! request signed just before expiry does not reach the server with a dead token.

/// Refresh this long before `expiredTime`.
pub const REFRESH_MARGIN_SECS: u64 = 300;

/// True when credentials that expire at `expired_time` (None = never) must be refreshed now.
#[cfg_attr(tc3_size, optimize(size))]
pub fn needs_refresh(expired_time: Option<u64>, now_secs: u64) -> bool {
    match expired_time {
        None => false,
        Some(t) => now_secs.saturating_add(REFRESH_MARGIN_SECS) >= t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_five_minutes_before_expiry() {
        assert!(!needs_refresh(None, u64::MAX));
        assert!(!needs_refresh(Some(10_000), 10_000 - 301));
        assert!(needs_refresh(Some(10_000), 10_000 - 300));
        assert!(needs_refresh(Some(10_000), 20_000));
    }
}
