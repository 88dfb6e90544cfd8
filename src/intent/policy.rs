//! A policy's intents: the `intent NAME { ... }` declarations written in it and
//! the example files it names (`intents from "file"`, relative to the policy's
//! directory), read into one training set; where each intent was declared, for
//! diagnostics; and the trained model, shared through a small cache so that a
//! policy compiled again with the same examples (a reload, a test run after a
//! check) does not train again.

use std::path::Path;
use std::sync::{Arc, Mutex};

use miette::SourceSpan;

use super::err::IntentFileError;
use super::examples::{Example, Origin, TrainingSet};
use super::file_err::IntentReadError;
use super::linear::LinearModel;
use super::quality::{quality_report_at, QualityReport, QualitySettings};
use super::reader::ExampleReader;
use super::train::{fingerprint, train, TrainSettings};
use crate::syntax::ast::{IntentPart, Item, Policy};

/// The score at which a message counts as an intent when neither the intent's
/// declaration nor the rule (`at least N`) says otherwise.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// Every intent of a policy, with its examples.
#[derive(Debug, Clone, Default)]
pub struct PolicyIntents {
    /// The intents in the order first declared: the order of the scores.
    pub set: TrainingSet,
    /// Per intent (set order), the `threshold` its declaration gives.
    pub thresholds: Vec<Option<f64>>,
    /// Per intent (set order), where it was first declared.
    pub declared: Vec<Declared>,
    /// The example files read, in the order the policy names them.
    pub files: Vec<ExampleFile>,
    /// Whether the policy names example files that were not read (no directory was
    /// given, or a file could not be read): then an unknown intent may be in one of them.
    pub files_unread: bool,
}

/// Where an intent was first declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// `intent NAME { ... }` in the policy: the span of the name.
    Inline(SourceSpan),
    /// `intent: NAME` in an example file: the file (in [`PolicyIntents::files`]),
    /// its 1-based line and the span of the name in the file.
    File { file: usize, line: usize, span: SourceSpan },
}

/// An example file the policy names.
#[derive(Debug, Clone)]
pub struct ExampleFile {
    /// As diagnostics show it: the policy's directory (as given) joined with the
    /// path as written. Evidence names the path as written, relative to the policy.
    pub shown: String,
    /// Where it was read from.
    pub path: std::path::PathBuf,
    pub text: Arc<str>,
    /// The path's string in the policy.
    pub span: SourceSpan,
}

/// A problem reading a policy's examples.
#[derive(Debug, Clone)]
pub enum LoadProblem {
    /// A file the policy names cannot be read: located at its string in the policy.
    Unreadable { shown: String, reason: String, span: SourceSpan },
    /// A problem on a line of an example file (in [`PolicyIntents::files`]).
    InFile { file: usize, error: IntentFileError },
}

