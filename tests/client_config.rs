//! Client configuration: endpoint vs signed host, options checks, and the signing path the
//! wasm client uses (native, with a fixed timestamp).

use tc3_edge::client::{check_action, ClientConfig, ClientOptions, REQUEST_CLIENT};
use tc3_edge::tc3::{Credential, SigningKeyCache};

#[test]
fn signed_host_defaults_to_the_endpoint_hostname_and_can_be_set_apart() {
    let local = ClientConfig::new(&ClientOptions {
        endpoint: Some("http://127.0.0.1:8787"),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        (local.endpoint.url.as_str(), local.signing_host.as_str()),
        ("http://127.0.0.1:8787/", "127.0.0.1")
    );
    let proxy = ClientConfig::new(&ClientOptions {
        endpoint: Some("https://console.example.com/tc3/"),
        host: Some("cvm.tencentcloudapi.com"),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(proxy.signing_host, "cvm.tencentcloudapi.com");
    assert_eq!(proxy.endpoint.url, "https://console.example.com/tc3/");
    let default = ClientConfig::new(&ClientOptions::default()).unwrap();
    assert_eq!(
        (default.endpoint.url.as_str(), default.req_timeout_secs),
        ("https://cvm.tencentcloudapi.com/", 60)
    );
}

#[test]
fn bad_options_are_invalid_option() {
    let bad = [
        ClientOptions {
            region: Some("ap guangzhou"),
            ..Default::default()
        },
        ClientOptions {
            region: Some(""),
            ..Default::default()
        },
        ClientOptions {
            language: Some("fr-FR"),
            ..Default::default()
        },
        ClientOptions {
            req_timeout_secs: Some(0.0),
            ..Default::default()
        },
        ClientOptions {
            req_timeout_secs: Some(1.5),
            ..Default::default()
        },
        ClientOptions {
            req_timeout_secs: Some(f64::NAN),
            ..Default::default()
        },
        ClientOptions {
            host: Some("https://x.com"),
            ..Default::default()
        },
        ClientOptions {
            endpoint: Some("ftp://x.com"),
            ..Default::default()
        },
        ClientOptions {
            content_type: Some("text/plain"),
            ..Default::default()
        },
    ];
    for o in bad {
        assert_eq!(
            ClientConfig::new(&o).unwrap_err().code(),
            "Client.InvalidOption",
            "{o:?}"
        );
    }
}

#[test]
fn client_signing_sends_the_common_headers() {
    let cfg = ClientConfig::new(&ClientOptions {
        region: Some("ap-guangzhou"),
        language: Some("en-US"),
        ..Default::default()
    })
    .unwrap();
    let cred = Credential::new("AKIDx", "key", Some("tok")).unwrap();
    let signed = cfg
        .sign(&cred, &mut SigningKeyCache::new(), "ExportImages", "{}", 1_732_665_600)
        .unwrap();
    let get = |n: &str| signed.headers.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone());
    assert_eq!(get("X-TC-Region").as_deref(), Some("ap-guangzhou"));
    assert_eq!(get("X-TC-Language").as_deref(), Some("en-US"));
    assert_eq!(get("X-TC-Token").as_deref(), Some("tok"));
    assert_eq!(get("X-TC-RequestClient").as_deref(), Some(REQUEST_CLIENT));
    assert_eq!(get("Content-Type").as_deref(), Some("application/json"));
    assert!(signed.canonical_request.contains("\nhost:cvm.tencentcloudapi.com\n"));
    assert!(REQUEST_CLIENT.starts_with("tc3-edge/"));
}

#[test]
fn action_names_are_checked() {
    assert!(check_action("DescribeImages").is_ok());
    for bad in ["", "describeImages", "Describe Images", "Describe\nImages"] {
        assert_eq!(check_action(bad).unwrap_err().code(), "InvalidAction");
    }
}

#[test]
fn option_errors_name_the_option() {
    let e = ClientConfig::new(&ClientOptions {
        endpoint: Some("ftp://x"),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e.field(), Some("profile.httpProfile.endpoint"));
    let e = ClientConfig::new(&ClientOptions {
        region: Some("A B"),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e.field(), Some("region"));
    let e = ClientConfig::new(&ClientOptions {
        req_timeout_secs: Some(0.5),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e.field(), Some("profile.httpProfile.reqTimeout"));
}

#[test]
fn a_content_type_the_signer_refuses_is_refused_up_front() {
    // Found by fuzzing: "application/json\0" passed the config check but every sign failed.
    let e = ClientConfig::new(&ClientOptions {
        content_type: Some("application/json\0"),
        ..Default::default()
    });
    assert_eq!(e.unwrap_err().code(), "Client.InvalidOption");
}
