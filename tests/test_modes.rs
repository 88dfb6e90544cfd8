//! A policy's inline tests decided in their `mode`, through the path `handoff test`
//! takes (`testing::run_file`): the same conversation escalates live and decides
//! nothing finished.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use handoff::testing::{run_file, FileReport};
use handoff::{ActionKind, Analysis};

/// A rule on the latest customer message: it holds at message 2 and no longer at
/// the last one, 3.
const POLICY: &str = r#"policy "modes" version 1

queues {
  general "General support"
}

rule human {
  when customer.last mentions ["human"] unless negated
  escalate to general priority urgent
}

rule refund {
  when customer.last mentions ["refund"]
  escalate to general
}
"#;

/// Three customer messages; the refund is asked for at message 2 and dropped at 3.
const CONVERSATION: &str = r#"
  customer: "hello"
  customer: "I want a refund"
  customer: "never mind, it arrived"
"#;

fn report(tests: &str) -> FileReport {
    let analysis = Analysis::new("modes.handoff", format!("{POLICY}\n{tests}"));
    let errors: Vec<String> = analysis.errors().map(|p| handoff::render::plain(p)).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    run_file(&analysis, None).unwrap_or_else(|_| panic!("the policy does not compile"))
}

#[test]
fn the_same_conversation_escalates_live_and_decides_nothing_finished() {
    let report = report(&format!(
        "test \"live\" {{{CONVERSATION}  expect escalate to general by refund at message 2\n}}\n\
         test \"live, said\" {{\n  mode live{CONVERSATION}  expect escalate to general by refund at message 2\n}}\n\
         test \"finished\" {{{CONVERSATION}  expect nothing\n  mode finished\n}}\n"
    ));
    for r in &report.results {
        assert!(r.passed, "{} failed: {:?} (got {})", r.name, r.failures, r.actual());
    }
    let decisions: Vec<_> = report.results.iter().map(|r| r.decision.clone().unwrap()).collect();
    assert_eq!((decisions[0].action, decisions[0].at_message), (ActionKind::Escalate, Some(2)));
    assert_eq!(decisions[1], decisions[0]);
    assert_eq!((decisions[2].action, decisions[2].at_message), (ActionKind::None, None));
    // Finished, every message was read; live stopped at the escalation.
    assert_eq!((decisions[0].messages, decisions[2].messages), (2, 3));
    // A failure is explained on the state the test was decided on: the last message.
    assert_eq!(report.results[2].explanation.as_ref().unwrap().message, 3);
}

#[test]
fn each_mode_fails_the_other_modes_expectation() {
    let report = report(&format!(
        "test \"live expecting nothing\" {{{CONVERSATION}  expect nothing\n}}\n\
         test \"finished expecting the refund\" {{\n  mode finished{CONVERSATION}  expect escalate to general at message 3\n}}\n"
    ));
    let failures: Vec<(&str, &[String])> =
        report.results.iter().map(|r| (r.name.as_str(), r.failures.as_slice())).collect();
    assert_eq!(
        failures,
        [
            ("live expecting nothing", &["nothing".to_string()][..]),
            ("finished expecting the refund", &["escalate to general at message 3".to_string()][..]),
        ]
    );
}

#[test]
fn a_finished_test_reads_its_conversation_file_whole() {
    // The fixture's dispute is at message 3 of 3: live and finished agree there.
    let source = std::fs::read_to_string("tests/fixtures/suites/passing.handoff").unwrap();
    let finished = source.replace("conversation \"dispute.json\"", "mode finished\n  conversation \"dispute.json\"");
    assert_ne!(finished, source, "the fixture no longer reads dispute.json");
    let analysis = Analysis::new("tests/fixtures/suites/passing.handoff", finished);
    let report = run_file(&analysis, Some("from a file")).unwrap_or_else(|_| panic!("does not compile"));
    assert_eq!(report.results.len(), 1);
    assert!(report.results[0].passed, "{:?} (got {})", report.results[0].failures, report.results[0].actual());
}
