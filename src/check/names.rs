//! Declarations: queues, lets, rules and tests; duplicates, unknown and unused names;
//! and the outcome of each rule (queues, priorities, modifiers).

use std::collections::HashMap;

use miette::SourceSpan;

use super::err::did_you_mean;
use super::{CheckError, Checker};
use crate::lang::lets::Resolution;
use crate::lang::priority::Priority;
use crate::syntax::ast::{Ident, Item, Modifier, OutcomeKind, Rule};
use crate::syntax::parser::MAX_DEPTH;

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
                // The let resolver collected the lets; only its refusals are reported here.
                // Intents are declared by `declare_intents`.
                Item::Let(_) | Item::Intent(_) | Item::IntentsFrom(_) | Item::Language(_) => {}
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
        for (l, first) in self.lets.rejected.clone() {
            match first.and_then(|i| self.lets.decls.get(i)) {
                Some(first) => self.duplicate("let", &l.name, first.name.span),
                None => self.report(CheckError::ReservedName { name: l.name.node.clone(), span: l.name.span }),
            }
        }
    }

    pub(super) fn duplicate(&mut self, kind: &'static str, name: &Ident, first: SourceSpan) {
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
        if Priority::parse(&name.node).is_none() {
            let names = Priority::ALL.map(Priority::as_str);
            let help = did_you_mean(&name.node, names.iter().copied())
                .unwrap_or_else(|| format!("the priorities are {}", names.join(", ")));
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

    /// Reports the cycles among the lets and the lets nested too deeply.
    pub(super) fn report_lets(&mut self, resolution: &Resolution) {
        for c in &resolution.cycles {
            self.report(CheckError::CyclicLet { name: c.name.clone(), cycle: c.path.clone(), span: c.span });
        }
        for t in &resolution.too_deep {
            self.report(CheckError::TooDeep {
                what: t.what.clone(),
                depth: t.depth,
                limit: MAX_DEPTH,
                uses: t.uses.clone(),
                uses_depth: t.uses_depth,
                chain: t.chain.clone(),
                span: t.span,
            });
        }
    }

    /// Checks a let's body, once the lets it uses are checked.
    pub(super) fn check_let(&mut self, index: usize) {
        let Some(decl) = self.lets.decls.get(index).copied() else { return };
        let typed = self.expr(&decl.value);
        if let Some(slot) = self.let_types.get_mut(index) {
            *slot = Some(typed);
        }
    }

    /// Warns about lets and queues nothing uses.
    pub(super) fn unused(&mut self) {
        let mut warnings = Vec::new();
        for (i, l) in self.lets.decls.iter().enumerate() {
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
