//! The one let resolver: a policy's lets as a graph. Each let's body is walked once;
//! cycles are found and nesting is measured through lets (a let used inside another
//! is one level deeper) without recursion, so a chain or a cycle of any length costs
//! time linear in the policy and no stack. The checker, its lints and the compiler
//! all look through lets with this.
//!
//! The stages that still recurse (typing one expression, compiling, evaluating,
//! explaining) go as deep as an expression nests through its lets, which this bounds
//! by [`MAX_DEPTH`] (or the parser's own limit for an expression without lets). The
//! stack that needs is small: a whole `handoff eval --explain` of a let chain at the
//! limit runs in a 128 KiB stack (`ulimit -s 128`, release build), a sixteenth of a
//! tokio worker's 2 MiB; `tests/lets.rs` runs the limit cases on 2 MiB threads in
//! debug builds, whose frames are larger.

use std::collections::HashMap;

use miette::SourceSpan;
use smallvec::SmallVec;

use super::builtins::{self, Param};
use crate::syntax::ast::{Expr, ExprKind, Item, LetDecl, Policy, Rule};
use crate::syntax::parser::MAX_DEPTH;

/// The sub-expressions the checker types, in the order it types them. A queue
/// argument (`open(general)`) names a queue, not a value, so it is not one; neither
/// are the extra positional arguments or repeated named arguments of a call, which
/// the checker reports without typing.
pub fn operands(e: &Expr) -> SmallVec<[&Expr; 2]> {
    let mut out = SmallVec::new();
    match &e.node {
        ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::Duration(..)
        | ExprKind::String(_)
        | ExprKind::Regex { .. }
        | ExprKind::Name(_)
        | ExprKind::Attribute { .. }
        | ExprKind::Selector(_)
        | ExprKind::Says { .. } => {}
        ExprKind::List(items) => out.extend(items.iter()),
        ExprKind::Mentions { phrases, .. } => out.push(&**phrases),
        ExprKind::Matches { regex, .. } => out.push(&**regex),
        ExprKind::Unary { operand, .. } => out.push(&**operand),
        ExprKind::Paren(inner) => out.push(&**inner),
        ExprKind::Binary { lhs, rhs, .. } => {
            out.push(&**lhs);
            out.push(&**rhs);
        }
        ExprKind::Call { function, args } => match builtins::function(&function.node) {
            None => out.extend(args.iter().map(|a| &a.value)),
            Some(sig) => {
                let positional = args.iter().filter(|a| a.name.is_none());
                for (arg, (param, _)) in positional.zip(sig.params) {
                    if *param != Param::Queue {
                        out.push(&arg.value);
                    }
                }
                let mut seen: SmallVec<[&str; 2]> = SmallVec::new();
                for arg in args {
                    let Some(name) = &arg.name else { continue };
                    if !seen.contains(&name.node.as_str()) {
                        seen.push(&name.node);
                        out.push(&arg.value);
                    }
                }
            }
        },
    }
    out
}

/// A policy's lets: the first declaration of each name that is not a built-in's.
#[derive(Debug)]
pub struct Lets<'p> {
    pub decls: Vec<&'p LetDecl>,
    pub index: HashMap<&'p str, usize>,
    /// Declarations left out: a built-in's name (`None`), or a name declared before
    /// (the index of its first declaration).
    pub rejected: Vec<(&'p LetDecl, Option<usize>)>,
}

/// One use of a let inside an expression, `level` nodes below its root (the root is 1).
#[derive(Debug, Clone, Copy)]
struct Use {
    target: usize,
    span: SourceSpan,
    level: usize,
}

/// An expression's uses of lets, in the order the checker types them, and its height
/// counting every node once and a use of a let as a leaf.
#[derive(Debug, Default)]
struct Walked {
    plain: usize,
    uses: Vec<Use>,
}

