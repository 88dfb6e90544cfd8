//! Regex literals: one builder, with one size limit, for the checker and the compiler,
//! so the checker accepts exactly the regexes that compile. The checker keeps what it
//! built ([`Regexes`]) and the compiler reuses it: each regex is built once per load.

use std::collections::HashMap;

/// Built regexes by pattern and flags.
pub type Regexes = HashMap<(String, String), regex::Regex>;

/// Compiles a regex literal with its flags (`i`, `m`, `s`, `x`, `U`).
pub fn build_regex(pattern: &str, flags: &str) -> Result<regex::Regex, String> {
    let mut b = regex::RegexBuilder::new(pattern);
    for f in flags.chars() {
        match f {
            'i' => b.case_insensitive(true),
            'm' => b.multi_line(true),
            's' => b.dot_matches_new_line(true),
            'x' => b.ignore_whitespace(true),
            'U' => b.swap_greed(true),
            other => return Err(format!("unknown flag `{other}` (the flags are i, m, s, x and U)")),
        };
    }
    // Bounded compiled size: a policy must not be able to exhaust memory.
    b.size_limit(REGEX_SIZE_LIMIT);
    b.build().map_err(|e| match e {
        regex::Error::Syntax(s) => s.lines().last().unwrap_or("syntax error").trim().to_string(),
        regex::Error::CompiledTooBig(_) => "the expression is too large".to_string(),
        other => other.to_string(),
    })
}

/// The most memory one regex of a policy may compile to.
const REGEX_SIZE_LIMIT: usize = 1 << 20;
