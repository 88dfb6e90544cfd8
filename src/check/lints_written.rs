//! Mistakes caught where they are written: a regex that matches every message, an
//! attribute named like a built-in (`customer.sentiment` for `sentiment(customer.last)`).

use miette::SourceSpan;

use super::{CheckError, Checker};
use crate::lang::builtins::{self, Param};
use crate::syntax::ast::{AttributeRoot, Ident};

/// A message with no words and no spaces: a regex that matches both it and the
/// empty message matches any message, whatever anchors it has.
const WORDLESS: &str = "\u{1}";

impl<'p> Checker<'p> {
    /// Warns about a regex that can match an empty stretch of text, so that it
    /// matches every message (`/charged twice|/i`, `/refund.*|x*/`).
    pub(super) fn lint_regex_matches_everything(&mut self, pattern: &str, flags: &str, span: SourceSpan) {
        let Some(regex) = self.regexes.get(&(pattern.to_string(), flags.to_string())) else {
            return;
        };
        if regex.is_match("") && regex.is_match(WORDLESS) {
            self.report(CheckError::RegexMatchesEverything { span, help: empty_match_help(pattern) });
        }
    }
}

/// What to change: an empty alternative (`a|`, `|a`, `a||b`) is the usual cause.
fn empty_match_help(pattern: &str) -> String {
    let empty_alternative = pattern.starts_with('|') || pattern.ends_with('|') || pattern.contains("||");
    if empty_alternative {
        "an empty alternative matches everywhere: remove the `|` with nothing on one side".into()
    } else {
        "every part of it is optional (`*`, `?`, `{0,...}`), so it matches an empty piece of every message: make at least one part required, such as `+` instead of `*`".into()
    }
}

impl<'p> Checker<'p> {
    /// Warns about an attribute named like a built-in (`customer.sentiment`,
    /// `metadata.turns`): it reads a field of the conversation's data, which is
    /// missing unless an upstream system sets one, not the built-in.
    pub(super) fn lint_builtin_like_attribute(&mut self, root: AttributeRoot, path: &[Ident], span: SourceSpan) {
        let [field] = path else { return };
        let name = field.node.to_ascii_lowercase();
        let written = format!("{}.{}", root.keyword(), field.node);
        let help = if let Some(f) = builtins::FUNCTIONS.iter().find(|f| f.name == name) {
            format!(
                "`{written}` reads the field `{}` that an upstream system may set in the conversation's `{}`, not the built-in `{}` ({}); for the built-in write `{}`{}",
                field.node,
                root.keyword(),
                f.name,
                f.doc,
                f.usage,
                if matches!(f.params.first(), Some((Param::Messages, _))) {
                    format!(", such as `{}(customer.last)`", f.name)
                } else {
                    String::new()
                }
            )
        } else if let Some(v) = builtins::VARIABLES.iter().find(|v| v.name == name) {
            format!(
                "`{written}` reads the field `{}` that an upstream system may set in the conversation's `{}`, not the built-in `{}` ({}); for the built-in write `{}` alone",
                field.node,
                root.keyword(),
                v.name,
                v.doc,
                v.name
            )
        } else {
            return;
        };
        self.report(CheckError::BuiltinLikeAttribute { written, span, help });
    }
}
