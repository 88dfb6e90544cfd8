//! What a signal shows for its current value: the evidence a fired rule carries and
//! the notes an explanation adds.

use std::borrow::Borrow;
use std::ops::Deref;

use super::super::decision::{rounded_score, Evidence, NearestExample};
use super::super::program::{by_id, Feature, SlotId};
use super::super::Policy;
use super::{AttributeSource, Session};
use crate::eval::Context;
use crate::syntax::ast::Window;

impl<P: Deref<Target = Policy> + Clone, A: AttributeSource, C: Borrow<Context>> Session<P, A, C> {
    /// What a signal can show for its current value, if it shows anything.
    pub(crate) fn evidence(&self, s: SlotId) -> Option<Evidence> {
        let slot = self.policy.program().slot(s)?;
        let state = by_id(&self.slots, s, "signal state")?;
        let latest_hit = || match slot.window {
            Window::Any => state.last_hit.clone(),
            _ => state.entries.iter().rev().find(|e| e.hit).cloned(),
        };
        match (&slot.feature, slot.fold) {
            (Feature::Mentions { list, .. }, _) if state.hit => {
                let e = latest_hit()?;
                Some(Evidence::Phrase {
                    message: e.message,
                    phrase: list.get(e.aux as usize).cloned().unwrap_or_default(),
                    matched: e.text.as_deref().unwrap_or("").to_string(),
                    start: e.start as usize,
                    end: e.end as usize,
                })
            }
            (Feature::Matches(re), _) if state.hit => {
                let e = latest_hit()?;
                Some(Evidence::Pattern {
                    message: e.message,
                    pattern: re.as_str().to_string(),
                    matched: e.text.as_deref().unwrap_or("").to_string(),
                    start: e.start as usize,
                    end: e.end as usize,
                })
            }
            (Feature::HasIntent { .. }, _) if state.hit => {
                let e = latest_hit()?;
                Some(Evidence::Intent {
                    message: e.message,
                    intent: e.text.as_deref().unwrap_or("").to_string(),
                    confidence: Some(e.value),
                })
            }
            (Feature::Says { intent, written, .. }, _) if state.hit => {
                let e = latest_hit()?;
                let learnt = self.policy.program().intents.as_ref()?;
                // The nearest example is looked for only now, when a rule fired on it.
                let explained = e.text.as_deref().and_then(|text| learnt.model.explain(text, *intent as usize));
                let nearest = explained.and_then(|m| m.nearest).map(|n| NearestExample {
                    text: n.text.to_string(),
                    file: n.origin.as_ref().map(|o| o.file.to_string()),
                    line: n.origin.as_ref().map(|o| o.line),
                    similarity: rounded_score(n.similarity),
                });
                Some(Evidence::LearntIntent {
                    message: e.message,
                    intent: learnt.names.get(*intent as usize).cloned().unwrap_or_default(),
                    score: rounded_score(e.value as f32),
                    threshold: *written,
                    nearest,
                })
            }
            (Feature::HasEntity(name), _) if state.hit => {
                let e = latest_hit()?;
                Some(Evidence::Entity { message: e.message, entity: name.clone() })
            }
            (Feature::Sentiment, _) if !state.entries.is_empty() => Some(Evidence::Sentiment {
                messages: state.entries.iter().map(|e| e.message).collect(),
                values: state.entries.iter().map(|e| e.value).collect(),
                value: state.num,
            }),
            (Feature::Intent, _) => {
                let e = state.entries.iter().rev().find(|e| e.text.is_some())?;
                Some(Evidence::Intent {
                    message: e.message,
                    intent: e.text.as_deref().unwrap_or("").to_string(),
                    confidence: Some(e.value),
                })
            }
            (Feature::Count(_) | Feature::Fallback | Feature::Test { .. }, _) if state.num > 0.0 => {
                Some(Evidence::Count {
                    messages: state.entries.iter().filter(|e| e.hit).map(|e| e.message).collect(),
                    count: state.num as u32,
                })
            }
            (Feature::Repeat { .. }, _) if state.num > 0.0 => {
                let oldest = state.entries.front().map_or(0, |e| e.message);
                let e = state.entries.iter().rev().find(|e| e.hit && e.aux >= oldest)?;
                Some(Evidence::Repeat {
                    message: e.message,
                    repeats: e.aux,
                    similarity: e.value,
                    text: e.fingerprint.as_ref().map(|f| f.normalized().to_string()).unwrap_or_default(),
                })
            }
            (Feature::ExactRepeat, _) if state.num > 0.0 => {
                let oldest = state.entries.front().map_or(0, |e| e.message);
                let e = state.entries.iter().rev().find(|e| e.hit && e.aux >= oldest)?;
                Some(Evidence::Repeat {
                    message: e.message,
                    repeats: e.aux,
                    similarity: 1.0,
                    text: e.text.as_deref().unwrap_or("").to_string(),
                })
            }
            _ => None,
        }
    }

    /// What an explanation adds to a learnt intent's value: the evidence when it
    /// was said, else the score on the latest message the signal saw.
    pub(crate) fn says_note(&self, s: SlotId) -> Option<String> {
        let slot = self.policy.program().slot(s)?;
        let Feature::Says { written, .. } = slot.feature else { return None };
        let state = by_id(&self.slots, s, "signal state")?;
        if state.hit {
            return self.evidence(s).map(|e| crate::render::evidence_line(&e));
        }
        let (message, score) = state.latest_score?;
        Some(format!("message {message} scores {:.2}, below {written}", rounded_score(score)))
    }
}
