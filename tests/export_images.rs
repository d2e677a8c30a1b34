//! ExportImages validation: each documented rule, named after it, with the code the server
//! would return and the field at fault. Plus body serialization and response parsing.

use serde_json::json;
use tc3_edge::client::{prepare_export_images, ClientConfig, ClientOptions};
use tc3_edge::cvm::{ExportImagesRequest, ExportImagesResponse};
use tc3_edge::ErrorKind;

/// Parameters as JS hands them over: the JSON text of the object.
fn from_value(v: &serde_json::Value) -> Result<ExportImagesRequest, tc3_edge::Error> {
    ExportImagesRequest::from_json(&v.to_string())
}

fn response(v: &serde_json::Value) -> tc3_edge::json::Value {
    tc3_edge::json::parse(&v.to_string()).unwrap()
}

fn reject(params: serde_json::Value) -> (String, String) {
    let err = from_value(&params).expect_err("must be rejected");
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(!err.message().is_empty());
    (err.code().to_owned(), err.field().unwrap_or("").to_owned())
}

fn ok() -> serde_json::Value {
    json!({"BucketName": "backup-1250000000", "ImageIds": ["img-72n9mi0y"]})
}

fn with(key: &str, value: serde_json::Value) -> serde_json::Value {
    let mut v = ok();
    v[key] = value;
    v
}

fn without(key: &str) -> serde_json::Value {
    let mut v = ok();
    v.as_object_mut().unwrap().remove(key);
    v
}

#[test]
fn minimal_request_is_valid_and_serializes_in_api_order() {
    let req = from_value(&json!({
        "RoleName": "CVM_QcsRole", "DryRun": true, "OnlyExportRootDisk": false,
        "FileNamePrefixList": ["镜像备份"], "ExportFormat": "QCOW2",
        "ImageIds": ["img-72n9mi0y"], "BucketName": "backup-1250000000"
    }))
    .unwrap();
    assert_eq!(
        req.to_body(),
        r#"{"BucketName":"backup-1250000000","ImageIds":["img-72n9mi0y"],"ExportFormat":"QCOW2","FileNamePrefixList":["镜像备份"],"OnlyExportRootDisk":false,"DryRun":true,"RoleName":"CVM_QcsRole"}"#
    );
    assert!(req.is_dry_run());
    assert_eq!(from_value(&ok()).unwrap().to_body(), ok().to_string());
}

#[test]
fn bucket_name_missing_or_empty_is_missing_parameter() {
    assert_eq!(
        reject(without("BucketName")),
        ("MissingParameter".into(), "BucketName".into())
    );
    assert_eq!(
        reject(with("BucketName", json!(""))),
        ("MissingParameter".into(), "BucketName".into())
    );
}

#[test]
fn bucket_name_without_numeric_appid_is_invalid_appid_format() {
    for bad in ["test-bucket-AppId", "bucket", "bucket-", "-1250000000", "bucket-12a5"] {
        assert_eq!(
            reject(with("BucketName", json!(bad))),
            ("InvalidParameterValue.InvalidAppIdFormat".into(), "BucketName".into()),
            "{bad}"
        );
    }
}

#[test]
fn bucket_name_with_bad_characters_is_invalid_parameter_value() {
    assert_eq!(
        reject(with("BucketName", json!("My_Bucket-1250000000"))).0,
        "InvalidParameterValue"
    );
}

#[test]
fn no_image_ids_is_image_ids_snapshot_ids_must_one() {
    let code = "InvalidParameter.ImageIdsSnapshotIdsMustOne".to_owned();
    assert_eq!(reject(without("ImageIds")), (code.clone(), "ImageIds".into()));
    assert_eq!(reject(with("ImageIds", json!([]))), (code, "ImageIds".into()));
}

#[test]
fn malformed_image_id_is_invalid_image_id_malformed() {
    for bad in [
        "",
        "img-72n9mi0",
        "img-72n9mi0yy",
        "img-72N9MI0Y",
        "ins-72n9mi0y",
        "img_72n9mi0y",
        "img-72n9mi0 ",
    ] {
        assert_eq!(
            reject(with("ImageIds", json!(["img-00000000", bad]))),
            ("InvalidImageId.Malformed".into(), "ImageIds.1".into()),
            "{bad:?}"
        );
    }
}

#[test]
fn duplicate_image_ids_are_rejected() {
    assert_eq!(
        reject(with("ImageIds", json!(["img-72n9mi0y", "img-72n9mi0y"]))),
        ("InvalidParameterValue".into(), "ImageIds.1".into())
    );
}

#[test]
fn export_format_outside_the_four_is_invalid_parameter_value() {
    for good in ["RAW", "QCOW2", "VHD", "VMDK"] {
        assert!(from_value(&with("ExportFormat", json!(good))).is_ok());
    }
    for bad in ["qcow2", "ISO", ""] {
        assert_eq!(
            reject(with("ExportFormat", json!(bad))),
            ("InvalidParameterValue".into(), "ExportFormat".into())
        );
    }
    let err = from_value(&with("ExportFormat", json!("vmdk"))).unwrap_err();
    assert!(
        err.message().contains("\"VMDK\""),
        "suggests the capitalised value: {}",
        err.message()
    );
}

