//! Secrets never reach `Debug` output, and the signing-key cache keeps no SecretKey copy while
//! still telling keys apart.

use tc3_edge::tc3::{sign, Credential, DerivedKeys, Method, SignedHeaders, SigningKeyCache, SigningParams, UtcDate};

const SECRET_KEY: &str = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
const TOKEN: &str = "session-token-9f8e7d6c5b4a39281706";

fn params(timestamp: u64) -> SigningParams<'static> {
    SigningParams {
        method: Method::Post,
        host: "cvm.tencentcloudapi.com",
        service: "cvm",
        action: "ExportImages",
        version: "2017-03-12",
        region: Some("ap-guangzhou"),
        language: None,
        request_client: None,
        timestamp,
        content_type: "application/json",
        query: "",
        payload: br#"{"BucketName":"b-1250000000","ImageIds":["img-72n9mi0y"]}"#,
        signed_headers: SignedHeaders::ContentTypeHost,
        unsigned_payload: false,
    }
}

#[test]
fn signed_request_debug_prints_no_token_and_no_key_material() {
    let credential = Credential::new("AKIDdebug", SECRET_KEY, Some(TOKEN)).unwrap();
    let mut cache = SigningKeyCache::new();
    let signed = sign(&credential, &params(1_732_665_600), &mut cache).unwrap();
    assert!(
        signed.headers.iter().any(|(n, v)| *n == "X-TC-Token" && v == TOKEN),
        "the token is sent"
    );
    let keys = DerivedKeys::derive(SECRET_KEY, UtcDate::from_timestamp(1_732_665_600), "cvm");
    let signing_key_hex = hex::encode(keys.secret_signing.as_bytes());
    for text in [
        format!("{signed:?}"),
        format!("{signed:#?}"),
        format!("{cache:?}"),
        format!("{credential:?}"),
    ] {
        assert!(!text.contains(TOKEN), "token in Debug: {text}");
        assert!(!text.contains(SECRET_KEY), "SecretKey in Debug: {text}");
        assert!(!text.contains(&signing_key_hex), "signing key in Debug: {text}");
        assert!(
            !text.contains(&hex::encode(keys.secret_date)),
            "derived key in Debug: {text}"
        );
    }
    let text = format!("{signed:?}");
    assert!(text.contains("X-TC-Token") && text.contains("** redacted **"), "{text}");
    assert!(
        text.contains(&signed.authorization),
        "the non-secret parts stay visible: {text}"
    );
    assert!(format!("{:?}", keys.secret_signing).contains("redacted"));
}

#[test]
fn the_cache_tells_keys_apart_and_matches_a_fresh_derivation() {
    let date = UtcDate::from_timestamp(1_732_665_600);
    let fresh = |k: &str| *DerivedKeys::derive(k, date, "cvm").secret_signing.as_bytes();
    let mut cache = SigningKeyCache::new();
    // Keys that differ in one byte only, at the start and at the end, and a prefix of another.
    let keys = [
        SECRET_KEY,
        "Hu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLF",
        "Gu5t9x",
    ];
    for round in 0..3 {
        for k in keys.iter().chain(keys.iter().rev()) {
            assert_eq!(
                cache.get(k, date, "cvm").as_bytes(),
                &fresh(k),
                "round {round}, key {k}"
            );
        }
    }
    // Another day or service is another key.
    let next_day = UtcDate::from_timestamp(1_732_665_600 + 86_400);
    assert_ne!(cache.get(SECRET_KEY, next_day, "cvm").as_bytes(), &fresh(SECRET_KEY));
    assert_ne!(cache.get(SECRET_KEY, date, "cbs").as_bytes(), &fresh(SECRET_KEY));
    assert_eq!(cache.get(SECRET_KEY, date, "cvm").as_bytes(), &fresh(SECRET_KEY));
}
