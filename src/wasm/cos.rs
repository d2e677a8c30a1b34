//! `client.presignCosUrl`: a link to an object of a COS bucket (an exported image file),
//! signed with COS's own algorithm (`crate::cos`), that anyone holding it may GET or HEAD until
//! it expires. Its own `impl CvmClient` block, so the COS exports stay apart from the API calls.
//!
//! Not in the sign-only module (`tc3-edge/sign`): measured, it would take that module's
//! entries from 22.1 to 35.8 KiB gzip (SHA-1, HMAC-SHA1, the COS encoding and checks, the
//! input reading), past its 24 KiB budget. See README "COS".

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::client::CvmClient;
use super::js::now_secs;
use super::options::{packed, read_cos_request};
use crate::cos::{presign, CosMethod, CosRequest, KeyTime, DEFAULT_PRESIGN_SECS};
use crate::error::{Error, ErrorKind};
use crate::text::Cat;

/// Input of `client.presignCosUrl`.
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct PresignCosUrlRequest {
    /// The bucket, `<name>-<APPID>` (the `BucketName` given to ExportImages), in the client's region.
    #[serde(rename = "BucketName")]
    pub bucket_name: String,
    /// The object key: an entry of ExportImages' `CosPaths` as it is (a leading `/` is fine).
    pub key: String,
    /// `"GET"` (default) or `"HEAD"`.
    #[tsify(optional, type = "\"GET\" | \"HEAD\"")]
    pub method: Option<String>,
    /// Validity in seconds, 1 to 604800 (7 days). Default 900 (the COS SDK's).
    #[tsify(optional)]
    pub expires: Option<u32>,
    /// Start of validity, Unix seconds. Default: a second ago (as the COS SDKs do: COS refuses
    /// a start in its future), corrected by `clockOffset`.
    #[tsify(optional)]
    pub timestamp: Option<f64>,
    /// Query parameters signed into the link (e.g. `response-content-disposition`).
    #[tsify(optional, type = "Record<string, string>")]
    pub query: Option<()>,
    /// Headers signed into the link (e.g. `Range`): whoever uses it must send them, with these values.
    #[tsify(optional, type = "Record<string, string>")]
    pub headers: Option<()>,
}

/// What `presignCosUrl` returns.
#[derive(tsify::Tsify)]
#[allow(dead_code)] // exists for its generated TypeScript declaration
#[serde(rename_all = "camelCase")]
pub struct PresignedCosUrl {
    /// The link: the object URL with the signature (and `x-cos-security-token` for temporary
    /// credentials) in its query string.
    pub url: String,
    /// The same signature as an `Authorization` header value (`q-sign-algorithm=sha1&…`).
    pub authorization: String,
}

// The request's shape is checked by js/options.js's `readCosRequest`, which hands it over
// packed; a property of the wrong type comes as null (NaN for the seconds) and is reported
// here, in its place among the checks of the values, as `InvalidParameter` naming it.

/// `expires` and `timestamp` (a number, NaN if of another type, or undefined): whole,
/// non-negative seconds. Else `InvalidParameter`; the ranges are checked by `KeyTime::new`.
#[cfg_attr(tc3_size, optimize(size))]
fn seconds(value: JsValue, key: &str) -> Result<Option<u64>, Error> {
    match value.as_f64() {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && (0.0..=9.0e15).contains(&n) => Ok(Some(n as u64)),
        Some(_) => Err(Error::validation(
            "InvalidParameter",
            key,
            [key, " must be whole seconds"].cat(),
        )),
    }
}

/// A string field (a string, null if of another type, or undefined).
#[cfg_attr(tc3_size, optimize(size))]
fn string(value: JsValue, key: &str) -> Result<Option<String>, Error> {
    if value.is_null() {
        return Err(Error::validation(
            "InvalidParameter",
            key,
            [key, " must be a string"].cat(),
        ));
    }
    Ok(value.as_string())
}

/// `query`, `headers`: [name, value, …] (null: not an object of strings; undefined: absent),
/// as pairs in property order.
#[cfg_attr(tc3_size, optimize(size))]
fn pairs(value: JsValue, key: &str) -> Result<Vec<(String, String)>, Error> {
    if value.is_null() {
        return Err(Error::validation(
            "InvalidParameter",
            key,
            [key, " must be an object of strings"].cat(),
        ));
    }
    if value.is_undefined() {
        return Ok(Vec::new());
    }
    let flat: Array = value.unchecked_into();
    let text = |i: u32| flat.get(i).as_string().unwrap_or_default();
    Ok((0..flat.length() / 2).map(|i| (text(2 * i), text(2 * i + 1))).collect())
}

#[wasm_bindgen]
impl CvmClient {
    /// Presigns a GET or HEAD link to an object of a bucket in the client's region — e.g. an
    /// exported image file (`key` = an entry of `CosPaths`) — valid `expires` seconds (default
    /// 900). It points at `profile.cosEndpoint` (default the real COS host) and is signed for
    /// the real host. Needs a fixed credential, or a provider that has already supplied one.
    /// Returns `{ url, authorization }`; throws a `TencentCloudError` (`MissingParameter`,
    /// `InvalidParameterValue[.InvalidAppIdFormat]`, `InvalidParameter`, with `field`) on bad input.
    #[wasm_bindgen(js_name = presignCosUrl, unchecked_return_type = "PresignedCosUrl")]
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn presign_cos_url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PresignCosUrlRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let v = packed(read_cos_request(&request)?)?;
        let bucket = string(v.get(0), "BucketName")?.unwrap_or_default();
        let key = string(v.get(1), "key")?.unwrap_or_default();
        let method = match string(v.get(2), "method")? {
            None => CosMethod::Get,
            Some(m) => CosMethod::parse(&m)?,
        };
        let expires = seconds(v.get(3), "expires")?.unwrap_or(DEFAULT_PRESIGN_SECS);
        let key_time = match seconds(v.get(4), "timestamp")? {
            Some(t) => KeyTime::new(t, expires)?,
            None => self.client.clock.cos_key_time(now_secs(), expires)?,
        };
        let (query, headers) = (pairs(v.get(5), "query")?, pairs(v.get(6), "headers")?);
        let query: Vec<(&str, &str)> = query.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let credential = self.client.credentials.current().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidCredential,
                "the credential provider has not supplied a credential yet",
            )
        })?;
        let request = CosRequest {
            method,
            bucket: &bucket,
            region: self.client.config.region.as_deref().unwrap_or_default(),
            key: &key,
            query: &query,
            headers: &headers,
        };
        let link = presign(&credential, &request, key_time, &self.client.config.cos_endpoint)?;
        let out = Object::new();
        // Setting a data property on a fresh object cannot fail.
        let _ = Reflect::set(&out, &"url".into(), &JsValue::from_str(&link.url));
        let _ = Reflect::set(
            &out,
            &"authorization".into(),
            &link.signed.authorization.as_str().into(),
        );
        Ok(out.into())
    }
}
