//! Acknowledged warnings: a comment `# handoff: allow(lint_name, ...)` at the top of
//! the file (before `policy`) allows those lints in the whole file; right above a
//! rule, in that rule only. Errors cannot be allowed.

use miette::{Diagnostic, SourceSpan};

use super::err::did_you_mean;
use super::{first_offset, CheckError, Checker};
use crate::syntax::ast::Item;

/// Every lint a comment can allow: the last part of each `handoff::lint::` code.
pub const LINTS: &[&str] = &[
    "unused_let",
    "unused_queue",
    "unreachable_rule",
    "shadowed_rule",
    "no_human_route",
    "intent_name_clash",
    "sentiment_language",
    "regex_matches_everything",
    "unquoted_queue_description",
    "builtin_like_attribute",
    "impossible_condition",
    "unknown_lint",
    "misplaced_allow",
];

/// Where an allow comment applies.
#[derive(Clone, Copy)]
enum Scope {
    File,
    /// The span of the rule below the comment.
    Rule(SourceSpan),
}

struct Allow {
    lint: &'static str,
    scope: Scope,
}

impl<'p> Checker<'p> {
    /// Drops the warnings the policy's allow comments acknowledge, and reports
    /// allow comments that name no lint or sit where they apply to nothing.
    pub(super) fn apply_allows(&mut self) {
        let mut allows = Vec::new();
        let mut problems = Vec::new();
        for &span in &self.policy.comments.0 {
            let Some(names) = self.source.get(span.offset()..span.offset() + span.len()).and_then(allowed_names) else {
                continue;
            };
            let scope = if span.offset() < self.policy.name.span.offset() {
                Some(Scope::File)
            } else {
                self.rule_below(span.offset() + span.len()).map(Scope::Rule)
            };
            let Some(scope) = scope else {
                problems.push(CheckError::MisplacedAllow { span });
                continue;
            };
            for name in names {
                match LINTS.iter().find(|l| **l == name) {
                    Some(lint) => allows.push(Allow { lint, scope }),
                    None => problems.push(CheckError::UnknownLint {
                        name: name.to_string(),
                        span,
                        help: did_you_mean(name, LINTS.iter().copied()),
                    }),
                }
            }
        }
        self.diagnostics.retain(|d| !allows.iter().any(|a| a.covers(d)));
        self.diagnostics.extend(problems);
    }

    /// The span of the rule that starts right below `end`, with only blank lines
    /// and comments between.
    fn rule_below(&self, end: usize) -> Option<SourceSpan> {
        let rule = self.policy.items.iter().find_map(|i| match i {
            Item::Rule(r) if r.span.offset() >= end => Some(r.span),
            _ => None,
        })?;
        let between = self.source.get(end..rule.offset())?;
        let only_comments = between.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        let nothing_else =
            !self.policy.items.iter().any(|i| item_start(i).is_some_and(|s| s >= end && s < rule.offset()));
        (only_comments && nothing_else).then_some(rule)
    }
}

impl Allow {
    fn covers(&self, d: &CheckError) -> bool {
        let code = d.code().map(|c| c.to_string()).unwrap_or_default();
        let named = code.strip_prefix("handoff::lint::") == Some(self.lint);
        named
            && d.is_warning()
            && match self.scope {
                Scope::File => true,
                Scope::Rule(span) => (span.offset()..span.offset() + span.len()).contains(&first_offset(d)),
            }
    }
}

/// The lint names of an allow comment (`# handoff: allow(a, b)`), or `None` for
/// any other comment.
fn allowed_names(comment: &str) -> Option<Vec<&str>> {
    let rest = comment.trim_start_matches('#').trim().strip_prefix("handoff:")?.trim();
    let inner = rest.strip_prefix("allow")?.trim().strip_prefix('(')?.trim_end().strip_suffix(')')?;
    Some(inner.split(',').map(str::trim).filter(|n| !n.is_empty()).collect())
}

/// Where an item starts, when it has a span of its own.
fn item_start(item: &Item) -> Option<usize> {
    match item {
        Item::Queues(q) => Some(q.span.offset()),
        Item::Rule(r) => Some(r.span.offset()),
        Item::Let(l) => Some(l.name.span.offset()),
        Item::Test(t) => Some(t.name.span.offset()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The list a comment can name is every `handoff::lint::` code the checker declares.
    #[test]
    fn every_lint_code_can_be_allowed() {
        let source = include_str!("err.rs");
        let mut declared: Vec<&str> =
            source.split("code(handoff::lint::").skip(1).filter_map(|rest| rest.split(')').next()).collect();
        declared.sort_unstable();
        let mut listed = LINTS.to_vec();
        listed.sort_unstable();
        assert_eq!(declared, listed);
    }

    #[test]
    fn allow_comments_are_read() {
        assert_eq!(
            allowed_names("# handoff: allow(no_human_route, unused_queue)"),
            Some(vec!["no_human_route", "unused_queue"])
        );
        assert_eq!(allowed_names("#handoff:allow( x )"), Some(vec!["x"]));
        assert_eq!(allowed_names("# allow(x)"), None);
        assert_eq!(allowed_names("# handoff: deny(x)"), None);
    }
}
