//! Compiling a checked policy: names to indices, lets shared, signals deduplicated,
//! regexes and phrase sets built once.

use std::collections::HashMap;

use miette::SourceSpan;

use super::compile_err::CompileError;
use super::program::*;
use crate::intent::PolicyIntents;
use crate::lang::builtins::{self, Lowering, PerMessage, QueueQuestion, Variable};
use crate::lang::lets::Lets;
use crate::lang::regexes::{build_regex, Regexes};
use crate::signals::phrase_index::{PhraseIndex, PhraseList};
use crate::syntax::ast::{self, Argument, BinaryOp, Expr, ExprKind, Item, Modifier, OutcomeKind, Selector, UnaryOp};
use crate::transcript::Role;

/// Compiles a policy the checker accepted. Errors here mean the checker let
/// something through; they are reported, never panicked on.
pub fn compile(policy: &ast::Policy) -> Result<Program, CompileError> {
    let intents = PolicyIntents::load(policy, "", "", None).0;
    compile_with(policy, &Regexes::new(), &intents)
}

/// [`compile`], reusing the regexes the checker built, with the policy's intents
/// (example files read). The intents are trained only when a rule asks for one.
pub(crate) fn compile_with(
    policy: &ast::Policy,
    regexes: &Regexes,
    intents: &PolicyIntents,
) -> Result<Program, CompileError> {
    let lets = Lets::new(policy);
    let ast_rules: Vec<&ast::Rule> =
        policy.items.iter().filter_map(|i| if let Item::Rule(r) = i { Some(r) } else { None }).collect();
    // Compiling recurses as deep as an expression nests through its lets: the checker
    // refuses cycles and over-deep lets, and so does this, for an unchecked policy.
    let resolution = lets.resolve(&ast_rules);
    if !resolution.is_sound() {
        return Err(CompileError::UnsoundLets { span: resolution_span(&ast_rules) });
    }
    let mut c = Compiler {
        nodes: Vec::new(),
        slots: Vec::new(),
        slot_keys: HashMap::new(),
        queues: Vec::new(),
        let_nodes: vec![None; lets.decls.len()],
        lets,
        let_names: Vec::new(),
        phrase_lists: Vec::new(),
        phrase_list_keys: HashMap::new(),
        regexes,
        intents,
        learnt: None,
    };
    for item in &policy.items {
        if let Item::Queues(q) = item {
            for d in &q.node {
                c.queues.push(Queue {
                    name: d.name.node.clone(),
                    description: d.description.as_ref().map(|s| s.node.clone()),
                });
            }
        }
    }
    let mut rules = Vec::new();
    // Shared by every rule's walks: which nodes this rule's walk has seen.
    let mut seen = Seen::default();
    let mut is_fixed = Vec::new();
    for r in ast_rules {
        {
            let condition = c.expr(&r.when)?;
            let mut slots = Vec::new();
            let (mut reads_turns, mut reads_time) = (false, false);
            c.collect_inputs(condition, &mut seen, &mut slots, &mut reads_turns, &mut reads_time);
            slots.sort_unstable();
            slots.dedup();
            let (mut guards, mut fixed) = (Vec::new(), Vec::new());
            c.fixed_nodes(&mut is_fixed);
            c.conjuncts(condition, &mut seen, &is_fixed, &mut guards, &mut fixed);
            guards.sort_unstable();
            guards.dedup();
            rules.push(CompiledRule {
                name: r.name.node.clone(),
                condition,
                action: c.action(&r.outcome.node, r.outcome.span)?,
                reason: r.outcome.node.modifiers.iter().find_map(|m| match &m.node {
                    Modifier::Reason(s) => Some(s.node.clone()),
                    _ => None,
                }),
                slots,
                reads_turns,
                reads_time,
                guards,
                fixed,
            });
        }
    }
    let role_slots = Role::ALL.map(|role| {
        (0..c.slots.len() as SlotId)
            .filter(|&i| c.slots.get(i as usize).is_some_and(|s| super::session::slot_sees(s.role, role)))
            .collect()
    });
    let role_patterns = Role::ALL.map(|role| {
        let sources: Vec<&Pattern> = c
            .slots
            .iter()
            .filter(|s| super::session::slot_sees(s.role, role))
            .filter_map(|s| s.feature.pattern())
            .collect();
        role_pattern_set(&sources)
    });
    let timed_slots = (0..c.slots.len() as SlotId)
        .filter(|&i| c.slots.get(i as usize).is_some_and(|s| matches!(s.window, ast::Window::Within(_))))
        .collect();
    let mut slot_rules: Vec<Vec<u32>> = vec![Vec::new(); c.slots.len()];
    for (r, rule) in rules.iter().enumerate() {
        for &s in &rule.slots {
            if let Some(readers) = slot_rules.get_mut(s as usize) {
                readers.push(r as u32);
            }
        }
    }
    let rules_where = |f: fn(&CompiledRule) -> bool| {
        (0..rules.len() as u32).filter(|&r| rules.get(r as usize).is_some_and(f)).collect()
    };
    let turns_rules = rules_where(|r| r.reads_turns);
    let time_rules = rules_where(|r| r.reads_time);
    let languages = crate::lang::languages::policy_languages(policy);
    Ok(Program {
        phrases: PhraseIndex::in_languages(&c.phrase_lists, &languages),
        languages,
        nodes: c.nodes,
        slots: c.slots,
        rules,
        queues: c.queues,
        let_names: c.let_names,
        role_slots,
        role_patterns,
        timed_slots,
        slot_rules,
        turns_rules,
        time_rules,
        intents: c.learnt,
    })
}

