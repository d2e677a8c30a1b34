//! Stage 3: the SignKey and the signature.
//!
//! ```text
//! SignKey   = hex(HMAC-SHA1(SecretKey, KeyTime))
//! Signature = hex(HMAC-SHA1(SignKey, StringToSign))   -- keyed with the 40 hex CHARACTERS
//! ```
//! The SignKey is secret-equivalent until KeyTime's end: it is wiped when dropped, the stack
//! both HMACs used is overwritten, and it is never printed. It depends on KeyTime, which changes with every presigned link, so it is not
//! cached (one HMAC more per signature).

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use crate::wipe::{wipe_array, Wiping};

type HmacSha1 = Hmac<Sha1>;

/// HMAC-SHA1. HMAC accepts keys of any length, so this cannot fail.
#[cfg_attr(tc3_size, optimize(size))]
fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    let mut mac = match HmacSha1::new_from_slice(key) {
        Ok(mac) => mac,
        // Unreachable for HMAC (any key length is valid); kept panic-free all the same.
        Err(_) => return [0; 20],
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// `SignKey`, as the hex text the SDK keys the second HMAC with.
pub struct SignKey(Wiping<String>);

impl SignKey {
    /// Derives the SignKey, then overwrites the stack the HMAC used: a SecretKey longer than
    /// a SHA-1 block (64 bytes) is hashed there (see [`crate::wipe::scrub_stack`]).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn derive(secret_key: &str, key_time: &str) -> Self {
        let key = Self::derive_in_own_frames(secret_key, key_time);
        crate::wipe::scrub_stack();
        key
    }

    // Not inlined, so what the HMAC leaves on the stack lies where `scrub_stack` writes.
    #[inline(never)]
    #[cfg_attr(tc3_size, optimize(size))]
    fn derive_in_own_frames(secret_key: &str, key_time: &str) -> Self {
        let mut raw = hmac_sha1(secret_key.as_bytes(), key_time.as_bytes());
        // Exactly 40 hex digits: the String never reallocates, so no unwiped copy is left.
        let mut hex = String::with_capacity(40);
        crate::text::push_hex(&mut hex, &raw);
        wipe_array(&mut raw);
        SignKey(Wiping::new(hex))
    }

    /// `HMAC-SHA1(SignKey, StringToSign)`, raw bytes. HMAC pads the key into a block on the
    /// stack, so the stack is overwritten afterwards here too (the memory test of
    /// tests/js/cos-secrets.test.js found the hex SignKey there otherwise).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn sign(&self, string_to_sign: &[u8]) -> [u8; 20] {
        let signature = self.sign_in_own_frames(string_to_sign);
        crate::wipe::scrub_stack();
        signature
    }

    #[inline(never)]
    #[cfg_attr(tc3_size, optimize(size))]
    fn sign_in_own_frames(&self, string_to_sign: &[u8]) -> [u8; 20] {
        hmac_sha1(self.0.as_bytes(), string_to_sign)
    }

    /// The hex text (for the stage tests).
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for SignKey {
    #[cfg_attr(tc3_size, optimize(size))]
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SignKey(** redacted **)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha1_rfc2202() {
        // RFC 2202 test cases 1, 2 and 6 (a key longer than the block).
        assert_eq!(
            crate::text::hex(&hmac_sha1(&[0x0b; 20], b"Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00"
        );
        assert_eq!(
            crate::text::hex(&hmac_sha1(b"Jefe", b"what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        assert_eq!(
            crate::text::hex(&hmac_sha1(
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112"
        );
    }

    #[test]
    fn sign_key_is_hex_and_redacted() {
        let k = SignKey::derive("Jefe", "what do ya want for nothing?");
        assert_eq!(k.as_str(), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
        assert_eq!(format!("{k:?}"), "SignKey(** redacted **)");
        // The second HMAC is keyed with the hex characters, not the raw bytes.
        assert_eq!(
            k.sign(b"x"),
            hmac_sha1(b"effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", b"x")
        );
    }
}