/// A let that refers back to itself, seen where the reference closes the cycle.
#[derive(Debug, Clone)]
pub struct Cycle {
    pub name: String,
    /// The lets of the cycle, `a -> b -> a`.
    pub path: String,
    pub span: SourceSpan,
}

/// An expression nested more than [`MAX_DEPTH`] levels deep once its lets are counted.
#[derive(Debug, Clone)]
pub struct TooDeep {
    /// "let `x`" or "the condition of rule `r`".
    pub what: String,
    pub depth: usize,
    /// The let used at `span`, and how deep it is on its own.
    pub uses: String,
    pub uses_depth: usize,
    pub span: SourceSpan,
    /// The lets along the deepest path, `x -> y -> z`.
    pub chain: String,
}

/// What resolving the lets found.
#[derive(Debug, Default)]
pub struct Resolution {
    /// Every let, each after the lets it uses (apart from uses that close a cycle).
    pub order: Vec<usize>,
    /// Each let's depth through lets (its body's height, a let counting one more
    /// than its body); `None` when it is on a cycle or uses one.
    pub depth: Vec<Option<usize>>,
    pub cycles: Vec<Cycle>,
    pub too_deep: Vec<TooDeep>,
}

impl Resolution {
    /// Whether compiling and evaluating every expression stays within [`MAX_DEPTH`]
    /// levels (or the parser's own limit for expressions without lets).
    pub fn is_sound(&self) -> bool {
        self.cycles.is_empty() && self.too_deep.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Unvisited,
    OnStack,
    Done,
}

/// A let being explored by the depth-first walk, or a rule's condition (`None`).
struct Frame {
    node: Option<usize>,
    next: usize,
    /// A use closed a cycle: this let's depth is unknown.
    cyclic: bool,
}

/// The most names a cycle or chain shows before it is shortened.
const SHOWN: usize = 12;

impl<'p> Lets<'p> {
    pub fn new(policy: &'p Policy) -> Lets<'p> {
        let mut lets = Lets { decls: Vec::new(), index: HashMap::new(), rejected: Vec::new() };
        for item in &policy.items {
            let Item::Let(l) = item else { continue };
            let name = l.name.node.as_str();
            if builtins::variable(name).is_some() || builtins::function(name).is_some() {
                lets.rejected.push((l, None));
            } else if let Some(&first) = lets.index.get(name) {
                lets.rejected.push((l, Some(first)));
            } else {
                lets.index.insert(name, lets.decls.len());
                lets.decls.push(l);
            }
        }
        lets
    }

    pub fn get(&self, name: &str) -> Option<(usize, &'p LetDecl)> {
        let &i = self.index.get(name)?;
        Some((i, *self.decls.get(i)?))
    }

    fn name(&self, i: usize) -> &'p str {
        self.decls.get(i).map_or("?", |d| d.name.node.as_str())
    }

    /// What an expression stands for once parentheses and lets are looked through;
    /// `None` when the lets go round in a cycle.
    pub fn follow<'a>(&self, mut e: &'a Expr) -> Option<&'a Expr>
    where
        'p: 'a,
    {
        let mut lets_seen = 0;
        loop {
            match &e.node {
                ExprKind::Paren(inner) => e = inner,
                ExprKind::Name(n) => match self.get(n) {
                    Some((_, decl)) if lets_seen < self.decls.len() => {
                        lets_seen += 1;
                        e = &decl.value;
                    }
                    Some(_) => return None,
                    None => return Some(e),
                },
                _ => return Some(e),
            }
        }
    }

