//! Conditions that can never hold on one numeric value: `turns > 5 and turns < 3`,
//! `sentiment(customer.last) < -0.5 and sentiment(customer.last) > 0.5`.

use std::collections::HashMap;

use miette::SourceSpan;

use super::lints::{conjuncts, fingerprint, strip};
use super::{CheckError, Checker};
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Item, UnaryOp};

/// The values a conjunction leaves one expression, and the comparisons that bound them.
#[derive(Clone, Copy)]
struct Range {
    low: Option<Bound>,
    high: Option<Bound>,
}

#[derive(Clone, Copy)]
struct Bound {
    value: f64,
    inclusive: bool,
    /// The comparison that set this bound.
    span: SourceSpan,
}

impl Range {
    /// Narrows the range by `value op number`; the span of an earlier comparison
    /// that no value can satisfy together with this one, if any.
    fn narrow(&mut self, op: BinaryOp, number: f64, span: SourceSpan) -> Option<SourceSpan> {
        let bound = |inclusive| Some(Bound { value: number, inclusive, span });
        let (low, high) = match op {
            BinaryOp::Gt => (bound(false), None),
            BinaryOp::Ge => (bound(true), None),
            BinaryOp::Lt => (None, bound(false)),
            BinaryOp::Le => (None, bound(true)),
            BinaryOp::Eq => (bound(true), bound(true)),
            _ => return None,
        };
        if let Some(low) = low {
            if let Some(high) = self.high.filter(|h| !overlaps(&low, h)) {
                return Some(high.span);
            }
            if self.low.is_none_or(|l| tighter_low(&low, &l)) {
                self.low = Some(low);
            }
        }
        if let Some(high) = high {
            if let Some(low) = self.low.filter(|l| !overlaps(l, &high)) {
                return Some(low.span);
            }
            if self.high.is_none_or(|h| tighter_high(&high, &h)) {
                self.high = Some(high);
            }
        }
        None
    }
}

fn overlaps(low: &Bound, high: &Bound) -> bool {
    low.value < high.value || (low.value == high.value && low.inclusive && high.inclusive)
}

fn tighter_low(new: &Bound, old: &Bound) -> bool {
    new.value > old.value || (new.value == old.value && !new.inclusive)
}

fn tighter_high(new: &Bound, old: &Bound) -> bool {
    new.value < old.value || (new.value == old.value && !new.inclusive)
}

/// A number written in a condition: `3`, `-0.5`, `10m` (in milliseconds).
fn number(e: &Expr) -> Option<f64> {
    match &strip(e).node {
        ExprKind::Number(n) => Some(*n),
        ExprKind::Duration(ms, _) => Some(*ms as f64),
        ExprKind::Unary { op, operand } if op.node == UnaryOp::Neg => number(operand).map(|n| -n),
        _ => None,
    }
}

/// `value op number`, with the comparison turned round when the number is on the left.
fn comparison(e: &Expr) -> Option<(&Expr, BinaryOp, f64)> {
    let ExprKind::Binary { op, lhs, rhs } = &e.node else { return None };
    let flipped = match op.node {
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Eq => BinaryOp::Eq,
        _ => return None,
    };
    match (number(lhs), number(rhs)) {
        (None, Some(n)) => Some((strip(lhs), op.node, n)),
        (Some(n), None) => Some((strip(rhs), flipped, n)),
        _ => None,
    }
}

impl<'p> Checker<'p> {
    /// Warns about a rule whose `and`s ask one value for ranges that do not meet.
    pub(super) fn lint_impossible_ranges(&mut self) {
        let mut found = Vec::new();
        for item in &self.policy.items {
            let Item::Rule(rule) = item else { continue };
            let mut parts = Vec::new();
            conjuncts(strip(&rule.when), &mut parts);
            let mut ranges: HashMap<String, Range> = HashMap::new();
            for part in parts {
                let Some((value, op, n)) = comparison(part) else { continue };
                let range = ranges.entry(fingerprint(value)).or_insert(Range { low: None, high: None });
                if let Some(earlier) = range.narrow(op, n, part.span) {
                    found.push(CheckError::ImpossibleCondition {
                        rule: rule.name.node.clone(),
                        span: part.span,
                        earlier,
                    });
                    break;
                }
            }
        }
        self.diagnostics.extend(found);
    }
}
