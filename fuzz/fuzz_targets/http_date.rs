//! HTTP date parsing: `client::clock::parse_http_date` and the clock-skew updates that feed
//! on the server's `Date` header. Never panics; a successful parse agrees with ClockSkew.
//!
//! Two input shapes (first byte): raw text, or a date assembled from arbitrary fields
//! (weekday, day, month, year, h:m:s, zone as numbers and strings), so numeric edge cases such
//! as 12-digit years are reached at once instead of digit by digit.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use tc3_edge::client::clock::parse_http_date;
use tc3_edge::client::ClockSkew;

#[derive(Arbitrary, Debug)]
struct Fields<'a> {
    weekday: &'a str,
    day: u64,
    month: u8,
    year: i64,
    hour: u64,
    minute: u64,
    second: u64,
    zone: &'a str,
    extra: Option<&'a str>,
}

const MONTHS: [&str; 13] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo"];

fn check(text: &str, local: u64) {
    let parsed = parse_http_date(text);
    let mut skew = ClockSkew::default();
    let changed = skew.on_signature_expired(Some(text), local);
    assert_eq!(changed, parsed.is_some_and(|s| s != local));
    skew.on_response(Some(text), local);
    let _ = skew.timestamp(local);
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(structured) = u.arbitrary::<bool>() else { return };
    let Ok(local) = u.arbitrary::<u64>() else { return };
    let local = local % 8_000_000_000;
    if structured {
        let Ok(f) = Fields::arbitrary(&mut u) else { return };
        let text = format!(
            "{}, {:02} {} {} {:02}:{:02}:{:02} {}{}",
            f.weekday,
            f.day % 100,
            MONTHS[usize::from(f.month) % MONTHS.len()],
            f.year,
            f.hour % 100,
            f.minute % 100,
            f.second % 100,
            if f.zone.len() % 2 == 0 { "GMT" } else { f.zone },
            f.extra.map(|e| format!(" {e}")).unwrap_or_default(),
        );
        check(&text, local);
    } else {
        check(&String::from_utf8_lossy(u.take_rest()), local);
    }
});
