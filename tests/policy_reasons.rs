//! policies/README.md says every rule needs a `reason`: the shipped policies are
//! checked with the `missing_reason` lint turned on, as a folder of policies would
//! turn it on with `# handoff: warn(missing_reason)`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use handoff::Analysis;
use miette::Diagnostic;

const WARN: &str = "# handoff: warn(missing_reason)\n";

fn missing_reasons(name: &str, source: &str) -> Vec<String> {
    let a = Analysis::new(name, format!("{WARN}{source}"));
    a.problems
        .iter()
        .filter(|p| p.code().is_some_and(|c| c.to_string() == "handoff::lint::missing_reason"))
        .map(|p| handoff::render::plain(p))
        .collect()
}

#[test]
fn every_shipped_rule_has_a_reason() {
    let readme = std::fs::read_to_string("policies/README.md").unwrap();
    assert!(readme.contains("Every rule needs a `reason`"), "policies/README.md no longer asks for reasons");
    let mut seen = 0;
    for entry in std::fs::read_dir("policies").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "handoff") {
            let source = std::fs::read_to_string(&path).unwrap();
            let missing = missing_reasons(&path.display().to_string(), &source);
            assert!(missing.is_empty(), "{}:\n{}", path.display(), missing.join("\n"));
            seen += 1;
        }
    }
    assert!(seen >= 2, "only {seen} policies found");
}

#[test]
fn the_lint_finds_a_rule_without_a_reason() {
    let source =
        "policy \"p\" version 1\nqueues {\n  general \"G\"\n}\nrule r {\n  when turns > 3\n  escalate to general\n}\n";
    assert_eq!(missing_reasons("p", source).len(), 1);
    // Off unless asked for: a policy without the comment is not warned.
    let quiet = Analysis::new("p", source);
    assert!(!quiet.problems.iter().any(|p| p.code().is_some_and(|c| c.to_string().ends_with("missing_reason"))));
}
