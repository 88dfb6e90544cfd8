//! Scoring a policy against labelled records: conversations that carry the
//! outcome they should get (`"expect": {"action": "escalate", "queue": "disputes"}`).
//!
//! An expectation is *met* when the decision has its action and, if it names
//! queues, one of them (after any fallback). `none` is met by `none` and by a
//! bare `flag`: both leave the conversation with the bot. Recall is read per
//! expectation as written (`escalate:disputes|fraud`), precision per decision
//! (`escalate:disputes`), and at the level of actions alone both the usual way.
//!
//! A record whose expectation names only queues neither policy declares cannot
//! be met by any decision: it is set aside as *unscorable* and its queue names
//! are listed, so a typo in the labels is not counted as a miss of the policy.
//! Like the rest of the summary, everything kept is bounded by the number of
//! distinct labels (misses: a few per expected/decided pair), not by the corpus.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::summary::{rate, EXAMPLES};
use crate::eval::{ActionKind, Decision, Policy};
use crate::transcript::{Conversation, Expectation, ExpectedAction, Role};

/// Misses kept (and listed) per expected/decided pair unless told otherwise.
pub const DEFAULT_MISSES: usize = 5;

/// The longest excerpt of a missed conversation's customer text, in characters.
pub const EXCERPT_CHARS: usize = 160;

/// A count out of its own denominator; `rate` is null when there was nothing to count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ratio {
    /// How many met the condition.
    pub count: u64,
    /// Out of how many.
    pub of: u64,
    /// `count / of`; `None` when `of` is 0.
    pub rate: Option<f64>,
}

impl Ratio {
    /// `count` out of `of`.
    pub fn new(count: u64, of: u64) -> Ratio {
        Ratio { count, of, rate: (of > 0).then(|| rate(count, of)) }
    }
}

/// One labelled conversation's outcome, worked out beside its evaluation.
#[derive(Debug, Clone)]
pub struct Scored {
    pub expectation: Expectation,
    pub met: bool,
    /// Whether the baseline's decision met it, when diffing.
    pub baseline_met: Option<bool>,
    /// `FILE:LINE` where the record starts, when read from a corpus.
    pub location: Option<String>,
    /// The details listed among the misses, when the policy missed.
    pub miss: Option<Miss>,
}

/// A labelled conversation the policy got wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    pub id: String,
    /// `FILE:LINE` where the record starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub expected: String,
    pub decided: String,
    /// The rule that decided, if any did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_message: Option<u32>,
    /// The first customer messages, whitespace collapsed, cut at [`EXCERPT_CHARS`].
    pub text: String,
}

/// Whether `decision` gives the outcome `expectation` asks for.
pub fn meets(expectation: &Expectation, decision: &Decision) -> bool {
    let queue_ok =
        || expectation.queues.is_empty() || decision.queue.as_ref().is_some_and(|q| expectation.queues.contains(q));
    match expectation.action {
        ExpectedAction::None => matches!(decision.action, ActionKind::None | ActionKind::Flag),
        ExpectedAction::Escalate => decision.action == ActionKind::Escalate && queue_ok(),
        ExpectedAction::Offer => decision.action == ActionKind::Offer && queue_ok(),
    }
}

/// The expected action a decision amounts to: a flag stays with the bot.
pub fn decided_action(action: ActionKind) -> ExpectedAction {
    match action {
        ActionKind::Escalate => ExpectedAction::Escalate,
        ActionKind::Offer => ExpectedAction::Offer,
        ActionKind::Flag | ActionKind::None => ExpectedAction::None,
    }
}

/// Scores a conversation that carries an `expect`; `location` names it among the misses.
pub fn score(
    conversation: &Conversation,
    decision: &Decision,
    baseline: Option<&Decision>,
    location: impl FnOnce() -> Option<String>,
) -> Option<Scored> {
    let expectation = conversation.expect.as_ref()?;
    let met = meets(expectation, decision);
    let location = location();
    let miss = (!met).then(|| Miss {
        id: conversation.id.clone(),
        location: location.clone(),
        expected: expectation.to_string(),
        decided: decision.label(),
        rule: decision.rule.clone(),
        at_message: decision.at_message,
        text: excerpt(conversation),
    });
    Some(Scored {
        expectation: expectation.clone(),
        met,
        baseline_met: baseline.map(|b| meets(expectation, b)),
        location,
        miss,
    })
}

