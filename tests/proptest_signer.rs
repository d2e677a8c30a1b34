//! Property tests of the signer and the parsers, with arbitrary inputs (proptest).
//!
//! Signer invariants: never panics; the signature is 64 lowercase hex; changing any one signed
//! input (a body byte, the timestamp — within a day and across one —, the secret key, the host,
//! the content type, the action when `x-tc-action` is signed) changes the signature, while
//! unsigned inputs do not; the canonical request ends with sha256(body); the scope date is the
//! timestamp's UTC date (checked against an independent, naive calendar); the signing-key cache
//! gives what a fresh derivation gives. Parsers: `ExportImagesRequest::from_json` never panics
//! and whatever it accepts round-trips through `to_body`; `parse_envelope`,
//! `ExportImagesResponse::from_response`, `Endpoint::parse`, `ClientConfig::new` and
//! `parse_http_date` never panic; the crate's JSON reader reads what serde_json writes, calls
//! every proper prefix of an object truncated (`Eof`), and `quote` round-trips. Pure client
//! decisions: backoff bounds, the limiter's window.

#![cfg(not(target_arch = "wasm32"))] // proptest does not build for wasm32 (see Cargo.toml)

use proptest::prelude::*;
use sha2::{Digest, Sha256};

use tc3_edge::client::clock::parse_http_date;
use tc3_edge::client::limiter::SlidingWindow;
use tc3_edge::client::retry::{backoff_ms, decide, Decision, RetryPolicy};
use tc3_edge::client::{ClientConfig, ClientOptions, ClockSkew, Endpoint};
use tc3_edge::cvm::{parse_envelope, ExportImagesRequest, ExportImagesResponse};
use tc3_edge::json::{self, ParseError};
use tc3_edge::tc3::signer::MAX_TIMESTAMP;
use tc3_edge::tc3::{
    sign, Credential, DerivedKeys, Language, Method, SignedHeaders, SigningKeyCache, SigningParams, UtcDate,
};
use tc3_edge::{Error, ErrorKind};

// Shared test code: tests/support/*.rs (cargo builds only tests/*.rs as test crates).
mod support {
    pub mod proptest_cases;
}
use support::proptest_cases::config;

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// A token of the API's vocabulary (what `sign` accepts for host, version, region).
fn token() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9._-]{0,30}"
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("cvm.tencentcloudapi.com".to_owned()),
        "[a-z0-9][a-z0-9-]{0,10}(\\.[a-z0-9][a-z0-9-]{0,10}){0,3}",
    ]
}

fn action() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9]{0,40}"
}

fn content_type() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("application/json".to_owned()),
        Just("application/json; charset=utf-8".to_owned()),
        "[ -~]{1,40}",
    ]
}

fn secret() -> impl Strategy<Value = String> {
    // Any non-empty string: a SecretKey may hold any character.
    prop_oneof!["[A-Za-z0-9]{1,40}", "\\PC{1,40}"]
}

fn timestamp() -> impl Strategy<Value = u64> {
    prop_oneof![
        0..=MAX_TIMESTAMP,
        1_500_000_000u64..2_500_000_000,
        Just(0),
        Just(MAX_TIMESTAMP)
    ]
}

/// Owned inputs of one signature (SigningParams borrows).
#[derive(Clone, Debug)]
struct Input {
    secret_id: String,
    secret_key: String,
    token: Option<String>,
    method: Method,
    host: String,
    service: String,
    action: String,
    version: String,
    region: Option<String>,
    language: Option<Language>,
    request_client: Option<String>,
    timestamp: u64,
    content_type: String,
    query: String,
    payload: Vec<u8>,
    signed_headers: SignedHeaders,
    unsigned_payload: bool,
}

impl Input {
    fn params(&self) -> SigningParams<'_> {
        SigningParams {
            method: self.method,
            host: &self.host,
            service: &self.service,
            action: &self.action,
            version: &self.version,
            region: self.region.as_deref(),
            language: self.language,
            request_client: self.request_client.as_deref(),
            timestamp: self.timestamp,
            content_type: &self.content_type,
            query: &self.query,
            payload: &self.payload,
            signed_headers: self.signed_headers,
            unsigned_payload: self.unsigned_payload,
        }
    }

    fn credential(&self) -> Credential {
        Credential::new(&self.secret_id, &self.secret_key, self.token.as_deref()).expect("valid credential")
    }

    fn sign(&self) -> tc3_edge::tc3::SignedRequest {
        sign(&self.credential(), &self.params(), &mut SigningKeyCache::new()).expect("valid input signs")
    }
}

