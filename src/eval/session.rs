//! A live conversation: one message at a time, the decision so far after each.
//!
//! Each signal keeps only its window (or running totals for `any`), so a message
//! costs O(window) per signal however long the conversation gets.

use std::collections::VecDeque;
use std::ops::Deref;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::context::Context;
use super::decision::{rounded_score, ActionKind, Decision, Evidence, FiredRule, NearestExample};
use super::program::*;
use super::Policy;
use crate::signals::phrase_index::Scratch;
use crate::signals::phrases::PhraseMatch;
use crate::signals::{sentiment, similarity::Fingerprint};
use crate::syntax::ast::{RoleFilter, Window};
use crate::transcript::{Conversation, Message, Role};

#[path = "interpret.rs"]
mod interpret;
pub(crate) use interpret::LetValues;

/// Evidence kept for `any` windows: the latest few messages only.
const EVIDENCE_CAP: usize = 8;

/// The most entries a window reserves up front; longer windows grow as they fill.
const WINDOW_RESERVE: usize = 16;

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
    fn new() -> SlotState {
        SlotState { min: f64::INFINITY, ..SlotState::default() }
    }

    /// Back to a new signal's state, keeping the window's buffer.
    fn reset(&mut self) {
        let mut entries = std::mem::take(&mut self.entries);
        entries.clear();
        *self = SlotState { entries, ..SlotState::new() };
    }
}

/// A finished session's buffers, for the next one.
#[derive(Debug, Default)]
pub(crate) struct Spare {
    slots: Vec<SlotState>,
    settled: Vec<bool>,
    pending: Vec<u64>,
    cache: MessageCache,
    lets: LetValues,
}

/// The conversation-level facts a session reads: attributes and channel.
#[derive(Debug, Clone, Default)]
pub struct Attributes {
    pub channel: Option<String>,
    pub customer: Map<String, Value>,
    pub metadata: Map<String, Value>,
}

impl Attributes {
    pub fn of(conversation: &Conversation) -> Attributes {
        Attributes {
            channel: conversation.channel.clone(),
            customer: conversation.customer.clone(),
            metadata: conversation.metadata.clone(),
        }
    }
}

/// Where a session reads the conversation's attributes and channel: its own
/// [`Attributes`], or a borrowed [`Conversation`] (no copy, for whole-conversation
/// evaluation).
pub trait AttributeSource: Clone + std::fmt::Debug {
    fn channel(&self) -> Option<&str>;
    fn customer(&self) -> &Map<String, Value>;
    fn metadata(&self) -> &Map<String, Value>;
}

impl AttributeSource for Attributes {
    fn channel(&self) -> Option<&str> {
        self.channel.as_deref()
    }
    fn customer(&self) -> &Map<String, Value> {
        &self.customer
    }
    fn metadata(&self) -> &Map<String, Value> {
        &self.metadata
    }
}

impl AttributeSource for &Conversation {
    fn channel(&self) -> Option<&str> {
        self.channel.as_deref()
    }
    fn customer(&self) -> &Map<String, Value> {
        &self.customer
    }
    fn metadata(&self) -> &Map<String, Value> {
        &self.metadata
    }
}

/// Evaluates a policy message by message. `P` is `&Policy` or `Arc<Policy>`; `A`
/// holds the conversation's attributes.
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
pub struct Session<P: Deref<Target = Policy> + Clone, A: AttributeSource = Attributes> {
    policy: P,
    context: Context,
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
}

impl<P: Deref<Target = Policy> + Clone, A: AttributeSource> Session<P, A> {
    /// A session for a conversation with these attributes, under this context.
    pub fn new(policy: P, attributes: A, context: Context) -> Self {
        Session::reusing(policy, attributes, context, Spare::default())
    }

