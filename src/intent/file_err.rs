//! The problems of reading intent example files with the engine's own reader
//! ([`super::read_example_files`]): all of a file's problems together, or a
//! file that cannot be read.

use miette::{Diagnostic, NamedSource};
use thiserror::Error;

use super::err::IntentFileError;

/// Every problem of one intent example file, with the file's text so that a
/// report shows each line.
#[derive(Debug, Clone, Error, Diagnostic)]
pub enum IntentReadError {
    #[error("{file}: {} problem(s) in the intent examples", errors.len())]
    #[diagnostic(code(handoff::intent::invalid_file))]
    Invalid {
        file: String,
        #[source_code]
        source_code: NamedSource<String>,
        #[related]
        errors: Vec<IntentFileError>,
    },

    #[error("cannot read intent examples from {file}: {reason}")]
    #[diagnostic(
        code(handoff::intent::unreadable),
        help("check the path the policy names, relative to the policy file, and that the file is UTF-8 text")
    )]
    Unreadable { file: String, reason: String },
}

impl IntentReadError {
    /// The file the problems are in.
    pub fn file(&self) -> &str {
        match self {
            IntentReadError::Invalid { file, .. } | IntentReadError::Unreadable { file, .. } => file,
        }
    }

    /// The problems on lines of the file (none for an unreadable file).
    pub fn problems(&self) -> &[IntentFileError] {
        match self {
            IntentReadError::Invalid { errors, .. } => errors,
            IntentReadError::Unreadable { .. } => &[],
        }
    }
}
