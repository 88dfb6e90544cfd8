//! Rules a catch-all written above them always beats. `turns >= 1` holds from the first
//! customer message of every conversation, so a rule written after it with the same
//! action (the one written first wins) or a weaker one (the strongest action wins),
//! whose condition needs a customer message too, can fire but never decides.

use super::lints::strip;
use super::Checker;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, OutcomeKind, RoleFilter, Rule};

/// How deep `needs_a_customer_message` looks through `and`, `or` and lets: past this
/// it answers no, which only leaves a warning out.
const LOOK_DEPTH: usize = 64;

/// Which action wins when several rules fire: escalate, then offer, then flag.
fn strength(kind: OutcomeKind) -> u8 {
    match kind {
        OutcomeKind::Escalate => 3,
        OutcomeKind::Offer => 2,
        OutcomeKind::Flag => 1,
    }
}

fn action(kind: OutcomeKind) -> &'static str {
    match kind {
        OutcomeKind::Escalate => "escalate",
        OutcomeKind::Offer => "offer",
        OutcomeKind::Flag => "flag",
    }
}

/// A number written in a condition.
fn number(e: &Expr) -> Option<f64> {
    match &strip(e).node {
        ExprKind::Number(n) => Some(*n),
        _ => None,
    }
}

/// `turns OP n` (or `n OP turns`, turned around) as the operator and number.
fn turns_compared(e: &Expr) -> Option<(BinaryOp, f64)> {
    let ExprKind::Binary { op, lhs, rhs } = &e.node else { return None };
    let is_turns = |e: &Expr| matches!(&strip(e).node, ExprKind::Name(n) if n == "turns");
    if is_turns(lhs) {
        return Some((op.node, number(rhs)?));
    }
    if is_turns(rhs) {
        let flipped = match op.node {
            BinaryOp::Lt => BinaryOp::Gt,
            BinaryOp::Le => BinaryOp::Ge,
            BinaryOp::Gt => BinaryOp::Lt,
            BinaryOp::Ge => BinaryOp::Le,
            other => other,
        };
        return Some((flipped, number(lhs)?));
    }
    None
}

impl Checker<'_> {
    /// For each rule, the earlier catch-all that always beats it, with why.
    pub(super) fn caught_by_catch_all(&self, rules: &[(&Rule, Option<bool>)]) -> Vec<Option<(usize, String)>> {
        let mut catch_alls: Vec<usize> = Vec::new();
        let mut out = Vec::with_capacity(rules.len());
        for (i, (rule, constant)) in rules.iter().enumerate() {
            let kind = rule.outcome.node.kind;
            let beaten_by = catch_alls.iter().copied().find(|&c| {
                rules.get(c).is_some_and(|(earlier, _)| strength(earlier.outcome.node.kind) >= strength(kind))
            });
            let caught = beaten_by
                .filter(|_| self.needs_a_customer_message(&rule.when, 0))
                .and_then(|c| rules.get(c).map(|(earlier, _)| (c, *earlier)));
            out.push(caught.map(|(c, earlier)| {
                let earlier_kind = earlier.outcome.node.kind;
                let wins = if earlier_kind == kind {
                    format!("written first with the same action ({}), it wins over this rule", action(kind))
                } else {
                    format!("its {} wins over this rule's {}", action(earlier_kind), action(kind))
                };
                let help = format!(
                    "`{name}` ({when}) fires at the first customer message of every conversation, and {wins}, \
                     which needs a customer message too; put `{name}` after the specialist rules, or narrow its condition",
                    name = earlier.name.node,
                    when = crate::syntax::fmt::expr(&earlier.when),
                );
                (c, help)
            }));
            if *constant != Some(false) && self.fires_at_the_first_customer_message(&rule.when) {
                catch_alls.push(i);
            }
        }
        out
    }

    /// Whether a condition holds from the first customer message on: `turns >= 1`,
    /// `turns > 0`, or an `or` with one of them.
    fn fires_at_the_first_customer_message(&self, e: &Expr) -> bool {
        let mut pending = vec![e];
        let mut looked = 0;
        while let Some(e) = pending.pop() {
            looked += 1;
            let Some(e) = self.lets.follow(e).filter(|_| looked <= LOOK_DEPTH) else { return false };
            if let Some((op, n)) = turns_compared(e) {
                if matches!((op, n), (BinaryOp::Ge, n) if n <= 1.0) || matches!((op, n), (BinaryOp::Gt, n) if n < 1.0) {
                    return true;
                }
            }
            if let ExprKind::Binary { op, lhs, rhs } = &e.node {
                if op.node == BinaryOp::Or {
                    pending.push(lhs);
                    pending.push(rhs);
                }
            }
        }
        false
    }

    /// Whether a condition can only hold once the customer has written something: it
    /// reads a customer message (`customer.last mentions`, `matches`, `says`) or needs
    /// `turns` of at least 1, in an `and`, or on both sides of an `or`.
    fn needs_a_customer_message(&self, e: &Expr, depth: usize) -> bool {
        let Some(e) = self.lets.follow(e).filter(|_| depth <= LOOK_DEPTH) else { return false };
        match &e.node {
            ExprKind::Mentions { messages, .. }
            | ExprKind::Matches { messages, .. }
            | ExprKind::Says { messages, .. } => messages.node.role == RoleFilter::Customer,
            ExprKind::Binary { op, lhs, rhs } if op.node == BinaryOp::And => {
                self.needs_a_customer_message(lhs, depth + 1) || self.needs_a_customer_message(rhs, depth + 1)
            }
            ExprKind::Binary { op, lhs, rhs } if op.node == BinaryOp::Or => {
                self.needs_a_customer_message(lhs, depth + 1) && self.needs_a_customer_message(rhs, depth + 1)
            }
            _ => turns_compared(e).is_some_and(|(op, n)| match op {
                BinaryOp::Gt => n >= 0.0,
                BinaryOp::Ge | BinaryOp::Eq => n > 0.0,
                _ => false,
            }),
        }
    }
}
