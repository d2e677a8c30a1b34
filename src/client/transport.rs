//! What a failed `fetch` means, for both machines (the API call and the export wait): the
//! error it becomes, and whether it proves that nothing was sent.

use crate::error::{Error, ErrorKind};
use crate::text::Cat;

/// Node reports these in `error.cause.code` when no connection was ever made, so the request
/// cannot have reached the server.
/// (undici, Node's fetch: refused, DNS, unreachable, connect timeout, and TLS failures, which
/// happen before the request is written.) Anything else — workerd's and browsers' bare
/// `TypeError`s carry no code — may have executed.
const NOT_SENT_CODES: [&str; 13] = [
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "UND_ERR_CONNECT_TIMEOUT",
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "CERT_HAS_EXPIRED",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "ERR_SSL_WRONG_VERSION_NUMBER",
];

/// True when a transport failure with this `error.cause.code` never connected, so nothing
/// was sent (the export waiter's host switch asks the same question).
pub fn never_connected(code: &str) -> bool {
    NOT_SENT_CODES.contains(&code)
}

/// `Client.Network` for a `fetch` that rejected: its message, and Node's `error.cause.code`
/// when there is one.
pub fn fetch_failed(code: &str, message: &str) -> Error {
    let message = if code.is_empty() {
        ["fetch failed: ", message].cat()
    } else {
        ["fetch failed: ", message, " (", code, ")"].cat()
    };
    Error::new(ErrorKind::Network, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_name_their_cause() {
        assert_eq!(fetch_failed("", "boom").message(), "fetch failed: boom");
        assert_eq!(
            fetch_failed("ECONNRESET", "socket hang up").message(),
            "fetch failed: socket hang up (ECONNRESET)"
        );
        assert!(never_connected("ECONNREFUSED"));
        assert!(!never_connected("ECONNRESET"));
        assert!(!never_connected(""));
    }
}
