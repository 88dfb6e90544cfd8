//! Quick fixes from the checker's suggestions: take the did-you-mean, close an
//! unclosed string, turn single quotes into double quotes.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, WorkspaceEdit};

use super::diagnostics::{help, primary_span};
use super::documents::Document;

/// The fixes for the problems that touch the byte range `start..=end`.
pub fn code_actions(doc: &Document, start: usize, end: usize) -> Vec<CodeActionOrCommand> {
    let mut actions = Vec::new();
    for problem in &doc.analysis.problems {
        let (Some(span), Some(help)) = (primary_span(problem), help(problem)) else { continue };
        let (from, to) = (span.offset(), span.offset() + span.len());
        if to < start || from > end || problem.example_file().is_some() {
            continue;
        }
        let fix = if let Some(name) = suggested_name(&help) {
            Some((format!("Change to `{name}`"), from, to, name.to_string()))
        } else if help.starts_with("this string is not closed") {
            let line_end = doc.text.get(from..).and_then(|t| t.find('\n')).map_or(doc.text.len(), |i| from + i);
            let content = doc.text.get(from..line_end).unwrap_or("").trim_end();
            Some(("Close the string".to_string(), from + content.len(), from + content.len(), "\"".to_string()))
        } else if help.starts_with("strings use double quotes") {
            single_quoted(&doc.text, from).map(|(a, b, inner)| {
                ("Use double quotes".to_string(), a, b, format!("\"{}\"", inner.replace('"', "\\\"")))
            })
        } else {
            None
        };
        let Some((title, a, b, new_text)) = fix else { continue };
        let range = Range::new(doc.lines.position(&doc.text, a), doc.lines.position(&doc.text, b));
        let edit = TextEdit::new(range, new_text);
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            is_preferred: Some(true),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(doc.uri.clone(), vec![edit])])),
                ..WorkspaceEdit::default()
            }),
            ..CodeAction::default()
        }));
    }
    actions
}

/// The name in a "did you mean `x`?" help.
fn suggested_name(help: &str) -> Option<&str> {
    help.strip_prefix("did you mean `")?.strip_suffix("`?")
}

/// A `'...'` string starting at `from` on one line: its byte range and its text.
fn single_quoted(text: &str, from: usize) -> Option<(usize, usize, &str)> {
    let rest = text.get(from..)?.strip_prefix('\'')?;
    let close = rest.find(['\'', '\n'])?;
    rest.get(close..)?.starts_with('\'').then_some(())?;
    Some((from, from + close + 2, rest.get(..close)?))
}
