//! The one error type of the crate.
//!
//! Every failure carries a `code`: for validation and API errors it is the SAME code the
//! Tencent Cloud API returns (`InvalidImageId.Malformed`, `AuthFailure.SignatureFailure`, …),
//! so callers handle a locally caught mistake and a server answer alike; for failures that
//! happen on the client side it is `Client.<Kind>`. Messages never contain a SecretKey or
//! token: nothing secret is ever passed to [`Error::new`].

use std::borrow::Cow;

/// What went wrong, broadly. The precise reason is [`Error::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Request parameters rejected before anything was signed or sent.
    Validation,
    /// The API answered with `Response.Error`.
    Api,
    /// SecretId/SecretKey/token missing or unusable.
    InvalidCredential,
    /// A client or signing option is invalid (endpoint, region, language, timestamp, …).
    InvalidOption,
    /// `fetch` failed: no connection, connection reset, DNS, CORS.
    Network,
    /// No answer within `reqTimeout`.
    Timeout,
    /// The call was aborted through its `AbortSignal`.
    Aborted,
    /// `waitForExport` gave up: its `timeout` passed before every file appeared.
    WaitTimeout,
    /// The credential provider function failed or returned something unusable.
    CredentialProvider,
    /// A shared rate limiter (`rateLimit: { acquire }`) refused or did not grant a slot.
    RateLimiter,
    /// The server answered with a non-2xx HTTP status.
    HttpStatus,
    /// The body stopped in the middle of a JSON document.
    TruncatedResponse,
    /// The body is not JSON at all (an HTML error page, say).
    NonJsonResponse,
    /// JSON, but not an API 3.0 response (`Response` missing or of the wrong shape).
    InvalidResponse,
}

impl ErrorKind {
    /// The `Client.*` code of client-side kinds.
    #[cfg_attr(tc3_size, optimize(size))]
    fn client_code(self) -> &'static str {
        match self {
            ErrorKind::Validation => "InvalidParameter",
            ErrorKind::Api => "InternalError",
            ErrorKind::InvalidCredential => "Client.InvalidCredential",
            ErrorKind::InvalidOption => "Client.InvalidOption",
            ErrorKind::Network => "Client.NetworkError",
            ErrorKind::Timeout => "Client.Timeout",
            ErrorKind::Aborted => "Client.Aborted",
            ErrorKind::WaitTimeout => "Client.WaitTimeout",
            ErrorKind::CredentialProvider => "Client.CredentialProviderError",
            ErrorKind::RateLimiter => "Client.RateLimiterError",
            ErrorKind::HttpStatus => "Client.HttpStatus",
            ErrorKind::TruncatedResponse => "Client.TruncatedResponse",
            ErrorKind::NonJsonResponse => "Client.NonJsonResponse",
            ErrorKind::InvalidResponse => "Client.InvalidResponse",
        }
    }
}

/// A typed failure with the API's error code, a message saying what to fix, and where
/// known the offending field, the server's RequestId or the HTTP status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    code: Cow<'static, str>,
    message: String,
    field: Option<String>,
    request_id: Option<String>,
    status: Option<u16>,
    may_have_executed: bool,
}

