//! The conversation model (`Conversation`, `Message`, `Role`) and the readers
//! that load it from JSON files, JSON Lines streams (optionally gzipped) and
//! stdin, reporting every problem with its source, line and field path.

use std::cell::Cell;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;
use serde::de::{self, DeserializeSeed, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One support conversation: who it is with, where, and what was said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    #[serde(deserialize_with = "non_empty_id")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default)]
    pub customer: Map<String, Value>,
    #[serde(default)]
    pub metadata: Map<String, Value>,
    pub messages: Vec<Message>,
    /// The outcome this conversation should get, for scoring a policy against
    /// labelled records (`handoff replay`); evaluation ignores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expectation>,
}

/// A labelled record's expected outcome: `{"action": "escalate", "queue": "disputes"}`.
/// `queue` is one name or a list of acceptable ones; without it any queue will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    pub action: ExpectedAction,
    /// Acceptable queues, as written; empty means any queue.
    pub queues: Vec<String>,
}

/// What should happen to a labelled conversation. `None` is "stays with the bot":
/// a decision of `none` or a bare `flag` meets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExpectedAction {
    Escalate,
    Offer,
    None,
}

impl ExpectedAction {
    pub const ALL: [ExpectedAction; 3] = [ExpectedAction::Escalate, ExpectedAction::Offer, ExpectedAction::None];

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

/// One turn of a conversation, with the NLU annotations the bot attached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub text: String,
    #[serde(default, deserialize_with = "rfc3339_timestamp", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    #[serde(default, deserialize_with = "confidence", skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    #[serde(default, deserialize_with = "sentiment", skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<f64>,
    #[serde(default)]
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
    Customer,
    Bot,
    Agent,
    System,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Customer, Role::Bot, Role::Agent, Role::System];

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

fn fail<E: de::Error>(problem: TranscriptErrorKind) -> E {
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

fn non_empty_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    struct IdVisitor;
    impl Visitor<'_> for IdVisitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-empty string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            if v.trim().is_empty() {
                return Err(fail(TranscriptErrorKind::EmptyId));
            }
            Ok(v.to_owned())
        }
    }
    deserializer.deserialize_str(IdVisitor)
}

/// Lifts a seed over `null`/absent so optional fields keep value positions.
struct Optional<S>(S);

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

struct TimestampSeed;

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
        v.parse::<jiff::Timestamp>().map_err(|_| fail(TranscriptErrorKind::InvalidTimestamp { found: v.to_owned() }))
    }
}

fn rfc3339_timestamp<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<jiff::Timestamp>, D::Error> {
    deserializer.deserialize_option(Optional(TimestampSeed))
}

struct Bounded {
    min: f64,
    max: f64,
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

fn confidence<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    deserializer.deserialize_option(Optional(Bounded { min: 0.0, max: 1.0 }))
}

fn sentiment<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    deserializer.deserialize_option(Optional(Bounded { min: -1.0, max: 1.0 }))
}

/// What went wrong while reading a transcript.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TranscriptErrorKind {
    #[error("cannot read: {0}")]
    Io(#[source] io::Error),
    /// The input is not well-formed JSON; the message is serde_json's.
    #[error("invalid JSON: {message}")]
    Syntax { message: String },
    /// The input holds no conversation at all.
    #[error("no conversation found (the input is empty)")]
    Empty,
    #[error("unknown role {found:?} (expected customer, bot, agent or system)")]
    UnknownRole { found: String },
    #[error("invalid RFC 3339 timestamp {found:?}")]
    InvalidTimestamp { found: String },
    #[error("missing field {field:?}")]
    MissingField { field: String },
    /// A value of the wrong JSON type; the message is serde_json's.
    #[error("{message}")]
    WrongType { message: String },
    #[error("{value} is out of range (expected {min} to {max})")]
    OutOfRange { value: f64, min: f64, max: f64 },
    #[error("conversation id is empty")]
    EmptyId,
    #[error("unknown expected action {found:?} (expected escalate, offer or none)")]
    UnknownExpectedAction { found: String },
    #[error("invalid expectation: {problem}")]
    InvalidExpectation { problem: String },
    /// Any other shape problem serde reports (wrong array length, ...).
    #[error("{message}")]
    Invalid { message: String },
}

/// A transcript that could not be read, located by source, line and field.
#[derive(Debug)]
pub struct TranscriptError {
    source_name: String,
    line: Option<usize>,
    column: Option<usize>,
    field_path: Option<String>,
    kind: TranscriptErrorKind,
}

