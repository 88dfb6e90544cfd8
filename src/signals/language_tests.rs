// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;

#[test]
fn codes_name_each_language_once() {
    for language in Language::ALL {
        assert_eq!(Language::from_code(language.code()), Some(language));
    }
    assert_eq!(Language::from_code("EN"), None);
    assert_eq!(Language::from_code("sv"), None);
}

#[test]
fn a_policy_without_languages_reads_english() {
    let english = Languages::new(&[], &OwnWords::default());
    assert_eq!(english.list, [Language::English]);
    assert!(english.is_fallback("Sorry, I didn't understand."));
    assert!(!english.is_fallback("Das habe ich leider nicht verstanden."));
}

#[test]
fn each_language_has_its_fallbacks_and_the_policys_own() {
    let own = OwnWords { fallbacks: vec!["Da muss ich passen".into()], ..OwnWords::default() };
    let german = Languages::new(&[Language::German], &own);
    assert!(german.is_fallback("Das habe ich leider nicht verstanden."));
    assert!(german.is_fallback("Hmm, da muss ich passen."));
    assert!(!german.is_fallback("Sorry, I didn't get that."));
    assert!(!german.is_fallback("Ich verbinde Sie mit einem Mitarbeiter."));
}

#[test]
fn person_words_fold_and_compound() {
    assert!(Language::German.names_a_person("servicemitarbeiter"));
    assert!(Language::German.names_a_person("mitarbeiter"));
    assert!(!Language::German.names_a_person("arbeiter"));
    assert!(Language::French.names_a_person("conseillere"));
    assert!(!Language::French.names_a_person("superconseiller"));
    assert!(Language::English.names_a_person("agent"));
}
