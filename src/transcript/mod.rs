//! The conversation model (`Conversation`, `Message`, `Role`) and the readers
//! that load it from JSON files, JSON Lines streams (optionally gzipped) and
//! stdin, reporting every problem with its source, line and field path.
//!
//! One stage per file: `model` (the types), `de` (deserialisation and its
//! checks), `error` (what went wrong, as diagnostics), `read` (the readers).

mod de;
mod error;
mod model;
mod read;

pub use error::{TranscriptError, TranscriptErrorKind};
pub use model::{Conversation, Expectation, ExpectedAction, Message, Role};
pub use read::{decompress_if_gzip, open_corpus, parse_json, parse_record, read_json_file, read_stdin, JsonLines};
