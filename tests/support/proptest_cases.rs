//! The property tests' configuration (`#![proptest_config(config(n))]`), shared by the
//! `proptest_*` test crates.

use proptest::prelude::ProptestConfig;

/// `cases` cases (PROPTEST_CASES overrides), no regression files written into the tree.
pub fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
