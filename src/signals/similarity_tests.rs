// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use super::*;

fn assert_in_unit_range(score: f64) {
    assert!((0.0..=1.0).contains(&score), "{score}");
}

#[test]
fn identical_after_normalisation_scores_one() {
    assert_eq!(similarity("I want an agent", "I want an agent"), 1.0);
    assert_eq!(similarity("I want an AGENT!!", "i want an agent"), 1.0);
    assert_eq!(similarity("Je veux résilier", "je veux resilier"), 1.0);
    assert_eq!(similarity("I didn’t get that.", "I didn't get that"), 1.0);
    assert_eq!(similarity("  spaced\tout  ", "spaced out"), 1.0);
}

#[test]
fn empty_texts_never_count_as_repeats() {
    assert_eq!(similarity("", ""), 0.0);
    assert_eq!(similarity("", "hello"), 0.0);
    assert_eq!(similarity("hello", ""), 0.0);
    assert_eq!(similarity("?!...", "?!..."), 0.0);
    assert_eq!(similarity("   ", "\n"), 0.0);
    assert!(Fingerprint::new("!!!").is_empty());
}

#[test]
fn unrelated_texts_score_low() {
    assert!(similarity("yes", "no") < 0.2);
    assert!(similarity("where is my parcel", "I want to cancel my subscription") < 0.4);
}

#[test]
fn typos_are_near_duplicates() {
    let score = similarity("cancel my subscription", "cancel my subscribtion");
    assert!(score > 0.9, "{score}");
}

#[test]
fn padded_or_reordered_rephrasings_score_high() {
    let score = similarity("cancel my subscription", "please cancel my subscription now");
    assert!(score >= 0.75, "{score}");
    let score = similarity("my order is late", "late, my order is");
    assert_eq!(score, 1.0);
}

#[test]
fn bot_fallback_variants_are_similar() {
    let score =
        similarity("Sorry, I didn't understand. Could you rephrase?", "Sorry, I didn't get that. Could you rephrase?");
    assert!(score >= 0.75, "{score}");
}

#[test]
fn is_symmetric() {
    let pairs = [
        ("hello there", "hello"),
        ("cancel my subscription", "please cancel my subscription now"),
        ("a b c", "c d"),
        ("😡😡", "😡"),
    ];
    for (a, b) in pairs {
        assert_eq!(similarity(a, b), similarity(b, a), "{a:?} {b:?}");
        assert_in_unit_range(similarity(a, b));
    }
}

#[test]
fn emoji_are_content_not_punctuation() {
    assert_eq!(similarity("😡", "😡"), 1.0);
    assert!(similarity("😡", "🙂") < 1.0);
    assert_eq!(normalize("ok 👍"), "ok 👍");
}

#[test]
fn normalisation_strips_punctuation_and_accents() {
    assert_eq!(normalize("Sorry, I didn’t   understand!"), "sorry i didnt understand");
    assert_eq!(normalize("yes,please"), "yes please");
    assert_eq!(normalize("Ça   va?"), "ca va");
    assert_eq!(normalize("¿Qué?"), "que");
    assert_eq!(normalize(""), "");
}

#[test]
fn long_texts_use_the_word_measure_only() {
    let base = "the parcel never arrived and nobody answers the phone ".repeat(20);
    let edited = format!("{base} seriously");
    let score = similarity(&base, &edited);
    assert!(score > 0.9, "{score}");
    let other = "completely different words about billing invoices ".repeat(20);
    assert!(similarity(&base, &other) < 0.2);
}

#[test]
fn fingerprints_compare_like_the_function() {
    let texts = ["I want an agent", "agent please", "", "I want an agent now"];
    let prints: Vec<Fingerprint> = texts.iter().map(|t| Fingerprint::new(t)).collect();
    for (a, fa) in texts.iter().zip(&prints) {
        for (b, fb) in texts.iter().zip(&prints) {
            assert_eq!(fa.similarity(fb), similarity(a, b));
        }
    }
    assert_eq!(prints[0].normalized(), "i want an agent");
}

