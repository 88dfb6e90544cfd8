//! Decisions and explanations of the shipped policy over the seed scenarios in
//! tests/cases/eval/ (a `NAME.context` file beside a conversation is its context).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use handoff::explain::evaluate_explained;
use handoff::render::summary;
use handoff::{Context, Mode, Policy};

fn policy() -> Policy {
    Policy::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/payments.handoff")).unwrap()
}

#[test]
fn seed_scenarios() {
    let policy = policy();
    let hash = policy.hash().to_string();
    insta::glob!("cases/eval/*.json", |path| {
        let conversation = handoff::transcript::read_json_file(path).unwrap();
        let context_path = path.with_extension("context");
        let context = match std::fs::read_to_string(&context_path) {
            Ok(text) => Context::from_json(&text).unwrap(),
            Err(_) => Context::default(),
        };
        let (decision, explanation) = evaluate_explained(&policy, &conversation, &context, Mode::Live);
        // The policy's hash changes with every edit of the policy; the rest must not drift.
        let json = serde_json::to_string_pretty(&decision).unwrap().replace(&hash, "[policy hash]");
        let text = summary(&conversation.id, &decision).replace(&hash[..12], "[hash]");
        insta::assert_snapshot!(format!("{text}\n{}\n{json}", explanation.render()));
    });
}

#[test]
fn seed_scenarios_cover_the_mission() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/eval");
    for name in [
        "payment_dispute",
        "refund",
        "loyalty_points",
        "payment_hardship",
        "app_login",
        "looping_bot",
        "repeated_not_understood",
        "rising_frustration",
        "explicit_request",
        "vulnerable_customer",
        "dispute_after_hours",
    ] {
        assert!(dir.join(format!("{name}.json")).exists(), "missing scenario {name}");
    }
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let policy = policy();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/eval");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let c = handoff::transcript::read_json_file(&path).unwrap();
        let first = serde_json::to_vec(&policy.evaluate(&c, &Context::default())).unwrap();
        for _ in 0..3 {
            assert_eq!(first, serde_json::to_vec(&policy.evaluate(&c, &Context::default())).unwrap());
        }
    }
}

/// Every scenario with its context, read from tests/cases/eval/.
fn scenarios() -> Vec<(handoff::Conversation, Context)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/eval");
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let context = std::fs::read_to_string(path.with_extension("context"))
                .map_or_else(|_| Context::default(), |text| Context::from_json(&text).unwrap());
            (handoff::transcript::read_json_file(&path).unwrap(), context)
        })
        .collect()
}

#[test]
fn outcomes_agree_with_decisions_and_decision_for_rebuilds_them() {
    let policy = policy();
    let mut decided = [0, 0];
    for (c, context) in scenarios() {
        for (m, mode) in [Mode::Live, Mode::Finished].into_iter().enumerate() {
            let decision = policy.evaluate_as(&c, &context, mode);
            let outcome = policy.outcome(&c, &context, mode);
            let seen = (
                outcome.action,
                outcome.rule.map(|r| policy.rule_name(r).unwrap()),
                outcome.queue.map(|q| policy.queue_name(q).unwrap()),
                outcome.fallback,
                outcome.priority,
                outcome.at_message,
                outcome.messages,
                outcome.mode,
            );
            let expected = (
                decision.action,
                decision.rule.as_deref(),
                decision.queue.as_deref(),
                decision.fallback_from.is_some(),
                decision.priority,
                decision.at_message,
                decision.messages,
                mode,
            );
            assert_eq!(seen, expected, "{} {mode:?}", c.id);
            assert_eq!(policy.decision_for(&outcome, &c, &context), decision, "{} {mode:?}", c.id);
            decided[m] += usize::from(outcome.rule.is_some());
        }
    }
    // The scenarios exercise the comparison: most of them decide something in each mode.
    assert!(decided.iter().all(|&n| n >= 5), "{decided:?}");
}
