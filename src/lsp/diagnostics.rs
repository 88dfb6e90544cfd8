//! The checker's problems and the failing inline tests as LSP diagnostics: code,
//! message, help, and the other labelled places as related information.

use std::path::Path;

use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Position, Range,
};
use miette::{Diagnostic as _, LabeledSpan, SourceSpan};

use super::documents::Document;
use crate::analysis::Problem;
use crate::syntax::ast::Item;

const SOURCE: &str = "handoff";

/// Every diagnostic of a document: its problems, then its failing tests.
pub fn diagnostics(doc: &Document) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = doc.analysis.problems.iter().map(|p| problem(doc, p)).collect();
    for test in doc.tests() {
        let Some((_, what)) = doc.failing_tests.iter().find(|(name, _)| *name == test.name.node) else { continue };
        // The block's first line, `test "name"`.
        let header = SourceSpan::from(test.span.offset()..test.name.span.offset() + test.name.span.len());
        all.push(Diagnostic {
            range: doc.lines.range(&doc.text, header),
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String("handoff::test::failed".into())),
            source: Some(SOURCE.into()),
            message: format!("test \"{}\" failed: {what}", test.name.node),
            ..Diagnostic::default()
        });
    }
    all
}

/// The primary labelled span of a problem, if it has one.
pub fn primary_span(p: &Problem) -> Option<SourceSpan> {
    p.labels().and_then(|mut l| l.next()).map(|l| *l.inner())
}

/// The problem's help, if it has some.
pub fn help(p: &Problem) -> Option<String> {
    p.help().map(|h| h.to_string())
}

fn problem(doc: &Document, p: &Problem) -> Diagnostic {
    let labels: Vec<LabeledSpan> = p.labels().map(Iterator::collect).unwrap_or_default();
    let mut message = p.to_string();
    let (range, related) = match p.example_file() {
        // A problem in an example file: shown on the `intents from` line naming the file.
        Some((file, text)) => {
            let line = labels.first().map_or(1, |l| crate::analysis::line_col(text, l.offset()).0);
            message = format!("{file}:{line}: {message}");
            (example_file_range(doc, file), None)
        }
        None => {
            if let Some(label) = labels.first().and_then(|l| l.label()) {
                message.push_str(&format!("\n{label}"));
            }
            let range = labels.first().map_or(Range::default(), |l| doc.lines.range(&doc.text, *l.inner()));
            let related: Vec<DiagnosticRelatedInformation> = labels
                .iter()
                .skip(1)
                .map(|l| DiagnosticRelatedInformation {
                    location: Location::new(doc.uri.clone(), doc.lines.range(&doc.text, *l.inner())),
                    message: l.label().unwrap_or("here").to_string(),
                })
                .collect();
            (range, Some(related).filter(|r| !r.is_empty()))
        }
    };
    if let Some(help) = help(p) {
        message.push_str(&format!("\nhelp: {help}"));
    }
    Diagnostic {
        range,
        severity: Some(if p.is_warning() { DiagnosticSeverity::WARNING } else { DiagnosticSeverity::ERROR }),
        code: p.code().map(|c| NumberOrString::String(c.to_string())),
        source: Some(SOURCE.into()),
        message,
        related_information: related,
        ..Diagnostic::default()
    }
}

/// The string of the `intents from "..."` line that names an example file, or the file's start.
fn example_file_range(doc: &Document, file: &str) -> Range {
    let dir = Path::new(&doc.analysis.name).parent().unwrap_or(Path::new(""));
    let named = doc.analysis.ast.iter().flat_map(|p| &p.items).find_map(|i| match i {
        Item::IntentsFrom(f) if dir.join(&f.path.node).display().to_string() == file || f.path.node == file => {
            Some(f.path.span)
        }
        _ => None,
    });
    named.map_or(Range::new(Position::new(0, 0), Position::new(0, 0)), |s| doc.lines.range(&doc.text, s))
}
