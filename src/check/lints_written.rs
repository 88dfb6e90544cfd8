//! Mistakes caught where they are written: a regex that matches every message.

use miette::SourceSpan;

use super::{CheckError, Checker};

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
