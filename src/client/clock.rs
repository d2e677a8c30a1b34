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

    /// A COS signature's validity from now (on the corrected clock) for `secs`: the waiter's
    /// polls and links, and `presignCosUrl` without a `timestamp`. It starts a second early,
    /// as the official COS SDKs' do: COS refuses a start in its future, and its clock and
    /// `Date` have whole seconds, so "now" may already be its next second.
    pub fn cos_key_time(&self, local_secs: u64, secs: u64) -> Result<crate::cos::KeyTime, crate::error::Error> {
        crate::cos::KeyTime::new(self.timestamp(local_secs).saturating_sub(1), secs)
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

    /// Adopts `server_secs` as the server's clock now (COS's `Date` after a clock-skew error).
    /// Returns true when the offset changed.
    pub fn adopt(&mut self, server_secs: u64, local_secs: u64) -> bool {
        let offset = server_secs as i64 - local_secs as i64;
        let changed = offset != self.offset_secs;
        self.offset_secs = offset;
        changed
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
/// `Sun, 06 Nov 1994 08:49:37 GMT`, fixed-length (RFC 9110 §5.6.7: the form senders MUST
/// use; the obsolete RFC 850 and asctime forms are not read). Returns seconds since the epoch.
///
/// Only dates that exist are accepted: the day must exist in its month (no 31 February, no
/// 29 February outside leap years), the time must be a real time of day (second 60 is a leap
/// second, RFC 5322), and the weekday must be the one that date fell on. A header that fails
/// any of these is garbage, and the skew correction must not adopt it.
pub fn parse_http_date(s: &str) -> Option<u64> {
    const MONTHS: &[u8; 36] = b"JanFebMarAprMayJunJulAugSepOctNovDec";
    // 1970-01-01 was a Thursday.
    const WEEKDAYS: &[u8; 21] = b"ThuFriSatSunMonTueWed";
    let b = s.as_bytes();
    if b.len() != 29 || &b[3..5] != b", " || b[7] != b' ' || b[11] != b' ' || b[16] != b' ' || &b[25..] != b" GMT" {
        return None;
    }
    let month = MONTHS.chunks(3).position(|m| m == &b[8..11])? as u64 + 1;
    let (days, secs) = civil(digits(b, 12, 4)?, month, digits(b, 5, 2)?, time_of_day(b, 17)?)?;
    let weekday = (days % 7) as usize * 3;
    (WEEKDAYS[weekday..weekday + 3] == b[0..3]).then_some(days * 86_400 + secs)
}

/// Parses an ISO 8601 UTC time as COS writes it in listings, `2024-11-27T00:00:00.000Z`
/// (fraction optional). Returns Unix seconds (the fraction dropped).
pub fn parse_iso_8601(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let (date_time, zone) = b.split_at_checked(19)?;
    let zone_ok = match zone {
        [b'Z'] => true,
        [b'.', fraction @ .., b'Z'] => fraction.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if !zone_ok || date_time[4] != b'-' || date_time[7] != b'-' || date_time[10] != b'T' {
        return None;
    }
    let (days, secs) = civil(
        digits(b, 0, 4)?,
        digits(b, 5, 2)?,
        digits(b, 8, 2)?,
        time_of_day(b, 11)?,
    )?;
    Some(days * 86_400 + secs)
}

/// The `n` ASCII digits of `b` at `at`, as a number. (By hand, like the two parsers above:
/// splitting and `str::parse` made them 4 KB of wasm.)
fn digits(b: &[u8], at: usize, n: usize) -> Option<u64> {
    b.get(at..at + n)?
        .iter()
        .try_fold(0, |v, &c| c.is_ascii_digit().then(|| v * 10 + u64::from(c - b'0')))
}

/// `HH:MM:SS` at `at`, as seconds of the day, if it is a real time (second 60 is a leap second).
fn time_of_day(b: &[u8], at: usize) -> Option<u64> {
    let (h, m, s) = (digits(b, at, 2)?, digits(b, at + 3, 2)?, digits(b, at + 6, 2)?);
    (b[at + 2] == b':' && b[at + 5] == b':' && h <= 23 && m <= 59 && s <= 60).then_some(h * 3_600 + m * 60 + s)
}

/// Days since the epoch of a date that exists, from 1970 to 9999 (years past 9999 are garbage
/// and the signer's own bound), and the seconds of the day passed through.
fn civil(year: u64, month: u64, day: u64, secs: u64) -> Option<(u64, u64)> {
    let (y, m) = (year as i64, month as i64);
    let real = (1970..=9999).contains(&year) && (1..=12).contains(&month) && (1..=days_in_month(y, m)).contains(&day);
    real.then(|| (days_from_civil(y, m, day as i64) as u64, secs))
}

/// Days in `month` (1–12) of `year`, Gregorian leap years included.
fn days_in_month(year: i64, month: i64) -> u64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
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

    #[test]
    fn a_cos_key_time_starts_a_second_before_the_corrected_now() {
        let mut clock = ClockSkew::default();
        let k = clock.cos_key_time(1_700_000_000, 900).unwrap();
        assert_eq!((k.start(), k.end()), (1_699_999_999, 1_700_000_899));
        // The learned offset applies: a browser 10 minutes slow signs on the server's time.
        assert!(clock.on_signature_expired(Some("Tue, 14 Nov 2023 22:13:20 GMT"), 1_700_000_000 - 600));
        let k = clock.cos_key_time(1_700_000_000 - 600, 60).unwrap();
        assert_eq!(k.start(), 1_699_999_999);
    }
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
            // IMF-fixdate is fixed-length: no one-digit day, no extra spaces, no sign.
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun,  06 Nov 1994 08:49:37 GMT",
            "Sun, +6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn parses_cos_listing_times() {
        assert_eq!(parse_iso_8601("2026-11-28T00:03:11.000Z"), Some(1_795_824_191));
        assert_eq!(parse_iso_8601("2026-11-28T00:03:11Z"), Some(1_795_824_191));
        for bad in [
            "",
            "2026-11-28T00:03:11",
            "2026-02-30T00:00:00Z",
            "2026-11-28 00:03:11Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T00:03:11.x1Z",
        ] {
            assert_eq!(parse_iso_8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn impossible_dates_are_rejected() {
        for bad in [
            "Tue, 31 Feb 2026 10:00:00 GMT",    // no 31 February
            "Sun, 29 Feb 2026 10:00:00 GMT",    // 2026 is not a leap year
            "Thu, 29 Feb 2100 10:00:00 GMT",    // nor is 2100
            "Thu, 31 Apr 2026 10:00:00 GMT",    // April has 30 days
            "Sat, 00 Nov 2026 10:00:00 GMT",    // no day 0
            "Sat, 28 Nov 2026 24:00:61 GMT",    // no such time
            "Sat, 28 Nov 2026 23:60:00 GMT",    // no minute 60
            "Sat, 28 Nov 2026 23:59:61 GMT",    // no second 61
            "Mon, 28 Nov 2026 00:03:11 GMT",    // 28 Nov 2026 is a Saturday
            "Sat 28 Nov 2026 00:03:11 GMT",     // the weekday ends with a comma
            "Sat, 28 Nov 2026 00:03:11:00 GMT", // four time fields
            "Sat, 28 Nov 2026 00:03:11 GMT x",  // trailing garbage
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
        // The real leap days and a leap second are real.
        assert_eq!(parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT"), Some(951_782_400));
        assert_eq!(parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT"), Some(1_709_164_800));
        assert_eq!(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT"), Some(1_483_228_800));
    }

    #[test]
    fn every_day_of_four_centuries_round_trips_with_its_weekday() {
        const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        for d in 0..(400 * 366) {
            let date = UtcDate::from_timestamp(d * 86_400).to_string();
            let (y, m, day) = (&date[0..4], date[5..7].parse::<usize>().unwrap(), &date[8..10]);
            let header = format!(
                "{}, {day} {} {y} 12:34:56 GMT",
                WEEKDAYS[(d % 7) as usize],
                MONTHS[m - 1]
            );
            assert_eq!(parse_http_date(&header), Some(d * 86_400 + 45_296), "{header}");
            let wrong = format!(
                "{}, {day} {} {y} 12:34:56 GMT",
                WEEKDAYS[((d + 1) % 7) as usize],
                MONTHS[m - 1]
            );
            assert_eq!(parse_http_date(&wrong), None, "{wrong}");
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
