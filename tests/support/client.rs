//! A `Client` for the native tests that drive the client's sans-IO machines directly (without
//! the wasm boundary that assembles one in `CvmClient::new`). Included by a test crate as
//! `mod support { pub mod client; }`: cargo builds only `tests/*.rs` as test crates.

use tc3_edge::client::{Client, ClientConfig, ClientOptions, ClockSkew, Credentials, RetryPolicy};
use tc3_edge::tc3::SigningKeyCache;

/// A client for `options` and `credentials`: the default retry policy, no rate limit, no clock
/// skew, no failover state, an empty signing-key cache.
pub fn client(options: &ClientOptions, credentials: Credentials) -> Client {
    Client {
        config: ClientConfig::new(options).unwrap(),
        retry: RetryPolicy::default(),
        limiter: None.into(),
        clock: ClockSkew::default(),
        keys: SigningKeyCache::new(),
        credentials,
        failover: Default::default(),
    }
}
