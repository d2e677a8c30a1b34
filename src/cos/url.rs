//! Where a COS request goes: the real host, or a `cosEndpoint` template; and presigned URLs.
//!
//! The real host is `<Bucket>.cos.<Region>.myqcloud.com` (HTTPS). A template such as
//! `http://127.0.0.1:8787/cos/{Bucket}` or `https://console.example.com/cos/{Region}/{Bucket}`
//! sends the request elsewhere — a proxy, the emulator — while it stays signed for the real
//! host, like `httpProfile.host` for the API. The object path is appended to the template's
//! path: `/` + the key, percent-encoded except `/` (the SDK's `getUrl`).

use super::encode::push_encoded;
use super::request::{CosRequest, KeyTime};
use super::signer::{sign_request_for, CosSigned};
use crate::error::{Error, ErrorKind};
use crate::tc3::Credential;

pub use super::host::{cos_alternate_host, cos_host};
use crate::text::Cat;

const REAL: &str = "https://{Bucket}.cos.{Region}.myqcloud.com";
const ALTERNATE: &str = "https://{Bucket}.cos.{Region}.tencentcos.cn";

/// A parsed `cosEndpoint`: a URL template with `{Bucket}` and `{Region}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosEndpoint {
    /// Without trailing `/`.
    template: String,
}

impl Default for CosEndpoint {
    #[cfg_attr(tc3_size, optimize(size))]
    fn default() -> Self {
        Self::real()
    }
}

impl CosEndpoint {
    /// `https://{Bucket}.cos.{Region}.myqcloud.com`.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn real() -> Self {
        CosEndpoint {
            template: REAL.to_owned(),
        }
    }

    /// Checks a template: an `http(s)://` URL without query or fragment whose only `{…}` are
    /// `{Bucket}` and `{Region}`, and that is a valid URL once they are filled in. Each
    /// problem is `Client.InvalidOption` (field `cosEndpoint`) saying what is accepted.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn parse(template: &str) -> Result<Self, Error> {
        let usage = |why: &str| {
            Error::new(
                ErrorKind::InvalidOption,
                [
                    "cosEndpoint ",
                    &crate::json::quote(template),
                    " ",
                    why,
                    ": give an http(s) URL template such as \"http://127.0.0.1:8787/cos/{Bucket}\" \
                     or \"https://{Bucket}.cos.{Region}.myqcloud.com\"",
                ]
                .cat(),
            )
            .with_field("cosEndpoint")
        };
        let lower = template.to_ascii_lowercase();
        if !lower.starts_with("http://") && !lower.starts_with("https://") {
            return Err(usage("is not an http(s) URL"));
        }
        let mut rest = template;
        while let Some(open) = crate::text::find_byte(rest, b'{') {
            let after = &rest[open..];
            if !after.starts_with("{Bucket}") && !after.starts_with("{Region}") {
                return Err(usage("has a placeholder other than {Bucket} and {Region}"));
            }
            if crate::text::find_byte(&rest[..open], b'}').is_some() {
                return Err(usage("has an unmatched '}'"));
            }
            rest = &after["{Bucket}".len()..]; // both placeholders are 8 bytes
        }
        if crate::text::find_byte(rest, b'}').is_some() {
            return Err(usage("has an unmatched '}'"));
        }
        if crate::text::contains_any(template, b"?#") {
            return Err(usage(
                "has a query or fragment (the object key is appended to its path)",
            ));
        }
        let sample = fill(template, "examplebucket-1250000000", "ap-guangzhou");
        crate::endpoint::Endpoint::parse(&sample)
            .map_err(|_| usage("is not a valid URL once {Bucket} and {Region} are filled in"))?;
        // The scheme lowercased (as Endpoint does), the rest as given, without trailing '/'.
        let (scheme, rest) = crate::text::split_once(template, "://").unwrap_or(("https", template));
        Ok(CosEndpoint {
            template: [
                &scheme.to_ascii_lowercase(),
                "://",
                crate::text::trim_end_byte(rest, b'/'),
            ]
            .cat(),
        })
    }

    /// The alternate host's endpoint (`tencentcos.cn`).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn alternate() -> Self {
        CosEndpoint {
            template: ALTERNATE.to_owned(),
        }
    }

    /// True for the real COS host.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn is_real(&self) -> bool {
        self.template == REAL
    }

    /// The bucket's base URL, without trailing `/`.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn base(&self, bucket: &str, region: &str) -> String {
        fill(&self.template, bucket, region)
    }

    /// The object's URL for header authorization: base, the encoded path, and the request's
    /// query parameters. Checks the request first.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn object_url(&self, request: &CosRequest<'_>) -> Result<String, Error> {
        request.check()?;
        let mut url = self.path_url(request);
        for (i, (name, value)) in request.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            push_pair(&mut url, name, value);
        }
        Ok(url)
    }

    #[cfg_attr(tc3_size, optimize(size))]
    fn path_url(&self, request: &CosRequest<'_>) -> String {
        let mut url = self.base(request.bucket, request.region);
        url.push('/');
        push_encoded(&mut url, request.key_path(), true, false);
        url
    }
}

