//! The JS boundary: everything that touches wasm-bindgen and JS values. It converts and calls
//! the pure core; it makes no decisions of its own. `fetch`, timers and the credential
//! provider are called by the JS driver (js/driver.js), which feeds the call state machine.
//!
//! Without the `client` feature (the sign-only build, `tc3-edge/sign`) only `signRequest`
//! and the error class are exported.

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod cos;
#[cfg(feature = "client")]
mod credentials;
mod errors;
mod js;
mod js_string;
#[cfg(feature = "client")]
mod options;
#[cfg(feature = "client")]
mod quota;
mod sign;
#[cfg(feature = "client")]
mod wait_export;

#[cfg(feature = "client")]
pub use client::CvmClient;
#[cfg(feature = "client")]
pub use quota::SlidingWindow;
pub use sign::sign_request;