struct Compiler<'a> {
    nodes: Vec<ExprNode>,
    slots: Vec<Slot>,
    slot_keys: HashMap<String, SlotId>,
    queues: Vec<Queue>,
    lets: Lets<'a>,
    /// Each let's node once compiled: a let is compiled once and shared by its uses.
    let_nodes: Vec<Option<NodeId>>,
    let_names: Vec<String>,
    phrase_lists: Vec<PhraseList>,
    /// Each phrase list's index by its key (the list and its flags): a linear search
    /// here was quadratic in the number of `mentions`.
    phrase_list_keys: HashMap<String, usize>,
    /// The checker's regexes, built once.
    regexes: &'a Regexes,
    intents: &'a PolicyIntents,
    /// The trained intents, once a `says` needs them.
    learnt: Option<LearntIntents>,
}

impl<'a> Compiler<'a> {
    fn push(&mut self, op: Op, span: SourceSpan) -> NodeId {
        self.nodes.push(ExprNode { op, span });
        (self.nodes.len() - 1) as NodeId
    }

    fn queue(&self, name: &str, span: SourceSpan) -> Result<u32, CompileError> {
        self.queues
            .iter()
            .position(|q| q.name == name)
            .map(|i| i as u32)
            .ok_or_else(|| CompileError::unknown("queue", name, span))
    }

    fn action(&self, o: &ast::Outcome, span: SourceSpan) -> Result<Action, CompileError> {
        let mut fallback = None;
        let mut priority = Priority::Normal;
        let mut via = None;
        for m in &o.modifiers {
            match &m.node {
                Modifier::Fallback(q) => fallback = Some(self.queue(&q.node, q.span)?),
                Modifier::Priority(p) => priority = Priority::parse(&p.node).unwrap_or(Priority::Normal),
                Modifier::Via(q) => via = Some(self.queue(&q.node, q.span)?),
                Modifier::Reason(_) => {}
            }
        }
        let target = o.target.as_ref().map(|t| t.node.clone()).unwrap_or_default();
        let target_span = o.target.as_ref().map_or(span, |t| t.span);
        Ok(match o.kind {
            OutcomeKind::Escalate => Action::Escalate { queue: self.queue(&target, target_span)?, fallback, priority },
            OutcomeKind::Offer => Action::Offer {
                queue: via.ok_or(CompileError::unexpected("a queue (`via`)", span))?,
                fallback,
                priority,
            },
            OutcomeKind::Flag => Action::Flag { label: target },
        })
    }

