//! Clock-skew correction.
//!
//! The API rejects a timestamp more than 5 minutes from its own clock
//! (`AuthFailure.SignatureExpire`), and a browser's clock is whatever the user set. The
//! server's `Date` header tells its time: the offset (server − local) is kept per client and
//! added to every later timestamp. The official SDKs do not do this; AWS's JS SDK does.

/// Skew below this is left alone on successful responses (the API tolerates 300 s).
pub const SKEW_THRESHOLD_SECS: i64 = 300;

/// The offset to add to the local clock, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClockSkew {
    offset_secs: i64,
}

impl ClockSkew {
    /// The current offset (server − local), in seconds.
    pub fn offset_secs(&self) -> i64 {
        self.offset_secs
    }

    /// The timestamp to sign with, given the local clock.
    pub fn timestamp(&self, local_secs: u64) -> u64 {
        local_secs.saturating_add_signed(self.offset_secs)
    }

    /// After `AuthFailure.SignatureExpire`: adopt the server's clock from its `Date` header.
    /// Returns true when the offset changed (then re-sign and retry once).
    pub fn on_signature_expired(&mut self, date_header: Option<&str>, local_secs: u64) -> bool {
        match date_header.and_then(parse_http_date) {
            Some(server) => {
                let offset = server as i64 - local_secs as i64;
                let changed = offset != self.offset_secs;
                self.offset_secs = offset;
                changed
            }
            None => false,
        }
    }

    /// After any answer carrying `Date`: correct only a skew of 5 minutes or more, so
    /// ordinary network delay does not move the clock back and forth.
    pub fn on_response(&mut self, date_header: Option<&str>, local_secs: u64) {
        if let Some(server) = date_header.and_then(parse_http_date) {
            let observed = server as i64 - local_secs as i64;
            if (observed - self.offset_secs).abs() >= SKEW_THRESHOLD_SECS {
                self.offset_secs = observed;
            }
        }
    }
}

/// Parses an HTTP date in the IMF-fixdate form every server sends:
/// `Sun, 06 Nov 1994 08:49:37 GMT`. Returns seconds since the epoch.
pub fn parse_http_date(s: &str) -> Option<u64> {
    let mut parts = s.split_ascii_whitespace();
    let _weekday = parts.next()?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|x| x.parse::<u64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    // Years past 9999 are garbage (and would overflow the day count); the signer's own
    // bound is 9999-12-31 too.
    if parts.next()? != "GMT"
        || !(1..=31).contains(&day)
        || h > 23
        || m > 59
        || sec > 60
        || !(1970..=9999).contains(&year)
    {
        return None;
    }
    Some(days_from_civil(year, month, day as i64) as u64 * 86_400 + h * 3_600 + m * 60 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tc3::UtcDate;

    #[test]
    fn parses_imf_fixdate() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("Sat, 28 Nov 2026 00:03:11 GMT"), Some(1_795_824_191));
        for bad in [
            "",
            "yesterday",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn date_parsing_agrees_with_the_signer_calendar() {
        for ts in [0u64, 951_782_400, 1_735_689_599, 2_208_988_800, 4_107_542_400] {
            let date = UtcDate::from_timestamp(ts).to_string();
            let (y, rest) = date.split_at(4);
            let m: i64 = rest[1..3].parse().unwrap();
            let d: i64 = rest[4..6].parse().unwrap();
            assert_eq!(days_from_civil(y.parse().unwrap(), m, d) as u64, ts / 86_400);
        }
    }

    #[test]
    fn signature_expired_adopts_the_server_clock() {
        let mut c = ClockSkew::default();
        let local = 1_795_824_191 - 600; // local clock 10 minutes behind
        assert!(c.on_signature_expired(Some("Sat, 28 Nov 2026 00:03:11 GMT"), local));
        assert_eq!(c.offset_secs(), 600);
        assert_eq!(c.timestamp(local), 1_795_824_191);
        assert!(
            !c.on_signature_expired(Some("Sat, 28 Nov 2026 00:03:11 GMT"), local),
            "same offset: no second retry"
        );
        assert!(!c.on_signature_expired(None, local));
    }

    #[test]
    fn successful_responses_correct_only_large_skew() {
        let mut c = ClockSkew::default();
        let server = 1_795_824_191;
        c.on_response(Some("Sat, 28 Nov 2026 00:03:11 GMT"), server - 299);
        assert_eq!(c.offset_secs(), 0);
        c.on_response(Some("Sat, 28 Nov 2026 00:03:11 GMT"), server + 400);
        assert_eq!(c.offset_secs(), -400);
        c.on_response(Some("Sat, 28 Nov 2026 00:03:11 GMT"), server + 401);
        assert_eq!(c.offset_secs(), -400, "1 s of jitter does not move it");
        assert_eq!(c.timestamp(10), 0, "never below zero");
    }
}
