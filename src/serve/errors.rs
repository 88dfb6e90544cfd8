//! Errors a request can meet, as values that render to one JSON shape:
//! `{"error": {"code": "...", "message": "...", "field": "messages[3].role"}}`.
//!
//! A client's mistake is always a 4xx; only the server's own failures are 5xx.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One failed request: the status, a stable code, a sentence and, when one
/// value is at fault, the path to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), field: None }
    }

    pub fn at(mut self, field: impl Into<String>) -> ApiError {
        let field = field.into();
        self.field = (!field.is_empty()).then_some(field);
        self
    }

    /// The body is not JSON at all.
    pub fn invalid_json(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", message)
    }

    /// The body is JSON, but a value in it is wrong.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message).at(field)
    }

    pub fn missing_field(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "missing_field", message).at(field)
    }

    pub fn body_too_large(limit: usize) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("the body is over {limit} bytes"))
    }

    pub fn too_many_messages(field: impl Into<String>, limit: u32) -> ApiError {
        let message = format!("a conversation may have at most {limit} messages");
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "too_many_messages", message).at(field)
    }

    /// A live conversation would hold more than `--max-session-bytes`.
    pub fn session_too_large(estimate: usize, limit: usize) -> ApiError {
        let message = format!(
            "this conversation would hold about {estimate} bytes, more than the {limit} bytes one conversation may \
             hold here (--max-session-bytes); send fewer or smaller attributes or messages, \
             or end the conversation and start a new one"
        );
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "session_too_large", message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid bearer token is required")
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conversation_started", message).at(field)
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: &'a ApiError,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_string(&Envelope { error: &self }).unwrap_or_else(|_| {
            r#"{"error":{"code":"internal","message":"the error could not be rendered"}}"#.to_string()
        });
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response.extensions_mut().insert(self);
        response
    }
}
