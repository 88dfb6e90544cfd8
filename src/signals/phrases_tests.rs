// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use super::*;

fn set(phrases: &[&str]) -> PhraseSet {
    let owned: Vec<String> = phrases.iter().map(|p| (*p).to_owned()).collect();
    PhraseSet::new(&owned)
}

/// The matched slice of the original text, asserting offsets are valid.
fn matched<'t>(phrases: &[&str], text: &'t str, ignore_negated: bool) -> Option<&'t str> {
    let m = set(phrases).find(text, ignore_negated)?;
    assert!(m.start <= m.end, "{m:?}");
    Some(text.get(m.start..m.end).unwrap_or_else(|| panic!("offsets {m:?} not on char boundaries of {text:?}")))
}

#[test]
fn finds_a_phrase_case_insensitively() {
    assert_eq!(matched(&["real person"], "I want a REAL Person now", false), Some("REAL Person"));
}

#[test]
fn reports_the_index_of_the_original_phrase() {
    let phrases = set(&["human", "", "real person", "agent"]);
    let m = phrases.find("get me an agent", false).unwrap();
    assert_eq!(m.phrase, 3);
    assert_eq!((m.start, m.end), (10, 15));
    assert_eq!(phrases.len(), 3);
}

#[test]
fn matches_only_on_word_boundaries() {
    assert_eq!(matched(&["real person"], "that was an unreal personality", false), None);
    assert_eq!(matched(&["agent"], "are there agents here", false), None);
    assert_eq!(matched(&["agent"], "agent", false), Some("agent"));
    assert_eq!(matched(&["agent"], "(agent)", false), Some("agent"));
    assert_eq!(matched(&["agent"], "agent's name?", false), Some("agent"));
    assert_eq!(matched(&["agent"], "agent2", false), None);
    assert_eq!(matched(&["agent"], "réagent", false), None);
}

#[test]
fn a_rejected_overlap_does_not_hide_a_later_match() {
    // The first "agent" is inside "agents"; the second stands alone.
    assert_eq!(matched(&["agent"], "agents? I said agent", false).map(str::len), Some(5));
    let m = set(&["agent"]).find("agents? I said agent", false).unwrap();
    assert_eq!(m.start, 15);
}

#[test]
fn leftmost_wins_then_longest_then_first_listed() {
    let phrases = set(&["person", "real person", "a real person", "real person"]);
    let m = phrases.find("I need a real person", false).unwrap();
    assert_eq!(m.phrase, 2);
    let phrases = set(&["person", "real person", "real person"]);
    let m = phrases.find("I need a real person", false).unwrap();
    assert_eq!(m.phrase, 1);
    let phrases = set(&["person", "human"]);
    let m = phrases.find("a human, a person", false).unwrap();
    assert_eq!(m.phrase, 1);
}

#[test]
fn ignores_accents_in_text_and_phrase() {
    assert_eq!(matched(&["cafe"], "un café noir", false), Some("café"));
    assert_eq!(matched(&["café"], "un CAFE noir", false), Some("CAFE"));
    assert_eq!(matched(&["resilier"], "je veux RÉSILIER", false), Some("RÉSILIER"));
    assert_eq!(
        matched(&["résilier mon abonnement"], "Résilier   mon\tabonnement!", false),
        Some("Résilier   mon\tabonnement")
    );
}

#[test]
fn decomposed_accents_are_covered_by_the_match() {
    // "cafe" + combining acute: the span must include the accent.
    let text = "un cafe\u{301} noir";
    assert_eq!(matched(&["café"], text, false), Some("cafe\u{301}"));
    let text = "e\u{301}\u{301}, x";
    let m = set(&["e"]).find(text, false).unwrap();
    assert_eq!(text.get(m.start..m.end), Some("e\u{301}\u{301}"));
}

#[test]
fn collapses_whitespace() {
    assert_eq!(matched(&["real   person"], "a real\n\n person", false), Some("real\n\n person"));
    assert_eq!(matched(&["talk to a human"], "  talk\u{a0}to a\thuman  ", false), Some("talk\u{a0}to a\thuman"));
}

#[test]
fn curly_and_straight_apostrophes_are_equal() {
    assert_eq!(matched(&["I don't understand"], "I don’t understand", false), Some("I don’t understand"));
    assert_eq!(matched(&["I don’t understand"], "i DON'T understand", false), Some("i DON'T understand"));
}

#[test]
fn negated_mentions_are_skipped_when_asked() {
    let phrases = ["real person", "agent"];
    assert_eq!(matched(&phrases, "I don't need a real person", true), None);
    assert_eq!(matched(&phrases, "I don’t need a real person", true), None);
    assert_eq!(matched(&phrases, "no need for an agent", true), None);
    assert_eq!(matched(&phrases, "NO NEED FOR AN AGENT", true), None);
    assert_eq!(matched(&phrases, "I do not want an agent", true), None);
    assert_eq!(matched(&phrases, "never an agent", true), None);
    assert_eq!(matched(&phrases, "I no longer want an agent", true), None);
    assert_eq!(matched(&phrases, "I don't need a real person", false), Some("real person"));
}

#[test]
fn clause_breaks_end_a_negation() {
    let phrases = ["real person", "agent"];
    assert_eq!(matched(&phrases, "no, I want a real person", true), Some("real person"));
    assert_eq!(matched(&phrases, "I need a real person, not a bot", true), Some("real person"));
    assert_eq!(matched(&phrases, "not the bot but an agent", true), Some("agent"));
    assert_eq!(matched(&phrases, "No. Agent please", true), Some("Agent"));
}

