//! Request-parameter decoding and validation: `ExportImagesRequest::from_json` (and the
//! client's `prepare_export_images`) on arbitrary text. Never panics; whatever is accepted
//! round-trips through `to_body`; a rejection is a validation error with a field.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tc3_edge::client::{prepare_export_images, ClientConfig, ClientOptions};
use tc3_edge::cvm::ExportImagesRequest;
use tc3_edge::ErrorKind;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match ExportImagesRequest::from_json(&text) {
        Ok(req) => {
            let body = req.to_body();
            let again = ExportImagesRequest::from_json(&body).expect("to_body output is accepted");
            assert_eq!(again, req, "round trip of {body}");
            assert_eq!(again.to_body(), body);
            assert!(!req.image_ids.is_empty());
            if let Some(p) = &req.file_name_prefix_list {
                assert_eq!(p.len(), req.image_ids.len());
            }
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
            assert!(e.field().is_some());
        }
    }
    // The same through the client's preparation step (region set).
    let config = ClientConfig::new(&ClientOptions { region: Some("ap-guangzhou"), ..ClientOptions::default() }).unwrap();
    if let Ok((req, body)) = prepare_export_images(&config, &text) {
        assert_eq!(body, req.to_body());
    }
    // Also the decoded value, when it is JSON at all (exercises from_value directly): the
    // same verdict as from_json.
    if let Ok(value) = tc3_edge::json::parse(&text) {
        assert_eq!(ExportImagesRequest::from_value(&value).is_ok(), ExportImagesRequest::from_json(&text).is_ok());
    }
});
