// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;

/// Whether `phrase`, found in `text`, is negated there.
fn negated(text: &str, phrase: &str) -> bool {
    let start = text.find(phrase).unwrap();
    is_negated(text, start, start + phrase.len(), &ENGLISH_LEXICON)
}

#[test]
fn the_scope_runs_to_the_end_of_the_clause() {
    assert!(negated("I don't need to be transferred over to some real person", "real person"));
    assert!(!negated("I don't need the bot, get me a real person", "real person"));
    assert!(!negated("I don't need the bot but a real person", "real person"));
}

#[test]
fn case_does_not_matter_on_the_fast_path() {
    assert!(negated("I DON'T NEED AN AGENT", "AGENT"));
    assert!(!negated("CAN'T I TALK TO AN AGENT", "AGENT"));
}

#[test]
fn quotes_around_words_are_not_part_of_them() {
    assert!(negated("I said 'no' agent", "agent"));
    assert!(negated("'don't' get an agent", "agent"));
}

#[test]
fn words_inside_the_mention_do_not_negate_it() {
    // The cue is part of the phrase ("didn't authorise"), not before it.
    assert!(!negated("I didn't authorise this", "didn't authorise"));
    assert!(negated("no, I never said I didn't authorise this", "didn't authorise"));
}

#[test]
fn degenerate_spans_are_not_negated() {
    assert!(!is_negated("", 0, 0, &ENGLISH_LEXICON));
    assert!(!is_negated("not", 3, 3, &ENGLISH_LEXICON));
    assert!(!is_negated("not agent", 40, 50, &ENGLISH_LEXICON));
    assert!(is_negated("not agent", 4, 9, &ENGLISH_LEXICON));
}

#[test]
fn every_entry_of_every_language_is_single_spaced_lowercase() {
    for language in crate::signals::language::Language::ALL {
        for entry in language.negation().entries() {
            assert!(!entry.is_empty() && !entry.contains("  ") && entry.trim() == entry, "{language:?} {entry:?}");
            assert_eq!(entry.to_lowercase(), entry, "{language:?}");
        }
    }
}

#[test]
fn a_policys_own_cues_and_clause_ends_count() {
    let mut lexicon = Lexicon::of(&[&ENGLISH]);
    let text = "nah mate zero agents thx";
    assert!(!is_negated(text, 15, 21, &lexicon));
    lexicon.add(&["Zero".into()], &["Whereupon".into()]);
    assert!(is_negated(text, 15, 21, &lexicon));
    assert!(!is_negated("zero calls whereupon agent", 21, 26, &lexicon));
}

#[test]
fn a_request_right_after_a_cue_is_what_it_negates() {
    let spanish = Lexicon::of(&[crate::signals::language::Language::Spanish.negation()]);
    let text = "no quiero un agente";
    assert!(is_negated(text, 13, 19, &spanish));
    assert!(!is_negated("no me sirve esto quiero un agente", 27, 33, &spanish));
}
