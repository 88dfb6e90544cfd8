//! The compiled form of a policy: expressions in an arena with every name resolved
//! to an index, and the signals each rule reads, so a message costs no look-ups.

use miette::SourceSpan;
use regex::RegexSet;

use crate::lang::folding::Searched;
use crate::lang::regexes::PolicyRegex;

pub use crate::lang::builtins::Fold;
use crate::lang::builtins::Variable;
pub use crate::lang::priority::Priority;
use crate::signals::language::Languages;
use crate::signals::phrase_index::PhraseIndex;
use crate::syntax::ast::{AttributeRoot, RoleFilter, Window};
use crate::transcript::Role;

pub type NodeId = u32;
pub type SlotId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// One expression node. Children are earlier nodes in the arena.
#[derive(Debug, Clone)]
pub enum Op {
    Bool(bool),
    Number(f64),
    String(Box<str>),
    List(Vec<Box<str>>),
    Not(NodeId),
    Neg(NodeId),
    And(NodeId, NodeId),
    Or(NodeId, NodeId),
    Cmp(CmpOp, NodeId, NodeId),
    In(NodeId, NodeId),
    Arith(ArithOp, NodeId, NodeId),
    /// A named condition; evaluates to its body (kept for explanations).
    Let(u32, NodeId),
    Paren(NodeId),
    Variable(Variable),
    Attribute(AttributeRoot, Vec<Box<str>>),
    /// A signal's current value.
    Signal(SlotId),
    Open(u32),
    InHours(u32),
    AgentsFree(u32),
    /// A value that only explains (regexes and selectors as arguments).
    Inert,
}

impl Op {
    /// The nodes this one reads, in order: the one place that knows the arena's edges.
    pub fn children(&self) -> impl Iterator<Item = NodeId> {
        let (a, b) = match self {
            Op::Not(x) | Op::Neg(x) | Op::Let(_, x) | Op::Paren(x) => (Some(*x), None),
            Op::And(a, b) | Op::Or(a, b) | Op::Cmp(_, a, b) | Op::In(a, b) | Op::Arith(_, a, b) => (Some(*a), Some(*b)),
            Op::Bool(_)
            | Op::Number(_)
            | Op::String(_)
            | Op::List(_)
            | Op::Variable(_)
            | Op::Attribute(..)
            | Op::Signal(_)
            | Op::Open(_)
            | Op::InHours(_)
            | Op::AgentsFree(_)
            | Op::Inert => (None, None),
        };
        a.into_iter().chain(b)
    }
}

#[derive(Debug, Clone)]
pub struct ExprNode {
    pub op: Op,
    pub span: SourceSpan,
}

/// What a signal computes from each message it sees.
#[derive(Debug)]
pub enum Feature {
    /// A list of the policy's phrase index, and its phrases (for evidence).
    Mentions {
        index: u32,
        list: Vec<String>,
    },
    Matches(Pattern),
    Sentiment,
    Intent,
    HasIntent {
        intents: Vec<String>,
        min_confidence: f64,
    },
    HasEntity(String),
    /// Every message counts, or those matching the regex.
    Count(Option<Pattern>),
    Fallback,
    /// A built-in's yes-or-no question of the message's text (its name, for evidence).
    Test {
        name: &'static str,
        test: fn(&str) -> bool,
    },
    Repeat {
        similarity: f64,
    },
    /// The same text as an earlier message, surrounding whitespace aside.
    ExactRepeat,
    /// A learnt intent (its position in [`LearntIntents::names`]) scoring at least `threshold`.
    Says {
        intent: u32,
        threshold: f32,
        /// The threshold as written (or the default), for evidence.
        written: f64,
    },
}

/// Every regex that sees a role's messages, in one set; and, when each of them folds
/// case ([`crate::lang::folding`]), the set that searches lowercased ASCII text alike.
#[derive(Debug)]
pub struct RolePatterns {
    pub set: RegexSet,
    pub folded: Option<RegexSet>,
}

impl RolePatterns {
    /// Whether any of the regexes matches the text (over its lowercase when both the
    /// set and the text allow it: the same answer).
    pub(crate) fn is_match(&self, searched: Searched<'_>) -> bool {
        match (&self.folded, searched.lowercase) {
            (Some(folded), Some(lowercase)) => folded.is_match(lowercase),
            _ => self.set.is_match(searched.text),
        }
    }
}

impl Feature {
    /// The regex each message is searched with, for the features that have one: those
    /// a role's [`RegexSet`] is made of.
    pub fn pattern(&self) -> Option<&Pattern> {
        match self {
            Feature::Matches(p) | Feature::Count(Some(p)) => Some(p),
            _ => None,
        }
    }
}

/// The policy's learnt intents: the model trained on its examples, and their names.
#[derive(Debug, Clone)]
pub struct LearntIntents {
    pub model: std::sync::Arc<dyn crate::intent::IntentModel>,
    pub names: Vec<String>,
}

/// A policy's regex, and its source as one pattern of a [`RegexSet`] (the flags
/// written inline), so one pass can tell whether any of a role's regexes matches.
#[derive(Debug)]
pub struct Pattern {
    pub regex: PolicyRegex,
    pub in_set: String,
}

impl std::ops::Deref for Pattern {
    type Target = PolicyRegex;
    fn deref(&self) -> &PolicyRegex {
        &self.regex
    }
}

