//! CVM `ExportImages` (API version 2017-03-12): request model, validation, response model.
//!
//! Parameters are decoded from JSON by hand rather than with `#[derive(Deserialize)]` so
//! every rejection carries the exact code the server would return, the field at fault and
//! a message saying what to fix. Messages quote the offending field and, for IDs, its value;
//! credentials never pass through here.
//!
//! The rules, their order and their codes are the project's one table,
//! `tests/fixtures/export-images-rules.json` (rendered in `docs/validation.md`); the local
//! emulator follows the same table, and contract tests hold both to it.

use crate::error::Error;
use crate::json::{self, Value};
use crate::text::Cat;

/// The API version this model follows.
pub const VERSION: &str = "2017-03-12";
/// The action name.
pub const ACTION: &str = "ExportImages";
/// Every field the action accepts, PascalCase exactly as the API spells them.
pub const FIELDS: [&str; 7] = [
    "BucketName",
    "ImageIds",
    "ExportFormat",
    "FileNamePrefixList",
    "OnlyExportRootDisk",
    "DryRun",
    "RoleName",
];
/// The JSON type of each field of [`FIELDS`], and how a message names it.
const TYPES: [(Kind, &str); 7] = [
    (Kind::String, "a string"),
    (Kind::Strings, "an array of image IDs"),
    (Kind::String, "a string (RAW, QCOW2, VHD or VMDK)"),
    (Kind::Strings, "an array of strings"),
    (Kind::Bool, "true or false"),
    (Kind::Bool, "true or false"),
    (Kind::String, "a string"),
];
#[derive(Clone, Copy)]
enum Kind {
    String,
    Strings,
    Bool,
}
/// At most this many `ImageIds` in one call (`InvalidParameterValue.LimitExceeded`).
pub const MAX_IMAGE_IDS: usize = 10;
/// A file-name prefix has at most this many characters (Unicode code points;
/// `InvalidParameterValue.TooLarge`).
pub const MAX_PREFIX_CHARS: usize = 64;
/// The name part of `BucketName` (before `-<APPID>`) has at most this many characters.
pub const MAX_BUCKET_NAME_CHARS: usize = 50;

/// Image file format of the export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[cfg_attr(target_arch = "wasm32", serde(rename_all = "UPPERCASE"))]
pub enum ExportFormat {
    /// Raw disk image (the server default).
    Raw,
    /// QEMU copy-on-write v2.
    Qcow2,
    /// Microsoft Virtual Hard Disk.
    Vhd,
    /// VMware Virtual Machine Disk.
    Vmdk,
}

impl ExportFormat {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Raw => "RAW",
            ExportFormat::Qcow2 => "QCOW2",
            ExportFormat::Vhd => "VHD",
            ExportFormat::Vmdk => "VMDK",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "RAW" => Some(ExportFormat::Raw),
            "QCOW2" => Some(ExportFormat::Qcow2),
            "VHD" => Some(ExportFormat::Vhd),
            "VMDK" => Some(ExportFormat::Vmdk),
            _ => None,
        }
    }
}

/// Parameters of `ExportImages`, PascalCase exactly as the API spells them. Once validated
/// (`ExportImagesRequest::from_json` in Rust), it serializes to the JSON body that is signed
/// and sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[cfg_attr(target_arch = "wasm32", serde(rename_all = "PascalCase"))]
pub struct ExportImagesRequest {
    /// COS bucket to export to, `<name>-<APPID>` (the APPID is digits), e.g. `backup-1250000000`;
    /// the name part is 1 to 50 of `a-z`, `0-9` and `-`, neither starting nor ending with `-`.
    pub bucket_name: String,
    /// Images to export (1 to 10), each `img-` followed by 8 lowercase letters or digits, each once.
    pub image_ids: Vec<String>,
    /// `RAW` (server default), `QCOW2`, `VHD` or `VMDK`.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub export_format: Option<ExportFormat>,
    /// A file-name prefix per image, in the order of `ImageIds` (same length); each 1 to 64
    /// characters.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub file_name_prefix_list: Option<Vec<String>>,
    /// Export the system disk only (server default `false`).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub only_export_root_disk: Option<bool>,
    /// Only check that the export could run; creates no task (server default `false`).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub dry_run: Option<bool>,
    /// CAM role allowed to write the bucket (server default `CVM_QcsRole`).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub role_name: Option<String>,
}

