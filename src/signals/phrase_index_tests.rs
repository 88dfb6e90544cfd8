#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use crate::signals::phrases::PhraseSet;

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
];

#[test]
fn one_scan_agrees_with_each_phrase_set() {
    let lists = vec![
        PhraseList { phrases: vec!["real person".into(), "agent".into(), "human".into()], unless_negated: true },
        PhraseList { phrases: vec!["real person".into(), "agent".into()], unless_negated: false },
        PhraseList { phrases: vec!["dispute".into(), "didn't authorise".into()], unless_negated: true },
        PhraseList { phrases: vec!["cafe".into(), "résilier".into(), "人工客服".into()], unless_negated: false },
        PhraseList { phrases: vec![], unless_negated: false },
        PhraseList { phrases: vec!["agents".into(), "an agent".into()], unless_negated: true },
    ];
    let index = PhraseIndex::new(&lists);
    let sets: Vec<PhraseSet> = lists.iter().map(|l| PhraseSet::new(&l.phrases)).collect();
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
