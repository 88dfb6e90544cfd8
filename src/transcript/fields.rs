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

use super::de::{fail, Bounded, IdSeed, Optional, TimestampSeed};
use super::error::TranscriptErrorKind;
use super::model::{Conversation, Message, Role};

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

/// Notes that a field was read, refusing a second one as serde's derive does (after
/// reading its value, so a bad second value is reported as itself).
fn once<E: de::Error>(seen: &mut bool, name: &'static str) -> Result<(), E> {
    if std::mem::replace(seen, true) {
        return Err(E::duplicate_field(name));
    }
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

// Conversations and messages are read in place: into a fresh value for `deserialize`,
// into the previous record's value for `deserialize_in_place`, whose strings, message
// list and messages are reused ([`crate::transcript::parse_record_into`]). One visitor
// serves both, so both read alike.
impl<'de> Deserialize<'de> for Conversation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut conversation = Conversation::default();
        Conversation::deserialize_in_place(deserializer, &mut conversation)?;
        Ok(conversation)
    }

    fn deserialize_in_place<D: Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
        // `any`, not `map`: serde_json refuses an array for a map before asking
        // the visitor, and a bare array deserves its own error.
        deserializer.deserialize_any(ConversationVisitor(place))
    }
}

struct ConversationVisitor<'a>(&'a mut Conversation);

impl<'de> Visitor<'de> for ConversationVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a conversation: an object with \"id\" and \"messages\"")
    }

    /// A bare array is almost always the messages without their conversation.
    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<(), A::Error> {
        Err(fail(TranscriptErrorKind::TopLevelArray))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let c = self.0;
        let [mut id, mut channel, mut customer, mut metadata, mut messages, mut expect] = [false; 6];
        while let Some(Key(key)) = map.next_key::<Key<ConversationField>>()? {
            match key {
                Some(ConversationField::Id) => {
                    map.next_value_seed(IdSeed(&mut c.id))?;
                    once(&mut id, "id")?;
                }
                Some(ConversationField::Channel) => {
                    map.next_value_seed(OptionalText(&mut c.channel))?;
                    once(&mut channel, "channel")?;
                }
                Some(ConversationField::Customer) => {
                    c.customer = map.next_value()?;
                    once(&mut customer, "customer")?;
                }
                Some(ConversationField::Metadata) => {
                    c.metadata = map.next_value()?;
                    once(&mut metadata, "metadata")?;
                }
                Some(ConversationField::Messages) => {
                    map.next_value_seed(MessagesSeed(&mut c.messages))?;
                    once(&mut messages, "messages")?;
                }
                Some(ConversationField::Expect) => {
                    c.expect = map.next_value()?;
                    once(&mut expect, "expect")?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !id {
            return Err(de::Error::missing_field("id"));
        }
        if !messages {
            return Err(de::Error::missing_field("messages"));
        }
        // What this record leaves out, it does not have: nothing of the previous one stays.
        if !channel {
            c.channel = None;
        }
        if !customer {
            c.customer.clear();
        }
        if !metadata {
            c.metadata.clear();
        }
        if !expect {
            c.expect = None;
        }
        Ok(())
    }
}

/// A string field read into the string already there, reusing its buffer.
struct Text<'a>(&'a mut String);

impl<'de> DeserializeSeed<'de> for Text<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_string(self)
    }
}

impl Visitor<'_> for Text<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // serde's own words for a `String`, so errors read as they did.
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.clear();
        self.0.push_str(v);
        Ok(())
    }
}

/// An optional string field (`null` or absent is `None`), reusing the buffer there.
struct OptionalText<'a>(&'a mut Option<String>);

impl<'de> DeserializeSeed<'de> for OptionalText<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for OptionalText<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("option")
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        *self.0 = None;
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        *self.0 = None;
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let text = self.0.get_or_insert_with(String::new);
        Text(text).deserialize(deserializer)
    }
}

/// The messages of a conversation, each read knowing its index, into the messages
/// already there (reused in order; the list grows or shrinks to this record's).
struct MessagesSeed<'a>(&'a mut Vec<Message>);

impl<'de> DeserializeSeed<'de> for MessagesSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for MessagesSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of messages")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let messages = self.0;
        let outer = MESSAGE_INDEX.with(Cell::get);
        let mut read = 0;
        let result = loop {
            MESSAGE_INDEX.with(|index| index.set(Some(read)));
            let next = match messages.get_mut(read) {
                Some(reused) => seq.next_element_seed(MessageSeed(reused)),
                None => seq.next_element::<Message>().map(|fresh| fresh.map(|message| messages.push(message))),
            };
            match next {
                Ok(Some(())) => read += 1,
                Ok(None) => break Ok(()),
                Err(err) => break Err(err),
            }
        };
        messages.truncate(read);
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
        let mut message = Message::new(Role::Customer, String::new());
        MessageSeed(&mut message).deserialize(deserializer)?;
        Ok(message)
    }

    fn deserialize_in_place<D: Deserializer<'de>>(deserializer: D, place: &mut Self) -> Result<(), D::Error> {
        MessageSeed(place).deserialize(deserializer)
    }
}

/// A message read into the one already there.
struct MessageSeed<'a>(&'a mut Message);

impl<'de> DeserializeSeed<'de> for MessageSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MessageSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a message: an object with \"role\" and \"text\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let m = self.0;
        let [mut role, mut text, mut timestamp, mut intent, mut confidence, mut sentiment, mut entities] = [false; 7];
        while let Some(Key(key)) = map.next_key::<Key<MessageField>>()? {
            match key {
                Some(MessageField::Role) => {
                    m.role = map.next_value()?;
                    once(&mut role, "role")?;
                }
                Some(MessageField::Text) => {
                    map.next_value_seed(Text(&mut m.text))?;
                    once(&mut text, "text")?;
                }
                Some(MessageField::Timestamp) => {
                    m.timestamp = map.next_value_seed(Optional(TimestampSeed))?;
                    once(&mut timestamp, "timestamp")?;
                }
                Some(MessageField::Intent) => {
                    map.next_value_seed(OptionalText(&mut m.intent))?;
                    once(&mut intent, "intent")?;
                }
                Some(MessageField::Confidence) => {
                    m.confidence = map.next_value_seed(Optional(Bounded { min: 0.0, max: 1.0 }))?;
                    once(&mut confidence, "confidence")?;
                }
                Some(MessageField::Sentiment) => {
                    m.sentiment = map.next_value_seed(Optional(Bounded { min: -1.0, max: 1.0 }))?;
                    once(&mut sentiment, "sentiment")?;
                }
                Some(MessageField::Entities) => {
                    m.entities = map.next_value()?;
                    once(&mut entities, "entities")?;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !role {
            return Err(de::Error::missing_field("role"));
        }
        if !text {
            return Err(de::Error::missing_field("text"));
        }
        if !timestamp {
            m.timestamp = None;
        }
        if !intent {
            m.intent = None;
        }
        if !confidence {
            m.confidence = None;
        }
        if !sentiment {
            m.sentiment = None;
        }
        if !entities {
            m.entities.clear();
        }
        Ok(())
    }
}
