//! Signing with arbitrary inputs: `tc3::sign`. Never panics; a signature is 64 lowercase hex,
//! the Authorization quotes it, and a shared signing-key cache gives what a fresh one gives.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tc3_edge::tc3::{sign, Credential, Language, Method, SignedHeaders, SigningKeyCache, SigningParams};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    secret_id: &'a str,
    secret_key: &'a str,
    token: Option<&'a str>,
    get: bool,
    host: &'a str,
    service: &'a str,
    action: &'a str,
    version: &'a str,
    region: Option<&'a str>,
    language: Option<bool>,
    request_client: Option<&'a str>,
    timestamp: u64,
    small_timestamp: bool,
    content_type: &'a str,
    query: &'a str,
    payload: &'a [u8],
    sign_action: bool,
    unsigned_payload: bool,
    second_key: &'a str,
}

fuzz_target!(|i: Input<'_>| {
    let Ok(credential) = Credential::new(i.secret_id, i.secret_key, i.token) else { return };
    let params = SigningParams {
        method: if i.get { Method::Get } else { Method::Post },
        host: i.host,
        service: i.service,
        action: i.action,
        version: i.version,
        region: i.region,
        language: i.language.map(|z| if z { Language::ZhCn } else { Language::EnUs }),
        request_client: i.request_client,
        // Half the time a realistic timestamp, so signing gets past the range check.
        timestamp: if i.small_timestamp { i.timestamp % 4_102_444_800 } else { i.timestamp },
        content_type: i.content_type,
        query: i.query,
        payload: i.payload,
        signed_headers: if i.sign_action { SignedHeaders::ContentTypeHostAction } else { SignedHeaders::ContentTypeHost },
        unsigned_payload: i.unsigned_payload,
    };
    let mut shared = SigningKeyCache::new();
    let Ok(signed) = sign(&credential, &params, &mut shared) else { return };
    assert_eq!(signed.signature.len(), 64);
    assert!(signed.signature.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    assert!(signed.authorization.ends_with(&format!("Signature={}", signed.signature)));
    // Switch keys through the shared cache and back: same result as fresh caches.
    if let Ok(other) = Credential::new(i.secret_id, i.second_key, i.token) {
        let a = sign(&other, &params, &mut shared).unwrap();
        let b = sign(&other, &params, &mut SigningKeyCache::new()).unwrap();
        assert_eq!(a, b);
        // Different keys sign differently — except keys that differ only by trailing NULs
        // (while "TC3" + key fits HMAC's 64-byte block): HMAC zero-pads short keys, so "k" and
        // "k\0" are the same key (see tests/proptest_signer.rs trailing_nul_secret_keys_sign_alike).
        let padded_alike = |a: &str, b: &str| {
            let (a, b) = (a.trim_end_matches('\0'), b.trim_end_matches('\0'));
            a == b && i.secret_key.len().max(i.second_key.len()) + 3 <= 64
        };
        if i.second_key != i.secret_key && !padded_alike(i.secret_key, i.second_key) {
            assert_ne!(a.signature, signed.signature);
        }
    }
    let again = sign(&credential, &params, &mut shared).unwrap();
    assert_eq!(again, signed);
});
