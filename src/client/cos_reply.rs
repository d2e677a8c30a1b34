//! What a COS answer to "does this export file exist yet?" means.
//!
//! COS writes an object whole: it becomes visible (HEAD 200) only once the upload is complete,
//! so "the object exists" is exactly "this export file is done". The hard part is the errors:
//! a HEAD response has no body, so the two 404s — `NoSuchKey` (not written yet: keep waiting)
//! and `NoSuchBucket` (fail now) — look the same, as do the 403s `AccessDenied` and
//! `SignatureDoesNotMatch`. [`judge`] therefore asks for a GET of the same key whenever a
//! HEAD's error needs its body, unless a `NoSuchKey` already proved the bucket exists.

use crate::client::clock::parse_http_date;
use crate::error::{Error, ErrorKind};
use crate::tc3::UtcDate;
use crate::text::Cat;
use crate::text::{decimal, parse_u64};

/// How a file is asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PollMethod {
    /// `HEAD /<key>`: the poll.
    Head,
    /// `GET /<key>` with `Range: bytes=0-0`: only to read the XML body of an error a HEAD got.
    /// (Should the file have appeared in between, at most one byte is asked for, and the
    /// driver does not read a 2xx body.)
    Get,
    /// `GET /?prefix=<key>&max-keys=1` (GET Bucket): the quiet probe (`probe: "list"`). It is
    /// 200 whether or not the file exists — a browser logs no red 404 per poll — and its XML
    /// lists the key once it is there. Needs `cos:GetBucket` on the bucket.
    List,
}

impl PollMethod {
    /// The HTTP method.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn as_str(self) -> &'static str {
        match self {
            PollMethod::Head => "HEAD",
            PollMethod::Get | PollMethod::List => "GET",
        }
    }
}

/// The parts of a COS response the waiter reads. Header values are as received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CosReply<'a> {
    /// HTTP status.
    pub status: u16,
    /// `Content-Length`.
    pub content_length: Option<&'a str>,
    /// `Content-Range` (a ranged GET: `bytes 0-0/<size>`).
    pub content_range: Option<&'a str>,
    /// `ETag`.
    pub etag: Option<&'a str>,
    /// `Last-Modified` (an HTTP date).
    pub last_modified: Option<&'a str>,
    /// `x-cos-request-id`.
    pub request_id: Option<&'a str>,
    /// `Date`: COS's clock (read after a clock-skew error; a browser sees it only when the
    /// bucket's CORS rules expose it).
    pub date: Option<&'a str>,
    /// The body: COS's XML error document on a non-2xx GET; empty for a HEAD.
    pub body: &'a str,
}

/// What is known about a file that exists.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileInfo {
    /// Bytes (absent when the response had no usable `Content-Length`/`Content-Range`).
    pub size: Option<u64>,
    /// The ETag as COS sent it (quoted). Absent when a browser was not allowed to read it
    /// (the bucket's CORS rules must expose `ETag`).
    pub etag: Option<String>,
    /// `Last-Modified` as ISO 8601 (`2024-11-27T00:00:00.000Z`).
    pub last_modified: Option<String>,
}

/// The meaning of one answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The file exists: it is complete.
    Ready(FileInfo),
    /// Not written yet. `bucket_exists`: the answer proved the bucket exists (a `NoSuchKey`).
    Pending {
        /// The answer named `NoSuchKey`, so the bucket is there.
        bucket_exists: bool,
    },
    /// A HEAD's error that needs its body: ask again with [`PollMethod::Get`].
    ReadErrorBody,
    /// COS or the way to it failed for now (5xx, 429): ask again later.
    Transient(Error),
    /// A definite error: the wait ends with it.
    Fatal(Error),
    /// COS refused the signature's time (`RequestTimeTooSkewed`, or `AccessDenied` with
    /// "Request has expired", as the official COS SDKs' `CorrectClockSkew` tells them): re-sign
    /// on COS's clock, or end with this error when that cannot be done.
    Skewed(Error),
}

/// COS's XML error document: `<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosError {
    /// E.g. `NoSuchBucket`, `AccessDenied`, `SignatureDoesNotMatch`.
    pub code: String,
    /// COS's explanation (may be empty).
    pub message: String,
    /// The RequestId in the body, if any.
    pub request_id: Option<String>,
}

