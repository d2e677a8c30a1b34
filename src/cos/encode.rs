//! `camSafeUrlEncode`: the percent-encoding of the COS SDKs.
//!
//! `encodeURIComponent`, which keeps `A-Z a-z 0-9 - _ . ! ~ * ' ( )`, and then escapes
//! `! ' ( ) *` as well: what stays is letters, digits and `- _ . ~` (RFC 3986's unreserved
//! set). Every other UTF-8 byte becomes `%XX`, uppercase hex.

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

#[cfg_attr(tc3_size, optimize(size))]
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `enc(s)`. With `keep_slash`, `/` stays as it is (the object path of a URL, as the
/// SDK's `getUrl` does); with `lowercase`, the result is lowercased (names in the string to
/// sign: `camSafeUrlEncode(name).toLowerCase()`, which also lowercases the hex digits).
#[cfg_attr(tc3_size, optimize(size))]
pub fn push_encoded(out: &mut String, s: &str, keep_slash: bool, lowercase: bool) {
    // Runs of bytes that stay unchanged are copied at once. They are ASCII (no byte of a
    // multi-byte UTF-8 sequence is unreserved), so each run is valid UTF-8 on its own; working
    // on bytes keeps this free of str slicing at a non-boundary (a panic).
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            continue;
        }
        push_plain(out, &bytes[start..i], lowercase);
        let hex = [b'%', HEX_UPPER[usize::from(b >> 4)], HEX_UPPER[usize::from(b & 0x0f)]];
        push_plain(out, &hex, lowercase);
        start = i + 1;
    }
    push_plain(out, &bytes[start..], lowercase);
}

/// Appends an ASCII run.
#[cfg_attr(tc3_size, optimize(size))]
fn push_plain(out: &mut String, run: &[u8], lowercase: bool) {
    if run.is_empty() {
        return;
    }
    let text = core::str::from_utf8(run).unwrap_or_default();
    if lowercase {
        for c in text.chars() {
            out.push(c.to_ascii_lowercase());
        }
    } else {
        out.push_str(text);
    }
}

/// `camSafeUrlEncode(s)`.
#[cfg_attr(tc3_size, optimize(size))]
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    push_encoded(&mut out, s, false, false);
    out
}

/// `camSafeUrlEncode(s).toLowerCase()`: how names appear in the string to sign.
#[cfg_attr(tc3_size, optimize(size))]
pub fn encode_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    push_encoded(&mut out, s, false, true);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_encode_uri_component_escapes_and_also_the_cam_five() {
        // encodeURIComponent("a b+c%d?e#f&g=h/i") in JS, and camSafe's `!'()*`.
        assert_eq!(encode("a b+c%d?e#f&g=h/i"), "a%20b%2Bc%25d%3Fe%23f%26g%3Dh%2Fi");
        assert_eq!(encode("!'()*"), "%21%27%28%29%2A");
        assert_eq!(encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(encode("中文"), "%E4%B8%AD%E6%96%87");
        assert_eq!(encode("😀"), "%F0%9F%98%80");
        assert_eq!(encode(""), "");
    }

    #[test]
    fn lowercase_form_lowercases_letters_and_hex_but_a_path_keeps_slashes() {
        assert_eq!(encode_lower("Content-Type*"), "content-type%2a");
        assert_eq!(encode_lower("X-Cos-Meta-中"), "x-cos-meta-%e4%b8%ad");
        let mut path = String::new();
        push_encoded(&mut path, "a b//c/", true, false);
        assert_eq!(path, "a%20b//c/");
    }
}
