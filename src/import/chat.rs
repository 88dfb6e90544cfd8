//! Chat-completion transcripts, one per JSON Lines line: `{"id": ...,
//! "messages": [{"role": "user", "content": "..."}]}` (as OpenAI-style APIs
//! and most LLM stacks log them) or a bare array of such messages. `content`
//! is a string or a list of parts (`{"type": "text", "text": ...}`); a message
//! with no text (a tool call) is left out. `customer`, `metadata` and
//! `channel` beside `messages` are kept.

use serde_json::Value;

use super::{conversation, id_of, role_of, time, ImportError, Imported, Options};
use crate::transcript::Message;

/// One record, parsed, to a conversation.
pub fn convert(source: &str, line: usize, value: Value, options: &Options) -> Imported {
    let fail = |field: &str, problem: String| ImportError::new(source, Some(line), problem).at(field);
    let (mut object, messages, prefix) = match value {
        Value::Array(messages) => (serde_json::Map::new(), messages, ""),
        Value::Object(mut object) => match object.remove("messages") {
            Some(Value::Array(messages)) => (object, messages, "messages"),
            Some(_) => return Err(fail("messages", "is not a list of messages".into())),
            None => {
                return Err(fail("messages", "missing: a record is {\"id\": ..., \"messages\": [...]}".into())
                    .with_help("each line holds one conversation's messages, as an object or a bare array"))
            }
        },
        _ => {
            return Err(ImportError::new(
                source,
                Some(line),
                "a record is an object with messages, or an array of messages",
            ))
        }
    };
    let id = match object.remove("id") {
        Some(value) => {
            id_of(&value).ok_or_else(|| fail("id", format!("{value} is not an id (a non-empty string or a number)")))?
        }
        None => format!("{}:{line}", source.rsplit('/').next().unwrap_or(source)),
    };
    let mut read = Vec::with_capacity(messages.len());
    for (index, message) in messages.into_iter().enumerate() {
        let path = |field: &str| {
            if prefix.is_empty() {
                format!("[{index}].{field}")
            } else {
                format!("{prefix}[{index}].{field}")
            }
        };
        let Value::Object(message) = message else {
            return Err(fail(&path("role").replace(".role", ""), "is not a message object".into()));
        };
        let role_name = message
            .get("role")
            .and_then(Value::as_str)
            .ok_or_else(|| fail(&path("role"), "missing or not a string".into()))?;
        let role = role_of(&options.roles, role_name, source, line, &path("role"))?;
        let Some(text) = content_text(message.get("content").unwrap_or(&Value::Null)) else {
            continue;
        };
        let mut out = Message::new(role, text);
        let stamp = message.get("timestamp").or_else(|| message.get("created_at")).unwrap_or(&Value::Null);
        out.timestamp =
            time::from_value(stamp, options.default_zone.as_ref()).map_err(|e| fail(&path("timestamp"), e))?;
        read.push(out);
    }
    let mut converted = conversation(id, read);
    if let Some(Value::String(channel)) = object.remove("channel") {
        converted.channel = Some(channel);
    }
    if let Some(Value::Object(customer)) = object.remove("customer") {
        converted.customer = customer;
    }
    if let Some(Value::Object(metadata)) = object.remove("metadata") {
        converted.metadata = metadata;
    }
    Ok(converted)
}

/// A message's text: a string, or the text parts of a list joined by newlines.
fn content_text(content: &Value) -> Option<String> {
    match content {
        Value::String(text) => Some(text.clone()),
        Value::Array(parts) => {
            let texts: Vec<&str> = parts
                .iter()
                .filter_map(|part| match part {
                    Value::String(text) => Some(text.as_str()),
                    Value::Object(part) => part.get("text").and_then(Value::as_str),
                    _ => None,
                })
                .collect();
            (!texts.is_empty()).then(|| texts.join("\n"))
        }
        _ => None,
    }
}
