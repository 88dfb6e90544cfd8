//! Parser + checker + compiler on arbitrary text, with the oracle of issue 10:
//! a policy the checker accepts must compile, and a compiled policy must
//! evaluate and explain every conversation without panicking, the explained
//! decision being the plain one. Diagnostics must render. And the formatter's:
//! its output parses to the same tree, is idempotent, and decides the same.
#![no_main]

use handoff::analysis::Analysis;
use handoff::explain::evaluate_explained;
use handoff::syntax::{fmt::format_policy, parse_policy};
use handoff::transcript::{parse_json, Conversation};
use handoff::{Context, Mode, Policy};
use libfuzzer_sys::fuzz_target;

/// Conversations from the evaluation cases: escalations, offers, flags, annotations.
const CONVERSATIONS: [&str; 4] = [
    include_str!("../../tests/cases/eval/explicit_request.json"),
    include_str!("../../tests/cases/eval/looping_bot.json"),
    include_str!("../../tests/cases/eval/vip_annotated.json"),
    include_str!("../../tests/cases/eval/rising_frustration.json"),
];

fn conversations() -> Vec<Conversation> {
    CONVERSATIONS.iter().filter_map(|text| parse_json("case.json", text).ok()).collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else { return };
    let analysis = Analysis::new("fuzz.handoff", source);
    for report in analysis.reports() {
        let _ = handoff::render::plain(report.as_ref());
    }
    let formatted = parse_policy(source).ok().map(|ast| {
        let once = format_policy(&ast, source);
        let reparsed = parse_policy(&once).unwrap_or_else(|e| panic!("fmt output does not parse: {e:?}\n{once}"));
        assert!(reparsed == ast, "fmt changed the tree\n{once}");
        assert_eq!(format_policy(&reparsed, &once), once, "fmt is not idempotent");
        once
    });
    if analysis.ast.is_none() || analysis.has_errors() {
        assert!(Policy::from_analysis(&analysis).is_err(), "a policy with errors compiled");
        return;
    }
    let policy = match Policy::from_analysis(&analysis) {
        Ok(policy) => policy,
        Err(e) => panic!("check-clean policy failed to compile: {}", handoff::render::plain(&e)),
    };
    let context = Context::default();
    let reformatted = formatted.map(|once| {
        Policy::from_source("fuzz.handoff", &once)
            .unwrap_or_else(|e| panic!("the formatted policy does not compile: {e:?}\n{once}"))
    });
    for conversation in conversations() {
        let decision = policy.evaluate(&conversation, &context);
        if let Some(reformatted) = &reformatted {
            let mut after = reformatted.evaluate(&conversation, &context);
            after.policy = decision.policy.clone();
            assert_eq!(decision, after, "the formatted policy decides differently");
        }
        let (explained, explanation) = evaluate_explained(&policy, &conversation, &context, Mode::Live);
        assert_eq!(decision, explained, "the explained decision differs from the plain one");
        let _ = explanation.render();
        let finished = policy.evaluate_finished(&conversation, &context);
        let (explained, _) = evaluate_explained(&policy, &conversation, &context, Mode::Finished);
        assert_eq!(finished, explained, "the explained finished decision differs from the plain one");
        if let Some(rule) = &decision.rule {
            assert!(policy.rule_names().any(|r| r == rule), "decided by unknown rule {rule}");
        }
    }
});
