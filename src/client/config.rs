//! A CVM client's settled configuration, and the one function that turns an action and a
//! body into a signed request. Pure: the timestamp comes in as an argument.

use crate::cvm;
use crate::endpoint::{is_hostname, Endpoint};
use crate::error::{Error, ErrorKind};
use crate::tc3::{self, Credential, Language, Method, SignedHeaders, SignedRequest, SigningKeyCache, SigningParams};
use crate::text::Cat;

/// `X-TC-RequestClient`: identifies tc3-edge and its version to the API.
pub const REQUEST_CLIENT: &str = concat!("tc3-edge/", env!("CARGO_PKG_VERSION"));
/// The official SDKs' default request timeout, in seconds.
pub const DEFAULT_REQ_TIMEOUT_SECS: u32 = 60;
/// Content-Type sent (and signed) by default: what the official SDKs send.
pub const DEFAULT_CONTENT_TYPE: &str = "application/json";

/// Everything about a client except its credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// The service in the credential scope and the default host (`cvm`, `sts`, …).
    pub service: String,
    /// `X-TC-Version`, e.g. `2017-03-12`.
    pub version: String,
    /// Where requests are sent.
    pub endpoint: Endpoint,
    /// The host signed in the canonical request.
    pub signing_host: String,
    /// `httpProfile.backupEndpoint`: where an attempt that could not connect is sent again, and
    /// every attempt while the breaker is open (see super::failover).
    pub backup: Option<Endpoint>,
    /// The host signed for the backup: its own host name, unless `httpProfile.host` pins one.
    pub backup_signing_host: String,
    /// `X-TC-Region`.
    pub region: Option<String>,
    /// `X-TC-Language`.
    pub language: Option<Language>,
    /// Per-attempt timeout, in seconds.
    pub req_timeout_secs: u32,
    /// Which headers to sign.
    pub signed_headers: SignedHeaders,
    /// Content-Type sent and signed.
    pub content_type: String,
    /// Where COS requests go (`profile.cosEndpoint`); they are signed for the real COS host.
    pub cos_endpoint: crate::cos::CosEndpoint,
}

/// The client options as given, before checking.
#[derive(Clone, Debug, Default)]
pub struct ClientOptions<'a> {
    /// The service (`sts`); default `cvm`.
    pub service: Option<&'a str>,
    /// The API version (`2018-08-13`); default CVM's `2017-03-12`.
    pub version: Option<&'a str>,
    /// Host or URL; default `<service>.tencentcloudapi.com`.
    pub endpoint: Option<&'a str>,
    /// Host to sign for, when it differs from the endpoint's.
    pub host: Option<&'a str>,
    /// Host or URL of a backup endpoint.
    pub backup_endpoint: Option<&'a str>,
    /// Region, e.g. `ap-guangzhou`.
    pub region: Option<&'a str>,
    /// `zh-CN` or `en-US`.
    pub language: Option<&'a str>,
    /// Seconds; default 60.
    pub req_timeout_secs: Option<f64>,
    /// Also sign `x-tc-action`.
    pub sign_action: bool,
    /// Content-Type to send and sign; default `application/json`.
    pub content_type: Option<&'a str>,
    /// COS URL template with `{Bucket}` and `{Region}`; default the real COS host.
    pub cos_endpoint: Option<&'a str>,
}

