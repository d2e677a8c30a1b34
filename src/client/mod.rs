//! Pure client decisions: endpoint parsing and configuration (and, later, retry, clock-skew
//! and rate-limit policies). Nothing here touches JS, the clock or the network.

pub mod config;
pub mod endpoint;

pub use config::{
    check_action, prepare_export_images, ClientConfig, ClientOptions, REQUEST_CLIENT,
};
pub use endpoint::Endpoint;
