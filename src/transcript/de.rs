//! Deserialisation: the checks that run while a conversation is read (ids,
//! roles, timestamps, annotation ranges, expectations), each parking its
//! structured problem for the reader, and the JSON-to-error translation.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde::Deserialize;

use super::error::{TranscriptError, TranscriptErrorKind};
use super::fields::{noting_unknown_fields, UnknownField};
use super::model::{Conversation, Expectation, ExpectedAction, Role};

/// The shape `expect` is read into before its parts are checked together.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an expectation: {\"action\": ..., \"queue\": ...}")]
struct ExpectationFields {
    action: ExpectedAction,
    #[serde(default, deserialize_with = "expected_queues")]
    queue: Vec<String>,
}

impl<'de> Deserialize<'de> for Expectation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = ExpectationFields::deserialize(deserializer)?;
        if fields.action == ExpectedAction::None && !fields.queue.is_empty() {
            return Err(fail(TranscriptErrorKind::InvalidExpectation {
                problem: "\"none\" takes no queue: the conversation stays with the bot".to_owned(),
            }));
        }
        Ok(Expectation { action: fields.action, queues: fields.queue })
    }
}

impl<'de> Deserialize<'de> for ExpectedAction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ActionVisitor;
        impl Visitor<'_> for ActionVisitor {
            type Value = ExpectedAction;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an expected action (escalate, offer or none)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExpectedAction, E> {
                ExpectedAction::ALL
                    .into_iter()
                    .find(|action| action.as_str() == v)
                    .ok_or_else(|| fail(TranscriptErrorKind::UnknownExpectedAction { found: v.to_owned() }))
            }
        }
        deserializer.deserialize_str(ActionVisitor)
    }
}

fn queue_name<E: de::Error>(name: &str) -> Result<String, E> {
    if name.trim().is_empty() {
        return Err(fail(TranscriptErrorKind::InvalidExpectation { problem: "a queue name is empty".to_owned() }));
    }
    Ok(name.to_owned())
}

/// `"disputes"` or `["disputes", "fraud"]`: non-empty names, at least one.
fn expected_queues<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct QueuesVisitor;
    impl<'de> Visitor<'de> for QueuesVisitor {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a queue name or a list of queue names")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<String>, E> {
            Ok(vec![queue_name(v)?])
        }
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut queues = Vec::new();
            while let Some(name) = seq.next_element::<String>()? {
                queues.push(queue_name(&name)?);
            }
            if queues.is_empty() {
                return Err(fail(TranscriptErrorKind::InvalidExpectation {
                    problem: "the list of queues is empty".to_owned(),
                }));
            }
            Ok(queues)
        }
    }
    deserializer.deserialize_any(QueuesVisitor)
}

// Hand-written so an unknown role gets our wording instead of serde's
// "unknown variant" message.
impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RoleVisitor;
        impl Visitor<'_> for RoleVisitor {
            type Value = Role;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a role (customer, bot, agent or system)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Role, E> {
                Role::ALL
                    .into_iter()
                    .find(|role| role.as_str() == v)
                    .ok_or_else(|| fail(TranscriptErrorKind::UnknownRole { found: v.to_owned() }))
            }
        }
        deserializer.deserialize_str(RoleVisitor)
    }
}

// serde errors only carry a message, so our deserializers park the structured
// problem here and the reader picks it up when it builds the error value.
thread_local! {
    static PENDING_PROBLEM: Cell<Option<TranscriptErrorKind>> = const { Cell::new(None) };
}

pub(super) fn fail<E: de::Error>(problem: TranscriptErrorKind) -> E {
    let message = problem.to_string();
    PENDING_PROBLEM.with(|slot| slot.set(Some(problem)));
    E::custom(message)
}

fn take_pending_problem() -> Option<TranscriptErrorKind> {
    PENDING_PROBLEM.with(Cell::take)
}

// The checks below run inside visitors rather than after deserializing,
// because serde_json only stamps the position of the offending value onto
// errors raised from within its own `deserialize_*` calls; validating later
// would blame the end of the enclosing object.

/// A conversation id: a non-empty string, read into the id already there.
pub(super) struct IdSeed<'a>(pub(super) &'a mut String);

impl<'de> DeserializeSeed<'de> for IdSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for IdSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-empty string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        if v.trim().is_empty() {
            return Err(fail(TranscriptErrorKind::EmptyId));
        }
        self.0.clear();
        self.0.push_str(v);
        Ok(())
    }
}

/// Lifts a seed over `null`/absent so optional fields keep value positions.
pub(super) struct Optional<S>(pub(super) S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Optional<S> {
    type Value = Option<S::Value>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Optional<S> {
    type Value = Option<S::Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an optional value")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Some)
    }
}

pub(super) struct TimestampSeed;

impl<'de> DeserializeSeed<'de> for TimestampSeed {
    type Value = jiff::Timestamp;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for TimestampSeed {
    type Value = jiff::Timestamp;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 timestamp string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        super::timestamp::parse(v).ok_or_else(|| fail(TranscriptErrorKind::InvalidTimestamp { found: v.to_owned() }))
    }
}

pub(super) struct Bounded {
    pub(super) min: f64,
    pub(super) max: f64,
}

impl<'de> DeserializeSeed<'de> for Bounded {
    type Value = f64;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_f64(self)
    }
}

