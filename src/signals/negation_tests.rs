// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;

/// Whether `phrase`, found in `text`, is negated there.
fn negated(text: &str, phrase: &str) -> bool {
    let start = text.find(phrase).unwrap();
    is_negated(text, start, start + phrase.len(), &ENGLISH)
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
    assert!(!is_negated("", 0, 0, &ENGLISH));
    assert!(!is_negated("not", 3, 3, &ENGLISH));
    assert!(!is_negated("not agent", 40, 50, &ENGLISH));
    assert!(is_negated("not agent", 4, 9, &ENGLISH));
}

#[test]
fn every_multi_word_entry_is_single_spaced_lowercase() {
    let lists = [
        ENGLISH.cues,
        ENGLISH.cue_suffixes,
        ENGLISH.auxiliaries,
        ENGLISH.pseudo_after,
        ENGLISH.pseudo_before,
        ENGLISH.inability,
        ENGLISH.reaching,
        ENGLISH.belief,
        ENGLISH.adverbs,
        ENGLISH.terminators,
        ENGLISH.requests,
        ENGLISH.answers,
        ENGLISH.answer_followers,
        ENGLISH.question_openers,
        ENGLISH.pronouns,
        ENGLISH.post_cues,
        ENGLISH.double_negation,
    ];
    for entry in lists.iter().flat_map(|l| l.iter()) {
        assert!(!entry.is_empty() && !entry.contains("  ") && entry.trim() == *entry, "{entry:?}");
        assert_eq!(entry.to_lowercase(), *entry);
    }
}
