//! ABCD (Action-Based Conversations Dataset, asappresearch/abcd) records: a
//! JSON array (or JSON Lines) of `{"convo_id": 3592, "scenario": {...},
//! "original": [["agent", "Hi!"], ["customer", "..."], ["action", "..."]]}`.
//! The scenario's `flow` and `subflow` become metadata, the customer's
//! `member_level` a customer attribute; ABCD has no timestamps.

use serde_json::Value;

use super::{conversation, id_of, role_of, ImportError, Imported, Options};
use crate::transcript::Message;

/// One record, parsed, to a conversation.
pub fn convert(source: &str, line: usize, value: Value, options: &Options) -> Imported {
    let value = &value;
    let fail = |field: &str, problem: &str| ImportError::new(source, Some(line), problem).at(field);
    let id = value.get("convo_id").and_then(id_of).ok_or_else(|| fail("convo_id", "missing or not an id"))?;
    let turns = value
        .get("original")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("original", "missing or not a list of [speaker, text] pairs"))?;
    let mut messages = Vec::with_capacity(turns.len());
    for (index, turn) in turns.iter().enumerate() {
        let field = format!("original[{index}]");
        let (Some(speaker), Some(text)) = (turn.get(0).and_then(Value::as_str), turn.get(1).and_then(Value::as_str))
        else {
            return Err(fail(&field, "is not a [speaker, text] pair"));
        };
        let role = role_of(&options.roles, speaker, source, line, &format!("{field}[0]"))?;
        messages.push(Message::new(role, text));
    }
    let mut converted = conversation(id, messages);
    let scenario = value.get("scenario");
    for key in ["flow", "subflow"] {
        if let Some(found) = scenario.and_then(|s| s.get(key)).filter(|v| v.is_string()) {
            converted.metadata.insert(key.to_owned(), found.clone());
        }
    }
    if let Some(level) = scenario.and_then(|s| s.pointer("/personal/member_level")).filter(|v| v.is_string()) {
        converted.customer.insert("member_level".to_owned(), level.clone());
    }
    Ok(converted)
}
