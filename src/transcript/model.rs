//! The conversation model: a conversation, its messages, who wrote them, and the
//! outcome a labelled record expects. How they are read is in `de`.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

/// One support conversation: who it is with, where, and what was said.
///
/// Read by hand-written visitors (`fields.rs`) so unknown fields can be noted
/// (`sentimnet`: did you mean `sentiment`?) at no cost to the common path.
///
/// `Conversation::default()` is an empty conversation (no id, no messages): a buffer
/// for [`crate::transcript::parse_record_into`], not a record the reader would accept.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Conversation {
    /// The conversation's id, unique within a corpus.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The channel it happened on (`chat`, `email`, ...), when known.
    pub channel: Option<String>,
    /// What is known of the customer (`customer.tier`, ...), any JSON.
    pub customer: Map<String, Value>,
    /// Anything else the bot platform attached (`metadata.order_id`, ...), any JSON.
    pub metadata: Map<String, Value>,
    /// The messages in order, the first being message 1.
    pub messages: Vec<Message>,
    /// The outcome this conversation should get, for scoring a policy against
    /// labelled records (`handoff replay`); evaluation ignores it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expectation>,
}

/// A labelled record's expected outcome: `{"action": "escalate", "queue": "disputes"}`.
/// `queue` is one name or a list of acceptable ones; without it any queue will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The action expected.
    pub action: ExpectedAction,
    /// Acceptable queues, as written; empty means any queue.
    pub queues: Vec<String>,
}

/// What should happen to a labelled conversation. `None` is "stays with the bot":
/// a decision of `none` or a bare `flag` meets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpectedAction {
    /// It should go to a person.
    Escalate,
    /// A person should be offered.
    Offer,
    /// It should stay with the bot.
    None,
}

impl ExpectedAction {
    /// Every expected action, in the order reports show them.
    pub const ALL: [ExpectedAction; 3] = [ExpectedAction::Escalate, ExpectedAction::Offer, ExpectedAction::None];

    /// The action as written in a record: `escalate`, `offer`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectedAction::Escalate => "escalate",
            ExpectedAction::Offer => "offer",
            ExpectedAction::None => "none",
        }
    }
}

impl fmt::Display for Expectation {
    /// `none`, `escalate` (any queue), `escalate:disputes`, `escalate:disputes|fraud`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.action.as_str())?;
        if !self.queues.is_empty() {
            write!(f, ":{}", self.queues.join("|"))?;
        }
        Ok(())
    }
}

impl Serialize for Expectation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("action", &self.action)?;
        match self.queues.as_slice() {
            [] => {}
            [one] => map.serialize_entry("queue", one)?,
            many => map.serialize_entry("queue", many)?,
        }
        map.end()
    }
}

/// One turn of a conversation, with the NLU annotations the bot attached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// What was written.
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// When it was sent, when known.
    pub timestamp: Option<jiff::Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The intent the bot's NLU recognised, when it did.
    pub intent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The NLU's confidence in that intent, 0 to 1.
    pub confidence: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// A sentiment score the platform attached, -1 to 1 (else handoff computes one).
    pub sentiment: Option<f64>,
    /// The entities the NLU found (`order_id`, ...), any JSON.
    pub entities: Map<String, Value>,
}

impl Message {
    /// A message with no timestamp or annotations, as a live service might
    /// build one before handing it to a `Session`.
    pub fn new(role: Role, text: impl Into<String>) -> Message {
        Message {
            role,
            text: text.into(),
            timestamp: None,
            intent: None,
            confidence: None,
            sentiment: None,
            entities: Map::new(),
        }
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The customer.
    Customer,
    /// The bot.
    Bot,
    /// A person (agent) who took over.
    Agent,
    /// The platform itself (a notice, a handover note).
    System,
}

impl Role {
    /// Every role, in the order `customer`, `bot`, `agent`, `system`.
    pub const ALL: [Role; 4] = [Role::Customer, Role::Bot, Role::Agent, Role::System];

    /// The role as written in a conversation.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Bot => "bot",
            Role::Agent => "agent",
            Role::System => "system",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
