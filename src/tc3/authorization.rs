//! Stage 4: the Authorization header.
//!
//! ```text
//! TC3-HMAC-SHA256 Credential=<SecretId>/<CredentialScope>, SignedHeaders=<list>, Signature=<hex>
//! ```

use super::canonical::SignedHeaders;
use super::string_to_sign::{CredentialScope, ALGORITHM};

/// The value of the `Authorization` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// The SecretId (public).
    pub secret_id: &'a str,
    /// `<date>/<service>/tc3_request`.
    pub scope: CredentialScope<'a>,
    /// The signed header list.
    pub signed_headers: SignedHeaders,
    /// The signature bytes.
    pub signature: [u8; 32],
}

impl core::fmt::Display for Authorization<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{ALGORITHM} Credential={}/{}, SignedHeaders={}, Signature={}",
            self.secret_id,
            self.scope,
            self.signed_headers.as_str(),
            hex::encode(self.signature)
        )
    }
}