/// The customer's first messages, joined with " / ", whitespace collapsed, cut short.
pub fn excerpt(conversation: &Conversation) -> String {
    let mut out = String::new();
    let mut chars = 0usize;
    let customer = conversation.messages.iter().filter(|m| m.role == Role::Customer);
    'messages: for (n, message) in customer.enumerate() {
        if n > 0 {
            out.push_str(" / ");
            chars = chars.saturating_add(3);
        }
        for word in message.text.split_whitespace() {
            if chars >= EXCERPT_CHARS {
                out.push('…');
                break 'messages;
            }
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
                chars = chars.saturating_add(1);
            }
            let room = EXCERPT_CHARS.saturating_sub(chars);
            let taken: String = word.chars().take(room).collect();
            chars = chars.saturating_add(taken.chars().count());
            out.push_str(&taken);
            if taken.len() < word.len() {
                out.push('…');
                break 'messages;
            }
        }
    }
    out
}

/// Precision and recall of one action, queues aside.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionScore {
    pub action: ExpectedAction,
    /// Records expected to get this action.
    pub support: u64,
    /// Records the policy gave this action (a flag counts as `none`).
    pub decided: u64,
    /// Both.
    pub correct: u64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
}

/// Recall of one expectation as written (`escalate:disputes|fraud`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectedScore {
    pub expected: String,
    /// `met` out of the records with this expectation.
    pub recall: Ratio,
    /// Records given the right action but no acceptable queue.
    pub wrong_queue: u64,
}

/// Precision of one decision (`escalate:disputes`, `flag`, `none`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecidedScore {
    pub decided: String,
    /// Records whose expectation this decision meets, out of those it was made for.
    pub precision: Ratio,
}

/// Expected (rows) against decided (columns), counts of labelled records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confusion {
    pub decided: Vec<String>,
    pub rows: Vec<ConfusionRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfusionRow {
    pub expected: String,
    /// One count per column of [`Confusion::decided`].
    pub counts: Vec<u64>,
}

/// Recall of the escalations expected to (possibly among others) one queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueRecall {
    pub queue: String,
    pub recall: Ratio,
}

/// A queue named in expectations that neither policy declares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnknownQueue {
    pub queue: String,
    pub records: u64,
    /// Where it was first seen (`FILE:LINE`, or the conversation id).
    pub first: String,
}

/// The misses of one expected/decided pair: how many, and the first few.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissGroup {
    pub expected: String,
    pub decided: String,
    pub count: u64,
    pub examples: Vec<Miss>,
}

/// Labelled figures for one `--group-by` group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScore {
    pub group: String,
    pub met: Ratio,
    pub escalation_recall: Ratio,
    pub false_escalation: Ratio,
}

/// Conversations whose outcome changed against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    pub count: u64,
    /// The first ids, in input order.
    pub examples: Vec<String>,
}

/// The baseline's figures on the same labelled records, and what moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineScore {
    pub met: Ratio,
    pub escalation_recall: Ratio,
    pub false_escalation: Ratio,
    /// Missed by the baseline, met by the policy.
    pub fixed: Moved,
    /// Met by the baseline, missed by the policy.
    pub broken: Moved,
}

