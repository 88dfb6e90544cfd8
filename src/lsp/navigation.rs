//! Go to definition, find references and rename, for lets, queues, rules and intents.

use std::collections::HashMap;

use lsp_types::{Location, PrepareRenameResponse, TextEdit, WorkspaceEdit};

use super::builtins::builtin;
use super::documents::Document;
use super::index::{Kind, Occurrence};

/// The name under the cursor, when it is one the file declares (built-ins are not).
fn renamable(doc: &Document, offset: usize) -> Option<&Occurrence> {
    doc.index.at(offset).filter(|o| o.kind != Kind::Builtin)
}

pub fn definition(doc: &Document, offset: usize) -> Option<Location> {
    let at = renamable(doc, offset)?;
    let decl = doc.index.declaration(at.kind, &at.name)?;
    Some(Location::new(doc.uri.clone(), doc.lines.range(&doc.text, decl.span)))
}

pub fn references(doc: &Document, offset: usize, include_declaration: bool) -> Vec<Location> {
    let Some(at) = renamable(doc, offset) else { return Vec::new() };
    doc.index
        .all(at.kind, &at.name)
        .filter(|o| include_declaration || !o.declaration)
        .map(|o| Location::new(doc.uri.clone(), doc.lines.range(&doc.text, o.span)))
        .collect()
}

pub fn prepare_rename(doc: &Document, offset: usize) -> Option<PrepareRenameResponse> {
    let at = renamable(doc, offset)?;
    doc.index.declaration(at.kind, &at.name)?;
    Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: doc.lines.range(&doc.text, at.span),
        placeholder: at.name.clone(),
    })
}

/// Every edit renaming the name under the cursor, or why it cannot be renamed.
pub fn rename(doc: &Document, offset: usize, new_name: &str) -> Result<Option<WorkspaceEdit>, String> {
    let Some(at) = renamable(doc, offset) else { return Ok(None) };
    if doc.index.declaration(at.kind, &at.name).is_none() {
        return Err(format!("`{}` is not declared in this file", at.name));
    }
    if !is_identifier(new_name) {
        return Err(format!("`{new_name}` is not a name: use letters, digits and `_`, starting with a letter or `_`"));
    }
    if at.kind == Kind::Let && builtin(new_name).is_some() {
        return Err(format!("`{new_name}` is a built-in name"));
    }
    if doc.index.declaration(at.kind, new_name).is_some() {
        return Err(format!("a {} named `{new_name}` already exists", at.kind.word()));
    }
    let edits = doc
        .index
        .all(at.kind, &at.name)
        .map(|o| TextEdit::new(doc.lines.range(&doc.text, o.span), new_name.to_string()))
        .collect();
    Ok(Some(WorkspaceEdit { changes: Some(HashMap::from([(doc.uri.clone(), edits)])), ..WorkspaceEdit::default() }))
}

/// Whether the text is an identifier the grammar accepts (not a reserved word).
fn is_identifier(name: &str) -> bool {
    const RESERVED: &[&str] = &["and", "or", "not", "in", "mentions", "matches", "unless", "true", "false"];
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&name)
}
