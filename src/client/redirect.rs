//! Redirects are never followed. A signed request carries its Authorization (and the session
//! token) in headers; a redirect would send them — or a re-issued request — to whatever the
//! `Location` names, and an export sent again elsewhere may run twice. The drivers fetch with
//! `redirect: "manual"`; this says what the answer they get means. Node and workerd hand back
//! the 3xx itself; browsers hand back an opaque redirect whose status reads 0 (the driver
//! reports it as 0: the real code is hidden from scripts).

use crate::error::{Error, ErrorKind};
use crate::text::Cat;

/// `Client.HttpStatus` for a redirect answer (`status` 0: a browser's opaque redirect, no
/// `httpCode`), or `None` when `status` is not one. Final: never retried, never followed.
/// `what`: the request, for the message (`ExportImages`, `HEAD /a.raw`).
#[cfg_attr(tc3_size, optimize(size))]
pub fn refused(status: u16, what: &str) -> Option<Error> {
    if status != 0 && !(300..400).contains(&status) {
        return None;
    }
    let code = if status == 0 {
        String::from("a redirect")
    } else {
        ["HTTP ", &crate::text::decimal(status.into())].cat()
    };
    let e = Error::new(
        ErrorKind::HttpStatus,
        [
            what,
            ": the server answered ",
            &code,
            "; redirects are not followed (the signed request would travel to another address)",
        ]
        .cat(),
    );
    Some(if status == 0 { e } else { e.with_status(status) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_hundreds_and_opaque_redirects_are_refused() {
        for s in [300, 301, 302, 303, 307, 308, 399] {
            let e = refused(s, "ExportImages").unwrap();
            assert_eq!((e.code(), e.status()), ("Client.HttpStatus", Some(s)));
        }
        let e = refused(0, "HEAD /a").unwrap();
        assert_eq!((e.code(), e.status()), ("Client.HttpStatus", None));
        for s in [200, 204, 299, 400, 404, 500] {
            assert!(refused(s, "x").is_none(), "{s}");
        }
    }
}
