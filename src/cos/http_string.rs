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
pub fn is_signed_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("x-cos-") || lower.contains("x-ci-") || SIGNED_HEADERS.contains(&lower.as_str())
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

fn len(pairs: &[(&str, &str)]) -> usize {
    pairs.iter().map(|(n, v)| n.len() + v.len() + 2).sum()
}

/// `obj2str(pairs, true)`.
fn push_pairs(out: &mut String, pairs: &[(&str, &str)]) {
    let mut sorted: Vec<&(&str, &str)> = pairs.iter().collect();
    sorted.sort_by_cached_key(|(name, _)| name.to_ascii_lowercase());
    for (i, (name, value)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_encoded(out, name, false, true);
        out.push('=');
        push_encoded(out, value, false, false);
    }
}

/// `getObjectKeys(pairs, true).join(';')`.
fn name_list(pairs: &[(&str, &str)]) -> String {
    let mut names: Vec<String> = pairs.iter().map(|(name, _)| encode_lower(name)).collect();
    names.sort_unstable();
    names.join(";")
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
