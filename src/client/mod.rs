//! Pure client decisions: endpoint parsing and configuration, retry policy, clock-skew
//! correction, the rate limiter, credential expiry, the call itself as a state machine
//! ([`call`]), and waiting for an export's files in COS ([`wait_export`]). Nothing here touches
//! JS, the clock or the network: times and random draws come in as arguments.

pub mod call;
pub mod clock;
pub mod config;
pub mod cos_reply;
pub mod credentials;
pub mod export_json;
pub mod failover;
pub mod limiter;
pub mod observe;
pub mod redirect;
pub mod retry;
pub mod transport;
pub mod wait_export;
pub mod wait_job;

pub use crate::endpoint::Endpoint;
pub use call::{Action, Call, Client, CredentialNeed, Credentials, Event, Limiter, Now, Shape};
pub use clock::ClockSkew;
pub use config::{check_action, prepare_export_images, ClientConfig, ClientOptions, REQUEST_CLIENT};
pub use limiter::RateLimiter;
pub use retry::{Decision, RetryPolicy};
