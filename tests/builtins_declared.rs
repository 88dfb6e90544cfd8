//! Every built-in is declared once (`handoff::lang::builtins`), and that declaration
//! is held to the rest of the project: the docs' table says exactly its documentation
//! line, a parse case writes it, and an evaluation case decides with it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use handoff::lang::builtins::{FUNCTIONS, VARIABLES};
use handoff::testing::run_file;
use handoff::Analysis;

const DOC: &str = include_str!("../docs/language.md");

/// The text of every file under `dir` with extension `ext`, with its path.
fn files(dir: &Path, ext: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out
}

/// Whether `text` uses the built-in `name` as a whole word (`turns`, not `returns`).
fn uses(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !word(before) && !word(after)
    })
}

#[test]
fn every_builtin_is_documented_as_declared() {
    let rows: Vec<&str> = DOC.lines().filter(|l| l.starts_with("| `")).collect();
    let mut missing = Vec::new();
    for f in FUNCTIONS {
        let row = format!("| `{}` | {} |", f.usage, f.doc);
        if !rows.contains(&row.as_str()) {
            missing.push(row);
        }
    }
    for v in VARIABLES {
        let row = format!("| `{}` | {} |", v.name, v.doc);
        if !rows.contains(&row.as_str()) {
            missing.push(row);
        }
    }
    assert!(missing.is_empty(), "docs/language.md lacks these table rows (as declared):\n{}", missing.join("\n"));
}

#[test]
fn every_builtin_has_a_parse_case_and_an_evaluation_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let parse_cases = files(&root.join("tests/cases/parse"), "handoff");
    assert!(!parse_cases.is_empty(), "no parse cases found");
    let names = FUNCTIONS.iter().map(|f| (f.name, true)).chain(VARIABLES.iter().map(|v| (v.name, false)));
    let mut problems = Vec::new();
    for (name, is_function) in names {
        let writes = |text: &str| {
            if is_function {
                text.contains(&format!(" {name}(")) || text.contains(&format!("({name}("))
            } else {
                uses(text, name)
            }
        };
        if !parse_cases.iter().any(|(_, text)| writes(text)) {
            problems.push(format!("`{name}` has no parse case in tests/cases/parse/"));
        }
        let case = root.join(format!("tests/cases/builtins/{name}.handoff"));
        let Ok(text) = std::fs::read_to_string(&case) else {
            problems.push(format!("`{name}` has no evaluation case {}", case.display()));
            continue;
        };
        if !writes(&text) {
            problems.push(format!("{} does not use `{name}`", case.display()));
        }
        let analysis = Analysis::new(case.display().to_string(), text);
        let errors: Vec<String> = analysis.errors().map(|p| handoff::render::plain(p)).collect();
        if !errors.is_empty() {
            problems.push(format!("{}: {}", case.display(), errors.join("; ")));
            continue;
        }
        let report = run_file(&analysis, None).unwrap();
        // A case shows the signal both deciding and not deciding: two tests at least.
        if report.results.len() < 2 {
            problems.push(format!("{} has {} tests, not 2 or more", case.display(), report.results.len()));
        }
        for t in report.results.iter().filter(|t| !t.passed) {
            problems.push(format!(
                "{}: test {:?} fails: {:?} actual {}",
                case.display(),
                t.name,
                t.failures,
                t.actual()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// No case is left over from a built-in that no longer exists.
#[test]
fn every_evaluation_case_is_a_builtin() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cases = files(&root.join("tests/cases/builtins"), "handoff");
    assert!(!cases.is_empty(), "no evaluation cases found");
    for (path, _) in cases {
        let stem = Path::new(&path).file_stem().unwrap().to_string_lossy().to_string();
        assert!(
            FUNCTIONS.iter().any(|f| f.name == stem) || VARIABLES.iter().any(|v| v.name == stem),
            "{path} names no built-in"
        );
    }
}