/// What a successful `ExportImages` returns.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[cfg_attr(target_arch = "wasm32", serde(rename_all = "PascalCase"))]
pub struct ExportImagesResponse {
    /// The asynchronous export task.
    pub task_id: u64,
    /// COS paths of the files the task writes.
    pub cos_paths: Vec<String>,
    /// The request's unique id; quote it when asking Tencent Cloud support.
    pub request_id: String,
}

impl ExportImagesRequest {
    /// Decodes and validates a JSON text (what `JSON.stringify` made of the caller's object).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        match json::parse(json) {
            Ok(value) => Self::from_value(&value),
            Err(_) => Err(Error::validation(
                "InvalidParameter",
                "",
                "ExportImages parameters must be a JSON object",
            )),
        }
    }

    /// Validates decoded parameters. The first problem found is returned, checked in the
    /// order of the rules table: unknown fields, then every field's JSON type, then the
    /// values field by field in API order.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let Some(obj) = value.as_object().map(|_| value) else {
            return Err(Error::validation(
                "InvalidParameter",
                "",
                "ExportImages parameters must be an object such as {\"BucketName\": \"backup-1250000000\", \"ImageIds\": [\"img-72n9mi0y\"]}",
            ));
        };
        check_unknown_fields(obj)?;
        check_types(obj)?;
        // Fields in API order; struct-literal fields are evaluated in the order written.
        let bucket_name = bucket_name(obj.get("BucketName"))?;
        let image_ids = image_ids(obj.get("ImageIds"))?;
        Ok(ExportImagesRequest {
            bucket_name,
            export_format: export_format(obj.get("ExportFormat"))?,
            file_name_prefix_list: prefix_list(obj.get("FileNamePrefixList"), image_ids.len())?,
            only_export_root_disk: optional_bool(obj, "OnlyExportRootDisk")?,
            dry_run: optional_bool(obj, "DryRun")?,
            role_name: role_name(obj.get("RoleName"))?,
            image_ids,
        })
    }

    /// The JSON body: fields in API order, absent options omitted (the server applies its
    /// documented defaults).
    pub fn to_body(&self) -> String {
        let mut out = String::with_capacity(128);
        let mut w = ObjectWriter::new(&mut out);
        w.string("BucketName", &self.bucket_name);
        w.strings("ImageIds", &self.image_ids);
        if let Some(f) = self.export_format {
            w.string("ExportFormat", f.as_str());
        }
        if let Some(p) = &self.file_name_prefix_list {
            w.strings("FileNamePrefixList", p);
        }
        if let Some(b) = self.only_export_root_disk {
            w.raw("OnlyExportRootDisk", if b { "true" } else { "false" });
        }
        if let Some(b) = self.dry_run {
            w.raw("DryRun", if b { "true" } else { "false" });
        }
        if let Some(r) = &self.role_name {
            w.string("RoleName", r);
        }
        w.finish();
        out
    }

    /// True when this is a dry run, which creates nothing and may be retried safely.
    pub fn is_dry_run(&self) -> bool {
        self.dry_run == Some(true)
    }
}

impl ExportImagesResponse {
    /// The result as JSON (`{"TaskId":…,"CosPaths":[…],"RequestId":"…"}`).
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(96);
        let mut w = ObjectWriter::new(&mut out);
        let mut task_id = String::new();
        crate::text::push_u64(&mut task_id, self.task_id);
        w.raw("TaskId", &task_id);
        w.strings("CosPaths", &self.cos_paths);
        w.string("RequestId", &self.request_id);
        w.finish();
        out
    }

    /// Reads the `Response` object of a successful answer.
    pub fn from_response(response: &Value) -> Result<Self, Error> {
        use crate::error::ErrorKind::InvalidResponse;
        let bad = |what: &str| Error::new(InvalidResponse, ["ExportImages response: ", what].cat());
        let request_id = response
            .get("RequestId")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("RequestId missing"))?;
        let task_id = response
            .get("TaskId")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad("TaskId missing or not an integer"))?;
        let cos_paths = match response.get("CosPaths") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|p| p.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad("CosPaths holds a non-string"))?,
            _ => return Err(bad("CosPaths missing or not an array").with_request_id(Some(request_id.to_owned()))),
        };
        Ok(ExportImagesResponse {
            task_id,
            cos_paths,
            request_id: request_id.to_owned(),
        })
    }
}

