//! The reader of intent example files, a plain format close to Rasa's NLU
//! training data:
//!
//! ```text
//! # Customers asking for a person.
//! intent: request_person
//! - can I talk to a real person?
//! - put me through to an agent
//! counter:
//! - no, you don't need to transfer me to a real person
//! ```
//!
//! `intent: NAME` starts an intent; `- sentence` lines are its examples;
//! after `counter:` they are its counter-examples, until `examples:` or the
//! next `intent:`. Blank lines and lines starting with `#` are skipped. An
//! intent may be continued later in the same file or in another file; its
//! examples keep their order. Every problem of every file is reported, each
//! with its line.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use miette::{NamedSource, SourceSpan};

use super::err::IntentFileError;
use super::examples::{Example, Origin, TrainingSet};
use super::file_err::IntentReadError;

/// Reads example files one after the other into one [`TrainingSet`].
#[derive(Debug, Default)]
pub struct ExampleReader {
    set: TrainingSet,
    files: Vec<FileProblems>,
    unreadable: Vec<IntentReadError>,
    /// Where each intent was first named: file index, line, span of the name.
    first_named: HashMap<String, (usize, usize, SourceSpan)>,
}

#[derive(Debug)]
struct FileProblems {
    name: String,
    text: String,
    errors: Vec<IntentFileError>,
}

/// Which list the `- ` lines go to.
enum Section {
    /// Before any `intent:` line.
    Start,
    /// After an `intent:` line whose name was wrong: its lines are skipped
    /// quietly, the name already has an error.
    Skipped,
    Examples(String),
    Counter(String),
}

impl ExampleReader {
    pub fn new() -> ExampleReader {
        ExampleReader::default()
    }

