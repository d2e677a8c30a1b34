//! Stage 3: the derived signing key, and the signature itself.
//!
//! ```text
//! SecretDate    = HMAC_SHA256("TC3" + SecretKey, Date)
//! SecretService = HMAC_SHA256(SecretDate, Service)
//! SecretSigning = HMAC_SHA256(SecretService, "tc3_request")
//! Signature     = HexEncode(HMAC_SHA256(SecretSigning, StringToSign))
//! ```
//! The first three HMACs depend only on (SecretKey, date, service), so they are cached and
//! a request costs one HMAC over the string to sign.

use crate::wipe::{wipe_array, Wiping};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::date::UtcDate;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256. HMAC accepts keys of any length, so this cannot fail.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        // Unreachable for HMAC (any key length is valid); kept panic-free all the same.
        Err(_) => return [0; 32],
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The three derivation steps, kept so tests can compare each with the reference values.
#[derive(Clone)]
pub struct DerivedKeys {
    /// `HMAC("TC3"+SecretKey, date)`.
    pub secret_date: [u8; 32],
    /// `HMAC(SecretDate, service)`.
    pub secret_service: [u8; 32],
    /// `HMAC(SecretService, "tc3_request")`.
    pub secret_signing: SigningKey,
}

impl DerivedKeys {
    /// Derives all three keys, then overwrites the stack the HMACs used (see
    /// [`crate::wipe::scrub_stack`]): it held pieces of the SecretKey.
    pub fn derive(secret_key: &str, date: UtcDate, service: &str) -> Self {
        let keys = Self::derive_in_own_frames(secret_key, date, service);
        crate::wipe::scrub_stack();
        keys
    }

    // Not inlined, so everything the derivation puts on the stack lies below `derive`'s
    // frame, where `scrub_stack` writes.
    #[inline(never)]
    fn derive_in_own_frames(secret_key: &str, date: UtcDate, service: &str) -> Self {
        let mut k = Wiping::new(Vec::with_capacity(3 + secret_key.len()));
        k.extend_from_slice(b"TC3");
        k.extend_from_slice(secret_key.as_bytes());
        let secret_date = hmac_sha256(&k, &date.to_bytes());
        let secret_service = hmac_sha256(&secret_date, service.as_bytes());
        let secret_signing = SigningKey::new(hmac_sha256(&secret_service, b"tc3_request"));
        DerivedKeys {
            secret_date,
            secret_service,
            secret_signing,
        }
    }
}

impl Drop for DerivedKeys {
    fn drop(&mut self) {
        wipe_array(&mut self.secret_date);
        wipe_array(&mut self.secret_service);
    }
}

/// `SecretSigning`: the key the string to sign is HMAC'd with. Secret-equivalent for a day.
///
/// It also keeps the HMAC state already keyed with it, so each signature skips the two
/// compressions of HMAC's key setup (ipad/opad).
#[derive(Clone)]
pub struct SigningKey {
    bytes: [u8; 32],
    keyed: Option<HmacSha256>,
}

impl SigningKey {
    fn new(bytes: [u8; 32]) -> Self {
        SigningKey {
            keyed: HmacSha256::new_from_slice(&bytes).ok(),
            bytes,
        }
    }

    /// `Signature = HMAC_SHA256(SecretSigning, StringToSign)`, raw bytes.
    pub fn sign(&self, string_to_sign: &[u8]) -> [u8; 32] {
        match &self.keyed {
            Some(keyed) => {
                let mut mac = keyed.clone();
                mac.update(string_to_sign);
                mac.finalize().into_bytes().into()
            }
            None => hmac_sha256(&self.bytes, string_to_sign),
        }
    }
    /// The key bytes (for the vector tests).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }
}

impl PartialEq for SigningKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for SigningKey {}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SigningKey(** redacted **)")
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        // The keyed HMAC state is wiped by its own Drop (hmac's `zeroize` feature).
        wipe_array(&mut self.bytes);
    }
}

/// Remembers the signing key of the last (SecretKey, date, service) it derived.
///
/// One entry is enough: a client signs with one credential for one service, and the date
/// changes once a day. The entry keeps NO copy of the SecretKey: it is recognised by a
/// SHA-256 digest ([`SecretKeyDigest`]), compared in constant time. (The derived signing key
/// it holds is secret-equivalent for that day and service only, and wiped when replaced.)
#[derive(Default)]
pub struct SigningKeyCache {
    entry: Option<CacheEntry>,
}

struct CacheEntry {
    secret_key: SecretKeyDigest,
    date: UtcDate,
    service: String,
    key: SigningKey,
}

/// `SHA-256(SecretKey)`: enough to tell whether a SecretKey is the one a cached key was
/// derived from, and useless for signing (a one-way digest of a high-entropy key). It is
/// computed on every signature, so it is kept to one compression for keys up to 55 bytes
/// (Tencent's are 32): no prefix, since nothing else this crate keeps is a digest of the key.
struct SecretKeyDigest([u8; 32]);

impl SecretKeyDigest {
    fn of(secret_key: &str) -> Self {
        use sha2::Digest;
        SecretKeyDigest(Sha256::digest(secret_key.as_bytes()).into())
    }

    /// Constant time: every byte is compared whatever the first difference, so the time
    /// taken says nothing about how much of a guessed key matched.
    fn matches(&self, other: &SecretKeyDigest) -> bool {
        let diff = self.0.iter().zip(&other.0).fold(0u8, |acc, (a, b)| acc | (a ^ b));
        core::hint::black_box(diff) == 0
    }
}

impl SigningKeyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The signing key for these inputs, derived only when they changed since the last call.
    pub fn get(&mut self, secret_key: &str, date: UtcDate, service: &str) -> &SigningKey {
        let digest = SecretKeyDigest::of(secret_key);
        let hit = matches!(&self.entry, Some(e)
            if e.date == date && e.service == service && e.secret_key.matches(&digest));
        if !hit {
            self.entry = None;
        }
        let entry = self.entry.get_or_insert_with(|| CacheEntry {
            secret_key: digest,
            date,
            service: service.to_owned(),
            key: DerivedKeys::derive(secret_key, date, service).secret_signing.clone(),
        });
        &entry.key
    }
}

impl core::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SigningKeyCache(** redacted **)")
    }
}
