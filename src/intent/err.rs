//! Errors of reading intent example files: each a stable code, the place in
//! the file and help in plain words, all of a file's problems together.

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// One problem on one line of an intent example file.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum IntentFileError {
    #[error("an example before any `intent:` line")]
    #[diagnostic(
        code(handoff::intent::example_outside_intent),
        help("start the section with a line `intent: NAME`, then list its examples under it")
    )]
    ExampleOutsideIntent {
        line: usize,
        #[label("which intent is this an example of?")]
        span: SourceSpan,
    },

    #[error("`counter:` before any `intent:` line")]
    #[diagnostic(
        code(handoff::intent::counter_outside_intent),
        help(
            "`counter:` lists sentences that are not the intent above it; put it after `intent: NAME` and its examples"
        )
    )]
    CounterOutsideIntent {
        line: usize,
        #[label("no intent above this line")]
        span: SourceSpan,
    },

    #[error("`{name}` is not a valid intent name")]
    #[diagnostic(
        code(handoff::intent::bad_name),
        help("an intent name is a letter or `_` followed by letters, digits or `_`, such as `request_person`")
    )]
    BadName {
        name: String,
        line: usize,
        #[label("not a name a rule can refer to")]
        span: SourceSpan,
    },

    #[error("an empty example")]
    #[diagnostic(code(handoff::intent::empty_example), help("write the sentence after the `- `, or delete the line"))]
    EmptyExample {
        line: usize,
        #[label("nothing after the dash")]
        span: SourceSpan,
    },

    #[error("a line that is not an intent, an example or a comment")]
    #[diagnostic(
        code(handoff::intent::unexpected_line),
        help("each line is `intent: NAME`, `counter:`, `- an example sentence`, a `# comment` or blank")
    )]
    UnexpectedLine {
        line: usize,
        #[label("unexpected here")]
        span: SourceSpan,
    },

    #[error("intent `{name}` has no examples")]
    #[diagnostic(
        code(handoff::intent::no_examples),
        help("list sentences customers write for this intent under it, one per line starting with `- `")
    )]
    NoExamples {
        name: String,
        line: usize,
        #[label("named here, but no `- example` lines follow in any file")]
        span: SourceSpan,
    },
}

impl IntentFileError {
    /// The 1-based line the problem is on.
    pub fn line(&self) -> usize {
        match self {
            IntentFileError::ExampleOutsideIntent { line, .. }
            | IntentFileError::CounterOutsideIntent { line, .. }
            | IntentFileError::BadName { line, .. }
            | IntentFileError::EmptyExample { line, .. }
            | IntentFileError::UnexpectedLine { line, .. }
            | IntentFileError::NoExamples { line, .. } => *line,
        }
    }
}

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
