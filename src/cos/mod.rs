//! COS (Cloud Object Storage) XML API request signing and object URLs: what reads the files
//! an `ExportImages` task writes to its bucket (`CosPaths`).
//!
//! COS does not take TC3 signatures: its XML API has its own, `q-sign-algorithm=sha1`. This
//! module is byte-exact with the official SDK's `COS.getAuthorization` (`cos-nodejs-sdk-v5`,
//! `sdk/util.js` `getAuth`), one file per stage:
//!
//! ```text
//! KeyTime      = "<start>;<end>"                                  (Unix seconds)
//! SignKey      = hex(HMAC-SHA1(SecretKey, KeyTime))               [key]
//! HttpString   = method "\n" path "\n" params "\n" headers "\n"   [http_string]
//! StringToSign = "sha1\n" KeyTime "\n" hex(SHA1(HttpString)) "\n" [string_to_sign]
//! Signature    = hex(HMAC-SHA1(SignKey, StringToSign))            [key]
//! Authorization = q-sign-algorithm=sha1&q-ak=<SecretId>&q-sign-time=<KeyTime>
//!   &q-key-time=<KeyTime>&q-header-list=<names>&q-url-param-list=<names>&q-signature=<hex>
//!                                                                 [authorization]
//! ```
//! - `method` lowercased (`get`, `head`); `path` is `/` + the object key, NOT percent-encoded
//!   (a key that already starts with `/` is not given a second one);
//! - `params` / `headers`: `enc(name).lowercase()=enc(value)` joined by `&`, ordered by the
//!   lowercased raw name; the `q-…-list`s are the `enc(name).lowercase()` joined by `;`,
//!   ordered by themselves; `enc` is the SDK's `camSafeUrlEncode` (`encodeURIComponent` that
//!   also escapes `!'()*`) [encode];
//! - signed headers: `host` (always: the real COS host `<Bucket>.cos.<Region>.myqcloud.com`,
//!   also when the request goes through `cosEndpoint`), every header whose lowercased name
//!   contains `x-cos-` or `x-ci-`, and the SDK's list (`content-type`, `range`, `if-match`, …).
//!   Other headers are sent but not signed;
//! - temporary credentials: the session token travels as `x-cos-security-token` (a header, or
//!   a query parameter of a presigned URL) and is NOT signed — as the SDK does.
//!
//! # Interface
//! [`sign_request`] signs one request for header authorization (`Authorization: q-sign-…`);
//! [`presign`] puts the same signature into the URL instead (a link anyone may GET/HEAD
//! until `KeyTime`'s end). Both validate the request first ([`CosRequest::check`]): bucket
//! `<name>-<APPID>`, a non-empty key, GET or HEAD, header and parameter names. Where the
//! request goes is [`CosEndpoint`]: the real host (`https://<Bucket>.cos.<Region>.myqcloud.com`)
//! or a template such as `http://127.0.0.1:8787/cos/{Bucket}` (a proxy, the emulator), the
//! encoded key appended to its path. Pure: time comes in as [`KeyTime`].
//!
//! ```
//! use tc3_edge::cos::{sign_request, presign, CosEndpoint, CosMethod, CosRequest, KeyTime};
//! use tc3_edge::tc3::Credential;
//! let credential = Credential::new("AKIDexample", "secret", None).unwrap();
//! let request = CosRequest {
//!     method: CosMethod::Head, bucket: "backup-1250000000", region: "ap-guangzhou",
//!     key: "/img-72n9mi0y_system_snap-fiux4bof.qcow2", query: &[], headers: &[],
//! };
//! let time = KeyTime::new(1_732_665_600, 3600).unwrap();
//! // Header authorization: send `signed.headers` (Authorization, x-cos-security-token) to `url`.
//! let signed = sign_request(&credential, &request, time).unwrap();
//! assert!(signed.authorization.starts_with("q-sign-algorithm=sha1&q-ak=AKIDexample&q-sign-time=1732665600;1732669200&"));
//! let url = CosEndpoint::real().object_url(&request).unwrap();
//! assert_eq!(url, "https://backup-1250000000.cos.ap-guangzhou.myqcloud.com/img-72n9mi0y_system_snap-fiux4bof.qcow2");
//! // A link instead: the signature in the query string.
//! let local = CosEndpoint::parse("http://127.0.0.1:8787/cos/{Bucket}").unwrap();
//! let link = presign(&credential, &request, time, &local).unwrap();
//! assert!(link.url.starts_with("http://127.0.0.1:8787/cos/backup-1250000000/img-72n9mi0y_system_snap-fiux4bof.qcow2?q-sign-algorithm=sha1&"));
//! ```

pub mod authorization;
pub mod encode;
pub mod host;
pub mod http_string;
pub mod key;
pub mod request;
pub mod signer;
pub mod string_to_sign;
pub mod url;

pub use request::{CosMethod, CosRequest, KeyTime, MAX_EXPIRES_SECS, MAX_KEY_BYTES};
pub use signer::{sign_request, CosSigned};
pub use url::{cos_host, presign, CosEndpoint, Presigned, DEFAULT_PRESIGN_SECS};
