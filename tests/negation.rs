//! Folder-driven negation cases: every line of `tests/cases/negation/*.tsv` is a
//! sentence, a phrase and whether `unless negated` ignores the mention. Adding a case
//! is adding a line (see the folder's README).

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use handoff::signals::phrases::PhraseSet;

struct Case {
    at: String,
    sentence: String,
    phrase: String,
    negated: bool,
}

fn cases() -> Vec<Case> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases/negation");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let at = format!("{}:{}", file.file_name().unwrap().to_string_lossy(), n + 1);
            let fields: Vec<&str> = line.split('\t').collect();
            let [sentence, phrase, expected] = fields[..] else {
                panic!("{at}: expected 3 tab-separated fields, got {}", fields.len());
            };
            let negated = match expected {
                "negated" => true,
                "mention" => false,
                other => panic!("{at}: expected `negated` or `mention`, got {other:?}"),
            };
            cases.push(Case { at, sentence: sentence.into(), phrase: phrase.into(), negated });
        }
    }
    cases
}

#[test]
fn the_table_has_enough_cases_of_both_kinds() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    assert!(cases.iter().filter(|c| c.negated).count() >= 20);
    assert!(cases.iter().filter(|c| !c.negated).count() >= 20);
}

#[test]
fn every_case_reads_as_listed() {
    let mut wrong = Vec::new();
    for case in cases() {
        let set = PhraseSet::new(std::slice::from_ref(&case.phrase));
        // The phrase must be in the sentence, or the case tests nothing.
        assert!(
            set.find(&case.sentence, false).is_some(),
            "{}: {:?} is not in {:?}",
            case.at,
            case.phrase,
            case.sentence
        );
        let negated = set.find(&case.sentence, true).is_none();
        if negated != case.negated {
            wrong.push(format!(
                "{}: {:?} / {:?}: negated {negated}, expected {}",
                case.at, case.sentence, case.phrase, case.negated
            ));
        }
    }
    assert!(wrong.is_empty(), "{} cases read wrongly:\n{}", wrong.len(), wrong.join("\n"));
}
