//! The impact of a policy change: the same conversations under a baseline
//! policy and the new one, compared by [`Decision::label`] (`none`, `flag`,
//! `offer:QUEUE`, `escalate:QUEUE`).
//!
//! A decision *changed* when its label differs; a different reason or priority
//! with the same action and queue is not a change ops would see in a queue.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::summary::{rate, ActionTally, Actions, Share, EXAMPLES};
use crate::eval::{ActionKind, Decision, Policy, PolicyRef};

/// How many conversations went from one label to another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    /// The baseline's decision.
    pub from: String,
    /// The new policy's decision.
    pub to: String,
    /// How many conversations.
    pub count: u64,
    /// The first conversations (in input order) that made this move.
    pub examples: Vec<String>,
}

/// One queue's escalation rate under each policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueShift {
    pub queue: String,
    pub baseline: Share,
    pub policy: Share,
    /// `policy.rate - baseline.rate`, as a fraction (0.01 is one percentage point).
    pub change: f64,
}

/// The baseline comparison of a replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// The baseline policy: name, version, hash.
    pub baseline: PolicyRef,
    /// How the baseline decided the same conversations.
    pub baseline_actions: Actions,
    /// The conversations whose decision changed.
    pub changed: Share,
    /// Changed decisions only, most frequent first.
    pub transitions: Vec<Transition>,
    /// Escalation rate per queue, every queue either policy escalated to.
    pub queues: Vec<QueueShift>,
}

#[derive(Debug, Clone, Default)]
struct TransitionTally {
    count: u64,
    examples: Vec<String>,
}

/// The running fold behind a [`Diff`].
#[derive(Debug, Clone)]
pub struct DiffTally {
    baseline: PolicyRef,
    baseline_actions: ActionTally,
    changed: u64,
    transitions: BTreeMap<(String, String), TransitionTally>,
    /// Queue name -> (escalations under the baseline, under the policy).
    queues: BTreeMap<String, (u64, u64)>,
    queue_order: HashMap<String, usize>,
}

impl DiffTally {
    pub fn new(policy: &Policy, baseline: &Policy) -> DiffTally {
        // Queues in declaration order, the new policy's first.
        let mut queue_order = HashMap::new();
        for name in policy.queue_names().chain(baseline.queue_names()) {
            let next = queue_order.len();
            queue_order.entry(name.to_owned()).or_insert(next);
        }
        DiffTally {
            baseline: baseline.reference().clone(),
            baseline_actions: ActionTally::default(),
            changed: 0,
            transitions: BTreeMap::new(),
            queues: queue_order.keys().map(|q| (q.clone(), (0, 0))).collect(),
            queue_order,
        }
    }

    pub fn add(&mut self, id: &str, decision: &Decision, baseline: &Decision) {
        self.baseline_actions.add(baseline.action);
        for (d, is_policy) in [(baseline, false), (decision, true)] {
            if let (ActionKind::Escalate, Some(queue)) = (d.action, &d.queue) {
                let counts = self.queues.entry(queue.clone()).or_insert((0, 0));
                let slot = if is_policy { &mut counts.1 } else { &mut counts.0 };
                *slot = slot.saturating_add(1);
            }
        }
        let (from, to) = (baseline.label(), decision.label());
        if from == to {
            return;
        }
        self.changed = self.changed.saturating_add(1);
        let tally = self.transitions.entry((from, to)).or_default();
        tally.count = tally.count.saturating_add(1);
        if tally.examples.len() < EXAMPLES {
            tally.examples.push(id.to_owned());
        }
    }

    pub fn finish(self, evaluated: u64) -> Diff {
        let mut transitions: Vec<Transition> = self
            .transitions
            .into_iter()
            .map(|((from, to), t)| Transition { from, to, count: t.count, examples: t.examples })
            .collect();
        // Most frequent first; the BTreeMap order breaks ties, so the order is stable.
        transitions.sort_by_key(|t| std::cmp::Reverse(t.count));
        let order = self.queue_order;
        let mut queues: Vec<QueueShift> = self
            .queues
            .into_iter()
            .map(|(queue, (before, after))| {
                let (baseline, policy) = (Share::of(before, evaluated), Share::of(after, evaluated));
                QueueShift { queue, change: policy.rate - baseline.rate, baseline, policy }
            })
            .collect();
        queues.sort_by_key(|q| order.get(&q.queue).copied().unwrap_or(usize::MAX));
        Diff {
            baseline: self.baseline,
            baseline_actions: self.baseline_actions.shares(),
            changed: Share { count: self.changed, rate: rate(self.changed, evaluated) },
            transitions,
            queues,
        }
    }
}
