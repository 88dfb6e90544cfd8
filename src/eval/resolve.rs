//! Conflict resolution: which of the rules that fired decides, and the queue it
//! routes to (its fallback when the rule's queue is closed).

use std::borrow::Borrow;
use std::ops::Deref;

use super::super::decision::FiredRule;
use super::super::program::Action;
use super::super::Policy;
use super::{AttributeSource, Session};
use crate::eval::Context;

impl<P: Deref<Target = Policy> + Clone, A: AttributeSource, C: Borrow<Context>> Session<P, A, C> {
    /// The queue to use: the rule's, or its fallback when the rule's is closed.
    pub(super) fn route(&self, queue: u32, fallback: Option<u32>) -> (u32, bool) {
        let program = self.policy.program();
        let name = program.queue(queue).map_or("", |q| q.name.as_str());
        match fallback {
            Some(f) if !self.context.borrow().is_open(name, self.now) => (f, true),
            _ => (queue, false),
        }
    }

    /// Strongest action first, then the rule written first.
    pub(super) fn resolve(&mut self) {
        let program = self.policy.program();
        let order = |name: &str| program.rules.iter().position(|r| r.name == name).unwrap_or(usize::MAX);
        let d = &mut self.decision;
        let Some(best) =
            d.rules.iter().max_by(|a, b| a.action.cmp(&b.action).then_with(|| order(&b.rule).cmp(&order(&a.rule))))
        else {
            return;
        };
        d.action = best.action;
        d.queue = best.queue.clone();
        d.priority = best.priority;
        d.rule = Some(best.rule.clone());
        d.at_message = Some(best.message);
        d.fallback_from = None;
        if let Some(rule) = program.rules.iter().find(|r| r.name == best.rule) {
            if let Action::Escalate { queue, fallback: Some(_), .. } | Action::Offer { queue, fallback: Some(_), .. } =
                &rule.action
            {
                let asked = program.queue(*queue).map(|q| q.name.clone());
                if asked != best.queue {
                    d.fallback_from = asked;
                }
            }
        }
        let mut same: Vec<&FiredRule> = d.rules.iter().filter(|r| r.action == best.action).collect();
        same.sort_by_key(|r| (r.rule != best.rule, order(&r.rule)));
        d.reasons = same.iter().filter_map(|r| r.reason.clone()).collect();
        d.flags = d.rules.iter().filter_map(|r| r.flag.clone()).collect();
    }
}
