//! Running test cases against a compiled policy and judging their expectations.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::case::TestCase;
use crate::eval::explain::{evaluate_explained, Explanation};
use crate::eval::{ActionKind, Decision, Policy};
use crate::render::summary;
use crate::syntax::ast::{Expectation, Expected};

/// The outcome of one test.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// The 1-based line of its `test` keyword.
    pub line: usize,
    /// Whether every expectation held.
    pub passed: bool,
    /// Each expectation that did not hold: what was expected.
    pub failures: Vec<String>,
    /// A problem that stopped the test from running (a bad conversation file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The decision it got, when it ran.
    pub decision: Option<Decision>,
    #[serde(skip)]
    /// Every rule's condition with its values, for explaining a failure.
    pub explanation: Option<Explanation>,
    /// The rules worth showing for a failure: those that fired and those expected.
    #[serde(skip)]
    pub relevant_rules: Vec<String>,
    #[serde(serialize_with = "micros")]
    /// How long it took.
    pub duration: Duration,
}

fn micros<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_micros() as u64)
}

impl TestResult {
    /// A test that could not run, for `error`.
    pub fn errored(name: &str, line: usize, error: String) -> TestResult {
        TestResult {
            name: name.to_string(),
            line,
            passed: false,
            failures: Vec::new(),
            error: Some(error),
            decision: None,
            explanation: None,
            relevant_rules: Vec::new(),
            duration: Duration::ZERO,
        }
    }

    /// The decision in words, for the side-by-side view.
    pub fn actual(&self) -> String {
        match &self.decision {
            Some(d) => summary("", d)
                .lines()
                .next()
                .map(|l| l.trim_start_matches("conversation : ").to_string())
                .unwrap_or_default(),
            None => "(not evaluated)".into(),
        }
    }
}

/// Runs one case.
pub fn run(policy: &Policy, case: &TestCase) -> TestResult {
    let start = Instant::now();
    let (decision, explanation) = evaluate_explained(policy, &case.conversation, &case.context, case.mode);
    let duration = start.elapsed();
    let failed: Vec<&Expectation> = case.expectations.iter().filter(|e| !holds(e, &decision)).collect();
    let failures: Vec<String> = failed.iter().map(|e| describe(e)).collect();
    let mut relevant_rules: Vec<String> = decision.rules.iter().map(|f| f.rule.clone()).collect();
    for e in &failed {
        relevant_rules.extend(e.by.iter().map(|b| b.node.clone()));
    }
    TestResult {
        name: case.name.clone(),
        line: case.line,
        passed: failures.is_empty(),
        failures,
        error: None,
        decision: Some(decision),
        explanation: Some(explanation),
        relevant_rules,
        duration,
    }
}

/// Whether an expectation holds for a decision.
pub fn holds(e: &Expectation, d: &Decision) -> bool {
    let action_ok = match &e.expected.node {
        Expected::Nothing => d.action == ActionKind::None,
        Expected::NoEscalation { before: None } => d.action != ActionKind::Escalate,
        Expected::NoEscalation { before: Some(n) } => {
            d.action != ActionKind::Escalate || d.at_message.is_some_and(|at| at >= n.node)
        }
        Expected::Escalate { queue, priority } => {
            d.action == ActionKind::Escalate
                && d.queue.as_deref() == Some(queue.node.as_str())
                && priority.as_ref().is_none_or(|p| d.priority.is_some_and(|dp| dp.as_str() == p.node))
        }
        Expected::Offer { via, priority } => {
            d.action == ActionKind::Offer
                && via.as_ref().is_none_or(|q| d.queue.as_deref() == Some(q.node.as_str()))
                && priority.as_ref().is_none_or(|p| d.priority.is_some_and(|dp| dp.as_str() == p.node))
        }
        Expected::Flag { label } => d.flags.contains(&label.node),
    };
    let by_ok = e.by.iter().all(|rule| d.rules.iter().any(|f| f.rule == rule.node))
        && (e.by.is_empty() || d.rule.as_ref().is_some_and(|r| e.by.iter().any(|b| b.node == *r)) || is_flag(e));
    let at_ok = match &e.at {
        None => true,
        Some(n) if is_flag(e) => d.rules.iter().any(|f| f.message == n.node && f.action == ActionKind::Flag),
        Some(n) => d.at_message == Some(n.node),
    };
    action_ok && by_ok && at_ok
}

fn is_flag(e: &Expectation) -> bool {
    matches!(e.expected.node, Expected::Flag { .. })
}

/// An expectation in the words it was written in.
pub fn describe(e: &Expectation) -> String {
    crate::syntax::fmt::expectation(e)
}
