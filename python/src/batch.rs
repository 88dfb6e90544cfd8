//! Many conversations at once: parsed and evaluated without the GIL, on scoped
//! threads that take blocks of inputs in turn, results kept in input order.

use std::sync::atomic::{AtomicUsize, Ordering};

use handoff::transcript::TranscriptError;
use handoff::{Context, Decision, Mode, Policy};

use crate::input::Input;

/// Inputs a thread claims at once: small enough to balance long and short
/// conversations, large enough that claiming costs nothing.
const BLOCK: usize = 16;

/// One conversation to evaluate: its input, and its line when it came from JSON Lines.
pub struct Record {
    pub input: Input,
    pub line: usize,
}

pub type Outcome = Result<Decision, TranscriptError>;

/// Evaluates every record on `threads` threads (at least one); the outcomes are in input order.
/// `how`: the context, and when each conversation is decided.
pub fn evaluate_all(policy: &Policy, how: (&Context, Mode), records: &[Record], threads: usize) -> Vec<Outcome> {
    let threads = threads.clamp(1, records.len().div_ceil(BLOCK).max(1));
    if threads == 1 {
        return records.iter().map(|r| evaluate_one(policy, how, r)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut parts: Vec<Vec<(usize, Outcome)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let start = next.fetch_add(BLOCK, Ordering::Relaxed);
                        let Some(block) = records.get(start..records.len().min(start + BLOCK)) else { break };
                        if block.is_empty() {
                            break;
                        }
                        done.extend(block.iter().enumerate().map(|(i, r)| (start + i, evaluate_one(policy, how, r))));
                    }
                    done
                })
            })
            .collect();
        // A worker cannot panic (evaluation does not); if one did, its inputs are reported below.
        workers.into_iter().filter_map(|w| w.join().ok()).collect()
    });
    let mut slots: Vec<Option<Outcome>> = (0..records.len()).map(|_| None).collect();
    for (i, outcome) in parts.iter_mut().flat_map(std::mem::take) {
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(outcome);
        }
    }
    slots
        .into_iter()
        .zip(records)
        .map(|(slot, record)| slot.unwrap_or_else(|| evaluate_one(policy, how, record)))
        .collect()
}

fn evaluate_one(policy: &Policy, (context, mode): (&Context, Mode), record: &Record) -> Outcome {
    let conversation = record.input.conversation("conversations", record.line)?;
    Ok(policy.evaluate_as(&conversation, context, mode))
}
