//! Every example in docs/language.md is checked: whole policies check clean and
//! their inline tests pass, expressions type-check, error examples give their code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use handoff::testing::run_file;
use handoff::Analysis;
use miette::Diagnostic;

const DOC: &str = include_str!("../docs/language.md");

/// (fence language, code, 1-based line of the fence)
fn blocks() -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String, usize)> = None;
    for (i, line) in DOC.lines().enumerate() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(lang)) => current = Some((lang.trim().to_string(), String::new(), i + 1)),
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some((_, code, _)), None) => {
                code.push_str(line);
                code.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

fn errors(a: &Analysis) -> Vec<String> {
    a.errors().map(|p| handoff::render::plain(p)).collect()
}

#[test]
fn policy_examples_check_and_their_tests_pass() {
    let mut seen = 0;
    for (lang, code, line) in blocks().into_iter().filter(|b| b.0 == "handoff") {
        let _ = lang;
        let a = Analysis::new(format!("docs/language.md:{line}"), code);
        assert!(errors(&a).is_empty(), "example at line {line}:\n{}", errors(&a).join("\n"));
        let report = run_file(&a, None).unwrap_or_else(|_| panic!("example at line {line} does not compile"));
        for t in &report.results {
            assert!(
                t.passed,
                "example at line {line}: test {:?} fails: {:?} actual {}",
                t.name,
                t.failures,
                t.actual()
            );
        }
        seen += 1;
    }
    assert!(seen >= 10, "only {seen} policy examples found");
}

#[test]
fn expression_examples_type_check() {
    let mut seen = 0;
    for (_, code, line) in blocks().into_iter().filter(|b| b.0 == "handoff-expr") {
        let src = format!(
            "policy \"x\" version 1\nqueues {{\n  general \"G\"\n}}\nrule r {{\n  when {}\n  escalate to general\n}}\n",
            code.trim()
        );
        let a = Analysis::new(format!("docs/language.md:{line}"), src);
        assert!(errors(&a).is_empty(), "expression at line {line}:\n{}", errors(&a).join("\n"));
        seen += 1;
    }
    assert!(seen >= 4, "only {seen} expression examples found");
}

#[test]
fn error_examples_give_their_code() {
    let mut seen = 0;
    for (_, code, line) in blocks().into_iter().filter(|b| b.0 == "handoff-error") {
        let expected =
            code.lines().next().and_then(|l| l.strip_prefix("# error: ")).expect("first line names the code");
        let a = Analysis::new("example", code.clone());
        let codes: Vec<String> = a.problems.iter().filter_map(|p| p.code().map(|c| c.to_string())).collect();
        assert!(codes.iter().any(|c| c == expected), "example at line {line}: expected {expected}, got {codes:?}");
        seen += 1;
    }
    assert!(seen >= 3);
}
