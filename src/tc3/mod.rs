//! TC3-HMAC-SHA256, one file per stage of the spec:
//! [`canonical`] → [`string_to_sign`] → [`key`] (derived key and signature) →
//! [`authorization`]; [`signer`] runs them in order and adds the common headers.

pub mod authorization;
pub mod canonical;
pub mod credential;
pub mod date;
pub mod fields;
pub mod key;
pub mod signer;
pub mod string_to_sign;

pub use canonical::{HashedPayload, Method, SignedHeaders};
pub use credential::Credential;
pub use date::UtcDate;
pub use key::{DerivedKeys, SigningKey, SigningKeyCache};
pub use signer::{sign, Language, SignedRequest, SigningParams};