    /// Every expression that reaches `e` through the checker's operands, looked
    /// through lets, each let once: for a walk that must see all that a condition
    /// uses, with no recursion. `step` says which operands to enter.
    pub fn reach<'a>(&self, root: &'a Expr, seen: &mut [bool], mut step: impl FnMut(&'a Expr) -> Reach) -> bool
    where
        'p: 'a,
    {
        let mut pending = vec![root];
        while let Some(e) = pending.pop() {
            match step(e) {
                Reach::Found => return true,
                Reach::Skip => continue,
                Reach::Enter => {}
            }
            if let ExprKind::Name(n) = &e.node {
                if let Some((i, decl)) = self.get(n) {
                    if let Some(s) = seen.get_mut(i).filter(|s| !**s) {
                        *s = true;
                        pending.push(&decl.value);
                    }
                }
            }
            pending.extend(operands(e).into_iter().rev());
        }
        false
    }

    /// Walks an expression without recursion.
    fn walk(&self, root: &Expr) -> Walked {
        let mut walked = Walked::default();
        let mut pending = vec![(root, 1usize)];
        while let Some((e, level)) = pending.pop() {
            let inner = operands(e);
            // An empty list or call counts one level below it, as the parser counts.
            let leaf = matches!(e.node, ExprKind::List(_) | ExprKind::Call { .. }) && inner.is_empty();
            walked.plain = walked.plain.max(level + usize::from(leaf));
            if let ExprKind::Name(n) = &e.node {
                if let Some(&target) = self.index.get(n.as_str()) {
                    walked.uses.push(Use { target, span: e.span, level });
                }
            }
            pending.extend(inner.into_iter().rev().map(|c| (c, level + 1)));
        }
        walked
    }

    /// Resolves every let, starting from the rules' conditions in order and then the
    /// lets in order, as the checker meets them: the cycles each use closes, each
    /// let's depth, and the places where lets nest deeper than [`MAX_DEPTH`] (one
    /// report where the limit is first crossed, not one per let above it).
    pub fn resolve(&self, rules: &[&'p Rule]) -> Resolution {
        let n = self.decls.len();
        let mut state = vec![State::Unvisited; n];
        let mut frame_of = vec![0usize; n];
        let mut walked: Vec<Walked> = (0..n).map(|_| Walked::default()).collect();
        // A let that is too deep or uses one: reported once, where the limit is crossed.
        let mut broken = vec![false; n];
        let mut out = Resolution { depth: vec![None; n], ..Resolution::default() };
        let mut stack: Vec<Frame> = Vec::new();
        let roots = rules.len() + n;
        for root in 0..roots {
            let mut root_walk = None;
            match root.checked_sub(rules.len()) {
                None => {
                    root_walk = rules.get(root).map(|r| self.walk(&r.when));
                    stack.push(Frame { node: None, next: 0, cyclic: false });
                }
                Some(l) if state.get(l) == Some(&State::Unvisited) => {
                    self.enter(l, &mut state, &mut frame_of, &mut walked, &mut stack);
                }
                Some(_) => continue,
            }
            while let Some(top) = stack.last_mut() {
                let uses = match top.node {
                    Some(l) => walked.get(l).map_or(&[][..], |w| &w.uses[..]),
                    None => root_walk.as_ref().map_or(&[][..], |w| &w.uses[..]),
                };
                if let Some(&u) = uses.get(top.next) {
                    top.next += 1;
                    match state.get(u.target) {
                        Some(State::Unvisited) => {
                            self.enter(u.target, &mut state, &mut frame_of, &mut walked, &mut stack)
                        }
                        Some(State::OnStack) => {
                            top.cyclic = true;
                            let from = frame_of.get(u.target).copied().unwrap_or(0);
                            let mut names: Vec<&str> =
                                stack.iter().skip(from).filter_map(|f| f.node).map(|l| self.name(l)).collect();
                            names.push(self.name(u.target));
                            out.cycles.push(Cycle {
                                name: self.name(u.target).to_string(),
                                path: chain(&names),
                                span: u.span,
                            });
                        }
                        _ => {}
                    }
                    continue;
                }
                let Some(frame) = stack.pop() else { break };
                let w = match frame.node {
                    Some(l) => walked.get(l),
                    None => root_walk.as_ref(),
                };
                let Some(w) = w else { continue };
                let depth = if frame.cyclic { None } else { self.depth_of(w, &out.depth) };
                let uses_broken = w.uses.iter().any(|u| broken.get(u.target).copied().unwrap_or(true));
                let mut reported = false;
                if let Some(depth) = depth.filter(|&d| d > MAX_DEPTH && d > w.plain && !uses_broken) {
                    let what = match frame.node {
                        Some(l) => format!("let `{}`", self.name(l)),
                        None => format!("the condition of rule `{}`", rules.get(root).map_or("?", |r| &r.name.node)),
                    };
                    out.too_deep.push(self.too_deep(what, depth, w, frame.node, &out.depth));
                    reported = true;
                }
                if let Some(l) = frame.node {
                    if let Some(s) = state.get_mut(l) {
                        *s = State::Done;
                    }
                    if let Some(d) = out.depth.get_mut(l) {
                        *d = depth;
                    }
                    if let Some(b) = broken.get_mut(l) {
                        *b = reported || uses_broken || depth.is_none();
                    }
                    out.order.push(l);
                }
            }
        }
        out
    }

    fn enter(
        &self,
        l: usize,
        state: &mut [State],
        frame_of: &mut [usize],
        walked: &mut [Walked],
        stack: &mut Vec<Frame>,
    ) {
        if let (Some(s), Some(f), Some(w), Some(decl)) =
            (state.get_mut(l), frame_of.get_mut(l), walked.get_mut(l), self.decls.get(l))
        {
            *s = State::OnStack;
            *f = stack.len();
            *w = self.walk(&decl.value);
            stack.push(Frame { node: Some(l), next: 0, cyclic: false });
        }
    }

    /// An expression's height through lets, once every let it uses is resolved.
    fn depth_of(&self, w: &Walked, depths: &[Option<usize>]) -> Option<usize> {
        let mut depth = w.plain;
        for u in &w.uses {
            depth = depth.max(u.level.saturating_add(depths.get(u.target).copied().flatten()?));
        }
        Some(depth)
    }

    /// The deepest use of an expression: the let, its depth, and where it is used.
    fn deepest(w: &Walked, depths: &[Option<usize>]) -> Option<(Use, usize)> {
        w.uses
            .iter()
            .filter_map(|u| Some((*u, depths.get(u.target).copied().flatten()?)))
            .max_by_key(|(u, d)| u.level.saturating_add(*d))
    }

    fn too_deep(
        &self,
        what: String,
        depth: usize,
        w: &Walked,
        from: Option<usize>,
        depths: &[Option<usize>],
    ) -> TooDeep {
        let mut names: Vec<&str> = from.map(|l| self.name(l)).into_iter().collect();
        let first = Self::deepest(w, depths);
        let mut next = first.map(|(u, _)| u.target);
        // Down the deepest path; each step is a let strictly less deep, so it ends.
        while let Some(l) = next {
            names.push(self.name(l));
            next = self.decls.get(l).and_then(|d| Self::deepest(&self.walk(&d.value), depths)).map(|(u, _)| u.target);
        }
        let (span, uses, uses_depth) = match first {
            Some((u, d)) => (u.span, self.name(u.target).to_string(), d),
            None => ((0, 0).into(), String::new(), 0),
        };
        TooDeep { what, depth, uses, uses_depth, span, chain: chain(&names) }
    }
}

/// What [`Lets::reach`] does with an expression it reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Stop: the walk found what it looks for.
    Found,
    /// Look inside it (its operands, or the let it names).
    Enter,
    /// Leave it.
    Skip,
}

/// Names joined by arrows; a long list shows its ends.
fn chain(names: &[&str]) -> String {
    if names.len() <= SHOWN {
        return names.join(" -> ");
    }
    let head = names.get(..SHOWN / 2).unwrap_or_default().join(" -> ");
    let tail = names.get(names.len() - 3..).unwrap_or_default().join(" -> ");
    format!("{head} -> ... ({} more) ... -> {tail}", names.len() - SHOWN / 2 - 3)
}