#[test]
fn combining_marks_and_odd_unicode_do_not_break_anything() {
    let texts =
        ["e\u{301}\u{301}\u{301}", "\u{301}", "👨\u{200d}👩\u{200d}👧", "请帮我转人工", "İstanbul", "\u{0}\u{1}"];
    for a in texts {
        for b in texts {
            assert_in_unit_range(similarity(a, b));
        }
    }
    assert_eq!(similarity("cafe\u{301}", "café"), 1.0);
}

#[test]
fn similar_at_least_agrees_with_similarity() {
    let texts = [
        "Refunds take 5 to 7 working days.",
        "Refunds take 5 to 7 working days!",
        "refunds take five to seven working days",
        "Transfers usually arrive within 2 hours.",
        "Transfers usually arrive within 2 hours, but can take longer.",
        "when will my transfer arrive",
        "when will the transfer arrive??",
        "",
        "ok",
        "okay",
    ];
    for a in texts {
        for b in texts {
            let (fa, fb) = (Fingerprint::new(a), Fingerprint::new(b));
            let full = fa.similarity(&fb);
            for t in [0.1, 0.5, 0.8, 0.85, 0.9, 1.0] {
                let fast = fa.similar_at_least(&fb, t);
                assert_eq!(fast.is_some(), full >= t, "{a:?} vs {b:?} at {t}: {full}");
                if let Some(v) = fast {
                    assert!((v - full).abs() < 1e-12, "{a:?} vs {b:?}: {v} != {full}");
                }
            }
        }
    }
}

#[test]
fn the_ascii_fast_path_normalises_like_the_general_one() {
    for text in [
        "Didn't you say   REFUNDS,take 5-7 days?!",
        "  yes,please  ",
        "it's O'Brien's card",
        "a\tb\nc",
        "",
        "!!!",
        "Order #A-1234: où?",
    ] {
        let general = {
            let base = crate::signals::phrases::normalize(text);
            let mut out = String::new();
            let mut pending = false;
            for c in base.chars() {
                if c == '\'' {
                    continue;
                }
                if c.is_alphanumeric() {
                    if pending && !out.is_empty() {
                        out.push(' ');
                    }
                    pending = false;
                    out.push(c);
                } else {
                    pending = true;
                }
            }
            out
        };
        assert_eq!(normalize(text), general, "{text:?}");
    }
}

#[test]
fn the_ascii_fingerprint_is_the_general_one() {
    for text in [
        "Didn't you say   REFUNDS,take 5-7 days?!",
        "  yes,please  ",
        "it's O'Brien's card card CARD",
        "a\tb\nc a",
        "",
        "!!!",
        "'",
        "x",
        "the the the parcel the",
    ] {
        assert_eq!(Fingerprint::from_ascii(text), Fingerprint::from_normalized(normalize(text)), "{text:?}");
    }
}

proptest::proptest! {
    /// The shortcuts of `similar_at_least` never change the answer.
    #[test]
    fn similar_at_least_is_similarity_with_a_threshold(
        a in "([a-c]{1,3}[ ,']{0,2}){0,8}",
        b in "([a-c]{1,3}[ ,']{0,2}){0,8}",
        t in 0.05f64..1.0,
    ) {
        let (fa, fb) = (Fingerprint::new(&a), Fingerprint::new(&b));
        let full = fa.similarity(&fb);
        let fast = fa.similar_at_least(&fb, t);
        proptest::prop_assert_eq!(fast.is_some(), full >= t);
        if let Some(v) = fast {
            proptest::prop_assert!((v - full).abs() < 1e-12);
        }
        proptest::prop_assert_eq!(Fingerprint::from_ascii(&a), Fingerprint::from_normalized(normalize(&a)));
    }
}
