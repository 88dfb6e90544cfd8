//! Acknowledged warnings: a comment `# handoff: allow(lint_name, ...)` at the top of
//! the file (before `policy`) allows those lints in the whole file; right above a
//! rule, in that rule only. Errors cannot be allowed. A lint that is off unless asked
//! for ([`OFF_UNLESS_WARNED`]) is turned on the same way, with `warn(...)`.

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
    "missing_reason",
];

/// Lints that only warn where a `# handoff: warn(...)` comment asks for them: a
/// house rule of some policy folders, not a mistake in every policy.
pub const OFF_UNLESS_WARNED: &[&str] = &["missing_reason"];

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
    /// `warn(...)` rather than `allow(...)`.
    warn: bool,
}

impl<'p> Checker<'p> {
    /// Drops the warnings the policy's allow comments acknowledge, and reports
    /// allow comments that name no lint or sit where they apply to nothing.
    pub(super) fn apply_allows(&mut self) {
        let mut allows = Vec::new();
        let mut problems = Vec::new();
        for &span in &self.policy.comments.0 {
            let Some((warn, names)) =
                self.source.get(span.offset()..span.offset() + span.len()).and_then(allowed_names)
            else {
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
                    Some(lint) => allows.push(Allow { lint, scope, warn }),
                    None => problems.push(CheckError::UnknownLint {
                        name: name.to_string(),
                        span,
                        help: did_you_mean(name, LINTS.iter().copied()),
                    }),
                }
            }
        }
        self.diagnostics.retain(|d| {
            let off = OFF_UNLESS_WARNED.iter().any(|l| is_lint(d, l));
            let asked = allows.iter().any(|a| a.warn && a.covers(d));
            (!off || asked) && !allows.iter().any(|a| !a.warn && a.covers(d))
        });
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
        is_lint(d, self.lint)
            && d.is_warning()
            && match self.scope {
                Scope::File => true,
                Scope::Rule(span) => (span.offset()..span.offset() + span.len()).contains(&first_offset(d)),
            }
    }
}

fn is_lint(d: &CheckError, lint: &str) -> bool {
    d.code().is_some_and(|c| c.to_string().strip_prefix("handoff::lint::") == Some(lint))
}

/// Whether a comment is `warn(...)` rather than `allow(...)`, and the lint names
/// it gives (`# handoff: allow(a, b)`); `None` for any other comment.
fn allowed_names(comment: &str) -> Option<(bool, Vec<&str>)> {
    let rest = comment.trim_start_matches('#').trim().strip_prefix("handoff:")?.trim();
    let (warn, rest) = match rest.strip_prefix("allow") {
        Some(rest) => (false, rest),
        None => (true, rest.strip_prefix("warn")?),
    };
    let inner = rest.trim().strip_prefix('(')?.trim_end().strip_suffix(')')?;
    Some((warn, inner.split(',').map(str::trim).filter(|n| !n.is_empty()).collect()))
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
            Some((false, vec!["no_human_route", "unused_queue"]))
        );
        assert_eq!(allowed_names("#handoff:allow( x )"), Some((false, vec!["x"])));
        assert_eq!(allowed_names("# handoff: warn(missing_reason)"), Some((true, vec!["missing_reason"])));
        assert_eq!(allowed_names("# allow(x)"), None);
        assert_eq!(allowed_names("# handoff: deny(x)"), None);
    }
}
