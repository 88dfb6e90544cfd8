//! A live conversation: one message at a time, the decision so far after each.
//!
//! Each signal keeps only its window (or running totals for `any`), so a message
//! costs O(window) per signal however long the conversation gets.
//!
//! Split by concern: the session and its rule scheduling here; the conversation's
//! attributes in `eval/attributes.rs`; what a signal takes from each message in
//! `features.rs`; windows and folds in `window.rs`; the condition interpreter in
//! `interpret.rs`; evidence in `evidence.rs`; conflict resolution in `resolve.rs`.

use std::borrow::Borrow;
use std::ops::Deref;

use super::context::Context;
use super::decision::{ActionKind, Decision, FiredRule};
use super::outcome::{Fired, Outcome};
use super::program::*;
use super::{Mode, Policy};
use crate::syntax::ast::{RoleFilter, Window};
use crate::transcript::{Message, Role};

#[path = "evidence.rs"]
mod evidence;
#[path = "features.rs"]
mod features;
#[path = "interpret.rs"]
mod interpret;
#[path = "resolve.rs"]
mod resolve;
#[path = "window.rs"]
mod window;

use super::attributes::lookup;
pub use super::attributes::{AttributeSource, Attributes};
use features::match_entry;
pub(crate) use features::{feature, MessageCache};
pub(crate) use interpret::LetValues;
pub(crate) use window::SlotState;
use window::{expire, fold, push_entry};
#[cfg(test)]
pub(crate) use window::{slope, Entry};

/// What a firing rule does: [`Session::action`]'s answer.
type Routed = (ActionKind, Option<(u32, bool)>, Option<Priority>);

/// A session's buffers (signal windows, rule schedule, per-message scratch), emptied
/// of any conversation: [`Session::into_parts`] gives them back and
/// [`Session::with_buffers`] builds the next session in them, so a host deciding
/// conversation after conversation allocates almost nothing after the first.
#[derive(Debug, Default)]
pub struct Buffers {
    slots: Vec<SlotState>,
    settled: Vec<bool>,
    pending: Vec<u64>,
    cache: MessageCache,
    lets: LetValues,
    skip_until: Vec<u32>,
}

/// Evaluates a policy message by message. `P` is `&Policy` or `Arc<Policy>`; `A`
/// holds the conversation's attributes; `C` is the [`Context`] or a reference to one
/// (anything that borrows as one), so a host can share one context among sessions.
///
/// A session keeps each signal's window, not the conversation, so a message
/// costs the same however long the conversation is. Hold it with an
/// `Arc<Policy>` to keep it beside the policy in a long-lived store: it keeps
/// deciding with the policy it started with even if the service loads another.
///
/// ```
/// use std::sync::Arc;
/// use handoff::{ActionKind, Attributes, Context, Message, Policy, Role, Session};
///
/// let policy = Arc::new(Policy::from_source("billing.handoff", r#"
/// policy "billing" version 1
///
/// queues {
///   billing "Billing"
/// }
///
/// rule gold_refunds {
///   when customer.any matches /refund/i and customer.tier == "gold"
///   escalate to billing priority high reason "Gold customer wants a refund"
/// }
/// "#)?);
///
/// let mut attributes = Attributes::default();
/// attributes.customer.insert("tier".into(), "gold".into());
/// let mut session = Session::new(Arc::clone(&policy), attributes, Context::default());
///
/// let decision = session.push(&Message::new(Role::Customer, "Hello"));
/// assert_eq!(decision.action, ActionKind::None);
/// session.push(&Message::new(Role::Bot, "Hi! What can I do for you?"));
/// let decision = session.push(&Message::new(Role::Customer, "I'd like a refund"));
/// assert_eq!(decision.label(), "escalate:billing");
/// assert_eq!((decision.at_message, decision.messages), (Some(3), 3));
/// assert_eq!(session.messages(), 3);
/// # Ok::<(), handoff::PolicyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Session<P: Deref<Target = Policy> + Clone, A: AttributeSource = Attributes, C: Borrow<Context> = Context> {
    policy: P,
    context: C,
    attributes: A,
    pub(crate) messages: u32,
    pub(crate) turns: u32,
    pub(crate) first_ts: Option<i64>,
    pub(crate) last_ts: Option<i64>,
    pub(crate) gap_ms: f64,
    pub(crate) now: Option<jiff::Timestamp>,
    pub(crate) slots: Vec<SlotState>,
    /// Rules that fired, or can no longer fire in this session: never evaluated again.
    settled: Vec<bool>,
    decision: Decision,
    cache: MessageCache,
    /// The rules to evaluate after the latest message: those reading a signal that
    /// changed, `turns` or the clock. One bit per rule.
    pending: Vec<u64>,
    /// The lets' values at the latest message, each computed once.
    lets: LetValues,
    /// The decision as indices, kept whether or not `decision` is.
    outcome: Outcome,
    /// Whether fired rules are recorded in `decision` with their evidence.
    evidence: bool,
    /// For each signal, the first message it must see: set while [`Session::run_finished`]
    /// knows the whole conversation, so a `last N` window skips the messages it would
    /// evict before the end. Empty (every message seen) otherwise.
    skip_until: Vec<u32>,
    /// Set while [`Session::run_finished`] takes the messages: no rule is decided
    /// before the last, so values are folded once then, and no rule is scheduled.
    finishing: bool,
}