/// Reads COS's XML error document; `None` if `body` is not one (empty, HTML, JSON, …).
#[cfg_attr(tc3_size, optimize(size))]
pub fn parse_cos_error(body: &str) -> Option<CosError> {
    let error = element(body, "Error")?;
    let code = value(error, "Code")?;
    let plausible = !code.is_empty()
        && code.len() <= 128
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_');
    if !plausible {
        return None;
    }
    let message = value(error, "Message").unwrap_or_default();
    let request_id = value(error, "RequestId").filter(|r| !r.is_empty());
    Some(CosError {
        code,
        message,
        request_id,
    })
}

/// The text between `<name>` and the next `</name>` (COS's error documents are flat). Values
/// are trimmed with `trim_ascii` (XML's whitespace is exactly ASCII space, tab, CR and LF).
#[cfg_attr(tc3_size, optimize(size))]
fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = ["<", name, ">"].cat();
    let close = ["</", name, ">"].cat();
    let start = crate::text::find(xml, &open)? + open.len();
    let len = crate::text::find(&xml[start..], &close)?;
    Some(&xml[start..start + len])
}

/// A text element's value: trimmed, entities decoded.
#[cfg_attr(tc3_size, optimize(size))]
fn value(xml: &str, name: &str) -> Option<String> {
    element(xml, name).map(|v| unescape(v.trim_ascii()))
}

