#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use crate::signals::phrases::PhraseSet;
use crate::signals::word_forms::Inflector;

fn list(phrases: &[&str], unless_negated: bool, exact: bool, typos: bool) -> PhraseList {
    PhraseList { phrases: phrases.iter().map(|p| (*p).to_owned()).collect(), unless_negated, exact, typos }
}

/// What an index does, spelled out: each phrase, and for an inflected list every
/// combination of its words' forms, as a plain pattern.
fn reference(list: &PhraseList, inflector: &mut Inflector) -> Vec<(String, usize)> {
    let mut patterns = Vec::new();
    for (p, phrase) in list.phrases.iter().enumerate() {
        let mut forms = vec![String::new()];
        for word in normalize(phrase).split(' ') {
            let choices = if list.exact { vec![word.to_owned()] } else { inflector.word(word).to_vec() };
            forms = forms
                .iter()
                .flat_map(|head| {
                    choices.iter().map(move |w| if head.is_empty() { w.clone() } else { format!("{head} {w}") })
                })
                .collect();
        }
        patterns.extend(forms.into_iter().map(|f| (f, p)));
    }
    patterns
}

/// Each list's match in `text`, through a fresh index.
fn scan(lists: &[PhraseList], text: &str) -> Vec<Option<PhraseMatch>> {
    let mut out = Vec::new();
    PhraseIndex::new(lists).scan(text, &mut Scratch::default(), &mut out);
    out
}

/// The customer's words a list matched.
fn matched<'t>(lists: &[PhraseList], text: &'t str, list: usize) -> Option<&'t str> {
    let m = scan(lists, text)[list]?;
    Some(text.get(m.start..m.end).unwrap())
}

const TEXTS: &[&str] = &[
    "I want to talk to a real person",
    "I don't need an agent, no need for a REAL PERSON",
    "no, I want a real person",
    "the agents are busy, can I get an agent",
    "Je veux parler à un agent, RÉSILIER",
    "unreal personality",
    "I didn't authorise this, I want to dispute it",
    "I don’t want to dispute it",
    "",
    "   human   ",
    "人工客服 please",
    "café CAFE cafe\u{301}",
    "I want to dispute these charges, I'm disputing them",
    "the agents were talking to a real persons",
    "Somebody charged me twice! DISPUTED",
];

#[test]
fn one_scan_agrees_with_each_phrase_set() {
    let mut lists = Vec::new();
    for exact in [true, false] {
        lists.extend([
            list(&["real person", "agent", "human"], true, exact, false),
            list(&["real person", "agent"], false, exact, false),
            list(&["dispute", "didn't authorise", "charge"], true, exact, false),
            list(&["cafe", "résilier", "人工客服"], false, exact, false),
            list(&[], false, exact, false),
            list(&["agents", "an agent", "talk to a person"], true, exact, false),
        ]);
    }
    let index = PhraseIndex::new(&lists);
    let mut inflector = Inflector::default();
    let sets: Vec<PhraseSet> = lists.iter().map(|l| PhraseSet::from_patterns(reference(l, &mut inflector))).collect();
    let mut scratch = Scratch::default();
    let mut out = Vec::new();
    for text in TEXTS {
        index.scan(text, &mut scratch, &mut out);
        assert_eq!(out.len(), lists.len());
        for (i, list) in lists.iter().enumerate() {
            let expected = sets[i].find(text, list.unless_negated);
            assert_eq!(out[i], expected, "list {i} on {text:?}");
        }
    }
}

#[test]
fn inflected_forms_match_unless_exactly() {
    let lists = [list(&["dispute", "charge"], false, false, false), list(&["dispute", "charge"], false, true, false)];
    for (text, word) in [
        ("I want to dispute it", "dispute"),
        ("two disputes", "disputes"),
        ("I disputed it", "disputed"),
        ("about disputing a charge", "disputing"),
        ("I was CHARGED twice", "CHARGED"),
    ] {
        assert_eq!(matched(&lists, text, 0), Some(word), "{text}");
        let exact = (word.eq_ignore_ascii_case("dispute")).then_some(word);
        assert_eq!(matched(&lists, text, 1).filter(|m| m.len() > 6), exact, "{text}");
    }
    // The evidence names the phrase as listed.
    assert_eq!(scan(&lists, "I disputed it")[0].unwrap().phrase, 0);
    // Snowball does not make "fraudulent" a form of "fraud".
    assert_eq!(matched(&[list(&["fraud"], false, false, false)], "a fraudulent charge", 0), None);
}

#[test]
fn typos_count_only_where_asked() {
    let lists = [
        list(&["contact someone", "an assistant"], true, false, true),
        list(&["contact someone", "an assistant"], true, false, false),
        list(&["contact someone"], false, true, true),
    ];
    assert_eq!(matched(&lists, "I want to contact somneone", 0), Some("contact somneone"));
    assert_eq!(matched(&lists, "I want to contact somneone", 1), None);
    assert_eq!(matched(&lists, "I want to contact somneone", 2), Some("contact somneone"));
    assert_eq!(matched(&lists, "i need an asisstant please", 0), Some("an asisstant"));
    assert_eq!(matched(&lists, "I NEED AN ASISSTANT", 0), Some("AN ASISSTANT"));
    // Typos and inflections together; offsets stay in the customer's text.
    assert_eq!(matched(&lists, "café: contacting somneone", 0), Some("contacting somneone"));
    assert_eq!(matched(&lists, "Ça va? I   want an  asisstants", 0), Some("an  asisstants"));
    // Negation is read on the corrected message.
    assert_eq!(matched(&lists, "I don't need to contact somneone", 0), None);
    // A 7-letter word takes one edit ("contcat" swaps two letters), not two.
    assert_eq!(matched(&lists, "contcat somoene", 0), Some("contcat somoene"));
    assert_eq!(matched(&lists, "contact smoenoe", 0), None);
    // Spelled right: the first scan's match stands, and a later typo does not move it.
    assert_eq!(scan(&lists, "contact someone or an asisstant")[0].unwrap().start, 0);
    assert_eq!(scan(&lists, "an asisstant, or contact someone")[0].unwrap().phrase, 1);
}

#[test]
fn a_corrected_haystack_maps_back_to_the_customers_words() {
    let lists = [list(&["someone", "assistant"], false, true, true)];
    for text in ["somneone", " x somneone y asisstant z", "asisstant somneone", "a-somneone-b", "somneone123 asisstant"]
    {
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        PhraseIndex::new(&lists).scan(text, &mut scratch, &mut out);
        if let Some(m) = out[0] {
            let words = text.get(m.start..m.end).unwrap();
            assert!(["somneone", "asisstant"].contains(&words), "{text:?}: {words:?}");
        }
    }
    assert_eq!(matched(&lists, "somneone123 asisstant", 0), Some("asisstant"));
}

proptest::proptest! {
    /// Whatever the text, rewrites never move a match off the customer's characters.
    #[test]
    fn matches_stay_on_char_boundaries(text in "(somneone|asisstants|disputing|Charged|don't|é|人工|[a-zA-Z ,.!?'’\t]{0,6}){0,12}") {
        let lists = [
            list(&["someone", "an assistant", "dispute"], true, false, true),
            list(&["charge", "dispute a charge"], false, false, false),
            list(&["charged", "人工"], true, true, false),
        ];
        for m in scan(&lists, &text).into_iter().flatten() {
            proptest::prop_assert!(text.get(m.start..m.end).is_some_and(|s| !s.is_empty()), "{text:?} {m:?}");
        }
    }
}