/// The template with its placeholders filled in. (By hand: `str::replace` brings a substring
/// searcher, ~3 KB of wasm.)
#[cfg_attr(tc3_size, optimize(size))]
fn fill(template: &str, bucket: &str, region: &str) -> String {
    let mut out = String::with_capacity(template.len() + bucket.len() + region.len());
    let mut rest = template;
    while let Some(open) = crate::text::find_byte(rest, b'{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let (value, len) = if after.starts_with("{Bucket}") {
            (bucket, 8)
        } else if after.starts_with("{Region}") {
            (region, 8)
        } else {
            ("{", 1)
        };
        out.push_str(value);
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

#[cfg_attr(tc3_size, optimize(size))]
fn push_pair(url: &mut String, name: &str, value: &str) {
    push_encoded(url, name, false, false);
    url.push('=');
    push_encoded(url, value, false, false);
}

/// A presigned link: `url` works on its own (GET or HEAD, no headers needed unless the
/// request signed some) until the KeyTime's end. With temporary credentials the URL holds the
/// session token: `Debug` redacts it and the URL is wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Presigned {
    /// The link: `<object URL>?<authorization fields>[&<query>][&x-cos-security-token=…]`.
    pub url: String,
    /// The signature and its stages (`signed.authorization` is what the link carries).
    pub signed: CosSigned,
}

impl Drop for Presigned {
    #[cfg_attr(tc3_size, optimize(size))]
    fn drop(&mut self) {
        crate::wipe::wipe_string(&mut self.url);
    }
}

impl core::fmt::Debug for Presigned {
    #[cfg_attr(tc3_size, optimize(size))]
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The token is the last parameter (see `presign`).
        let marker = "&x-cos-security-token=";
        let url = match self.url.find(marker) {
            Some(at) => {
                let value = at + marker.len();
                let end = self.url[value..].find('&').map_or(self.url.len(), |e| value + e);
                [&self.url[..value], "** redacted **", &self.url[end..]].cat()
            }
            None => self.url.clone(),
        };
        f.debug_struct("Presigned")
            .field("url", &url)
            .field("signed", &self.signed)
            .finish()
    }
}

/// Default validity of a `presignCosUrl` link, in seconds: the official COS SDK's default.
pub const DEFAULT_PRESIGN_SECS: u64 = 900;

