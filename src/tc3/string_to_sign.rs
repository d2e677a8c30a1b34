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

impl CredentialScope<'_> {
    /// Appends `<date>/<service>/tc3_request`.
    pub fn write_to(&self, out: &mut String) {
        // The date buffer holds ASCII digits and dashes only.
        out.extend(self.date.to_bytes().iter().map(|&b| b as char));
        out.push('/');
        out.push_str(self.service);
        out.push_str("/tc3_request");
    }
}

impl core::fmt::Display for CredentialScope<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut s = String::new();
        self.write_to(&mut s);
        f.write_str(&s)
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

impl StringToSign<'_> {
    /// Appends the string to sign.
    pub fn write_to(&self, out: &mut String) {
        out.push_str(ALGORITHM);
        out.push('\n');
        crate::text::push_u64(out, self.timestamp);
        out.push('\n');
        self.scope.write_to(out);
        out.push('\n');
        crate::text::push_hex(out, &self.hashed_canonical_request);
    }
}

impl core::fmt::Display for StringToSign<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut s = String::with_capacity(128);
        self.write_to(&mut s);
        f.write_str(&s)
    }
}
