//! What a policy decided about a conversation, and why.
//!
//! Conflict resolution, when several rules fire: the strongest action wins
//! (escalate, then offer, then flag); between rules with the same action, the one
//! written first in the policy wins. Every fired rule is listed all the same.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use super::program::Priority;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    None,
    Flag,
    Offer,
    Escalate,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::None => "none",
            ActionKind::Flag => "flag",
            ActionKind::Offer => "offer",
            ActionKind::Escalate => "escalate",
        }
    }
}

/// Which policy made a decision. Shared text: every decision carries one, and a
/// copy costs no allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    pub name: Arc<str>,
    pub version: u64,
    /// SHA-256 of the policy's text, hex.
    pub hash: Arc<str>,
}

/// The decision so far: after one message in a live session, or for a whole conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub action: ActionKind,
    /// The queue the conversation goes (or is offered) to, after any fallback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// The queue the rule asked for, when it was closed and the fallback was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// The deciding rule's reason first, then those of other rules with the same action.
    pub reasons: Vec<String>,
    /// Labels of every `flag` rule that fired.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// The rule that decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The message (numbered from 1) at which the deciding rule fired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_message: Option<u32>,
    /// Messages evaluated.
    pub messages: u32,
    /// Every rule that fired, in the order they fired.
    pub rules: Vec<FiredRule>,
    pub policy: PolicyRef,
}

impl Decision {
    pub fn none(policy: PolicyRef) -> Decision {
        Decision {
            action: ActionKind::None,
            queue: None,
            fallback_from: None,
            priority: None,
            reasons: Vec::new(),
            flags: Vec::new(),
            rule: None,
            at_message: None,
            messages: 0,
            rules: Vec::new(),
            policy,
        }
    }

    pub fn is_escalation(&self) -> bool {
        self.action == ActionKind::Escalate
    }

    /// "escalate:disputes", "offer:general", "flag", "none": the label replay diffs use.
    pub fn label(&self) -> String {
        match (&self.action, &self.queue) {
            (ActionKind::Escalate | ActionKind::Offer, Some(q)) => format!("{}:{q}", self.action.as_str()),
            (a, _) => a.as_str().to_string(),
        }
    }
}

/// A rule that fired, when, and on what evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiredRule {
    pub rule: String,
    pub action: ActionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The message (numbered from 1) at which it fired.
    pub message: u32,
    pub evidence: Vec<Evidence>,
}

/// Why a signal had the value it had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// A phrase found in a message: the phrase as listed and the text as written.
    Phrase { message: u32, phrase: String, matched: String, start: usize, end: usize },
    /// A regular expression's match.
    Pattern { message: u32, pattern: String, matched: String, start: usize, end: usize },
    /// Sentiment of each message in the window, and the folded value.
    Sentiment { messages: Vec<u32>, values: Vec<f64>, value: f64 },
    /// A message near-identical to an earlier one.
    Repeat { message: u32, repeats: u32, similarity: f64, text: String },
    /// Messages counted (fallback answers, or matches of a pattern).
    Count { messages: Vec<u32>, count: u32 },
    /// An intent annotation.
    Intent { message: u32, intent: String, confidence: Option<f64> },
    /// An entity annotation.
    Entity { message: u32, entity: String },
    /// An intent learnt from the policy's examples: the message's score for it, the
    /// threshold it reached, and the training example nearest to the message.
    LearntIntent {
        message: u32,
        intent: String,
        /// Rounded to 4 decimals (the model computes in 32 bits).
        score: f64,
        threshold: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nearest: Option<NearestExample>,
    },
}

/// A score of the intent model (32 bits) as the decision shows it: 4 decimals, so
/// JSON shows `0.9421`, not the 32-bit number's 64-bit spelling.
pub fn rounded_score(x: f32) -> f64 {
    (f64::from(x) * 10_000.0).round() / 10_000.0
}

/// The training example of an intent most like a message: why it scored as it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearestExample {
    pub text: String,
    /// Where it is written: the example file (or the policy) and its line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Cosine similarity of the two (words and word pairs), in 0..1, rounded to 4 decimals.
    pub similarity: f64,
}