impl TranscriptError {
    /// An I/O failure while reading `source_name` (at `line`, when known).
    pub fn io(source_name: &str, line: Option<usize>, err: io::Error) -> Self {
        TranscriptError {
            source_name: source_name.to_owned(),
            line,
            column: None,
            field_path: None,
            kind: TranscriptErrorKind::Io(err),
        }
    }

    /// The file path, or `<stdin>`.
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// 1-based line in the source, when the problem has one.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// 1-based column, only known for JSON syntax errors.
    pub fn column(&self) -> Option<usize> {
        self.column
    }

    /// Path to the offending value, like `messages[3].role`.
    pub fn field_path(&self) -> Option<&str> {
        self.field_path.as_deref()
    }

    pub fn kind(&self) -> &TranscriptErrorKind {
        &self.kind
    }
}

impl fmt::Display for TranscriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source_name)?;
        if let Some(line) = self.line {
            write!(f, ": line {line}")?;
            if let Some(column) = self.column {
                write!(f, ", column {column}")?;
            }
        }
        if let Some(path) = &self.field_path {
            write!(f, ": {path}")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl std::error::Error for TranscriptError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            TranscriptErrorKind::Io(err) => Some(err),
            _ => None,
        }
    }
}

impl miette::Diagnostic for TranscriptError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let code = match self.kind {
            TranscriptErrorKind::Io(_) => "handoff::transcript::io",
            TranscriptErrorKind::Syntax { .. } | TranscriptErrorKind::Empty => "handoff::transcript::syntax",
            TranscriptErrorKind::UnknownExpectedAction { .. } | TranscriptErrorKind::InvalidExpectation { .. } => {
                "handoff::transcript::expect"
            }
            _ => "handoff::transcript::invalid",
        };
        Some(Box::new(code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match &self.kind {
            TranscriptErrorKind::UnknownRole { found } => {
                let lowered = found.to_lowercase();
                let closest = Role::ALL
                    .into_iter()
                    .map(|role| (strsim::levenshtein(&lowered, role.as_str()), role))
                    .min_by_key(|(distance, _)| *distance)
                    .filter(|(distance, _)| *distance <= 2)
                    .map(|(_, role)| role);
                closest.map(|role| Box::new(format!("did you mean \"{role}\"?")) as Box<dyn fmt::Display>)
            }
            TranscriptErrorKind::InvalidTimestamp { .. } => {
                Some(Box::new("timestamps need a date, a time and an offset, e.g. \"2024-05-01T12:30:00Z\""))
            }
            TranscriptErrorKind::OutOfRange { .. } => {
                Some(Box::new("confidence ranges over [0, 1] and sentiment over [-1, 1]"))
            }
            TranscriptErrorKind::UnknownExpectedAction { found } if found == "flag" => Some(Box::new(
                "a flag leaves the conversation with the bot: label it {\"action\": \"none\"}, which a flag decision meets",
            )),
            TranscriptErrorKind::UnknownExpectedAction { .. } | TranscriptErrorKind::InvalidExpectation { .. } => {
                Some(Box::new(EXPECT_HELP))
            }
            _ => None,
        }
    }
}

const EXPECT_HELP: &str = "write expect as {\"action\": \"escalate\", \"queue\": \"disputes\"}: action is escalate, offer or none; queue (optional, not with none) is a queue name or a list of acceptable ones";

/// Deserializes one conversation from `bytes`, numbering lines from
/// `first_line` so JSON Lines records report their line in the whole stream.
fn parse_bytes(source_name: &str, bytes: &[u8], first_line: usize) -> Result<Conversation, TranscriptError> {
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
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let conversation = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
        let path = err.path().to_string();
        json_error(source_name, first_line, Some(path), err.into_inner())
    })?;
    deserializer.end().map_err(|err| json_error(source_name, first_line, None, err))?;
    Ok(conversation)
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

/// Parses one conversation held in `text`; `source_name` labels errors.
pub fn parse_json(source_name: &str, text: &str) -> Result<Conversation, TranscriptError> {
    parse_bytes(source_name, text.as_bytes(), 1)
}

/// Parses one record of a corpus: a JSON Lines line or a whole JSON file.
/// `line` is the record's first line in its source, so errors point into the
/// whole stream. Blank input is an error (`Empty`).
pub fn parse_record(source_name: &str, bytes: &[u8], line: usize) -> Result<Conversation, TranscriptError> {
    parse_bytes(source_name, bytes, line)
}

