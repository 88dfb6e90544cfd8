//! The conversation-level facts a session reads: its attributes and channel.

use serde_json::{Map, Value};

use crate::transcript::Conversation;

/// The conversation-level facts a session reads: attributes and channel.
#[derive(Debug, Clone, Default)]
pub struct Attributes {
    pub channel: Option<String>,
    pub customer: Map<String, Value>,
    pub metadata: Map<String, Value>,
}

impl Attributes {
    pub fn of(conversation: &Conversation) -> Attributes {
        Attributes {
            channel: conversation.channel.clone(),
            customer: conversation.customer.clone(),
            metadata: conversation.metadata.clone(),
        }
    }
}

/// Where a session reads the conversation's attributes and channel: its own
/// [`Attributes`], or a borrowed [`Conversation`] (no copy, for whole-conversation
/// evaluation).
pub trait AttributeSource: Clone + std::fmt::Debug {
    fn channel(&self) -> Option<&str>;
    fn customer(&self) -> &Map<String, Value>;
    fn metadata(&self) -> &Map<String, Value>;
}

impl AttributeSource for Attributes {
    fn channel(&self) -> Option<&str> {
        self.channel.as_deref()
    }
    fn customer(&self) -> &Map<String, Value> {
        &self.customer
    }
    fn metadata(&self) -> &Map<String, Value> {
        &self.metadata
    }
}

impl AttributeSource for &Conversation {
    fn channel(&self) -> Option<&str> {
        self.channel.as_deref()
    }
    fn customer(&self) -> &Map<String, Value> {
        &self.customer
    }
    fn metadata(&self) -> &Map<String, Value> {
        &self.metadata
    }
}

pub(crate) fn lookup<'a>(map: &'a Map<String, Value>, path: &[Box<str>]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut v = map.get(&**first)?;
    for key in rest {
        v = v.as_object()?.get(&**key)?;
    }
    Some(v)
}
