//! Stage 2: the string to sign.
//!
//! ```text
//! TC3-HMAC-SHA256 + '\n' + RequestTimestamp + '\n' + CredentialScope + '\n' + HashedCanonicalRequest
//! ```
//! where `CredentialScope` is `<UTC date>/<service>/tc3_request`.

use super::date::UtcDate;

/// The only algorithm API 3.0 defines.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// `<UTC date>/<service>/tc3_request`. The service is the product (`cvm`), never the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CredentialScope<'a> {
    /// UTC date of the request timestamp.
    pub date: UtcDate,
    /// Service name, e.g. `cvm`.
    pub service: &'a str,
}

impl core::fmt::Display for CredentialScope<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}/{}/tc3_request", self.date, self.service)
    }
}

/// The string whose HMAC is the signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StringToSign<'a> {
    /// `X-TC-Timestamp`, seconds.
    pub timestamp: u64,
    /// The credential scope.
    pub scope: CredentialScope<'a>,
    /// SHA-256 of the canonical request.
    pub hashed_canonical_request: [u8; 32],
}

impl core::fmt::Display for StringToSign<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{ALGORITHM}\n{}\n{}\n{}",
            self.timestamp,
            self.scope,
            hex::encode(self.hashed_canonical_request)
        )
    }
}
