//! What a COS request is, and the checks run before anything is signed.

use crate::error::{Error, ErrorKind};

/// Longest object key COS accepts, in UTF-8 bytes.
pub const MAX_KEY_BYTES: usize = 850;
/// Longest validity of a signature: 7 days. A presigned link is a bearer credential for the
/// object; a week bounds what a leaked link exposes (S3 uses the same bound), and temporary
/// credentials expire sooner anyway.
pub const MAX_EXPIRES_SECS: u64 = 7 * 24 * 3600;
/// Last second of 9999-12-31 (as the TC3 signer).
const MAX_TIMESTAMP: u64 = crate::tc3::signer::MAX_TIMESTAMP;

/// The methods a reader of exported images needs. Writing is the export task's job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CosMethod {
    /// Download (or a `Range` of) the object.
    Get,
    /// Size, ETag and Last-Modified only: has the file appeared yet?
    Head,
}

impl CosMethod {
    /// `GET` or `HEAD` (either case, as `fetch` accepts them).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn parse(s: &str) -> Result<Self, Error> {
        if s.eq_ignore_ascii_case("GET") {
            Ok(CosMethod::Get)
        } else if s.eq_ignore_ascii_case("HEAD") {
            Ok(CosMethod::Head)
        } else {
            Err(Error::validation(
                "InvalidParameterValue",
                "method",
                "method must be \"GET\" or \"HEAD\" (presigned COS links read objects; writing is the export task's job)",
            ))
        }
    }
    /// The HTTP method.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn as_str(self) -> &'static str {
        match self {
            CosMethod::Get => "GET",
            CosMethod::Head => "HEAD",
        }
    }
    /// The form in the string to sign (the SDK lowercases it).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn lower(self) -> &'static str {
        match self {
            CosMethod::Get => "get",
            CosMethod::Head => "head",
        }
    }
}

/// The signature's validity, `q-key-time` / `q-sign-time`: `<start>;<end>` in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyTime {
    start: u64,
    end: u64,
}

impl KeyTime {
    /// Valid from `start` for `expires` seconds (1 to [`MAX_EXPIRES_SECS`]).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn new(start: u64, expires: u64) -> Result<Self, Error> {
        if expires == 0 || expires > MAX_EXPIRES_SECS {
            return Err(Error::validation(
                "InvalidParameterValue",
                "expires",
                "expires must be whole seconds from 1 to 604800 (7 days)",
            ));
        }
        if start > MAX_TIMESTAMP {
            return Err(Error::new(
                ErrorKind::InvalidOption,
                "timestamp must be whole seconds since the Unix epoch (not milliseconds)",
            )
            .with_field("timestamp"));
        }
        Ok(KeyTime {
            start,
            end: start + expires,
        })
    }
    /// First second of validity.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn start(self) -> u64 {
        self.start
    }
    /// Last second of validity.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn end(self) -> u64 {
        self.end
    }
    /// Appends `<start>;<end>`.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn write_to(self, out: &mut String) {
        crate::text::push_u64(out, self.start);
        out.push(';');
        crate::text::push_u64(out, self.end);
    }
}

/// One request to an object of a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CosRequest<'a> {
    /// GET or HEAD.
    pub method: CosMethod,
    /// `<name>-<APPID>`, e.g. `backup-1250000000` (the ExportImages `BucketName`).
    pub bucket: &'a str,
    /// The bucket's region, e.g. `ap-guangzhou`.
    pub region: &'a str,
    /// The object key, with or without a leading `/` (an entry of `CosPaths` as it is).
    pub key: &'a str,
    /// Query parameters (e.g. `response-content-disposition`): all are signed and sent.
    pub query: &'a [(&'a str, &'a str)],
    /// Extra request headers (e.g. `Range`). Those COS signs (see the module doc) are signed;
    /// all are returned for sending. `Host`, `Authorization` and `x-cos-security-token` are
    /// set by the signer and may not be given.
    pub headers: &'a [(&'a str, &'a str)],
}

#[cfg_attr(tc3_size, optimize(size))]
fn bad(field: &str, message: &str) -> Error {
    Error::validation("InvalidParameterValue", field, message)
}

/// Names of the query parameters a signature or token occupies in a presigned URL.
const RESERVED_PARAMS: [&str; 8] = [
    "q-sign-algorithm",
    "q-ak",
    "q-sign-time",
    "q-key-time",
    "q-header-list",
    "q-url-param-list",
    "q-signature",
    "x-cos-security-token",
];