    /// Reads a file from disk; a file that cannot be read is reported by `finish`.
    pub fn add_file(&mut self, path: &Path) {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => self.add_source(&name, &text),
            Err(err) => self.unreadable.push(IntentReadError::Unreadable { file: name, reason: err.to_string() }),
        }
    }

    /// Reads the text of a file called `file`.
    pub fn add_source(&mut self, file: &str, text: &str) {
        self.add_source_as(file, file, text);
    }

    /// Reads the text of a file that diagnostics call `file` and examples' origins
    /// call `origin` (a policy's examples name their file relative to the policy,
    /// the same on every machine).
    pub fn add_source_as(&mut self, file: &str, origin: &str, text: &str) {
        let file_index = self.files.len();
        let origin_file: Arc<str> = Arc::from(origin);
        let mut errors = Vec::new();
        let mut section = Section::Start;
        let mut offset = 0;
        for (number, raw) in text.split_inclusive('\n').enumerate() {
            let line = number + 1;
            let start = offset;
            offset += raw.len();
            let content = raw.trim_end_matches(['\n', '\r']);
            // A byte-order mark is not part of the first line's text.
            let body = content.trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace());
            let at = start + (content.len() - body.len());
            let trimmed = body.trim_end();
            let whole: SourceSpan = (at, trimmed.len()).into();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix("intent:") {
                let name = rest.trim();
                let name_at = at + "intent:".len() + (rest.len() - rest.trim_start().len());
                let span: SourceSpan = if name.is_empty() { whole } else { (name_at, name.len()).into() };
                if is_intent_name(name) {
                    self.first_named.entry(name.to_owned()).or_insert((file_index, line, span));
                    self.set.intent_mut(name);
                    section = Section::Examples(name.to_owned());
                } else {
                    errors.push(IntentFileError::BadName { name: name.to_owned(), line, span });
                    section = Section::Skipped;
                }
            } else if is_marker(trimmed, "counter") || is_marker(trimmed, "examples") {
                let counter = is_marker(trimmed, "counter");
                section = match section {
                    Section::Examples(name) | Section::Counter(name) if counter => Section::Counter(name),
                    Section::Examples(name) | Section::Counter(name) => Section::Examples(name),
                    Section::Skipped => Section::Skipped,
                    Section::Start if counter => {
                        errors.push(IntentFileError::CounterOutsideIntent { line, span: whole });
                        Section::Start
                    }
                    Section::Start => {
                        errors.push(IntentFileError::ExampleOutsideIntent { line, span: whole });
                        Section::Start
                    }
                };
            } else if let Some(rest) = trimmed.strip_prefix('-') {
                let sentence = rest.trim();
                if sentence.is_empty() {
                    errors.push(IntentFileError::EmptyExample { line, span: whole });
                    continue;
                }
                let example = Example {
                    text: Arc::from(sentence),
                    origin: Some(Origin { file: origin_file.clone(), line: u32::try_from(line).unwrap_or(u32::MAX) }),
                };
                match &section {
                    Section::Start => errors.push(IntentFileError::ExampleOutsideIntent { line, span: whole }),
                    Section::Skipped => {}
                    Section::Examples(name) => self.set.add_example(name, example),
                    Section::Counter(name) => self.set.add_counter_example(name, example),
                }
            } else {
                errors.push(IntentFileError::UnexpectedLine { line, span: whole });
            }
        }
        self.files.push(FileProblems { name: file.to_owned(), text: text.to_owned(), errors });
    }

    /// Adds an intent written somewhere else (a policy's `intent NAME { ... }`),
    /// after what was read so far; an intent of that name is continued.
    pub fn add_intent(&mut self, name: &str, examples: Vec<Example>, counter_examples: Vec<Example>) {
        let intent = self.set.intent_mut(name);
        intent.examples.extend(examples);
        intent.counter_examples.extend(counter_examples);
    }

    /// The intents named so far, in order.
    pub fn names(&self) -> Vec<String> {
        self.set.names()
    }

    /// Where an intent was first named in a file read by [`ExampleReader::add_source`]:
    /// the file's number (in the order read), the line and the span of the name.
    pub fn first_named(&self, name: &str) -> Option<(usize, usize, SourceSpan)> {
        self.first_named.get(name).copied()
    }

    /// The training set, or every problem found, grouped by file.
    pub fn finish(self) -> Result<TrainingSet, Vec<IntentReadError>> {
        let (set, failures) = self.finish_partial();
        if failures.is_empty() {
            Ok(set)
        } else {
            Err(failures)
        }
    }

    /// The training set of everything that could be read, and every problem
    /// found, grouped by file: a policy's checker goes on with the intents it has.
    pub fn finish_partial(mut self) -> (TrainingSet, Vec<IntentReadError>) {
        for intent in &self.set.intents {
            if !intent.examples.is_empty() {
                continue;
            }
            if let Some(&(file, line, span)) = self.first_named.get(&intent.name) {
                if let Some(problems) = self.files.get_mut(file) {
                    problems.errors.push(IntentFileError::NoExamples { name: intent.name.clone(), line, span });
                }
            }
        }
        let mut failures = self.unreadable;
        for file in self.files {
            if file.errors.is_empty() {
                continue;
            }
            let mut errors = file.errors;
            errors.sort_by_key(IntentFileError::line);
            failures.push(IntentReadError::Invalid {
                source_code: NamedSource::new(&file.name, file.text),
                file: file.name,
                errors,
            });
        }
        (self.set, failures)
    }
}

/// `counter:` or `examples:` alone on a line (spaces before the colon allowed).
fn is_marker(line: &str, word: &str) -> bool {
    line.strip_prefix(word)
        .and_then(|rest| rest.trim_start().strip_prefix(':'))
        .is_some_and(|rest| rest.trim().is_empty())
}

/// A name a rule can refer to: the policy language's identifiers.
pub fn is_intent_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Reads one file's text.
pub fn parse_examples(file: &str, text: &str) -> Result<TrainingSet, Vec<IntentReadError>> {
    let mut reader = ExampleReader::new();
    reader.add_source(file, text);
    reader.finish()
}

/// Reads example files in the order given into one training set.
pub fn read_example_files<P: AsRef<Path>>(paths: &[P]) -> Result<TrainingSet, Vec<IntentReadError>> {
    let mut reader = ExampleReader::new();
    for path in paths {
        reader.add_file(path.as_ref());
    }
    reader.finish()
}
