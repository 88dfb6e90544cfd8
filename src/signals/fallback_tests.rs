// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use super::*;

#[test]
fn recognises_common_fallback_answers() {
    let answers = [
        "Sorry, I didn't understand.",
        "Sorry, I didn’t understand that. Could you try again?",
        "I didn't get that.",
        "Hmm, I'm not sure I understand.",
        "Could you rephrase your question?",
        "I don't understand",
        "I'm sorry, I can't help with that.",
        "I’m sorry, I cannot help you with that request.",
        "SORRY, I DIDN'T CATCH THAT",
        "Oops! I didn't  quite   get that 🤔",
        "Désolé, je n'ai pas compris.",
        "Lo siento, no entendí.",
        "Entschuldigung, ich habe das nicht verstanden.",
        "Können Sie das umformulieren?",
    ];
    for answer in answers {
        assert!(is_fallback(answer), "{answer:?}");
    }
}

#[test]
fn ordinary_answers_are_not_fallbacks() {
    let answers = [
        "",
        "   ",
        "Sure, I can help you with that.",
        "Your order #1234 ships tomorrow.",
        "I understand, let me transfer you to an agent.",
        "Could you share your order number?",
        "I didn't understandably forget",
        "😀",
    ];
    for answer in answers {
        assert!(!is_fallback(answer), "{answer:?}");
    }
}

#[test]
fn negated_phrasing_still_counts() {
    // Fallbacks are negative statements; negation filtering must be off.
    assert!(is_fallback("No, sorry, I don't understand"));
    assert!(is_fallback("I'm not sure I understand"));
}

#[test]
fn every_listed_phrase_detects_itself() {
    for phrase in FALLBACK_PHRASES {
        assert!(is_fallback(phrase), "{phrase:?}");
        assert!(is_fallback(&phrase.to_uppercase()), "{phrase:?}");
    }
}
