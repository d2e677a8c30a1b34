//! Every case of the reference vectors (Tencent's documented examples, the official Node
//! SDK's unit test, edge cases), compared stage by stage with every intermediate value.

use serde_json::Value;
use tc3_edge::tc3::canonical::CanonicalRequest;
use tc3_edge::tc3::string_to_sign::{CredentialScope, StringToSign};
use tc3_edge::tc3::{
    sign, Credential, DerivedKeys, HashedPayload, Method, SignedHeaders, SigningKeyCache, SigningParams, UtcDate,
};

const FIXTURE: &str = include_str!("fixtures/tc3-vectors.json");

fn cases() -> Vec<Value> {
    let doc: Value = serde_json::from_str(FIXTURE).expect("fixture is JSON");
    doc["cases"].as_array().expect("cases").clone()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} missing"))
}

fn method(input: &Value) -> Method {
    match s(input, "method") {
        "POST" => Method::Post,
        "GET" => Method::Get,
        m => panic!("method {m}"),
    }
}

fn signed_headers(input: &Value) -> SignedHeaders {
    match s(input, "signedHeaders") {
        "content-type;host" => SignedHeaders::ContentTypeHost,
        "content-type;host;x-tc-action" => SignedHeaders::ContentTypeHostAction,
        h => panic!("signedHeaders {h}"),
    }
}

#[test]
fn the_fixture_holds_every_case() {
    // The repository's own copy of the reference vectors: no test reads outside the clone.
    let names: Vec<String> = cases().iter().map(|c| s(c, "name").to_owned()).collect();
    assert!(names.len() >= 9, "{names:?}");
    for name in [
        "doc-v3-current",
        "node-sdk-unit-test",
        "export-images-seed-example",
        "get-form",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} missing from {names:?}");
    }
}

#[test]
fn every_stage_of_every_case() {
    for case in cases() {
        let name = s(&case, "name");
        let input = &case["input"];
        let expected = &case["expected"];
        let timestamp = input["timestamp"].as_u64().unwrap();
        let payload = s(input, "payload");

        let date = UtcDate::from_timestamp(timestamp);
        assert_eq!(date.to_string(), s(expected, "date"), "{name}: date");

        let hashed = HashedPayload::of(payload.as_bytes());
        assert_eq!(hashed.to_hex(), s(expected, "hashedPayload"), "{name}: hashedPayload");

        let canonical = CanonicalRequest {
            method: method(input),
            query: s(input, "query"),
            content_type: s(input, "contentType"),
            host: s(input, "host"),
            action: s(input, "action"),
            signed_headers: signed_headers(input),
            hashed_payload: hashed,
        };
        assert_eq!(
            canonical.to_string(),
            s(expected, "canonicalRequest"),
            "{name}: canonicalRequest"
        );
        assert_eq!(
            hex::encode(canonical.hash()),
            s(expected, "hashedCanonicalRequest"),
            "{name}: hashedCanonicalRequest"
        );

        let scope = CredentialScope {
            date,
            service: s(input, "service"),
        };
        assert_eq!(
            scope.to_string(),
            s(expected, "credentialScope"),
            "{name}: credentialScope"
        );

        let sts = StringToSign {
            timestamp,
            scope,
            hashed_canonical_request: canonical.hash(),
        };
        assert_eq!(sts.to_string(), s(expected, "stringToSign"), "{name}: stringToSign");

        let keys = DerivedKeys::derive(s(input, "secretKey"), date, s(input, "service"));
        assert_eq!(
            hex::encode(keys.secret_date),
            s(expected, "secretDate"),
            "{name}: secretDate"
        );
        assert_eq!(
            hex::encode(keys.secret_service),
            s(expected, "secretService"),
            "{name}: secretService"
        );
        assert_eq!(
            hex::encode(keys.secret_signing.as_bytes()),
            s(expected, "secretSigning"),
            "{name}: secretSigning"
        );
        let signature = keys.secret_signing.sign(sts.to_string().as_bytes());
        assert_eq!(hex::encode(signature), s(expected, "signature"), "{name}: signature");
    }
}

#[test]
fn the_one_call_signer_matches_every_case_and_sets_the_common_headers() {
    let mut cache = SigningKeyCache::new();
    for case in cases() {
        let name = s(&case, "name");
        let input = &case["input"];
        let expected = &case["expected"];
        let token = input["token"].as_str();
        let credential = Credential::new(s(input, "secretId"), s(input, "secretKey"), token).unwrap();
        let params = SigningParams {
            method: method(input),
            host: s(input, "host"),
            service: s(input, "service"),
            action: s(input, "action"),
            version: s(input, "version"),
            region: input["region"].as_str(),
            language: None,
            request_client: None,
            timestamp: input["timestamp"].as_u64().unwrap(),
            content_type: s(input, "contentType"),
            query: s(input, "query"),
            payload: s(input, "payload").as_bytes(),
            signed_headers: signed_headers(input),
            unsigned_payload: false,
        };
        // Twice: the second call is served from the key cache and must agree.
        for _ in 0..2 {
            let signed = sign(&credential, &params, &mut cache).unwrap();
            assert_eq!(signed.canonical_request, s(expected, "canonicalRequest"), "{name}");
            assert_eq!(signed.string_to_sign, s(expected, "stringToSign"), "{name}");
            assert_eq!(signed.signature, s(expected, "signature"), "{name}");
            assert_eq!(signed.authorization, s(expected, "authorization"), "{name}");
            let header = |n: &str| signed.headers.iter().find(|(k, _)| *k == n).map(|(_, v)| v.as_str());
            assert_eq!(header("Authorization"), Some(s(expected, "authorization")), "{name}");
            assert_eq!(header("Content-Type"), Some(s(input, "contentType")), "{name}");
            assert_eq!(header("X-TC-Action"), Some(s(input, "action")), "{name}");
            assert_eq!(header("X-TC-Version"), Some(s(input, "version")), "{name}");
            assert_eq!(
                header("X-TC-Timestamp"),
                Some(input["timestamp"].to_string().as_str()),
                "{name}"
            );
            assert_eq!(header("X-TC-Region"), input["region"].as_str(), "{name}");
            assert_eq!(header("X-TC-Token"), token, "{name}");
            assert_eq!(header("Host"), None, "{name}: fetch sets Host from the URL");
        }
    }
}

#[test]
fn unsigned_payload_hashes_the_marker_and_sends_the_header() {
    let credential = Credential::new("id", "key", None).unwrap();
    let mut params = SigningParams {
        method: Method::Post,
        host: "cvm.tencentcloudapi.com",
        service: "cvm",
        action: "ExportImages",
        version: "2017-03-12",
        region: None,
        language: None,
        request_client: None,
        timestamp: 1_700_000_000,
        content_type: "application/json",
        query: "",
        payload: b"{}",
        signed_headers: SignedHeaders::ContentTypeHost,
        unsigned_payload: true,
    };
    let signed = sign(&credential, &params, &mut SigningKeyCache::new()).unwrap();
    assert!(signed
        .canonical_request
        .ends_with(&HashedPayload::of(b"UNSIGNED-PAYLOAD").to_hex()));
    assert!(signed
        .headers
        .contains(&("X-TC-Content-SHA256", "UNSIGNED-PAYLOAD".to_owned())));
    params.unsigned_payload = false;
    let signed2 = sign(&credential, &params, &mut SigningKeyCache::new()).unwrap();
    assert_ne!(signed.signature, signed2.signature);
}