/// One signal: which messages, what from each, and how they fold together.
#[derive(Debug)]
pub struct Slot {
    pub role: RoleFilter,
    pub window: Window,
    pub feature: Feature,
    pub fold: Fold,
    /// Keeps only its latest hit (a match over the whole conversation): a message
    /// without a hit changes nothing.
    pub latest_hit_only: bool,
}

/// What a rule does when it fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Escalate { queue: u32, fallback: Option<u32>, priority: Priority },
    Offer { queue: u32, fallback: Option<u32>, priority: Priority },
    Flag { label: String },
}

#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub name: String,
    pub condition: NodeId,
    pub action: Action,
    pub reason: Option<String>,
    /// The signals the condition reads, for evidence and to skip re-evaluating
    /// a rule when none of its inputs changed.
    pub slots: Vec<SlotId>,
    /// Whether the condition reads `turns`.
    pub reads_turns: bool,
    /// Whether it reads the clock (`duration`, `since_previous`, `open`, `in_hours`).
    pub reads_time: bool,
    /// Yes-or-no signals the condition needs true (`a and b` where `a` is one): while
    /// any is false the condition is false, and is not evaluated.
    pub guards: Vec<SlotId>,
    /// Parts the condition needs true that read only the conversation's attributes
    /// and constants: fixed for a session, so one false at the first message means
    /// the rule can never fire in it.
    pub fixed: Vec<NodeId>,
}

#[derive(Debug, Clone)]
pub struct Queue {
    pub name: String,
    pub description: Option<String>,
}

/// A checked policy compiled for evaluation.
#[derive(Debug)]
pub struct Program {
    pub nodes: Vec<ExprNode>,
    pub slots: Vec<Slot>,
    pub rules: Vec<CompiledRule>,
    pub queues: Vec<Queue>,
    pub let_names: Vec<String>,
    /// Every `mentions` list, scanned once per message.
    pub phrases: PhraseIndex,
    /// The policy's languages: what a fallback answer reads like.
    pub languages: Languages,
    /// For each role (in [`Role::ALL`] order), the signals that see its messages.
    pub role_slots: [Vec<SlotId>; 4],
    /// For each role (in [`Role::ALL`] order), every regex of the signals that see
    /// it in one set, when there are a few: a message that matches none of them
    /// (most) is searched once instead of once per regex.
    pub role_patterns: [Option<RolePatterns>; 4],
    /// Signals over `within` windows, whose entries expire as the clock moves
    /// whoever speaks.
    pub timed_slots: Vec<SlotId>,
    /// For each signal, the rules that read it: only those are evaluated again
    /// when it changes.
    pub slot_rules: Vec<Vec<u32>>,
    /// Rules that read `turns`, and rules that read the clock.
    pub turns_rules: Vec<u32>,
    pub time_rules: Vec<u32>,
    /// The learnt intents, when a rule asks for one (`says`).
    pub intents: Option<LearntIntents>,
}

/// Reads `table[id]`, an index the compiler made.
///
/// The invariant: every id in a compiled program (a node's children, a signal, a
/// queue, a rule, and the session's tables sized from them) is in range of its
/// table, because the compiler pushes an entry before it hands out its id, and a
/// session sizes its tables from the program. Broken, it fails loudly in tests and
/// debug builds; a release build answers `None`, and the caller treats the value as
/// missing, as the language does for an absent attribute.
#[track_caller]
#[inline]
pub(crate) fn by_id<'t, T>(table: &'t [T], id: u32, what: &'static str) -> Option<&'t T> {
    let found = table.get(id as usize);
    debug_assert!(found.is_some(), "broken invariant: {what} {id} is out of range of its {} entries", table.len());
    found
}

/// [`by_id`] for a table the caller changes.
#[track_caller]
#[inline]
pub(crate) fn by_id_mut<'t, T>(table: &'t mut [T], id: u32, what: &'static str) -> Option<&'t mut T> {
    let len = table.len();
    let found = table.get_mut(id as usize);
    debug_assert!(found.is_some(), "broken invariant: {what} {id} is out of range of its {len} entries");
    found
}

impl Program {
    /// An expression node by the id the compiler gave it.
    #[track_caller]
    #[inline]
    pub(crate) fn node(&self, id: NodeId) -> Option<&ExprNode> {
        by_id(&self.nodes, id, "node")
    }

    /// A signal by the id the compiler gave it.
    #[track_caller]
    #[inline]
    pub(crate) fn slot(&self, id: SlotId) -> Option<&Slot> {
        by_id(&self.slots, id, "signal")
    }

    /// A queue by its position among the declared queues.
    #[track_caller]
    #[inline]
    pub(crate) fn queue(&self, id: u32) -> Option<&Queue> {
        by_id(&self.queues, id, "queue")
    }

    /// The set of the regexes that see a message from `role`, if there is one.
    pub fn patterns_seeing(&self, role: Role) -> Option<&RolePatterns> {
        self.role_patterns.get(role_index(role)?)?.as_ref()
    }

    /// The signals that see a message from `role`.
    pub fn slots_seeing(&self, role: Role) -> &[SlotId] {
        role_index(role).and_then(|i| self.role_slots.get(i)).map_or(&[], Vec::as_slice)
    }
}

/// Where a role's entry sits in the per-role tables ([`Role::ALL`] order).
fn role_index(role: Role) -> Option<usize> {
    Role::ALL.iter().position(|r| *r == role)
}