/// Everything the labelled records say about the policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelSummary {
    /// Records carrying an `expect`.
    pub labelled: u64,
    /// Labelled records whose expectation names only undeclared queues: not scored.
    pub unscorable: u64,
    /// Expectations met, out of the scored records.
    pub met: Ratio,
    /// Expected `escalate`, escalated to an acceptable queue.
    pub escalation_recall: Ratio,
    /// Expected `escalate`, escalated to any queue.
    pub escalation_recall_any_queue: Ratio,
    /// Expected `none`, escalated or offered a person.
    pub false_escalation: Ratio,
    /// Expected `none`, escalated.
    pub false_escalation_escalate_only: Ratio,
    /// Per expected action: how many were decided so.
    pub actions: Vec<ActionScore>,
    /// Per expected outcome (action and queue): recall.
    pub expected: Vec<ExpectedScore>,
    /// Per decided outcome: precision.
    pub decided: Vec<DecidedScore>,
    /// Expected against decided action, as counts.
    pub confusion: Confusion,
    /// Per queue named in `escalate` expectations.
    pub queues: Vec<QueueRecall>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    /// Queues the labels name that the policy does not declare.
    pub unknown_queues: Vec<UnknownQueue>,
    /// Every miss counted; [`LabelSummary::misses`] lists a few per pair.
    pub misses_total: u64,
    /// Misses kept per expected/decided pair.
    pub misses_per_pair: usize,
    /// A few misses per expected/decided pair, with excerpts.
    pub misses: Vec<MissGroup>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    /// The scores per `--group-by` group.
    pub groups: Vec<GroupScore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The baseline policy's scores, when diffing.
    pub baseline: Option<BaselineScore>,
    /// The `--min-recall`-style gates and how they came out, when any were asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<super::gates::GateResult>,
}

/// The headline counts, for the whole corpus, a group, or the baseline.
#[derive(Debug, Clone, Copy, Default)]
struct Headline {
    scored: u64,
    met: u64,
    escalate_expected: u64,
    escalate_met: u64,
    none_expected: u64,
    none_to_person: u64,
}

impl Headline {
    fn add(&mut self, expected: ExpectedAction, met: bool, decided: ExpectedAction) {
        let bump = |n: &mut u64| *n = n.saturating_add(1);
        bump(&mut self.scored);
        if met {
            bump(&mut self.met);
        }
        match expected {
            ExpectedAction::Escalate => {
                bump(&mut self.escalate_expected);
                if met {
                    bump(&mut self.escalate_met);
                }
            }
            ExpectedAction::None => {
                bump(&mut self.none_expected);
                if decided != ExpectedAction::None {
                    bump(&mut self.none_to_person);
                }
            }
            ExpectedAction::Offer => {}
        }
    }

    fn met(&self) -> Ratio {
        Ratio::new(self.met, self.scored)
    }

    fn escalation_recall(&self) -> Ratio {
        Ratio::new(self.escalate_met, self.escalate_expected)
    }

    fn false_escalation(&self) -> Ratio {
        Ratio::new(self.none_to_person, self.none_expected)
    }
}

/// Rows sort by expected action (escalate, offer, none), then label.
type ExpectedKey = (ExpectedAction, String);
/// Columns sort by decided action, strongest first, then label.
type DecidedKey = (Reverse<ActionKind>, String);

#[derive(Debug, Clone, Default)]
struct MissTally {
    count: u64,
    examples: Vec<Miss>,
}

/// The running fold behind a [`LabelSummary`].
#[derive(Debug, Clone)]
pub struct LabelTally {
    known_queues: HashSet<String>,
    misses_per_pair: usize,
    labelled: u64,
    unscorable: u64,
    headline: Headline,
    /// Expected action × decided action (flag as none), in [`ExpectedAction::ALL`] order.
    actions: [[u64; 3]; 3],
    escalated_any_queue: u64,
    none_escalated: u64,
    /// Per expectation label: records, met, right action but wrong queue.
    expected: BTreeMap<ExpectedKey, (u64, u64, u64)>,
    /// Per decision label: records, met.
    decided: BTreeMap<DecidedKey, (u64, u64)>,
    cells: BTreeMap<(ExpectedKey, DecidedKey), u64>,
    queues: BTreeMap<String, (u64, u64)>,
    unknown_queues: BTreeMap<String, (u64, String)>,
    misses: BTreeMap<(ExpectedKey, DecidedKey), MissTally>,
    misses_total: u64,
    groups: BTreeMap<String, Headline>,
    baseline: Option<(Headline, Moved, Moved)>,
}

