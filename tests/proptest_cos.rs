//! Property tests of the COS core on arbitrary input: nothing panics (a panic aborts the whole
//! wasm module), every refusal is a typed validation or option error, and what is signed can be
//! read back: the URL path decodes to the signed path, the link's query holds the signature's
//! fields, and the two name orders of the HttpString are the SDK's.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use tc3_edge::cos::{presign, sign_request, CosEndpoint, CosMethod, CosRequest, KeyTime};
use tc3_edge::error::ErrorKind;
use tc3_edge::tc3::Credential;

fn wild() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        ".{0,40}",
        "[ -~]{0,40}",
        "[a-z0-9/.{}-]{0,20}",
        Just(String::new())
    ]
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn templates_parse_or_fail_typed(t in prop_oneof![
        wild(),
        "(https?|HTTP|ftp)://[a-z0-9.:{}/?#-]{0,30}",
        "https?://(\\{Bucket\\}|\\{Region\\}|[a-z]{1,5})[.]([a-z]{1,5}|\\{Region\\})(:[0-9]{1,5})?(/(\\{Bucket\\}|\\{Region\\}|[a-z{}]{0,4})){0,3}/?",
    ]) {
        match CosEndpoint::parse(&t) {
            Ok(e) => {
                let base = e.base("b-1250000000", "ap-guangzhou");
                prop_assert!(base.starts_with("http://") || base.starts_with("https://"), "{}", base);
                prop_assert!(!base.contains(['{', '}']) && !base.ends_with('/'), "{}", base);
            }
            Err(e) => prop_assert_eq!((e.code(), e.field()), ("Client.InvalidOption", Some("cosEndpoint"))),
        }
    }

    #[test]
    fn any_request_signs_or_fails_typed(
        bucket in prop_oneof![wild(), "[a-z0-9-]{1,12}-[0-9]{1,10}"],
        region in prop_oneof![wild(), Just("ap-guangzhou".to_owned())],
        key in wild(),
        method in prop_oneof![Just(CosMethod::Get), Just(CosMethod::Head)],
        query in proptest::collection::vec((wild(), wild()), 0..4),
        headers in proptest::collection::vec((prop_oneof![wild(), Just("Range".to_owned()), Just("x-cos-meta-a".to_owned())], wild()), 0..4),
        token in proptest::option::of("[ -~]{1,30}"),
        start in 0u64..5_000_000_000, expires in 1u64..=604_800,
    ) {
        let credential = Credential::new("AKIDprop", "secret", token.as_deref()).unwrap();
        let query: Vec<(&str, &str)> = query.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let request = CosRequest { method, bucket: &bucket, region: &region, key: &key, query: &query, headers: &headers };
        let time = KeyTime::new(start, expires).unwrap();
        match presign(&credential, &request, time, &CosEndpoint::real()) {
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::Validation, "{}", e),
            Ok(link) => {
                prop_assert_eq!(&link.signed, &sign_request(&credential, &request, time).unwrap());
                // The URL path decodes to exactly the signed path.
                let (base, rest) = link.url.split_once(".myqcloud.com").unwrap();
                prop_assert_eq!(base, ["https://", &link.signed.host[..link.signed.host.len() - ".myqcloud.com".len()]].concat());
                let (path, q) = rest.split_once('?').unwrap();
                prop_assert_eq!(percent_decode(path), link.signed.path.as_bytes().to_vec());
                // Every field of the signature is in the query, percent-decoded.
                let params: Vec<(String, Vec<u8>)> = q.split('&').map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap();
                    (String::from_utf8(percent_decode(k)).unwrap(), percent_decode(v))
                }).collect();
                for field in link.signed.authorization.split('&') {
                    let (k, v) = field.split_once('=').unwrap();
                    prop_assert!(params.iter().any(|(pk, pv)| pk == k && pv == v.as_bytes()), "{} in {}", k, link.url);
                }
                let token_param = params.iter().find(|(k, _)| k == "x-cos-security-token").map(|(_, v)| v.clone());
                prop_assert_eq!(token_param, token.map(String::into_bytes));
                prop_assert!(link.signed.http_string.starts_with(&[method.lower(), "\n", &link.signed.path, "\n"].concat()));
            }
        }
    }
}
