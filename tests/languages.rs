//! Folder-driven cases per language: every `tests/cases/languages/<code>/*.tsv` line is
//! run through a policy that declares the language (see the folder's README).

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use handoff::transcript::Conversation;
use handoff::{ActionKind, Context, Policy};

struct Case {
    at: String,
    fields: Vec<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases/languages")
}

fn languages() -> Vec<String> {
    let mut codes: Vec<String> = std::fs::read_dir(root())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    codes.sort();
    codes
}

fn cases(code: &str, file: &str, fields: usize) -> Vec<Case> {
    let path = root().join(code).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut cases = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{code}/{file}:{}", n + 1);
        let parts: Vec<String> = line.split('\t').map(str::to_owned).collect();
        assert_eq!(parts.len(), fields, "{at}: expected {fields} tab-separated fields");
        cases.push(Case { at, fields: parts });
    }
    cases
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn policy(code: &str, condition: &str) -> Policy {
    let source = format!(
        "policy \"case\" version 1\n\nlanguage \"{code}\"\n\nqueues {{\n  general \"General\"\n}}\n\n\
         rule case {{\n  when {condition}\n  escalate to general\n}}\n"
    );
    Policy::from_source("case.handoff", &source).unwrap_or_else(|e| panic!("{source}\n{e:?}"))
}

fn conversation(role: &str, text: &str) -> Conversation {
    let json = serde_json::json!({"id": "case", "messages": [{"role": role, "text": text}]});
    handoff::transcript::parse_json("case.json", &json.to_string()).unwrap()
}

fn escalates(policy: &Policy, conversation: &Conversation) -> bool {
    policy.evaluate(conversation, &Context::default()).action == ActionKind::Escalate
}

/// Whether `phrase` in `sentence` is read as negated by a policy in `code`; panics when
/// the phrase is not found at all (the case would test nothing).
fn negated(code: &str, at: &str, sentence: &str, phrase: &str) -> bool {
    let message = conversation("customer", sentence);
    let found = policy(code, &format!("customer.last mentions [{}]", quoted(phrase)));
    assert!(escalates(&found, &message), "{at}: {phrase:?} is not found in {sentence:?}");
    let kept = policy(code, &format!("customer.last mentions [{}] unless negated", quoted(phrase)));
    !escalates(&kept, &message)
}

fn expect_word(at: &str, word: &str, yes: &str, no: &str) -> bool {
    match word {
        w if w == yes => true,
        w if w == no => false,
        other => panic!("{at}: expected `{yes}` or `{no}`, got {other:?}"),
    }
}

#[test]
fn every_language_has_enough_cases() {
    let codes = languages();
    for code in ["en", "de", "fr", "es", "it", "nl", "pt"] {
        assert!(codes.iter().any(|c| c == code), "no cases for {code}");
    }
    for code in &codes {
        let negation = cases(code, "negation.tsv", 3);
        let fallbacks = cases(code, "fallbacks.tsv", 2);
        let person = cases(code, "person.tsv", 3);
        assert!(negation.len() + fallbacks.len() + person.len() >= 20, "{code}: too few cases");
        assert!(negation.len() >= 10, "{code}: {} negation cases", negation.len());
        assert!(negation.iter().any(|c| c.fields[2] == "negated") && negation.iter().any(|c| c.fields[2] == "mention"));
        assert!(
            fallbacks.iter().any(|c| c.fields[1] == "fallback") && fallbacks.iter().any(|c| c.fields[1] == "answer")
        );
        assert!(person.iter().any(|c| c.fields[2] == "request"), "{code}");
    }
}

