//! js/codes.js is generated from src/channel.rs: this fails when they disagree (a code
//! retyped or changed on one side only). `TC3_BLESS=1` rewrites the JS file.

#[test]
fn js_codes_are_generated_from_the_rust_ones() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/js/codes.js");
    let expected = tc3_edge::channel::js_module();
    if std::env::var_os("TC3_BLESS").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "js/codes.js is stale: run TC3_BLESS=1 cargo test --test channel"
    );
}

#[test]
fn codes_of_a_group_are_distinct() {
    use tc3_edge::channel::{action, event, io, kind};
    for all in [io::ALL, action::ALL, event::ALL, kind::ALL] {
        for (i, (name, value)) in all.iter().enumerate() {
            assert!(
                all[..i].iter().all(|(_, v)| v != value),
                "{name} = {value} repeats an earlier code"
            );
        }
    }
}
