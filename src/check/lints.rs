//! Policy-level lints: rules that can never fire, rules shadowed by an earlier one,
//! and policies that give customers no way to reach a person.

use super::lets::Reach;
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
        // Each let is looked into once over all rules: a let that named no person for
        // one rule names none for the next.
        let mut seen = vec![false; self.lets.decls.len()];
        let mut phrases_seen = vec![false; self.lets.decls.len()];
        let routes_human = rules.iter().any(|(rule, constant)| {
            *constant != Some(false)
                && matches!(rule.outcome.node.kind, OutcomeKind::Escalate | OutcomeKind::Offer)
                && self.mentions_a_person(&rule.when, &mut seen, &mut phrases_seen)
        });
        let has_rules = self.policy.items.iter().any(|i| matches!(i, Item::Rule(_)));
        if has_rules && !routes_human {
            self.report(CheckError::NoHumanRoute { span: self.policy.name.span });
        }
    }

    /// Whether a condition, through `and`, `or`, parentheses and lets, mentions a
    /// person in a phrase list.
    fn mentions_a_person(&self, e: &Expr, seen: &mut [bool], phrases_seen: &mut [bool]) -> bool {
        self.lets.reach(e, seen, |e| match &e.node {
            ExprKind::Mentions { phrases, .. } if self.phrases_name_a_person(phrases, phrases_seen) => Reach::Found,
            ExprKind::Binary { op, .. } if matches!(op.node, BinaryOp::Or | BinaryOp::And) => Reach::Enter,
            ExprKind::Paren(_) | ExprKind::Name(_) => Reach::Enter,
            _ => Reach::Skip,
        })
    }

    /// Whether a phrase or a list of them (through lets) holds a word for a person.
    fn phrases_name_a_person(&self, e: &Expr, seen: &mut [bool]) -> bool {
        self.lets.reach(e, seen, |e| match &e.node {
            ExprKind::String(s) => {
                let n = normalize(s);
                if n.split(|c: char| !c.is_alphanumeric()).any(|w| HUMAN_WORDS.contains(&w)) {
                    Reach::Found
                } else {
                    Reach::Skip
                }
            }
            ExprKind::List(_) | ExprKind::Name(_) => Reach::Enter,
            _ => Reach::Skip,
        })
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
    conjuncts(strip(later), &mut parts);
    parts.contains(&earlier)
}

fn strip(mut e: &Expr) -> &Expr {
    while let ExprKind::Paren(inner) = &e.node {
        e = inner;
    }
    e
}

/// The parts of a conjunction: every `and` operand (parentheses stripped), the
/// whole included. Without recursion: an `and` chain is as long as the parser allows.
fn conjuncts<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    let mut pending = vec![e];
    while let Some(e) = pending.pop() {
        out.push(e);
        if let ExprKind::Binary { op, lhs, rhs } = &e.node {
            if op.node == BinaryOp::And {
                pending.push(strip(rhs));
                pending.push(strip(lhs));
            }
        }
    }
}
