//! Common mistakes recognised where the parser stopped: `=` for `==`, `10 minutes`,
//! `contains`, curly quotes, a string where a regular expression goes, a missing comma,
//! a block left open. Each is said in plain words with the fix; pest's list of expected
//! tokens is only the fallback for what is not recognised here.

use super::parser::Rule;

/// A recognised mistake: what is wrong, where, and how to write it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mistake {
    pub message: String,
    pub label: String,
    pub help: String,
    /// Byte offset and length in the source.
    pub span: (usize, usize),
}

/// What the parser would have accepted at the error.
pub struct Expected<'a> {
    pub rules: &'a [Rule],
    /// Literal tokens tried (`,`, `]`, `when`, ...).
    pub tokens: &'a [String],
}

impl Expected<'_> {
    fn rule(&self, rule: Rule) -> bool {
        self.rules.contains(&rule)
    }

    fn token(&self, token: &str) -> bool {
        self.tokens.iter().any(|t| t == token)
    }
}

/// The mistake at `pos`, when it is one of the common ones.
pub fn recognise(source: &str, pos: usize, expected: &Expected<'_>) -> Option<Mistake> {
    let rest = source.get(pos..).unwrap_or("");
    curly_quote(rest, pos)
        .or_else(|| single_equals(source, pos))
        .or_else(|| duration_in_words(source, pos))
        .or_else(|| selector_without_space(source, pos))
        .or_else(|| message_test_word(rest, pos, expected))
        .or_else(|| string_for_regex(rest, pos, expected))
        .or_else(|| quoted_number(source, pos, expected))
        .or_else(|| missing_comma(rest, pos, expected))
        .or_else(|| unclosed_block(source, pos))
}

/// Is the string starting at `rest` (with `"`) closed on its line? Returns its text.
pub fn closed_string(rest: &str) -> Option<&str> {
    let body = rest.strip_prefix('"')?;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            '\n' | '\r' => return None,
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return body.get(..i),
            _ => escaped = false,
        }
    }
    None
}

fn mistake(message: String, label: &str, help: String, span: (usize, usize)) -> Option<Mistake> {
    Some(Mistake { message, label: label.to_string(), help, span })
}

fn curly_quote(rest: &str, pos: usize) -> Option<Mistake> {
    let c = rest.chars().next()?;
    if !matches!(c, '“' | '”' | '„' | '‟' | '‘' | '’' | '‚' | '«' | '»') {
        return None;
    }
    mistake(
        format!("`{c}` is a typographic quote, not a string quote"),
        "a curly quote",
        "use straight double quotes: \"like this\" (word processors and chat tools curl them; \
         edit policies in a plain-text editor)"
            .into(),
        (pos, c.len_utf8()),
    )
}

fn single_equals(source: &str, pos: usize) -> Option<Mistake> {
    let rest = source.get(pos..)?;
    let before = source.get(..pos)?.chars().next_back();
    if !rest.starts_with('=') || rest.starts_with("==") || matches!(before, Some('=' | '!' | '<' | '>')) {
        return None;
    }
    mistake(
        "`=` is not a comparison".into(),
        "a single `=`",
        "compare with `==`, as in `customer.tier == \"gold\"`".into(),
        (pos, 1),
    )
}

/// The word starting at `pos` (letters, digits, `_`).
fn word_at(source: &str, pos: usize) -> &str {
    let rest = source.get(pos..).unwrap_or("");
    let end = rest.char_indices().find(|(_, c)| !(c.is_alphanumeric() || *c == '_')).map_or(rest.len(), |(i, _)| i);
    rest.get(..end).unwrap_or("")
}

/// The token before `pos`, skipping spaces on the same line: its start and text.
fn token_before(source: &str, pos: usize) -> Option<(usize, &str)> {
    let before = source.get(..pos)?;
    let trimmed = before.trim_end_matches([' ', '\t']);
    let start = trimmed.rfind(|c: char| c.is_whitespace()).map_or(0, |i| i + 1);
    let token = trimmed.get(start..)?;
    (!token.is_empty()).then_some((start, token))
}

fn duration_in_words(source: &str, pos: usize) -> Option<Mistake> {
    let word = word_at(source, pos);
    let unit = match word.to_lowercase().as_str() {
        "millisecond" | "milliseconds" | "msec" => "ms",
        "sec" | "secs" | "second" | "seconds" => "s",
        "min" | "mins" | "minute" | "minutes" => "m",
        "hr" | "hrs" | "hour" | "hours" => "h",
        "day" | "days" => "d",
        "ms" | "s" | "m" | "h" | "d" => word,
        _ => return None,
    };
    let (start, number) = token_before(source, pos)?;
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    mistake(
        "a duration is a number with a unit letter, written together".into(),
        "this duration",
        format!("write `{number}{unit}` (units: `ms`, `s`, `m`, `h`, `d`)"),
        (start, pos + word.len() - start),
    )
}

const ROLES: [&str; 5] = ["customer", "bot", "agent", "system", "messages"];

fn selector_without_space(source: &str, pos: usize) -> Option<Mistake> {
    let (start, token) = token_before(source, pos)?;
    let (role, window) = token.split_once('.')?;
    let count = window.strip_prefix("last")?;
    if !ROLES.contains(&role) || count.is_empty() || !count.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    mistake(
        format!("`{token}` needs a space before the number of messages"),
        "a window",
        format!("write `{role}.last {count}`"),
        (start, token.len()),
    )
}

