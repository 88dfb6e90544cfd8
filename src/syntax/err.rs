//! Errors of the syntax stage: what the parser could not read, in human words.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use super::mistakes::{self, Expected};
use super::parser::Rule;

/// A problem found while reading a policy's text.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum SyntaxError {
    #[error("unexpected {found}, expected {expected}")]
    #[diagnostic(code(handoff::syntax::unexpected))]
    Unexpected {
        found: String,
        expected: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    /// A common mistake, recognised and said in plain words with the fix.
    #[error("{message}")]
    #[diagnostic(code(handoff::syntax::mistake))]
    Mistake {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: String,
    },

    #[error("this is nested too deeply (more than {limit} levels)")]
    #[diagnostic(code(handoff::syntax::too_deep), help("split the condition into named `let` conditions"))]
    TooDeep {
        limit: usize,
        #[label("nesting goes past {limit} levels here")]
        span: SourceSpan,
    },

    #[error("invalid {what}: {reason}")]
    #[diagnostic(code(handoff::syntax::invalid_literal))]
    InvalidLiteral {
        what: &'static str,
        reason: String,
        #[label("here")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },
}

impl SyntaxError {
    pub fn span(&self) -> SourceSpan {
        match self {
            SyntaxError::Unexpected { span, .. }
            | SyntaxError::Mistake { span, .. }
            | SyntaxError::TooDeep { span, .. }
            | SyntaxError::InvalidLiteral { span, .. } => *span,
        }
    }
}

/// The words an ops person would use for a grammar rule. Exhaustive on purpose:
/// a new grammar rule does not compile until it has a human name.
pub fn human_rule(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the file",
        Rule::WHITESPACE => "a space",
        Rule::COMMENT => "a comment",
        Rule::reserved => "a keyword",
        Rule::ident_char => "a letter, digit or `_`",
        Rule::infix => "an operator such as `and`, `or`, `==` or `+`",
        Rule::prefix => "`not` or `-`",
        Rule::window => "`last`, `last N`, `any` or `within DURATION`",
        Rule::phrases => "a phrase or a list of phrases",
        Rule::argument => "an argument",
        Rule::item => "`queues`, `let`, `intent`, `intents from`, `rule` or `test`",
        Rule::outcome => "`escalate to QUEUE`, `offer human` or `flag \"label\"`",
        Rule::modifier => "`via`, `fallback`, `priority` or `reason`",
        Rule::test_line => "a transcript line or an expectation",
        Rule::value => "a value",
        Rule::expected => {
            "what to expect: `escalate to QUEUE`, `offer human`, `flag \"label\"`, `no escalation` or `nothing`"
        }
        Rule::ident => "a name",
        Rule::string | Rule::string_inner => "a string in double quotes",
        Rule::number => "a number",
        Rule::duration => "a duration such as `90s` or `5m`",
        Rule::boolean => "`true` or `false`",
        Rule::regex | Rule::regex_body => "a regular expression such as `/refund/i`",
        Rule::regex_flags => "regular expression flags",
        Rule::list => "a list such as `[\"a\", \"b\"]`",
        Rule::op_or => "`or`",
        Rule::op_and => "`and`",
        Rule::op_not => "`not`",
        Rule::op_in => "`in`",
        Rule::op_eq => "`==`",
        Rule::op_ne => "`!=`",
        Rule::op_le => "`<=`",
        Rule::op_ge => "`>=`",
        Rule::op_lt => "`<`",
        Rule::op_gt => "`>`",
        Rule::op_add => "`+`",
        Rule::op_sub => "`-`",
        Rule::op_mul => "`*`",
        Rule::op_div => "`/`",
        Rule::op_neg => "`-`",
        Rule::expr | Rule::primary | Rule::paren => "a condition or value",
        Rule::role => "a role (`customer`, `bot`, `agent`, `system` or `messages`)",
        Rule::selector => "messages such as `customer.last 3`",
        Rule::last => "`last`",
        Rule::count => "a whole number",
        Rule::any => "`any`",
        Rule::within => "`within` and a duration",
        Rule::message_test => "a message test such as `customer.last mentions [...]`",
        Rule::mentions_test => "`mentions` and phrases",
        Rule::unless_negated => "`unless negated`",
        Rule::exactly => "`exactly`",
        Rule::with_typos => "`with typos`",
        Rule::matches_test => "`matches` and a regular expression",
        Rule::attribute | Rule::attribute_root => "an attribute such as `customer.tier`",
        Rule::call => "a call such as `sentiment(customer.last 3)`",
        Rule::named_arg => "a named argument such as `similarity: 0.85`",
        Rule::policy => "a policy",
        Rule::header => "the header `policy \"name\" version 1`",
        Rule::queues => "a `queues { ... }` block",
        Rule::queue_decl => "a queue declaration",
        Rule::let_decl => "a `let` declaration",
        Rule::rule_decl => "a `rule`",
        Rule::escalate => "`escalate to QUEUE`",
        Rule::offer => "`offer human`",
        Rule::flag => "`flag \"label\"`",
        Rule::via => "`via QUEUE`",
        Rule::fallback => "`fallback QUEUE`",
        Rule::priority => "`priority LEVEL`",
        Rule::reason => "`reason \"...\"`",
        Rule::test_decl => "a `test`",
        Rule::test_message => "a transcript line such as `customer: \"...\"`",
        Rule::test_attributes => "`customer { ... }`, `metadata { ... }` or `context { ... }`",
        Rule::attributes_kind => "`customer`, `metadata` or `context`",
        Rule::test_channel => "`channel \"...\"`",
        Rule::test_file => "`conversation \"file.json\"`",
        Rule::test_mode => "`mode live` or `mode finished`",
        Rule::mode_kind => "`live` or `finished`",
        Rule::object => "an object such as `{ tier: \"gold\" }`",
        Rule::pair => "a `key: value` pair",
        Rule::array => "a list of values",
        Rule::signed => "a number",
        Rule::null => "`null`",
        Rule::expectation => "an expectation such as `expect escalate to general`",
        Rule::expect_none => "`nothing`",
        Rule::expect_no_escalation => "`no escalation`",
        Rule::expect_escalate => "`escalate to QUEUE`",
        Rule::expect_offer => "`offer human`",
        Rule::expect_flag => "`flag \"label\"`",
        Rule::expect_by => "`by RULE`",
        Rule::expect_at => "`at message N`",
        Rule::says_test => "`says` and an intent's name",
        Rule::at_least => "`at least` and a score such as 0.8",
        Rule::intents_from => "`intents from \"file\"`",
        Rule::intent_decl => "an `intent NAME { ... }` declaration",
        Rule::intent_part => "`examples [...]`, `counter [...]` or `threshold N`",
        Rule::intent_examples => "`examples` and a list of sentences",
        Rule::intent_counter => "`counter` and a list of sentences",
        Rule::intent_threshold => "`threshold` and a score such as 0.6",
        Rule::sentences => "a list of sentences such as `[\"a\", \"b\"]`",
        Rule::language_decl => "a `language \"CODE\"` declaration",
        Rule::language_part => "`negations [...]`, `clause_ends [...]`, `fallbacks [...]` or `person_requests [...]`",
        Rule::language_negations => "`negations` and a list of phrases",
        Rule::language_clause_ends => "`clause_ends` and a list of words",
        Rule::language_fallbacks => "`fallbacks` and a list of phrases",
        Rule::language_person => "`person_requests` and a list of phrases",
    }
}

