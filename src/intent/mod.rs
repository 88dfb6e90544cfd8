//! Intents learned from examples: ops name an intent, give example sentences
//! (and counter-examples), and a rule asks how much a message looks like it.
//!
//! The stages, one file each:
//! - `reader`: example files (a plain, Rasa-like format) into a [`TrainingSet`],
//!   with located errors (`err`);
//! - `text`: a message into hashed word, word-pair and character n-gram features;
//! - `vector`: features into a sparse, unit-length vector over a vocabulary;
//! - `train`: a deterministic one-vs-rest logistic regression over those vectors;
//! - `linear`: the trained [`LinearModel`], scoring a message;
//! - `nearest`: the training example nearest to a message, the evidence of a score;
//! - `quality`: cross-validated precision and recall per intent, and warnings.
//!
//! Policies see only the [`IntentModel`] trait, so another backend (sentence
//! embeddings loaded from a local path, say) can replace the linear model
//! without changing a policy. `docs/intents.md` explains the design.

use std::sync::Arc;

use serde::Serialize;

pub(crate) mod err;
pub(crate) mod examples;
pub(crate) mod file_err;
pub(crate) mod linear;
pub(crate) mod nearest;
pub(crate) mod policy;
pub(crate) mod quality;
pub(crate) mod reader;
pub(crate) mod text;
pub(crate) mod train;
pub(crate) mod vector;

pub use err::IntentFileError;
pub use examples::{Example, IntentExamples, Origin, TrainingSet};
pub use file_err::IntentReadError;
pub use linear::LinearModel;
pub use policy::{Declared, ExampleFile, LoadProblem, PolicyIntents};
pub use quality::{quality_report, quality_report_at, IntentQuality, QualityReport, QualitySettings, QualityWarning};
pub use reader::{parse_examples, read_example_files, ExampleReader};
pub use train::{train, Balance, TrainSettings};

/// A model that scores how much a message is each of a set of intents.
///
/// Scores are in `0..=1` and comparable to a fixed threshold: each intent is
/// scored on its own (one intent's score does not lower another's), so a
/// message can be none of the intents, or more than one.
pub trait IntentModel: std::fmt::Debug + Send + Sync {
    /// The intents, in the order of [`IntentScores::scores`].
    fn intents(&self) -> &[String];

    /// Every intent's score for `text`, and the best intent with its evidence.
    fn score(&self, text: &str) -> IntentScores;

    /// The score of one intent and the training example of that intent nearest
    /// to `text`: the evidence for a rule that asked about this intent.
    /// `None` when `intent` is not a position in [`IntentModel::intents`].
    fn explain(&self, text: &str, intent: usize) -> Option<IntentMatch>;

    /// A digest (hex) of everything that decides the scores: the training
    /// data, the backend and its settings. A policy hash includes it.
    fn fingerprint(&self) -> &str;

    /// Every intent's score for `text` into `out` (cleared first), without the
    /// evidence: what a policy computes once per message.
    fn scores_into(&self, text: &str, out: &mut Vec<f32>) {
        out.clear();
        out.extend(self.score(text).scores);
    }

    /// The position of an intent by name.
    fn position(&self, name: &str) -> Option<usize> {
        self.intents().iter().position(|n| n == name)
    }
}

/// The position and value of the highest score, the first on a tie; `None` when empty.
pub(crate) fn first_best(scores: &[f32]) -> Option<(usize, f32)> {
    scores.iter().enumerate().fold(None, |best, (i, &s)| match best {
        Some((_, top)) if top >= s => best,
        _ => Some((i, s)),
    })
}

/// The scores of every intent for one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentScores {
    /// One score in `0..=1` per intent, in [`IntentModel::intents`] order.
    pub scores: Vec<f32>,
    /// The highest-scoring intent (the first on a tie), with its nearest example.
    pub best: Option<IntentMatch>,
}

/// One intent's score for a message, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentMatch {
    /// Position of the intent in [`IntentModel::intents`].
    pub intent: usize,
    pub name: String,
    pub score: f32,
    /// The intent's training example most like the message, if any shares a feature with it.
    pub nearest: Option<Nearest>,
}

/// A training example and how similar it is to the message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nearest {
    pub text: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Cosine similarity of the two feature vectors, in `0..=1`.
    pub similarity: f32,
}
