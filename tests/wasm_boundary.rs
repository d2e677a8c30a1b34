//! The JS boundary, run inside wasm by wasm-bindgen-test (Node by default; Chromium with
//! `WASM_BINDGEN_USE_BROWSER=1`): every reference vector through `signRequest`, JS type
//! conversions, `TencentCloudError` objects, and secrets absent from every error. The calls
//! (`ExportImages`, `request`) run through the real JS driver (js/driver.js), installed on the
//! class as the package entries do.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Object, Reflect, JSON};
use serde_json::Value;
use tc3_edge::wasm::{sign_request, CvmClient};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

const FIXTURE: &str = include_str!("fixtures/tc3-vectors.json");
const SECRET: &str = "S3cr3t-KEY-must-never-leak-0123456789";
const TOKEN: &str = "session-TOKEN-must-never-leak-abcdef";

fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn get_str(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

/// Asserts `err` is a TencentCloudError with `code` and leaks neither secret.
fn assert_error(err: &JsValue, code: &str) {
    assert!(err.is_instance_of::<js_sys::Error>(), "an Error object");
    assert_eq!(get_str(err, "name").as_deref(), Some("TencentCloudError"));
    assert_eq!(
        get_str(err, "code").as_deref(),
        Some(code),
        "{:?}",
        get_str(err, "message")
    );
    assert_no_secret(err);
}

fn assert_no_secret(err: &JsValue) {
    let mut texts = vec![
        get_str(err, "message").unwrap_or_default(),
        JSON::stringify(err).unwrap().as_string().unwrap(),
        err.unchecked_ref::<js_sys::Error>().to_string().as_string().unwrap(),
        get_str(err, "stack").unwrap_or_default(),
    ];
    for key in Object::get_own_property_names(err.unchecked_ref::<Object>()).iter() {
        texts.push(format!("{:?}", get(err, &key.as_string().unwrap())));
    }
    for t in texts {
        assert!(!t.contains(SECRET) && !t.contains(TOKEN), "secret leaked: {t}");
    }
}

#[wasm_bindgen_test]
fn every_vector_through_sign_request() {
    let doc: Value = serde_json::from_str(FIXTURE).unwrap();
    for case in doc["cases"].as_array().unwrap() {
        let i = &case["input"];
        let e = &case["expected"];
        let mut input = serde_json::json!({
            "secretId": i["secretId"], "secretKey": i["secretKey"], "action": i["action"],
            "version": i["version"], "service": i["service"], "host": i["host"],
            "timestamp": i["timestamp"], "method": i["method"], "contentType": i["contentType"],
            "payload": i["payload"], "signedHeaders": i["signedHeaders"],
        });
        for key in ["token", "region"] {
            if !i[key].is_null() {
                input[key] = i[key].clone();
            }
        }
        if i["method"] == "GET" {
            input["query"] = i["query"].clone();
        }
        let out = sign_request(js(&input.to_string())).unwrap_or_else(|e| panic!("{}: {:?}", case["name"], e));
        for key in ["canonicalRequest", "stringToSign", "signature", "authorization"] {
            assert_eq!(get_str(&out, key).as_deref(), e[key].as_str(), "{} {key}", case["name"]);
        }
        let headers = get(&out, "headers");
        assert_eq!(
            get_str(&headers, "Authorization").as_deref(),
            e["authorization"].as_str()
        );
        assert_eq!(get_str(&headers, "X-TC-Token").as_deref(), i["token"].as_str());
        assert_eq!(get_str(&headers, "X-TC-Timestamp"), Some(i["timestamp"].to_string()));
        let url = get_str(&out, "url").unwrap();
        assert!(
            url.starts_with(&format!("https://{}/", i["host"].as_str().unwrap())),
            "{url}"
        );
    }
}

#[wasm_bindgen_test]
fn object_payload_is_signed_as_json_stringify_of_it() {
    let out = sign_request(js(
        r#"{"secretId":"id","secretKey":"k","action":"ExportImages","timestamp":1732665600,
        "payload":{"BucketName":"b-1250000000","ImageIds":["img-72n9mi0y"],"FileNamePrefixList":["镜像"]}}"#,
    ))
    .unwrap();
    assert_eq!(
        get_str(&out, "body").as_deref(),
        Some(r#"{"BucketName":"b-1250000000","ImageIds":["img-72n9mi0y"],"FileNamePrefixList":["镜像"]}"#)
    );
}

#[wasm_bindgen_test]
fn sign_request_rejects_bad_input_with_typed_errors() {
    let base = format!(r#""secretId":"id","secretKey":"{SECRET}","token":"{TOKEN}","action":"ExportImages""#);
    let cases = [
        (
            format!("{{{base},\"timestamp\":1732665600000}}"),
            "Client.InvalidOption",
        ),
        (format!("{{{base},\"timestamp\":-1}}"), "Client.InvalidOption"),
        (format!("{{{base},\"timestamp\":\"now\"}}"), "Client.InvalidOption"),
        (
            format!("{{{base},\"host\":\"https://cvm.tencentcloudapi.com\"}}"),
            "Client.InvalidOption",
        ),
        (format!("{{{base},\"method\":\"PUT\"}}"), "Client.InvalidOption"),
        (format!("{{{base},\"signedHeaders\":\"host\"}}"), "Client.InvalidOption"),
        (format!("{{{base},\"language\":\"fr\"}}"), "Client.InvalidOption"),
        (format!("{{{base},\"unknownOption\":1}}"), "Client.InvalidOption"),
        (
            format!("{{{base},\"method\":\"GET\",\"payload\":\"x\"}}"),
            "Client.InvalidOption",
        ),
        (
            format!(r#"{{"secretId":"id","secretKey":{{"k":"{SECRET}"}},"action":"A"}}"#),
            "Client.InvalidCredential",
        ),
        (
            format!(r#"{{"secretId":"","secretKey":"{SECRET}","action":"A"}}"#),
            "Client.InvalidCredential",
        ),
        (
            format!(r#"{{"secretId":"id","secretKey":"{SECRET}","token":"{TOKEN}\n","action":"A"}}"#),
            "Client.InvalidCredential",
        ),
    ];
    for (input, code) in cases {
        let err = sign_request(js(&input)).expect_err(&input);
        assert_error(&err, code);
    }
    assert_error(&sign_request(JsValue::UNDEFINED).unwrap_err(), "Client.InvalidOption");
    assert_error(&sign_request(JsValue::from(5)).unwrap_err(), "Client.InvalidOption");
    // A payload JSON.stringify cannot serialize (BigInt) is a typed error, not a panic.
    let input = js(&format!("{{{base}}}"));
    Reflect::set(&input, &"payload".into(), &js_sys::BigInt::from(1u32).into()).unwrap();
    assert_error(&sign_request(input).unwrap_err(), "InvalidParameter");
}

#[wasm_bindgen(module = "/js/driver.js")]
extern "C" {
    #[wasm_bindgen(js_name = installCallPath)]
    fn install_call_path(class: &JsValue, memory: &JsValue, error_class: &JsValue);
}

// js/driver.js imports these two: declared here too, so the test runner copies them beside it
// (it copies only the modules a crate names).
#[wasm_bindgen(module = "/js/channel.js")]
extern "C" {
    #[wasm_bindgen(js_name = isAbortSignal)]
    fn is_abort_signal(v: &JsValue) -> bool;
}

#[wasm_bindgen(module = "/js/codes.js")]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_name = SEND)]
    static JS_SEND: JsValue;
    #[wasm_bindgen(thread_local_v2, js_name = EV_PROVIDER_GONE)]
    static JS_EV_PROVIDER_GONE: JsValue;
    #[wasm_bindgen(thread_local_v2, js_name = IO_CALL)]
    static JS_IO_CALL: JsValue;
}

#[wasm_bindgen_test]
fn the_drivers_codes_are_the_modules_codes() {
    use tc3_edge::channel::{action, event, io};
    assert_eq!(JS_SEND.with(JsValue::as_f64), Some(action::SEND));
    assert_eq!(
        JS_EV_PROVIDER_GONE.with(JsValue::as_f64),
        Some(f64::from(event::PROVIDER_GONE))
    );
    assert_eq!(JS_IO_CALL.with(JsValue::as_f64), Some(io::CALL as f64));
    assert!(!is_abort_signal(&JsValue::NULL));
}

/// The client as JS sees it, with the driver installed on its class (once).
fn client(extra: &str, fetch: Option<&Function>) -> JsValue {
    let c = JsValue::from(client_struct(extra, fetch));
    let class = get(&c, "constructor");
    if get(&class.clone(), "prototype")
        .dyn_into::<Object>()
        .is_ok_and(|p| !Object::has_own(&p, &"ExportImages".into()))
    {
        // The error class, from an error signRequest throws.
        let error_class = get(&sign_request(JsValue::from(5)).unwrap_err(), "constructor");
        install_call_path(&class, &wasm_bindgen::memory(), &error_class);
    }
    c
}

/// Calls `client[method](...args)`; the promise it returns.
fn call(c: &JsValue, method: &str, args: &[JsValue]) -> JsFuture {
    let f: Function = get(c, method).dyn_into().expect(method);
    let args: js_sys::Array = args.iter().collect();
    JsFuture::from(js_sys::Promise::from(f.apply(c, &args).unwrap()))
}

fn client_struct(extra: &str, fetch: Option<&Function>) -> CvmClient {
    let opts = js(&format!(
        r#"{{"credential":{{"secretId":"AKIDtest","secretKey":"{SECRET}","token":"{TOKEN}"}},"region":"ap-guangzhou"{extra}}}"#
    ));
    if let Some(f) = fetch {
        Reflect::set(&opts, &"fetch".into(), f).unwrap();
    }
    CvmClient::new(opts).unwrap()
}

/// A fetch that records its call in `globalThis.__tc3_seen` and answers `body` with `status`.
fn fake_fetch(status: u16, body: &str) -> Function {
    Function::new_with_args(
        "url, init",
        &format!(
            "globalThis.__tc3_seen = (globalThis.__tc3_seen || 0) + 1; globalThis.__tc3_last = {{ url, init }};
             return Promise.resolve(new Response({body:?}, {{ status: {status} }}));"
        ),
    )
}

fn seen() -> f64 {
    Reflect::get(&js_sys::global(), &"__tc3_seen".into())
        .unwrap()
        .as_f64()
        .unwrap_or(0.0)
}

#[wasm_bindgen_test]
fn client_constructor_rejects_bad_options_without_leaking() {
    let cases = [
        (
            r#"{"credential":{"secretId":"id","secretKey":7}}"#.to_owned(),
            "Client.InvalidCredential",
        ),
        (
            r#"{"credential":{"secretId":"id"}}"#.to_owned(),
            "Client.InvalidCredential",
        ),
        (
            format!(r#"{{"credential":{{"secretId":"id","secretKey":"{SECRET}","tokn":"{TOKEN}"}}}}"#),
            "Client.InvalidOption",
        ),
        (
            format!(r#"{{"credential":{{"secretId":"id","secretKey":"{SECRET}"}},"region":5}}"#),
            "Client.InvalidOption",
        ),
        (
            format!(
                r#"{{"credential":{{"secretId":"id","secretKey":"{SECRET}"}},"profile":{{"httpProfile":{{"endpoint":"ftp://x"}}}}}}"#
            ),
            "Client.InvalidOption",
        ),
        (
            format!(
                r#"{{"credential":{{"secretId":"id","secretKey":"{SECRET}"}},"profile":{{"signMethod":"HmacSHA1"}}}}"#
            ),
            "Client.InvalidOption",
        ),
        (
            format!(r#"{{"credential":{{"secretId":"id","secretKey":"{SECRET}"}},"fetch":"not a function"}}"#),
            "Client.InvalidOption",
        ),
        ("{}".to_owned(), "Client.InvalidOption"),
    ];
    for (opts, code) in cases {
        let err = CvmClient::new(js(&opts)).err().expect(&opts);
        assert_error(&err, code);
    }
}

#[wasm_bindgen_test]
async fn export_images_sends_the_signed_request_and_returns_the_typed_result() {
    let f = fake_fetch(
        200,
        r#"{"Response":{"TaskId":105591590,"CosPaths":["/img-pq5pau1w_system_snap-fiux4bof.raw"],"RequestId":"req-ok"}}"#,
    );
    let c = client(
        r#","profile":{"language":"en-US","httpProfile":{"endpoint":"http://127.0.0.1:9/"}}"#,
        Some(&f),
    );
    let result = call(
        &c,
        "ExportImages",
        &[js(
            r#"{"BucketName":"b-1250000000","ImageIds":["img-pq5pau1w"],"ExportFormat":"RAW"}"#,
        )],
    )
    .await
    .unwrap();
    assert_eq!(get(&result, "TaskId").as_f64(), Some(105591590.0));
    assert_eq!(get_str(&result, "RequestId").as_deref(), Some("req-ok"));
    assert_eq!(js_sys::Array::from(&get(&result, "CosPaths")).length(), 1);
    let last = Reflect::get(&js_sys::global(), &"__tc3_last".into()).unwrap();
    assert_eq!(get_str(&last, "url").as_deref(), Some("http://127.0.0.1:9/"));
    let init = get(&last, "init");
    assert_eq!(get_str(&init, "method").as_deref(), Some("POST"));
    assert_eq!(
        get_str(&init, "body").as_deref(),
        Some(r#"{"BucketName":"b-1250000000","ImageIds":["img-pq5pau1w"],"ExportFormat":"RAW"}"#)
    );
    let headers = get(&init, "headers");
    assert_eq!(get_str(&headers, "X-TC-Token").as_deref(), Some(TOKEN));
    assert_eq!(get_str(&headers, "X-TC-Language").as_deref(), Some("en-US"));
    assert!(get_str(&headers, "Authorization")
        .unwrap()
        .contains("Credential=AKIDtest/"));
}

#[wasm_bindgen_test]
async fn validation_errors_reject_before_anything_is_sent() {
    let f = fake_fetch(200, "{}");
    let c = client("", Some(&f));
    let before = seen();
    for (params, code, field) in [
        (r#"{"ImageIds":["img-72n9mi0y"]}"#, "MissingParameter", "BucketName"),
        (
            r#"{"BucketName":"b-AppId","ImageIds":["img-72n9mi0y"]}"#,
            "InvalidParameterValue.InvalidAppIdFormat",
            "BucketName",
        ),
        (
            r#"{"BucketName":"b-1","ImageIds":["IMG-1"]}"#,
            "InvalidImageId.Malformed",
            "ImageIds.0",
        ),
        (
            r#"{"BucketName":"b-1","ImageIds":[]}"#,
            "InvalidParameter.ImageIdsSnapshotIdsMustOne",
            "ImageIds",
        ),
        (
            r#"{"BucketName":"b-1","ImageIds":["img-72n9mi0y"],"Extra":1}"#,
            "UnknownParameter",
            "Extra",
        ),
    ] {
        let err = call(&c, "ExportImages", &[js(params)]).await.unwrap_err();
        assert_error(&err, code);
        assert_eq!(get_str(&err, "field").as_deref(), Some(field));
    }
    let err = call(&c, "exportImages", &[JsValue::NULL]).await.unwrap_err();
    assert_error(&err, "InvalidParameter");
    assert_eq!(seen(), before, "no request may be sent for invalid parameters");
}

#[wasm_bindgen_test]
async fn each_failure_of_the_response_gets_its_own_code() {
    let cases = [
        (
            200,
            r#"{"Response":{"Error":{"Code":"UnsupportedOperation.WindowsImageExportUnsupported","Message":"windows"},"RequestId":"req-err"}}"#,
            "UnsupportedOperation.WindowsImageExportUnsupported",
        ),
        (200, r#"{"Response":{"TaskId":1,"Cos"#, "Client.TruncatedResponse"),
        (200, "<html>gateway</html>", "Client.NonJsonResponse"),
        (502, "<html>Bad Gateway</html>", "Client.HttpStatus"),
        (200, r#"{"Other":{}}"#, "Client.InvalidResponse"),
    ];
    for (status, body, code) in cases {
        let f = fake_fetch(status, body);
        let c = client("", Some(&f));
        let err = call(
            &c,
            "ExportImages",
            &[js(r#"{"BucketName":"b-1","ImageIds":["img-72n9mi0y"]}"#)],
        )
        .await
        .unwrap_err();
        assert_error(&err, code);
        if code.starts_with("Unsupported") {
            assert_eq!(get_str(&err, "requestId").as_deref(), Some("req-err"));
        }
        if status == 502 {
            assert_eq!(get(&err, "httpCode").as_f64(), Some(502.0));
        }
    }
}

#[wasm_bindgen_test]
async fn a_failing_fetch_is_a_network_error_that_never_quotes_the_token() {
    // A transport that echoes its arguments in its error message.
    let f = Function::new_with_args(
        "url, init",
        "return Promise.reject(new TypeError('failed: ' + JSON.stringify(init.headers)))",
    );
    let c = client("", Some(&f));
    let err = call(
        &c,
        "ExportImages",
        &[js(r#"{"BucketName":"b-1","ImageIds":["img-72n9mi0y"]}"#)],
    )
    .await
    .unwrap_err();
    assert_error(&err, "Client.NetworkError");
}

#[wasm_bindgen_test]
async fn generic_request_returns_the_response_object() {
    let f = fake_fetch(
        200,
        r#"{"Response":{"TotalCount":1,"ImageSet":[{"ImageId":"img-72n9mi0y"}],"RequestId":"r-9"}}"#,
    );
    let c = client("", Some(&f));
    let out = call(&c, "request", &["DescribeImages".into(), js(r#"{"Limit":10}"#)])
        .await
        .unwrap();
    assert_eq!(get(&out, "TotalCount").as_f64(), Some(1.0));
    assert_eq!(get_str(&out, "RequestId").as_deref(), Some("r-9"));
    let last = Reflect::get(&js_sys::global(), &"__tc3_last".into()).unwrap();
    assert_eq!(
        get_str(&get(&get(&last, "init"), "headers"), "X-TC-Action").as_deref(),
        Some("DescribeImages")
    );
    let err = call(&c, "request", &["bad action".into()]).await.unwrap_err();
    assert_error(&err, "InvalidAction");
}

/// A client whose `rateLimit` is a shared limiter built by `limiter_js` (a function body that
/// returns the limiter object), with `fetch_js` as its transport (a function body of `url, init`).
/// Both log into `globalThis.__tc3_log`.
fn shared_limiter_client(limiter_js: &str, fetch_js: &str, extra: &str) -> JsValue {
    Reflect::set(&js_sys::global(), &"__tc3_log".into(), &js_sys::Array::new()).unwrap();
    let limiter = Function::new_no_args(limiter_js).call0(&JsValue::NULL).unwrap();
    let f = Function::new_with_args("url, init", fetch_js);
    let c = client(extra, Some(&f)); // installs the driver on the class
    let opts = js(&format!(
        r#"{{"credential":{{"secretId":"AKIDtest","secretKey":"{SECRET}","token":"{TOKEN}"}},"region":"ap-guangzhou"{extra}}}"#
    ));
    Reflect::set(&opts, &"fetch".into(), &f).unwrap();
    Reflect::set(&opts, &"rateLimit".into(), &limiter).unwrap();
    drop(c);
    JsValue::from(CvmClient::new(opts).unwrap())
}

fn log() -> Vec<String> {
    js_sys::Array::from(&Reflect::get(&js_sys::global(), &"__tc3_log".into()).unwrap())
        .iter()
        .map(|v| v.as_string().unwrap_or_default())
        .collect()
}

const THROTTLED_ONCE: &str = r#"const log = globalThis.__tc3_log; log.push("send");
    const body = log.filter((x) => x === "send").length === 1
      ? '{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow"},"RequestId":"r"}}'
      : '{"Response":{"TaskId":1,"CosPaths":["/a.raw"],"RequestId":"r-ok"}}';
    return Promise.resolve(new Response(body, { status: 200 }));"#;

#[wasm_bindgen_test]
async fn a_shared_limiter_is_awaited_before_every_attempt_with_a_signal_that_follows_the_calls() {
    // The signal is the call's give-up signal (issue #17): live while the call waits, aborted
    // when its caller aborts or reqTimeout passes — not the caller's own object.
    let c = shared_limiter_client(
        r#"return { calls: 0, acquire(action, options) {
             const log = globalThis.__tc3_log;
             const live = options.signal instanceof AbortSignal && !options.signal.aborted && options.signal !== globalThis.__tc3_signal;
             // `context`: the call's own option, the same object on every attempt.
             const mine = options.context === globalThis.__tc3_context;
             log.push(`acquire ${action} ${live} ${mine} ${this.calls++}`);
             return new Promise((ok) => setTimeout(() => { log.push("granted"); ok(); }, 5));
           } };"#,
        THROTTLED_ONCE,
        r#","retry":{"maxRetries":2,"baseDelayMs":1,"maxDelayMs":2}"#,
    );
    let signal = web_signal();
    Reflect::set(&js_sys::global(), &"__tc3_signal".into(), &signal).unwrap();
    let opts = Object::new();
    Reflect::set(&opts, &"signal".into(), &signal).unwrap();
    let context = Object::new();
    Reflect::set(&js_sys::global(), &"__tc3_context".into(), &context).unwrap();
    Reflect::set(&opts, &"context".into(), &context).unwrap();
    let result = call(
        &c,
        "ExportImages",
        &[
            js(r#"{"BucketName":"b-1250000000","ImageIds":["img-72n9mi0y"]}"#),
            opts.into(),
        ],
    )
    .await
    .unwrap();
    assert_eq!(get_str(&result, "RequestId").as_deref(), Some("r-ok"));
    // In order: a grant before each send, the retry included; `this` is the limiter object and
    // the signal is the call's own.
    assert_eq!(
        log(),
        [
            "acquire ExportImages true true 0",
            "granted",
            "send",
            "acquire ExportImages true true 1",
            "granted",
            "send"
        ]
    );
}

#[wasm_bindgen_test]
async fn a_shared_limiter_that_rejects_fails_the_call_and_nothing_is_sent() {
    let c = shared_limiter_client(
        r#"return { acquire() { return Promise.reject(new Error("quota queue full")); } };"#,
        THROTTLED_ONCE,
        "",
    );
    let err = call(
        &c,
        "ExportImages",
        &[js(r#"{"BucketName":"b-1250000000","ImageIds":["img-72n9mi0y"]}"#)],
    )
    .await
    .unwrap_err();
    assert_error(&err, "Client.RateLimiterError");
    assert!(get_str(&err, "message").unwrap().contains("quota queue full"));
    assert_eq!(get(&err, "mayHaveExecuted").as_bool(), Some(false));
    assert!(log().is_empty(), "nothing sent: {:?}", log());
    // A synchronous throw is a rejection too.
    let c = shared_limiter_client(
        r#"return { acquire() { throw new Error("boom"); } };"#,
        THROTTLED_ONCE,
        "",
    );
    let err = call(&c, "request", &["DescribeImages".into()]).await.unwrap_err();
    assert_error(&err, "Client.RateLimiterError");
}

#[wasm_bindgen_test]
async fn abort_while_waiting_for_a_shared_limiter_wins_and_nothing_is_sent() {
    let c = shared_limiter_client(
        r#"return { acquire(action, { signal }) { globalThis.__tc3_log.push("waiting");
             return new Promise(() => {}); } };"#,
        THROTTLED_ONCE,
        "",
    );
    let signal = web_signal();
    let opts = Object::new();
    Reflect::set(&opts, &"signal".into(), &signal).unwrap();
    let pending = call(
        &c,
        "ExportImages",
        &[
            js(r#"{"BucketName":"b-1250000000","ImageIds":["img-72n9mi0y"]}"#),
            opts.into(),
        ],
    );
    Function::new_no_args("setTimeout(() => globalThis.__tc3_controller.abort(), 20)")
        .call0(&JsValue::NULL)
        .unwrap();
    let err = pending.await.unwrap_err();
    assert_error(&err, "Client.Aborted");
    assert_eq!(get(&err, "mayHaveExecuted").as_bool(), Some(false));
    assert_eq!(log(), ["waiting"], "nothing sent");
}

#[wasm_bindgen_test]
fn shared_limiter_options_are_checked() {
    for (rate_limit, what) in [
        ("({ acquire: 5 })", "a function"),
        ("({ acquire() {}, perSecond: 5 })", "not both"),
        ("({ perSecond: 5, extra: 1 })", "not a known option"),
    ] {
        let opts = js(&format!(
            r#"{{"credential":{{"secretId":"id","secretKey":"{SECRET}"}}}}"#
        ));
        let value = js_sys::eval(rate_limit).unwrap();
        Reflect::set(&opts, &"rateLimit".into(), &value).unwrap();
        let err = CvmClient::new(opts).err().expect(rate_limit);
        assert_error(&err, "Client.InvalidOption");
        assert!(get_str(&err, "message").unwrap().contains(what), "{rate_limit}");
    }
}

/// A fresh AbortController's signal; the controller is kept in `globalThis.__tc3_controller`.
fn web_signal() -> JsValue {
    Function::new_no_args(
        "globalThis.__tc3_controller = new AbortController(); return globalThis.__tc3_controller.signal;",
    )
    .call0(&JsValue::NULL)
    .unwrap()
}
