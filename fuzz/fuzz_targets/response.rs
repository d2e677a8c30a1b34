//! Response parsing: `parse_envelope(status, body)` then `ExportImagesResponse::from_response`.
//! Input: two bytes of HTTP status, then the body. Never panics; every failure is classified.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tc3_edge::cvm::{parse_envelope, ExportImagesResponse};
use tc3_edge::ErrorKind;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let raw = u16::from_le_bytes([data[0], data[1]]);
    // Mostly 200, sometimes any status.
    let status = if raw % 4 == 0 { raw } else { 200 };
    let body = String::from_utf8_lossy(&data[2..]);
    match parse_envelope(status, &body) {
        Ok(response) => {
            assert!((200..300).contains(&status));
            if let Ok(r) = ExportImagesResponse::from_response(&response) {
                assert_eq!(Some(r.task_id), response.get("TaskId").and_then(|v| v.as_u64()));
            }
        }
        Err(e) => {
            assert!(matches!(
                e.kind(),
                ErrorKind::Api | ErrorKind::HttpStatus | ErrorKind::TruncatedResponse | ErrorKind::NonJsonResponse | ErrorKind::InvalidResponse
            ));
            if e.kind() == ErrorKind::Api {
                assert!(!e.code().is_empty() || body.contains("\"Code\""));
            }
            let _ = e.to_string();
        }
    }
});
