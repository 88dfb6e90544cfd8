//! Folding is exact: a regex searched over the lowercase finds what it finds as written.

use proptest::prelude::*;

use super::{lowercase_ascii, Searched};
use crate::lang::regexes::{build_regex, PolicyRegex};

/// Regexes ops write, case-insensitive and not, with classes, anchors, word
/// boundaries and flags.
const PATTERNS: &[(&str, &str)] = &[
    ("dispute|charge ?back|unauthori[sz]ed", "i"),
    (r"\b(human|real person|agent|representative|someone)\b", "i"),
    ("didn't understand", "i"),
    ("[^a-z ]+", "i"),
    ("[^a-z ]+x", "i"),
    (r"^refund\w*$", "im"),
    ("(?-i:ID)[0-9]+", "i"),
    ("Refund", ""),
    ("[A-Z]{2,}", ""),
    (r"\d+", "i"),
    ("k", "i"),
    ("s.t", "is"),
    ("a b # a comment", "ix"),
    ("(?i)paypal", ""),
];

fn search_both(regex: &PolicyRegex, text: &str) -> (Option<std::ops::Range<usize>>, Option<std::ops::Range<usize>>) {
    let mut buffer = String::new();
    let ascii = lowercase_ascii(text, &mut buffer);
    let searched = Searched { text, lowercase: ascii.then_some(buffer.as_str()) };
    assert_eq!(regex.is_match_in(searched), regex.is_match(text), "/{regex}/ is_match on {text:?}");
    (regex.find_in(searched), regex.find(text))
}

#[test]
fn case_insensitive_regexes_fold_and_the_rest_do_not() {
    let folds = |pattern: &str, flags: &str| build_regex(pattern, flags).map(|r| r.folds_case());
    assert_eq!(folds("dispute|charge ?back", "i"), Ok(true));
    assert_eq!(folds("(?i)paypal", ""), Ok(true));
    assert_eq!(folds("[^a-z ]+x", "i"), Ok(true));
    // A case-sensitive letter anywhere keeps the regex as written.
    assert_eq!(folds("Refund", ""), Ok(false));
    assert_eq!(folds("(?-i:ID)[0-9]+", "i"), Ok(false));
    assert_eq!(folds("[A-Z]{2,}", ""), Ok(false));
    // Nothing to drop (a negated class holds no letter at all): folding would only
    // cost a copy of the text.
    assert_eq!(folds(r"\d+", "i"), Ok(false));
    assert_eq!(folds("[^a-z ]+", "i"), Ok(false));
    let folded = build_regex("dispute", "i").map(|r| r.folded_pattern().map(str::to_owned));
    // One plain literal: what the prefilter finds with a substring search.
    assert_eq!(folded, Ok(Some("(?:dispute)".to_owned())));
}

#[test]
fn folded_searches_find_the_same_spans() {
    let texts = [
        "I want to DISPUTE this Charge Back",
        "get me a Human",
        "Sorry, I DIDN'T UNDERSTAND that",
        "REFUNDS\nrefund",
        "id ID42 Id7",
        "a Kelvin \u{212A} sign and a long \u{17F} s",
        "na\u{EF}ve: DISPUTE",
        "SxT s\nt",
        "ab AB",
        "",
    ];
    for (pattern, flags) in PATTERNS {
        let regex = build_regex(pattern, flags).expect("builds");
        for text in texts {
            let (folded, written) = search_both(&regex, text);
            assert_eq!(folded, written, "/{pattern}/{flags} on {text:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text of letters, digits, spaces, punctuation and a few non-ASCII letters.
    #[test]
    fn folding_never_changes_a_match(text in "[a-zA-Z0-9 '\n.?!\u{212A}\u{17F}\u{E9}]{0,40}", which in 0..PATTERNS.len()) {
        let (pattern, flags) = PATTERNS[which];
        let regex = build_regex(pattern, flags).expect("builds");
        let (folded, written) = search_both(&regex, &text);
        prop_assert_eq!(folded, written, "/{}/{} on {:?}", pattern, flags, text);
    }
}