/// Reads a file holding exactly one conversation (gzip is decompressed).
pub fn read_json_file(path: impl AsRef<Path>) -> Result<Conversation, TranscriptError> {
    let path = path.as_ref();
    let source_name = path.display().to_string();
    let mut reader = open_corpus(path)?;
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|err| TranscriptError::io(&source_name, None, err))?;
    parse_bytes(&source_name, &bytes, 1)
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Opens a corpus file, decompressing it when it is gzip.
///
/// Detection is by the gzip magic bytes rather than the `.gz` extension, so a
/// compressed file with any name works; plain JSON can never start with 0x1f.
pub fn open_corpus(path: impl AsRef<Path>) -> Result<Box<dyn BufRead + Send>, TranscriptError> {
    let path = path.as_ref();
    let source_name = path.display().to_string();
    let file = File::open(path).map_err(|err| TranscriptError::io(&source_name, None, err))?;
    decompress_if_gzip(BufReader::new(file)).map_err(|err| TranscriptError::io(&source_name, None, err))
}

/// Wraps `reader` in a gzip decoder when its first bytes are the gzip magic.
pub fn decompress_if_gzip<R: BufRead + Send + 'static>(mut reader: R) -> io::Result<Box<dyn BufRead + Send>> {
    let is_gzip = reader.fill_buf()?.starts_with(&GZIP_MAGIC);
    if is_gzip {
        Ok(Box::new(BufReader::new(MultiGzDecoder::new(reader))))
    } else {
        Ok(Box::new(reader))
    }
}

/// Streams conversations from JSON Lines input, one per non-blank line.
///
/// A malformed line yields an `Err` and iteration continues with the next
/// line, so callers can skip bad records; an I/O error ends the stream since
/// nothing after it can be trusted.
pub struct JsonLines<R: BufRead> {
    source_name: String,
    reader: R,
    buffer: Vec<u8>,
    lines_read: usize,
    conversations: usize,
    errors: usize,
    finished: bool,
}

impl<R: BufRead> JsonLines<R> {
    pub fn new(source_name: impl Into<String>, reader: R) -> Self {
        JsonLines {
            source_name: source_name.into(),
            reader,
            buffer: Vec::new(),
            lines_read: 0,
            conversations: 0,
            errors: 0,
            finished: false,
        }
    }

    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// Lines consumed so far, blank ones included.
    pub fn lines_read(&self) -> usize {
        self.lines_read
    }

    /// Conversations yielded successfully so far.
    pub fn conversations_read(&self) -> usize {
        self.conversations
    }

    /// Errors yielded so far.
    pub fn errors(&self) -> usize {
        self.errors
    }
}

impl JsonLines<Box<dyn BufRead + Send>> {
    /// Opens a JSON Lines corpus file, gzipped or not.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, TranscriptError> {
        let path = path.as_ref();
        Ok(JsonLines::new(path.display().to_string(), open_corpus(path)?))
    }
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Result<Conversation, TranscriptError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.finished {
            self.buffer.clear();
            let line = self.lines_read.saturating_add(1);
            match self.reader.read_until(b'\n', &mut self.buffer) {
                Ok(0) => self.finished = true,
                Ok(_) => {
                    self.lines_read = line;
                    // The first line may carry a BOM, which parse_bytes strips.
                    let blank = self
                        .buffer
                        .strip_prefix(b"\xEF\xBB\xBF")
                        .unwrap_or(&self.buffer)
                        .iter()
                        .all(u8::is_ascii_whitespace);
                    if blank {
                        continue;
                    }
                    let result = parse_bytes(&self.source_name, &self.buffer, line);
                    match &result {
                        Ok(_) => self.conversations = self.conversations.saturating_add(1),
                        Err(_) => self.errors = self.errors.saturating_add(1),
                    }
                    return Some(result);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => {
                    self.finished = true;
                    self.errors = self.errors.saturating_add(1);
                    return Some(Err(TranscriptError::io(&self.source_name, Some(line), err)));
                }
            }
        }
        None
    }
}

/// Streams JSON Lines conversations from stdin (gzip is decompressed).
pub fn read_stdin() -> JsonLines<Box<dyn BufRead + Send>> {
    const STDIN: &str = "<stdin>";
    match decompress_if_gzip(BufReader::new(io::stdin())) {
        Ok(reader) => JsonLines::new(STDIN, reader),
        Err(err) => JsonLines::new(STDIN, Box::new(FailedReader(Some(err)))),
    }
}

/// Surfaces an error hit while sniffing stdin through the normal iterator.
struct FailedReader(Option<io::Error>);

impl Read for FailedReader {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(err) => Err(err),
            None => Ok(0),
        }
    }
}

impl BufRead for FailedReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self.0.take() {
            Some(err) => Err(err),
            None => Ok(&[]),
        }
    }

    fn consume(&mut self, _amt: usize) {}
}
