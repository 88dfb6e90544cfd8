//! Learnt intents in the language: declared in a policy and in example files
//! beside it, asked for with `says`, with evidence, explanations, hashes and
//! determinism. The fixture is `tests/fixtures/intents/support.handoff`.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use handoff::explain::evaluate_explained;
use handoff::transcript::parse_json;
use handoff::{Analysis, Context, Evidence, Mode, Policy};
use sha2::{Digest, Sha256};

const FIXTURE: &str = "tests/fixtures/intents/support.handoff";

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)
}

fn conversation(messages: &[&str]) -> handoff::transcript::Conversation {
    let messages: Vec<String> =
        messages.iter().map(|m| serde_json::json!({ "role": "customer", "text": m }).to_string()).collect();
    parse_json("c.json", &format!("{{\"id\": \"c\", \"messages\": [{}]}}", messages.join(","))).unwrap()
}

/// A directory of its own for a test that writes files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-intents-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("examples")).unwrap();
    dir
}

fn copy_fixture(dir: &Path) -> PathBuf {
    let policy = dir.join("support.handoff");
    std::fs::copy(fixture(), &policy).unwrap();
    let examples = fixture().parent().unwrap().join("examples/payments.intents");
    std::fs::copy(examples, dir.join("examples/payments.intents")).unwrap();
    policy
}

#[test]
fn the_fixture_checks_clean_and_its_inline_tests_pass() {
    let analysis = Analysis::read(&fixture()).unwrap();
    assert!(analysis.problems.is_empty(), "{:?}", analysis.problems);
    let report = handoff::testing::run_file(&analysis, None).unwrap();
    assert_eq!((report.passed(), report.failed()), (4, 0), "{:?}", report.results);
}