/// Builds a located, human error from pest's error.
pub fn from_pest(err: pest::error::Error<Rule>, source: &str) -> SyntaxError {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let found = describe_found(source, pos);
    let len = found_len(source, pos);
    let (expected, help) = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let tokens: Vec<String> = err
                .parse_attempts()
                .map(|a| a.expected_tokens().iter().map(ToString::to_string).collect())
                .unwrap_or_default();
            let wanted = Expected { rules: positives, tokens: &tokens };
            if let Some(m) = mistakes::recognise(source, pos, &wanted) {
                return SyntaxError::Mistake { message: m.message, label: m.label, help: m.help, span: m.span.into() };
            }
            (expected_list(positives, &tokens), fallback_help(positives, source, pos))
        }
        ErrorVariant::CustomError { message } => (message.clone(), None),
    };
    SyntaxError::Unexpected { label: format!("expected {expected}"), found, expected, span: (pos, len).into(), help }
}

/// Everything the parser would have accepted, in an ops person's words: the fallback
/// when no common mistake is recognised.
fn expected_list(positives: &[Rule], tokens: &[String]) -> String {
    // Comments are allowed almost everywhere: naming them helps nobody.
    let mut names: Vec<String> = positives
        .iter()
        .filter(|r| !matches!(r, Rule::COMMENT | Rule::policy))
        .map(|r| human_rule(*r).to_string())
        .collect();
    // Literal tokens help where no rule names the place ("expected `when`"); where a
    // value or name is expected they only repeat its first characters.
    let values_expected = positives.iter().any(|r| {
        matches!(
            r,
            Rule::expr
                | Rule::primary
                | Rule::string
                | Rule::ident
                | Rule::role
                | Rule::selector
                | Rule::count
                | Rule::mode_kind
        )
    });
    if !values_expected {
        for token in tokens {
            let literal = !token.trim().is_empty()
                && !token.contains("..")
                && token.chars().all(|c| c.is_ascii_graphic())
                && !matches!(token.as_str(), "#" | "\\" | "_");
            let described = names.iter().any(|n| n.starts_with(&format!("`{token} ")));
            if literal && !described {
                names.push(format!("`{token}`"));
            }
        }
    }
    names.sort_unstable();
    names.dedup();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    join_alternatives(&names)
}

