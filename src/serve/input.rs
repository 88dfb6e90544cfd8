//! Request bodies: read within the size limit, parsed as JSON, then shaped into
//! conversations and messages, every problem naming the field at fault.
//!
//! `POST /v1/evaluate` takes `{"conversation": {...}, "context": {...}}` (context
//! optional) or a bare conversation. `POST /v1/conversations/{id}/messages`
//! takes `{"message": {...}, "channel": ..., "customer": {...}, "metadata":
//! {...}, "context": {...}}` (all but `message` optional) or a bare message.

use axum::body::{Body, Bytes};
use axum::http::HeaderMap;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::errors::ApiError;
use crate::eval::{Attributes, Context};
use crate::transcript::{noting_unknown_fields, Conversation, Message, UnknownField};

/// Reads the whole body, refusing it as soon as it passes `limit` bytes or
/// `timeout` (a slow sender must not hold a connection and its buffer forever).
pub async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    timeout: std::time::Duration,
) -> Result<Bytes, ApiError> {
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::body_too_large(limit));
    }
    let limited = http_body_util::Limited::new(body, limit);
    let Ok(collected) = tokio::time::timeout(timeout, http_body_util::BodyExt::collect(limited)).await else {
        let message = format!("the body did not arrive within {} ms", timeout.as_millis());
        return Err(ApiError::new(axum::http::StatusCode::REQUEST_TIMEOUT, "body_timeout", message));
    };
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => {
            Err(ApiError::body_too_large(limit))
        }
        Err(e) => Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "body_unreadable",
            format!("the body could not be read: {e}"),
        )),
    }
}

/// A whole conversation to decide on, and the context to decide in.
#[derive(Debug)]
pub struct EvaluateRequest {
    pub conversation: Conversation,
    pub context: Option<Context>,
    /// Where the conversation sits in the body: `conversation.` or nothing.
    pub prefix: &'static str,
    /// Fields the conversation schema does not know (ignored), as
    /// `conversation.messages[0].sentimnet: unknown field ...; did you mean ...`.
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluateEnvelope {
    conversation: Conversation,
    #[serde(default)]
    context: Option<Context>,
}

pub fn evaluate_request(bytes: &[u8]) -> Result<EvaluateRequest, ApiError> {
    let value = json_object(bytes)?;
    if value.contains_key("conversation") {
        let (envelope, unknown) = noting_unknown_fields(|| typed::<EvaluateEnvelope>(Value::Object(value), ""));
        let envelope = envelope?;
        let context = envelope.context.map(checked_context).transpose()?;
        let warnings = warnings("conversation.", &unknown);
        Ok(EvaluateRequest { conversation: envelope.conversation, context, prefix: "conversation.", warnings })
    } else {
        let (conversation, unknown) = noting_unknown_fields(|| typed::<Conversation>(Value::Object(value), ""));
        Ok(EvaluateRequest { conversation: conversation?, context: None, prefix: "", warnings: warnings("", &unknown) })
    }
}

/// Unknown fields as the response's `warnings`, each path under `prefix`.
fn warnings(prefix: &str, unknown: &[UnknownField]) -> Vec<String> {
    unknown
        .iter()
        .map(|field| {
            let renamed = UnknownField { path: join(prefix, &field.path), ..field.clone() };
            renamed.to_string()
        })
        .collect()
}

/// One message for a live session, and what the first message may say about
/// the conversation.
#[derive(Debug)]
pub struct MessageRequest {
    pub message: Message,
    pub channel: Option<String>,
    pub customer: Option<Map<String, Value>>,
    pub metadata: Option<Map<String, Value>>,
    pub context: Option<Context>,
    /// Fields the message schema does not know (ignored), path under `message.`.
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageEnvelope {
    message: Message,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    customer: Option<Map<String, Value>>,
    #[serde(default)]
    metadata: Option<Map<String, Value>>,
    #[serde(default)]
    context: Option<Context>,
}

impl MessageRequest {
    /// The attributes a new session starts with (absent ones are empty).
    pub fn attributes(&self) -> Attributes {
        Attributes {
            channel: self.channel.clone(),
            customer: self.customer.clone().unwrap_or_default(),
            metadata: self.metadata.clone().unwrap_or_default(),
        }
    }
}

pub fn message_request(bytes: &[u8]) -> Result<MessageRequest, ApiError> {
    let value = json_object(bytes)?;
    if value.contains_key("message") {
        let (e, unknown) = noting_unknown_fields(|| typed::<MessageEnvelope>(Value::Object(value), ""));
        let e = e?;
        let context = e.context.map(checked_context).transpose()?;
        Ok(MessageRequest {
            message: e.message,
            channel: e.channel,
            customer: e.customer,
            metadata: e.metadata,
            context,
            warnings: warnings("message.", &unknown),
        })
    } else {
        let (message, unknown) = noting_unknown_fields(|| typed::<Message>(Value::Object(value), ""));
        let warnings = warnings("", &unknown);
        Ok(MessageRequest { message: message?, channel: None, customer: None, metadata: None, context: None, warnings })
    }
}

/// The body as a JSON object; anything else is the client's syntax error.
fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_json("the body is empty; expected a JSON object"));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::invalid_json(format!("expected a JSON object, found {}", kind(&other)))),
        Err(e) => Err(ApiError::invalid_json(format!("invalid JSON: {e}"))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Shapes a JSON value into `T`, naming the field at fault (under `prefix`).
fn typed<T: DeserializeOwned>(value: Value, prefix: &str) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = e.inner().to_string();
        let joined = join(prefix, &path);
        match missing_field(&message) {
            Some(name) => ApiError::missing_field(join(&joined, name), message),
            None => ApiError::invalid_field(joined, message),
        }
    })
}

