//! The editors' TextMate grammar names every built-in the language declares, and
//! nothing else: a new built-in that the grammar does not colour fails here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use handoff::lang::builtins::{FUNCTIONS, VARIABLES};

const GRAMMAR: &str = include_str!("../editors/vscode/syntaxes/handoff.tmLanguage.json");

/// The alternatives of the grammar's pattern with this scope: `\b(a|b|c)...`.
fn alternatives(scope: &str) -> BTreeSet<String> {
    let grammar: serde_json::Value = serde_json::from_str(GRAMMAR).unwrap();
    let patterns = grammar["repository"]["body"]["patterns"].as_array().unwrap();
    let pattern = patterns
        .iter()
        .find(|p| p["captures"]["1"]["name"] == scope)
        .unwrap_or_else(|| panic!("the grammar has no pattern for {scope}"));
    let text = pattern["match"].as_str().unwrap();
    let inner = text.strip_prefix("\\b(").and_then(|t| t.split(')').next()).unwrap();
    inner.split('|').map(str::to_string).collect()
}

#[test]
fn the_grammar_colours_exactly_the_declared_functions() {
    let declared: BTreeSet<String> = FUNCTIONS.iter().map(|f| f.name.to_string()).collect();
    assert_eq!(alternatives("support.function.builtin.handoff"), declared);
}

#[test]
fn the_grammar_colours_exactly_the_declared_values() {
    let declared: BTreeSet<String> = VARIABLES.iter().map(|v| v.name.to_string()).collect();
    assert_eq!(alternatives("support.variable.builtin.handoff"), declared);
}
