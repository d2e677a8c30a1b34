//! The field order of `signRequest`'s packed input: js/boundary.js (`SIGN_FIELDS`) packs the
//! JS object's properties in this order and src/wasm/sign.rs reads them back by position. The
//! test below reads the JS file and proves the two lists are equal.

/// `signRequest` input fields, in packing order; the payload is last so that it may contain any
/// character.
pub const SIGN_REQUEST_FIELDS: [&str; 17] = [
    "secretId",
    "secretKey",
    "token",
    "action",
    "version",
    "service",
    "host",
    "endpoint",
    "region",
    "language",
    "timestamp",
    "method",
    "query",
    "contentType",
    "signedHeaders",
    "requestClient",
    "payload",
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_js_packer_uses_the_same_field_list() {
        let js = include_str!("../../js/boundary.js");
        let start = js
            .find("export const SIGN_FIELDS = [")
            .expect("SIGN_FIELDS in js/boundary.js");
        let list = &js[start..];
        let list = &list[list.find('[').unwrap() + 1..list.find(']').unwrap()];
        let names: Vec<&str> = list
            .split(',')
            .map(|s| s.trim().trim_matches('"'))
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(names, super::SIGN_REQUEST_FIELDS);
    }
}
