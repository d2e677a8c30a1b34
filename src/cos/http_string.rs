//! Stage 1: the HttpString (the SDK's `FormatString`) and the two name lists.
//!
//! ```text
//! HttpString = method "\n" path "\n" params "\n" headers "\n"
//! params     = enc(name).lower "=" enc(value), joined by "&", ordered by the lowercased raw name
//! q-url-param-list = enc(name).lower, joined by ";", ordered by itself   (same for headers)
//! ```
//! The two orders differ in general (`a{` sorts after `a-`, its encoded `a%7b` before it):
//! the SDK sorts the string by raw name and the list by encoded name, and so does this.

use super::encode::{encode_lower, push_encoded};
use super::request::CosMethod;

/// Headers COS signs besides `x-cos-*` / `x-ci-*` (the SDK's `signHeaders`).
const SIGNED_HEADERS: [&str; 17] = [
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-length",
    "content-md5",
    "content-type",
    "expect",
    "expires",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-unmodified-since",
    "origin",
    "range",
    "transfer-encoding",
    "pic-operations",
];

/// Whether a header is signed: the SDK's `getSignHeaderObj` (a name that CONTAINS `x-cos-` or
/// `x-ci-`, not only one that starts with it, or one of its list).
#[cfg_attr(tc3_size, optimize(size))]
pub fn is_signed_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    // Byte windows rather than str::contains, whose substring searcher is ~3 KB of wasm.
    let has = |part: &[u8]| lower.as_bytes().windows(part.len()).any(|w| w == part);
    has(b"x-cos-") || has(b"x-ci-") || SIGNED_HEADERS.contains(&lower.as_str())
}

/// Stage 1's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpString {
    /// The HttpString itself.
    pub text: String,
    /// `q-header-list`.
    pub header_list: String,
    /// `q-url-param-list`.
    pub url_param_list: String,
}

/// Builds the HttpString. `path` is the signed path (`/` + key, unencoded); `headers` are the
/// signed ones only, `host` included. Names are ASCII and distinct ignoring case (checked by
/// [`super::CosRequest::check`]), so both orders are total.
#[cfg_attr(tc3_size, optimize(size))]
pub fn build(method: CosMethod, path: &str, query: &[(&str, &str)], headers: &[(&str, &str)]) -> HttpString {
    let mut text = String::with_capacity(64 + path.len() + 3 * (len(query) + len(headers)));
    text.push_str(method.lower());
    text.push('\n');
    text.push_str(path);
    text.push('\n');
    push_pairs(&mut text, query);
    text.push('\n');
    push_pairs(&mut text, headers);
    text.push('\n');
    HttpString {
        text,
        header_list: name_list(headers),
        url_param_list: name_list(query),
    }
}

#[cfg_attr(tc3_size, optimize(size))]
fn len(pairs: &[(&str, &str)]) -> usize {
    pairs.iter().map(|(n, v)| n.len() + v.len() + 2).sum()
}

/// `obj2str(pairs, true)`.
#[cfg_attr(tc3_size, optimize(size))]
fn push_pairs(out: &mut String, pairs: &[(&str, &str)]) {
    let order = sorted(pairs.len(), &|a, b| lower_less(pairs[a].0, pairs[b].0));
    for (i, &at) in order.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        let (name, value) = pairs[at];
        push_encoded(out, name, false, true);
        out.push('=');
        push_encoded(out, value, false, false);
    }
}

/// `getObjectKeys(pairs, true).join(';')`.
#[cfg_attr(tc3_size, optimize(size))]
fn name_list(pairs: &[(&str, &str)]) -> String {
    let names: Vec<String> = pairs.iter().map(|(name, _)| encode_lower(name)).collect();
    let order = sorted(names.len(), &|a, b| names[a].as_bytes() < names[b].as_bytes());
    let mut list = String::with_capacity(names.iter().map(|n| n.len() + 1).sum());
    for (i, &at) in order.iter().enumerate() {
        if i > 0 {
            list.push(';');
        }
        list.push_str(&names[at]);
    }
    list
}

/// `a.toLowerCase() < b.toLowerCase()` for ASCII names (JS compares UTF-16 units, which for
/// ASCII is byte order).
#[cfg_attr(tc3_size, optimize(size))]
fn lower_less(a: &str, b: &str) -> bool {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .lt(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The indices `0..n` in `less` order: an insertion sort. Requests carry a handful of
/// parameters and headers, and one small non-generic routine is far less wasm than
/// the standard library's sorts instantiated for each key type (measured: bench/size.mjs).
#[cfg_attr(tc3_size, optimize(size))]
fn sorted(n: usize, less: &dyn Fn(usize, usize) -> bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in 1..n {
        let mut j = i;
        while j > 0 && less(order[j], order[j - 1]) {
            order.swap(j, j - 1);
            j -= 1;
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_string_is_ordered_by_raw_name_and_the_list_by_encoded_name() {
        let query = [("a-", "1"), ("a{", "2"), ("B", "x y")];
        let s = build(CosMethod::Get, "/k", &query, &[("host", "b-1.cos.r.myqcloud.com")]);
        // raw lowercased: "a-" < "a{" < "b"; encoded: "a%7b" < "a-" < "b".
        assert_eq!(s.text, "get\n/k\na-=1&a%7b=2&b=x%20y\nhost=b-1.cos.r.myqcloud.com\n");
        assert_eq!(s.url_param_list, "a%7b;a-;b");
        assert_eq!(s.header_list, "host");
    }

    #[test]
    fn values_keep_their_case_and_names_lose_it() {
        let s = build(
            CosMethod::Head,
            "/中 文",
            &[],
            &[("Range", "bytes=0-9"), ("host", "h"), ("X-Cos-Meta-A", "AbC")],
        );
        assert_eq!(s.text, "head\n/中 文\n\nhost=h&range=bytes%3D0-9&x-cos-meta-a=AbC\n");
        assert_eq!(s.header_list, "host;range;x-cos-meta-a");
        assert_eq!(s.url_param_list, "");
    }

    #[test]
    fn the_sort_is_a_sort() {
        let words = ["b", "A", "a-", "a{", "C", "a", "ab", "Ab0"];
        let order = sorted(words.len(), &|x, y| lower_less(words[x], words[y]));
        let got: Vec<&str> = order.iter().map(|&i| words[i]).collect();
        let mut expected = words.to_vec();
        expected.sort_by_key(|w| w.to_ascii_lowercase());
        assert_eq!(got, expected);
        assert!(sorted(0, &|_, _| true).is_empty());
    }

    #[test]
    fn signed_headers_are_the_sdks() {
        for name in [
            "Range",
            "content-type",
            "X-COS-META-x",
            "x-ci-a",
            "my-x-cos-thing",
            "Host",
        ] {
            assert!(is_signed_header(name), "{name}");
        }
        for name in ["Accept", "user-agent", "x-cosa", "cache", "authorization"] {
            assert!(!is_signed_header(name), "{name}");
        }
    }
}
