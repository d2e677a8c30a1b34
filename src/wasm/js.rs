//! Raw bindings to the host: the global `fetch`, timers, the clock, and the error class.
//!
//! `fetch` and `setTimeout` are bound as GLOBAL functions, not through `window()`: one binding
//! then works in a page, a web worker, Node >= 18 and workerd (which has no `window`, and
//! throws "Illegal invocation" if `fetch` is called as a method of another object).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `globalThis.fetch(url, init)`.
    #[wasm_bindgen(js_name = fetch)]
    pub fn global_fetch(url: &str, init: &JsValue) -> js_sys::Promise;

    #[wasm_bindgen(js_name = setTimeout)]
    pub fn set_timeout(callback: &js_sys::Function, ms: f64) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    pub fn clear_timeout(id: &JsValue);
}

#[wasm_bindgen(inline_js = r#"
/** The error every tc3-edge failure is thrown as. */
export class TencentCloudError extends Error {
  constructor(code, message, requestId, field, httpCode) {
    super(message);
    this.name = "TencentCloudError";
    this.code = code;
    this.requestId = requestId;
    this.field = field;
    this.httpCode = httpCode;
  }
  toString() {
    return `${this.name}: [${this.code}] ${this.message}` + (this.requestId ? ` (RequestId: ${this.requestId})` : "");
  }
  toJSON() {
    const { name, code, message, requestId, field, httpCode } = this;
    return { name, code, message, requestId, field, httpCode };
  }
}
export function errorClass() { return TencentCloudError; }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = errorClass)]
    pub fn error_class() -> JsValue;

    #[wasm_bindgen(js_name = TencentCloudError)]
    pub type JsTencentCloudError;

    #[wasm_bindgen(constructor, js_class = TencentCloudError)]
    pub fn new(
        code: &str,
        message: &str,
        request_id: Option<String>,
        field: Option<String>,
        http_code: Option<u16>,
    ) -> JsTencentCloudError;
}

/// Seconds since the Unix epoch, from the host's clock (`SystemTime::now()` panics on wasm).
pub fn now_secs() -> u64 {
    (js_sys::Date::now() / 1000.0).floor().max(0.0) as u64
}
