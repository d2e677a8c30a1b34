//! The credential scope's date: the UTC calendar date of the request timestamp.
//!
//! Written out by hand (Howard Hinnant's `civil_from_days`) because the crate must not
//! depend on a clock or a date library: the timestamp is an input, and the only thing the
//! spec needs from it is `YYYY-MM-DD` in UTC — never local time (see the
//! `utc-date-boundary` vector).

/// A UTC calendar date, printed as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UtcDate {
    year: i64,
    month: u8,
    day: u8,
}

impl UtcDate {
    /// The UTC date that contains `timestamp` (seconds since the Unix epoch).
    pub fn from_timestamp(timestamp: u64) -> Self {
        let days = (timestamp / 86_400) as i64;
        // civil_from_days, shifted so that the era starts on 0000-03-01.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097); // [0, 146096]
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
        let mp = (5 * doy + 2) / 153; // [0, 11]
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        UtcDate { year, month, day }
    }

    /// Writes `YYYY-MM-DD` into a fixed buffer (no formatting machinery on the hot path).
    pub fn to_bytes(self) -> [u8; 10] {
        let mut out = *b"0000-00-00";
        let mut y = self.year.clamp(0, 9999) as u32;
        for i in (0..4).rev() {
            out[i] = b'0' + (y % 10) as u8;
            y /= 10;
        }
        out[5] = b'0' + self.month / 10;
        out[6] = b'0' + self.month % 10;
        out[8] = b'0' + self.day / 10;
        out[9] = b'0' + self.day % 10;
        out
    }
}

impl core::fmt::Display for UtcDate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let bytes = self.to_bytes();
        // The buffer holds ASCII digits and dashes only.
        f.write_str(core::str::from_utf8(&bytes).map_err(|_| core::fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::UtcDate;

    fn date(ts: u64) -> String {
        UtcDate::from_timestamp(ts).to_string()
    }

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_551_113_065), "2019-02-25");
        assert_eq!(date(1_735_689_599), "2024-12-31");
        assert_eq!(date(1_735_689_600), "2025-01-01");
        assert_eq!(date(951_782_400), "2000-02-29"); // leap day of a century leap year
        assert_eq!(date(4_107_542_400), "2100-03-01"); // 2100 is not a leap year
        assert_eq!(date(2_208_988_800), "2040-01-01"); // past 2^31
    }

    #[test]
    fn every_day_for_four_centuries_is_consecutive() {
        // Walk day by day and check the calendar never skips or repeats.
        let mut prev = UtcDate::from_timestamp(0);
        for d in 1..(400 * 366) {
            let cur = UtcDate::from_timestamp(d * 86_400);
            let ok = (cur.year == prev.year && cur.month == prev.month && cur.day == prev.day + 1)
                || (cur.year == prev.year && cur.month == prev.month + 1 && cur.day == 1)
                || (cur.year == prev.year + 1 && cur.month == 1 && cur.day == 1 && prev.month == 12);
            assert!(ok, "{prev} -> {cur}");
            prev = cur;
        }
    }
}
