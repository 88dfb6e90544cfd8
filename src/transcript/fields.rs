//! Reading a conversation's and a message's fields by hand, so a field the
//! schema does not know is noted (`sentimnet`: did you mean `sentiment`?)
//! instead of silently ignored, and a bare array of messages gets an error
//! saying what the top level must be.
//!
//! Known keys cost what serde's derive costs (one string match); only an
//! unknown key touches the thread-local list, and only while a caller
//! collects ([`noting_unknown_fields`]).

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::de::{fail, Bounded, IdSeed, Optional, TimestampSeed};
use super::error::TranscriptErrorKind;
use super::model::{Conversation, Expectation, Message, Role};

/// The fields of a conversation, in the order the schema documents them.
pub const CONVERSATION_FIELDS: &[&str] = &["id", "channel", "customer", "metadata", "messages", "expect"];

/// The fields of a message, in the order the schema documents them.
pub const MESSAGE_FIELDS: &[&str] = &["role", "text", "timestamp", "intent", "confidence", "sentiment", "entities"];

/// A field the conversation schema does not know, which the reader ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownField {
    /// Where it sits in the conversation, like `messages[3].sentimnet`.
    pub path: String,
    /// The key as written.
    pub field: String,
    /// The known field it is probably a misspelling of.
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for UnknownField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: unknown field `{}` is ignored", self.path, self.field)?;
        if let Some(known) = self.suggestion {
            write!(f, "; did you mean `{known}`?")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownField {}

impl miette::Diagnostic for UnknownField {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("handoff::transcript::unknown_field"))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(match self.suggestion {
            Some(_) => "a rule reading the misspelled field never fires; fix the spelling at the source",
            None => "the policy cannot read it; put custom data under customer or metadata (messages: entities)",
        }))
    }
}

thread_local! {
    /// `Some` while a caller collects unknown fields on this thread.
    static COLLECTED: RefCell<Option<Vec<UnknownField>>> = const { RefCell::new(None) };
    /// The index of the message being read, for the path of its unknown fields.
    static MESSAGE_INDEX: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Runs `read` (any deserialization of conversations or messages on this
/// thread) and returns what it returned with the unknown fields it met.
pub fn noting_unknown_fields<T>(read: impl FnOnce() -> T) -> (T, Vec<UnknownField>) {
    let outer = COLLECTED.with(|slot| slot.replace(Some(Vec::new())));
    let result = read();
    let noted = COLLECTED.with(|slot| slot.replace(outer)).unwrap_or_default();
    (result, noted)
}

/// The closest known field, when the unknown one looks like a misspelling.
pub fn closest_field(field: &str, known: &'static [&'static str]) -> Option<&'static str> {
    let lowered = field.to_lowercase();
    known
        .iter()
        .map(|name| (strsim::damerau_levenshtein(&lowered, name), *name))
        .filter(|(distance, name)| *distance <= 2 && *distance < name.len())
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

#[cold]
fn note_unknown(field: &str, in_message: bool) {
    COLLECTED.with(|slot| {
        let mut slot = slot.borrow_mut();
        let Some(noted) = slot.as_mut() else { return };
        let (path, known) = match (in_message, MESSAGE_INDEX.with(Cell::get)) {
            (true, Some(index)) => (format!("messages[{index}].{field}"), MESSAGE_FIELDS),
            (true, None) => (field.to_owned(), MESSAGE_FIELDS),
            (false, _) => (field.to_owned(), CONVERSATION_FIELDS),
        };
        noted.push(UnknownField { path, field: field.to_owned(), suggestion: closest_field(field, known) });
    });
}

/// A key of an object with known fields `K`; anything else is `Unknown`.
struct Key<K>(Option<K>);

trait Fields: Sized + Copy {
    const IN_MESSAGE: bool;
    fn from_name(name: &str) -> Option<Self>;
}

impl<'de, K: Fields> Deserialize<'de> for Key<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor<K>(std::marker::PhantomData<K>);
        impl<K: Fields> Visitor<'_> for KeyVisitor<K> {
            type Value = Key<K>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<K>, E> {
                let known = K::from_name(v);
                if known.is_none() {
                    note_unknown(v, K::IN_MESSAGE);
                }
                Ok(Key(known))
            }
        }
        deserializer.deserialize_identifier(KeyVisitor(std::marker::PhantomData))
    }
}

/// Stores a field's value, refusing a second one as serde's derive does.
fn once<T, E: de::Error>(slot: &mut Option<T>, name: &'static str, value: Result<T, E>) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value?);
    Ok(())
}

#[derive(Clone, Copy)]
enum ConversationField {
    Id,
    Channel,
    Customer,
    Metadata,
    Messages,
    Expect,
}

impl Fields for ConversationField {
    const IN_MESSAGE: bool = false;
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "id" => ConversationField::Id,
            "channel" => ConversationField::Channel,
            "customer" => ConversationField::Customer,
            "metadata" => ConversationField::Metadata,
            "messages" => ConversationField::Messages,
            "expect" => ConversationField::Expect,
            _ => return None,
        })
    }
}

