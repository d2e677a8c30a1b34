//! # tc3-edge
//!
//! Builds, signs (TC3-HMAC-SHA256) and sends Tencent Cloud API 3.0 requests — first and
//! fully CVM `ExportImages` — from browsers and edge runtimes, compiled to WebAssembly.
//!
//! Layers, each depending only on the ones before it (docs/architecture.md has the graph):
//! - [`error`], [`text`], [`wipe`]: leaves every layer uses (the error type, small text
//!   helpers without std's generic searchers and parsers, zeroing of secrets).
//! - [`tc3`]: the API signing spec, one module per stage; time is an input.
//! - [`endpoint`]: URL/host syntax, a leaf shared by `cos` and `client`.
//! - [`cos`]: COS's own signing scheme (q-sign-algorithm=sha1) and its links.
//! - [`cvm`]: the API model — `ExportImages` request validation, response parsing.
//! - [`client`]: pure decisions — the call and the export wait as sans-IO machines (retry,
//!   clock, rate, credential, failover), configuration; no JS, no network, no clock.
//! - [`channel`]: the action/event codes the wasm boundary and the JS drivers share.
//! - `wasm` (wasm32 only): the JS boundary — reads options, moves bytes, calls JS.
//!
//! ```
//! use tc3_edge::tc3::{sign, Credential, Method, SignedHeaders, SigningKeyCache, SigningParams};
//! let credential = Credential::new("AKIDexample", "secret", None).unwrap();
//! let signed = sign(&credential, &SigningParams {
//!     method: Method::Post, host: "cvm.tencentcloudapi.com", service: "cvm",
//!     action: "ExportImages", version: "2017-03-12", region: Some("ap-guangzhou"),
//!     language: None, request_client: None, timestamp: 1_732_665_600,
//!     content_type: "application/json", query: "",
//!     payload: br#"{"BucketName":"b-1250000000","ImageIds":["img-72n9mi0y"]}"#,
//!     signed_headers: SignedHeaders::ContentTypeHost, unsigned_payload: false,
//! }, &mut SigningKeyCache::new()).unwrap();
//! assert!(signed.authorization.starts_with("TC3-HMAC-SHA256 Credential=AKIDexample/2024-11-27/cvm/tc3_request"));
//! ```

// `unsafe` only in `wipe` (word-wise volatile zeroing), which allows it for itself.
#![deny(unsafe_code)]
// `tc3_size` (set by scripts/build.sh for the shipped module only, which already builds with
// RUSTC_BOOTSTRAP=1 for -Zbuild-std): functions off the signing and call path — the export
// wait, COS, option and constructor checks, errors — carry
// `#[cfg_attr(tc3_size, optimize(size))]`, i.e. opt-level "z" for them while the hot path
// stays at the profile's "s" (Cargo.toml). Measured: full module -2.3 KB gzip, the same
// instructions per signRequest and per call under callgrind (bench/LEVERS.md). Native builds
// and tests never set it, so nothing changes for them.
#![cfg_attr(tc3_size, feature(optimize_attribute))]
#![warn(missing_docs)]

pub mod channel;
pub mod client;
pub mod cos;
pub mod cvm;
pub mod endpoint;
pub mod error;
pub mod json;
pub mod tc3;
pub mod text;
pub mod wipe;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, ErrorKind};

// talc instead of std's dlmalloc: measured 1.6 KB gzip smaller (both modules), the same speed
// and the same wasm memory over 1,000,000 calls and mixed-size churn (bench/LEVERS.md).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
