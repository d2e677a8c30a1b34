//! Endpoint and client configuration parsing: `Endpoint::parse`, `ClientConfig::new` with
//! arbitrary option strings (`cosEndpoint` too), `check_action`, `Language::parse`; a configuration that is
//! accepted must be able to sign.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tc3_edge::client::{check_action, ClientConfig, ClientOptions, Endpoint};
use tc3_edge::tc3::{Credential, Language, SigningKeyCache};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    endpoint: &'a str,
    host: Option<&'a str>,
    region: Option<&'a str>,
    language: Option<&'a str>,
    timeout: Option<f64>,
    sign_action: bool,
    content_type: Option<&'a str>,
    action: &'a str,
    cos_endpoint: Option<&'a str>,
}

fuzz_target!(|input: Input<'_>| {
    if let Ok(e) = Endpoint::parse(input.endpoint) {
        assert!(e.url.starts_with("http://") || e.url.starts_with("https://"), "{}", e.url);
        assert_eq!(Endpoint::parse(&e.url).as_ref(), Ok(&e), "idempotent: {}", e.url);
    }
    let _ = Language::parse(input.endpoint);
    let action_ok = check_action(input.action).is_ok();
    let o = ClientOptions {
        endpoint: Some(input.endpoint),
        host: input.host,
        region: input.region,
        language: input.language,
        req_timeout_secs: input.timeout,
        sign_action: input.sign_action,
        content_type: input.content_type,
        cos_endpoint: input.cos_endpoint,
    };
    if let Ok(config) = ClientConfig::new(&o) {
        assert!((1..=3600).contains(&config.req_timeout_secs));
        let cos = config.cos_endpoint.base("b-1250000000", "ap-guangzhou");
        assert!(cos.starts_with("http://") || cos.starts_with("https://"), "{cos}");
        let cred = Credential::new("AKIDfuzz", "secret", None).unwrap();
        let action = if action_ok { input.action } else { "DescribeImages" };
        let signed = config.sign(&cred, &mut SigningKeyCache::new(), action, "{}", 1_700_000_000);
        assert!(signed.is_ok(), "{:?} with {config:?}", signed.err());
    }
});
