//! The crate's own JSON reader (`tc3_edge::json`), differentially against serde_json: both
//! accept and reject the same texts, read the same values, and agree on whether a rejected
//! text is truncated (`Eof`, which the client reports as Client.TruncatedResponse) or not JSON
//! at all (Client.NonJsonResponse). `quote` output parses back to its input.
//!
//! Documented differences, not compared: numbers beyond f64's range (kept as text here),
//! lone UTF-16 surrogates in `\u` escapes (U+FFFD here), nesting near the 128 limits, and two
//! serde_json quirks in classifying errors (see below).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tc3_edge::json::{self, ParseError, Value};

/// The reader's value as a serde_json value (objects: last duplicate wins, as both say).
fn to_serde(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::from_str(n).unwrap_or_else(|e| panic!("number text {n:?} is not a number: {e}")),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Array(items) => serde_json::Value::Array(items.iter().map(to_serde).collect()),
        Value::Object(members) => {
            let mut m = serde_json::Map::new();
            for (k, v) in members {
                m.insert(k.clone(), to_serde(v));
            }
            serde_json::Value::Object(m)
        }
    }
}

fn depth(text: &str) -> usize {
    let (mut d, mut max) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                d += 1;
                max = max.max(d);
            }
            b']' | b'}' => d = d.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // quote() is the writer the crate uses for strings: it must parse back to the same string.
    let quoted = json::quote(text);
    assert_eq!(json::parse(&quoted), Ok(Value::String(text.to_owned())), "quote({text:?}) = {quoted}");

    let ours = json::parse(text);
    if depth(text) >= 120 || text.contains("\\u") && (text.contains("\\ud") || text.contains("\\uD")) {
        return; // nesting limits and surrogates differ by design
    }
    let theirs = serde_json::from_str::<serde_json::Value>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(&to_serde(a), b, "{text:?}"),
        (Ok(_), Err(e)) if e.to_string().contains("number out of range") => {}
        (Ok(a), Err(e)) => panic!("accepted {text:?} as {a:?}; serde_json: {e}"),
        (Err(a), Ok(b)) => panic!("rejected {text:?} ({a:?}); serde_json reads {b}"),
        (Err(a), Err(e)) => {
            let eof = e.classify() == serde_json::error::Category::Eof;
            // serde_json quirks, where this reader is the more precise one:
            // - it stops at a number beyond f64's range, before reaching the end of the text;
            // - it calls `\u` followed by fewer than 4 characters EOF even when one of them
            //   is already not a hex digit (`"\u#`), which no continuation can make valid.
            let out_of_range = e.to_string().contains("number out of range");
            let short_unicode_escape = text.rfind("\\u").is_some_and(|i| text.len() - (i + 2) < 4);
            if !(out_of_range || (short_unicode_escape && *a == ParseError::Syntax && eof)) {
                assert_eq!(*a == ParseError::Eof, eof, "{text:?}: ours {a:?}, serde_json {e}");
            }
        }
    }
});
