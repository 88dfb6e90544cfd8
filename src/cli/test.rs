//! `handoff test`: run the inline tests of policies, with rule coverage;
//! text for people, JSON or JUnit XML for CI.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;

use super::{files, EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite, XmlString};

use crate::render;
use crate::testing::{run_file, FileReport};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    Text,
    Json,
    Junit,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy files or directories (searched for *.handoff).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Only run tests whose name contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Fail when fewer than this percentage of rules fire in some test.
    #[arg(long, value_name = "PCT")]
    coverage_min: Option<f64>,
    /// text for people; json or junit (XML) for CI.
    #[arg(long, value_enum, default_value = "text")]
    format: TestFormat,
}

pub fn run(args: Args) -> u8 {
    let analyses = match files::read_policies(&args.paths) {
        Ok(a) => a,
        Err(e) => return e.report(),
    };
    let mut reports = Vec::new();
    let mut broken = false;
    for analysis in &analyses {
        match run_file(analysis, args.filter.as_deref()) {
            Ok(r) => reports.push(r),
            Err(e) => {
                broken = true;
                eprint!("{}", render::graphical(&e));
            }
        }
    }
    let totals = Totals::of(&reports);
    let output = match args.format {
        TestFormat::Text => text(&reports, &totals),
        TestFormat::Json => json(&reports, &totals),
        TestFormat::Junit => match junit(&reports) {
            Ok(xml) => xml,
            Err(e) => {
                eprintln!("error: cannot write the JUnit report: {e}");
                return EXIT_USAGE;
            }
        },
    };
    super::emit(&output);
    if broken {
        return EXIT_USAGE;
    }
    let coverage_failed = args.coverage_min.is_some_and(|min| totals.coverage_pct() + 1e-9 < min);
    if coverage_failed {
        eprintln!(
            "error: rule coverage {:.1}% is below the minimum {:.1}%",
            totals.coverage_pct(),
            args.coverage_min.unwrap_or(0.0)
        );
    }
    if totals.failed > 0 || coverage_failed {
        EXIT_FAIL
    } else {
        EXIT_OK
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub rules: usize,
    pub covered: usize,
}

impl Totals {
    fn of(reports: &[FileReport]) -> Totals {
        let mut t = Totals::default();
        for r in reports {
            t.passed += r.passed();
            t.failed += r.failed();
            t.rules += r.coverage.len();
            t.covered += r.covered();
        }
        t
    }

    pub fn coverage_pct(&self) -> f64 {
        if self.rules == 0 {
            100.0
        } else {
            100.0 * self.covered as f64 / self.rules as f64
        }
    }
}

/// The report for people. Durations are left out of snapshot-stable output only
/// when `HANDOFF_TEST_NO_TIMES` is set.
pub fn text(reports: &[FileReport], totals: &Totals) -> String {
    let show_times = std::env::var_os("HANDOFF_TEST_NO_TIMES").is_none();
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(out, "{} ({})", r.file, r.policy);
        for t in &r.results {
            let mark = if t.passed { "ok  " } else { "FAIL" };
            let time =
                if show_times { format!(" ({:.2} ms)", t.duration.as_secs_f64() * 1000.0) } else { String::new() };
            let _ = writeln!(out, "  {mark} {}{time}", t.name);
            if t.passed {
                continue;
            }
            if let Some(e) = &t.error {
                let _ = writeln!(out, "       error:    {e}");
                continue;
            }
            let _ = writeln!(out, "       at:       {}:{}", r.file, t.line);
            for f in &t.failures {
                let _ = writeln!(out, "       expected: {f}");
            }
            let _ = writeln!(out, "       actual:   {}", t.actual());
            if let Some(d) = &t.decision {
                for f in &d.rules {
                    let _ = writeln!(out, "       fired:    {} at message {}", f.rule, f.message);
                }
            }
            if let Some(x) = &t.explanation {
                // Only the rules that fired or were expected, unless none did.
                let mut x = x.clone();
                if !t.relevant_rules.is_empty() {
                    x.rules.retain(|r| t.relevant_rules.contains(&r.rule));
                }
                for line in x.render().lines() {
                    let _ = writeln!(out, "       | {line}");
                }
            }
        }
        let _ = writeln!(out, "  coverage: {}/{} rules", r.covered(), r.coverage.len());
        for c in r.coverage.iter().filter(|c| c.tests == 0) {
            let _ = writeln!(out, "    uncovered: {}", c.rule);
        }
        for c in r.coverage.iter().filter(|c| c.tests > 0) {
            let _ = writeln!(out, "    {:>3} test(s) fire {}", c.tests, c.rule);
        }
    }
    let _ = writeln!(out, "rule coverage: {}/{} ({:.1}%)", totals.covered, totals.rules, totals.coverage_pct());
    let _ = writeln!(out, "{} passed, {} failed", totals.passed, totals.failed);
    out
}

fn json(reports: &[FileReport], totals: &Totals) -> String {
    let value = serde_json::json!({ "files": reports, "totals": totals, "coverage_pct": totals.coverage_pct() });
    format!("{}\n", serde_json::to_string_pretty(&value).unwrap_or_default())
}

/// The JUnit XML report, written by `quick-junit` (its schema, escaping, and the removal of
/// characters XML cannot hold). A failed test is a `<failure>` whose message says what was
/// expected and what happened, and whose text is the test's `file:line`.
fn junit(reports: &[FileReport]) -> Result<String, quick_junit::SerializeError> {
    let mut report = Report::unnamed();
    for r in reports {
        let mut suite = TestSuite::new(r.file.as_str());
        let time: f64 = r.results.iter().map(|t| t.duration.as_secs_f64()).sum();
        suite.extra.extend([time_attribute(time)]);
        for t in &r.results {
            let status = if t.passed {
                TestCaseStatus::success()
            } else {
                let message = match &t.error {
                    Some(e) => e.clone(),
                    None => format!("expected {}; actual {}", t.failures.join("; "), t.actual()),
                };
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(message).set_description(format!("{}:{}", r.file, t.line));
                status
            };
            let mut case = TestCase::new(t.name.as_str(), status);
            case.set_classname(r.policy.as_str());
            case.extra.extend([time_attribute(t.duration.as_secs_f64())]);
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report.to_string()
}

/// Times in seconds to the microsecond: quick-junit's own `time` rounds to the millisecond,
/// which reads 0.000 for nearly every policy test.
fn time_attribute(seconds: f64) -> (XmlString, XmlString) {
    (XmlString::new("time"), XmlString::new(format!("{seconds:.6}")))
}
