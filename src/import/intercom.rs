//! Intercom conversations, one a record (JSON Lines or a JSON array): the body
//! of `GET /conversations/{id}` — the opening message in `source` (`author`,
//! `body`), then `conversation_parts.conversation_parts`, each with
//! `part_type`, `body` (HTML), `created_at` (epoch seconds) and `author`
//! (`type`: `user`, `lead`, `contact`, `admin`, `team` or `bot`). Parts with
//! no body (assignments, closes) and internal `note`s are left out.

use serde_json::Value;

use super::{conversation, html_text, id_of, role_of, time, ImportError, Imported, Options};
use crate::transcript::Message;

/// One record, parsed, to a conversation.
pub fn convert(source: &str, line: usize, value: Value, options: &Options) -> Imported {
    let value = &value;
    let fail = |field: &str, problem: String| ImportError::new(source, Some(line), problem).at(field);
    let id = value.get("id").and_then(id_of).ok_or_else(|| fail("id", "missing or not an id".into()))?;
    let parts = value.pointer("/conversation_parts/conversation_parts").and_then(Value::as_array);
    let opening = value.get("source").map(|s| ("source".to_owned(), s, value.get("created_at")));
    let rest = parts
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, part)| (format!("conversation_parts.conversation_parts[{i}]"), part, part.get("created_at")));
    let mut messages = Vec::new();
    for (field, part, stamp) in opening.into_iter().chain(rest) {
        let at = |name: &str| format!("{field}.{name}");
        let body = part.get("body").and_then(Value::as_str).map(html_text).filter(|b| !b.is_empty());
        let Some(text) = body else { continue };
        if part.get("part_type").and_then(Value::as_str) == Some("note") {
            continue;
        }
        let author = part
            .pointer("/author/type")
            .and_then(Value::as_str)
            .ok_or_else(|| fail(&at("author.type"), "missing".into()))?;
        let role = role_of(&options.roles, author, source, line, &at("author.type"))?;
        let mut message = Message::new(role, text);
        message.timestamp = time::from_value(stamp.unwrap_or(&Value::Null), options.default_zone.as_ref())
            .map_err(|e| fail(&at("created_at"), e))?;
        messages.push(message);
    }
    Ok(conversation(id, messages))
}
