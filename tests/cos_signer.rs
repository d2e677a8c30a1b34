//! COS signing (`tc3_edge::cos`), natively: the documented example stage by stage, and every
//! case of tests/fixtures/cos-cases.json (generated with the official COS SDK's
//! `COS.getAuthorization` by scripts/gen-cos-fixture.mjs) byte for byte.

use serde_json::Value;
use tc3_edge::cos::{
    http_string, key::SignKey, presign, sign_request, string_to_sign, CosEndpoint, CosMethod, CosRequest, KeyTime,
};
use tc3_edge::tc3::Credential;

const FIXTURE: &str = include_str!("fixtures/cos-cases.json");

// "Downloading an object" of COS's "Request Signature" document
// (https://www.tencentcloud.com/document/product/436/7778; the English page prints the path
// translated, the hashes are of the Chinese `/exampleobject(腾讯云)`). It signs `date`, which
// the SDK (and so sign_request) does not sign — fetch cannot set Date — so stage 1 is fed the
// document's header set directly.
const DOC_SECRET_ID: &str = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q";
const DOC_SECRET_KEY: &str = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";
const DOC_HOST: &str = "examplebucket-1250000000.cos.ap-beijing.myqcloud.com";

#[test]
fn documented_download_example_stage_by_stage() {
    let key_time = KeyTime::new(1_557_989_753, 7200).unwrap();
    let sign_key = SignKey::derive(DOC_SECRET_KEY, "1557989753;1557996953");
    assert_eq!(sign_key.as_str(), "937914bf490e9e8c189836aad2052e4feeb35eaf");

    let http = http_string::build(
        CosMethod::Get,
        "/exampleobject(腾讯云)",
        &[
            ("response-content-type", "application/octet-stream"),
            ("response-cache-control", "max-age=600"),
        ],
        &[("Date", "Thu, 16 May 2019 06:55:53 GMT"), ("Host", DOC_HOST)],
    );
    assert_eq!(http.url_param_list, "response-cache-control;response-content-type");
    assert_eq!(http.header_list, "date;host");
    assert_eq!(
        http.text,
        "get\n/exampleobject(腾讯云)\nresponse-cache-control=max-age%3D600&response-content-type=application%2Foctet-stream\n\
         date=Thu%2C%2016%20May%202019%2006%3A55%3A53%20GMT&host=examplebucket-1250000000.cos.ap-beijing.myqcloud.com\n"
    );
    let sts = string_to_sign::build(key_time, &http.text);
    assert_eq!(
        sts,
        "sha1\n1557989753;1557996953\n54ecfe22f59d3514fdc764b87a32d8133ea611e6\n"
    );
    let signature = tc3_edge::text::hex(&sign_key.sign(sts.as_bytes()));
    assert_eq!(signature, "01681b8c9d798a678e43b685a9f1bba0f6c0e012");
    let _ = DOC_SECRET_ID;
}

#[test]
fn documented_upload_example_sign_key() {
    // The same document's "Uploading an object": its SignKey (the upload itself is a PUT,
    // which a reader of exports does not send).
    let k = SignKey::derive(DOC_SECRET_KEY, "1557989151;1557996351");
    assert_eq!(k.as_str(), "eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f");
}

fn pairs(v: &Value) -> Vec<(&str, &str)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap(), p[1].as_str().unwrap()))
        .collect()
}

#[test]
fn every_fixture_case_matches_the_official_sdk() {
    let doc: Value = serde_json::from_str(FIXTURE).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 1000, "{} cases", cases.len());
    for (i, c) in cases.iter().enumerate() {
        let s = |k: &str| c[k].as_str().unwrap();
        let credential = Credential::new(s("secretId"), s("secretKey"), c["token"].as_str()).unwrap();
        let (query, headers) = (pairs(&c["query"]), pairs(&c["headers"]));
        let request = CosRequest {
            method: CosMethod::parse(s("method")).unwrap(),
            bucket: s("bucket"),
            region: s("region"),
            key: s("key"),
            query: &query,
            headers: &headers,
        };
        let time = KeyTime::new(c["start"].as_u64().unwrap(), c["expires"].as_u64().unwrap()).unwrap();
        let signed = sign_request(&credential, &request, time).unwrap_or_else(|e| panic!("case {i}: {e}"));
        assert_eq!(
            signed.authorization,
            c["expected"]["authorization"].as_str().unwrap(),
            "case {i}: {c}\nHttpString: {:?}",
            signed.http_string
        );
        assert_eq!(signed.host, c["expected"]["host"].as_str().unwrap());
        // Header authorization sends the token unsigned; a link carries it in the query.
        let token_header = signed.headers.iter().find(|(n, _)| n == "x-cos-security-token");
        assert_eq!(token_header.map(|(_, v)| v.as_str()), c["token"].as_str(), "case {i}");
        let link = presign(&credential, &request, time, &CosEndpoint::real()).unwrap();
        assert_eq!(link.signed.authorization, signed.authorization);
        assert!(
            link.url.starts_with(&["https://", &signed.host, "/"].concat()),
            "{}",
            link.url
        );
        assert_eq!(link.url.contains("&x-cos-security-token="), c["token"].is_string());
    }
}

#[test]
fn nothing_secret_in_debug_output_or_errors() {
    let secret_key = "SECRET-key-that-must-not-leak-0123456789";
    let token = "SESSION-token-that-must-not-leak-0123456789";
    let credential = Credential::new("AKIDpublic", secret_key, Some(token)).unwrap();
    let request = CosRequest {
        method: CosMethod::Get,
        bucket: "backup-1250000000",
        region: "ap-guangzhou",
        key: "/a.raw",
        query: &[],
        headers: &[("Range", "bytes=0-1")],
    };
    let time = KeyTime::new(1_700_000_000, 60).unwrap();
    let signed = sign_request(&credential, &request, time).unwrap();
    let link = presign(&credential, &request, time, &CosEndpoint::real()).unwrap();
    for text in [format!("{signed:?}"), format!("{signed:#?}"), format!("{link:?}")] {
        assert!(!text.contains(secret_key) && !text.contains(token), "{text}");
        assert!(text.contains("AKIDpublic"));
    }
    // Bad inputs fail with typed errors that carry no secret.
    for bad in [
        CosRequest {
            bucket: "nope",
            ..request
        },
        CosRequest { key: "", ..request },
        CosRequest {
            key: "a/../b",
            ..request
        },
    ] {
        let err = sign_request(&credential, &bad, time).unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.contains(secret_key) && !text.contains(token), "{text}");
    }
}

#[test]
fn client_config_reads_cos_endpoint() {
    use tc3_edge::client::{ClientConfig, ClientOptions};
    let default = ClientConfig::new(&ClientOptions::default()).unwrap();
    assert!(default.cos_endpoint.is_real());
    let local = ClientConfig::new(&ClientOptions {
        cos_endpoint: Some("http://127.0.0.1:8787/cos/{Bucket}"),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        local.cos_endpoint.base("b-1250000000", "ap-guangzhou"),
        "http://127.0.0.1:8787/cos/b-1250000000"
    );
    let err = ClientConfig::new(&ClientOptions {
        cos_endpoint: Some("http://127.0.0.1:8787/cos/{bucket}"),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(
        (err.code(), err.field()),
        ("Client.InvalidOption", Some("profile.cosEndpoint"))
    );
    assert!(err.message().contains("{Bucket}"), "{}", err.message());
}