impl<P: Deref<Target = Policy> + Clone, A: AttributeSource, C: Borrow<Context>> Session<P, A, C> {
    /// A session for a conversation with these attributes, under this context.
    pub fn new(policy: P, attributes: A, context: C) -> Self {
        Session::with_buffers(policy, attributes, context, Buffers::default())
    }

    /// A session built in the buffers a finished one left ([`Session::into_parts`]), so
    /// evaluating conversation after conversation allocates almost nothing. Buffers
    /// from a session of another policy do as well: they are resized to this one.
    pub fn with_buffers(policy: P, attributes: A, context: C, buffers: Buffers) -> Self {
        let program = policy.program();
        // `finish` left every slot reset.
        let Buffers { mut slots, mut settled, mut pending, cache, lets, mut skip_until } = buffers;
        skip_until.clear();
        slots.resize_with(program.slots.len(), SlotState::new);
        settled.clear();
        settled.resize(program.rules.len(), false);
        pending.clear();
        pending.resize(program.rules.len().div_ceil(64), 0);
        let decision = Decision::none(policy.reference().clone());
        Session {
            policy,
            context,
            attributes,
            messages: 0,
            turns: 0,
            first_ts: None,
            last_ts: None,
            gap_ms: 0.0,
            now: None,
            slots,
            settled,
            decision,
            cache,
            pending,
            lets,
            outcome: Outcome::NONE,
            evidence: true,
            skip_until,
            finishing: false,
        }
    }