    /// A session built in the buffers a finished one left ([`Session::finish`]), so
    /// evaluating conversation after conversation allocates almost nothing.
    pub(crate) fn reusing(policy: P, attributes: A, context: Context, spare: Spare) -> Self {
        let program = policy.program();
        // `finish` left every slot reset.
        let Spare { mut slots, mut settled, mut pending, cache, lets } = spare;
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
        }
    }

    /// The decision, and the buffers for the next session (emptied: nothing of this
    /// conversation stays in them).
    pub(crate) fn finish(self) -> (Decision, Spare) {
        let Session { mut slots, settled, pending, cache, decision, lets, .. } = self;
        slots.iter_mut().for_each(SlotState::reset);
        (decision, Spare { slots, settled, pending, cache, lets })
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The decision after the messages pushed so far.
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// Messages pushed so far.
    pub fn messages(&self) -> u32 {
        self.messages
    }

    /// Takes one message and returns the decision so far.
    pub fn push(&mut self, message: &Message) -> &Decision {
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
        if message.role == Role::Customer {
            self.turns = self.turns.saturating_add(1);
        }
        // A handle of our own, so the program can be read while the state changes.
        let policy = self.policy.clone();
        let program = policy.program();
        let time_changed = ts != previous_ts || self.gap_ms != previous_gap;
        self.observe(program, message, n, ts);
        self.decide(program, n, message.role == Role::Customer, time_changed);
        self.decision.messages = n;
        &self.decision
    }

    fn observe(&mut self, program: &Program, message: &Message, n: u32, ts: Option<i64>) {
        let mut cache = std::mem::take(&mut self.cache);
        cache.reset();
        // Windows over time lose their old entries whoever speaks.
        if let Some(now) = ts {
            for &i in &program.timed_slots {
                let (Some(slot), Some(state)) = (program.slots.get(i as usize), self.slots.get_mut(i as usize)) else {
                    continue;
                };
                if expire(slot, state, now) && !slot_sees(slot.role, message.role) {
                    fold(slot, state);
                    mark(&mut self.pending, program.slot_rules.get(i as usize));
                }
            }
        }
        for &i in program.slots_seeing(message.role) {
            let (Some(slot), Some(state)) = (program.slots.get(i as usize), self.slots.get_mut(i as usize)) else {
                continue;
            };
            // The value before this message (`any` windows update the latest intent
            // as the entry goes in, so this comes first).
            let (hit, num) = (state.hit, state.num);
            let intent = (slot.fold == Fold::LatestIntent).then(|| state.latest_intent.clone());
            if let Feature::Says { intent, .. } = slot.feature {
                state.latest_score = cache.intent_score(program, message, intent).map(|score| (n, score));
            }
            if slot.latest_hit_only {
                // Only a hit changes anything, and only the first changes the value.
                if !cache.may_hit(program, slot, message) {
                    continue;
                }
                if let Some(entry) = match_entry(program, slot, message, n, ts, &mut cache) {
                    push_entry(slot, state, entry);
                    if !state.hit {
                        state.hit = true;
                        mark(&mut self.pending, program.slot_rules.get(i as usize));
                    }
                }
                continue;
            }
            let entry = feature(program, slot, state, message, n, ts, &mut cache);
            push_entry(slot, state, entry);
            fold(slot, state);
            let intent_changed = intent.is_some_and(|before| before != state.latest_intent);
            if state.hit != hit || state.num.to_bits() != num.to_bits() || intent_changed {
                mark(&mut self.pending, program.slot_rules.get(i as usize));
            }
        }
        self.cache = cache;
    }

    fn decide(&mut self, program: &Program, n: u32, turns_changed: bool, time_changed: bool) {
        // The state is fixed from here on: each let is evaluated at most once.
        let mut lets = std::mem::take(&mut self.lets);
        lets.begin(program.let_names.len());
        if n == 1 {
            // Every condition is new; those that need a fixed part false never fire.
            self.pending.iter_mut().for_each(|w| *w = u64::MAX);
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
                let Some(rule) = program.rules.get(index) else { continue };
                if self.settled.get(index).copied().unwrap_or(true)
                    || rule.guards.iter().any(|&s| self.slots.get(s as usize).is_some_and(|state| !state.hit))
                    || !self.holds(rule.condition, &mut lets)
                {
                    continue;
                }
                if let Some(f) = self.settled.get_mut(index) {
                    *f = true;
                }
                let fired = self.fire(rule, n);
                self.decision.rules.push(fired);
                changed = true;
            }
        }
        self.lets = lets;
        if changed {
            self.resolve();
        }
    }

    fn fire(&self, rule: &CompiledRule, n: u32) -> FiredRule {
        let program = self.policy.program();
        let evidence = rule.slots.iter().filter_map(|&s| self.evidence(s)).collect();
        let (action, queue, flag, priority) = match &rule.action {
            Action::Escalate { queue, fallback, priority } => {
                (ActionKind::Escalate, Some(self.route(*queue, *fallback)), None, Some(*priority))
            }
            Action::Offer { queue, fallback, priority } => {
                (ActionKind::Offer, Some(self.route(*queue, *fallback)), None, Some(*priority))
            }
            Action::Flag { label } => (ActionKind::Flag, None, Some(label.clone()), None),
        };
        let queue = queue.map(|(q, _)| q).and_then(|q| program.queues.get(q as usize)).map(|q| q.name.clone());
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

    /// The queue to use: the rule's, or its fallback when the rule's is closed.
    fn route(&self, queue: u32, fallback: Option<u32>) -> (u32, bool) {
        let program = self.policy.program();
        let name = program.queues.get(queue as usize).map_or("", |q| q.name.as_str());
        match fallback {
            Some(f) if !self.context.is_open(name, self.now) => (f, true),
            _ => (queue, false),
        }
    }

    /// Strongest action first, then the rule written first.
    fn resolve(&mut self) {
        let program = self.policy.program();
        let order = |name: &str| program.rules.iter().position(|r| r.name == name).unwrap_or(usize::MAX);
        let d = &mut self.decision;
        let Some(best) =
            d.rules.iter().max_by(|a, b| a.action.cmp(&b.action).then_with(|| order(&b.rule).cmp(&order(&a.rule))))
        else {
            return;
        };
        d.action = best.action;
        d.queue = best.queue.clone();
        d.priority = best.priority;
        d.rule = Some(best.rule.clone());
        d.at_message = Some(best.message);
        d.fallback_from = None;
        if let Some(rule) = program.rules.iter().find(|r| r.name == best.rule) {
            if let Action::Escalate { queue, fallback: Some(_), .. } | Action::Offer { queue, fallback: Some(_), .. } =
                &rule.action
            {
                let asked = program.queues.get(*queue as usize).map(|q| q.name.clone());
                if asked != best.queue {
                    d.fallback_from = asked;
                }
            }
        }
        let mut same: Vec<&FiredRule> = d.rules.iter().filter(|r| r.action == best.action).collect();
        same.sort_by_key(|r| (r.rule != best.rule, order(&r.rule)));
        d.reasons = same.iter().filter_map(|r| r.reason.clone()).collect();
        d.flags = d.rules.iter().filter_map(|r| r.flag.clone()).collect();
    }

    /// What a signal can show for its current value, if it shows anything.
    pub(crate) fn evidence(&self, s: SlotId) -> Option<Evidence> {
        let slot = self.policy.program().slots.get(s as usize)?;
        let state = self.slots.get(s as usize)?;
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
            (Feature::Count(_) | Feature::Fallback, _) if state.num > 0.0 => Some(Evidence::Count {
                messages: state.entries.iter().filter(|e| e.hit).map(|e| e.message).collect(),
                count: state.num as u32,
            }),
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
            _ => None,
        }
    }

    /// What an explanation adds to a learnt intent's value: the evidence when it
    /// was said, else the score on the latest message the signal saw.
    pub(crate) fn says_note(&self, s: SlotId) -> Option<String> {
        let slot = self.policy.program().slots.get(s as usize)?;
        let Feature::Says { written, .. } = slot.feature else { return None };
        let state = self.slots.get(s as usize)?;
        if state.hit {
            return self.evidence(s).map(|e| crate::render::evidence_line(&e));
        }
        let (message, score) = state.latest_score?;
        Some(format!("message {message} scores {:.2}, below {written}", rounded_score(score)))
    }

    /// Runs the session over a whole conversation, stopping at the first escalation.
    pub fn run(&mut self, messages: &[Message]) -> &Decision {
        for m in messages {
            if self.push(m).is_escalation() {
                break;
            }
        }
        &self.decision
    }

    pub fn into_decision(self) -> Decision {
        self.decision
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

/// Drops the entries of a `within` window older than its span; true if any went.
fn expire(slot: &Slot, state: &mut SlotState, now: i64) -> bool {
    let Window::Within(ms) = slot.window else { return false };
    let cutoff = now.saturating_sub(ms as i64);
    let before = state.entries.len();
    while state.entries.front().is_some_and(|e| e.ts.is_some_and(|t| t < cutoff)) {
        state.entries.pop_front();
    }
    before != state.entries.len()
}

/// Marks rules as needing evaluation.
fn mark(pending: &mut [u64], rules: Option<&Vec<u32>>) {
    for &r in rules.into_iter().flatten() {
        if let Some(w) = pending.get_mut(r as usize / 64) {
            *w |= 1 << (r % 64);
        }
    }
}

fn lookup<'a>(map: &'a Map<String, Value>, path: &[Box<str>]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut v = map.get(&**first)?;
    for key in rest {
        v = v.as_object()?.get(&**key)?;
    }
    Some(v)
}

