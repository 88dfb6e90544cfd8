//! What a signal takes from one message: each feature computed at most once per
//! message ([`MessageCache`]), and the entry a signal keeps.

use std::sync::Arc;

use super::super::program::{Feature, Program, Slot};
use super::window::{Entry, SlotState};
use crate::lang::folding::{lowercase_ascii, Searched};
use crate::signals::phrase_index::Scratch;
use crate::signals::phrases::PhraseMatch;
use crate::signals::{sentiment, similarity::Fingerprint};
use crate::transcript::Message;

/// The message's sentiment: its annotation, or the built-in analyser's score.
fn message_sentiment(message: &Message) -> f64 {
    message.sentiment.unwrap_or_else(|| sentiment::compound(&message.text))
}

/// What every signal may want from one message, each computed at most once.
#[derive(Debug, Default, Clone)]
pub(crate) struct MessageCache {
    sentiment: Option<f64>,
    scanned: bool,
    matches: Vec<Option<PhraseMatch>>,
    scratch: Scratch,
    fallback: Option<bool>,
    fingerprint: Option<Arc<Fingerprint>>,
    /// Whether any regex that sees the message may match it.
    patterns: Option<bool>,
    /// Every learnt intent's score for the message, once a signal asked.
    intent_scores: Vec<f32>,
    scored: bool,
    /// The message's ASCII lowercase, for regexes that fold case: whether it is
    /// written into `lowercase` (the text is ASCII), once a regex asked.
    lowercased: Option<bool>,
    lowercase: String,
}

impl MessageCache {
    /// Forgets the previous message, keeping the buffers.
    pub(crate) fn reset(&mut self) {
        self.sentiment = None;
        self.scanned = false;
        self.fallback = None;
        self.fingerprint = None;
        self.patterns = None;
        self.scored = false;
        self.lowercased = None;
    }

    /// The message as a regex searches it: with its ASCII lowercase when the regex
    /// folds case (`folds`), written the first time one asks.
    fn searched<'m>(&'m mut self, message: &'m Message, folds: bool) -> Searched<'m> {
        if !folds {
            return Searched::as_written(&message.text);
        }
        let ascii = *self.lowercased.get_or_insert_with(|| lowercase_ascii(&message.text, &mut self.lowercase));
        Searched { text: &message.text, lowercase: ascii.then_some(self.lowercase.as_str()) }
    }

    /// The message's score for learnt intent `intent`: every intent is scored at
    /// once, the first time a signal asks.
    pub(super) fn intent_score(&mut self, program: &Program, message: &Message, intent: u32) -> Option<f32> {
        if !self.scored {
            let learnt = program.intents.as_ref()?;
            learnt.model.scores_into(&message.text, &mut self.intent_scores);
            self.scored = true;
        }
        self.intent_scores.get(intent as usize).copied()
    }

    /// False when a phrase or pattern feature certainly has no hit in the message
    /// (the phrase scan found nothing for its list, or no regex of the role matches):
    /// the common case, settled without building anything.
    #[inline]
    pub(super) fn may_hit(&mut self, program: &Program, slot: &Slot, message: &Message) -> bool {
        match &slot.feature {
            Feature::Mentions { index, .. } => {
                if !self.scanned {
                    program.phrases.scan(&message.text, &mut self.scratch, &mut self.matches);
                    self.scanned = true;
                }
                self.matches.get(*index as usize).is_some_and(Option::is_some)
            }
            Feature::Matches(_) => self.may_match(program, message),
            _ => true,
        }
    }

    /// False when none of the regexes that see the message matches it (one pass
    /// over the text for all of them); true otherwise, or when there is no set.
    fn may_match(&mut self, program: &Program, message: &Message) -> bool {
        if let Some(known) = self.patterns {
            return known;
        }
        let may = match program.patterns_seeing(message.role) {
            Some(set) => set.is_match(self.searched(message, set.folded.is_some())),
            None => true,
        };
        self.patterns = Some(may);
        may
    }
}

