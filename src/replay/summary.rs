//! The statistics of a replay, folded one decision at a time in input order.
//!
//! Rates are shares of the conversations evaluated (rejected records are not in
//! the denominator). The *containment rate* is the share that stayed with the
//! bot: decided `none` or only `flag`ged. An `offer` is not contained, since a
//! person was put within the customer's reach.
//!
//! Everything here is bounded by the policy's size and the number of distinct
//! labels, never by the corpus: examples are the first few ids, the escalation
//! timing is a count per message index.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::diff::{Diff, DiffTally};
use super::group::GroupBy;
use super::labels::{LabelSummary, LabelTally, Scored};
use crate::eval::{ActionKind, Decision, Policy, PolicyRef};

/// Example conversation ids kept per rule, per transition.
pub const EXAMPLES: usize = 3;

/// Escalation-timing histogram: one bin per message up to this, then one for the rest.
pub const HISTOGRAM_BINS: u32 = 20;

/// A count and its share of the conversations evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    pub count: u64,
    pub rate: f64,
}

impl Share {
    pub fn of(count: u64, total: u64) -> Share {
        Share { count, rate: rate(count, total) }
    }
}

/// `count / total`, 0 when there is nothing to divide.
#[allow(clippy::cast_precision_loss)] // counts stay far below 2^53
pub fn rate(count: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 / total as f64
    }
}

/// How many conversations each action decided.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Actions {
    pub escalate: Share,
    pub offer: Share,
    pub flag: Share,
    pub none: Share,
}

/// Counts per action, for a policy or a group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActionTally {
    pub escalate: u64,
    pub offer: u64,
    pub flag: u64,
    pub none: u64,
}

impl ActionTally {
    pub fn add(&mut self, action: ActionKind) {
        let slot = match action {
            ActionKind::Escalate => &mut self.escalate,
            ActionKind::Offer => &mut self.offer,
            ActionKind::Flag => &mut self.flag,
            ActionKind::None => &mut self.none,
        };
        *slot = slot.saturating_add(1);
    }

    pub fn total(&self) -> u64 {
        self.escalate.saturating_add(self.offer).saturating_add(self.flag).saturating_add(self.none)
    }

    pub fn shares(&self) -> Actions {
        let total = self.total();
        Actions {
            escalate: Share::of(self.escalate, total),
            offer: Share::of(self.offer, total),
            flag: Share::of(self.flag, total),
            none: Share::of(self.none, total),
        }
    }

    /// Stayed with the bot: `none` or `flag`.
    pub fn containment(&self) -> Share {
        Share::of(self.none.saturating_add(self.flag), self.total())
    }
}

/// One rule: in how many conversations it fired, and how many it decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleStats {
    pub rule: String,
    pub fired: Share,
    pub decided: Share,
    /// The first conversations (in input order) in which it fired.
    pub examples: Vec<String>,
}

/// One queue: conversations escalated and offered to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueStats {
    pub queue: String,
    pub escalated: Share,
    pub offered: Share,
    /// Conversations sent here because the queue the rule asked for was closed.
    pub fallbacks: u64,
}

/// At which message escalations happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EscalationTiming {
    pub escalations: u64,
    pub median: Option<u32>,
    pub p90: Option<u32>,
    pub histogram: Vec<Bin>,
}

/// One bar of the escalation-timing histogram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bin {
    /// "7", or "21+" for the last, open bin.
    pub message: String,
    pub count: u64,
}

/// The statistics of one group (`--group-by`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStats {
    pub group: String,
    pub conversations: u64,
    pub actions: Actions,
    pub containment: Share,
}

/// Everything a replay found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The policy replayed: name, version, hash.
    pub policy: PolicyRef,
    /// Records read: `evaluated + rejected`.
    pub read: u64,
    /// Records decided.
    pub evaluated: u64,
    /// Records that could not be read as conversations (skipped).
    pub rejected: u64,
    /// Evaluated records that carried fields the schema does not know (each
    /// ignored; a misspelled one makes its rules never fire).
    #[serde(skip_serializing_if = "is_zero")]
    pub with_unknown_fields: u64,
    /// Unknown fields met in those records, all told.
    #[serde(skip_serializing_if = "is_zero")]
    pub unknown_fields: u64,
    /// How many conversations got each action.
    pub actions: Actions,
    /// Stayed with the bot: decided `none` or only flagged.
    pub containment: Share,
    /// Per rule in policy order: how often it fired and decided.
    pub rules: Vec<RuleStats>,
    /// Per queue: how many escalations went there.
    pub queues: Vec<QueueStats>,
    /// At which message escalations happened.
    pub escalation_message: EscalationTiming,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The field statistics are grouped by (`--group-by`), when any.
    pub group_by: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    /// The statistics per group, when grouping.
    pub groups: Vec<GroupStats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The comparison with the baseline policy, when one was given.
    pub diff: Option<Diff>,
    /// Scores against the records that carry an `expect`; absent when none does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<LabelSummary>,
}