    /// Compiles an expression. Recursive: as deep as the expression nests through its
    /// lets, which the let resolution bounds.
    fn expr(&mut self, e: &'a Expr) -> Result<NodeId, CompileError> {
        self.expr_inner(e)
    }

    fn expr_inner(&mut self, e: &'a Expr) -> Result<NodeId, CompileError> {
        let span = e.span;
        let op = match &e.node {
            ExprKind::Bool(b) => Op::Bool(*b),
            ExprKind::Number(n) => Op::Number(*n),
            ExprKind::Duration(ms, _) => Op::Number(*ms as f64),
            ExprKind::String(s) => Op::String(s.as_str().into()),
            ExprKind::List(items) => Op::List(
                items
                    .iter()
                    .map(|i| match &i.node {
                        ExprKind::String(s) => Ok(s.as_str().into()),
                        _ => Err(CompileError::unexpected("a list of strings", span)),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            ExprKind::Regex { .. } | ExprKind::Selector(_) => Op::Inert,
            ExprKind::Name(n) => {
                if let Some((i, decl)) = self.lets.get(n) {
                    if let Some(id) = self.let_nodes.get(i).copied().flatten() {
                        return Ok(id);
                    }
                    let body = self.expr(&decl.value)?;
                    let index = self.let_names.len() as u32;
                    self.let_names.push(n.clone());
                    let id = self.push(Op::Let(index, body), decl.value.span);
                    if let Some(slot) = self.let_nodes.get_mut(i) {
                        *slot = Some(id);
                    }
                    return Ok(id);
                }
                match builtins::variable(n) {
                    Some(v) => Op::Variable(v.variable),
                    None => return Err(CompileError::unknown("name", n, span)),
                }
            }
            ExprKind::Attribute { root, path } => {
                Op::Attribute(*root, path.iter().map(|p| p.node.as_str().into()).collect())
            }
            ExprKind::Mentions { messages, phrases, words, unless_negated } => {
                let list = self.strings(phrases)?;
                let key = format!("mentions {list:?} {words:?} {unless_negated}");
                let next = self.phrase_lists.len();
                let index = *self.phrase_list_keys.entry(key.clone()).or_insert(next);
                if index == next {
                    self.phrase_lists.push(PhraseList {
                        phrases: list.clone(),
                        unless_negated: *unless_negated,
                        exact: words.exact,
                        typos: words.typos,
                    });
                }
                let feature = Feature::Mentions { index: index as u32, list };
                Op::Signal(self.slot(&messages.node, feature, Fold::Any, key))
            }
            ExprKind::Matches { messages, regex } => {
                let (re, key) = self.regex(regex)?;
                Op::Signal(self.slot(&messages.node, Feature::Matches(re), Fold::Any, format!("matches {key}")))
            }
            ExprKind::Says { messages, intent, at_least } => {
                let position = self
                    .intents
                    .position(&intent.node)
                    .ok_or_else(|| CompileError::unknown("intent", &intent.node, intent.span))?;
                let written = at_least.as_ref().map_or_else(|| self.intents.threshold_written(position), |n| n.node);
                let threshold = written as f32;
                if self.learnt.is_none() {
                    let model = self.intents.model();
                    self.learnt = Some(LearntIntents { model, names: self.intents.set.names() });
                }
                let feature = Feature::Says { intent: position as u32, threshold, written };
                let key = format!("says {position} {}", threshold.to_bits());
                Op::Signal(self.slot(&messages.node, feature, Fold::Any, key))
            }
            ExprKind::Call { function, args } => return self.call(&function.node, args, span),
            ExprKind::Unary { op, operand } => {
                let x = self.expr(operand)?;
                match op.node {
                    UnaryOp::Not => Op::Not(x),
                    UnaryOp::Neg => Op::Neg(x),
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let l = self.expr(lhs)?;
                let r = self.expr(rhs)?;
                match op.node {
                    BinaryOp::Or => Op::Or(l, r),
                    BinaryOp::And => Op::And(l, r),
                    BinaryOp::Eq => Op::Cmp(CmpOp::Eq, l, r),
                    BinaryOp::Ne => Op::Cmp(CmpOp::Ne, l, r),
                    BinaryOp::Lt => Op::Cmp(CmpOp::Lt, l, r),
                    BinaryOp::Le => Op::Cmp(CmpOp::Le, l, r),
                    BinaryOp::Gt => Op::Cmp(CmpOp::Gt, l, r),
                    BinaryOp::Ge => Op::Cmp(CmpOp::Ge, l, r),
                    BinaryOp::In => Op::In(l, r),
                    BinaryOp::Add => Op::Arith(ArithOp::Add, l, r),
                    BinaryOp::Sub => Op::Arith(ArithOp::Sub, l, r),
                    BinaryOp::Mul => Op::Arith(ArithOp::Mul, l, r),
                    BinaryOp::Div => Op::Arith(ArithOp::Div, l, r),
                }
            }
            ExprKind::Paren(inner) => Op::Paren(self.expr(inner)?),
        };
        Ok(self.push(op, span))
    }

    /// The literal strings of a phrase argument, through lets.
    fn strings(&self, e: &Expr) -> Result<Vec<String>, CompileError> {
        match self.lets.follow(e).map(|e| &e.node) {
            Some(ExprKind::String(s)) => Ok(vec![s.clone()]),
            Some(ExprKind::List(items)) => items
                .iter()
                .map(|i| match self.lets.follow(i).map(|i| &i.node) {
                    Some(ExprKind::String(s)) => Ok(s.clone()),
                    _ => Err(CompileError::unexpected("a phrase", i.span)),
                })
                .collect(),
            _ => Err(CompileError::unexpected("phrases", e.span)),
        }
    }

    fn regex(&self, e: &Expr) -> Result<(Pattern, String), CompileError> {
        match self.lets.follow(e).map(|e| &e.node) {
            Some(ExprKind::Regex { pattern, flags }) => {
                // Flags inline for the set; under `x` a comment could run to the end of
                // the pattern, so a line break closes it before the group does.
                let in_set = match (flags.is_empty(), flags.contains('x')) {
                    (true, _) => pattern.clone(),
                    (false, false) => format!("(?{flags}:{pattern})"),
                    (false, true) => format!("(?{flags}:{pattern}\n)"),
                };
                let regex = match self.regexes.get(&(pattern.clone(), flags.clone())) {
                    Some(built) => built.clone(),
                    None => {
                        build_regex(pattern, flags).map_err(|reason| CompileError::Regex { reason, span: e.span })?
                    }
                };
                Ok((Pattern { regex, in_set }, format!("/{pattern}/{flags}")))
            }
            _ => Err(CompileError::unexpected("a regex", e.span)),
        }
    }

    fn selector(&self, e: &Expr) -> Result<Selector, CompileError> {
        match self.lets.follow(e).map(|e| &e.node) {
            Some(ExprKind::Selector(s)) => Ok(s.clone()),
            _ => Err(CompileError::unexpected("messages", e.span)),
        }
    }

    fn slot(&mut self, sel: &Selector, feature: Feature, fold: Fold, key: String) -> SlotId {
        let key = format!("{:?} {:?} {:?} {key}", sel.role, sel.window, fold);
        if let Some(&id) = self.slot_keys.get(&key) {
            return id;
        }
        let latest_hit_only = sel.window == ast::Window::Any
            && matches!(
                feature,
                Feature::Mentions { .. }
                    | Feature::Matches(_)
                    | Feature::HasIntent { .. }
                    | Feature::HasEntity(_)
                    | Feature::Says { .. }
            );
        self.slots.push(Slot { role: sel.role, window: sel.window, feature, fold, latest_hit_only });
        let id = (self.slots.len() - 1) as SlotId;
        self.slot_keys.insert(key, id);
        id
    }

    fn call(&mut self, name: &str, args: &'a [Argument], span: SourceSpan) -> Result<NodeId, CompileError> {
        let sig = builtins::function(name).ok_or_else(|| CompileError::unknown("function", name, span))?;
        let positional: Vec<&Expr> = args.iter().filter(|a| a.name.is_none()).map(|a| &a.value).collect();
        let named = |n: &str| args.iter().find(|a| a.name.as_ref().is_some_and(|x| x.node == n)).map(|a| &a.value);
        let first = positional.first().copied().ok_or(CompileError::unexpected("an argument", span))?;
        let op = match sig.lowering {
            Lowering::Queue(question) => {
                let q = match &first.node {
                    ExprKind::Name(n) => self.queue(n, first.span)?,
                    _ => return Err(CompileError::unexpected("a queue", first.span)),
                };
                match question {
                    QueueQuestion::Open => Op::Open(q),
                    QueueQuestion::InHours => Op::InHours(q),
                    QueueQuestion::AgentsFree => Op::AgentsFree(q),
                }
            }
            Lowering::Signal { per_message, fold } => {
                let sel = self.selector(first)?;
                // A named argument's value, or the declaration's default.
                let number = |n: &str| named(n).and_then(const_number).or_else(|| sig.default(n));
                let no_default = |param: &'static str| CompileError::NoDefault { function: sig.name, param, span };
                let (feature, key) = match per_message {
                    PerMessage::Sentiment => (Feature::Sentiment, String::new()),
                    PerMessage::Intent => (Feature::Intent, String::new()),
                    PerMessage::HasIntent => {
                        let intents = match positional.get(1) {
                            Some(e) => self.strings(e)?,
                            None => return Err(CompileError::unexpected("intents", span)),
                        };
                        let min_confidence = number("min_confidence").ok_or(no_default("min_confidence"))?;
                        let key = format!("{intents:?} {min_confidence}");
                        (Feature::HasIntent { intents, min_confidence }, key)
                    }
                    PerMessage::HasEntity => {
                        let entity = match positional.get(1).map(|e| self.strings(e)) {
                            Some(Ok(v)) => v.into_iter().next().unwrap_or_default(),
                            _ => return Err(CompileError::unexpected("an entity's name", span)),
                        };
                        let key = entity.clone();
                        (Feature::HasEntity(entity), key)
                    }
                    PerMessage::Count => match named("matching") {
                        Some(e) => {
                            let (re, key) = self.regex(e)?;
                            (Feature::Count(Some(re)), key)
                        }
                        None => (Feature::Count(None), String::new()),
                    },
                    PerMessage::Fallback => (Feature::Fallback, String::new()),
                    PerMessage::Repeat => {
                        let similarity = number("similarity").ok_or(no_default("similarity"))?;
                        (Feature::Repeat { similarity }, format!("{similarity}"))
                    }
                    PerMessage::ExactRepeat => (Feature::ExactRepeat, String::new()),
                    PerMessage::Test(test) => (Feature::Test { name: sig.name, test }, sig.name.to_string()),
                };
                Op::Signal(self.slot(&sel, feature, fold, key))
            }
        };
        Ok(self.push(op, span))
    }

    /// What a node reads that can change during a conversation, through lets.
    fn collect_inputs(&self, id: NodeId, seen: &mut Seen, slots: &mut Vec<SlotId>, turns: &mut bool, time: &mut bool) {
        self.walk_once(id, seen, |_, op, pending| match op {
            Op::Signal(s) => slots.push(*s),
            Op::Variable(Variable::Turns) => *turns = true,
            Op::Variable(Variable::Duration | Variable::SincePrevious) | Op::Open(_) | Op::InHours(_) => *time = true,
            op => pending.extend(op.children()),
        });
    }

    /// Walks the nodes reachable from `root`, each once (a let shared by many uses is
    /// walked once), without recursion: `visit` sees each node and pushes the ones to
    /// go on to, the last pushed first.
    fn walk_once(&self, root: NodeId, seen: &mut Seen, mut visit: impl FnMut(NodeId, &Op, &mut Vec<NodeId>)) {
        seen.start(self.nodes.len());
        let mut pending = vec![root];
        while let Some(id) = pending.pop() {
            if !seen.first_visit(id) {
                continue;
            }
            if let Some(node) = self.nodes.get(id as usize) {
                visit(id, &node.op, &mut pending);
            }
        }
    }
}

/// Where to point when the lets cannot be resolved: the first rule, or the top.
fn resolution_span(rules: &[&ast::Rule]) -> SourceSpan {
    rules.first().map_or((0, 0).into(), |r| r.name.span)
}

/// Which nodes a walk over the arena has seen: a let shared by many uses is walked
/// once. Reused from rule to rule.
#[derive(Debug, Default)]
struct Seen {
    marks: Vec<u32>,
    walk: u32,
}

impl Seen {
    /// A new walk over an arena of `nodes` nodes.
    fn start(&mut self, nodes: usize) {
        self.walk = self.walk.wrapping_add(1);
        if self.walk == 0 {
            self.marks.iter_mut().for_each(|m| *m = 0);
            self.walk = 1;
        }
        self.marks.resize(nodes, 0);
    }

    /// True the first time a walk sees a node.
    fn first_visit(&mut self, id: NodeId) -> bool {
        match self.marks.get_mut(id as usize) {
            Some(m) if *m != self.walk => {
                *m = self.walk;
                true
            }
            _ => false,
        }
    }
}

/// A set for a role's regexes: worth it for two to a handful (one regex is its own
/// check; a union of many can be slower than the regexes one by one).
fn role_pattern_set(patterns: &[&Pattern]) -> Option<RolePatterns> {
    const MOST: usize = 16;
    if !(2..=MOST).contains(&patterns.len()) {
        return None;
    }
    let build = |sources: Vec<&str>| regex::RegexSetBuilder::new(sources).size_limit(8 << 20).build().ok();
    let set = build(patterns.iter().map(|p| p.in_set.as_str()).collect())?;
    // Over lowercased text only when every regex folds case: one that does not must
    // see the text as written.
    let folded = patterns.iter().map(|p| p.regex.folded_pattern()).collect::<Option<Vec<_>>>().and_then(build);
    Some(RolePatterns { set, folded })
}

impl Compiler<'_> {
    /// The parts of a condition that must all be true (through `and`, lets and
    /// parentheses): yes-or-no signals, and parts fixed for a session. Each node once,
    /// in the order the condition is written, without recursion.
    fn conjuncts(
        &self,
        id: NodeId,
        seen: &mut Seen,
        is_fixed: &[bool],
        guards: &mut Vec<SlotId>,
        fixed: &mut Vec<NodeId>,
    ) {
        self.walk_once(id, seen, |id, op, pending| match op {
            Op::And(a, b) => {
                pending.push(*b);
                pending.push(*a);
            }
            Op::Let(_, x) | Op::Paren(x) => pending.push(*x),
            Op::Signal(s) if self.slots.get(*s as usize).is_some_and(|slot| slot.fold == Fold::Any) => guards.push(*s),
            _ if is_fixed.get(id as usize).copied().unwrap_or(false) => fixed.push(id),
            _ => {}
        });
    }

    /// For every node, whether it reads only the conversation's attributes, its
    /// channel and constants, which do not change during a session. Extends `fixed`
    /// to the nodes compiled since: a node's children come before it in the arena.
    fn fixed_nodes(&self, fixed: &mut Vec<bool>) {
        for node in self.nodes.iter().skip(fixed.len()) {
            let leaf = match &node.op {
                Op::Bool(_) | Op::Number(_) | Op::String(_) | Op::List(_) | Op::Attribute(..) => true,
                Op::Variable(v) => *v == Variable::Channel,
                Op::Signal(_) | Op::Open(_) | Op::InHours(_) | Op::AgentsFree(_) | Op::Inert => false,
                op => op.children().all(|c| fixed.get(c as usize).copied().unwrap_or(false)),
            };
            fixed.push(leaf);
        }
    }
}

/// A constant number written directly (`0.8`, `-0.3`).
fn const_number(e: &Expr) -> Option<f64> {
    match &e.node {
        ExprKind::Number(n) => Some(*n),
        ExprKind::Unary { op, operand } if op.node == UnaryOp::Neg => const_number(operand).map(|n| -n),
        ExprKind::Paren(inner) => const_number(inner),
        _ => None,
    }
}
