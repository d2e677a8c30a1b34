//! Stage 4: the Authorization value, and its query-string form for presigned URLs.
//!
//! ```text
//! q-sign-algorithm=sha1&q-ak=<SecretId>&q-sign-time=<KeyTime>&q-key-time=<KeyTime>
//!   &q-header-list=<list>&q-url-param-list=<list>&q-signature=<hex>
//! ```

use super::encode::push_encoded;
use super::request::KeyTime;
use super::string_to_sign::ALGORITHM;

/// The parts of the Authorization value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The SecretId (public).
    pub secret_id: &'a str,
    /// Used as both `q-sign-time` and `q-key-time`, as the SDK does.
    pub key_time: KeyTime,
    /// `q-header-list`.
    pub header_list: &'a str,
    /// `q-url-param-list`.
    pub url_param_list: &'a str,
    /// The signature bytes.
    pub signature: [u8; 20],
}

impl Authorization<'_> {
    /// The header value, byte for byte the SDK's `getAuth` result.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn write_to(&self, out: &mut String) {
        self.write(out, false)
    }

    /// The same fields as URL query parameters. Each value is percent-encoded, so that the
    /// server decodes exactly the signed text (the SDK's `getObjectUrl` does this for
    /// `q-url-param-list`, whose names may hold `%`; here `q-header-list` and `q-ak` too: a
    /// `;` in a list becomes `%3b`, which decodes to the same list).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn write_query(&self, out: &mut String) {
        self.write(out, true)
    }

    #[cfg_attr(tc3_size, optimize(size))]
    fn write(&self, out: &mut String, encoded: bool) {
        let value = |out: &mut String, v: &str, lower: bool| {
            if encoded {
                push_encoded(out, v, false, lower)
            } else {
                out.push_str(v)
            }
        };
        out.push_str("q-sign-algorithm=");
        out.push_str(ALGORITHM);
        out.push_str("&q-ak=");
        value(out, self.secret_id, false);
        for name in ["&q-sign-time=", "&q-key-time="] {
            out.push_str(name);
            crate::text::push_u64(out, self.key_time.start());
            // `;` is literal in a query string; the SDK's links keep it too.
            out.push(';');
            crate::text::push_u64(out, self.key_time.end());
        }
        out.push_str("&q-header-list=");
        value(out, self.header_list, true);
        out.push_str("&q-url-param-list=");
        value(out, self.url_param_list, true);
        out.push_str("&q-signature=");
        crate::text::push_hex(out, &self.signature);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_and_query_forms() {
        let a = Authorization {
            secret_id: "AKIDx",
            key_time: KeyTime::new(10, 5).unwrap(),
            header_list: "host;range",
            url_param_list: "a%20b;c",
            signature: [0xab; 20],
        };
        let mut h = String::new();
        a.write_to(&mut h);
        assert_eq!(
            h,
            "q-sign-algorithm=sha1&q-ak=AKIDx&q-sign-time=10;15&q-key-time=10;15&q-header-list=host;range&q-url-param-list=a%20b;c&q-signature=abababababababababababababababababababab"
        );
        let mut q = String::new();
        a.write_query(&mut q);
        assert_eq!(
            q,
            "q-sign-algorithm=sha1&q-ak=AKIDx&q-sign-time=10;15&q-key-time=10;15&q-header-list=host%3brange&q-url-param-list=a%2520b%3bc&q-signature=abababababababababababababababababababab"
        );
    }
}