/// The message's sentiment: its annotation, or the built-in analyser's score.
pub(crate) fn message_sentiment(message: &Message) -> f64 {
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
    }

    /// The message's score for learnt intent `intent`: every intent is scored at
    /// once, the first time a signal asks.
    fn intent_score(&mut self, program: &Program, message: &Message, intent: u32) -> Option<f32> {
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
    fn may_hit(&mut self, program: &Program, slot: &Slot, message: &Message) -> bool {
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
        *self
            .patterns
            .get_or_insert_with(|| program.patterns_seeing(message.role).is_none_or(|set| set.is_match(&message.text)))
    }
}

/// A message's match for a yes-or-no feature (a phrase, a pattern, an intent, an
/// entity): the entry to keep when there is one.
fn match_entry(
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
            let m = re.find(&message.text)?;
            Some(entry(m.start(), m.end(), 0, 0.0, Some(m.as_str().into())))
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
                Some(re) => cache.may_match(program, message) && re.is_match(&message.text),
            };
        }
        Feature::Fallback => {
            e.hit = *cache.fallback.get_or_insert_with(|| program.languages.is_fallback(&message.text));
        }
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
    }
    e
}

fn push_entry(slot: &Slot, state: &mut SlotState, entry: Entry) {
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
fn fold(slot: &Slot, state: &mut SlotState) {
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
