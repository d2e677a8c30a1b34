//! The client's half of the validation contract: every rule of
//! `tests/fixtures/export-images-rules.json` (the table the emulator follows too), fed to the
//! validator the client uses (`prepare_export_images`). Each failing example must be refused
//! with the rule's code and the example's field; each passing example must be accepted and
//! sent unchanged; each precedence case must report the rule listed first.

use serde_json::Value;
use tc3_edge::client::{prepare_export_images, ClientConfig, ClientOptions};
use tc3_edge::cvm::export_images::{FIELDS, MAX_BUCKET_NAME_CHARS, MAX_IMAGE_IDS, MAX_PREFIX_CHARS};
use tc3_edge::ErrorKind;

const RULES: &str = include_str!("fixtures/export-images-rules.json");

fn table() -> Value {
    serde_json::from_str(RULES).expect("the rules table is JSON")
}

fn config() -> ClientConfig {
    ClientConfig::new(&ClientOptions {
        region: Some("ap-guangzhou"),
        ..Default::default()
    })
    .expect("a client config")
}

/// What the client does with `params` (as JS hands them over: their JSON text):
/// Ok(the body it would send) or Err((code, field, message)).
fn outcome(params: &Value) -> Result<String, (String, String, String)> {
    match prepare_export_images(&config(), &params.to_string()) {
        Ok((_, body)) => Ok(body),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Validation, "{params}: {e}");
            Err((
                e.code().to_owned(),
                e.field().unwrap_or("").to_owned(),
                e.message().to_owned(),
            ))
        }
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[test]
fn every_rule_is_well_formed() {
    let doc = table();
    let rules = doc["rules"].as_array().expect("rules");
    assert!(rules.len() >= 18);
    let mut ids = Vec::new();
    for rule in rules {
        let id = str_of(rule, "id");
        assert!(!ids.contains(&id), "{id} twice");
        ids.push(id);
        for key in ["field", "rule", "code"] {
            assert!(!str_of(rule, key).is_empty(), "{id}: {key}");
        }
        let source = str_of(rule, "source");
        assert!(
            source.starts_with("API doc: ") || source.starts_with("our choice, because "),
            "{id}: the source is a documented quote or our choice with its reason: {source}"
        );
        assert!(!rule["fail"].as_array().unwrap().is_empty(), "{id}: a failing example");
        assert!(!rule["pass"].as_array().unwrap().is_empty(), "{id}: a passing example");
    }
}

#[test]
fn the_limits_are_the_tables() {
    let limits = &table()["limits"];
    assert_eq!(limits["maxImageIds"].as_u64(), Some(MAX_IMAGE_IDS as u64));
    assert_eq!(limits["maxFileNamePrefixChars"].as_u64(), Some(MAX_PREFIX_CHARS as u64));
    assert_eq!(
        limits["maxBucketNameChars"].as_u64(),
        Some(MAX_BUCKET_NAME_CHARS as u64)
    );
}

#[test]
fn every_failing_example_gets_the_rules_code_and_field() {
    for rule in table()["rules"].as_array().unwrap() {
        let (id, code) = (str_of(rule, "id"), str_of(rule, "code"));
        for example in rule["fail"].as_array().unwrap() {
            let params = &example["params"];
            let (got_code, got_field, message) = outcome(params).expect_err(&format!("{id}: {params} must be refused"));
            assert_eq!(got_code, code, "{id}: {params}: {message}");
            assert_eq!(got_field, str_of(example, "field"), "{id}: {params}: the field");
            assert!(!message.is_empty(), "{id}: a message");
        }
    }
}

#[test]
fn every_passing_example_is_sent_as_given() {
    for rule in table()["rules"].as_array().unwrap() {
        let id = str_of(rule, "id");
        for example in rule["pass"].as_array().unwrap() {
            let params = &example["params"];
            let body = outcome(params).unwrap_or_else(|e| panic!("{id}: {params} must be accepted, got {e:?}"));
            let sent: Value = serde_json::from_str(&body).expect("the body is JSON");
            assert_eq!(&sent, params, "{id}: the body carries exactly the parameters given");
        }
    }
}

#[test]
fn the_first_rule_broken_is_the_one_reported() {
    let doc = table();
    let cases = doc["precedence"].as_array().expect("precedence");
    assert!(cases.len() >= 10);
    for case in cases {
        let why = str_of(case, "why");
        let (code, field, message) = outcome(&case["params"]).expect_err(why);
        assert_eq!(
            (code.as_str(), field.as_str()),
            (str_of(case, "code"), str_of(case, "field")),
            "{why}: {message}"
        );
    }
}

#[test]
fn the_tables_field_list_is_the_validators() {
    // R02 names the fields ExportImages has; the validator's list is the same, in API order.
    let rule = &table()["rules"][1];
    assert_eq!(str_of(rule, "code"), "UnknownParameter");
    let text = str_of(rule, "rule");
    let listed = text.split(": ").nth(1).unwrap().split(" (").next().unwrap();
    assert_eq!(listed.split(", ").collect::<Vec<_>>(), FIELDS);
}

#[test]
fn limit_messages_name_the_limits() {
    let mut ids: Vec<String> = (0..=MAX_IMAGE_IDS).map(|i| format!("img-{i:08}")).collect();
    let params = serde_json::json!({"BucketName": "backup-1250000000", "ImageIds": ids});
    assert!(outcome(&params)
        .unwrap_err()
        .2
        .contains(&format!("at most {MAX_IMAGE_IDS}")));
    ids.truncate(1);
    let long = "x".repeat(MAX_PREFIX_CHARS + 1);
    let params = serde_json::json!({"BucketName": "backup-1250000000", "ImageIds": ids, "FileNamePrefixList": [long]});
    assert!(outcome(&params)
        .unwrap_err()
        .2
        .contains(&format!("at most {MAX_PREFIX_CHARS}")));
    let name = format!("{}-1250000000", "b".repeat(MAX_BUCKET_NAME_CHARS + 1));
    let params = serde_json::json!({"BucketName": name, "ImageIds": ids});
    assert!(outcome(&params)
        .unwrap_err()
        .2
        .contains(&format!("at most {MAX_BUCKET_NAME_CHARS}")));
}
