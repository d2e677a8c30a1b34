//! Where a client's credential comes from: a fixed object, or an async provider function
//! (a web console fetching temporary keys from its back end). The provider's cache, the one
//! shared provider call and the bound on waiting for it are decided in
//! `crate::client::call`; the JS driver calls the function. This module reads its answers.

use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::options::{credential, Props};
use crate::client::Credentials;
use crate::error::{Error, ErrorKind};
use crate::tc3::Credential;

/// From the `credential` option: a fixed credential, or a provider (and its function).
pub fn from_option(value: JsValue) -> Result<(Credentials, Option<Function>), Error> {
    if let Some(function) = value.dyn_ref::<Function>() {
        return Ok((Credentials::Provider(Default::default()), Some(function.clone())));
    }
    let p = Props::new(value, "options.credential", false)?;
    p.only(&["secretId", "secretKey", "token"])?;
    Ok((Credentials::Fixed(Rc::new(credential(&p)?)), None))
}

/// What the provider threw (or rejected with) as `Client.CredentialProviderError`.
pub fn provider_error(e: &JsValue) -> Error {
    // The provider's own message helps; it is the caller's code, which holds no keys of ours.
    let detail = js_sys::Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string());
    Error::new(
        ErrorKind::CredentialProvider,
        match detail {
            Some(d) => ["the credential provider failed: ", &d].concat(),
            None => "the credential provider failed".to_owned(),
        },
    )
}

/// Reads `{ secretId, secretKey, token, expiredTime }` returned by a provider.
pub fn read_provided(value: JsValue) -> Result<(Credential, Option<u64>), Error> {
    let as_provider_error = |e: Error| {
        Error::new(
            ErrorKind::CredentialProvider,
            ["the credential provider returned ", e.message()].concat(),
        )
    };
    let p = Props::new(value, "credentials", false).map_err(as_provider_error)?;
    let credential = credential(&p).map_err(as_provider_error)?;
    let expires = match p.number("expiredTime").map_err(as_provider_error)? {
        None => None,
        Some(t) if t.is_finite() && t > 0.0 && t < 1e11 => Some(t as u64),
        Some(_) => {
            return Err(Error::new(
                ErrorKind::CredentialProvider,
                "the credential provider returned an expiredTime that is not Unix seconds",
            ))
        }
    };
    Ok((credential, expires))
}
