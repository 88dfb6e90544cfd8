//! `handoff check`: diagnostics for people (graphical) or for CI (JSON Lines).

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use serde::Serialize;

use super::{files, Format, EXIT_FAIL, EXIT_OK};
use crate::analysis::{Analysis, Problem};
use crate::check::context::{check_context_file, ContextFileProblem};
use crate::render;
use crate::source_lines::SourceLines;
use crate::syntax::ast;

pub fn run(paths: &[PathBuf], deny_warnings: bool, format: Format, context: Option<&Path>) -> u8 {
    let analyses = match files::read_policies(paths) {
        Ok(a) => a,
        Err(e) => return e.report(),
    };
    let context = match context.map(|path| std::fs::read_to_string(path).map(|text| (path, text))).transpose() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {}: {e}", context.map_or_else(String::new, |p| p.display().to_string()));
            return super::EXIT_USAGE;
        }
    };
    let (mut errors, mut warnings) = (0usize, 0usize);
    for analysis in &analyses {
        // The learnt intents' cross-validated quality: its warnings join the others.
        let quality = analysis.intent_quality();
        let mut problems: Vec<&Problem> = analysis.problems.iter().collect();
        if let Some((_, more)) = &quality {
            problems.extend(more);
        }
        errors += problems.iter().filter(|p| !p.is_warning()).count();
        warnings += problems.iter().filter(|p| p.is_warning()).count();
        match format {
            Format::Text => {
                let text = SourceLines::new(&analysis.source);
                for p in problems {
                    let report = miette::Report::new(p.clone())
                        .with_source_code(miette::NamedSource::new(&analysis.name, text.clone()));
                    eprint!("{}", render::graphical(report.as_ref()));
                }
                if let Some((report, _)) = &quality {
                    super::emit(&intent_table(&analysis.name, report));
                }
            }
            Format::Json => {
                let lines = SourceLines::new(&analysis.source);
                for p in problems {
                    let diagnostic = JsonDiagnostic::new(analysis, &lines, p);
                    super::emit(&format!("{}\n", serde_json::to_string(&diagnostic).unwrap_or_default()));
                }
                if let Some((report, _)) = &quality {
                    let line = serde_json::json!({ "file": analysis.name, "intent_quality": report });
                    super::emit(&format!("{}\n", serde_json::to_string(&line).unwrap_or_default()));
                }
            }
        }
    }
    if let Some((path, text)) = &context {
        errors += check_context(path, text, &analyses, format);
    }
    if format == Format::Text {
        eprintln!("checked {} file(s): {errors} error(s), {warnings} warning(s)", analyses.len());
    }
    if errors > 0 || (deny_warnings && warnings > 0) {
        EXIT_FAIL
    } else {
        EXIT_OK
    }
}

/// Checks a `--context` file against each policy that parsed (against none, for its
/// fields, time and hours, when none did), prints its problems once each and returns
/// how many there are.
fn check_context(path: &Path, text: &str, analyses: &[Analysis], format: Format) -> usize {
    let name = path.display().to_string();
    let policies: Vec<Vec<&str>> = analyses.iter().filter_map(|a| a.ast.as_ref()).map(queue_names).collect();
    let mut problems: Vec<ContextFileProblem> = Vec::new();
    let mut add = |found: Vec<ContextFileProblem>| {
        for p in found {
            if !problems.iter().any(|q| q.span == p.span && q.message == p.message) {
                problems.push(p);
            }
        }
    };
    if policies.is_empty() {
        add(check_context_file(&name, text, None));
    }
    for queues in &policies {
        add(check_context_file(&name, text, Some(queues)));
    }
    let lines = SourceLines::new(text);
    for p in &problems {
        match format {
            Format::Text => eprint!("{}", render::graphical(p)),
            Format::Json => {
                let (start, len) = (p.span.offset(), p.span.len());
                let ((line, column), (end_line, end_column)) = (lines.line_col(start), lines.line_col(start + len));
                let diagnostic = JsonDiagnostic {
                    file: name.clone(),
                    line,
                    column,
                    end_line,
                    end_column,
                    code: p.code().map(|c| c.to_string()).unwrap_or_default(),
                    severity: "error",
                    message: p.to_string(),
                    label: Some(p.label.clone()),
                    help: p.help.clone(),
                };
                super::emit(&format!("{}\n", serde_json::to_string(&diagnostic).unwrap_or_default()));
            }
        }
    }
    problems.len()
}

/// The queues a policy declares.
pub(super) fn queue_names(policy: &ast::Policy) -> Vec<&str> {
    let blocks = policy.items.iter().filter_map(|i| if let ast::Item::Queues(q) = i { Some(&q.node) } else { None });
    blocks.flatten().map(|d| d.name.node.as_str()).collect()
}

/// One diagnostic as CI tools read it.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub code: String,
    pub severity: &'static str,
    pub message: String,
    pub label: Option<String>,
    pub help: Option<String>,
}

impl JsonDiagnostic {
    /// `lines` indexes `analysis.source`, so many diagnostics cost no rescans.
    pub fn new(analysis: &Analysis, lines: &SourceLines, p: &Problem) -> JsonDiagnostic {
        let label = p.labels().and_then(|mut l| l.next());
        let (start, len) = label.as_ref().map_or((0, 0), |l| (l.offset(), l.len()));
        // A problem in an example file is located in that file.
        let (file, (line, column), (end_line, end_column)) = match p.example_file() {
            Some((file, text)) => {
                let file_lines = SourceLines::new(text);
                (file.to_string(), file_lines.line_col(start), file_lines.line_col(start + len))
            }
            None => (analysis.name.clone(), lines.line_col(start), lines.line_col(start + len)),
        };
        JsonDiagnostic {
            file,
            line,
            column,
            end_line,
            end_column,
            code: p.code().map(|c| c.to_string()).unwrap_or_default(),
            severity: if p.is_warning() { "warning" } else { "error" },
            message: p.to_string(),
            label: label.and_then(|l| l.label().map(str::to_string)),
            help: p.help().map(|h| h.to_string()),
        }
    }
}

/// The intents' cross-validated figures, one line per intent.
fn intent_table(file: &str, report: &crate::intent::QualityReport) -> String {
    use std::fmt::Write as _;
    let figure = |x: Option<f64>| x.map_or_else(|| "-".to_string(), |x| format!("{x:.2}"));
    let width = report.intents.iter().map(|i| i.name.len()).max().unwrap_or(6).max(6);
    let mut s = String::new();
    let _ = writeln!(s, "intents of {file} ({}-fold cross-validation):", report.folds);
    let _ = writeln!(s, "  {:width$}  examples  counter  threshold  precision  recall", "intent");
    for i in &report.intents {
        let _ = writeln!(
            s,
            "  {:width$}  {:>8}  {:>7}  {:>9}  {:>9}  {:>6}",
            i.name,
            i.examples,
            i.counter_examples,
            i.threshold,
            figure(i.precision),
            figure(i.recall)
        );
    }
    let _ = writeln!(
        s,
        "  held-out accuracy {}, calibration error {}",
        figure(report.accuracy),
        figure(report.calibration_error)
    );
    s
}
