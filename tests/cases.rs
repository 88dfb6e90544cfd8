//! Folder-driven snapshot tests: dropping a `.handoff` file into `tests/cases/errors`
//! or `tests/cases/parse` adds a case. Diagnostics are rendered without colour, so the
//! snapshots are the exact words, spans and help a person sees.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use handoff::syntax::{fmt::format_policy, parse_policy, parser::comments};
use handoff::Analysis;
use miette::Diagnostic;

/// The source files that declare every diagnostic code.
const ERROR_SOURCES: &[&str] =
    &[include_str!("../src/syntax/err.rs"), include_str!("../src/check/err.rs"), include_str!("../src/intent/err.rs")];

/// The error cases' example files (`intents from "..."`) are read relative to this,
/// the working directory of the tests, so snapshots hold no machine path.
const ERRORS_DIR: &str = "tests/cases/errors";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The name diagnostics show: the path below `dir`, so snapshots hold no machine path.
fn relative_name(path: &Path, dir: &str) -> String {
    let dir = root().join(dir);
    path.strip_prefix(&dir).unwrap_or(path).display().to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every problem of a file, rendered as a person would see it, one after the other;
/// with the learnt intents' quality warnings, as `handoff check` shows them.
fn rendered_problems(analysis: &Analysis) -> String {
    let mut out: Vec<String> = analysis.reports().iter().map(|r| handoff::render::plain(r.as_ref())).collect();
    for p in all_problems(analysis).into_iter().skip(analysis.problems.len()) {
        let report =
            miette::Report::new(p).with_source_code(miette::NamedSource::new(&analysis.name, analysis.source.clone()));
        out.push(handoff::render::plain(report.as_ref()));
    }
    out.join("\n")
}

/// The problems of a file and those of its intents' quality report.
fn all_problems(analysis: &Analysis) -> Vec<handoff::analysis::Problem> {
    let mut problems = analysis.problems.clone();
    if let Some((_, quality)) = analysis.intent_quality() {
        problems.extend(quality);
    }
    problems
}

fn error_case(path: &Path) -> Analysis {
    Analysis::new_in(relative_name(path, ERRORS_DIR), read(path), Some(Path::new(ERRORS_DIR)))
}

#[test]
fn errors() {
    insta::glob!("cases/errors/*.handoff", |path| {
        let analysis = error_case(path);
        insta::assert_snapshot!(rendered_problems(&analysis));
        assert!(!all_problems(&analysis).is_empty(), "{} is an error case but has no problem", path.display());
    });
}

#[test]
fn parse() {
    insta::glob!("cases/parse/*.handoff", |path| {
        let source = read(path);
        let analysis = Analysis::new(relative_name(path, "tests/cases/parse"), source.clone());
        assert!(
            analysis.problems.is_empty(),
            "{} is a valid policy but has problems:\n{}",
            path.display(),
            rendered_problems(&analysis)
        );
        let ast = parse_policy(&source).unwrap();
        insta::assert_snapshot!("ast", handoff::syntax::sexpr::policy(&ast));
        insta::assert_snapshot!("formatted", format_policy(&ast, &source));
    });
}

/// Every diagnostic code declared in the error sources, such as `handoff::check::arity`.
fn declared_codes() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for source in ERROR_SOURCES {
        let mut rest = *source;
        while let Some(at) = rest.find("code(handoff::") {
            let after = &rest[at + "code(".len()..];
            let end = after.find(')').expect("a `code(` is closed");
            codes.insert(after[..end].to_string());
            rest = &after[end..];
        }
    }
    codes
}

#[test]
fn every_code_has_an_error_case() {
    let declared = declared_codes();
    for family in ["handoff::syntax::", "handoff::check::", "handoff::lint::"] {
        assert!(declared.iter().any(|c| c.starts_with(family)), "no code found for {family}: did the sources move?");
    }
    let mut seen = BTreeSet::new();
    for path in handoff_files(&root().join("tests/cases/errors")) {
        let analysis = error_case(&path);
        for p in &all_problems(&analysis) {
            seen.insert(p.code().expect("every problem has a code").to_string());
        }
    }
    let missing: Vec<&String> = declared.difference(&seen).collect();
    assert!(missing.is_empty(), "these codes have no case in tests/cases/errors: {missing:?}");
    let undeclared: Vec<&String> = seen.difference(&declared).collect();
    assert!(undeclared.is_empty(), "the cases produce codes the sources do not declare: {undeclared:?}");
}

/// Every `.handoff` file below `dir`, sorted, skipping build output and hidden folders.
fn handoff_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    pending.push(path);
                }
            } else if name.ends_with(".handoff") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn comment_texts(source: &str) -> Vec<String> {
    comments(source).iter().map(|s| source[s.offset()..s.offset() + s.len()].trim_end().to_string()).collect()
}

/// Formatting is idempotent, keeps every comment and never changes meaning, for every
/// policy in the repository that parses.
#[test]
fn formatter_properties_hold_for_every_policy() {
    let files = handoff_files(&root());
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in &files {
        let source = read(path);
        let Ok(ast) = parse_policy(&source) else { continue };
        checked += 1;
        let name = path.strip_prefix(root()).unwrap_or(path).display().to_string();
        let once = format_policy(&ast, &source);
        let reparsed = match parse_policy(&once) {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{name}: the formatted text does not parse: {e}\n{once}"));
                continue;
            }
        };
        if reparsed != ast {
            failures.push(format!("{name}: formatting changed the meaning\n{once}"));
        }
        let twice = format_policy(&reparsed, &once);
        if twice != once {
            failures.push(format!("{name}: formatting is not idempotent\n--- once\n{once}\n--- twice\n{twice}"));
        }
        let (before, after) = (comment_texts(&source), comment_texts(&once));
        if before != after {
            failures.push(format!("{name}: comments changed\nbefore: {before:?}\nafter:  {after:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    let parse_cases = handoff_files(&root().join("tests/cases/parse")).len();
    assert!(parse_cases >= 8 && checked >= parse_cases, "only {checked} policies were checked");
}
