//! Small text helpers, a leaf every layer uses (the error type too, hence not under `tc3`):
//! hex and decimal integers written without `core::fmt`, and plain stand-ins for std's generic
//! searchers, integer parsers and `concat`/`join`, each of which links its own code into the
//! wasm module (bench/LEVERS.md). Every stand-in is tested against the std function it replaces.

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends the lowercase hex form of `bytes` (written in 32-byte chunks through a stack
/// buffer: pushing char by char costs a capacity check and UTF-8 encoding per digit).
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    let mut buf = [0u8; 64];
    for chunk in bytes.chunks(32) {
        for (i, &b) in chunk.iter().enumerate() {
            buf[2 * i] = HEX[usize::from(b >> 4)];
            buf[2 * i + 1] = HEX[usize::from(b & 0x0f)];
        }
        // Only ASCII hex digits were written.
        out.push_str(core::str::from_utf8(&buf[..2 * chunk.len()]).unwrap_or_default());
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    push_hex(&mut s, bytes);
    s
}

/// `n` in decimal (messages are built with this and `concat`, not `format!`: keeping
/// `core::fmt` out of the module measured smaller).
pub fn decimal(n: u64) -> String {
    let mut s = String::with_capacity(20);
    push_u64(&mut s, n);
    s
}

/// `s` as a decimal `u64`, exactly as `str::parse::<u64>` reads it (an optional `+`, then
/// one or more ASCII digits, no overflow), without linking std's generic integer parser for
/// each width that uses it.
pub fn parse_u64(s: &str) -> Option<u64> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    digits.bytes().try_fold(0u64, |n, b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// `[a, b, c].cat()`: the strings one after another, what `<[&str]>::concat` does, in one small
/// loop (std's `join_generic_copy` behind `concat` and `join` is ~0.9 KB of wasm; messages are
/// built this way at ~70 places).
pub trait Cat {
    /// The parts joined without a separator.
    fn cat(&self) -> String;
    /// The parts joined with `sep` between them.
    fn join_with(&self, sep: &str) -> String;
}

impl<S: AsRef<str>> Cat for [S] {
    fn cat(&self) -> String {
        self.join_with("")
    }

    fn join_with(&self, sep: &str) -> String {
        let len = self.iter().map(|p| p.as_ref().len() + sep.len()).sum::<usize>();
        let mut out = String::with_capacity(len);
        for (i, part) in self.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(part.as_ref());
        }
        out
    }
}

// ASCII patterns as bytes: each `char` pattern type (`starts_with('-')`, `contains(['?', '#'])`,
// `rsplit_once(':')`…) links its own ~250 B of generic searching code into the module.

/// Whether `s` starts with one of the ASCII bytes in `set`.
pub fn starts_with_any(s: &str, set: &[u8]) -> bool {
    s.as_bytes().first().is_some_and(|b| set.contains(b))
}

/// Whether `s` ends with one of the ASCII bytes in `set`.
pub fn ends_with_any(s: &str, set: &[u8]) -> bool {
    s.as_bytes().last().is_some_and(|b| set.contains(b))
}

/// Whether `s` holds one of the ASCII bytes in `set`.
pub fn contains_any(s: &str, set: &[u8]) -> bool {
    s.bytes().any(|b| set.contains(&b))
}

/// Where the ASCII `byte` first occurs in `s`.
pub fn find_byte(s: &str, byte: u8) -> Option<usize> {
    s.bytes().position(|b| b == byte)
}

/// `s` split around the first ASCII `byte`.
pub fn split_once_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    let i = find_byte(s, byte)?;
    Some((&s[..i], &s[i + 1..]))
}

