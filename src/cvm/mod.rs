//! The CVM API model: [`export_images`] (request, validation, response) and the response
//! envelope shared by every action ([`response`]).

pub mod export_images;
pub mod response;

pub use export_images::{ExportFormat, ExportImagesRequest, ExportImagesResponse};
pub use response::parse_envelope;

/// The service name in the credential scope, whatever host is used.
pub const SERVICE: &str = "cvm";
/// The default endpoint (China site, nearest region), as in the official SDKs.
pub const DEFAULT_HOST: &str = "cvm.tencentcloudapi.com";