impl PolicyIntents {
    /// Reads the intents of `policy` (whose text is `source`, shown as `name`).
    /// Example files are read relative to `dir`; with no `dir` they are not read
    /// and [`PolicyIntents::files_unread`] says so.
    pub fn load(policy: &Policy, name: &str, source: &str, dir: Option<&Path>) -> (PolicyIntents, Vec<LoadProblem>) {
        let mut reader = ExampleReader::new();
        let mut files = Vec::new();
        let mut problems = Vec::new();
        let mut files_unread = false;
        let policy_file: Arc<str> = Arc::from(name);
        let mut inline_spans = Vec::new();
        let mut thresholds: Vec<(String, f64)> = Vec::new();
        for item in &policy.items {
            match item {
                Item::IntentsFrom(from) => {
                    let Some(dir) = dir else {
                        files_unread = true;
                        let shown = from.path.node.clone();
                        problems.push(LoadProblem::Unreadable { shown, reason: String::new(), span: from.path.span });
                        continue;
                    };
                    let path = dir.join(&from.path.node);
                    // Relative paths stay as given; below an absolute directory (a
                    // server's) the file is named as the policy names it.
                    let shown = if dir.is_absolute() { from.path.node.clone() } else { path.display().to_string() };
                    match std::fs::read_to_string(&path) {
                        Ok(text) => {
                            reader.add_source_as(&shown, &from.path.node, &text);
                            files.push(ExampleFile { shown, path, text: Arc::from(text), span: from.path.span });
                        }
                        Err(e) => {
                            // Its intents are unknown: the rules naming them are not wrong.
                            files_unread = true;
                            problems.push(LoadProblem::Unreadable {
                                shown,
                                reason: read_error(&e),
                                span: from.path.span,
                            });
                        }
                    }
                }
                Item::Intent(decl) => {
                    let example = |s: &crate::syntax::ast::Node<String>| Example {
                        text: Arc::from(s.node.trim()),
                        origin: Some(Origin { file: policy_file.clone(), line: line_of(source, s.span.offset()) }),
                    };
                    let (mut examples, mut counter) = (Vec::new(), Vec::new());
                    for part in &decl.parts {
                        match &part.node {
                            IntentPart::Examples(list) => examples.extend(list.iter().map(example)),
                            IntentPart::Counter(list) => counter.extend(list.iter().map(example)),
                            IntentPart::Threshold(t) => thresholds.push((decl.name.node.clone(), t.node)),
                        }
                    }
                    reader.add_intent(&decl.name.node, examples, counter);
                    inline_spans.push((decl.name.node.clone(), decl.name.span));
                }
                _ => {}
            }
        }
        // Where each intent was first named in a file, before the reader is consumed.
        let file_named: Vec<(String, Option<FirstNamed>)> =
            reader.names().into_iter().map(|n| (n.clone(), reader.first_named(&n))).collect();
        let (set, failures) = reader.finish_partial();
        let set_names = set.names();
        for failure in failures {
            match failure {
                IntentReadError::Unreadable { file, reason } => {
                    problems.push(LoadProblem::Unreadable { shown: file, reason, span: (0, 0).into() })
                }
                IntentReadError::Invalid { file, errors, .. } => {
                    let Some(index) = files.iter().position(|f| f.shown == file) else { continue };
                    problems.extend(errors.into_iter().map(|error| LoadProblem::InFile { file: index, error }));
                }
            }
        }
        let declared = set_names
            .iter()
            .map(|n| {
                let inline = inline_spans.iter().find(|(m, _)| m == n).map(|(_, s)| *s);
                let in_file = file_named.iter().find(|(m, _)| m == n).and_then(|(_, f)| *f);
                match (inline, in_file) {
                    (Some(span), _) => Declared::Inline(span),
                    (None, Some((file, line, span))) => Declared::File { file, line, span },
                    (None, None) => Declared::Inline((0, 0).into()),
                }
            })
            .collect();
        let thresholds = set_names.iter().map(|n| thresholds.iter().find(|(m, _)| m == n).map(|&(_, t)| t)).collect();
        (PolicyIntents { set, thresholds, declared, files, files_unread }, problems)
    }

    pub fn is_empty(&self) -> bool {
        self.set.intents.is_empty()
    }

    /// The position of an intent by name.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.set.position(name)
    }

    /// The threshold of intent `i` as written: its declaration's, or the default.
    pub fn threshold_written(&self, i: usize) -> f64 {
        self.thresholds.get(i).copied().flatten().unwrap_or(DEFAULT_THRESHOLD)
    }

    /// The threshold of intent `i` as scores are compared with it (32 bits).
    pub fn threshold(&self, i: usize) -> f32 {
        self.threshold_written(i) as f32
    }

    /// What decides the model's scores (examples and training settings), hex: a
    /// policy's hash includes it.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.set, &TrainSettings::default())
    }

    /// The trained model: from the cache when these examples were trained on
    /// before in this process, else trained now.
    pub fn model(&self) -> Arc<LinearModel> {
        let settings = TrainSettings::default();
        let key = fingerprint(&self.set, &settings);
        if let Ok(models) = MODELS.lock() {
            if let Some((_, model)) = models.iter().find(|(k, _)| *k == key) {
                return Arc::clone(model);
            }
        }
        let model = Arc::new(train(&self.set, &settings));
        if let Ok(mut models) = MODELS.lock() {
            if models.len() >= CACHED_MODELS {
                models.remove(0);
            }
            models.push((key, Arc::clone(&model)));
        }
        model
    }

    /// Cross-validated precision and recall of every intent at its threshold, and
    /// the warnings (`handoff check`): trains once per fold.
    pub fn quality(&self) -> QualityReport {
        let thresholds: Vec<f32> = (0..self.set.intents.len()).map(|i| self.threshold(i)).collect();
        quality_report_at(&self.set, &QualitySettings::default(), &thresholds)
    }
}

/// How many trained models the process keeps: a server reloading between two
/// versions of a policy, and a test run beside it.
const CACHED_MODELS: usize = 4;

/// Trained models by fingerprint, oldest first.
type ModelCache = Vec<(String, Arc<LinearModel>)>;

static MODELS: Mutex<ModelCache> = Mutex::new(Vec::new());

/// Where an intent was first named in a file: the file's number, the line, the name's span.
type FirstNamed = (usize, usize, SourceSpan);

/// The 1-based line of a byte offset.
fn line_of(source: &str, offset: usize) -> u32 {
    let before = source.get(..offset.min(source.len())).unwrap_or("");
    u32::try_from(before.matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// Why a file cannot be read, in plain words (not the OS's text, which varies).
fn read_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "it does not exist".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a directory".into(),
        std::io::ErrorKind::InvalidData => "it is not UTF-8 text".into(),
        _ => "the read failed".into(),
    }
}