/// Inputs that `sign` accepts (POST with a body, or GET with a query).
fn valid_input() -> impl Strategy<Value = Input> {
    let ids = ("AKID[A-Za-z0-9]{1,36}", secret(), proptest::option::of("[ -~]{1,60}"));
    let what = (
        host(),
        "[a-z][a-z0-9]{0,10}",
        action(),
        token(),
        proptest::option::of(token()),
    );
    let how = (
        prop_oneof![Just(None), Just(Some(Language::ZhCn)), Just(Some(Language::EnUs))],
        proptest::option::of("[ -~]{0,40}"),
        timestamp(),
        content_type(),
        prop_oneof![
            Just(SignedHeaders::ContentTypeHost),
            Just(SignedHeaders::ContentTypeHostAction)
        ],
        any::<bool>(),
    );
    let body = prop_oneof![
        3 => proptest::collection::vec(any::<u8>(), 0..300).prop_map(|p| (Method::Post, String::new(), p)),
        1 => "[A-Za-z0-9=&%._-]{0,80}".prop_map(|q| (Method::Get, q, Vec::new())),
    ];
    (ids, what, how, body).prop_map(
        |(
            (secret_id, secret_key, token),
            (host, service, action, version, region),
            (language, request_client, timestamp, content_type, signed_headers, unsigned_payload),
            (method, query, payload),
        )| Input {
            secret_id,
            secret_key,
            token,
            method,
            host,
            service,
            action,
            version,
            region,
            language,
            request_client,
            timestamp,
            content_type,
            query,
            payload,
            signed_headers,
            unsigned_payload,
        },
    )
}

/// Any strings at all, for the "never panics" properties.
fn wild() -> impl Strategy<Value = String> {
    prop_oneof!["\\PC{0,40}", ".{0,40}", "[ -~]{0,40}", Just(String::new())]
}