#[test]
fn prefix_list_length_must_equal_image_ids_length() {
    assert_eq!(
        reject(with("FileNamePrefixList", json!(["a", "b"]))),
        (
            "InvalidParameterValue.InvalidFileNamePrefixList".into(),
            "FileNamePrefixList".into()
        )
    );
    assert_eq!(
        reject(with("FileNamePrefixList", json!([]))).0,
        "InvalidParameterValue.InvalidFileNamePrefixList"
    );
    assert_eq!(
        reject(with("FileNamePrefixList", json!([""]))),
        ("InvalidParameterValue".into(), "FileNamePrefixList.0".into())
    );
}

#[test]
fn unknown_fields_are_an_error_not_dropped() {
    assert_eq!(
        reject(with("SnapshotIds", json!(["snap-1"]))),
        ("UnknownParameter".into(), "SnapshotIds".into())
    );
    let err = from_value(&with("bucketName", json!("x"))).unwrap_err();
    assert_eq!(err.code(), "UnknownParameter");
    assert!(err.message().contains("did you mean BucketName"), "{}", err.message());
}

#[test]
fn wrong_json_types_are_invalid_parameter() {
    let cases = [
        ("BucketName", json!(5), "BucketName"),
        ("BucketName", json!(null), "BucketName"),
        ("ImageIds", json!("img-72n9mi0y"), "ImageIds"),
        ("ImageIds", json!([42]), "ImageIds.0"),
        ("ExportFormat", json!(["RAW"]), "ExportFormat"),
        ("FileNamePrefixList", json!("a"), "FileNamePrefixList"),
        ("FileNamePrefixList", json!([1]), "FileNamePrefixList.0"),
        ("OnlyExportRootDisk", json!("true"), "OnlyExportRootDisk"),
        ("DryRun", json!(1), "DryRun"),
        ("DryRun", json!(null), "DryRun"),
        ("RoleName", json!(false), "RoleName"),
    ];
    for (key, value, field) in cases {
        assert_eq!(
            reject(with(key, value.clone())),
            ("InvalidParameter".into(), field.into()),
            "{key}={value}"
        );
    }
    assert_eq!(reject(json!([1, 2])).0, "InvalidParameter");
    assert_eq!(
        ExportImagesRequest::from_json("not json").unwrap_err().code(),
        "InvalidParameter"
    );
}

#[test]
fn empty_role_name_is_invalid_parameter_value() {
    assert_eq!(
        reject(with("RoleName", json!(""))),
        ("InvalidParameterValue".into(), "RoleName".into())
    );
}

#[test]
fn export_images_needs_a_region() {
    let no_region = ClientConfig::new(&ClientOptions::default()).unwrap();
    let err = prepare_export_images(&no_region, &ok().to_string()).unwrap_err();
    assert_eq!((err.code(), err.field()), ("MissingParameter", Some("Region")));
    let cfg = ClientConfig::new(&ClientOptions {
        region: Some("ap-guangzhou"),
        ..Default::default()
    })
    .unwrap();
    let (_, body) = prepare_export_images(&cfg, &ok().to_string()).unwrap();
    assert_eq!(body, ok().to_string());
}

#[test]
fn response_is_read_into_the_typed_result() {
    let r = json!({"TaskId": 105591590, "CosPaths": ["/img-pq5pau1w_system_snap-fiux4bof.raw"], "RequestId": "req-1"});
    let parsed = ExportImagesResponse::from_response(&response(&r)).unwrap();
    assert_eq!(parsed.task_id, 105591590);
    assert_eq!(parsed.cos_paths, vec!["/img-pq5pau1w_system_snap-fiux4bof.raw"]);
    assert_eq!(parsed.request_id, "req-1");
    for bad in [
        json!({"CosPaths": [], "RequestId": "r"}),
        json!({"TaskId": "1", "CosPaths": [], "RequestId": "r"}),
        json!({"TaskId": 1, "RequestId": "r"}),
        json!({"TaskId": 1, "CosPaths": [1], "RequestId": "r"}),
    ] {
        assert_eq!(
            ExportImagesResponse::from_response(&response(&bad)).unwrap_err().code(),
            "Client.InvalidResponse"
        );
    }
}

#[test]
fn types_first_then_fields_in_api_order() {
    // Every JSON type is checked before any value (tests/fixtures/export-images-rules.json).
    let mut v = with("FileNamePrefixList", json!(["a", "b"]));
    v["DryRun"] = json!("yes");
    assert_eq!(reject(v.clone()), ("InvalidParameter".into(), "DryRun".into()));
    // Then the values: FileNamePrefixList comes before RoleName.
    v["DryRun"] = json!(true);
    v["RoleName"] = json!("");
    assert_eq!(reject(v).0, "InvalidParameterValue.InvalidFileNamePrefixList");
    // Within FileNamePrefixList, the count is checked before the items.
    assert_eq!(
        reject(with("FileNamePrefixList", json!(["", "b"]))).0,
        "InvalidParameterValue.InvalidFileNamePrefixList"
    );
    // BucketName before ImageIds.
    assert_eq!(reject(json!({"ImageIds": ["bad"]})).1, "BucketName");
}