fn check_unknown_fields(obj: &Value) -> Result<(), Error> {
    for key in obj.as_object().unwrap_or_default().iter().map(|(k, _)| k) {
        if FIELDS.contains(&key.as_str()) {
            continue;
        }
        let hint = match FIELDS.iter().find(|f| f.eq_ignore_ascii_case(key)) {
            Some(f) => ["; did you mean ", f, "? Field names are PascalCase"].cat(),
            None => ["; ExportImages accepts ", &FIELDS.join_with(", ")].cat(),
        };
        return Err(Error::validation(
            "UnknownParameter",
            key.clone(),
            ["unknown field ", &json::quote(key), &hint].cat(),
        ));
    }
    Ok(())
}

/// Every present field has its JSON type (array items too) before any value is looked at:
/// the API gateway most likely checks types before the service sees a value.
fn check_types(obj: &Value) -> Result<(), Error> {
    for (name, (kind, expected)) in FIELDS.iter().zip(TYPES) {
        let Some(value) = obj.get(name) else { continue };
        match (kind, value) {
            (Kind::String, Value::String(_)) | (Kind::Bool, Value::Bool(_)) => {}
            (Kind::Strings, Value::Array(items)) => {
                if let Some(i) = items.iter().position(|v| !matches!(v, Value::String(_))) {
                    return Err(wrong_type(
                        &[*name, ".", &crate::text::decimal(i as u64)].cat(),
                        "a string",
                        &items[i],
                    ));
                }
            }
            _ => return Err(wrong_type(name, expected, value)),
        }
    }
    Ok(())
}

fn wrong_type(field: &str, expected: &str, got: &Value) -> Error {
    Error::validation(
        "InvalidParameter",
        field,
        [field, " must be ", expected, ", got ", got.type_name()].cat(),
    )
}

fn bucket_name(v: Option<&Value>) -> Result<String, Error> {
    const F: &str = "BucketName";
    let name = match v {
        None => {
            return Err(Error::validation(
                "MissingParameter",
                F,
                "BucketName is required: the COS bucket to export to, e.g. \"backup-1250000000\"",
            ))
        }
        Some(Value::String(s)) if s.is_empty() => {
            return Err(Error::validation(
                "MissingParameter",
                F,
                "BucketName is empty: give the COS bucket to export to, e.g. \"backup-1250000000\"",
            ))
        }
        Some(Value::String(s)) => s,
        Some(other) => return Err(wrong_type(F, "a string", other)),
    };
    // `<name>-<APPID>`: the APPID is the digits after the last dash.
    let (base, appid) = crate::text::rsplit_once_byte(name, b'-').unwrap_or(("", name.as_str()));
    if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) || base.is_empty() {
        return Err(Error::validation(
            "InvalidParameterValue.InvalidAppIdFormat",
            F,
            "BucketName must be <name>-<APPID> with a numeric APPID, e.g. \"backup-1250000000\"",
        ));
    }
    // COS bucket naming: the name part is 1-50 of [a-z0-9-], not starting or ending with '-'.
    let problem = if !base
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        "may hold only lowercase letters, digits and '-'"
    } else if crate::text::starts_with_any(base, b"-") || crate::text::ends_with_any(base, b"-") {
        "must not start or end with '-'"
    } else if base.len() > MAX_BUCKET_NAME_CHARS {
        "must be at most 50 characters"
    } else {
        return Ok(name.clone());
    };
    Err(Error::validation(
        "InvalidParameterValue",
        F,
        [
            "BucketName's name part (before -<APPID>) ",
            problem,
            ", e.g. \"backup-1250000000\"",
        ]
        .cat(),
    ))
}

fn is_image_id(s: &str) -> bool {
    s.len() == 12 && s.starts_with("img-") && s.bytes().skip(4).all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn image_ids(v: Option<&Value>) -> Result<Vec<String>, Error> {
    const F: &str = "ImageIds";
    let items = match v {
        None => {
            return Err(Error::validation(
                "InvalidParameter.ImageIdsSnapshotIdsMustOne",
                F,
                "ImageIds is required: list the images to export, e.g. [\"img-72n9mi0y\"]",
            ))
        }
        Some(Value::Array(items)) if items.is_empty() => {
            return Err(Error::validation(
                "InvalidParameter.ImageIdsSnapshotIdsMustOne",
                F,
                "ImageIds is empty: list at least one image to export",
            ))
        }
        Some(Value::Array(items)) => items,
        Some(other) => return Err(wrong_type(F, "an array of image IDs", other)),
    };
    if items.len() > MAX_IMAGE_IDS {
        return Err(Error::validation(
            "InvalidParameterValue.LimitExceeded",
            F,
            [
                "ImageIds lists ",
                &crate::text::decimal(items.len() as u64),
                " images; at most 10 go in one call, so split the export into several calls",
            ]
            .cat(),
        ));
    }
    let mut ids: Vec<String> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = ["ImageIds.", &crate::text::decimal(i as u64)].cat();
        let id = match item {
            Value::String(s) => s,
            other => return Err(wrong_type(&field, "a string", other)),
        };
        if !is_image_id(id) {
            return Err(Error::validation(
                "InvalidImageId.Malformed",
                field,
                [
                    &json::quote(id),
                    " is not an image ID: expected \"img-\" followed by 8 lowercase letters or digits, e.g. \"img-72n9mi0y\"",
                ]
                .cat(),
            ));
        }
        if ids.contains(id) {
            return Err(Error::validation(
                "InvalidParameterValue",
                field,
                [id, " is listed twice in ImageIds; list each image once"].cat(),
            ));
        }
        ids.push(id.clone());
    }
    Ok(ids)
}

