//! `handoff check`: diagnostics for people (graphical) or for CI (JSON Lines).

use std::path::PathBuf;

use miette::Diagnostic;
use serde::Serialize;

use super::{files, Format, EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use crate::analysis::{Analysis, Problem};
use crate::render;
use crate::source_lines::SourceLines;

pub fn run(paths: &[PathBuf], deny_warnings: bool, format: Format) -> u8 {
    let analyses = match files::read_policies(paths) {
        Ok(a) => a,
        Err(e) => {
            eprint!("{}", render::graphical(&e));
            return EXIT_USAGE;
        }
    };
    let (mut errors, mut warnings) = (0usize, 0usize);
    for analysis in &analyses {
        errors += analysis.errors().count();
        warnings += analysis.warnings().count();
        match format {
            Format::Text => {
                for report in analysis.reports() {
                    eprint!("{}", render::graphical(report.as_ref()));
                }
            }
            Format::Json => {
                let lines = SourceLines::new(&analysis.source);
                for p in &analysis.problems {
                    let diagnostic = JsonDiagnostic::new(analysis, &lines, p);
                    super::emit(&format!("{}\n", serde_json::to_string(&diagnostic).unwrap_or_default()));
                }
            }
        }
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
        let (line, column) = lines.line_col(start);
        let (end_line, end_column) = lines.line_col(start + len);
        JsonDiagnostic {
            file: analysis.name.clone(),
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