fn action_index(action: ExpectedAction) -> usize {
    match action {
        ExpectedAction::Escalate => 0,
        ExpectedAction::Offer => 1,
        ExpectedAction::None => 2,
    }
}

impl LabelTally {
    pub fn new(policy: &Policy, baseline: Option<&Policy>) -> LabelTally {
        let mut known_queues: HashSet<String> = policy.queue_names().map(str::to_owned).collect();
        known_queues.extend(baseline.into_iter().flat_map(|b| b.queue_names().map(str::to_owned)));
        let empty = || Moved { count: 0, examples: Vec::new() };
        LabelTally {
            known_queues,
            misses_per_pair: DEFAULT_MISSES,
            labelled: 0,
            unscorable: 0,
            headline: Headline::default(),
            actions: [[0; 3]; 3],
            escalated_any_queue: 0,
            none_escalated: 0,
            expected: BTreeMap::new(),
            decided: BTreeMap::new(),
            cells: BTreeMap::new(),
            queues: BTreeMap::new(),
            unknown_queues: BTreeMap::new(),
            misses: BTreeMap::new(),
            misses_total: 0,
            groups: BTreeMap::new(),
            baseline: baseline.map(|_| (Headline::default(), empty(), empty())),
        }
    }

    /// How many misses to keep per expected/decided pair.
    pub fn keep_misses(&mut self, per_pair: usize) {
        self.misses_per_pair = per_pair;
    }

    /// Counts one labelled conversation; `groups` are its `--group-by` groups.
    pub fn add(
        &mut self,
        id: &str,
        scored: &Scored,
        decision: &Decision,
        baseline: Option<&Decision>,
        groups: &[String],
    ) {
        let bump = |n: &mut u64| *n = n.saturating_add(1);
        bump(&mut self.labelled);
        let expectation = &scored.expectation;
        let mut known = expectation.queues.is_empty();
        for queue in &expectation.queues {
            if self.known_queues.contains(queue) {
                known = true;
            } else {
                let first = || scored.location.clone().unwrap_or_else(|| id.to_owned());
                bump(&mut self.unknown_queues.entry(queue.clone()).or_insert_with(|| (0, first())).0);
            }
        }
        if !known {
            bump(&mut self.unscorable);
            return;
        }
        let expected = expectation.action;
        let decided = decided_action(decision.action);
        self.headline.add(expected, scored.met, decided);
        if let Some(cell) = self.actions.get_mut(action_index(expected)).and_then(|r| r.get_mut(action_index(decided)))
        {
            bump(cell);
        }
        match (expected, decision.action) {
            (ExpectedAction::Escalate, ActionKind::Escalate) => bump(&mut self.escalated_any_queue),
            (ExpectedAction::None, ActionKind::Escalate) => bump(&mut self.none_escalated),
            _ => {}
        }
        let expected_key: ExpectedKey = (expected, expectation.to_string());
        let decided_key: DecidedKey = (Reverse(decision.action), decision.label());
        let row = self.expected.entry(expected_key.clone()).or_default();
        bump(&mut row.0);
        if scored.met {
            bump(&mut row.1);
        } else if expected == decided {
            bump(&mut row.2);
        }
        let column = self.decided.entry(decided_key.clone()).or_default();
        bump(&mut column.0);
        if scored.met {
            bump(&mut column.1);
        }
        let pair = (expected_key, decided_key);
        bump(self.cells.entry(pair.clone()).or_default());
        if expected == ExpectedAction::Escalate {
            for queue in expectation.queues.iter().filter(|q| self.known_queues.contains(*q)) {
                let counts = self.queues.entry(queue.clone()).or_default();
                bump(&mut counts.0);
                if scored.met {
                    bump(&mut counts.1);
                }
            }
        }
        if let Some(miss) = &scored.miss {
            bump(&mut self.misses_total);
            let kept = self.misses.entry(pair).or_default();
            bump(&mut kept.count);
            if kept.examples.len() < self.misses_per_pair {
                kept.examples.push(miss.clone());
            }
        }
        for group in groups {
            self.groups.entry(group.clone()).or_default().add(expected, scored.met, decided);
        }
        if let (Some((headline, fixed, broken)), Some(b), Some(b_met)) =
            (&mut self.baseline, baseline, scored.baseline_met)
        {
            headline.add(expected, b_met, decided_action(b.action));
            let moved = match (b_met, scored.met) {
                (false, true) => Some(fixed),
                (true, false) => Some(broken),
                _ => None,
            };
            if let Some(moved) = moved {
                bump(&mut moved.count);
                if moved.examples.len() < EXAMPLES {
                    moved.examples.push(id.to_owned());
                }
            }
        }
    }