impl ClientConfig {
    /// Checks the options; each problem is `Client.InvalidOption` naming the option.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn new(o: &ClientOptions<'_>) -> Result<Self, Error> {
        // Fields are named after the JS options they come from.
        let invalid = |field: &str, m: &str| Error::new(ErrorKind::InvalidOption, m).with_field(field);
        let service = o.service.unwrap_or(cvm::SERVICE);
        // A service name is a DNS label of the API host (`cvm`, `sts`, `tcr`): lowercase.
        let service_ok = !service.is_empty()
            && service.len() <= 32
            && service.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if !service_ok {
            return Err(invalid(
                "service",
                "service must be a Tencent Cloud service name such as \"sts\" (lowercase letters and digits)",
            ));
        }
        let version = o.version.unwrap_or(cvm::export_images::VERSION);
        if !is_api_version(version) {
            return Err(invalid(
                "version",
                "version must be an API version date such as \"2018-08-13\"",
            ));
        }
        let default_host = [service, ".tencentcloudapi.com"].cat();
        let endpoint = Endpoint::parse(o.endpoint.unwrap_or(&default_host))
            .map_err(|e| e.with_field("profile.httpProfile.endpoint"))?;
        let signing_host = match o.host {
            Some(h) if is_hostname(h) => h.to_ascii_lowercase(),
            Some(_) => {
                return Err(invalid(
                    "profile.httpProfile.host",
                    "host must be a bare host name such as cvm.tencentcloudapi.com (no scheme, port or path)",
                ))
            }
            None => endpoint.hostname.clone(),
        };
        let backup = o
            .backup_endpoint
            .map(Endpoint::parse)
            .transpose()
            .map_err(|e| e.with_field("profile.httpProfile.backupEndpoint"))?;
        let backup_signing_host = match (&backup, o.host) {
            (Some(b), None) => b.hostname.clone(),
            _ => signing_host.clone(),
        };
        let region = match o.region {
            None => None,
            Some(r)
                if !r.is_empty()
                    && r.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
            {
                Some(r.to_owned())
            }
            Some(_) => {
                return Err(invalid(
                    "region",
                    "region must be a region name such as \"ap-guangzhou\"",
                ))
            }
        };
        let language = o
            .language
            .map(Language::parse)
            .transpose()
            .map_err(|e| e.with_field("profile.language"))?;
        let req_timeout_secs = match o.req_timeout_secs {
            None => DEFAULT_REQ_TIMEOUT_SECS,
            Some(t) if (1.0..=3600.0).contains(&t) && t.fract() == 0.0 => t as u32,
            Some(_) => {
                return Err(invalid(
                    "profile.httpProfile.reqTimeout",
                    "reqTimeout must be a whole number of seconds from 1 to 3600",
                ))
            }
        };
        let content_type = o.content_type.unwrap_or(DEFAULT_CONTENT_TYPE);
        if !content_type.starts_with("application/json") || !crate::tc3::credential::is_header_safe(content_type) {
            return Err(invalid(
                "contentType",
                "contentType must be application/json (optionally with parameters such as \"; charset=utf-8\")",
            ));
        }
        let cos_endpoint = o
            .cos_endpoint
            .map(crate::cos::CosEndpoint::parse)
            .transpose()
            .map_err(|e| e.with_field("profile.cosEndpoint"))?
            .unwrap_or_default();
        Ok(ClientConfig {
            service: service.to_owned(),
            version: version.to_owned(),
            endpoint,
            signing_host,
            backup,
            backup_signing_host,
            region,
            language,
            req_timeout_secs,
            signed_headers: if o.sign_action {
                SignedHeaders::ContentTypeHostAction
            } else {
                SignedHeaders::ContentTypeHost
            },
            content_type: content_type.to_owned(),
            cos_endpoint,
        })
    }

    /// Signs a POST request of this client's service and version, for the primary endpoint.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn sign(
        &self,
        credential: &Credential,
        cache: &mut SigningKeyCache,
        action: &str,
        body: &str,
        timestamp: u64,
    ) -> Result<SignedRequest, Error> {
        self.sign_for(false, credential, cache, action, body, timestamp)
    }

    /// [`ClientConfig::sign`] for the backup endpoint (`backup` true) or the primary.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn sign_for(
        &self,
        backup: bool,
        credential: &Credential,
        cache: &mut SigningKeyCache,
        action: &str,
        body: &str,
        timestamp: u64,
    ) -> Result<SignedRequest, Error> {
        tc3::sign(
            credential,
            &SigningParams {
                method: Method::Post,
                host: if backup {
                    &self.backup_signing_host
                } else {
                    &self.signing_host
                },
                service: &self.service,
                action,
                version: &self.version,
                region: self.region.as_deref(),
                language: self.language,
                request_client: Some(REQUEST_CLIENT),
                timestamp,
                content_type: &self.content_type,
                query: "",
                payload: body.as_bytes(),
                signed_headers: self.signed_headers,
                unsigned_payload: false,
            },
            cache,
        )
    }
}

/// `YYYY-MM-DD`, the form every API 3.0 version takes.
#[cfg_attr(tc3_size, optimize(size))]
fn is_api_version(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// Validates `ExportImages` parameters (a JSON text) for this client and returns the request
/// and the exact body to sign and send. The region is required: CVM is a regional service
/// and the server would answer `MissingParameter` without `X-TC-Region`.
#[cfg_attr(tc3_size, optimize(size))]
pub fn prepare_export_images(
    config: &ClientConfig,
    params_json: &str,
) -> Result<(cvm::ExportImagesRequest, String), Error> {
    if config.region.is_none() {
        return Err(Error::validation(
            "MissingParameter",
            "Region",
            "ExportImages needs a region: set `region` in the client options, e.g. \"ap-guangzhou\"",
        ));
    }
    let request = cvm::ExportImagesRequest::from_json(params_json)?;
    let body = request.to_body();
    Ok((request, body))
}

/// Checks an action name given to the generic `request` call.
#[cfg_attr(tc3_size, optimize(size))]
pub fn check_action(action: &str) -> Result<(), Error> {
    let ok = action.len() <= 64
        && action.starts_with(|c: char| c.is_ascii_uppercase())
        && action.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Error::validation(
            "InvalidAction",
            "Action",
            "the action must be an API action name such as \"DescribeImages\"",
        ))
    }
}
