//! Policy tests: running the inline `test` blocks of policy files, with rule coverage.

pub(crate) mod case;
pub(crate) mod run;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::analysis::{Analysis, PolicyError};
use crate::eval::Policy;
use crate::syntax::ast::Item;
pub use run::TestResult;

/// The tests of one policy file and how much of it they cover.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The policy file (as named).
    pub file: String,
    /// The policy's name.
    pub policy: String,
    /// Each test's outcome, in source order.
    pub results: Vec<TestResult>,
    /// For each rule in policy order: how many tests made it fire.
    pub coverage: Vec<RuleCoverage>,
}

#[derive(Debug, Clone, Serialize)]
/// How many tests made one rule fire.
pub struct RuleCoverage {
    /// The rule's name.
    pub rule: String,
    /// How many tests it fired in.
    pub tests: usize,
}

impl FileReport {
    /// How many tests passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed).count()
    }
    /// How many tests failed (or could not run).
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }
    /// How many rules some test made fire.
    pub fn covered(&self) -> usize {
        self.coverage.iter().filter(|c| c.tests > 0).count()
    }
}

/// Runs the tests of an analysed policy whose name matches `filter` (a substring).
/// `Err` carries every problem that stops the policy from running.
pub fn run_file(analysis: &Analysis, filter: Option<&str>) -> Result<FileReport, PolicyError> {
    let policy = Policy::from_analysis(analysis)?;
    let Some(ast) = &analysis.ast else { return Err(PolicyError::from_analysis(analysis)) };
    let dir = Path::new(&analysis.name).parent().unwrap_or(Path::new("."));
    let mut fired: BTreeMap<&str, usize> = policy.rule_names().map(|r| (r, 0)).collect();
    let mut results = Vec::new();
    for item in &ast.items {
        let Item::Test(test) = item else { continue };
        if filter.is_some_and(|f| !test.name.node.contains(f)) {
            continue;
        }
        let result = match case::build(test, &analysis.source, dir) {
            Ok(case) => run::run(&policy, &case),
            Err(e) => {
                let line = analysis.line_col(test.span.offset()).0;
                TestResult::errored(&test.name.node, line, e)
            }
        };
        if let Some(d) = &result.decision {
            for f in &d.rules {
                if let Some(n) = fired.get_mut(f.rule.as_str()) {
                    *n += 1;
                }
            }
        }
        results.push(result);
    }
    let coverage = policy
        .rule_names()
        .map(|r| RuleCoverage { rule: r.to_string(), tests: fired.get(r).copied().unwrap_or(0) })
        .collect();
    Ok(FileReport { file: analysis.name.clone(), policy: policy.name().to_string(), results, coverage })
}