/// Help for the places no common mistake covers.
fn fallback_help(positives: &[Rule], source: &str, pos: usize) -> Option<String> {
    let rest = source.get(pos..).unwrap_or("");
    let before_is_comments =
        || source.get(..pos).is_some_and(|b| b.trim().lines().all(|l| l.trim_start().starts_with('#')));
    if positives.iter().any(|r| matches!(r, Rule::header | Rule::policy))
        || (pos == 0 || before_is_comments()) && !rest.trim_start().starts_with("policy")
    {
        Some("a policy file starts with `policy \"name\" version 1`".to_string())
    } else if rest.starts_with("&&") || rest.starts_with("||") || rest.starts_with('!') && !rest.starts_with("!=") {
        Some("conditions are joined with the words `and`, `or` and `not`".to_string())
    } else if rest.starts_with('\'') {
        Some("strings use double quotes: \"like this\"".to_string())
    } else if rest.starts_with('"') && mistakes::closed_string(rest).is_none() {
        Some("this string is not closed: end it with `\"` on the same line".to_string())
    } else {
        None
    }
}

fn join_alternatives(names: &[&str]) -> String {
    match names {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {}", rest.join(", "), last),
    }
}

fn describe_found(source: &str, pos: usize) -> String {
    let rest = source.get(pos..).unwrap_or("");
    match rest.chars().next() {
        None => "end of file".to_string(),
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let word: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            format!("`{word}`")
        }
        Some('\n') | Some('\r') => "end of line".to_string(),
        Some(c) => format!("`{c}`"),
    }
}

fn found_len(source: &str, pos: usize) -> usize {
    let rest = source.get(pos..).unwrap_or("");
    match rest.chars().next() {
        None => 0,
        Some(c) if c.is_alphanumeric() || c == '_' => {
            rest.char_indices().find(|(_, c)| !(c.is_alphanumeric() || *c == '_')).map_or(rest.len(), |(i, _)| i)
        }
        Some(c) => c.len_utf8(),
    }
}
