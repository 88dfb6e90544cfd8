//! What can go wrong while reading a transcript, located by source, line and
//! field, as miette diagnostics with stable codes and help.

use std::fmt;
use std::io;

use super::model::Role;

/// What went wrong while reading a transcript.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TranscriptErrorKind {
    #[error("cannot read: {0}")]
    /// The input could not be read.
    Io(#[source] io::Error),
    /// The input is not well-formed JSON; the message is serde_json's.
    #[error("invalid JSON: {message}")]
    Syntax {
        /// serde_json's message.
        message: String,
    },
    /// The input holds no conversation at all.
    #[error("no conversation found (the input is empty)")]
    Empty,
    #[error("unknown role {found:?} (expected customer, bot, agent or system)")]
    /// A role other than customer, bot, agent or system.
    UnknownRole {
        /// The role as written.
        found: String,
    },
    #[error("invalid RFC 3339 timestamp {found:?}")]
    /// A timestamp that is not RFC 3339.
    InvalidTimestamp {
        /// The timestamp as written.
        found: String,
    },
    #[error("missing field {field:?}")]
    /// A required field is missing.
    MissingField {
        /// The field's name.
        field: String,
    },
    /// A value of the wrong JSON type; the message is serde_json's.
    #[error("{message}")]
    WrongType {
        /// serde_json's message.
        message: String,
    },
    #[error("{value} is out of range (expected {min} to {max})")]
    /// A number outside its range (confidence and sentiment).
    OutOfRange {
        /// The number as read.
        value: f64,
        /// The smallest allowed.
        min: f64,
        /// The largest allowed.
        max: f64,
    },
    #[error("conversation id is empty")]
    /// The conversation's `id` is the empty string.
    EmptyId,
    #[error("unknown expected action {found:?} (expected escalate, offer or none)")]
    /// An `expect.action` other than escalate, offer or none.
    UnknownExpectedAction {
        /// The action as written.
        found: String,
    },
    #[error("invalid expectation: {problem}")]
    /// An `expect` of the wrong shape.
    InvalidExpectation {
        /// What is wrong with it.
        problem: String,
    },
    /// The top level is an array: usually the messages without their conversation.
    #[error("the top level is an array; a conversation is an object {{\"id\": ..., \"messages\": [...]}}")]
    TopLevelArray,
    /// A field the schema does not know, refused because the caller asked for
    /// strict fields (`replay --strict-fields`).
    #[error("{}: unknown field `{}` refused (--strict-fields)", .0.path, .0.field)]
    UnknownField(Box<super::fields::UnknownField>),
    /// Any other shape problem serde reports (wrong array length, ...).
    #[error("{message}")]
    Invalid {
        /// serde's message.
        message: String,
    },
}

/// A transcript that could not be read, located by source, line and field.
#[derive(Debug)]
pub struct TranscriptError {
    pub(super) source_name: String,
    pub(super) line: Option<usize>,
    pub(super) column: Option<usize>,
    pub(super) field_path: Option<String>,
    pub(super) kind: TranscriptErrorKind,
}

impl TranscriptError {
    /// A record refused for an unknown field (strict fields), at `line` of `source_name`.
    pub fn unknown_field(source_name: &str, line: Option<usize>, field: super::fields::UnknownField) -> Self {
        TranscriptError {
            source_name: source_name.to_owned(),
            line,
            column: None,
            field_path: None,
            kind: TranscriptErrorKind::UnknownField(Box::new(field)),
        }
    }

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

    /// What went wrong.
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
            TranscriptErrorKind::UnknownField(_) => "handoff::transcript::unknown_field",
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
            TranscriptErrorKind::TopLevelArray => Some(Box::new(
                "wrap the messages: {\"id\": \"chat-1\", \"messages\": [...]} (one such object per line in a .jsonl file); `handoff import` converts chat-completion lists, CSV and platform exports",
            )),
            TranscriptErrorKind::UnknownField(field) => Some(Box::new(match field.suggestion {
                Some(known) => format!("did you mean `{known}`? (--strict-fields refuses unknown fields)"),
                None => "put custom data under customer or metadata (messages: entities); --strict-fields refuses unknown fields".to_owned(),
            })),
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
