//! Raw bindings to the host: js/boundary.js (the error class, writing strings into wasm
//! memory, packing signRequest's input and output) and the wall clock. What only the client
//! needs (fetch, timers, the provider) is done by js/driver.js, outside the module.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/boundary.js")]
extern "C" {
    #[wasm_bindgen(js_name = errorClass)]
    pub fn error_class() -> JsValue;

    #[wasm_bindgen(js_name = packSignInputInto)]
    pub fn pack_sign_input_into(memory: &JsValue, input: &JsValue, ptr: *mut u8, cap: usize) -> i32;

    #[wasm_bindgen(js_name = stringifyInto)]
    pub fn stringify_into(memory: &JsValue, value: &JsValue, ptr: *mut u8, cap: usize) -> i32;

    #[wasm_bindgen(js_name = writePending)]
    pub fn write_pending(memory: &JsValue, ptr: *mut u8, cap: usize) -> i32;

    #[wasm_bindgen(js_name = unpackSigned)]
    pub fn unpack_signed(packed: &str) -> JsValue;

    #[wasm_bindgen(js_name = TencentCloudError)]
    pub type JsTencentCloudError;

    #[wasm_bindgen(constructor, js_class = TencentCloudError)]
    pub fn new(
        code: &str,
        message: &str,
        request_id: Option<String>,
        field: Option<String>,
        http_code: Option<u16>,
        may_have_executed: bool,
    ) -> JsTencentCloudError;
}

/// Seconds since the Unix epoch, from the host's clock (`SystemTime::now()` panics on wasm).
pub fn now_secs() -> u64 {
    (now_ms() / 1000.0).floor().max(0.0) as u64
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
