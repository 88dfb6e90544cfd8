//! A queue's description written without quotes: `billing Billing disputes` declares
//! three queues, `billing`, `Billing` and `disputes`, and the grammar accepts it;
//! and a rule written without a `reason` for the agent.

use miette::SourceSpan;

use super::{CheckError, Checker};
use crate::syntax::ast::{Item, Modifier, QueueDecl};

impl<'p> Checker<'p> {
    /// Warns about names that follow, on the same line, a queue with no
    /// description, when no rule or test routes to any of them: they were meant
    /// as its description. They are then not also reported as unused queues.
    pub(super) fn lint_unquoted_queue_descriptions(&mut self) {
        let source = self.source;
        if source.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for item in &self.policy.items {
            let Item::Queues(block) = item else { continue };
            let mut rest: &[QueueDecl] = &block.node;
            while let Some((queue, after)) = rest.split_first() {
                let words = same_line_words(source, queue, after);
                if words.is_empty() {
                    rest = after;
                } else {
                    found.push((queue, words));
                    rest = after.get(words.len()..).unwrap_or_default();
                }
            }
        }
        for (queue, words) in found {
            let routed = words.iter().any(|w| self.used_queues.get(w.name.node.as_str()).copied().unwrap_or(true));
            let (Some(first), Some(last)) = (words.first(), words.last()) else { continue };
            if routed {
                continue;
            }
            for w in words {
                self.used_queues.insert(&w.name.node, true);
            }
            let start = first.name.span.offset();
            let end = last.name.span.offset() + last.name.span.len();
            let description = source.get(start..end).unwrap_or_default();
            self.report(CheckError::UnquotedQueueDescription {
                queue: queue.name.node.clone(),
                span: SourceSpan::from(start..end),
                help: format!(
                    "put the description in quotes: `{} \"{description}\"`; if these are queues of their own, declare each on its own line",
                    queue.name.node
                ),
            });
        }
    }
}

/// The queues declared after `queue` on its line, when `queue` has no description.
fn same_line_words<'q>(source: &str, queue: &QueueDecl, after: &'q [QueueDecl]) -> &'q [QueueDecl] {
    if queue.description.is_some() {
        return &[];
    }
    let mut end = queue.name.span.offset() + queue.name.span.len();
    let mut count = 0;
    for next in after {
        let start = next.name.span.offset();
        if source.get(end..start).is_none_or(|between| between.contains('\n')) {
            break;
        }
        count += 1;
        if next.description.is_some() {
            break;
        }
        end = start + next.name.span.len();
    }
    after.get(..count).unwrap_or_default()
}

impl<'p> Checker<'p> {
    /// Every rule without a `reason`; kept only where a `# handoff: warn(missing_reason)`
    /// comment asks for it (see `lints_allow`).
    pub(super) fn lint_missing_reasons(&mut self) {
        for item in &self.policy.items {
            let Item::Rule(rule) = item else { continue };
            if !rule.outcome.node.modifiers.iter().any(|m| matches!(m.node, Modifier::Reason(_))) {
                self.diagnostics.push(CheckError::MissingReason { name: rule.name.node.clone(), span: rule.name.span });
            }
        }
    }
}
