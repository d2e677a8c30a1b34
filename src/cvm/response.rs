//! The API 3.0 response envelope: `{"Response": {...}}` on success and
//! `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` on failure (both HTTP 200).
//!
//! Every way a body can be unusable gets its own error kind, because the caller's next step
//! differs: a truncated body may mean the request ran; an HTML page means a proxy answered.

use crate::error::{Error, ErrorKind};
use crate::json::{self, ParseError, Value};
use crate::text::Cat;

/// Reads a response body. On success returns the `Response` object (which holds `RequestId`).
pub fn parse_envelope(status: u16, body: &str) -> Result<Value, Error> {
    let ok_status = (200..300).contains(&status);
    let value = match json::parse(body) {
        Ok(v) => v,
        Err(e) => {
            if !ok_status {
                return Err(http_status(status));
            }
            return Err(if e == ParseError::Eof {
                Error::new(
                    ErrorKind::TruncatedResponse,
                    [
                        "the response body ended after ",
                        &crate::text::decimal(body.len() as u64),
                        " bytes, in the middle of its JSON; the request may have been executed",
                    ]
                    .cat(),
                )
            } else {
                Error::new(
                    ErrorKind::NonJsonResponse,
                    "the response body is not JSON (a proxy or gateway answered?); the request may have been executed",
                )
            }
            .with_status(status)
            .executed_maybe());
        }
    };
    let response = match value {
        Value::Object(mut top) => match top.iter().rposition(|(k, _)| k == "Response") {
            Some(i) if matches!(top[i].1, Value::Object(_)) => top.swap_remove(i).1,
            _ if !ok_status => return Err(http_status(status)),
            _ => return Err(invalid_response("the response JSON has no \"Response\" object", status)),
        },
        _ if !ok_status => return Err(http_status(status)),
        _ => return Err(invalid_response("the response JSON is not an object", status)),
    };
    let request_id = response.get("RequestId").and_then(Value::as_str).map(str::to_owned);
    if let Some(err) = response.get("Error") {
        let code = err.get("Code").and_then(Value::as_str);
        let message = err.get("Message").and_then(Value::as_str).unwrap_or("");
        return match code {
            Some(code) => Err(Error::api(code.to_owned(), message.to_owned(), request_id).with_status(status)),
            None => Err(invalid_response("Response.Error has no Code", status).with_request_id(request_id)),
        };
    }
    if !ok_status {
        return Err(http_status(status).with_request_id(request_id));
    }
    Ok(response)
}

fn http_status(status: u16) -> Error {
    let e = Error::new(
        ErrorKind::HttpStatus,
        [
            "the server answered HTTP ",
            &crate::text::decimal(status.into()),
            " without an API response",
        ]
        .cat(),
    )
    .with_status(status);
    // 4xx from a gateway means it was refused before reaching the API; 5xx may not be.
    if status >= 500 {
        e.executed_maybe().with_note("the request may have been executed")
    } else {
        e
    }
}

fn invalid_response(what: &str, status: u16) -> Error {
    Error::new(
        ErrorKind::InvalidResponse,
        [what, "; the request may have been executed"].cat(),
    )
    .with_status(status)
    .executed_maybe()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_returns_the_response_object() {
        let r = parse_envelope(200, r#"{"Response":{"TaskId":1,"CosPaths":[],"RequestId":"r-1"}}"#).unwrap();
        assert_eq!(r.get("TaskId").and_then(Value::as_u64), Some(1));
    }

    #[test]
    fn api_error_carries_code_message_and_request_id() {
        let e = parse_envelope(
            200,
            r#"{"Response":{"Error":{"Code":"InvalidImageId.NotFound","Message":"no such image"},"RequestId":"r-2"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            (e.kind(), e.code(), e.message(), e.request_id()),
            (ErrorKind::Api, "InvalidImageId.NotFound", "no such image", Some("r-2"))
        );
    }

    #[test]
    fn each_unusable_body_has_its_own_code() {
        assert_eq!(
            parse_envelope(200, r#"{"Response":{"TaskId":1,"Cos"#)
                .unwrap_err()
                .code(),
            "Client.TruncatedResponse"
        );
        assert_eq!(parse_envelope(200, "").unwrap_err().code(), "Client.TruncatedResponse");
        assert_eq!(
            parse_envelope(200, "<html>oops</html>").unwrap_err().code(),
            "Client.NonJsonResponse"
        );
        assert_eq!(
            parse_envelope(200, r#"{"Other":1}"#).unwrap_err().code(),
            "Client.InvalidResponse"
        );
        assert_eq!(parse_envelope(200, "[1]").unwrap_err().code(), "Client.InvalidResponse");
        assert_eq!(
            parse_envelope(200, r#"{"Response":{"Error":{}}}"#).unwrap_err().code(),
            "Client.InvalidResponse"
        );
        let e = parse_envelope(502, "<html>Bad Gateway</html>").unwrap_err();
        assert_eq!((e.code(), e.status()), ("Client.HttpStatus", Some(502)));
    }

    #[test]
    fn an_api_error_on_a_non_2xx_status_is_still_the_api_error() {
        let e = parse_envelope(
            500,
            r#"{"Response":{"Error":{"Code":"InternalError","Message":"x"},"RequestId":"r"}}"#,
        )
        .unwrap_err();
        assert_eq!((e.code(), e.status()), ("InternalError", Some(500)));
    }
}