/// Signs `request` and puts the signature in the URL's query string (the SDK's
/// `getObjectUrl` fields), then the request's query parameters and, with temporary
/// credentials, the token as `x-cos-security-token` (unsigned, as the SDK sends it).
#[cfg_attr(tc3_size, optimize(size))]
pub fn presign(
    credential: &Credential,
    request: &CosRequest<'_>,
    key_time: KeyTime,
    endpoint: &CosEndpoint,
) -> Result<Presigned, Error> {
    // Signed for the host it goes to when that is the alternate one (tencentcos.cn); for
    // myqcloud.com and for a cosEndpoint (a proxy), for the real host.
    let alternate = endpoint.template == ALTERNATE;
    let signed = sign_request_for(credential, request, key_time, alternate)?;
    let mut url = endpoint.path_url(request);
    url.push('?');
    super::authorization::Authorization {
        secret_id: credential.secret_id(),
        key_time,
        header_list: &signed.header_list,
        url_param_list: &signed.url_param_list,
        signature: signed.signature_bytes,
    }
    .write_query(&mut url);
    for (name, value) in request.query {
        url.push('&');
        push_pair(&mut url, name, value);
    }
    // The token goes last, into room reserved first (an encoded byte takes at most 3), so the
    // buffer never reallocates once it holds the token: a reallocation would free a block with
    // the token in it unwiped. Presigned's Drop wipes the final one.
    if let Some(token) = &signed.token {
        url.reserve(2 + super::signer::TOKEN_HEADER.len() + 3 * token.len());
        let capacity = url.capacity();
        url.push('&');
        push_pair(&mut url, super::signer::TOKEN_HEADER, token);
        debug_assert_eq!(url.capacity(), capacity, "the token was written without reallocating");
    }
    Ok(Presigned { url, signed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cos::CosMethod;

    fn req(key: &str) -> CosRequest<'_> {
        CosRequest {
            method: CosMethod::Get,
            bucket: "b-1250000000",
            region: "ap-guangzhou",
            key,
            query: &[],
            headers: &[],
        }
    }

    #[test]
    fn real_host_and_templates() {
        let real = CosEndpoint::real();
        assert!(real.is_real());
        assert_eq!(
            real.object_url(&req("/a b/中+?#%")).unwrap(),
            "https://b-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b/%E4%B8%AD%2B%3F%23%25"
        );
        let local = CosEndpoint::parse("http://127.0.0.1:8787/cos/{Bucket}/").unwrap();
        assert_eq!(
            local.object_url(&req("x//y/")).unwrap(),
            "http://127.0.0.1:8787/cos/b-1250000000/x//y/"
        );
        let proxy = CosEndpoint::parse("https://console.example.com/cos/{Region}/{Bucket}").unwrap();
        let q = [("response-content-disposition", "attachment; filename=\"a b\"")];
        let r = CosRequest { query: &q, ..req("k") };
        assert_eq!(
            proxy.object_url(&r).unwrap(),
            "https://console.example.com/cos/ap-guangzhou/b-1250000000/k?response-content-disposition=attachment%3B%20filename%3D%22a%20b%22"
        );
        assert_eq!(CosEndpoint::parse(REAL).unwrap(), real);
    }

    #[test]
    fn bad_templates_are_typed_errors() {
        for bad in [
            "",
            "127.0.0.1:8787/cos/{Bucket}",
            "ftp://x.com/{Bucket}",
            "http://x.com/{bucket}",
            "http://x.com/{Bucket",
            "http://x.com/Bucket}",
            "http://x.com/{AppId}",
            "http://x.com/{Bucket}?a=1",
            "http://x.com/{Bucket}#f",
            "http://{Bucket}.x..com/",
            "http://x.com/a b/{Bucket}",
            "http://x.com:99999/{Bucket}",
        ] {
            let err = CosEndpoint::parse(bad).unwrap_err();
            assert_eq!(
                (err.code(), err.field()),
                ("Client.InvalidOption", Some("cosEndpoint")),
                "{bad}"
            );
        }
    }

    #[test]
    fn presigned_urls_carry_the_signature_token_and_query() {
        let c = Credential::new("AKIDx", "key", Some("tok+en/=")).unwrap();
        let q = [("versionId", "v 1")];
        let r = CosRequest {
            query: &q,
            ..req("/dir/f.raw")
        };
        let p = presign(&c, &r, KeyTime::new(100, 50).unwrap(), &CosEndpoint::real()).unwrap();
        let expected_prefix = [
            "https://b-1250000000.cos.ap-guangzhou.myqcloud.com/dir/f.raw?q-sign-algorithm=sha1&q-ak=AKIDx",
            "&q-sign-time=100;150&q-key-time=100;150&q-header-list=host&q-url-param-list=versionid&q-signature=",
            &p.signed.signature,
            "&versionId=v%201&x-cos-security-token=tok%2Ben%2F%3D",
        ]
        .cat();
        assert_eq!(p.url, expected_prefix);
    }
}
