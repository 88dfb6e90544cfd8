//! Declarations: queues, lets, rules and tests; duplicates, unknown and unused names;
//! and the outcome of each rule (queues, priorities, modifiers).

use std::collections::HashMap;

use miette::SourceSpan;

use super::builtins;
use super::err::did_you_mean;
use super::{CheckError, Checker, LetState, PRIORITIES};
use crate::syntax::ast::{Ident, Item, Modifier, OutcomeKind, Rule};

impl<'p> Checker<'p> {
    /// Collects every declaration, reporting duplicates, before anything is used.
    pub(super) fn declare(&mut self) {
        let mut tests: HashMap<&str, SourceSpan> = HashMap::new();
        for item in &self.policy.items {
            match item {
                Item::Queues(block) => {
                    for q in &block.node {
                        if let Some(first) = self.queues.get(q.name.node.as_str()) {
                            let first = first.name.span;
                            self.duplicate("queue", &q.name, first);
                        } else {
                            self.queues.insert(&q.name.node, q);
                            self.used_queues.insert(&q.name.node, false);
                        }
                    }
                }
                Item::Let(l) => {
                    if builtins::variable(&l.name.node).is_some() || builtins::function(&l.name.node).is_some() {
                        self.report(CheckError::ReservedName { name: l.name.node.clone(), span: l.name.span });
                    } else if let Some(&first) = self.lets.get(l.name.node.as_str()) {
                        let first = self.let_decls.get(first).map_or(l.name.span, |d| d.name.span);
                        self.duplicate("let", &l.name, first);
                    } else {
                        self.lets.insert(&l.name.node, self.let_decls.len());
                        self.let_decls.push(l);
                        self.let_state.push(LetState::Unvisited);
                        self.let_types.push(None);
                        self.used_lets.push(false);
                    }
                }
                Item::Rule(r) => {
                    if let Some(first) = self.rules.get(r.name.node.as_str()) {
                        let first = first.name.span;
                        self.duplicate("rule", &r.name, first);
                    } else {
                        self.rules.insert(&r.name.node, r);
                    }
                }
                Item::Test(t) => {
                    if let Some(&first) = tests.get(t.name.node.as_str()) {
                        self.duplicate("test", &t.name, first);
                    } else {
                        tests.insert(&t.name.node, t.name.span);
                    }
                }
            }
        }
    }

    fn duplicate(&mut self, kind: &'static str, name: &Ident, first: SourceSpan) {
        self.report(CheckError::Duplicate {
            kind,
            name: name.node.clone(),
            span: name.span,
            first,
            help: format!("each {kind} needs its own name"),
        });
    }

    /// Looks a queue up, marking it used; reports an unknown one.
    pub(super) fn queue(&mut self, name: &Ident) -> bool {
        if let Some(used) = self.used_queues.get_mut(name.node.as_str()) {
            *used = true;
            return true;
        }
        let help = did_you_mean(&name.node, self.queues.keys().copied()).or_else(|| {
            if self.queues.is_empty() {
                Some("declare queues first: `queues { general \"General support\" }`".into())
            } else {
                let mut names: Vec<&str> = self.queues.keys().copied().collect();
                names.sort_unstable();
                Some(format!("the declared queues are: {}", names.join(", ")))
            }
        });
        self.report(CheckError::UnknownQueue { name: name.node.clone(), span: name.span, help });
        false
    }

    pub(super) fn priority(&mut self, name: &Ident) {
        if !PRIORITIES.contains(&name.node.as_str()) {
            let help = did_you_mean(&name.node, PRIORITIES.iter().copied())
                .unwrap_or_else(|| format!("the priorities are {}", PRIORITIES.join(", ")));
            self.report(CheckError::UnknownPriority { name: name.node.clone(), span: name.span, help });
        }
    }

    pub(super) fn check_outcome(&mut self, rule: &'p Rule) {
        let outcome = &rule.outcome.node;
        if let (OutcomeKind::Escalate, Some(q)) = (outcome.kind, &outcome.target) {
            self.queue(q);
        }
        let mut seen: HashMap<&'static str, SourceSpan> = HashMap::new();
        for m in &outcome.modifiers {
            let keyword = m.node.keyword();
            if let Some(&first) = seen.get(keyword) {
                self.report(CheckError::InvalidOutcome {
                    message: format!("`{keyword}` is given twice"),
                    span: m.span,
                    label: "given again here".into(),
                    first: Some(first),
                    help: format!("keep one `{keyword}`"),
                });
                continue;
            }
            seen.insert(keyword, m.span);
            let allowed = matches!(
                (&m.node, outcome.kind),
                (Modifier::Via(_), OutcomeKind::Offer)
                    | (Modifier::Fallback(_) | Modifier::Priority(_), OutcomeKind::Escalate | OutcomeKind::Offer)
                    | (Modifier::Reason(_), _)
            );
            if !allowed {
                let help = match (&m.node, outcome.kind) {
                    (Modifier::Via(_), OutcomeKind::Escalate) => "`escalate to QUEUE` already names the queue".into(),
                    _ => format!("a `{}` outcome takes {}", kind_word(outcome.kind), allowed_modifiers(outcome.kind)),
                };
                self.report(CheckError::InvalidOutcome {
                    message: format!("`{keyword}` does not apply to `{}`", kind_word(outcome.kind)),
                    span: m.span,
                    label: "not allowed here".into(),
                    first: None,
                    help,
                });
                continue;
            }
            match &m.node {
                Modifier::Via(q) | Modifier::Fallback(q) => {
                    self.queue(q);
                }
                Modifier::Priority(p) => self.priority(p),
                Modifier::Reason(_) => {}
            }
        }
        if outcome.kind == OutcomeKind::Offer && !seen.contains_key("via") {
            self.report(CheckError::InvalidOutcome {
                message: "`offer human` needs the queue the customer would go to".into(),
                span: rule.outcome.span,
                label: "no queue".into(),
                first: None,
                help: "write `offer human via QUEUE`".into(),
            });
        }
    }

    /// Warns about lets and queues nothing uses.
    pub(super) fn unused(&mut self) {
        let mut warnings = Vec::new();
        for (i, l) in self.let_decls.iter().enumerate() {
            if !self.used_lets.get(i).copied().unwrap_or(true) {
                warnings.push(CheckError::UnusedLet { name: l.name.node.clone(), span: l.name.span });
            }
        }
        for (name, used) in &self.used_queues {
            if !used {
                if let Some(q) = self.queues.get(name) {
                    warnings.push(CheckError::UnusedQueue { name: (*name).to_string(), span: q.name.span });
                }
            }
        }
        self.diagnostics.extend(warnings);
    }

    pub(super) fn unknown_rule(&mut self, name: &Ident) {
        if !self.rules.contains_key(name.node.as_str()) {
            let help = did_you_mean(&name.node, self.rules.keys().copied());
            self.report(CheckError::UnknownRule { name: name.node.clone(), span: name.span, help });
        }
    }
}

fn kind_word(kind: OutcomeKind) -> &'static str {
    match kind {
        OutcomeKind::Escalate => "escalate",
        OutcomeKind::Offer => "offer human",
        OutcomeKind::Flag => "flag",
    }
}

fn allowed_modifiers(kind: OutcomeKind) -> &'static str {
    match kind {
        OutcomeKind::Escalate => "`fallback`, `priority` and `reason`",
        OutcomeKind::Offer => "`via`, `fallback`, `priority` and `reason`",
        OutcomeKind::Flag => "only `reason`",
    }
}
