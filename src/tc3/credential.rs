//! API credentials: SecretId, SecretKey and an optional session token.
//!
//! The SecretKey and token are secrets: `Debug` and `Display` print only the SecretId and
//! whether a token is present, and both are wiped from memory when the value is dropped.

use crate::wipe::{wipe_string, Wiping};

use crate::error::{Error, ErrorKind};

/// A SecretId / SecretKey pair, with a session token for temporary credentials.
#[derive(Clone)]
pub struct Credential {
    secret_id: String,
    secret_key: Wiping<String>,
    token: Option<Wiping<String>>,
}

impl Credential {
    /// Checks and wraps the credential. Empty ids/keys and characters that cannot travel in
    /// an HTTP header are rejected here, so a request is never signed with them.
    pub fn new(secret_id: &str, secret_key: &str, token: Option<&str>) -> Result<Self, Error> {
        if secret_id.is_empty() {
            return Err(Error::new(ErrorKind::InvalidCredential, "secretId is empty"));
        }
        if !is_header_safe(secret_id) || crate::text::contains_any(secret_id, b" ,/") {
            return Err(Error::new(
                ErrorKind::InvalidCredential,
                "secretId must be printable ASCII without spaces, ',' or '/'",
            ));
        }
        if secret_key.is_empty() {
            return Err(Error::new(ErrorKind::InvalidCredential, "secretKey is empty"));
        }
        let token = match token {
            None | Some("") => None,
            Some(t) if !is_header_safe(t) => {
                return Err(Error::new(
                    ErrorKind::InvalidCredential,
                    "token must be printable ASCII (it travels in the X-TC-Token header)",
                ))
            }
            Some(t) => Some(Wiping::new(t.to_owned())),
        };
        Ok(Credential {
            secret_id: secret_id.to_owned(),
            secret_key: Wiping::new(secret_key.to_owned()),
            token,
        })
    }

    /// The SecretId (not a secret: it is sent in the Authorization header).
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The SecretKey. Only the signing-key derivation reads it.
    pub(crate) fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The session token of temporary credentials (sent as `X-TC-Token`).
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref().map(String::as_str)
    }
}

/// Visible ASCII and spaces only: what an HTTP header value may carry unchanged.
pub fn is_header_safe(s: &str) -> bool {
    s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

impl core::fmt::Debug for Credential {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Credential")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"** redacted **")
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .finish()
    }
}

impl core::fmt::Display for Credential {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Credential({}, secret key redacted)", self.secret_id)
    }
}

impl Drop for Credential {
    fn drop(&mut self) {
        // The SecretId is not secret, but wiping it too costs nothing.
        wipe_string(&mut self.secret_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_print_secrets() {
        let c = Credential::new("AKIDpublic", "very-secret-key", Some("session-token-xyz")).unwrap();
        for text in [format!("{c:?}"), format!("{c:#?}"), c.to_string()] {
            assert!(text.contains("AKIDpublic"), "{text}");
            assert!(!text.contains("very-secret-key"), "{text}");
            assert!(!text.contains("session-token-xyz"), "{text}");
        }
    }

    #[test]
    fn rejects_empty_and_unsafe_values() {
        assert_eq!(
            Credential::new("", "k", None).unwrap_err().code(),
            "Client.InvalidCredential"
        );
        assert_eq!(
            Credential::new("id", "", None).unwrap_err().code(),
            "Client.InvalidCredential"
        );
        assert!(Credential::new("id\n", "k", None).is_err());
        assert!(Credential::new("id", "k", Some("tok\r\nX-Evil: 1")).is_err());
        // An empty token means permanent credentials, as in the official SDKs.
        assert_eq!(Credential::new("id", "k", Some("")).unwrap().token(), None);
    }

    #[test]
    fn error_messages_do_not_echo_the_secret() {
        let err = Credential::new("id", "k", Some("tok\u{7f}secret")).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}
