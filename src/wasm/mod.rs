//! The JS boundary: everything that touches wasm-bindgen, JS values, `fetch` or timers.
//! It converts, calls the pure core, and waits; it makes no decisions of its own.

mod client;
mod credentials;
mod errors;
mod fetch;
mod js;
mod options;
mod sign;
mod text;

pub use client::{CallOptionsArg, CvmClient, PayloadArg};
pub use sign::sign_request;
