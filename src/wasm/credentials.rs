//! Where a client's credential comes from: a fixed object, or an async provider function
//! (a web console fetching temporary keys from its back end). The provider's cache, the one
//! shared provider call and the bound on waiting for it are decided in
//! `crate::client::call`; the JS driver calls the function. This module reads its answers.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::client::Credentials;
use crate::error::{Error, ErrorKind};
use crate::tc3::Credential;
use crate::text::Cat;
use crate::wipe::Wiping;

#[wasm_bindgen(module = "/js/options.js")]
extern "C" {
    // `catch`: a getter or proxy trap of the provider's answer that throws is a provider
    // failure like any other; unwinding through the wasm frames would leave the client borrowed
    // and every later call of it failing ("recursive use of an object").
    #[wasm_bindgen(catch, js_name = readProvided)]
    fn read_provided_shape(value: &JsValue) -> Result<JsValue, JsValue>;
}

/// The `credential` option's fixed credential (js/options.js checked that both strings are
/// there): its values are checked by `Credential::new`.
#[cfg_attr(tc3_size, optimize(size))]
pub fn fixed(
    secret_id: Option<String>,
    secret_key: Option<String>,
    token: Option<String>,
) -> Result<Credentials, Error> {
    let c = new_credential(secret_id, secret_key, token).map_err(|e| e.with_field("credential"))?;
    Ok(Credentials::Fixed(Rc::new(c)))
}

#[cfg_attr(tc3_size, optimize(size))]
fn new_credential(
    secret_id: Option<String>,
    secret_key: Option<String>,
    token: Option<String>,
) -> Result<Credential, Error> {
    let secret_key = Wiping::new(secret_key.unwrap_or_default());
    let token = Wiping::new(token);
    Credential::new(&secret_id.unwrap_or_default(), &secret_key, token.as_deref())
}

/// What the provider threw (or rejected with) as `Client.CredentialProviderError`.
#[cfg_attr(tc3_size, optimize(size))]
pub fn provider_error(e: &JsValue) -> Error {
    // The provider's own message helps; it is the caller's code, which holds no keys of ours.
    let detail = js_sys::Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string());
    Error::new(
        ErrorKind::CredentialProvider,
        match detail {
            Some(d) => ["the credential provider failed: ", &d].cat(),
            None => "the credential provider failed".to_owned(),
        },
    )
}

/// Reads `{ secretId, secretKey, token, expiredTime }` returned by a provider (its shape
/// checked by js/options.js's `readProvided`).
#[cfg_attr(tc3_size, optimize(size))]
pub fn read_provided(value: JsValue) -> Result<(Credential, Option<u64>), Error> {
    let as_provider_error = |message: &str| {
        Error::new(
            ErrorKind::CredentialProvider,
            ["the credential provider returned ", message].cat(),
        )
    };
    let v = read_provided_shape(&value).map_err(|e| provider_error(&e))?;
    if let Some(message) = v.as_string() {
        return Err(as_provider_error(&message));
    }
    let v: js_sys::Array = v.unchecked_into();
    let credential = new_credential(v.get(0).as_string(), v.get(1).as_string(), v.get(2).as_string())
        .map_err(|e| as_provider_error(e.message()))?;
    let expires = match v.get(3).as_f64() {
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