#[derive(Debug, Clone, Default)]
struct RuleTally {
    fired: u64,
    decided: u64,
    examples: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct QueueTally {
    escalated: u64,
    offered: u64,
    fallbacks: u64,
}

/// The running fold behind a [`Summary`].
#[derive(Debug, Clone)]
pub struct Tally {
    policy: PolicyRef,
    rule_index: HashMap<String, usize>,
    rules: Vec<(String, RuleTally)>,
    queue_index: HashMap<String, usize>,
    queues: Vec<(String, QueueTally)>,
    actions: ActionTally,
    rejected: u64,
    with_unknown_fields: u64,
    unknown_fields: u64,
    escalated_at: BTreeMap<u32, u64>,
    group_by: Option<GroupBy>,
    groups: BTreeMap<String, ActionTally>,
    diff: Option<DiffTally>,
    labels: LabelTally,
}

impl Tally {
    pub fn new(policy: &Policy, baseline: Option<&Policy>, group_by: Option<GroupBy>) -> Tally {
        let rules: Vec<(String, RuleTally)> =
            policy.rule_names().map(|name| (name.to_owned(), RuleTally::default())).collect();
        let queues: Vec<(String, QueueTally)> =
            policy.queue_names().map(|name| (name.to_owned(), QueueTally::default())).collect();
        Tally {
            policy: policy.reference().clone(),
            rule_index: rules.iter().enumerate().map(|(i, (name, _))| (name.clone(), i)).collect(),
            rules,
            queue_index: queues.iter().enumerate().map(|(i, (name, _))| (name.clone(), i)).collect(),
            queues,
            actions: ActionTally::default(),
            rejected: 0,
            with_unknown_fields: 0,
            unknown_fields: 0,
            escalated_at: BTreeMap::new(),
            group_by,
            groups: BTreeMap::new(),
            diff: baseline.map(|b| DiffTally::new(policy, b)),
            labels: LabelTally::new(policy, baseline),
        }
    }

    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    pub fn evaluated(&self) -> u64 {
        self.actions.total()
    }

    pub fn reject(&mut self) {
        self.rejected = self.rejected.saturating_add(1);
    }

    /// Counts an evaluated record's unknown fields (none: nothing to count).
    pub fn note_unknown_fields(&mut self, fields: usize) {
        if fields > 0 {
            self.with_unknown_fields = self.with_unknown_fields.saturating_add(1);
            self.unknown_fields = self.unknown_fields.saturating_add(u64::try_from(fields).unwrap_or(u64::MAX));
        }
    }

    /// How many misses of each expected/decided pair to keep.
    pub fn keep_misses(&mut self, per_pair: usize) {
        self.labels.keep_misses(per_pair);
    }

    /// Counts one labelled conversation's score (after [`Tally::add`]).
    pub fn score(
        &mut self,
        id: &str,
        scored: &Scored,
        decision: &Decision,
        baseline: Option<&Decision>,
        groups: &[String],
    ) {
        self.labels.add(id, scored, decision, baseline, groups);
    }

    /// Counts one evaluated conversation.
    pub fn add(&mut self, id: &str, decision: &Decision, baseline: Option<&Decision>, groups: &[String]) {
        self.actions.add(decision.action);
        let mut seen_rules: Vec<usize> = Vec::with_capacity(decision.rules.len());
        for fired in &decision.rules {
            let index = self.rule(&fired.rule);
            if seen_rules.contains(&index) {
                continue;
            }
            seen_rules.push(index);
            if let Some((_, tally)) = self.rules.get_mut(index) {
                tally.fired = tally.fired.saturating_add(1);
                if tally.examples.len() < EXAMPLES {
                    tally.examples.push(id.to_owned());
                }
            }
        }
        if let Some(rule) = &decision.rule {
            let index = self.rule(rule);
            if let Some((_, tally)) = self.rules.get_mut(index) {
                tally.decided = tally.decided.saturating_add(1);
            }
        }
        if let Some(queue) = &decision.queue {
            let index = self.queue(queue);
            if let Some((_, tally)) = self.queues.get_mut(index) {
                match decision.action {
                    ActionKind::Escalate => tally.escalated = tally.escalated.saturating_add(1),
                    ActionKind::Offer => tally.offered = tally.offered.saturating_add(1),
                    ActionKind::Flag | ActionKind::None => {}
                }
                if decision.fallback_from.is_some() {
                    tally.fallbacks = tally.fallbacks.saturating_add(1);
                }
            }
        }
        if decision.is_escalation() {
            let at = decision.at_message.unwrap_or(decision.messages);
            let count = self.escalated_at.entry(at).or_insert(0);
            *count = count.saturating_add(1);
        }
        if self.group_by.is_some() {
            for group in groups {
                self.groups.entry(group.clone()).or_default().add(decision.action);
            }
        }
        if let (Some(diff), Some(baseline)) = (&mut self.diff, baseline) {
            diff.add(id, decision, baseline);
        }
    }

