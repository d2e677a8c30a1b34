//! All four stages in order: what a caller uses. Pure (the time is [`KeyTime`]).

use super::authorization::Authorization;
use super::host::{cos_alternate_host, cos_host};
use super::http_string::{self, is_signed_header};
use super::key::SignKey;
use super::request::{CosRequest, KeyTime};
use super::string_to_sign;
use crate::error::Error;
use crate::tc3::Credential;
use crate::text::Cat;

/// Header carrying the session token of temporary credentials (not signed, as in the SDK).
pub const TOKEN_HEADER: &str = "x-cos-security-token";

/// A signed COS request: what to send, and each stage for tests and "explain" views.
#[derive(Clone, PartialEq, Eq)]
pub struct CosSigned {
    /// The host signed: `<Bucket>.cos.<Region>.myqcloud.com`, also when sending elsewhere.
    pub host: String,
    /// The path signed: `/` + the key, not percent-encoded.
    pub path: String,
    /// Stage 1.
    pub http_string: String,
    /// `q-header-list`.
    pub header_list: String,
    /// `q-url-param-list`.
    pub url_param_list: String,
    /// Stage 2.
    pub string_to_sign: String,
    /// Stage 3, lowercase hex.
    pub signature: String,
    /// Stage 4: the `Authorization` header value.
    pub authorization: String,
    /// Headers to send for header authorization: the request's own headers, `Authorization`,
    /// and `x-cos-security-token` for temporary credentials. `Host` is not among them
    /// (`fetch` sets it from the URL; a proxy behind `cosEndpoint` must send the signed one).
    pub headers: Vec<(String, String)>,
    /// The signature bytes, for the query string of a presigned URL.
    pub(crate) signature_bytes: [u8; 20],
    /// The session token, for the query string of a presigned URL.
    pub(crate) token: Option<crate::wipe::Wiping<String>>,
}

impl Drop for CosSigned {
    #[cfg_attr(tc3_size, optimize(size))]
    fn drop(&mut self) {
        // The x-cos-security-token header carries the session token.
        for (_, value) in &mut self.headers {
            crate::wipe::wipe_string(value);
        }
    }
}

impl core::fmt::Debug for CosSigned {
    #[cfg_attr(tc3_size, optimize(size))]
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let v = if n == TOKEN_HEADER {
                    "** redacted **"
                } else {
                    v.as_str()
                };
                (n.as_str(), v)
            })
            .collect();
        f.debug_struct("CosSigned")
            .field("host", &self.host)
            .field("path", &self.path)
            .field("http_string", &self.http_string)
            .field("string_to_sign", &self.string_to_sign)
            .field("authorization", &self.authorization)
            .field("headers", &headers)
            .finish_non_exhaustive()
    }
}

/// Checks and signs one request (see the [module](super) documentation for the algorithm).
/// Errors are typed (`InvalidParameterValue`, `MissingParameter`, …, with `field`); nothing
/// secret is in them.
#[cfg_attr(tc3_size, optimize(size))]
pub fn sign_request(credential: &Credential, request: &CosRequest<'_>, key_time: KeyTime) -> Result<CosSigned, Error> {
    sign_request_for(credential, request, key_time, false)
}

/// [`sign_request`], signed for the bucket's alternate host `…tencentcos.cn` when `alternate`.
#[cfg_attr(tc3_size, optimize(size))]
pub fn sign_request_for(
    credential: &Credential,
    request: &CosRequest<'_>,
    key_time: KeyTime,
    alternate: bool,
) -> Result<CosSigned, Error> {
    request.check()?;
    let host = if alternate {
        cos_alternate_host(request.bucket, request.region)
    } else {
        cos_host(request.bucket, request.region)
    };
    let path = ["/", request.key_path()].cat();
    let mut signed_headers: Vec<(&str, &str)> = Vec::with_capacity(1 + request.headers.len());
    signed_headers.push(("host", &host));
    signed_headers.extend(request.headers.iter().copied().filter(|(n, _)| is_signed_header(n)));
    let http = http_string::build(request.method, &path, request.query, &signed_headers);

    let mut key_time_text = String::with_capacity(21);
    key_time.write_to(&mut key_time_text);
    let sign_key = SignKey::derive(credential.secret_key(), &key_time_text);
    let string_to_sign = string_to_sign::build(key_time, &http.text);
    let signature = sign_key.sign(string_to_sign.as_bytes());
    drop(sign_key);

    let mut authorization = String::with_capacity(200 + http.header_list.len() + http.url_param_list.len());
    Authorization {
        secret_id: credential.secret_id(),
        key_time,
        header_list: &http.header_list,
        url_param_list: &http.url_param_list,
        signature,
    }
    .write_to(&mut authorization);

    let mut headers: Vec<(String, String)> = Vec::with_capacity(request.headers.len() + 2);
    headers.extend(request.headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
    headers.push(("Authorization".to_owned(), authorization.clone()));
    if let Some(token) = credential.token() {
        headers.push((TOKEN_HEADER.to_owned(), token.to_owned()));
    }
    Ok(CosSigned {
        host,
        path,
        http_string: http.text,
        header_list: http.header_list,
        url_param_list: http.url_param_list,
        string_to_sign,
        signature: crate::text::hex(&signature),
        signature_bytes: signature,
        authorization,
        headers,
        token: credential.token().map(|t| crate::wipe::Wiping::new(t.to_owned())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cos::CosMethod;

    fn request<'a>(headers: &'a [(&'a str, &'a str)], query: &'a [(&'a str, &'a str)]) -> CosRequest<'a> {
        CosRequest {
            method: CosMethod::Get,
            bucket: "examplebucket-1250000000",
            region: "ap-beijing",
            key: "exampleobject",
            query,
            headers,
        }
    }

    #[test]
    fn headers_to_send_and_the_token() {
        let c = Credential::new("AKIDx", "key", Some("session-token-123")).unwrap();
        let s = sign_request(
            &c,
            &request(&[("Range", "bytes=0-1"), ("Accept", "*/*")], &[]),
            KeyTime::new(1, 2).unwrap(),
        )
        .unwrap();
        assert_eq!(s.host, "examplebucket-1250000000.cos.ap-beijing.myqcloud.com");
        assert_eq!(s.header_list, "host;range", "Accept is sent but not signed");
        let names: Vec<&str> = s.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Range", "Accept", "Authorization", "x-cos-security-token"]);
        assert!(!s.http_string.contains("session-token"), "the token is not signed");
        let debug = format!("{s:?}");
        assert!(
            !debug.contains("session-token-123") && !debug.contains("key\""),
            "{debug}"
        );
        assert!(debug.contains("AKIDx"));
    }

    #[test]
    fn invalid_requests_are_refused_before_signing() {
        let c = Credential::new("AKIDx", "key", None).unwrap();
        let mut r = request(&[], &[]);
        r.key = "/";
        assert_eq!(
            sign_request(&c, &r, KeyTime::new(1, 2).unwrap()).unwrap_err().field(),
            Some("key")
        );
    }
}
