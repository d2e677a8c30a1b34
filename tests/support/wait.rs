//! What the export-wait tests (`wait_job`, `proptest_wait_job`) share: the client they wait with
//! and the COS replies they feed. Needs `support::client` beside it.

use std::rc::Rc;

use tc3_edge::client::cos_reply::CosReply;
use tc3_edge::client::{Client, ClientOptions, Credentials};
use tc3_edge::tc3::Credential;

use super::client::client as client_for;

/// A client in `ap-guangzhou` with fixed credentials (`AKIDtest`, `secret`, `token`), or with a
/// credential provider when `provider`.
pub fn client(provider: bool, secret: &str, token: &str) -> Client {
    let options = ClientOptions {
        region: Some("ap-guangzhou"),
        ..Default::default()
    };
    let credentials = if provider {
        Credentials::Provider(Default::default())
    } else {
        Credentials::Fixed(Rc::new(Credential::new("AKIDtest", secret, Some(token)).unwrap()))
    };
    client_for(&options, credentials)
}

/// A COS answer with `status` and `body`, for a 7-byte object with an ETag and a date.
pub fn reply(status: u16, body: &'static str) -> CosReply<'static> {
    CosReply {
        status,
        content_length: Some("7"),
        content_range: None,
        etag: Some("\"e\""),
        last_modified: Some("Wed, 27 Nov 2024 01:02:03 GMT"),
        request_id: None,
        date: None,
        body,
    }
}