fn export_format(v: Option<&Value>) -> Result<Option<ExportFormat>, Error> {
    const F: &str = "ExportFormat";
    match v {
        None => Ok(None),
        Some(Value::String(s)) => ExportFormat::parse(s).map(Some).ok_or_else(|| {
            let hint = match ExportFormat::parse(&s.to_ascii_uppercase()) {
                Some(_) => [" (write it in capitals: ", &json::quote(&s.to_ascii_uppercase()), ")"].cat(),
                None => String::new(),
            };
            Error::validation(
                "InvalidParameterValue",
                F,
                ["ExportFormat must be one of RAW, QCOW2, VHD, VMDK", &hint].cat(),
            )
        }),
        Some(other) => Err(wrong_type(F, "a string (RAW, QCOW2, VHD or VMDK)", other)),
    }
}

fn prefix_list(v: Option<&Value>, image_count: usize) -> Result<Option<Vec<String>>, Error> {
    const F: &str = "FileNamePrefixList";
    let items = match v {
        None => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(wrong_type(F, "an array of strings", other)),
    };
    // The count first: it is the error the API documents for this field.
    if items.len() != image_count {
        return Err(Error::validation(
            "InvalidParameterValue.InvalidFileNamePrefixList",
            F,
            [
                "FileNamePrefixList has ",
                &crate::text::decimal(items.len() as u64),
                " entries but ImageIds has ",
                &crate::text::decimal(image_count as u64),
                ": give one prefix per image",
            ]
            .cat(),
        ));
    }
    let mut prefixes = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let field = ["FileNamePrefixList.", &crate::text::decimal(i as u64)].cat();
        match item {
            Value::String(s) if s.is_empty() => {
                return Err(Error::validation(
                    "InvalidParameterValue",
                    field,
                    "a file-name prefix must not be empty; omit FileNamePrefixList to use none",
                ))
            }
            // Characters, counted as the bytes that start one (`chars().count()` links a 0.5 KB
            // counting routine for this one check).
            Value::String(s) if s.bytes().filter(|b| b & 0xC0 != 0x80).count() > MAX_PREFIX_CHARS => {
                return Err(Error::validation(
                    "InvalidParameterValue.TooLarge",
                    field,
                    "a file-name prefix must be at most 64 characters",
                ))
            }
            Value::String(s) => prefixes.push(s.clone()),
            other => return Err(wrong_type(&field, "a string", other)),
        }
    }
    Ok(Some(prefixes))
}

fn optional_bool(obj: &Value, field: &str) -> Result<Option<bool>, Error> {
    match obj.get(field) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong_type(field, "true or false", other)),
    }
}

fn role_name(v: Option<&Value>) -> Result<Option<String>, Error> {
    const F: &str = "RoleName";
    match v {
        None => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Err(Error::validation(
            "InvalidParameterValue",
            F,
            "RoleName is empty: omit it to use the default role CVM_QcsRole",
        )),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(wrong_type(F, "a string", other)),
    }
}

/// Writes a JSON object member by member, in the order given.
struct ObjectWriter<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> ObjectWriter<'a> {
    fn new(out: &'a mut String) -> Self {
        out.push('{');
        ObjectWriter { out, first: true }
    }
    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        json::push_string(self.out, key);
        self.out.push(':');
    }
    fn raw(&mut self, key: &str, value: &str) {
        self.key(key);
        self.out.push_str(value);
    }
    fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        json::push_string(self.out, value);
    }
    fn strings(&mut self, key: &str, values: &[String]) {
        self.key(key);
        self.out.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            json::push_string(self.out, v);
        }
        self.out.push(']');
    }
    fn finish(self) {
        self.out.push('}');
    }
}
