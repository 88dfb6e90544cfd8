//! A signal's window: what it took from each message, how the window keeps it, and
//! how it folds into one value.

use std::collections::VecDeque;
use std::sync::Arc;

use super::super::program::{Feature, Fold, Slot};
use crate::signals::similarity::Fingerprint;
use crate::syntax::ast::Window;

/// Evidence kept for `any` windows: the latest few messages only.
pub(super) const EVIDENCE_CAP: usize = 8;

/// The most entries a window reserves up front; longer windows grow as they fill.
pub(super) const WINDOW_RESERVE: usize = 16;

/// What a signal took from one message.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub message: u32,
    pub ts: Option<i64>,
    pub hit: bool,
    pub value: f64,
    pub start: u32,
    pub end: u32,
    /// The phrase index, or the message this one repeats.
    pub aux: u32,
    pub text: Option<Box<str>>,
    pub fingerprint: Option<Arc<Fingerprint>>,
}

/// One signal's window and current value.
#[derive(Debug, Clone, Default)]
pub(crate) struct SlotState {
    pub entries: VecDeque<Entry>,
    /// Running totals for `any` windows.
    pub hits: u32,
    pub sum: f64,
    pub n: u32,
    pub min: f64,
    pub last_hit: Option<Entry>,
    pub latest_intent: Option<Box<str>>,
    pub latest_confidence: f64,
    /// A learnt intent's score on the latest message the signal saw, and that
    /// message: what an explanation shows when the intent was not said.
    pub latest_score: Option<(u32, f32)>,
    /// The folded value.
    pub num: f64,
    pub hit: bool,
}

impl SlotState {
    pub(super) fn new() -> SlotState {
        SlotState { min: f64::INFINITY, ..SlotState::default() }
    }

    /// Back to a new signal's state, keeping the window's buffer.
    pub(super) fn reset(&mut self) {
        let mut entries = std::mem::take(&mut self.entries);
        entries.clear();
        *self = SlotState { entries, ..SlotState::new() };
    }
}

/// Drops the entries of a `within` window older than its span; true if any went.
pub(super) fn expire(slot: &Slot, state: &mut SlotState, now: i64) -> bool {
    let Window::Within(ms) = slot.window else { return false };
    let cutoff = now.saturating_sub(ms as i64);
    let before = state.entries.len();
    while state.entries.front().is_some_and(|e| e.ts.is_some_and(|t| t < cutoff)) {
        state.entries.pop_front();
    }
    before != state.entries.len()
}

pub(super) fn push_entry(slot: &Slot, state: &mut SlotState, entry: Entry) {
    let keep = match slot.window {
        Window::Any => {
            if matches!(slot.feature, Feature::Sentiment) {
                state.sum += entry.value;
                state.n = state.n.saturating_add(1);
                state.min = state.min.min(entry.value);
            }
            if let (Feature::Intent, Some(t)) = (&slot.feature, &entry.text) {
                state.latest_intent = Some(t.clone());
                state.latest_confidence = entry.value;
            }
            let only_latest_hit = slot.latest_hit_only;
            if entry.hit {
                state.hits = state.hits.saturating_add(1);
                if only_latest_hit {
                    state.last_hit = Some(entry);
                    return;
                }
                state.last_hit = Some(entry.clone());
            }
            if only_latest_hit {
                return;
            }
            EVIDENCE_CAP
        }
        Window::Last(n) => n as usize,
        Window::Within(_) => usize::MAX,
    };
    if keep == 0 {
        return;
    }
    while state.entries.len() >= keep {
        state.entries.pop_front();
    }
    if state.entries.capacity() == 0 {
        // A window's whole size at once (within reason): no regrowth as the session runs.
        state.entries.reserve_exact(keep.min(WINDOW_RESERVE));
    }
    state.entries.push_back(entry);
}

/// Recomputes a signal's value from its window (or running totals).
pub(super) fn fold(slot: &Slot, state: &mut SlotState) {
    let any = slot.window == Window::Any;
    match slot.fold {
        Fold::Any => state.hit = if any { state.hits > 0 } else { state.entries.iter().any(|e| e.hit) },
        Fold::Count => {
            state.num = if any { f64::from(state.hits) } else { state.entries.iter().filter(|e| e.hit).count() as f64 }
        }
        Fold::Mean => {
            state.num = if any {
                if state.n == 0 {
                    0.0
                } else {
                    state.sum / f64::from(state.n)
                }
            } else if state.entries.is_empty() {
                0.0
            } else {
                state.entries.iter().map(|e| e.value).sum::<f64>() / state.entries.len() as f64
            }
        }
        Fold::Min => {
            let m = if any { state.min } else { state.entries.iter().map(|e| e.value).fold(f64::INFINITY, f64::min) };
            state.num = if m.is_finite() { m } else { 0.0 };
        }
        Fold::Trend => state.num = slope(state.entries.iter().map(|e| e.value)),
        Fold::LatestIntent | Fold::LatestConfidence => {
            if !any {
                let latest = state.entries.iter().rev().find(|e| e.text.is_some());
                state.latest_intent = latest.and_then(|e| e.text.clone());
                state.latest_confidence = latest.map_or(0.0, |e| e.value);
            }
            state.num = state.latest_confidence;
        }
        Fold::Repeats => {
            let oldest = state.entries.front().map_or(0, |e| e.message);
            state.num = state.entries.iter().filter(|e| e.hit && e.aux >= oldest).count() as f64;
        }
    }
}

/// Least-squares slope of values against their position (0 for fewer than two).
pub(crate) fn slope(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = values.clone().count();
    if n < 2 {
        return 0.0;
    }
    let nf = n as f64;
    let mean_x = (nf - 1.0) / 2.0;
    let mean_y = values.clone().sum::<f64>() / nf;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, y) in values.enumerate() {
        let dx = i as f64 - mean_x;
        num += dx * (y - mean_y);
        den += dx * dx;
    }
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}
