//! Policy-level lints: rules that can never fire, rules shadowed by an earlier one,
//! and policies that give customers no way to reach a person.

use super::{CheckError, Checker};
use crate::signals::phrases::normalize;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Item, Modifier, Outcome, OutcomeKind};

/// Words that, in a `mentions` list, show the rule handles a request for a person.
const HUMAN_WORDS: &[&str] =
    &["human", "person", "agent", "representative", "someone", "operator", "staff", "advisor", "adviser"];

impl<'p> Checker<'p> {
    pub(super) fn lint_rules(&mut self) {
        let rules = self.checked_rules.clone();
        // Outcome keys once per rule: comparing every pair is quadratic in rules.
        let keys: Vec<OutcomeKey> = rules.iter().map(|(r, _)| outcome_key(&r.outcome.node)).collect();
        for (i, (rule, constant)) in rules.iter().enumerate() {
            if *constant == Some(false) {
                self.report(CheckError::UnreachableRule {
                    name: rule.name.node.clone(),
                    span: rule.when.span,
                    help: "the checker worked this condition out to be false for every conversation; check the thresholds and the `and`s".into(),
                });
                continue;
            }
            let key = keys.get(i);
            let earlier =
                rules.iter().zip(&keys).take(i).find(|((e, e_const), k)| {
                    Some(*k) == key && (*e_const == Some(true) || implies(&rule.when, &e.when))
                });
            if let Some(((e, _), _)) = earlier {
                self.report(CheckError::ShadowedRule {
                    name: rule.name.node.clone(),
                    earlier: e.name.node.clone(),
                    span: rule.name.span,
                    earlier_span: e.name.span,
                });
            }
        }
        let routes_human = rules.iter().any(|(rule, constant)| {
            *constant != Some(false)
                && matches!(rule.outcome.node.kind, OutcomeKind::Escalate | OutcomeKind::Offer)
                && self.mentions_a_person(&rule.when, 0)
        });
        let has_rules = self.policy.items.iter().any(|i| matches!(i, Item::Rule(_)));
        if has_rules && !routes_human {
            self.report(CheckError::NoHumanRoute { span: self.policy.name.span });
        }
    }

    fn mentions_a_person(&self, e: &Expr, depth: usize) -> bool {
        if depth > 32 {
            return false;
        }
        match &e.node {
            ExprKind::Mentions { phrases, .. } => self.phrases_name_a_person(phrases, depth),
            ExprKind::Name(n) => self
                .lets
                .get(n.as_str())
                .and_then(|&i| self.let_decls.get(i))
                .is_some_and(|d| self.mentions_a_person(&d.value, depth + 1)),
            ExprKind::Binary { op, lhs, rhs } if op.node == BinaryOp::Or => {
                self.mentions_a_person(lhs, depth + 1) || self.mentions_a_person(rhs, depth + 1)
            }
            ExprKind::Binary { op, lhs, rhs } if op.node == BinaryOp::And => {
                self.mentions_a_person(lhs, depth + 1) || self.mentions_a_person(rhs, depth + 1)
            }
            ExprKind::Paren(inner) => self.mentions_a_person(inner, depth + 1),
            _ => false,
        }
    }

    fn phrases_name_a_person(&self, e: &Expr, depth: usize) -> bool {
        match &e.node {
            ExprKind::String(s) => {
                let n = normalize(s);
                n.split(|c: char| !c.is_alphanumeric()).any(|w| HUMAN_WORDS.contains(&w))
            }
            ExprKind::List(items) => items.iter().any(|i| self.phrases_name_a_person(i, depth)),
            ExprKind::Name(n) if depth <= 32 => self
                .lets
                .get(n.as_str())
                .and_then(|&i| self.let_decls.get(i))
                .is_some_and(|d| self.phrases_name_a_person(&d.value, depth + 1)),
            _ => false,
        }
    }
}

type OutcomeKey = (OutcomeKind, Option<String>, Vec<String>);

/// Action, queue, fallback and priority; the reason does not matter.
fn outcome_key(o: &Outcome) -> OutcomeKey {
    let mut mods: Vec<String> = o
        .modifiers
        .iter()
        .filter(|m| !matches!(m.node, Modifier::Reason(_)))
        .map(|m| format!("{:?}", m.node))
        .collect();
    mods.sort();
    (o.kind, o.target.as_ref().map(|t| t.node.clone()), mods)
}

/// Whether `later` can only hold when `earlier` holds: the same condition, or a
/// conjunction with the earlier condition among its parts.
fn implies(later: &Expr, earlier: &Expr) -> bool {
    let earlier = strip(earlier);
    let mut parts = Vec::new();
    conjuncts(strip(later), &mut parts, 0);
    parts.contains(&earlier)
}

fn strip(e: &Expr) -> &Expr {
    match &e.node {
        ExprKind::Paren(inner) => strip(inner),
        _ => e,
    }
}

fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>, depth: usize) {
    out.push(e);
    if depth > 64 {
        return;
    }
    if let ExprKind::Binary { op, lhs, rhs } = &e.node {
        if op.node == BinaryOp::And {
            conjuncts(strip(lhs), out, depth + 1);
            conjuncts(strip(rhs), out, depth + 1);
        }
    }
}