/// The five predefined XML entities and numeric character references.
#[cfg_attr(tc3_size, optimize(size))]
fn unescape(s: &str) -> String {
    if crate::text::find_byte(s, b'&').is_none() {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = crate::text::find_byte(rest, b'&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let entity = crate::text::find_byte(rest, b';').map(|end| (&rest[1..end], end));
        let decoded = entity.and_then(|(name, end)| {
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| {
                        name.strip_prefix('#')
                            .and_then(parse_u64)
                            .and_then(|d| u32::try_from(d).ok())
                    })
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What one answer to `method` on `key` means. `bucket_seen`: an earlier `NoSuchKey` proved
/// the bucket exists, so a bodiless HEAD 404 is a file not written yet.
#[cfg_attr(tc3_size, optimize(size))]
pub fn judge(method: PollMethod, key: &str, reply: &CosReply<'_>, bucket_seen: bool) -> Verdict {
    let status = reply.status;
    // A redirect is refused, not followed (see super::redirect): fatal, a next poll would get it too.
    if let Some(e) = super::redirect::refused(status, &[method.as_str(), " ", key].cat()) {
        return Verdict::Fatal(e.with_request_id(reply.request_id.map(str::to_owned)));
    }
    if (200..300).contains(&status) {
        return match method {
            PollMethod::List => listed(key, reply),
            _ => Verdict::Ready(file_info(reply)),
        };
    }
    let cos = parse_cos_error(reply.body);
    if status == 429 || status >= 500 {
        let code = cos.as_ref().map(|e| [" ", &e.code].cat()).unwrap_or_default();
        let message = [method.as_str(), " ", key, ": HTTP ", &decimal(status.into()), &code].cat();
        let request_id = reply.request_id.map(str::to_owned).or(cos.and_then(|e| e.request_id));
        return Verdict::Transient(
            Error::new(ErrorKind::HttpStatus, message)
                .with_status(status)
                .with_request_id(request_id),
        );
    }
    if let Some(e) = cos {
        if e.code == "NoSuchKey" {
            return Verdict::Pending { bucket_exists: true };
        }
        let skewed =
            e.code == "RequestTimeTooSkewed" || (e.code == "AccessDenied" && e.message == "Request has expired");
        let request_id = reply.request_id.map(str::to_owned).or(e.request_id);
        let status_text = decimal(status.into());
        let message = if e.message.is_empty() {
            ["COS refused ", method.as_str(), " ", key, " (HTTP ", &status_text, ")"].cat()
        } else {
            [
                &e.message,
                " (COS, ",
                method.as_str(),
                " ",
                key,
                ": HTTP ",
                &status_text,
                ")",
            ]
            .cat()
        };
        let error = Error::api(e.code, message, request_id).with_status(status);
        return if skewed {
            Verdict::Skewed(error)
        } else {
            Verdict::Fatal(error)
        };
    }
    match method {
        PollMethod::Head if status == 404 && bucket_seen => Verdict::Pending { bucket_exists: true },
        PollMethod::Head => Verdict::ReadErrorBody,
        PollMethod::Get | PollMethod::List => Verdict::Fatal(
            Error::new(
                ErrorKind::HttpStatus,
                [
                    "COS answered ",
                    method.as_str(),
                    " ",
                    key,
                    " with HTTP ",
                    &decimal(status.into()),
                    " and no XML error body, so the cause (e.g. a missing file or a missing bucket) \
                     cannot be told",
                ]
                .cat(),
            )
            .with_status(status)
            .with_request_id(reply.request_id.map(str::to_owned)),
        ),
    }
}

/// Size, ETag and modification time of a file that exists.
/// What a listing (`GET /?prefix=<key>&max-keys=1`) says about `key`: COS lists keys in
/// order, so if the key exists it is the first (and only) `Contents`.
#[cfg_attr(tc3_size, optimize(size))]
fn listed(key: &str, reply: &CosReply<'_>) -> Verdict {
    let Some(result) = element(reply.body, "ListBucketResult") else {
        return Verdict::Fatal(
            Error::new(
                ErrorKind::HttpStatus,
                ["COS answered the listing for ", key, " without a ListBucketResult"].cat(),
            )
            .with_status(reply.status)
            .with_request_id(reply.request_id.map(str::to_owned)),
        );
    };
    let want = key.strip_prefix('/').unwrap_or(key);
    let Some(contents) =
        element(result, "Contents").filter(|c| element(c, "Key").map(unescape).as_deref() == Some(want))
    else {
        return Verdict::Pending { bucket_exists: true };
    };
    Verdict::Ready(FileInfo {
        size: element(contents, "Size").and_then(|s| parse_u64(s.trim_ascii())),
        etag: value(contents, "ETag").filter(|e| !e.is_empty()),
        last_modified: element(contents, "LastModified")
            .and_then(|t| crate::client::clock::parse_iso_8601(t.trim_ascii()))
            .map(iso_8601),
    })
}

#[cfg_attr(tc3_size, optimize(size))]
fn file_info(reply: &CosReply<'_>) -> FileInfo {
    // A ranged GET answers 206 with `Content-Range: bytes 0-0/<size>` and a 1-byte length.
    let from_range = reply
        .content_range
        .and_then(|r| crate::text::rsplit_once_byte(r, b'/'))
        .and_then(|(_, total)| parse_u64(total.trim_ascii()));
    let size = from_range.or_else(|| {
        if reply.status == 206 {
            return None;
        }
        reply.content_length.and_then(|l| parse_u64(l.trim_ascii()))
    });
    FileInfo {
        size,
        etag: reply.etag.filter(|e| !e.is_empty()).map(str::to_owned),
        last_modified: reply.last_modified.and_then(parse_http_date).map(iso_8601),
    }
}

/// `YYYY-MM-DDTHH:MM:SS.000Z`, the form of JavaScript's `Date.prototype.toISOString`.
#[cfg_attr(tc3_size, optimize(size))]
pub fn iso_8601(secs: u64) -> String {
    let date = UtcDate::from_timestamp(secs).to_bytes();
    let day = secs % 86_400;
    let (h, m, s) = (day / 3600, day / 60 % 60, day % 60);
    let mut out = String::with_capacity(24);
    out.push_str(std::str::from_utf8(&date).unwrap_or("0000-00-00"));
    for (sep, v) in [('T', h), (':', m), (':', s)] {
        out.push(sep);
        out.push(char::from(b'0' + (v / 10) as u8));
        out.push(char::from(b'0' + (v % 10) as u8));
    }
    out.push_str(".000Z");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_SUCH_BUCKET: &str = "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>NoSuchBucket</Code>\n\t<Message>The specified bucket does not exist.</Message>\n\t<Resource>b-1250000000.cos.ap-guangzhou.myqcloud.com</Resource>\n\t<RequestId>NjY0ZjA1</RequestId>\n</Error>";

    fn reply(status: u16, body: &str) -> CosReply<'_> {
        CosReply {
            status,
            body,
            ..CosReply::default()
        }
    }

    #[test]
    fn parses_cos_error_documents_and_rejects_other_bodies() {
        let e = parse_cos_error(NO_SUCH_BUCKET).unwrap();
        assert_eq!(e.code, "NoSuchBucket");
        assert_eq!(e.message, "The specified bucket does not exist.");
        assert_eq!(e.request_id.as_deref(), Some("NjY0ZjA1"));
        let e = parse_cos_error(
            "<Error><Code>AccessDenied</Code><Message>a &amp; b &lt;&#x41;&#66;&bogus;</Message></Error>",
        )
        .unwrap();
        assert_eq!(e.message, "a & b <AB&bogus;");
        assert_eq!(e.request_id, None);
        for body in [
            "",
            "<html>502</html>",
            "{\"Code\":\"x\"}",
            "<Error><Code></Code></Error>",
            "<Error><Code>a b</Code></Error>",
            "<Error><Code>Trunc",
        ] {
            assert_eq!(parse_cos_error(body), None, "{body}");
        }
    }

    #[test]
    fn a_bodiless_head_404_needs_its_body_until_the_bucket_is_known() {
        let r = reply(404, "");
        assert_eq!(judge(PollMethod::Head, "/a", &r, false), Verdict::ReadErrorBody);
        assert_eq!(
            judge(PollMethod::Head, "/a", &r, true),
            Verdict::Pending { bucket_exists: true }
        );
        // 403 always needs the body: AccessDenied and SignatureDoesNotMatch look alike.
        assert_eq!(
            judge(PollMethod::Head, "/a", &reply(403, ""), true),
            Verdict::ReadErrorBody
        );
    }

    #[test]
    fn error_bodies_decide_between_waiting_and_failing() {
        let no_key = "<Error><Code>NoSuchKey</Code><Message>m</Message></Error>";
        assert_eq!(
            judge(PollMethod::Get, "/a", &reply(404, no_key), false),
            Verdict::Pending { bucket_exists: true }
        );
        let r = CosReply {
            request_id: Some("hdr-id"),
            ..reply(404, NO_SUCH_BUCKET)
        };
        let Verdict::Fatal(e) = judge(PollMethod::Get, "/a.raw", &r, false) else {
            panic!("NoSuchBucket must be fatal")
        };
        assert_eq!(e.code(), "NoSuchBucket");
        assert_eq!(e.kind(), ErrorKind::Api);
        assert_eq!(e.status(), Some(404));
        assert_eq!(e.request_id(), Some("hdr-id"), "the header's id wins");
        assert!(e.message().contains("/a.raw"), "{}", e.message());
        let sig = "<Error><Code>SignatureDoesNotMatch</Code><Message>bad</Message><RequestId>x1</RequestId></Error>";
        let Verdict::Fatal(e) = judge(PollMethod::Get, "/a", &reply(403, sig), false) else {
            panic!()
        };
        assert_eq!((e.code(), e.request_id()), ("SignatureDoesNotMatch", Some("x1")));
        // A GET error without a readable body cannot be told apart: a typed failure.
        let Verdict::Fatal(e) = judge(PollMethod::Get, "/a", &reply(404, "<html/>"), false) else {
            panic!()
        };
        assert_eq!((e.code(), e.status()), ("Client.HttpStatus", Some(404)));
    }

    #[test]
    fn server_failures_are_transient() {
        for status in [500, 502, 503, 429] {
            assert!(matches!(
                judge(PollMethod::Head, "/a", &reply(status, ""), false),
                Verdict::Transient(_)
            ));
        }
        let slow = "<Error><Code>SlowDown</Code></Error>";
        let Verdict::Transient(e) = judge(PollMethod::Get, "/k", &reply(503, slow), false) else {
            panic!()
        };
        assert_eq!(
            (e.code(), e.message(), e.status()),
            ("Client.HttpStatus", "GET /k: HTTP 503 SlowDown", Some(503))
        );
    }

    #[test]
    fn ready_files_carry_size_etag_and_iso_time() {
        let head = CosReply {
            status: 200,
            content_length: Some("1048576"),
            etag: Some("\"abc\""),
            last_modified: Some("Wed, 27 Nov 2024 01:02:03 GMT"),
            ..CosReply::default()
        };
        assert_eq!(
            judge(PollMethod::Head, "/a", &head, false),
            Verdict::Ready(FileInfo {
                size: Some(1_048_576),
                etag: Some("\"abc\"".into()),
                last_modified: Some("2024-11-27T01:02:03.000Z".into()),
            })
        );
        let ranged = CosReply {
            status: 206,
            content_length: Some("1"),
            content_range: Some("bytes 0-0/777"),
            ..CosReply::default()
        };
        let Verdict::Ready(info) = judge(PollMethod::Get, "/a", &ranged, false) else {
            panic!()
        };
        assert_eq!((info.size, info.etag, info.last_modified), (Some(777), None, None));
        let no_range = CosReply {
            content_range: None,
            ..ranged
        };
        let Verdict::Ready(info) = judge(PollMethod::Get, "/a", &no_range, false) else {
            panic!()
        };
        assert_eq!(info.size, None, "a 206's Content-Length is the range's, not the file's");
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso_8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_8601(1_732_665_599), "2024-11-26T23:59:59.000Z");
        assert_eq!(iso_8601(951_782_400), "2000-02-29T00:00:00.000Z");
    }
}