#[test]
fn negation_runs_to_the_end_of_the_clause() {
    // The cases of tests/cases/negation are the full table; these pin the scope.
    assert_eq!(matched(&["agent"], "not sure why but ok whatever give me an agent", true), Some("agent"));
    assert_eq!(matched(&["agent"], "I do not really think I want an agent", true), None);
    assert_eq!(matched(&["real person"], "No, you don't need to transfer me to a real person", true), None);
    assert_eq!(matched(&["agent"], "not really an agent", true), None);
}

#[test]
fn a_negated_mention_does_not_hide_a_later_one() {
    let text = "I don't want an agent, I want a real agent";
    let m = set(&["agent"]).find(text, true).unwrap();
    assert_eq!(text.get(m.start..), Some("agent"));
}

#[test]
fn empty_inputs_match_nothing() {
    assert_eq!(matched(&["agent"], "", false), None);
    assert_eq!(matched(&["agent"], "   ", true), None);
    assert_eq!(matched(&[], "agent", false), None);
    assert_eq!(matched(&["", "  ", "\u{301}"], "agent", false), None);
    assert!(set(&[""]).is_empty());
}

#[test]
fn emoji_and_symbols_are_handled() {
    assert_eq!(matched(&["agent"], "😡😡 agent 😡", false), Some("agent"));
    assert_eq!(matched(&["agent"], "😡agent😡", false), Some("agent"));
    assert_eq!(matched(&["😡"], "so 😡 right now", false), Some("😡"));
    // Family emoji with zero-width joiners and a skin tone modifier.
    let text = "👨\u{200d}👩\u{200d}👧 need an agent 👍🏽";
    assert_eq!(matched(&["agent"], text, false), Some("agent"));
}

#[test]
fn unspaced_scripts_match_inside_runs() {
    assert_eq!(matched(&["人工客服"], "请帮我转人工客服谢谢", false), Some("人工客服"));
    assert_eq!(matched(&["オペレーター"], "オペレーターと話したい", false), Some("オペレーター"));
}

#[test]
fn hangul_syllables_are_not_split() {
    // "가" must not match inside "각".
    assert_eq!(matched(&["가"], "각", false), None);
    assert_eq!(matched(&["상담원"], "상담원 연결", false), Some("상담원"));
}

#[test]
fn case_folding_beyond_ascii() {
    assert_eq!(matched(&["связаться с оператором"], "Связаться С ОПЕРАТОРОМ", false), Some("Связаться С ОПЕРАТОРОМ"));
    assert_eq!(matched(&["istanbul"], "İSTANBUL", false), Some("İSTANBUL"));
}

#[test]
fn offsets_always_land_on_char_boundaries() {
    let texts = [
        "ÀÉÎÕÜ agent",
        "a\u{301}\u{302}gent agent",
        "İİİ agent İ",
        "ﬁ agent ß",
        "\u{301}agent",
        "agent\u{301}\u{301}",
        "x\u{200d}agent",
        "  \u{3000}agent\u{3000}",
    ];
    for text in texts {
        for ignore_negated in [false, true] {
            if let Some(m) = set(&["agent", "a", "gent"]).find(text, ignore_negated) {
                assert!(text.get(m.start..m.end).is_some(), "{text:?} {m:?}");
            }
        }
    }
}

#[test]
fn fast_and_slow_paths_agree() {
    let phrases = set(&["real person", "agent", "don't understand"]);
    let ascii = [
        "I want a real person",
        "i DON'T understand",
        "agents only",
        "no need for an agent",
        "a  real person",
        "a real\tperson",
        " real person ",
    ];
    for text in ascii {
        // Appending a non-ASCII char after a boundary forces the slow path
        // without changing what matches.
        let slow = format!("{text} é");
        for negated in [false, true] {
            assert_eq!(phrases.find(text, negated), phrases.find(&slow, negated), "{text:?}");
        }
    }
}

#[test]
fn normalize_is_exposed() {
    assert_eq!(normalize("  Je  veux\tRÉSILIER  "), "je veux resilier");
    assert_eq!(normalize("I Don’t"), "i don't");
    assert_eq!(normalize("cafe\u{301}"), "cafe");
    assert_eq!(normalize(""), "");
    assert_eq!(normalize(" \n "), "");
}

#[test]
fn naive_matcher_agrees_with_the_automaton() {
    let phrases = ["real person", "agent", "person"];
    let automaton = set(&phrases);
    let naive = PhraseSet {
        matcher: Matcher::Naive(phrases.iter().map(|p| normalize(p)).collect()),
        indices: vec![0, 1, 2],
        max_len: 11,
    };
    for text in ["I need a real person", "agents, agent", "no need for an agent, a person", "unreal personality"] {
        for negated in [false, true] {
            assert_eq!(automaton.find(text, negated), naive.find(text, negated), "{text:?}");
        }
    }
}

#[test]
fn the_fast_path_is_taken_only_for_text_that_is_its_own_normal_form() {
    for (text, fast) in [
        ("I want a real person", true),
        ("", true),
        (" leading and trailing ", true),
        ("two  spaces", false),
        ("a\ttab", false),
        ("a\nline", false),
        ("café", false),
        ("didn’t", false),
        ("end  ", false),
    ] {
        assert_eq!(is_fast_path(text), fast, "{text:?}");
    }
    // Either way, the phrase is found.
    assert_eq!(matched(&["real person"], "a real  person", false), Some("real  person"));
    assert_eq!(matched(&["real person"], "a real\tperson", false), Some("real\tperson"));
}
