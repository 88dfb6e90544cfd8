//! The training data of a policy's intents: for each intent, the example
//! sentences ops wrote and the counter-examples that must not count as it,
//! each with where it was written, and a content hash for the policy hash.

use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Where an example was written: its file and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: u32,
}

/// One example sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    pub text: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl Example {
    pub fn new(text: impl Into<Arc<str>>) -> Example {
        Example { text: text.into(), origin: None }
    }
}

/// One intent: a name a rule refers to, its examples and its counter-examples.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IntentExamples {
    pub name: String,
    pub examples: Vec<Example>,
    /// Sentences that are not this intent (a negative for it, and only for it).
    pub counter_examples: Vec<Example>,
}

/// Every intent of a policy, in the order they were first named. The order
/// matters: it is the order of the scores and the order training visits the
/// examples in, so it is part of the content hash.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TrainingSet {
    pub intents: Vec<IntentExamples>,
}

/// Counts and version of the canonical form the content hash is taken over.
const HASH_TAG: &[u8] = b"handoff intent training set v1\0";

impl TrainingSet {
    pub fn new() -> TrainingSet {
        TrainingSet::default()
    }

    /// The position of an intent by name.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.intents.iter().position(|i| i.name == name)
    }

    /// The intent called `name`, created empty at the end if it is new.
    pub fn intent_mut(&mut self, name: &str) -> &mut IntentExamples {
        let at = match self.position(name) {
            Some(at) => at,
            None => {
                self.intents.push(IntentExamples {
                    name: name.to_owned(),
                    examples: Vec::new(),
                    counter_examples: Vec::new(),
                });
                self.intents.len() - 1
            }
        };
        // The position was found or just pushed, so the slot exists.
        #[expect(clippy::indexing_slicing, reason = "`at` is a valid position: found above or just pushed")]
        &mut self.intents[at]
    }

    /// Adds an example sentence to `intent`.
    pub fn add_example(&mut self, intent: &str, example: Example) {
        self.intent_mut(intent).examples.push(example);
    }

    /// Adds a counter-example (a sentence that is not `intent`).
    pub fn add_counter_example(&mut self, intent: &str, example: Example) {
        self.intent_mut(intent).counter_examples.push(example);
    }

    /// The intent names, in score order.
    pub fn names(&self) -> Vec<String> {
        self.intents.iter().map(|i| i.name.clone()).collect()
    }

    /// Number of examples and counter-examples over all intents.
    pub fn len(&self) -> usize {
        self.intents.iter().map(|i| i.examples.len() + i.counter_examples.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// SHA-256 (hex) of the names, examples and counter-examples in order.
    /// Where they were written (files, lines, comments, blank lines) is left
    /// out: it does not change what the model learns, so moving examples
    /// between files does not change a policy's hash.
    pub fn content_hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(HASH_TAG);
        let mut field = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        for intent in &self.intents {
            field(intent.name.as_bytes());
            field(&(intent.examples.len() as u64).to_le_bytes());
            for e in &intent.examples {
                field(e.text.as_bytes());
            }
            field(&(intent.counter_examples.len() as u64).to_le_bytes());
            for e in &intent.counter_examples {
                field(e.text.as_bytes());
            }
        }
        hex(&hasher.finalize())
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
