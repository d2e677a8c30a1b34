//! Rust errors become JS `TencentCloudError` objects (`instanceof Error`) carrying `code`,
//! `message`, `requestId`, `field` and `httpCode` — the shape of the official SDK's
//! `TencentCloudSDKHttpException` — plus `field` for validation errors and `mayHaveExecuted`
//! (true when the server may have run the request although the call failed).

use wasm_bindgen::prelude::*;

use super::js;
use crate::error::Error;

/// The `TencentCloudError` JS object for a Rust error.
pub fn to_js(err: &Error) -> JsValue {
    js::JsTencentCloudError::new(
        err.code(),
        err.message(),
        err.request_id().map(str::to_owned),
        err.field().map(str::to_owned),
        err.status(),
        err.may_have_executed(),
    )
    .into()
}

impl From<Error> for JsValue {
    fn from(err: Error) -> JsValue {
        to_js(&err)
    }
}

/// Exposes the error class to the package entries, which re-export it.
#[wasm_bindgen(js_name = "__errorClass", skip_typescript)]
pub fn error_class() -> JsValue {
    js::error_class()
}