// ---------------------------------------------------------------------------------------------
// Independent helpers
// ---------------------------------------------------------------------------------------------

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The UTC date of a timestamp by walking years and months: slow, obvious, independent of the
/// signer's (and the clock module's) Hinnant arithmetic.
fn naive_utc_date(ts: u64) -> String {
    let mut days = ts / 86_400;
    let mut year = 1970u64;
    let leap = |y: u64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    loop {
        let len = if leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let months = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while days >= months[month] {
        days -= months[month];
        month += 1;
    }
    format!("{year:04}-{:02}-{:02}", month + 1, days + 1)
}

/// The IMF-fixdate of a timestamp, built independently of the parser.
fn imf_fixdate(ts: u64) -> String {
    let date = naive_utc_date(ts);
    let (y, m, d) = (&date[0..4], &date[5..7], &date[8..10]);
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][m.parse::<usize>().unwrap() - 1];
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((ts / 86_400) % 7) as usize];
    let s = ts % 86_400;
    format!(
        "{weekday}, {d} {month} {y} {:02}:{:02}:{:02} GMT",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

fn signature_of(input: &Input) -> String {
    input.sign().signature.clone()
}

// ---------------------------------------------------------------------------------------------
// Signer
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    /// Whatever the inputs, `sign` returns (Ok or a typed Err) and never panics.
    #[test]
    fn sign_never_panics(
        secret_key in wild(), host in wild(), service in wild(), action in wild(), version in wild(),
        region in proptest::option::of(wild()), request_client in proptest::option::of(wild()),
        content_type in wild(), query in wild(), payload in proptest::collection::vec(any::<u8>(), 0..64),
        timestamp in any::<u64>(), get in any::<bool>(), sign_action in any::<bool>(), unsigned in any::<bool>(),
    ) {
        let credential = match Credential::new("AKIDprop", &secret_key, None) {
            Ok(c) => c,
            Err(e) => { prop_assert_eq!(e.kind(), ErrorKind::InvalidCredential); return Ok(()); }
        };
        let params = SigningParams {
            method: if get { Method::Get } else { Method::Post },
            host: &host, service: &service, action: &action, version: &version,
            region: region.as_deref(), language: None, request_client: request_client.as_deref(),
            timestamp, content_type: &content_type, query: &query, payload: &payload,
            signed_headers: if sign_action { SignedHeaders::ContentTypeHostAction } else { SignedHeaders::ContentTypeHost },
            unsigned_payload: unsigned,
        };
        match sign(&credential, &params, &mut SigningKeyCache::new()) {
            Ok(s) => prop_assert_eq!(s.signature.len(), 64),
            Err(e) => prop_assert_eq!(e.code(), "Client.InvalidOption"),
        }
    }

    /// Credential::new never panics and never echoes the key or token in its error.
    #[test]
    fn credential_errors_never_echo_secrets(id in wild(), key in wild(), tok in proptest::option::of(wild())) {
        if let Err(e) = Credential::new(&id, &key, tok.as_deref()) {
            let text = format!("{e} {e:?}");
            if key.len() >= 4 { prop_assert!(!text.contains(&key), "{text}"); }
            if let Some(t) = tok.as_deref().filter(|t| t.len() >= 4) { prop_assert!(!text.contains(t), "{text}"); }
        }
    }

    /// Valid inputs: 64 lowercase hex; the Authorization is assembled from the parts; the
    /// canonical request ends with sha256(body); the scope date is the timestamp's UTC date.
    #[test]
    fn signature_shape_and_stages(input in valid_input()) {
        let s = input.sign();
        prop_assert_eq!(s.signature.len(), 64);
        prop_assert!(s.signature.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{}", s.signature);

        let expected_hash = if input.unsigned_payload { sha256_hex(b"UNSIGNED-PAYLOAD") } else { sha256_hex(&input.payload) };
        prop_assert_eq!(s.canonical_request.rsplit('\n').next().unwrap(), expected_hash.as_str());
        let head = format!("{}\n/\n{}\n", input.method.as_str(), input.query);
        prop_assert!(s.canonical_request.starts_with(&head), "{}", s.canonical_request);

        let date = naive_utc_date(input.timestamp);
        prop_assert_eq!(UtcDate::from_timestamp(input.timestamp).to_string(), date.clone());
        let lines: Vec<&str> = s.string_to_sign.split('\n').collect();
        prop_assert_eq!(lines.len(), 4);
        prop_assert_eq!(lines[0], "TC3-HMAC-SHA256");
        prop_assert_eq!(lines[1], input.timestamp.to_string());
        prop_assert_eq!(lines[2], format!("{date}/{}/tc3_request", input.service));
        prop_assert_eq!(lines[3], sha256_hex(s.canonical_request.as_bytes()));
        prop_assert_eq!(
            &s.authorization,
            &format!("TC3-HMAC-SHA256 Credential={}/{date}/{}/tc3_request, SignedHeaders={}, Signature={}",
                input.secret_id, input.service, input.signed_headers.as_str(), s.signature)
        );
        let header = |name: &str| s.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone());
        prop_assert_eq!(header("X-TC-Timestamp"), Some(input.timestamp.to_string()));
        prop_assert_eq!(header("X-TC-Token"), input.token.clone().filter(|t| !t.is_empty()));
        prop_assert_eq!(header("Authorization"), Some(s.authorization.clone()));
    }

    /// Flipping any one body byte changes the signature.
    #[test]
    fn a_body_byte_changes_the_signature(input in valid_input(), index in any::<prop::sample::Index>(), xor in 1u8..=255) {
        prop_assume!(input.method == Method::Post && !input.unsigned_payload && !input.payload.is_empty());
        let mut other = input.clone();
        let i = index.index(other.payload.len());
        other.payload[i] ^= xor;
        prop_assert_ne!(signature_of(&input), signature_of(&other));
    }

    /// Any other timestamp — a second later, or across a day boundary — changes the signature.
    #[test]
    fn the_timestamp_changes_the_signature(input in valid_input(), delta in prop_oneof![1u64..86_400, Just(86_400u64), 86_400u64..10_000_000]) {
        prop_assume!(input.timestamp + delta <= MAX_TIMESTAMP);
        let mut other = input.clone();
        other.timestamp += delta;
        prop_assert_ne!(signature_of(&input), signature_of(&other));
    }

    /// Across midnight UTC: the scope date moves to the next day.
    #[test]
    fn crossing_midnight_moves_the_scope_date(day in 0u64..(MAX_TIMESTAMP / 86_400), input in valid_input()) {
        let mut before = input.clone();
        before.timestamp = day * 86_400 + 86_399;
        let mut after = input;
        after.timestamp = day * 86_400 + 86_400;
        prop_assume!(after.timestamp <= MAX_TIMESTAMP);
        let (b, a) = (before.sign(), after.sign());
        prop_assert_ne!(&b.signature, &a.signature);
        let (db, da) = (format!("/{}/", naive_utc_date(before.timestamp)), format!("/{}/", naive_utc_date(after.timestamp)));
        prop_assert!(b.authorization.contains(&db), "{}", b.authorization);
        prop_assert!(a.authorization.contains(&da), "{}", a.authorization);
        prop_assert_ne!(naive_utc_date(before.timestamp), naive_utc_date(after.timestamp));
    }

    #[test]
    fn the_secret_key_changes_the_signature(input in valid_input(), other_key in secret()) {
        prop_assume!(other_key != input.secret_key);
        let mut other = input.clone();
        other.secret_key = other_key;
        prop_assert_ne!(signature_of(&input), signature_of(&other));
    }

    #[test]
    fn the_host_changes_the_signature(input in valid_input(), other_host in host()) {
        prop_assume!(other_host != input.host);
        let mut other = input.clone();
        other.host = other_host;
        prop_assert_ne!(signature_of(&input), signature_of(&other));
    }

    #[test]
    fn the_content_type_changes_the_signature(input in valid_input(), other_ct in content_type()) {
        prop_assume!(other_ct != input.content_type);
        let mut other = input.clone();
        other.content_type = other_ct;
        prop_assert_ne!(signature_of(&input), signature_of(&other));
    }

    /// With `x-tc-action` signed, the action (case-insensitively, as canonicalized) changes the
    /// signature; with `content-type;host` it is not signed and does not.
    #[test]
    fn the_action_is_signed_only_when_listed(input in valid_input(), other_action in action()) {
        let mut a = input.clone();
        let mut b = input;
        b.action = other_action;
        a.signed_headers = SignedHeaders::ContentTypeHostAction;
        b.signed_headers = SignedHeaders::ContentTypeHostAction;
        if a.action.eq_ignore_ascii_case(&b.action) {
            prop_assert_eq!(signature_of(&a), signature_of(&b), "x-tc-action is lowercased");
        } else {
            prop_assert_ne!(signature_of(&a), signature_of(&b));
        }
        a.signed_headers = SignedHeaders::ContentTypeHost;
        b.signed_headers = SignedHeaders::ContentTypeHost;
        prop_assert_eq!(signature_of(&a), signature_of(&b));
    }

    /// Unsigned headers (version, region, language, request client, token) never change it.
    #[test]
    fn unsigned_headers_do_not_change_the_signature(input in valid_input(), version in token(), region in proptest::option::of(token()), tok in proptest::option::of("[ -~]{1,40}")) {
        let mut other = input.clone();
        other.version = version;
        other.region = region;
        other.language = match input.language { Some(Language::ZhCn) => Some(Language::EnUs), _ => Some(Language::ZhCn) };
        other.request_client = Some("other-client/1.0".to_owned());
        other.token = tok;
        prop_assert_eq!(signature_of(&input), signature_of(&other));
    }

    /// A cache shared over a sequence of signatures (keys, days and services switching back and
    /// forth) gives exactly what a fresh derivation gives each time.
    #[test]
    fn the_key_cache_equals_fresh_derivation(
        inputs in proptest::collection::vec(valid_input(), 1..8),
        order in proptest::collection::vec(any::<prop::sample::Index>(), 1..12),
    ) {
        let mut shared = SigningKeyCache::new();
        for idx in order {
            let input = &inputs[idx.index(inputs.len())];
            let cached = sign(&input.credential(), &input.params(), &mut shared).unwrap();
            let fresh = sign(&input.credential(), &input.params(), &mut SigningKeyCache::new()).unwrap();
            prop_assert_eq!(&cached, &fresh);
            let date = UtcDate::from_timestamp(input.timestamp);
            let derived = DerivedKeys::derive(&input.secret_key, date, &input.service);
            prop_assert_eq!(shared.get(&input.secret_key, date, &input.service).as_bytes(), derived.secret_signing.as_bytes());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ExportImages request decoding
// ---------------------------------------------------------------------------------------------

/// JSON values near the ExportImages schema: each field valid, wrong-typed, malformed or absent,
/// plus unknown fields now and then — so both acceptance and every rejection are exercised.
fn export_json() -> impl Strategy<Value = String> {
    use serde_json::{json, Value};
    let image = prop_oneof![
        4 => "img-[a-z0-9]{8}".prop_map(Value::from),
        1 => "\\PC{0,14}".prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
    ];
    let images = prop_oneof![
        6 => proptest::collection::vec(image, 0..12).prop_map(Value::from),
        1 => Just(Value::Null),
        1 => "\\PC{0,10}".prop_map(Value::from),
    ];
    let bucket = prop_oneof![
        4 => "[a-z0-9][a-z0-9-]{0,20}-[0-9]{1,12}".prop_map(Value::from),
        1 => "\\PC{0,20}".prop_map(Value::from),
        1 => any::<bool>().prop_map(Value::from),
    ];
    let format = prop_oneof![
        3 => prop::sample::select(vec!["RAW", "QCOW2", "VHD", "VMDK", "raw", "qcow2", "Vmdk", "ISO", ""]).prop_map(Value::from),
        1 => any::<u8>().prop_map(Value::from),
    ];
    let prefixes = prop_oneof![
        3 => proptest::collection::vec("\\PC{0,70}", 0..12).prop_map(Value::from),
        1 => any::<bool>().prop_map(Value::from),
    ];
    let boolish =
        prop_oneof![3 => any::<bool>().prop_map(Value::from), 1 => Just(Value::Null), 1 => Just(Value::from("true"))];
    let role = prop_oneof![3 => "[A-Za-z_]{0,20}".prop_map(Value::from), 1 => any::<f64>().prop_map(|f| json!(f))];
    (
        proptest::option::weighted(0.95, bucket),
        proptest::option::weighted(0.95, images),
        proptest::option::of(format),
        proptest::option::of(prefixes),
        proptest::option::of(boolish.clone()),
        proptest::option::of(boolish),
        proptest::option::of(role),
        proptest::option::weighted(0.1, ("[A-Za-z]{1,12}", any::<u32>())),
    )
        .prop_map(|(b, i, f, p, o, d, r, extra)| {
            let mut m = serde_json::Map::new();
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    m.insert(k.to_owned(), v);
                }
            };
            put("BucketName", b);
            put("ImageIds", i);
            put("ExportFormat", f);
            put("FileNamePrefixList", p);
            put("OnlyExportRootDisk", o);
            put("DryRun", d);
            put("RoleName", r);
            if let Some((k, v)) = extra {
                m.insert(k, Value::from(v));
            }
            Value::Object(m).to_string()
        })
}

/// Accepted requests that satisfy the schema, for a guaranteed round-trip population.
fn accepted_json() -> impl Strategy<Value = String> {
    (
        "[a-z0-9]([a-z0-9-]{0,19}[a-z0-9])?-[0-9]{1,12}", // COS naming: no '-' at either end of the name
        proptest::collection::btree_set("img-[a-z0-9]{8}", 1..11),
        proptest::option::of(prop::sample::select(vec!["RAW", "QCOW2", "VHD", "VMDK"])),
        any::<bool>(),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of("[A-Za-z_]{1,20}"),
        proptest::collection::vec(prop_oneof!["[ -~]{1,64}", "\\PC{1,16}"], 10),
    )
        .prop_map(|(bucket, ids, format, with_prefixes, only_root, dry, role, prefixes)| {
            let ids: Vec<String> = ids.into_iter().collect();
            let mut v = serde_json::json!({ "BucketName": bucket, "ImageIds": ids });
            if let Some(f) = format {
                v["ExportFormat"] = f.into();
            }
            if with_prefixes {
                v["FileNamePrefixList"] = prefixes[..ids.len()].to_vec().into();
            }
            if let Some(b) = only_root {
                v["OnlyExportRootDisk"] = b.into();
            }
            if let Some(b) = dry {
                v["DryRun"] = b.into();
            }
            if let Some(r) = role {
                v["RoleName"] = r.into();
            }
            v.to_string()
        })
}

fn check_decode(json: &str) -> Result<(), TestCaseError> {
    match ExportImagesRequest::from_json(json) {
        Ok(req) => {
            let body = req.to_body();
            let again = ExportImagesRequest::from_json(&body);
            prop_assert_eq!(again.as_ref(), Ok(&req), "round trip of {}", body);
            prop_assert_eq!(again.unwrap().to_body(), body, "to_body is stable");
            prop_assert!(!req.image_ids.is_empty());
            prop_assert_eq!(req.is_dry_run(), req.dry_run == Some(true));
        }
        Err(e) => {
            prop_assert_eq!(e.kind(), ErrorKind::Validation, "{}", e);
            prop_assert!(!e.code().is_empty() && !e.code().starts_with("Client."), "{}", e.code());
            prop_assert!(e.field().is_some());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn from_json_never_panics_on_arbitrary_strings(s in prop_oneof![".{0,200}", "\\PC{0,200}", "[\\[\\]{}\",:0-9a-z ]{0,80}"]) {
        check_decode(&s)?;
    }

    #[test]
    fn from_json_near_the_schema_round_trips_what_it_accepts(s in export_json()) {
        check_decode(&s)?;
    }

}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn accepted_requests_round_trip(s in accepted_json()) {
        let req = ExportImagesRequest::from_json(&s);
        prop_assert!(req.is_ok(), "{} rejected: {:?}", s, req);
        check_decode(&s)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Response parsing, endpoint/config, HTTP dates, retry and limiter decisions
// ---------------------------------------------------------------------------------------------

fn envelope_body() -> impl Strategy<Value = String> {
    use serde_json::{json, Value};
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,12}".prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(
                prop::sample::select(vec![
                    "Response",
                    "Error",
                    "Code",
                    "Message",
                    "RequestId",
                    "TaskId",
                    "CosPaths",
                    "x"
                ])
                .prop_map(str::to_owned),
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop_oneof![
        4 => value.clone().prop_map(|v| json!({ "Response": v }).to_string()),
        2 => value.prop_map(|v| v.to_string()),
        1 => (any::<u64>(), proptest::collection::vec("\\PC{0,20}", 0..4), "[a-z0-9-]{0,36}")
            .prop_map(|(t, p, r)| json!({ "Response": { "TaskId": t, "CosPaths": p, "RequestId": r } }).to_string()),
        1 => ".{0,60}",
    ]
    .prop_flat_map(|s| {
        // Sometimes cut the body short (a truncated response).
        let len = s.len();
        (Just(s), 0..=len)
    })
    .prop_map(|(s, cut)| {
        if cut % 5 == 0 {
            s.char_indices()
                .map(|(i, _)| i)
                .take_while(|&i| i <= cut)
                .last()
                .map_or(String::new(), |i| s[..i].to_owned())
        } else {
            s
        }
    })
}

proptest! {
    #![proptest_config(config(2048))]

    /// parse_envelope and from_response never panic, and classify every failure.
    #[test]
    fn parse_envelope_never_panics(status in prop_oneof![Just(200u16), 100u16..600, any::<u16>()], body in envelope_body()) {
        match parse_envelope(status, &body) {
            Ok(response) => {
                prop_assert!((200..300).contains(&status));
                match ExportImagesResponse::from_response(&response) {
                    Ok(r) => {
                        prop_assert_eq!(Some(r.task_id), response.get("TaskId").and_then(|v| v.as_u64()));
                        prop_assert_eq!(Some(r.request_id.as_str()), response.get("RequestId").and_then(|v| v.as_str()));
                    }
                    Err(e) => prop_assert_eq!(e.code(), "Client.InvalidResponse"),
                }
            }
            Err(e) => {
                let kinds = [ErrorKind::Api, ErrorKind::HttpStatus, ErrorKind::TruncatedResponse, ErrorKind::NonJsonResponse, ErrorKind::InvalidResponse];
                prop_assert!(kinds.contains(&e.kind()), "{:?}", e.kind());
                if e.kind() == ErrorKind::HttpStatus { prop_assert_eq!(e.status(), Some(status)); }
                if !(200..300).contains(&status) {
                    // A non-2xx answer is an API error, a bare HTTP status, or (a Response object
                    // whose Error has no Code) an invalid response — never a parse error.
                    prop_assert!([ErrorKind::Api, ErrorKind::HttpStatus, ErrorKind::InvalidResponse].contains(&e.kind()), "{:?}", e.kind());
                }
            }
        }
    }

    #[test]
    fn endpoint_and_config_never_panic(
        endpoint in prop_oneof![wild(), "(https?|HTTP|ftp)://[a-zA-Z0-9.:@/?#-]{0,30}", "[a-z0-9.-]{0,20}(:[0-9]{0,6})?(/[ -~]{0,10})?"],
        host in proptest::option::of(wild()), region in proptest::option::of(wild()), language in proptest::option::of(wild()),
        timeout in proptest::option::of(prop_oneof![any::<f64>(), 0.0f64..4000.0]), sign_action in any::<bool>(),
        content_type in proptest::option::of(wild()),
    ) {
        if let Ok(e) = Endpoint::parse(&endpoint) {
            prop_assert!(e.url.starts_with("http://") || e.url.starts_with("https://"), "{}", e.url);
            prop_assert!(e.url.ends_with('/') || e.url.contains('/'));
            let again = Endpoint::parse(&e.url);
            prop_assert_eq!(again.as_ref(), Ok(&e), "a parsed URL parses to itself");
        }
        let o = ClientOptions {
            endpoint: Some(&endpoint), host: host.as_deref(), region: region.as_deref(), language: language.as_deref(),
            req_timeout_secs: timeout, sign_action, content_type: content_type.as_deref(), cos_endpoint: None, service: None, version: None, backup_endpoint: None,
        };
        match ClientConfig::new(&o) {
            Ok(c) => {
                prop_assert!((1..=3600).contains(&c.req_timeout_secs));
                // A configured client can sign any body.
                let cred = Credential::new("AKIDprop", "k", None).unwrap();
                let s = c.sign(&cred, &mut SigningKeyCache::new(), "DescribeImages", "{}", 1_700_000_000);
                prop_assert!(s.is_ok(), "{:?}", s);
            }
            Err(e) => prop_assert_eq!(e.code(), "Client.InvalidOption"),
        }
    }

    /// Every timestamp's IMF-fixdate parses back to it.
    #[test]
    fn http_date_round_trip(ts in 0u64..=MAX_TIMESTAMP) {
        prop_assert_eq!(parse_http_date(&imf_fixdate(ts)), Some(ts));
    }

    #[test]
    fn backoff_is_bounded(base in any::<u32>(), cap in any::<u32>(), n in any::<u32>(), r in any::<f64>(), max_retries in 0u32..12) {
        let p = RetryPolicy { max_retries, base_ms: base, cap_ms: cap };
        let ceiling = (u64::from(base) << n.min(32)).min(u64::from(cap));
        prop_assert!(u64::from(backoff_ms(&p, n, r)) <= ceiling);
        let throttled = Error::api("RequestLimitExceeded".to_owned(), String::new(), None);
        match decide(&p, n, &throttled, false, r) {
            Decision::GiveUp => prop_assert!(n >= max_retries),
            Decision::RetryAfter(ms) => { prop_assert!(n < max_retries); prop_assert!(u64::from(ms) <= ceiling); }
        }
    }

    /// The limiter's reservations never put more than `limit` in any window of its length.
    #[test]
    fn limiter_reservations_hold_the_limit(limit in 1u32..30, gaps in proptest::collection::vec(0.0f64..200.0, 1..300)) {
        let mut w = SlidingWindow::new(limit, 1000.0);
        let mut now = 0.0;
        let mut sends = Vec::new();
        for g in gaps {
            now += g;
            let wait = w.reserve(now);
            prop_assert!(wait >= 0.0);
            sends.push(now + wait);
        }
        prop_assert!(sends.windows(2).all(|p| p[0] <= p[1]), "arrival order");
        for (i, &t) in sends.iter().enumerate() {
            let in_window = sends[i..].iter().take_while(|&&u| u <= t + 1000.0).count();
            prop_assert!(in_window <= limit as usize, "{} in the second after {}", in_window, t);
        }
    }

    #[test]
    fn clock_skew_follows_valid_dates(server in 0u64..4_000_000_000, local in 0u64..4_000_000_000) {
        let mut c = ClockSkew::default();
        prop_assert_eq!(c.on_signature_expired(Some(&imf_fixdate(server)), local), server != local);
        prop_assert_eq!(c.offset_secs(), server as i64 - local as i64);
        prop_assert_eq!(c.timestamp(local), server);
    }
}

proptest! {
    #![proptest_config(config(4096))]

    /// parse_http_date never panics on strings shaped like dates with arbitrary numbers.
    /// Found as an overflow panic (fixed in 0a154ba: years past 9999 are refused).
    #[test]
    fn parse_http_date_never_panics(
        wd in "[A-Za-z]{0,4},?", day in "[0-9]{0,20}", month in prop::sample::select(vec!["Jan", "Feb", "Dec", "Foo", ""]),
        year in prop_oneof!["[0-9]{1,4}", "[0-9]{5,19}", "-[0-9]{1,19}"], hms in "[0-9:]{0,12}", zone in "[A-Z]{0,4}",
    ) {
        let s = format!("{wd} {day} {month} {year} {hms} {zone}");
        if let Some(t) = parse_http_date(&s) { prop_assert!(t <= MAX_TIMESTAMP + 1, "{}", t); }
        let mut c = ClockSkew::default();
        c.on_signature_expired(Some(&s), 1_700_000_000);
        c.on_response(Some(&s), 1_700_000_000);
    }

    /// The same on arbitrary text.
    #[test]
    fn parse_http_date_never_panics_on_text(s in prop_oneof![".{0,60}", "\\PC{0,60}"]) {
        let _ = parse_http_date(&s);
    }
}

/// The shortest reproduction of the date overflow the fuzzer found ("attempt to multiply with
/// overflow" in days_from_civil; fixed in 0a154ba).
#[test]
fn parse_http_date_large_year_does_not_panic() {
    assert_eq!(parse_http_date("Sun, 06 Nov 99999999999999 08:49:37 GMT"), None);
}

// ---------------------------------------------------------------------------------------------
// The crate's JSON reader (tc3_edge::json), against serde_json
// ---------------------------------------------------------------------------------------------

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(|f| serde_json::json!(f)),
        "\\PC{0,12}".prop_map(Value::from),
        "[\\x00-\\x1f\"\\\\/]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            proptest::collection::vec(("\\PC{0,6}", inner), 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Whether the reader's value is `b`: numbers compared by their text (the reader keeps the
/// source text; serde_json's own float parsing is not exact, so parsing it again would blur).
fn same(a: &json::Value, b: &serde_json::Value) -> bool {
    match (a, b) {
        (json::Value::Null, serde_json::Value::Null) => true,
        (json::Value::Bool(x), serde_json::Value::Bool(y)) => x == y,
        (json::Value::Number(n), serde_json::Value::Number(m)) => *n == m.to_string(),
        (json::Value::String(x), serde_json::Value::String(y)) => x == y,
        (json::Value::Array(x), serde_json::Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (json::Value::Object(x), serde_json::Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => false,
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// What serde_json writes (compact or pretty), the reader reads back to the same value.
    #[test]
    fn json_reader_reads_what_serde_json_writes(v in json_value(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { v.to_string() };
        let parsed = json::parse(&text);
        prop_assert!(parsed.is_ok(), "{:?} on {}", parsed, text);
        let parsed = parsed.unwrap();
        prop_assert!(same(&parsed, &v), "{:?} vs {}", parsed, v);
    }

    /// Every proper prefix of an object is a truncated text (Client.TruncatedResponse), never
    /// "not JSON"; the whole text followed by junk is a syntax error.
    #[test]
    fn prefixes_of_an_object_are_truncated(v in json_value(), cut in any::<prop::sample::Index>(), junk in "[a-z\\]}]{1,3}") {
        let text = serde_json::json!({ "Response": v }).to_string();
        let boundaries: Vec<usize> = (0..text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        let at = boundaries[cut.index(boundaries.len())];
        prop_assert_eq!(json::parse(&text[..at]), Err(ParseError::Eof), "prefix {:?}", &text[..at]);
        prop_assert_eq!(json::parse(&format!("{text}{junk}")), Err(ParseError::Syntax));
        // And parse_envelope calls it so.
        let err = parse_envelope(200, &text[..at]).unwrap_err();
        prop_assert_eq!(err.code(), "Client.TruncatedResponse");
    }

    #[test]
    fn json_quote_round_trips(s in prop_oneof!["\\PC{0,40}", ".{0,40}", "[\\x00-\\x7f]{0,40}"]) {
        let quoted = json::quote(&s);
        prop_assert_eq!(json::parse(&quoted), Ok(json::Value::String(s.clone())));
        prop_assert_eq!(serde_json::from_str::<String>(&quoted).unwrap(), s);
    }
}

/// Found by the `endpoint_config` fuzz target (fuzz/regressions/endpoint_config/): a content
/// type that `ClientConfig::new` accepted but `sign` refused, so every request of that client
/// failed with Client.InvalidOption at call time (fixed in 0a154ba).
#[test]
fn an_accepted_content_type_can_sign() {
    let config = ClientConfig::new(&ClientOptions {
        content_type: Some("application/json\0"),
        ..ClientOptions::default()
    });
    if let Ok(config) = config {
        let cred = Credential::new("AKIDprop", "k", None).unwrap();
        assert!(config
            .sign(
                &cred,
                &mut SigningKeyCache::new(),
                "DescribeImages",
                "{}",
                1_700_000_000
            )
            .is_ok());
    }
}

/// Not a bug, a property of HMAC the `sign` fuzz target ran into: a key shorter than the block
/// (64 bytes) is zero-padded, so SecretKeys that differ only by trailing NUL characters ("k" and
/// "k\0", with "TC3" + key ≤ 64 bytes) derive the same signing key and the same signature. Real
/// SecretKeys are alphanumeric; the official SDKs behave the same.
#[test]
fn trailing_nul_secret_keys_sign_alike() {
    let params = SigningParams {
        method: Method::Post,
        host: "cvm.tencentcloudapi.com",
        service: "cvm",
        action: "DescribeImages",
        version: "2017-03-12",
        region: None,
        language: None,
        request_client: None,
        timestamp: 1_700_000_000,
        content_type: "application/json",
        query: "",
        payload: b"{}",
        signed_headers: SignedHeaders::ContentTypeHost,
        unsigned_payload: false,
    };
    let sig = |key: &str| {
        sign(
            &Credential::new("AKID", key, None).unwrap(),
            &params,
            &mut SigningKeyCache::new(),
        )
        .unwrap()
        .signature
        .clone()
    };
    assert_eq!(sig("secret"), sig("secret\0\0"));
    assert_ne!(sig("secret"), sig("secret\0x"));
}