#[test]
fn the_evidence_names_the_intent_its_score_and_the_nearest_example_with_its_line() {
    let policy = Policy::load(fixture()).unwrap();
    let d = policy.evaluate(&conversation(&["hello", "I was charged two times for one order"]), &Context::default());
    assert_eq!((d.rule.as_deref(), d.at_message), (Some("dispute"), Some(2)));
    let Evidence::LearntIntent { message, intent, score, threshold, nearest } = &d.rules[0].evidence[0] else {
        panic!("{:?}", d.rules[0].evidence)
    };
    assert_eq!((*message, intent.as_str(), *threshold), (2, "dispute_charge", 0.7));
    assert!(*score >= 0.7 && *score <= 1.0, "{score}");
    let nearest = nearest.as_ref().unwrap();
    assert_eq!(nearest.text, "I was charged twice for the same order");
    // Named as the policy names the file, so the same on every machine.
    assert_eq!((nearest.file.as_deref(), nearest.line), (Some("examples/payments.intents"), Some(4)));
    let json = serde_json::to_string(&d).unwrap();
    assert!(json.contains(r#""kind":"learnt_intent""#) && json.contains(r#""threshold":0.7"#), "{json}");
}

#[test]
fn an_inline_example_is_located_on_its_policy_line() {
    let policy = Policy::load(fixture()).unwrap();
    let d = policy.evaluate(&conversation(&["please put me through to an agent"]), &Context::default());
    let Evidence::LearntIntent { nearest: Some(nearest), .. } = &d.rules[0].evidence[0] else { panic!("{d:?}") };
    assert_eq!((nearest.text.as_str(), nearest.line), ("put me through to an agent", Some(13)));
    assert!(nearest.file.as_deref().unwrap().ends_with("support.handoff"), "{nearest:?}");
}

#[test]
fn explain_shows_the_score_of_a_learnt_intent_said_or_not() {
    let policy = Policy::load(fixture()).unwrap();
    let c = conversation(&["hello", "I was charged two times for one order"]);
    let (_, explanation) = evaluate_explained(&policy, &c, &Context::default(), Mode::Live);
    let text = explanation.render();
    assert!(text.contains("customer.last says request_person = false (message 2 scores 0."), "{text}");
    assert!(text.contains("says dispute_charge (score 0.") && text.contains("examples/payments.intents:4"), "{text}");
}

#[test]
fn the_upstream_annotation_keeps_working_beside_a_learnt_intent() {
    let policy = Policy::load(fixture()).unwrap();
    let c = parse_json(
        "c.json",
        r#"{"id": "c", "messages": [{"role": "customer", "text": "hmm", "intent": "chargeback", "confidence": 0.9}]}"#,
    )
    .unwrap();
    let d = policy.evaluate(&c, &Context::default());
    assert_eq!(d.rule.as_deref(), Some("dispute"));
    assert!(matches!(&d.rules[0].evidence[..], [Evidence::Intent { intent, .. }] if intent == "chargeback"), "{d:?}");
}

#[test]
fn the_policy_hash_includes_what_the_intents_were_learnt_from() {
    let dir = scratch("hash");
    let path = copy_fixture(&dir);
    let text = std::fs::read_to_string(&path).unwrap();
    let first = Policy::load(&path).unwrap();
    let text_hash: String = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_ne!(first.hash(), text_hash, "the hash must include the model's fingerprint");
    assert_eq!(first.example_files().len(), 1);
    // A comment in the example file teaches nothing: same hash.
    let examples = dir.join("examples/payments.intents");
    let original = std::fs::read_to_string(&examples).unwrap();
    std::fs::write(&examples, format!("# a new comment\n{original}")).unwrap();
    assert_eq!(Policy::load(&path).unwrap().hash(), first.hash());
    // Another example: another version.
    std::fs::write(&examples, format!("{original}- refund me now\n")).unwrap();
    assert_ne!(Policy::load(&path).unwrap().hash(), first.hash());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn decisions_are_byte_identical_across_compiles_and_threads() {
    const MESSAGES: [&str; 5] = [
        "hi there",
        "I need a live agent",
        "someone took money from my card twice",
        "where is my money back",
        "no, you don't need to transfer me to a real person",
    ];
    let decide = || {
        let policy = Policy::load(fixture()).unwrap();
        MESSAGES
            .iter()
            .map(|m| {
                serde_json::to_string(&policy.evaluate(&conversation(&["hello", m]), &Context::default())).unwrap()
            })
            .collect::<Vec<_>>()
    };
    let here = decide();
    let threads: Vec<_> = (0..4).map(|_| std::thread::spawn(decide)).collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), here);
    }
}

#[test]
fn a_policy_given_as_text_does_not_read_example_files() {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let error = Policy::from_source("support.handoff", &text).unwrap_err();
    let codes: Vec<String> = error.errors.iter().map(|e| miette::Diagnostic::code(e).unwrap().to_string()).collect();
    assert_eq!(codes, ["handoff::check::unreadable_examples"]);
    // Given its directory, it reads them.
    let dir = fixture().parent().unwrap().to_path_buf();
    assert!(Policy::from_source_in("support.handoff", &text, &dir).is_ok());
}

#[test]
fn check_reports_each_intents_precision_and_recall_as_text_and_json() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run(&["check", FIXTURE]);
    assert!(text.starts_with(&format!("intents of {FIXTURE} (5-fold cross-validation):")), "{text}");
    for name in ["request_person", "dispute_charge", "refund"] {
        assert!(text.lines().any(|l| l.trim_start().starts_with(name)), "{text}");
    }
    let json = run(&["check", "--format", "json", FIXTURE]);
    let report: serde_json::Value = json
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["intent_quality"].is_object())
        .unwrap();
    let intents = report["intent_quality"]["intents"].as_array().unwrap();
    assert_eq!(intents.len(), 3);
    assert_eq!(intents[0]["threshold"], 0.6);
    assert!(intents.iter().all(|i| i["recall"].as_f64().is_some_and(|r| (0.0..=1.0).contains(&r))), "{json}");
}