    /// The decision, and the buffers for the next session (emptied: nothing of this
    /// conversation stays in them).
    pub fn into_parts(self) -> (Decision, Buffers) {
        let Session { mut slots, settled, pending, cache, decision, lets, mut skip_until, .. } = self;
        slots.iter_mut().for_each(SlotState::reset);
        skip_until.clear();
        (decision, Buffers { slots, settled, pending, cache, lets, skip_until })
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The decision after the messages pushed so far (none in a session that
    /// keeps [`outcomes_only`](Session::outcomes_only)).
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// The outcome after the messages pushed so far: the decision's action, rule,
    /// queue and message as indices. Kept in every session.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// This session records outcomes only: a rule that fires builds no name, reason
    /// or evidence, and [`Session::decision`] stays none; read [`Session::outcome`].
    /// For deciding many conversations when few need the why.
    pub fn outcomes_only(mut self) -> Self {
        self.evidence = false;
        self
    }

    /// Messages pushed so far.
    pub fn messages(&self) -> u32 {
        self.messages
    }

    /// Takes one message and returns the decision so far.
    pub fn push(&mut self, message: &Message) -> &Decision {
        // A handle of our own, so the program can be read while the state changes.
        let policy = self.policy.clone();
        let (turns_changed, time_changed) = self.take(policy.program(), message);
        let n = self.messages;
        self.decide(policy.program(), n, n == 1, turns_changed, time_changed);
        &self.decision
    }

    /// Takes one message without deciding anything: the signals see it, no rule is
    /// evaluated. [`Session::conclude`] then decides on the state the messages left
    /// ([`Mode::Finished`]).
    pub fn observe(&mut self, message: &Message) {
        let policy = self.policy.clone();
        self.take(policy.program(), message);
    }

    /// Decides every rule that has not fired yet, once, on the current state (the
    /// messages pushed or observed so far), and returns the decision. With no message
    /// taken it decides nothing, as a live session would not.
    pub fn conclude(&mut self) -> &Decision {
        let policy = self.policy.clone();
        let n = self.messages;
        self.outcome.mode = Mode::Finished;
        if n > 0 {
            self.decide(policy.program(), n, true, false, false);
        }
        &self.decision
    }

    /// Counts a message, moves the conversation's clock and feeds the signals that
    /// see it. Returns whether `turns` changed and whether the clock did.
    fn take(&mut self, program: &Program, message: &Message) -> (bool, bool) {
        self.messages = self.messages.saturating_add(1);
        let n = self.messages;
        let (previous_ts, previous_gap) = (self.last_ts, self.gap_ms);
        // The conversation's clock: a message without a timestamp, or with one earlier
        // than the clock, happens when the message before it did. Windows then stay
        // suffixes of the conversation and evaluation never sees time run backwards.
        let ts = match (message.timestamp.map(|t| t.as_millisecond()), self.last_ts) {
            (Some(t), Some(last)) => Some(t.max(last)),
            (Some(t), None) => Some(t),
            (None, last) => last,
        };
        if let Some(t) = ts {
            if self.first_ts.is_none() {
                self.first_ts = Some(t);
                // Messages from before the clock was known happened at its start.
                for state in &mut self.slots {
                    for e in state.entries.iter_mut().filter(|e| e.ts.is_none()) {
                        e.ts = Some(t);
                    }
                }
            }
            self.gap_ms = self.last_ts.map_or(0.0, |last| (t - last) as f64);
            self.last_ts = Some(t);
            self.now = jiff::Timestamp::from_millisecond(t).ok();
        } else {
            self.gap_ms = 0.0;
        }
        let customer = message.role == Role::Customer;
        if customer {
            self.turns = self.turns.saturating_add(1);
        }
        let time_changed = ts != previous_ts || self.gap_ms != previous_gap;
        self.observe_signals(program, message, n, ts);
        self.decision.messages = n;
        self.outcome.messages = n;
        (customer, time_changed)
    }

    fn observe_signals(&mut self, program: &Program, message: &Message, n: u32, ts: Option<i64>) {
        // Borrowed field by field: the cache is used beside the windows, not moved out.
        let Session { slots, pending, cache, skip_until, finishing, .. } = self;
        let finishing = *finishing;
        cache.reset();
        // Windows over time lose their old entries whoever speaks.
        if let Some(now) = ts {
            for &i in &program.timed_slots {
                let (Some(slot), Some(state)) = (program.slot(i), by_id_mut(slots, i, "signal state")) else {
                    continue;
                };
                if expire(slot, state, now) && !finishing && !slot_sees(slot.role, message.role) {
                    fold(slot, state);
                    mark(pending, program.slot_rules.get(i as usize));
                }
            }
        }
        for &i in program.slots_seeing(message.role) {
            if skip_until.get(i as usize).is_some_and(|&first| n < first) {
                // Evicted before the conversation ends: it would change nothing.
                continue;
            }
            let (Some(slot), Some(state)) = (program.slot(i), by_id_mut(slots, i, "signal state")) else {
                continue;
            };
            if let Feature::Says { intent, .. } = slot.feature {
                state.latest_score = cache.intent_score(program, message, intent).map(|score| (n, score));
            }
            if slot.latest_hit_only {
                // Only a hit changes anything, and only the first changes the value.
                if !cache.may_hit(program, slot, message) {
                    continue;
                }
                if let Some(entry) = match_entry(program, slot, message, n, ts, cache) {
                    push_entry(slot, state, entry);
                    if !state.hit {
                        state.hit = true;
                        mark(pending, program.slot_rules.get(i as usize));
                    }
                }
                continue;
            }
            if finishing {
                // No rule is decided before the end: the value is folded once then.
                let entry = feature(program, slot, state, message, n, ts, cache);
                push_entry(slot, state, entry);
                continue;
            }
            // The value before this message (`any` windows update the latest intent
            // as the entry goes in, so this comes first).
            let (hit, num) = (state.hit, state.num);
            let intent = (slot.fold == Fold::LatestIntent).then(|| state.latest_intent.clone());
            let entry = feature(program, slot, state, message, n, ts, cache);
            push_entry(slot, state, entry);
            fold(slot, state);
            let intent_changed = intent.is_some_and(|before| before != state.latest_intent);
            if state.hit != hit || state.num.to_bits() != num.to_bits() || intent_changed {
                mark(pending, program.slot_rules.get(i as usize));
            }
        }
    }

    /// Evaluates the rules whose inputs changed (`every`: all of them) and records those
    /// that fire at message `n`.
    fn decide(&mut self, program: &Program, n: u32, every: bool, turns_changed: bool, time_changed: bool) {
        // The state is fixed from here on: each let is evaluated at most once.
        let mut lets = std::mem::take(&mut self.lets);
        lets.begin(program.let_names.len());
        if every {
            // Every condition is new; those that need a fixed part false never fire.
            // One bit per rule: the last word's bits past the last rule stay clear.
            let rules = program.rules.len();
            for (word, bits) in self.pending.iter_mut().enumerate() {
                let in_word = rules.saturating_sub(word * 64).min(64);
                *bits = if in_word == 64 { u64::MAX } else { (1u64 << in_word) - 1 };
            }
            for (index, rule) in program.rules.iter().enumerate() {
                if rule.fixed.iter().any(|&node| !self.holds(node, &mut lets)) {
                    if let Some(s) = self.settled.get_mut(index) {
                        *s = true;
                    }
                }
            }
        }
        if turns_changed {
            mark(&mut self.pending, Some(&program.turns_rules));
        }
        if time_changed {
            mark(&mut self.pending, Some(&program.time_rules));
        }
        let mut changed = false;
        // In rule order: rules firing on the same message are listed as written.
        for word in 0..self.pending.len() {
            let mut bits = self.pending.get(word).copied().unwrap_or(0);
            if let Some(w) = self.pending.get_mut(word) {
                *w = 0;
            }
            while bits != 0 {
                let index = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                // A condition whose inputs did not change is still false: it was skipped.
                let Some(rule) = by_id(&program.rules, index as u32, "rule") else { continue };
                if self.settled.get(index).copied().unwrap_or(true)
                    || rule
                        .guards
                        .iter()
                        .any(|&s| by_id(&self.slots, s, "signal state").is_some_and(|state| !state.hit))
                    || !self.holds(rule.condition, &mut lets)
                {
                    continue;
                }
                if let Some(f) = self.settled.get_mut(index) {
                    *f = true;
                }
                let (action, queue, priority) = self.action(rule);
                self.outcome.consider(Fired { rule: index as u32, action, queue, priority, message: n });
                if self.evidence {
                    let fired = self.fire(rule, (action, queue, priority), n);
                    self.decision.rules.push(fired);
                    changed = true;
                }
            }
        }
        self.lets = lets;
        if changed {
            self.resolve();
        }
    }

    /// What a rule does when it fires now: its action, the queue it routes to (and
    /// whether that is its fallback), its priority.
    fn action(&self, rule: &CompiledRule) -> Routed {
        match &rule.action {
            Action::Escalate { queue, fallback, priority } => {
                (ActionKind::Escalate, Some(self.route(*queue, *fallback)), Some(*priority))
            }
            Action::Offer { queue, fallback, priority } => {
                (ActionKind::Offer, Some(self.route(*queue, *fallback)), Some(*priority))
            }
            Action::Flag { .. } => (ActionKind::Flag, None, None),
        }
    }

    /// The fired rule as a decision lists it, with its evidence.
    fn fire(&self, rule: &CompiledRule, routed: Routed, n: u32) -> FiredRule {
        let program = self.policy.program();
        let (action, queue, priority) = routed;
        let evidence = rule.slots.iter().filter_map(|&s| self.evidence(s)).collect();
        let flag = match &rule.action {
            Action::Flag { label } => Some(label.clone()),
            _ => None,
        };
        let queue = queue.map(|(q, _)| q).and_then(|q| program.queue(q)).map(|q| q.name.clone());
        FiredRule {
            rule: rule.name.clone(),
            action,
            queue,
            flag,
            priority,
            reason: rule.reason.clone(),
            message: n,
            evidence,
        }
    }

    /// Runs the session over a whole conversation, stopping at the first escalation
    /// ([`Mode::Live`]).
    pub fn run(&mut self, messages: &[Message]) -> &Decision {
        for m in messages {
            self.push(m);
            if self.outcome.is_escalation() {
                break;
            }
        }
        &self.decision
    }

    /// Takes every message, then decides each rule once on the state they leave
    /// ([`Mode::Finished`]): the conversation as a whole. A rule fires at the last
    /// message or not at all.
    pub fn run_finished(&mut self, messages: &[Message]) -> &Decision {
        let policy = self.policy.clone();
        let program = policy.program();
        plan_skips(program, messages, self.messages, &mut self.skip_until);
        self.finishing = true;
        for m in messages {
            self.take(program, m);
        }
        self.finishing = false;
        self.skip_until.clear();
        for (slot, state) in program.slots.iter().zip(self.slots.iter_mut()) {
            if !slot.latest_hit_only {
                fold(slot, state);
            }
        }
        self.conclude()
    }

    /// [`Session::run`] or [`Session::run_finished`], as `mode` says.
    pub fn run_as(&mut self, messages: &[Message], mode: Mode) -> &Decision {
        match mode {
            Mode::Live => self.run(messages),
            Mode::Finished => self.run_finished(messages),
        }
    }

    pub fn into_decision(self) -> Decision {
        self.decision
    }
}

/// How many of the latest messages a signal sees can change its value at the end of a
/// conversation: a `last N` window keeps N, and a repeat there compares with the N
/// entries before it, so `repeats` needs 2N - 1. `None` for `any` and `within`
/// windows, which every message can change.
fn needed_at_end(slot: &Slot) -> Option<usize> {
    let Window::Last(n) = slot.window else { return None };
    let n = n as usize;
    match slot.feature {
        _ if n == 0 => None,
        Feature::Repeat { .. } | Feature::ExactRepeat => Some((2 * n).saturating_sub(1)),
        Feature::Mentions { .. }
        | Feature::Matches(_)
        | Feature::Sentiment
        | Feature::Intent
        | Feature::HasIntent { .. }
        | Feature::HasEntity(_)
        | Feature::Says { .. }
        | Feature::Count(_)
        | Feature::Fallback
        | Feature::Test { .. } => Some(n),
    }
}

/// For each signal, the first message (numbered after the `before` already taken) of
/// `messages` whose entry can still be in its window, or matter to one that is, when
/// the last message is taken: the messages before it are not fed to the signal.
fn plan_skips(program: &Program, messages: &[Message], before: u32, skip_until: &mut Vec<u32>) {
    skip_until.clear();
    skip_until.resize(program.slots.len(), 0);
    for (slot, first) in program.slots.iter().zip(skip_until.iter_mut()) {
        let Some(needed) = needed_at_end(slot) else { continue };
        let seen_from_end = messages.iter().enumerate().rev().filter(|(_, m)| slot_sees(slot.role, m.role));
        if let Some((position, _)) = seen_from_end.take(needed).last() {
            *first = before.saturating_add(position as u32).saturating_add(1);
        }
    }
}

pub(crate) fn slot_sees(filter: RoleFilter, role: Role) -> bool {
    matches!(
        (filter, role),
        (RoleFilter::Messages, _)
            | (RoleFilter::Customer, Role::Customer)
            | (RoleFilter::Bot, Role::Bot)
            | (RoleFilter::Agent, Role::Agent)
            | (RoleFilter::System, Role::System)
    )
}

/// `Val::compare` for two numbers, without the values (a NaN equals nothing and
/// orders with nothing, as there).
pub(crate) fn compare_numbers(op: CmpOp, x: f64, y: f64) -> bool {
    match op {
        CmpOp::Eq => x == y,
        CmpOp::Ne => x != y,
        CmpOp::Lt => x < y,
        CmpOp::Le => x <= y,
        CmpOp::Gt => x > y,
        CmpOp::Ge => x >= y,
    }
}

/// Marks rules as needing evaluation.
fn mark(pending: &mut [u64], rules: Option<&Vec<u32>>) {
    for &r in rules.into_iter().flatten() {
        if let Some(w) = pending.get_mut(r as usize / 64) {
            *w |= 1 << (r % 64);
        }
    }
}
