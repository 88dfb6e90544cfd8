//! The conversation model (`Conversation`, `Message`, `Role`) and the readers
//! that load it from JSON files, JSON Lines streams (optionally gzipped) and
//! stdin, reporting every problem with its source, line and field path.
//!
//! One stage per file: `model` (the types), `de` (deserialisation and its
//! checks), `fields` (a conversation's and a message's fields, noting unknown
//! ones), `timestamp` (message timestamps, the common form read without a
//! full parser), `error` (what went wrong, as diagnostics), `read` (the readers).

mod de;
mod error;
mod fields;
mod model;
mod read;
mod timestamp;

pub use error::{TranscriptError, TranscriptErrorKind};
pub use fields::{closest_field, noting_unknown_fields, UnknownField, CONVERSATION_FIELDS, MESSAGE_FIELDS};
pub use model::{Conversation, Expectation, ExpectedAction, Message, Role};
pub use read::{
    decompress_if_gzip, open_corpus, parse_json, parse_json_noting, parse_record, parse_record_into,
    parse_record_noting, read_json_file, read_json_file_noting, read_stdin, JsonLines, Noted,
};
