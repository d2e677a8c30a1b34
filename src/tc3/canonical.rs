//! Stage 1 of TC3-HMAC-SHA256: the canonical request.
//!
//! ```text
//! HTTPRequestMethod + '\n' +   POST or GET
//! CanonicalURI + '\n' +        always "/" for API 3.0
//! CanonicalQueryString + '\n' + empty for POST; the exact query for GET
//! CanonicalHeaders + '\n' +    "name:value\n" per signed header, names lowercased and sorted
//! SignedHeaders + '\n' +       the names, ';'-joined
//! HashedRequestPayload         lowercase hex SHA-256 of the exact body bytes
//! ```

use sha2::{Digest, Sha256};

/// HTTP method. API 3.0 accepts POST (JSON body) and GET (parameters in the query).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `POST /` with the parameters as the body; what every client of this crate sends.
    Post,
    /// `GET /?query`; the payload hash is that of the empty body.
    Get,
}

impl Method {
    /// The method as it appears on the wire and in the canonical request.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Get => "GET",
        }
    }
}

/// Which headers the signature covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedHeaders {
    /// `content-type;host` — what every official SDK signs.
    #[default]
    ContentTypeHost,
    /// `content-type;host;x-tc-action` — the current signature document's example; the
    /// action is signed lowercased.
    ContentTypeHostAction,
}

impl SignedHeaders {
    /// The `SignedHeaders` list as it appears in the canonical request and Authorization.
    pub fn as_str(self) -> &'static str {
        match self {
            SignedHeaders::ContentTypeHost => "content-type;host",
            SignedHeaders::ContentTypeHostAction => "content-type;host;x-tc-action",
        }
    }
}

/// The hashed request payload: hex SHA-256 of the body, or of the literal `UNSIGNED-PAYLOAD`
/// when the request carries `X-TC-Content-SHA256: UNSIGNED-PAYLOAD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashedPayload([u8; 32]);

impl HashedPayload {
    /// The hash of the exact bytes that will be sent.
    pub fn of(body: &[u8]) -> Self {
        HashedPayload(Sha256::digest(body).into())
    }
    /// The hash used when the payload is declared unsigned.
    pub fn unsigned() -> Self {
        Self::of(b"UNSIGNED-PAYLOAD")
    }
    /// Lowercase hex.
    pub fn to_hex(self) -> String {
        crate::text::hex(&self.0)
    }
}

/// The canonical request, printed exactly as the spec lays it out by `Display`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanonicalRequest<'a> {
    /// POST or GET.
    pub method: Method,
    /// The query string without `?` (empty for POST).
    pub query: &'a str,
    /// The Content-Type that is sent, byte for byte.
    pub content_type: &'a str,
    /// The host the request is signed for (no scheme, no path).
    pub host: &'a str,
    /// The action, needed when `x-tc-action` is signed.
    pub action: &'a str,
    /// Which headers are covered.
    pub signed_headers: SignedHeaders,
    /// The payload hash.
    pub hashed_payload: HashedPayload,
}

impl CanonicalRequest<'_> {
    /// Appends the canonical request to `out` (no `core::fmt` on the signing path).
    pub fn write_to(&self, out: &mut String) {
        out.push_str(self.method.as_str());
        out.push_str("\n/\n");
        out.push_str(self.query);
        // Names in sorted order: content-type < host < x-tc-action.
        out.push_str("\ncontent-type:");
        out.push_str(self.content_type);
        out.push_str("\nhost:");
        out.push_str(self.host);
        out.push('\n');
        if self.signed_headers == SignedHeaders::ContentTypeHostAction {
            // The spec signs the action's value lowercased.
            out.push_str("x-tc-action:");
            out.push_str(&self.action.to_ascii_lowercase());
            out.push('\n');
        }
        out.push('\n');
        out.push_str(self.signed_headers.as_str());
        out.push('\n');
        crate::text::push_hex(out, &self.hashed_payload.0);
    }

    /// SHA-256 of the canonical request: its hex is the last line of the string to sign.
    pub fn hash(&self) -> [u8; 32] {
        let mut s = String::with_capacity(256);
        self.write_to(&mut s);
        Sha256::digest(s.as_bytes()).into()
    }
}

impl core::fmt::Display for CanonicalRequest<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut s = String::with_capacity(256);
        self.write_to(&mut s);
        f.write_str(&s)
    }
}