impl Visitor<'_> for Bounded {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a number from {} to {}", self.min, self.max)
    }
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<f64, E> {
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(fail(TranscriptErrorKind::OutOfRange { value, min: self.min, max: self.max }))
        }
    }
    // Lossy only beyond 2^53, far outside any accepted range.
    #[allow(clippy::cast_precision_loss)]
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<f64, E> {
        self.visit_f64(value as f64)
    }
    #[allow(clippy::cast_precision_loss)]
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<f64, E> {
        self.visit_f64(value as f64)
    }
}

/// Parses one record into `place`, reusing its strings and messages: a fresh
/// conversation for [`parse_bytes`], the previous record's for a host reading many.
/// `first_line` is the record's first line in its source, for errors; the fields it
/// did not know are noted in `unknown`. On error `place` holds parts of this record
/// and parts of the last: read the next record into it, or drop it.
pub(super) fn parse_bytes_into(
    source_name: &str,
    bytes: &[u8],
    first_line: usize,
    unknown: &mut Vec<UnknownField>,
    place: &mut Conversation,
) -> Result<(), TranscriptError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(TranscriptError {
            source_name: source_name.to_owned(),
            line: None,
            column: None,
            field_path: None,
            kind: TranscriptErrorKind::Empty,
        });
    }
    // A stale problem from an unrelated deserialization must not be blamed on
    // this input.
    take_pending_problem();
    // One UTF-8 check of the whole record costs a fraction of checking each string as
    // it is read (a fifth of reading a record, in short calls); a record that fails it
    // is read byte-wise, so serde_json reports the bad string where it is, as before.
    let read = match std::str::from_utf8(bytes) {
        Ok(text) => read_conversation(serde_json::Deserializer::from_str(text), place),
        Err(_) => read_conversation(serde_json::Deserializer::from_slice(bytes), place),
    };
    match read {
        Ok(noted) => {
            *unknown = noted;
            Ok(())
        }
        Err(Misread::Value(first)) => Err(located_error(source_name, bytes, first_line, first)),
        Err(Misread::Trailing(err)) => Err(json_error(source_name, first_line, None, err)),
    }
}

/// [`parse_bytes_into`] a fresh conversation.
pub(super) fn parse_bytes(
    source_name: &str,
    bytes: &[u8],
    first_line: usize,
    unknown: &mut Vec<UnknownField>,
) -> Result<Conversation, TranscriptError> {
    let mut conversation = Conversation::default();
    parse_bytes_into(source_name, bytes, first_line, unknown, &mut conversation)?;
    Ok(conversation)
}

/// How reading a record went wrong: in its value, or after it.
enum Misread {
    Value(serde_json::Error),
    Trailing(serde_json::Error),
}

/// One conversation and nothing after it, into `place`, with the unknown fields it had.
fn read_conversation<'de, R: serde_json::de::Read<'de>>(
    mut deserializer: serde_json::Deserializer<R>,
    place: &mut Conversation,
) -> Result<Vec<UnknownField>, Misread> {
    let (read, noted) = noting_unknown_fields(|| Conversation::deserialize_in_place(&mut deserializer, place));
    read.map_err(Misread::Value)?;
    deserializer.end().map_err(Misread::Trailing)?;
    Ok(noted)
}

/// The error of a record that did not read, with the path of the field at fault. Tracking
/// the path costs on every string and key (a third of reading a record), and a record
/// rarely fails, so only a failed record is read again with the path tracked.
#[cold]
fn located_error(source_name: &str, bytes: &[u8], first_line: usize, first: serde_json::Error) -> TranscriptError {
    take_pending_problem();
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let (parsed, _) = noting_unknown_fields(|| serde_path_to_error::deserialize::<_, Conversation>(&mut deserializer));
    match parsed {
        Err(err) => {
            let path = err.path().to_string();
            json_error(source_name, first_line, Some(path), err.into_inner())
        }
        // Reading is deterministic, so the second read fails as the first did; were it
        // not to, the first error is still the answer, without its path.
        Ok(_) => json_error(source_name, first_line, None, first),
    }
}

fn json_error(source_name: &str, first_line: usize, path: Option<String>, inner: serde_json::Error) -> TranscriptError {
    let line = match inner.line() {
        0 => None,
        n => Some(n.saturating_add(first_line).saturating_sub(1)),
    };
    let is_syntax = inner.is_syntax() || inner.is_eof();
    let problem = take_pending_problem();
    let kind = if is_syntax {
        TranscriptErrorKind::Syntax { message: bare_message(&inner) }
    } else if let Some(problem) = problem {
        problem
    } else {
        classify_data_error(bare_message(&inner))
    };
    TranscriptError {
        source_name: source_name.to_owned(),
        line,
        column: (is_syntax && inner.column() > 0).then_some(inner.column()),
        // The root path "." says nothing, and syntax errors have no field.
        field_path: path.filter(|path| !is_syntax && path != "."),
        kind,
    }
}

/// serde_json appends " at line L column C" to its messages; we report the
/// position separately.
fn bare_message(err: &serde_json::Error) -> String {
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    match full.strip_suffix(&suffix) {
        Some(bare) => bare.to_owned(),
        None => full,
    }
}

fn classify_data_error(message: String) -> TranscriptErrorKind {
    if let Some(field) = message.strip_prefix("missing field `").and_then(|rest| rest.strip_suffix('`')) {
        return TranscriptErrorKind::MissingField { field: field.to_owned() };
    }
    if message.starts_with("invalid type:") {
        return TranscriptErrorKind::WrongType { message };
    }
    TranscriptErrorKind::Invalid { message }
}