impl CosRequest<'_> {
    /// The object key without its leading `/`: what the URL path and the signed path hold.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn key_path(&self) -> &str {
        self.key.strip_prefix('/').unwrap_or(self.key)
    }

    /// A GET Bucket (a listing: `GET /?prefix=…`): the one request without an object key
    /// (`key` empty), what the export waiter's quiet probe sends.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn is_listing(&self) -> bool {
        self.key.is_empty() && self.method == CosMethod::Get && self.query.iter().any(|(n, _)| *n == "prefix")
    }

    /// Every check, with the code the server (or ExportImages' validation) would use.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn check(&self) -> Result<(), Error> {
        check_bucket(self.bucket)?;
        check_region(self.region)?;
        if !self.is_listing() {
            check_key(self.key)?;
        }
        for (i, (name, _)) in self.query.iter().enumerate() {
            let ok = !name.is_empty() && name.bytes().all(|b| (0x20..0x7f).contains(&b));
            if !ok {
                return Err(bad(
                    "query",
                    "query parameter names must be non-empty printable ASCII (COS has no others)",
                ));
            }
            if RESERVED_PARAMS.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                return Err(bad(
                    "query",
                    "the q-sign-* parameters and x-cos-security-token are set by the signer",
                ));
            }
            if self.query[..i].iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                return Err(bad("query", "a query parameter is given twice (names ignore case)"));
            }
        }
        for (i, (name, value)) in self.headers.iter().enumerate() {
            if name.is_empty() || !name.bytes().all(is_tchar) {
                return Err(bad("headers", "a header name must be an HTTP token such as \"Range\""));
            }
            if ["host", "authorization", "x-cos-security-token"]
                .iter()
                .any(|r| r.eq_ignore_ascii_case(name))
            {
                return Err(bad(
                    "headers",
                    "Host, Authorization and x-cos-security-token are set by the signer",
                ));
            }
            if self.headers[..i].iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                return Err(bad("headers", "a header is given twice (names ignore case)"));
            }
            // fetch trims surrounding whitespace, which would change what was signed; values
            // outside printable ASCII do not travel unchanged either.
            let ok = value.bytes().all(|b| (0x20..0x7f).contains(&b))
                && !crate::text::starts_with_any(value, b" ")
                && !crate::text::ends_with_any(value, b" ");
            if !ok {
                return Err(bad(
                    "headers",
                    "header values must be printable ASCII without leading or trailing spaces",
                ));
            }
        }
        Ok(())
    }
}

/// RFC 9110 `tchar`: the characters of a header name.
#[cfg_attr(tc3_size, optimize(size))]
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `<name>-<APPID>`: the same codes as ExportImages' `BucketName` check, plus the length of
/// a DNS label (the bucket is the first label of its host name).
#[cfg_attr(tc3_size, optimize(size))]
pub fn check_bucket(bucket: &str) -> Result<(), Error> {
    const F: &str = "BucketName";
    if bucket.is_empty() {
        return Err(Error::validation(
            "MissingParameter",
            F,
            "BucketName is required: the COS bucket, e.g. \"backup-1250000000\"",
        ));
    }
    let (base, appid) = crate::text::rsplit_once_byte(bucket, b'-').unwrap_or(("", bucket));
    if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) || base.is_empty() {
        return Err(Error::validation(
            "InvalidParameterValue.InvalidAppIdFormat",
            F,
            "BucketName must be <name>-<APPID> with a numeric APPID, e.g. \"backup-1250000000\"",
        ));
    }
    let base_ok = base
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !crate::text::starts_with_any(base, b"-");
    if !base_ok {
        return Err(bad(
            F,
            "BucketName's name part may hold only lowercase letters, digits and '-', e.g. \"backup-1250000000\"",
        ));
    }
    if bucket.len() > 63 {
        return Err(bad(
            F,
            "BucketName is longer than 63 characters (it is a DNS label of the COS host)",
        ));
    }
    Ok(())
}

/// A region name such as `ap-guangzhou` (part of the COS host name).
#[cfg_attr(tc3_size, optimize(size))]
pub fn check_region(region: &str) -> Result<(), Error> {
    if region.is_empty() {
        return Err(Error::validation(
            "MissingParameter",
            "Region",
            "COS needs the bucket's region: set `region`, e.g. \"ap-guangzhou\"",
        ));
    }
    let ok = region.len() <= 63
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !crate::text::starts_with_any(region, b"-")
        && !crate::text::ends_with_any(region, b"-");
    if ok {
        Ok(())
    } else {
        Err(bad("Region", "region must be a region name such as \"ap-guangzhou\""))
    }
}

