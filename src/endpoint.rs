//! Where requests go, and which host they are signed for: URL and host syntax, a leaf shared by
//! the client (`endpoint`, `httpProfile`) and COS (`cosEndpoint`).
//!
//! An endpoint is a bare host (`cvm.tencentcloudapi.com`, sent over HTTPS) or a full URL
//! (`http://127.0.0.1:8787`, `https://console.example.com/tc3-proxy/`), so a web console can
//! send through its own proxy or a local server. The signed `host:` defaults to the
//! endpoint's host name WITHOUT the port — exactly what the official SDKs sign
//! (`new URL(url).hostname`) — and can be set apart, because a proxy forwards to the real API
//! host and the signature must be for that host.

use crate::error::{Error, ErrorKind};
use crate::text::Cat;

/// A parsed endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The URL requests are sent to: `scheme://host[:port]/path`.
    pub url: String,
    /// The host name, lowercased, without port: the default signed host.
    pub hostname: String,
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidOption, message)
}

/// A DNS name or IPv4 address: letters, digits, `-` and `.`, no empty labels.
pub fn is_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && crate::text::split_byte(s, b'.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !crate::text::starts_with_any(label, b"-")
                && !crate::text::ends_with_any(label, b"-")
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

impl Endpoint {
    /// Parses a host or URL; anything else is `Client.InvalidOption` saying what is accepted.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let usage = || {
            invalid(
                [
                    "endpoint ",
                    &crate::json::quote(input),
                    " is neither a host (\"cvm.tencentcloudapi.com\") nor an http(s) URL (\"http://127.0.0.1:8787\")",
                ]
                .cat(),
            )
        };
        let (scheme, rest) = match crate::text::split_once(input, "://") {
            Some((scheme, rest)) => {
                let scheme = scheme.to_ascii_lowercase();
                if scheme != "http" && scheme != "https" {
                    return Err(usage());
                }
                (scheme, rest)
            }
            None => ("https".to_owned(), input),
        };
        let (authority, path) = match crate::text::find_byte(rest, b'/') {
            Some(i) => rest.split_at(i),
            None => (rest, "/"),
        };
        if crate::text::contains_any(path, b"?# ") || authority.contains('@') || !path.is_ascii() {
            return Err(usage());
        }
        let (host, port) = match crate::text::rsplit_once_byte(authority, b':') {
            Some((host, port)) => {
                let ok = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
                match crate::text::parse_u64(port).and_then(|p| u16::try_from(p).ok()) {
                    Some(p) if ok && p > 0 => (host, Some(p)),
                    _ => return Err(usage()),
                }
            }
            None => (authority, None),
        };
        if !is_hostname(host) {
            return Err(usage());
        }
        let hostname = host.to_ascii_lowercase();
        // Concatenated, not format!(): this runs on every signRequest, and keeping core::fmt
        // out of the sign-only module is worth ~3 KB of it.
        let mut url = [scheme.as_str(), "://", &hostname].cat();
        if let Some(p) = port {
            url.push(':');
            crate::text::push_u64(&mut url, u64::from(p));
        }
        url.push_str(path);
        Ok(Endpoint { url, hostname })
    }
}

#[cfg(test)]
mod tests {
    use super::Endpoint;

    #[test]
    fn bare_host_means_https() {
        let e = Endpoint::parse("cvm.tencentcloudapi.com").unwrap();
        assert_eq!(
            (e.url.as_str(), e.hostname.as_str()),
            ("https://cvm.tencentcloudapi.com/", "cvm.tencentcloudapi.com")
        );
    }

    #[test]
    fn url_with_port_and_path_keeps_them_but_signs_the_hostname() {
        let e = Endpoint::parse("http://127.0.0.1:8787").unwrap();
        assert_eq!(
            (e.url.as_str(), e.hostname.as_str()),
            ("http://127.0.0.1:8787/", "127.0.0.1")
        );
        let e = Endpoint::parse("HTTPS://Console.Example.com/tc3-proxy/").unwrap();
        assert_eq!(
            (e.url.as_str(), e.hostname.as_str()),
            ("https://console.example.com/tc3-proxy/", "console.example.com")
        );
    }

    #[test]
    fn rejects_what_is_not_an_endpoint() {
        for bad in [
            "",
            "ftp://x.com",
            "http://",
            "http://x.com:0",
            "http://x.com:99999",
            "http://u@x.com",
            "x.com/?a=1",
            "a b.com",
            "-x.com",
            "http://x..com",
            "http://[::1]:80",
        ] {
            let err = Endpoint::parse(bad).unwrap_err();
            assert_eq!(err.code(), "Client.InvalidOption", "{bad}");
        }
    }
}