/// `contains`, `mention`, `match`: a message test's word misremembered.
fn message_test_word(rest: &str, pos: usize, expected: &Expected<'_>) -> Option<Mistake> {
    if !(expected.rule(Rule::mentions_test) || expected.rule(Rule::matches_test) || expected.rule(Rule::says_test)) {
        return None;
    }
    let word = word_at(rest, 0);
    let lower = word.to_lowercase();
    let meant = if ["mention", "contain", "include", "has", "have", "with"].iter().any(|w| lower.starts_with(w)) {
        "mentions"
    } else if lower.starts_with("match") || lower == "like" {
        "matches"
    } else if lower.starts_with("say") || lower == "said" {
        "says"
    } else {
        ["mentions", "matches", "says"].into_iter().find(|t| strsim::jaro_winkler(&lower, t) > 0.85)?
    };
    let example = match meant {
        "mentions" => "customer.last mentions [\"bill\", \"invoice\"]",
        "matches" => "customer.last matches /refund/i",
        _ => "customer.last says cancel",
    };
    mistake(
        format!("`{word}` is not a test on messages"),
        "not `mentions`, `matches` or `says`",
        format!("did you mean `{meant}`? as in `{example}`"),
        (pos, word.len()),
    )
}

fn string_for_regex(rest: &str, pos: usize, expected: &Expected<'_>) -> Option<Mistake> {
    if !expected.rule(Rule::regex) {
        return None;
    }
    let text = closed_string(rest)?;
    let pattern = text.replace('/', "\\/");
    mistake(
        "`matches` takes a regular expression, not a string".into(),
        "a string in double quotes",
        format!(
            "write the pattern between slashes: `/{pattern}/`, with `i` after the last slash to ignore case; \
             for words or phrases use `mentions [\"...\"]`"
        ),
        (pos, text.len() + 2),
    )
}

fn quoted_number(source: &str, pos: usize, expected: &Expected<'_>) -> Option<Mistake> {
    let rest = source.get(pos..)?;
    if !(expected.rule(Rule::number) || expected.rule(Rule::count) || expected.rule(Rule::signed)) {
        return None;
    }
    let text = closed_string(rest)?;
    text.trim().parse::<f64>().ok()?;
    let keyword = token_before(source, pos).map(|(_, t)| t).filter(|t| t.chars().all(char::is_alphabetic));
    let fix = match keyword {
        Some(k) => format!("{k} {}", text.trim()),
        None => text.trim().to_string(),
    };
    mistake(
        "a number is written without quotes".into(),
        "a number in quotes",
        format!("write `{fix}`"),
        (pos, text.len() + 2),
    )
}

fn missing_comma(rest: &str, pos: usize, expected: &Expected<'_>) -> Option<Mistake> {
    let closer = if expected.token("]") {
        "]"
    } else if expected.token("}") {
        "}"
    } else {
        return None;
    };
    let starts_item = rest.starts_with('"') || rest.starts_with('[') || rest.starts_with(|c: char| c.is_alphanumeric());
    if !expected.token(",") || !starts_item {
        return None;
    }
    let (what, example) = if closer == "]" {
        ("list items", "[\"bill\", \"charge\"]")
    } else {
        ("`key: value` pairs", "{ tier: \"gold\", plan: \"pro\" }")
    };
    mistake(
        format!("{what} are separated by commas"),
        "a `,` is missing before this",
        format!("add a comma between them, as in `{example}`"),
        (pos, 1),
    )
}

/// The keywords that start a declaration at the top of a file.
const DECLARATIONS: [&str; 6] = ["rule", "test", "let", "intent", "intents", "queues"];

/// A `{` left open: the parser stops at the next declaration or at the end of the file.
fn unclosed_block(source: &str, pos: usize) -> Option<Mistake> {
    let line_start = source.get(..pos)?.rfind('\n').map_or(0, |i| i + 1);
    let line = source.get(line_start..)?.lines().next().unwrap_or("");
    let first_word = word_at(line.trim_start(), 0);
    let at_end = source.get(pos..)?.trim().is_empty();
    if !at_end && !DECLARATIONS.contains(&first_word) {
        return None;
    }
    let open = open_braces(source.get(..if at_end { pos } else { line_start })?);
    let opened = *open.last()?;
    let opener_line_start = source.get(..opened)?.rfind('\n').map_or(0, |i| i + 1);
    let opener = source.get(opener_line_start..=opened)?.trim();
    let line_number = source.get(..opened)?.matches('\n').count() + 1;
    let (label, help, span) = if at_end {
        ("the file ends here".to_string(), "add `}` at the end to close it".to_string(), (pos, 0))
    } else {
        let declaration = line.trim().trim_end_matches('{').trim_end();
        (
            format!("`{first_word}` starts a new declaration here, inside the block"),
            format!("add `}}` to close `{opener}` before `{declaration}`"),
            (line_start + line.len() - line.trim_start().len(), first_word.len()),
        )
    };
    mistake(format!("the `{opener}` opened at line {line_number} is not closed"), &label, help, span)
}

/// The offsets of the `{` still open at the end of `text` (strings and comments skipped).
fn open_braces(text: &str) -> Vec<usize> {
    let mut open = Vec::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for (_, c) in chars.by_ref() {
                    match c {
                        '\n' => break,
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                }
            }
            '{' => open.push(i),
            '}' => {
                open.pop();
            }
            _ => {}
        }
    }
    open
}