/// A message's match for a yes-or-no feature (a phrase, a pattern, an intent, an
/// entity): the entry to keep when there is one.
pub(super) fn match_entry(
    program: &Program,
    slot: &Slot,
    message: &Message,
    n: u32,
    ts: Option<i64>,
    cache: &mut MessageCache,
) -> Option<Entry> {
    let entry = |start: usize, end: usize, aux: u32, value: f64, text: Option<Box<str>>| Entry {
        message: n,
        ts,
        hit: true,
        value,
        start: start as u32,
        end: end as u32,
        aux,
        text,
        fingerprint: None,
    };
    match &slot.feature {
        Feature::Mentions { index, .. } => {
            if !cache.scanned {
                program.phrases.scan(&message.text, &mut cache.scratch, &mut cache.matches);
                cache.scanned = true;
            }
            let m = cache.matches.get(*index as usize).copied().flatten()?;
            Some(entry(m.start, m.end, m.phrase as u32, 0.0, message.text.get(m.start..m.end).map(Into::into)))
        }
        Feature::Matches(re) => {
            if !cache.may_match(program, message) {
                return None;
            }
            let m = re.find_in(cache.searched(message, re.folds_case()))?;
            Some(entry(m.start, m.end, 0, 0.0, message.text.get(m).map(Into::into)))
        }
        Feature::HasIntent { intents, min_confidence } => {
            let intent = message.intent.as_ref()?;
            let confidence = message.confidence.unwrap_or(1.0);
            (confidence >= *min_confidence && intents.iter().any(|i| i == intent))
                .then(|| entry(0, 0, 0, confidence, Some(intent.as_str().into())))
        }
        Feature::HasEntity(name) => {
            message.entities.get(name).is_some_and(|v| !v.is_null()).then(|| entry(0, 0, 0, 0.0, None))
        }
        Feature::Says { intent, threshold, .. } => {
            let score = cache.intent_score(program, message, *intent)?;
            // The text is kept for the evidence's nearest example, looked for if a rule fires.
            (score >= *threshold).then(|| entry(0, 0, *intent, f64::from(score), Some(message.text.as_str().into())))
        }
        _ => None,
    }
}

pub(crate) fn feature(
    program: &Program,
    slot: &Slot,
    state: &SlotState,
    message: &Message,
    n: u32,
    ts: Option<i64>,
    cache: &mut MessageCache,
) -> Entry {
    let mut e =
        Entry { message: n, ts, hit: false, value: 0.0, start: 0, end: 0, aux: 0, text: None, fingerprint: None };
    match &slot.feature {
        Feature::Mentions { .. }
        | Feature::Matches(_)
        | Feature::HasIntent { .. }
        | Feature::HasEntity(_)
        | Feature::Says { .. } => {
            if let Some(hit) = match_entry(program, slot, message, n, ts, cache) {
                e = hit;
            }
        }
        Feature::Sentiment => {
            let v = *cache.sentiment.get_or_insert_with(|| message_sentiment(message));
            e.value = v;
            e.hit = true;
        }
        Feature::Intent => {
            if let Some(intent) = &message.intent {
                e.text = Some(intent.as_str().into());
                e.value = message.confidence.unwrap_or(1.0);
                e.hit = true;
            }
        }
        Feature::Count(re) => {
            e.hit = match re {
                None => true,
                Some(re) => {
                    cache.may_match(program, message) && re.is_match_in(cache.searched(message, re.folds_case()))
                }
            };
        }
        Feature::Fallback => {
            e.hit = *cache.fallback.get_or_insert_with(|| program.languages.is_fallback(&message.text));
        }
        Feature::Test { test, .. } => e.hit = test(&message.text),
        Feature::Repeat { similarity } => {
            let fp = Arc::clone(cache.fingerprint.get_or_insert_with(|| Arc::new(Fingerprint::new(&message.text))));
            // The latest similar message: it stays in the window longest, so "repeats an
            // earlier message still in the window" holds exactly while it is there.
            let latest = state.entries.iter().rev().find_map(|earlier| {
                let s = fp.similar_at_least(earlier.fingerprint.as_ref()?, *similarity)?;
                Some((s, earlier.message))
            });
            if let Some((s, of)) = latest {
                e.hit = true;
                e.value = s;
                e.aux = of;
            }
            e.fingerprint = Some(fp);
        }
        Feature::ExactRepeat => {
            // Surrounding whitespace is how a transport wrote the text, not what was
            // said; case and punctuation are what was said (`repeats` ignores them).
            let text = message.text.trim();
            if !text.is_empty() {
                // The latest equal message, for the reason `repeats` takes the latest.
                let latest = state.entries.iter().rev().find(|earlier| earlier.text.as_deref() == Some(text));
                if let Some(earlier) = latest {
                    e.hit = true;
                    e.value = 1.0;
                    e.aux = earlier.message;
                }
                e.text = Some(text.into());
            }
        }
    }
    e
}
