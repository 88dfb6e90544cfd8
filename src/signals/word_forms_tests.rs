#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;

fn forms(word: &str) -> Vec<String> {
    let mut inflector = Inflector::default();
    let mut forms = inflector.word(word).to_vec();
    forms.sort();
    forms
}

#[test]
fn verbs_and_nouns_get_their_inflections() {
    // Whichever form is listed, the others are found. A few spellings that are no
    // English word ("disputs") share the stem too; they are harmless as patterns.
    for word in ["dispute", "disputes", "disputed", "disputing"] {
        let forms = forms(word);
        for want in ["dispute", "disputes", "disputed", "disputing"] {
            assert!(forms.iter().any(|f| f == want), "{want} not in {forms:?}");
        }
        assert!(!forms.iter().any(|f| f == "disputeing" || f == "disputted"), "{forms:?}");
    }
    for want in ["charge", "charges", "charged", "charging"] {
        assert!(forms("charge").iter().any(|f| f == want), "{want}");
    }
    assert!(forms("scam").iter().any(|f| f == "scammed"));
    assert!(forms("agent").iter().any(|f| f == "agents"));
    assert!(forms("deny").iter().any(|f| f == "denied"));
    assert!(forms("deny").iter().any(|f| f == "denies"));
}

#[test]
fn snowball_decides_what_is_the_same_word() {
    // Snowball stems "fraudulent" to "fraudul": not a form of "fraud".
    assert!(!forms("fraud").iter().any(|f| f == "fraudulent"));
    // Derivations are not spelled out, though Snowball would allow "personal".
    assert!(!forms("person").iter().any(|f| f == "personal"));
    assert!(!forms("human").iter().any(|f| f == "humane"));
}

#[test]
fn short_and_non_ascii_words_are_kept_as_written() {
    assert_eq!(forms("to"), ["to"]);
    assert_eq!(forms("can't"), ["can't"]);
    assert_eq!(forms("two-factor"), ["two-factor"]);
    assert_eq!(forms("résilier"), ["résilier"]);
    assert_eq!(forms("人工客服"), ["人工客服"]);
}

#[test]
fn closed_class_words_do_not_inflect() {
    assert_eq!(forms("someone"), ["someone"]);
    assert_eq!(forms("with"), ["with"]);
    assert!(!inflects("have") && !inflects("to") && inflects("charge"));
}

#[test]
fn the_table_maps_every_form_to_the_first_listed_word_of_its_stem() {
    let mut inflector = Inflector::default();
    let mut table = WordTable::default();
    for word in ["disputing", "dispute", "charge", "someone", "to"] {
        table.add(word, &mut inflector);
    }
    let representative = |w: &str| table.representative(w.as_bytes()).and_then(|(_, r)| table.form(r));
    for form in ["dispute", "disputes", "disputed", "disputing"] {
        assert_eq!(representative(form), Some("disputing"), "{form}");
    }
    assert_eq!(representative("charged"), Some("charge"));
    assert_eq!(representative("someone"), None);
    assert_eq!(representative("to"), None);
    assert_eq!(representative("fraudulent"), None);
}

#[test]
fn other_languages_get_their_own_forms() {
    let mut french = Inflector::new(Language::French);
    let forms = french.word("conseiller").to_vec();
    assert!(forms.contains(&"conseillers".to_owned()), "{forms:?}");
    let mut german = Inflector::new(Language::German);
    let forms = german.word("mitarbeiter").to_vec();
    assert!(forms.contains(&"mitarbeitern".to_owned()), "{forms:?}");
    let mut spanish = Inflector::new(Language::Spanish);
    let forms = spanish.word("asesor").to_vec();
    assert!(forms.contains(&"asesores".to_owned()), "{forms:?}");
    // Closed-class words of the language keep their one form.
    assert_eq!(spanish.word("sin"), ["sin"]);
}