    /// The index of a rule, adding it when the policy did not list it.
    fn rule(&mut self, name: &str) -> usize {
        if let Some(&index) = self.rule_index.get(name) {
            return index;
        }
        self.rules.push((name.to_owned(), RuleTally::default()));
        let index = self.rules.len().saturating_sub(1);
        self.rule_index.insert(name.to_owned(), index);
        index
    }

    /// The index of a queue, adding it when the policy did not declare it.
    fn queue(&mut self, name: &str) -> usize {
        if let Some(&index) = self.queue_index.get(name) {
            return index;
        }
        self.queues.push((name.to_owned(), QueueTally::default()));
        let index = self.queues.len().saturating_sub(1);
        self.queue_index.insert(name.to_owned(), index);
        index
    }

    pub fn finish(self) -> Summary {
        let evaluated = self.actions.total();
        let rules = self
            .rules
            .into_iter()
            .map(|(rule, t)| RuleStats {
                rule,
                fired: Share::of(t.fired, evaluated),
                decided: Share::of(t.decided, evaluated),
                examples: t.examples,
            })
            .collect();
        let queues = self
            .queues
            .into_iter()
            .map(|(queue, t)| QueueStats {
                queue,
                escalated: Share::of(t.escalated, evaluated),
                offered: Share::of(t.offered, evaluated),
                fallbacks: t.fallbacks,
            })
            .collect();
        let groups = self
            .groups
            .into_iter()
            .map(|(group, t)| GroupStats {
                group,
                conversations: t.total(),
                actions: t.shares(),
                containment: t.containment(),
            })
            .collect();
        Summary {
            policy: self.policy,
            read: evaluated.saturating_add(self.rejected),
            evaluated,
            rejected: self.rejected,
            with_unknown_fields: self.with_unknown_fields,
            unknown_fields: self.unknown_fields,
            actions: self.actions.shares(),
            containment: self.actions.containment(),
            rules,
            queues,
            escalation_message: timing(&self.escalated_at),
            group_by: self.group_by.map(|g| g.to_string()),
            groups,
            diff: self.diff.map(|d| d.finish(evaluated)),
            labels: self.labels.finish(),
        }
    }
}

/// Median and 90th percentile (nearest rank) and the histogram of escalation messages.
pub(crate) fn timing(escalated_at: &BTreeMap<u32, u64>) -> EscalationTiming {
    let escalations: u64 = escalated_at.values().sum();
    let percentile = |p: u64| -> Option<u32> {
        // Nearest rank: the smallest message index covering ceil(p% of n) escalations.
        let rank = escalations.saturating_mul(p).div_ceil(100).max(1);
        let mut seen = 0u64;
        escalated_at.iter().find_map(|(&at, &count)| {
            seen = seen.saturating_add(count);
            (seen >= rank).then_some(at)
        })
    };
    let mut histogram: Vec<Bin> = Vec::new();
    let last = escalated_at.keys().next_back().copied().unwrap_or(0).min(HISTOGRAM_BINS);
    for message in 1..=last {
        let count = escalated_at.get(&message).copied().unwrap_or(0);
        histogram.push(Bin { message: message.to_string(), count });
    }
    let beyond: u64 = escalated_at.range(HISTOGRAM_BINS.saturating_add(1)..).map(|(_, c)| c).sum();
    if beyond > 0 {
        histogram.push(Bin { message: format!("{}+", HISTOGRAM_BINS.saturating_add(1)), count: beyond });
    }
    EscalationTiming { escalations, median: percentile(50), p90: percentile(90), histogram }
}

#[cfg(test)]
#[path = "summary_tests.rs"]
mod tests;

fn is_zero(n: &u64) -> bool {
    *n == 0
}