    /// The summary, or `None` when no record carried an `expect`.
    pub fn finish(self) -> Option<LabelSummary> {
        if self.labelled == 0 {
            return None;
        }
        let h = self.headline;
        let actions = ExpectedAction::ALL
            .into_iter()
            .map(|action| {
                let i = action_index(action);
                let row = |r: usize| self.actions.get(r).map_or(0, |row| row.iter().sum::<u64>());
                let column: u64 = self.actions.iter().filter_map(|row| row.get(i)).sum();
                let correct = self.actions.get(i).and_then(|row| row.get(i)).copied().unwrap_or(0);
                ActionScore {
                    action,
                    support: row(i),
                    decided: column,
                    correct,
                    precision: Ratio::new(correct, column).rate,
                    recall: Ratio::new(correct, row(i)).rate,
                }
            })
            .collect();
        let expected = self
            .expected
            .iter()
            .map(|((_, label), &(records, met, wrong_queue))| ExpectedScore {
                expected: label.clone(),
                recall: Ratio::new(met, records),
                wrong_queue,
            })
            .collect();
        let decided = self
            .decided
            .iter()
            .map(|((_, label), &(records, met))| DecidedScore {
                decided: label.clone(),
                precision: Ratio::new(met, records),
            })
            .collect();
        let columns: Vec<&DecidedKey> = self.decided.keys().collect();
        let rows = self
            .expected
            .keys()
            .map(|e| ConfusionRow {
                expected: e.1.clone(),
                counts: columns
                    .iter()
                    .map(|d| self.cells.get(&(e.clone(), (*d).clone())).copied().unwrap_or(0))
                    .collect(),
            })
            .collect();
        let confusion = Confusion { decided: columns.iter().map(|d| d.1.clone()).collect(), rows };
        let misses = self
            .misses
            .into_iter()
            .map(|((e, d), t)| MissGroup { expected: e.1, decided: d.1, count: t.count, examples: t.examples })
            .collect();
        Some(LabelSummary {
            labelled: self.labelled,
            unscorable: self.unscorable,
            met: h.met(),
            escalation_recall: h.escalation_recall(),
            escalation_recall_any_queue: Ratio::new(self.escalated_any_queue, h.escalate_expected),
            false_escalation: h.false_escalation(),
            false_escalation_escalate_only: Ratio::new(self.none_escalated, h.none_expected),
            actions,
            expected,
            decided,
            confusion,
            queues: self
                .queues
                .into_iter()
                .map(|(queue, (records, met))| QueueRecall { queue, recall: Ratio::new(met, records) })
                .collect(),
            unknown_queues: self
                .unknown_queues
                .into_iter()
                .map(|(queue, (records, first))| UnknownQueue { queue, records, first })
                .collect(),
            misses_total: self.misses_total,
            misses_per_pair: self.misses_per_pair,
            misses,
            groups: self
                .groups
                .into_iter()
                .map(|(group, g)| GroupScore {
                    group,
                    met: g.met(),
                    escalation_recall: g.escalation_recall(),
                    false_escalation: g.false_escalation(),
                })
                .collect(),
            baseline: self.baseline.map(|(b, fixed, broken)| BaselineScore {
                met: b.met(),
                escalation_recall: b.escalation_recall(),
                false_escalation: b.false_escalation(),
                fixed,
                broken,
            }),
            gates: Vec::new(),
        })
    }
}

#[cfg(test)]
#[path = "labels_tests.rs"]
mod tests;
