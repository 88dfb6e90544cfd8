//! What a policy decided, without why: a small `Copy` value built with no allocation,
//! for hosts that decide many conversations and need the evidence for a few.

use super::decision::ActionKind;
use super::program::Priority;
use super::Mode;

/// The outcome of a decision: the action, the deciding rule and queue as indices
/// into the policy ([`Policy::rule_name`](super::Policy::rule_name),
/// [`Policy::queue_name`](super::Policy::queue_name)), no names, reasons or
/// evidence. [`Policy::outcome`](super::Policy::outcome) builds it without
/// allocating; [`Policy::decision_for`](super::Policy::decision_for) builds the full
/// [`Decision`](super::Decision) for it when the evidence is wanted.
///
/// It agrees with the decision the same evaluation would give: same action, rule,
/// queue (after any fallback), priority, `at_message` and `messages`. Flags and
/// reasons are only in the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Outcome {
    pub action: ActionKind,
    /// The deciding rule's position in the policy (0 for the first rule written).
    pub rule: Option<u32>,
    /// The queue the conversation goes (or is offered) to, after any fallback: its
    /// position among the declared queues.
    pub queue: Option<u32>,
    /// Whether `queue` is the rule's fallback because its own queue was closed.
    pub fallback: bool,
    pub priority: Option<Priority>,
    /// The message (numbered from 1) at which the deciding rule fired.
    pub at_message: Option<u32>,
    /// Messages evaluated.
    pub messages: u32,
    /// How the conversation was decided: [`Mode::Finished`] once a session concluded.
    pub mode: Mode,
}

impl Outcome {
    /// Nothing decided yet.
    pub const NONE: Outcome = Outcome {
        action: ActionKind::None,
        rule: None,
        queue: None,
        fallback: false,
        priority: None,
        at_message: None,
        messages: 0,
        mode: Mode::Live,
    };

    /// Whether the conversation goes to a person.
    pub fn is_escalation(&self) -> bool {
        self.action == ActionKind::Escalate
    }

    /// Takes a rule that fired, if it beats the one deciding so far: the stronger
    /// action, then the rule written first ([`decision`](super::decision)'s order).
    pub(crate) fn consider(&mut self, fired: Fired) {
        let beats = match self.rule {
            None => true,
            Some(best) => fired.action > self.action || (fired.action == self.action && fired.rule < best),
        };
        if beats {
            self.action = fired.action;
            self.rule = Some(fired.rule);
            self.queue = fired.queue.map(|(q, _)| q);
            self.fallback = fired.queue.is_some_and(|(_, fallback)| fallback);
            self.priority = fired.priority;
            self.at_message = Some(fired.message);
        }
    }
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome::NONE
    }
}

/// A rule that fired, as indices: what [`Outcome::consider`] takes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fired {
    pub rule: u32,
    pub action: ActionKind,
    /// The queue routed to, and whether it is the fallback.
    pub queue: Option<(u32, bool)>,
    pub priority: Option<Priority>,
    pub message: u32,
}