impl Error {
    /// A client-side error; its code is `Client.<Kind>`.
    // Out of line: an error is built at ~200 places, none of them hot.
    #[inline(never)]
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            code: Cow::Borrowed(kind.client_code()),
            message: message.into(),
            field: None,
            request_id: None,
            status: None,
            may_have_executed: false,
        }
    }

    /// A parameter rejected before sending, with the code the server would have returned.
    // Out of line: an error is built at ~200 places, none of them hot.
    #[inline(never)]
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn validation(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Validation,
            code: Cow::Borrowed(code),
            message: message.into(),
            field: Some(field.into()),
            request_id: None,
            status: None,
            may_have_executed: false,
        }
    }

    /// An error answered by the API (`Response.Error`). `InternalError` means the server
    /// failed somewhere inside, so the action may have run (a task may exist).
    // Out of line: an error is built at ~200 places, none of them hot.
    #[inline(never)]
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn api(code: String, message: String, request_id: Option<String>) -> Self {
        let may_have_executed = code.starts_with("InternalError");
        Error {
            kind: ErrorKind::Api,
            code: Cow::Owned(code),
            message,
            field: None,
            request_id,
            status: None,
            may_have_executed,
        }
    }

    /// Replaces each `secret` in the message (a server or proxy that echoes a header back
    /// must not put the session token into an error). Strings shorter than 8 bytes are left
    /// alone: replacing them would garble the message and point at the secret's characters.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn redact(mut self, secrets: &[&str]) -> Self {
        for secret in secrets.iter().filter(|s| s.len() >= 8) {
            if crate::text::find(&self.message, secret).is_some() {
                self.message = crate::text::replace(&self.message, secret, "** redacted **");
            }
        }
        self
    }

    /// Attaches the HTTP status the error arrived with.
    #[inline(never)]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Marks the error as one after which the server may have executed the request
    /// (a timeout, a reset connection, an unreadable answer): a non-idempotent call such as
    /// ExportImages is then not resent.
    #[inline(never)]
    pub fn executed_maybe(mut self) -> Self {
        self.may_have_executed = true;
        self
    }

    /// Attaches the RequestId the server gave, if any.
    #[inline(never)]
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        if request_id.is_some() {
            self.request_id = request_id;
        }
        self
    }

    /// The broad category.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// The API error code (or `Client.<Kind>`).
    pub fn code(&self) -> &str {
        &self.code
    }
    /// A readable explanation; for validation errors, what to fix.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The request field at fault (validation errors).
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }
    /// The server's RequestId (API errors; also kept for response errors when readable).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// The HTTP status, when the error came with a response.
    pub fn status(&self) -> Option<u16> {
        self.status
    }
    /// True when the server may have executed the request although the call failed.
    pub fn may_have_executed(&self) -> bool {
        self.may_have_executed
    }

    /// Adds a clause to the message (e.g. why the call was not retried): after a full stop
    /// as a new sentence, otherwise after a semicolon. `note` is a lowercase clause.
    #[cfg_attr(tc3_size, optimize(size))]
    pub fn with_note(mut self, note: &str) -> Self {
        let mut chars = note.chars();
        match (
            crate::text::ends_with_any(self.message.trim_ascii_end(), b".!?"),
            chars.next(),
        ) {
            (_, None) => {}
            (true, Some(first)) => {
                self.message.push(' ');
                self.message.push(first.to_ascii_uppercase());
                self.message.push_str(chars.as_str());
                self.message.push('.');
            }
            (false, Some(_)) => {
                self.message.push_str("; ");
                self.message.push_str(note);
            }
        }
        self
    }

    /// Names the option or field at fault (for options: its path, e.g.
    /// `options.profile.httpProfile.endpoint`).
    #[cfg_attr(tc3_size, optimize(size))]
    #[inline(never)]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Replaces the message (a check's error reworded for where the value came from).
    #[cfg_attr(tc3_size, optimize(size))]
    #[inline(never)]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }
}

impl core::fmt::Display for Error {
    #[cfg_attr(tc3_size, optimize(size))]
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (RequestId: {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_error_may_have_executed_and_echoed_secrets_are_redacted() {
        let e = Error::api("InternalError".into(), "x".into(), None);
        assert!(e.may_have_executed());
        assert!(!Error::api("InvalidImageId.NotFound".into(), "x".into(), None).may_have_executed());
        let e = Error::api(
            "AuthFailure.TokenFailure".into(),
            "bad token tok-ABCDEFGH1234".into(),
            None,
        )
        .redact(&["tok-ABCDEFGH1234", "short"]);
        assert_eq!(e.message(), "bad token ** redacted **");
    }

    #[test]
    fn notes_join_as_clauses_or_sentences() {
        let e = Error::new(ErrorKind::Network, "fetch failed").with_note("the request may have been executed");
        assert_eq!(e.message(), "fetch failed; the request may have been executed");
        let e = Error::api("InternalError".into(), "Retry your request.".into(), None).with_note("not retried: X");
        assert_eq!(e.message(), "Retry your request. Not retried: X.");
    }
}
