//! The JS boundary: everything that touches wasm-bindgen, JS values, `fetch` or timers.
//! It converts, calls the pure core, and waits; it makes no decisions of its own.
//!
//! Without the `client` feature (the sign-only build, `tc3-edge/sign`) only `signRequest`
//! and the error class are exported.

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod cos;
#[cfg(feature = "client")]
mod cos_fetch;
#[cfg(feature = "client")]
mod credentials;
mod errors;
#[cfg(feature = "client")]
mod fetch;
mod js;
#[cfg(feature = "client")]
mod js_client;
#[cfg(feature = "client")]
mod options;
mod sign;
mod text;
#[cfg(feature = "client")]
mod wait_export;

#[cfg(feature = "client")]
pub use client::{CallOptionsArg, CvmClient, PayloadArg};
pub use sign::sign_request;
