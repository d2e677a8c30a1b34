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

impl Authorization<'_> {
    /// Appends the header value.
    pub fn write_to(&self, out: &mut String) {
        out.push_str(ALGORITHM);
        out.push_str(" Credential=");
        out.push_str(self.secret_id);
        out.push('/');
        self.scope.write_to(out);
        out.push_str(", SignedHeaders=");
        out.push_str(self.signed_headers.as_str());
        out.push_str(", Signature=");
        crate::text::push_hex(out, &self.signature);
    }
}

impl core::fmt::Display for Authorization<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut s = String::with_capacity(160);
        self.write_to(&mut s);
        f.write_str(&s)
    }
}