#[test]
fn negation_reads_as_listed() {
    let mut wrong = Vec::new();
    for code in languages() {
        for case in cases(&code, "negation.tsv", 3) {
            let [sentence, phrase, expected] = &case.fields[..] else { unreachable!() };
            let want = expect_word(&case.at, expected, "negated", "mention");
            let got = negated(&code, &case.at, sentence, phrase);
            if got != want {
                wrong.push(format!("{}: {sentence:?} / {phrase:?}: negated {got}, expected {want}", case.at));
            }
        }
    }
    assert!(wrong.is_empty(), "{} cases read wrongly:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn fallbacks_count_as_listed() {
    let mut wrong = Vec::new();
    for code in languages() {
        let counts = policy(&code, "fallbacks(bot.last) >= 1");
        for case in cases(&code, "fallbacks.tsv", 2) {
            let [answer, expected] = &case.fields[..] else { unreachable!() };
            let want = expect_word(&case.at, expected, "fallback", "answer");
            let got = escalates(&counts, &conversation("bot", answer));
            if got != want {
                wrong.push(format!("{}: {answer:?}: fallback {got}, expected {want}", case.at));
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers read wrongly:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn requests_for_a_person_are_read_and_known_to_the_lint() {
    let mut wrong = Vec::new();
    for code in languages() {
        for case in cases(&code, "person.tsv", 3) {
            let [sentence, phrase, expected] = &case.fields[..] else { unreachable!() };
            let want_negated = !expect_word(&case.at, expected, "request", "negated");
            let got = negated(&code, &case.at, sentence, phrase);
            if got != want_negated {
                wrong.push(format!("{}: {sentence:?}: negated {got}, expected {want_negated}", case.at));
            }
            let source = format!(
                "policy \"case\" version 1\nlanguage \"{code}\"\nqueues {{\n  general\n}}\n\
                 rule case {{\n  when customer.last mentions [{}] unless negated\n  escalate to general\n}}\n",
                quoted(phrase)
            );
            let ast = handoff::syntax::parse_policy(&source).unwrap();
            let codes: Vec<String> = handoff::check::check(&ast)
                .iter()
                .filter_map(|d| miette::Diagnostic::code(d).map(|c| c.to_string()))
                .collect();
            if codes.iter().any(|c| c == "handoff::lint::no_human_route") {
                wrong.push(format!("{}: the lint does not know {phrase:?} as a person", case.at));
            }
        }
    }
    assert!(wrong.is_empty(), "{} requests read wrongly:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn known_limitations_are_still_read_wrongly() {
    for code in languages() {
        for case in cases(&code, "limitations.tsv", 3) {
            let [sentence, phrase, right] = &case.fields[..] else { unreachable!() };
            let right = expect_word(&case.at, right, "negated", "mention");
            let got = negated(&code, &case.at, sentence, phrase);
            assert_ne!(
                got, right,
                "{}: now read rightly: move it to negation.tsv and out of docs/language.md",
                case.at
            );
        }
    }
}

#[test]
fn a_policys_own_words_decide_its_tests() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases/parse/languages.handoff");
    let source = std::fs::read_to_string(&path).unwrap();
    let run = |source: &str| {
        let analysis = handoff::Analysis::new("languages.handoff", source);
        handoff::testing::run_file(&analysis, None).unwrap()
    };
    let report = run(&source);
    assert!(report.results.len() >= 2 && report.failed() == 0, "{report:#?}");
    // Without its own cues and fallback phrases, the policy reads both tests otherwise.
    let without = source
        .replace(r#"negations ["nix", "null Bock auf"]"#, "")
        .replace(r#"fallbacks ["Da muss ich passen", "Das weiß ich leider nicht"]"#, "");
    assert_eq!(run(&without).failed(), 2);
}

#[test]
fn two_languages_are_read_together() {
    let source = "policy \"case\" version 1\nlanguage \"de\"\nlanguage \"fr\"\nqueues {\n  general\n}\n\
                  rule human {\n  when customer.last mentions [\"Mitarbeiter\", \"conseiller\"] unless negated\n  escalate to general\n}\n\
                  rule stuck {\n  when fallbacks(bot.any) >= 2\n  escalate to general\n}\n";
    let policy = Policy::from_source("case.handoff", source).unwrap();
    for (text, escalates_) in [
        ("Ich brauche keinen Mitarbeiter", false),
        ("Je n'ai pas besoin d'un conseiller", false),
        ("Ich will einen Mitarbeiter", true),
        ("Je veux parler à un de vos conseillers", true),
    ] {
        assert_eq!(escalates(&policy, &conversation("customer", text)), escalates_, "{text:?}");
    }
    let json = serde_json::json!({"id": "c", "messages": [
        {"role": "bot", "text": "Das habe ich leider nicht verstanden."},
        {"role": "bot", "text": "Pourriez-vous reformuler votre question ?"},
    ]});
    let both = handoff::transcript::parse_json("c.json", &json.to_string()).unwrap();
    assert!(escalates(&policy, &both));
    // English is not declared: its fallbacks are not counted.
    let json = serde_json::json!({"id": "c", "messages": [
        {"role": "bot", "text": "Sorry, I didn't understand."},
        {"role": "bot", "text": "Could you rephrase your question?"},
    ]});
    assert!(!escalates(&policy, &handoff::transcript::parse_json("c.json", &json.to_string()).unwrap()));
}

#[test]
fn the_lint_learns_a_policys_own_ways_to_ask_for_a_person() {
    let lint_codes = |block: &str| {
        let source = format!(
            "policy \"case\" version 1\nlanguage \"de\"{block}\nqueues {{\n  general\n}}\n\
             rule callback {{\n  when customer.last mentions [\"Rückruf vom Fachmann\"] unless negated\n  escalate to general\n}}\n"
        );
        let ast = handoff::syntax::parse_policy(&source).unwrap();
        handoff::check::check(&ast)
            .iter()
            .filter_map(|d| miette::Diagnostic::code(d).map(|c| c.to_string()))
            .collect::<Vec<_>>()
    };
    assert!(lint_codes("").iter().any(|c| c == "handoff::lint::no_human_route"));
    assert!(lint_codes(" { person_requests [\"Rückruf vom Fachmann\"] }").is_empty());
}