/// A non-empty key (a leading `/` aside) of at most [`MAX_KEY_BYTES`], without `.` or `..`
/// segments: URL parsers (fetch, browsers) resolve those away (`a/../b` becomes `/b`), so the
/// request would name — and be refused for, or worse, read — another object.
#[cfg_attr(tc3_size, optimize(size))]
pub fn check_key(key: &str) -> Result<(), Error> {
    let path = key.strip_prefix('/').unwrap_or(key);
    if path.is_empty() {
        return Err(Error::validation(
            "MissingParameter",
            "key",
            "key is required: the object key, e.g. an entry of ExportImages' CosPaths",
        ));
    }
    // The limit is the object key's: a leading `/` is the URL path's, not part of the key.
    if path.len() > MAX_KEY_BYTES {
        return Err(bad(
            "key",
            "key is longer than 850 bytes (COS's limit, a leading '/' aside)",
        ));
    }
    if crate::text::split_byte(path, b'/').any(|s| s == "." || s == "..") {
        return Err(bad(
            "key",
            "key has a '.' or '..' segment, which URLs resolve away (the request would name another object)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(bucket: &'a str, key: &'a str) -> CosRequest<'a> {
        CosRequest {
            method: CosMethod::Get,
            bucket,
            region: "ap-guangzhou",
            key,
            query: &[],
            headers: &[],
        }
    }

    #[test]
    fn bucket_names_use_the_export_images_codes() {
        assert!(req("backup-1250000000", "a").check().is_ok());
        assert!(req("a-b-c-1250000000", "a").check().is_ok());
        for (bucket, code) in [
            ("", "MissingParameter"),
            ("backup", "InvalidParameterValue.InvalidAppIdFormat"),
            ("backup-", "InvalidParameterValue.InvalidAppIdFormat"),
            ("-1250000000", "InvalidParameterValue.InvalidAppIdFormat"),
            ("test-bucket-AppId", "InvalidParameterValue.InvalidAppIdFormat"),
            ("Backup-1250000000", "InvalidParameterValue"),
            ("back.up-1250000000", "InvalidParameterValue"),
            ("-x-1250000000", "InvalidParameterValue"),
        ] {
            let err = req(bucket, "a").check().unwrap_err();
            assert_eq!((err.code(), err.field()), (code, Some("BucketName")), "{bucket}");
        }
        let long = ["a".repeat(53), "-1250000000".into()].concat();
        assert_eq!(req(&long, "k").check().unwrap_err().field(), Some("BucketName"));
    }

    #[test]
    fn keys_must_name_an_object_that_a_url_can_reach() {
        for key in [
            "a",
            "/a",
            "a/",
            "a//b",
            "//a",
            "/night/ly_img.raw",
            "a b+c%d?e#f&g=h",
            "中文/😀",
            ".a",
            "a/.../b",
        ] {
            assert!(req("b-1250000000", key).check().is_ok(), "{key}");
        }
        for (key, code) in [
            ("", "MissingParameter"),
            ("/", "MissingParameter"),
            (".", "InvalidParameterValue"),
            ("a/../b", "InvalidParameterValue"),
            ("a/./b", "InvalidParameterValue"),
            ("a/..", "InvalidParameterValue"),
        ] {
            let err = req("b-1250000000", key).check().unwrap_err();
            assert_eq!((err.code(), err.field()), (code, Some("key")), "{key}");
        }
        assert!(req("b-1250000000", &"k".repeat(850)).check().is_ok());
        assert!(
            req("b-1250000000", &["/", &"k".repeat(850)].concat()).check().is_ok(),
            "the '/' is not the key's"
        );
        assert!(req("b-1250000000", &"k".repeat(851)).check().is_err());
    }

    #[test]
    fn methods_expiry_and_timestamps() {
        assert_eq!(CosMethod::parse("get").unwrap(), CosMethod::Get);
        assert_eq!(CosMethod::parse("HEAD").unwrap(), CosMethod::Head);
        assert_eq!(CosMethod::parse("PUT").unwrap_err().field(), Some("method"));
        let t = KeyTime::new(1_700_000_000, 900).unwrap();
        assert_eq!((t.start(), t.end()), (1_700_000_000, 1_700_000_900));
        let mut s = String::new();
        t.write_to(&mut s);
        assert_eq!(s, "1700000000;1700000900");
        assert!(KeyTime::new(0, MAX_EXPIRES_SECS).is_ok());
        for bad in [0, MAX_EXPIRES_SECS + 1] {
            assert_eq!(KeyTime::new(1, bad).unwrap_err().field(), Some("expires"));
        }
        assert_eq!(
            KeyTime::new(1_700_000_000_000, 1).unwrap_err().code(),
            "Client.InvalidOption"
        );
    }

    #[test]
    fn query_and_header_names() {
        let ok = CosRequest {
            query: &[("response-content-type", "text/plain"), ("versionId", "")],
            headers: &[("Range", "bytes=0-9"), ("X-Cos-Traffic-Limit", "819200")],
            ..req("b-1250000000", "k")
        };
        assert!(ok.check().is_ok());
        type Pairs<'a> = &'a [(&'a str, &'a str)];
        let cases: [(Pairs, Pairs); 9] = [
            (&[("", "x")], &[]),
            (&[("名", "x")], &[]),
            (&[("Q-Signature", "x")], &[]),
            (&[("a", "1"), ("A", "2")], &[]),
            (&[], &[("Host", "x")]),
            (&[], &[("x-cos-security-token", "x")]),
            (&[], &[("bad name", "x")]),
            (&[], &[("range", " bytes=0-1")]),
            (&[], &[("x-cos-meta-a", "é")]),
        ];
        for (query, headers) in cases {
            let r = CosRequest {
                query,
                headers,
                ..req("b-1250000000", "k")
            };
            assert_eq!(
                r.check().unwrap_err().code(),
                "InvalidParameterValue",
                "{query:?} {headers:?}"
            );
        }
    }

    #[test]
    fn regions() {
        assert!(check_region("ap-shanghai-fsi").is_ok());
        assert_eq!(check_region("").unwrap_err().code(), "MissingParameter");
        assert!(check_region("ap guangzhou").is_err());
        assert!(check_region("ap.guangzhou").is_err());
    }
}
