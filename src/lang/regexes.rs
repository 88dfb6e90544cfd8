//! Regex literals: one builder, with one size limit, for the checker and the compiler,
//! so the checker accepts exactly the regexes that compile. The checker keeps what it
//! built ([`Regexes`]) and the compiler reuses it: each regex is built once per load.
//!
//! A policy regex is a [`regex_automata::meta::Regex`] configured as `regex::Regex`
//! configures it (leftmost-first, UTF-8, the same syntax flags and size limits), with
//! one difference that is ours to choose rather than Cargo's: it never builds a full
//! DFA. The `regex` crate builds one for small patterns whenever any crate in the build
//! turns on `regex-automata/dfa-build` (tracing-subscriber's `env-filter` and
//! jsonschema's fancy-regex do), which made `handoff check` about 4x slower on a
//! 1,000-rule policy for no measurable gain at evaluation time (the lazy DFA serves
//! the same searches). Pinning the configuration here keeps load time the same in
//! every build: the CLI, the lean core, the benches.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;

use regex_automata::meta;
use regex_automata::util::syntax;

use super::folding::{self, Searched};

/// Built regexes by pattern and flags.
pub type Regexes = HashMap<(String, String), PolicyRegex>;

/// One compiled regex literal of a policy, with the pattern it was built from.
#[derive(Clone, Debug)]
pub struct PolicyRegex {
    regex: meta::Regex,
    pattern: String,
    /// The same regex for lowercased ASCII text, when it is case-insensitive
    /// throughout ([`folding`]), and that regex as a pattern (for a role's set).
    folded: Option<(meta::Regex, String)>,
}

impl PolicyRegex {
    /// Whether the regex matches anywhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// The byte range of the leftmost-first match in `text`.
    pub fn find(&self, text: &str) -> Option<Range<usize>> {
        self.regex.find(text).map(|m| m.range())
    }

    /// Whether the regex matches anywhere in the text; over its lowercase when this
    /// regex folds case and the text is ASCII ([`folding`]), with the same answer.
    pub(crate) fn is_match_in(&self, searched: Searched<'_>) -> bool {
        match (&self.folded, searched.lowercase) {
            (Some((folded, _)), Some(lowercase)) => folded.is_match(lowercase),
            _ => self.regex.is_match(searched.text),
        }
    }

    /// [`PolicyRegex::find`], over the lowercase when the regex folds case: the same
    /// range, since lowercasing ASCII moves no byte.
    pub(crate) fn find_in(&self, searched: Searched<'_>) -> Option<Range<usize>> {
        match (&self.folded, searched.lowercase) {
            (Some((folded, _)), Some(lowercase)) => folded.find(lowercase).map(|m| m.range()),
            _ => self.find(searched.text),
        }
    }

    /// Whether the regex searches lowercased ASCII text when it has it ([`folding`]).
    pub(crate) fn folds_case(&self) -> bool {
        self.folded.is_some()
    }

    /// The pattern that searches lowercased ASCII text alike, when the regex folds case.
    pub(crate) fn folded_pattern(&self) -> Option<&str> {
        self.folded.as_ref().map(|(_, pattern)| pattern.as_str())
    }

    /// The pattern as written, without flags.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

impl fmt::Display for PolicyRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

/// Compiles a regex literal with its flags (`i`, `m`, `s`, `x`, `U`).
pub fn build_regex(pattern: &str, flags: &str) -> Result<PolicyRegex, String> {
    let mut syntax = syntax::Config::new().utf8(true);
    for f in flags.chars() {
        syntax = match f {
            'i' => syntax.case_insensitive(true),
            'm' => syntax.multi_line(true),
            's' => syntax.dot_matches_new_line(true),
            'x' => syntax.ignore_whitespace(true),
            'U' => syntax.swap_greed(true),
            other => return Err(format!("unknown flag `{other}` (the flags are i, m, s, x and U)")),
        };
    }
    let config = meta::Config::new()
        .match_kind(regex_automata::MatchKind::LeftmostFirst)
        .utf8_empty(true)
        // Bounded compiled size: a policy must not be able to exhaust memory.
        .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
        .hybrid_cache_capacity(LAZY_DFA_CACHE)
        .dfa(false);
    let mut builder = meta::Builder::new();
    builder.configure(config).syntax(syntax);
    builder
        .build(pattern)
        .map(|regex| PolicyRegex { regex, pattern: pattern.to_string(), folded: fold_case(&builder, pattern, &syntax) })
        .map_err(|e| {
            if e.size_limit().is_some() {
                "the expression is too large".to_string()
            } else if let Some(s) = e.syntax_error() {
                s.to_string().lines().last().unwrap_or("syntax error").trim().to_string()
            } else {
                e.to_string()
            }
        })
}

/// The regex for lowercased ASCII text, and its pattern, when `pattern` folds case
/// ([`folding`]). Only asked once the regex as written has built, so it parses.
fn fold_case(builder: &meta::Builder, pattern: &str, syntax: &syntax::Config) -> Option<(meta::Regex, String)> {
    let hir = syntax::parse_with(pattern, syntax).ok()?;
    let folded = folding::folded(&hir)?;
    let regex = builder.build_from_hir(&folded).ok()?;
    Some((regex, folded.to_string()))
}

/// The most memory one regex of a policy may compile to.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// The lazy DFA's cache per regex, as `regex::Regex` sets it by default.
const LAZY_DFA_CACHE: usize = 2 * (1 << 20);

#[cfg(test)]
mod tests {
    use super::build_regex;

    #[test]
    fn flags_and_matches_follow_regex_crate() {
        let cases = [
            ("refund", "", "A REFUND please", None),
            ("refund", "i", "A REFUND please", Some(2..8)),
            ("^b$", "m", "a\nb\nc", Some(2..3)),
            ("a.b", "s", "a\nb", Some(0..3)),
            ("a b # comment", "x", "ab", Some(0..2)),
            ("a+", "U", "aaa", Some(0..1)),
            ("", "", "é", Some(0..0)),
        ];
        for (pattern, flags, text, want) in cases {
            let ours = build_regex(pattern, flags).expect("builds");
            let mut theirs = regex::RegexBuilder::new(pattern);
            theirs
                .case_insensitive(flags.contains('i'))
                .multi_line(flags.contains('m'))
                .dot_matches_new_line(flags.contains('s'))
                .ignore_whitespace(flags.contains('x'))
                .swap_greed(flags.contains('U'));
            let theirs = theirs.build().expect("builds");
            assert_eq!(ours.find(text), want, "/{pattern}/{flags} on {text:?}");
            assert_eq!(ours.find(text), theirs.find(text).map(|m| m.range()), "/{pattern}/{flags} on {text:?}");
            assert_eq!(ours.is_match(text), theirs.is_match(text));
        }
    }

    #[test]
    fn errors_read_as_before() {
        assert_eq!(build_regex("(", "").unwrap_err(), "error: unclosed group");
        assert_eq!(build_regex("a", "q").unwrap_err(), "unknown flag `q` (the flags are i, m, s, x and U)");
        assert_eq!(build_regex("\\w{1000}{1000}", "").unwrap_err(), "the expression is too large");
    }
}
