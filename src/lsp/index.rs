//! What a policy declares (lets, queues, rules, intents) and every place it names them:
//! the table behind hover, go to definition, references, rename and completion.

use miette::SourceSpan;

use super::builtins::builtin;
use crate::syntax::ast::{Expected, Expr, ExprKind, Ident, Item, Modifier, OutcomeKind, Policy, TestLine};
use crate::syntax::stack::guarded;

/// What a name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Let,
    Queue,
    Rule,
    Intent,
    /// A built-in function or value: it has no declaration in the file.
    Builtin,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Let => "let",
            Kind::Queue => "queue",
            Kind::Rule => "rule",
            Kind::Intent => "intent",
            Kind::Builtin => "built-in",
        }
    }
}

/// One place a name is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    pub kind: Kind,
    pub name: String,
    pub span: SourceSpan,
    /// Where it is declared rather than used.
    pub declaration: bool,
}

impl Occurrence {
    fn contains(&self, offset: usize) -> bool {
        (self.span.offset()..=self.span.offset() + self.span.len()).contains(&offset)
    }
}

/// Every name written in a policy, in source order.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub occurrences: Vec<Occurrence>,
}

impl Index {
    pub fn of(policy: &Policy) -> Index {
        let mut index = Index::default();
        for item in &policy.items {
            index.item(item);
        }
        index.occurrences.sort_by_key(|o| o.span.offset());
        index
    }

    /// The name under the cursor (a cursor just after a name counts).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        self.occurrences.iter().find(|o| o.contains(offset))
    }

    /// Where a name of this kind is declared (the first declaration, if repeated).
    pub fn declaration(&self, kind: Kind, name: &str) -> Option<&Occurrence> {
        self.occurrences.iter().find(|o| o.declaration && o.kind == kind && o.name == name)
    }

    /// The declaration and every use of a name.
    pub fn all<'a>(&'a self, kind: Kind, name: &'a str) -> impl Iterator<Item = &'a Occurrence> + 'a {
        self.occurrences.iter().filter(move |o| o.kind == kind && o.name == name)
    }

    /// The names declared of a kind, in source order, each once.
    pub fn declared(&self, kind: Kind) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for o in self.occurrences.iter().filter(|o| o.declaration && o.kind == kind) {
            if !names.contains(&o.name.as_str()) {
                names.push(&o.name);
            }
        }
        names
    }

    fn add(&mut self, kind: Kind, ident: &Ident, declaration: bool) {
        self.occurrences.push(Occurrence { kind, name: ident.node.clone(), span: ident.span, declaration });
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Queues(block) => block.node.iter().for_each(|q| self.add(Kind::Queue, &q.name, true)),
            Item::Let(l) => {
                self.add(Kind::Let, &l.name, true);
                self.expr(&l.value);
            }
            Item::Rule(r) => {
                self.add(Kind::Rule, &r.name, true);
                self.expr(&r.when);
                let outcome = &r.outcome.node;
                if let (OutcomeKind::Escalate, Some(q)) = (outcome.kind, &outcome.target) {
                    self.add(Kind::Queue, q, false);
                }
                for m in &outcome.modifiers {
                    if let Modifier::Via(q) | Modifier::Fallback(q) = &m.node {
                        self.add(Kind::Queue, q, false);
                    }
                }
            }
            Item::Intent(i) => self.add(Kind::Intent, &i.name, true),
            Item::IntentsFrom(_) | Item::Language(_) => {}
            Item::Test(t) => {
                for line in &t.lines {
                    let TestLine::Expect(e) = &line.node else { continue };
                    match &e.expected.node {
                        Expected::Escalate { queue, .. } => self.add(Kind::Queue, queue, false),
                        Expected::Offer { via: Some(queue), .. } => self.add(Kind::Queue, queue, false),
                        _ => {}
                    }
                    e.by.iter().for_each(|r| self.add(Kind::Rule, r, false));
                }
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        guarded(|| match &e.node {
            ExprKind::Name(name) => {
                let kind = if builtin(name).is_some_and(|b| !b.is_function) { Kind::Builtin } else { Kind::Let };
                self.occurrences.push(Occurrence { kind, name: name.clone(), span: e.span, declaration: false });
            }
            ExprKind::List(items) => items.iter().for_each(|i| self.expr(i)),
            ExprKind::Mentions { phrases, .. } => self.expr(phrases),
            ExprKind::Matches { regex, .. } => self.expr(regex),
            ExprKind::Says { intent, .. } => self.add(Kind::Intent, intent, false),
            ExprKind::Call { function, args } => {
                self.add(Kind::Builtin, function, false);
                let queues: &[(&str, bool)] = builtin(&function.node).map_or(&[], |b| &b.params);
                let positional = args.iter().filter(|a| a.name.is_none());
                for (i, arg) in positional.enumerate() {
                    match &arg.value.node {
                        ExprKind::Name(q) if queues.get(i).is_some_and(|p| p.1) => {
                            self.occurrences.push(Occurrence {
                                kind: Kind::Queue,
                                name: q.clone(),
                                span: arg.value.span,
                                declaration: false,
                            });
                        }
                        _ => self.expr(&arg.value),
                    }
                }
                args.iter().filter(|a| a.name.is_some()).for_each(|a| self.expr(&a.value));
            }
            ExprKind::Unary { operand, .. } => self.expr(operand),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Bool(_)
            | ExprKind::Number(_)
            | ExprKind::Duration(..)
            | ExprKind::String(_)
            | ExprKind::Regex { .. }
            | ExprKind::Attribute { .. }
            | ExprKind::Selector(_) => {}
        })
    }
}
