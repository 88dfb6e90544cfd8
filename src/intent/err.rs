//! Errors on the lines of intent example files: each a stable code, the place
//! in the file and help in plain words. A policy reports each on its own
//! (`handoff check`); [`super::file_err`] groups a file's problems for the engine's
//! own reader.

use miette::{Diagnostic, SourceSpan};
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
