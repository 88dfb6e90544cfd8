//! Formatting through the formatter of `handoff fmt`: one edit replacing the whole text.

use lsp_types::{Range, TextEdit};

use super::documents::Document;
use crate::syntax::fmt::format_policy;

/// The edits that format the document: none when it is formatted, `None` when it does
/// not parse (there is nothing safe to lay out).
pub fn format(doc: &Document) -> Option<Vec<TextEdit>> {
    let policy = doc.analysis.ast.as_ref()?;
    let formatted = format_policy(policy, &doc.text);
    if formatted == doc.text {
        return Some(Vec::new());
    }
    let whole = Range::new(doc.lines.position(&doc.text, 0), doc.lines.position(&doc.text, doc.text.len()));
    Some(vec![TextEdit::new(whole, formatted)])
}
