//! Zendesk ticket comments, one ticket a record (JSON Lines or a JSON array):
//! the body of `GET /api/v2/tickets/{id}/comments?include=users` — `comments`
//! (`author_id`, `plain_body` or `body`, `public`, `created_at`) and the
//! side-loaded `users` (`id`, `role`: `end-user`, `agent`, `admin`) — with the
//! ticket as `ticket` (the `GET /api/v2/tickets/{id}` object) or its id as
//! `ticket_id`. Private comments (internal notes the customer never saw) are
//! left out. Without `users`, the ticket's `requester_id` is the customer and
//! every other author an agent.

use serde_json::Value;

use super::{conversation, id_of, role_of, time, ImportError, Imported, Options};
use crate::transcript::Message;

/// One record, parsed, to a conversation.
pub fn convert(source: &str, line: usize, value: Value, options: &Options) -> Imported {
    let value = &value;
    let fail = |field: &str, problem: String| ImportError::new(source, Some(line), problem).at(field);
    let ticket = value.get("ticket");
    let id = ticket.and_then(|t| t.get("id")).or_else(|| value.get("ticket_id")).and_then(id_of).ok_or_else(|| {
        fail("ticket_id", "missing: give the ticket as \"ticket\" or its id as \"ticket_id\"".into())
            .with_help("the comments response does not carry its ticket's id; add it when exporting")
    })?;
    let comments = value
        .get("comments")
        .and_then(Value::as_array)
        .ok_or_else(|| fail("comments", "missing or not a list".into()))?;
    let requester = ticket.and_then(|t| t.get("requester_id"));
    let users = value.get("users").and_then(Value::as_array);
    let mut messages = Vec::with_capacity(comments.len());
    for (index, comment) in comments.iter().enumerate() {
        let field = |name: &str| format!("comments[{index}].{name}");
        if comment.get("public").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let author = comment.get("author_id").ok_or_else(|| fail(&field("author_id"), "missing".into()))?;
        let role_name = match users.and_then(|users| users.iter().find(|u| u.get("id") == Some(author))) {
            Some(user) => user.get("role").and_then(Value::as_str).unwrap_or("end-user").to_owned(),
            None if users.is_some() => {
                return Err(fail(&field("author_id"), format!("{author} is not among the side-loaded users")))
            }
            None if Some(author) == requester => "end-user".to_owned(),
            None => "agent".to_owned(),
        };
        let role = role_of(&options.roles, &role_name, source, line, &field("author_id"))?;
        let text =
            match (comment.get("plain_body").and_then(Value::as_str), comment.get("body").and_then(Value::as_str)) {
                (Some(plain), _) => plain.to_owned(),
                (None, Some(body)) => body.to_owned(),
                (None, None) => return Err(fail(&field("body"), "missing: neither plain_body nor body".into())),
            };
        let mut message = Message::new(role, text);
        let stamp = comment.get("created_at").unwrap_or(&Value::Null);
        message.timestamp =
            time::from_value(stamp, options.default_zone.as_ref()).map_err(|e| fail(&field("created_at"), e))?;
        messages.push(message);
    }
    let mut converted = conversation(id, messages);
    let channel = ticket
        .and_then(|t| t.pointer("/via/channel"))
        .or_else(|| comments.first().and_then(|c| c.pointer("/via/channel")))
        .and_then(Value::as_str);
    converted.channel = channel.map(str::to_owned);
    Ok(converted)
}
