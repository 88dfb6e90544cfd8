//! The five rules written by hand in Rust, the bar the engines are measured
//! against: once over borrowed typed structs (serde borrows every string that
//! needs no unescaping), once over `serde_json::Value`. Both share the rules
//! through `Said`, so only the reading differs.
//!
//! A decision is the set of rules that hold on the finished conversation, as a
//! bit mask in the order of `RULES`.

use std::borrow::Cow;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// The rules, in bit order.
pub const RULES: [&str; 5] = ["person_asked", "dispute", "bot_repeats", "bot_confused", "upset"];

/// Rule 1, over the latest customer message.
pub const PERSON: &str = r"(?i)\b(human|real person|agent|representative|someone)\b";
/// Rule 2, over every customer message.
pub const DISPUTE: &str = r"(?i)dispute|charge ?back|unauthori[sz]ed";
/// Rule 4: two bot messages containing it.
pub const NOT_UNDERSTOOD: &str = "didn't understand";
/// Rule 5: the mean annotated sentiment of the latest three customer messages is below it.
pub const UPSET_BELOW: f64 = -0.42;

/// A finished conversation, borrowing its texts from the line.
#[derive(Deserialize, Serialize)]
pub struct Conversation<'a> {
    #[serde(borrow)]
    pub messages: Vec<Message<'a>>,
}

#[derive(Deserialize, Serialize)]
pub struct Message<'a> {
    pub role: Role,
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<f64>,
}

/// The roles the rules tell apart; agents and system messages are `Other`.
#[derive(Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Customer,
    Bot,
    #[serde(other)]
    Other,
}

/// What the rules read of a message, however it was parsed.
pub trait Said {
    fn role(&self) -> Option<Role>;
    fn text(&self) -> &str;
    fn sentiment(&self) -> Option<f64>;
}

impl Said for Message<'_> {
    fn role(&self) -> Option<Role> {
        Some(self.role)
    }
    fn text(&self) -> &str {
        &self.text
    }
    fn sentiment(&self) -> Option<f64> {
        self.sentiment
    }
}

impl Said for serde_json::Value {
    fn role(&self) -> Option<Role> {
        Some(match self.get("role")?.as_str()? {
            "customer" => Role::Customer,
            "bot" => Role::Bot,
            _ => Role::Other,
        })
    }
    fn text(&self) -> &str {
        self.get("text").and_then(serde_json::Value::as_str).unwrap_or("")
    }
    fn sentiment(&self) -> Option<f64> {
        self.get("sentiment")?.as_f64()
    }
}

/// The rules, compiled once.
pub struct Reference {
    person: Regex,
    dispute: Regex,
}

impl Reference {
    pub fn new() -> Reference {
        Reference { person: Regex::new(PERSON).unwrap(), dispute: Regex::new(DISPUTE).unwrap() }
    }

    /// The five rules on the finished conversation.
    pub fn decide<M: Said>(&self, messages: &[M]) -> u8 {
        let is = |m: &&M, role: Role| m.role() == Some(role);
        let mut mask = 0;
        if messages.iter().rev().find(|m| is(m, Role::Customer)).is_some_and(|m| self.person.is_match(m.text())) {
            mask |= 1;
        }
        if messages.iter().filter(|m| is(m, Role::Customer)).any(|m| self.dispute.is_match(m.text())) {
            mask |= 1 << 1;
        }
        let bot: Vec<&str> = messages.iter().filter(|m| is(m, Role::Bot)).map(Said::text).collect();
        if bot.iter().enumerate().any(|(i, text)| bot[..i].contains(text)) {
            mask |= 1 << 2;
        }
        if bot.iter().filter(|text| text.contains(NOT_UNDERSTOOD)).count() >= 2 {
            mask |= 1 << 3;
        }
        let (sum, n) = messages
            .iter()
            .rev()
            .filter(|m| is(m, Role::Customer))
            .take(3)
            .fold((0.0, 0u32), |(sum, n), m| (sum + m.sentiment().unwrap_or(0.0), n + 1));
        if n > 0 && sum / f64::from(n) < UPSET_BELOW {
            mask |= 1 << 4;
        }
        mask
    }

    /// Reading into borrowed typed structs, then the rules.
    pub fn decide_typed(&self, line: &str) -> Result<u8, String> {
        let conversation: Conversation = serde_json::from_str(line).map_err(|e| e.to_string())?;
        Ok(self.decide(&conversation.messages))
    }

    /// Reading into `serde_json::Value`, then the rules.
    pub fn decide_value(&self, line: &str) -> Result<u8, String> {
        let value: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let messages = value.get("messages").and_then(serde_json::Value::as_array).ok_or("no messages")?;
        Ok(self.decide(messages))
    }
}