/// The pieces of `s` between the ASCII `byte`s (what `str::split(char)` yields).
pub fn split_byte(s: &str, byte: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let r = rest?;
        match split_once_byte(r, byte) {
            Some((piece, after)) => {
                rest = Some(after);
                Some(piece)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// `s` without the ASCII `byte` repeated at its end.
pub fn trim_end_byte(s: &str, byte: u8) -> &str {
    let n = s.bytes().rev().take_while(|&b| b == byte).count();
    &s[..s.len() - n]
}

/// `s` split around the last ASCII `byte` (an ASCII byte is always a whole character, so
/// both sides are valid slices).
pub fn rsplit_once_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    let i = s.bytes().rposition(|b| b == byte)?;
    Some((&s[..i], &s[i + 1..]))
}

/// Where `needle` first occurs in `haystack`. A plain scan instead of `str::find`: the texts
/// searched (error messages, COS's small XML answers) are short, and std's two-way searcher
/// costs ~1.8 KB of wasm in both modules (bench/LEVERS.md). A byte match of a whole UTF-8
/// needle always starts on a character boundary, so the index can slice `haystack`.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

/// `s` split around the first `pat` (what `str::split_once` does, without its searcher).
pub fn split_once<'a>(s: &'a str, pat: &str) -> Option<(&'a str, &'a str)> {
    find(s, pat).map(|i| (&s[..i], &s[i + pat.len()..]))
}

/// `haystack` with every non-overlapping `needle` replaced by `with`, left to right (what
/// `str::replace` does, without its searcher). `needle` must not be empty.
pub fn replace(haystack: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return haystack.to_owned();
    }
    let mut out = String::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(i) = find(rest, needle) {
        out.push_str(&rest[..i]);
        out.push_str(with);
        rest = &rest[i + needle.len()..];
    }
    out.push_str(rest);
    out
}

/// Appends `n` in decimal.
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(core::str::from_utf8(&buf[i..]).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cat_and_join_with_match_std() {
        use super::Cat;
        assert_eq!(["a", "", "bc", "日本"].cat(), ["a", "", "bc", "日本"].concat());
        assert_eq!(Vec::<String>::new().cat(), "");
        let owned = ["x".to_owned(), "y".to_owned(), "z".to_owned()];
        assert_eq!(owned.join_with(", "), owned.join(", "));
        assert_eq!(["only"].join_with(", "), "only");
    }

    #[test]
    fn ascii_patterns_match_std() {
        for s in ["", "-", "a-", "-a", "a-b-c", "é-ü", "x?y#", "日本-語", "...", "a.b!"] {
            assert_eq!(super::starts_with_any(s, b"-."), s.starts_with(['-', '.']), "{s:?}");
            assert_eq!(super::ends_with_any(s, b".!?"), s.ends_with(['.', '!', '?']), "{s:?}");
            assert_eq!(super::contains_any(s, b"?#"), s.contains(['?', '#']), "{s:?}");
            assert_eq!(super::rsplit_once_byte(s, b'-'), s.rsplit_once('-'), "{s:?}");
            assert_eq!(super::trim_end_byte(s, b'.'), s.trim_end_matches('.'), "{s:?}");
            assert_eq!(super::find_byte(s, b'-'), s.find('-'), "{s:?}");
            assert_eq!(super::split_once_byte(s, b'-'), s.split_once('-'), "{s:?}");
            assert_eq!(
                super::split_byte(s, b'-').collect::<Vec<_>>(),
                s.split('-').collect::<Vec<_>>(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn parse_u64_reads_what_std_reads() {
        for s in [
            "",
            "+",
            "-1",
            "0",
            "+0",
            "007",
            "+42",
            "1 ",
            " 1",
            "1.5",
            "1e3",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999",
            "+18446744073709551615",
            "٣",
            "12a",
        ] {
            assert_eq!(super::parse_u64(s), s.parse::<u64>().ok(), "{s:?}");
        }
    }

    #[test]
    fn find_and_replace_match_std() {
        let cases = [
            ("", "a"),
            ("a", "a"),
            ("aaa", "aa"),
            ("abcabc", "bc"),
            ("x", "xy"),
            ("token=sek-ret-123456 again sek-ret-123456", "sek-ret-123456"),
            ("é<Code>NoSuchKey</Code>ü", "<Code>"),
            ("日本語の本", "本"),
            ("abc", "d"),
        ];
        for (hay, needle) in cases {
            assert_eq!(super::find(hay, needle), hay.find(needle), "{hay:?} / {needle:?}");
            assert_eq!(
                super::replace(hay, needle, "**"),
                hay.replace(needle, "**"),
                "{hay:?} / {needle:?}"
            );
            assert_eq!(
                super::split_once(hay, needle),
                hay.split_once(needle),
                "{hay:?} / {needle:?}"
            );
        }
        assert_eq!(super::find("abc", ""), Some(0));
    }

    #[test]
    fn hex_and_decimal_match_the_standard_formatting() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        let long: Vec<u8> = (0..=255).collect();
        assert_eq!(hex(&long), long.iter().map(|b| format!("{b:02x}")).collect::<String>());
        for n in [0u64, 7, 10, 1_551_113_065, u64::MAX] {
            let mut s = String::new();
            push_u64(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }
}