impl<'de> Deserialize<'de> for Conversation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `any`, not `map`: serde_json refuses an array for a map before asking
        // the visitor, and a bare array deserves its own error.
        deserializer.deserialize_any(ConversationVisitor)
    }
}

struct ConversationVisitor;

impl<'de> Visitor<'de> for ConversationVisitor {
    type Value = Conversation;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a conversation: an object with \"id\" and \"messages\"")
    }

    /// A bare array is almost always the messages without their conversation.
    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<Conversation, A::Error> {
        Err(fail(TranscriptErrorKind::TopLevelArray))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Conversation, A::Error> {
        let mut id = None;
        let mut channel: Option<Option<String>> = None;
        let mut customer: Option<Map<String, Value>> = None;
        let mut metadata: Option<Map<String, Value>> = None;
        let mut messages = None;
        let mut expect: Option<Option<Expectation>> = None;
        while let Some(Key(key)) = map.next_key::<Key<ConversationField>>()? {
            match key {
                Some(ConversationField::Id) => once(&mut id, "id", map.next_value_seed(IdSeed))?,
                Some(ConversationField::Channel) => once(&mut channel, "channel", map.next_value())?,
                Some(ConversationField::Customer) => once(&mut customer, "customer", map.next_value())?,
                Some(ConversationField::Metadata) => once(&mut metadata, "metadata", map.next_value())?,
                Some(ConversationField::Messages) => {
                    once(&mut messages, "messages", map.next_value_seed(MessagesSeed))?
                }
                Some(ConversationField::Expect) => once(&mut expect, "expect", map.next_value())?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Conversation {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            channel: channel.flatten(),
            customer: customer.unwrap_or_default(),
            metadata: metadata.unwrap_or_default(),
            messages: messages.ok_or_else(|| de::Error::missing_field("messages"))?,
            expect: expect.flatten(),
        })
    }
}

/// The messages of a conversation, each read knowing its index.
struct MessagesSeed;

impl<'de> DeserializeSeed<'de> for MessagesSeed {
    type Value = Vec<Message>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<Message>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for MessagesSeed {
    type Value = Vec<Message>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of messages")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Message>, A::Error> {
        let mut messages = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        let outer = MESSAGE_INDEX.with(Cell::get);
        let result = loop {
            MESSAGE_INDEX.with(|index| index.set(Some(messages.len())));
            match seq.next_element::<Message>() {
                Ok(Some(message)) => messages.push(message),
                Ok(None) => break Ok(messages),
                Err(err) => break Err(err),
            }
        };
        MESSAGE_INDEX.with(|index| index.set(outer));
        result
    }
}

#[derive(Clone, Copy)]
enum MessageField {
    Role,
    Text,
    Timestamp,
    Intent,
    Confidence,
    Sentiment,
    Entities,
}

impl Fields for MessageField {
    const IN_MESSAGE: bool = true;
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "role" => MessageField::Role,
            "text" => MessageField::Text,
            "timestamp" => MessageField::Timestamp,
            "intent" => MessageField::Intent,
            "confidence" => MessageField::Confidence,
            "sentiment" => MessageField::Sentiment,
            "entities" => MessageField::Entities,
            _ => return None,
        })
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MessageVisitor)
    }
}

struct MessageVisitor;

impl<'de> Visitor<'de> for MessageVisitor {
    type Value = Message;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a message: an object with \"role\" and \"text\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Message, A::Error> {
        let mut role: Option<Role> = None;
        let mut text: Option<String> = None;
        let mut timestamp = None;
        let mut intent: Option<Option<String>> = None;
        let mut confidence = None;
        let mut sentiment = None;
        let mut entities: Option<Map<String, Value>> = None;
        while let Some(Key(key)) = map.next_key::<Key<MessageField>>()? {
            match key {
                Some(MessageField::Role) => once(&mut role, "role", map.next_value())?,
                Some(MessageField::Text) => once(&mut text, "text", map.next_value())?,
                Some(MessageField::Timestamp) => {
                    once(&mut timestamp, "timestamp", map.next_value_seed(Optional(TimestampSeed)))?;
                }
                Some(MessageField::Intent) => once(&mut intent, "intent", map.next_value())?,
                Some(MessageField::Confidence) => {
                    let range = Optional(Bounded { min: 0.0, max: 1.0 });
                    once(&mut confidence, "confidence", map.next_value_seed(range))?;
                }
                Some(MessageField::Sentiment) => {
                    let range = Optional(Bounded { min: -1.0, max: 1.0 });
                    once(&mut sentiment, "sentiment", map.next_value_seed(range))?;
                }
                Some(MessageField::Entities) => once(&mut entities, "entities", map.next_value())?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Message {
            role: role.ok_or_else(|| de::Error::missing_field("role"))?,
            text: text.ok_or_else(|| de::Error::missing_field("text"))?,
            timestamp: timestamp.flatten(),
            intent: intent.flatten(),
            confidence: confidence.flatten(),
            sentiment: sentiment.flatten(),
            entities: entities.unwrap_or_default(),
        })
    }
}