/// serde names a missing field only in its message; the path stops at its parent.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

pub fn join(prefix: &str, path: &str) -> String {
    match (prefix.trim_end_matches('.'), path) {
        ("", p) => p.to_string(),
        (pre, "") => pre.to_string(),
        (pre, p) if p.starts_with('[') => format!("{pre}{p}"),
        (pre, p) => format!("{pre}.{p}"),
    }
}

fn checked_context(context: Context) -> Result<Context, ApiError> {
    context.validate().map_err(|e| ApiError::invalid_field(join("context", &e.field), e.reason))?;
    Ok(context)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_and_wrapped_conversations() {
        let bare = br#"{"id":"c","messages":[{"role":"customer","text":"hi"}]}"#;
        let r = evaluate_request(bare).unwrap();
        assert_eq!((r.conversation.id.as_str(), r.prefix, r.context.is_none()), ("c", "", true));
        let wrapped = br#"{"conversation":{"id":"c","messages":[]},"context":{"timezone":"Europe/Paris"}}"#;
        let r = evaluate_request(wrapped).unwrap();
        assert_eq!(r.prefix, "conversation.");
        assert_eq!(r.context.unwrap().timezone.as_deref(), Some("Europe/Paris"));
    }

    #[test]
    fn errors_name_the_field() {
        let e =
            evaluate_request(br#"{"conversation":{"id":"c","messages":[{"role":"robot","text":"x"}]}}"#).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("invalid_field", Some("conversation.messages[0].role")));
        assert!(e.message.contains("robot"), "{}", e.message);
        let e = evaluate_request(br#"{"id":"c","messages":[{"role":"bot"}]}"#).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("missing_field", Some("messages[0].text")));
        let e = evaluate_request(br#"{"conversation":{"id":"c","messages":[]},"context":{"timezone":"Mars/Base"}}"#)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("context.timezone"));
        let e = message_request(br#"{"message":{"role":"bot","text":"x"},"costumer":{}}"#).unwrap_err();
        assert_eq!(e.code, "invalid_field");
        assert!(e.message.contains("costumer"), "{}", e.message);
        let e = message_request(b"[1,2]").unwrap_err();
        assert_eq!((e.code, e.field), ("invalid_json", None));
        let e = message_request(b"{\"role\":").unwrap_err();
        assert_eq!(e.code, "invalid_json");
        let e = message_request(b"  ").unwrap_err();
        assert_eq!(e.code, "invalid_json");
    }

    #[test]
    fn unknown_fields_are_warnings() {
        let body = br#"{"conversation":{"id":"c","messages":[{"role":"customer","text":"x","sentimnet":-0.9}]}}"#;
        let r = evaluate_request(body).unwrap();
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].starts_with("conversation.messages[0].sentimnet:"), "{}", r.warnings[0]);
        assert!(r.warnings[0].contains("did you mean `sentiment`?"), "{}", r.warnings[0]);
        let r = message_request(br#"{"role":"customer","text":"x","intnet":"refund"}"#).unwrap();
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].starts_with("intnet:") && r.warnings[0].contains("`intent`"), "{}", r.warnings[0]);
        let r = evaluate_request(br#"{"id":"c","messages":[]}"#).unwrap();
        assert!(r.warnings.is_empty());
    }

    #[test]
    fn joins_paths() {
        assert_eq!(join("conversation.", "messages[3].role"), "conversation.messages[3].role");
        assert_eq!(join("", "role"), "role");
        assert_eq!(join("message.", ""), "message");
        assert_eq!(join("a", "[2]"), "a[2]");
    }
}
