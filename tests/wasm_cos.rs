//! COS signing inside wasm, run by wasm-bindgen-test in Node and (WASM_BINDGEN_USE_BROWSER=1)
//! in Chromium: every case of tests/fixtures/cos-cases.json (signatures of the official COS
//! SDK's `COS.getAuthorization`, scripts/gen-cos-fixture.mjs) signed by the Rust core compiled
//! to wasm32, byte for byte; a slice of them through the JS export `presignCosUrl` too.
#![cfg(target_arch = "wasm32")]

use js_sys::{Object, Reflect, JSON};
use serde_json::Value;
use tc3_edge::cos::{presign, sign_request, CosEndpoint, CosMethod, CosRequest, KeyTime};
use tc3_edge::tc3::Credential;
use tc3_edge::wasm::CvmClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

const FIXTURE: &str = include_str!("fixtures/cos-cases.json");

fn cases() -> Vec<Value> {
    let doc: Value = serde_json::from_str(FIXTURE).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn pairs(v: &Value) -> Vec<(&str, &str)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap(), p[1].as_str().unwrap()))
        .collect()
}

fn get_str(v: &JsValue, key: &str) -> Option<String> {
    Reflect::get(v, &key.into()).unwrap().as_string()
}

#[wasm_bindgen_test]
fn every_fixture_case_through_the_core() {
    let cases = cases();
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
            "case {i}: {c}"
        );
        let link = presign(&credential, &request, time, &CosEndpoint::real()).unwrap();
        assert_eq!(link.signed.authorization, signed.authorization, "case {i}");
    }
}

#[wasm_bindgen_test]
fn fixture_cases_through_the_js_export() {
    // Every 7th case (~170): each builds a CvmClient with the case's credential and region.
    for (i, c) in cases().iter().enumerate().step_by(7) {
        let mut credential = serde_json::json!({ "secretId": c["secretId"], "secretKey": c["secretKey"] });
        if let Some(token) = c["token"].as_str() {
            credential["token"] = token.into();
        }
        let options = serde_json::json!({ "credential": credential, "region": c["region"] });
        let client = CvmClient::new(JSON::parse(&options.to_string()).unwrap()).unwrap();
        let object = |v: &Value| {
            let o = Object::new();
            for (k, val) in pairs(v) {
                Reflect::set(&o, &k.into(), &val.into()).unwrap();
            }
            o
        };
        let input = Object::new();
        for (k, v) in [
            ("BucketName", JsValue::from_str(c["bucket"].as_str().unwrap())),
            ("key", c["key"].as_str().unwrap().into()),
            ("method", c["method"].as_str().unwrap().into()),
            ("expires", JsValue::from_f64(c["expires"].as_f64().unwrap())),
            ("timestamp", JsValue::from_f64(c["start"].as_f64().unwrap())),
            ("query", object(&c["query"]).into()),
            ("headers", object(&c["headers"]).into()),
        ] {
            Reflect::set(&input, &k.into(), &v).unwrap();
        }
        let out = client
            .presign_cos_url(input.into())
            .unwrap_or_else(|e| panic!("case {i}: {e:?}"));
        assert_eq!(
            get_str(&out, "authorization").as_deref(),
            c["expected"]["authorization"].as_str(),
            "case {i}"
        );
        let url = get_str(&out, "url").unwrap();
        let host = c["expected"]["host"].as_str().unwrap();
        assert!(url.starts_with(&["https://", host, "/"].concat()), "case {i}: {url}");
        assert_eq!(
            url.contains("&x-cos-security-token="),
            c["token"].is_string(),
            "case {i}"
        );
    }
}
