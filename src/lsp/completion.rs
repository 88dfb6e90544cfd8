//! Completion from what the cursor follows: windows after a role, queues after
//! `escalate to`, priorities, rules after `by`, intents after `says`, phrase lists after
//! `mentions`, `live` and `finished` after a test's `mode`; elsewhere keywords, built-ins
//! with their parameters, lets and roles.

use std::sync::LazyLock;

use lsp_types::{CompletionItem, CompletionItemKind, Documentation, InsertTextFormat, MarkupContent, MarkupKind};
use regex::Regex;

use super::builtins::builtins;
use super::documents::Document;
use super::index::Kind;
use crate::lang::priority::Priority;
use crate::syntax::ast::{ExprKind, Item, RoleFilter, TestMode};

/// What the text before the cursor (on its line) asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Window,
    Queue,
    Priority,
    Rule,
    Intent,
    Phrases,
    TestMode,
    Anything,
}

static PLACES: LazyLock<Vec<(Regex, Place)>> = LazyLock::new(|| {
    [
        (r"\b(customer|bot|agent|system|messages)\.\w*$", Place::Window),
        (r"\b(escalate\s+to|via|fallback)\s+\w*$", Place::Queue),
        (r"\b(open|agents_free|in_hours)\s*\(\s*\w*$", Place::Queue),
        (r"\bpriority\s+\w*$", Place::Priority),
        (r"\bby\s+(\w+\s*,\s*)*\w*$", Place::Rule),
        (r"\bsays\s+\w*$", Place::Intent),
        (r"\bmentions\s+(exactly\s+)?\w*$", Place::Phrases),
        // A test line of its own: `mode` elsewhere may be a let's name.
        (r"^\s*mode\s+\w*$", Place::TestMode),
    ]
    .into_iter()
    .filter_map(|(re, place)| Regex::new(re).ok().map(|re| (re, place)))
    .collect()
});

const KEYWORDS: &[&str] = &[
    "policy",
    "version",
    "queues",
    "let",
    "rule",
    "when",
    "escalate to",
    "offer human",
    "via",
    "fallback",
    "priority",
    "reason",
    "flag",
    "test",
    "expect",
    "nothing",
    "no escalation",
    "by",
    "at message",
    "mode",
    "intent",
    "intents from",
    "examples",
    "counter",
    "threshold",
    "and",
    "or",
    "not",
    "in",
    "mentions",
    "exactly",
    "with typos",
    "unless negated",
    "matches",
    "says",
    "at least",
    "true",
    "false",
    "channel",
    "conversation",
    "context",
    "metadata",
];

pub fn completion(doc: &Document, offset: usize) -> Vec<CompletionItem> {
    let line_start = doc.text.get(..offset).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let before = doc.text.get(line_start..offset).unwrap_or("");
    let place = PLACES.iter().find(|(re, _)| re.is_match(before)).map_or(Place::Anything, |p| p.1);
    let names = |kind: Kind, item_kind: CompletionItemKind| -> Vec<CompletionItem> {
        doc.known.declared(kind).into_iter().map(|n| item(n, item_kind, kind.word())).collect()
    };
    match place {
        Place::Window => vec![
            item("last", CompletionItemKind::KEYWORD, "the latest message"),
            snippet("last N", "last ${1:3}", "the latest N messages"),
            item("any", CompletionItemKind::KEYWORD, "every message so far"),
            snippet("within DURATION", "within ${1:10m}", "messages no older than the duration"),
        ],
        Place::Queue => names(Kind::Queue, CompletionItemKind::ENUM_MEMBER),
        Place::Priority => {
            Priority::ALL.iter().map(|p| item(p.as_str(), CompletionItemKind::ENUM_MEMBER, "priority")).collect()
        }
        Place::Rule => names(Kind::Rule, CompletionItemKind::FUNCTION),
        Place::Intent => names(Kind::Intent, CompletionItemKind::CLASS),
        Place::Phrases => {
            let mut items: Vec<CompletionItem> =
                phrase_lists(doc).into_iter().map(|n| item(&n, CompletionItemKind::VARIABLE, "phrase list")).collect();
            items.push(item("exactly", CompletionItemKind::KEYWORD, "the written forms only"));
            items
        }
        Place::TestMode => TestMode::ALL
            .iter()
            .map(|m| {
                let detail = match m {
                    TestMode::Live => "decide after each message, stopping at the first escalation (the default)",
                    TestMode::Finished => "decide once, on the whole conversation: rules fire at the last message",
                };
                item(m.keyword(), CompletionItemKind::ENUM_MEMBER, detail)
            })
            .collect(),
        Place::Anything => {
            let mut items: Vec<CompletionItem> =
                KEYWORDS.iter().map(|k| item(k, CompletionItemKind::KEYWORD, "keyword")).collect();
            items.extend(builtins().iter().map(|b| {
                let insert = if b.is_function {
                    let params: Vec<String> =
                        b.params.iter().enumerate().map(|(i, p)| format!("${{{}:{}}}", i + 1, p.0)).collect();
                    format!("{}({})", b.name, params.join(", "))
                } else {
                    b.name.to_string()
                };
                CompletionItem {
                    label: b.name.to_string(),
                    kind: Some(if b.is_function { CompletionItemKind::FUNCTION } else { CompletionItemKind::CONSTANT }),
                    detail: Some(b.signature.clone()),
                    documentation: Some(Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: b.doc.clone(),
                    })),
                    insert_text: Some(insert),
                    insert_text_format: Some(InsertTextFormat::SNIPPET),
                    ..CompletionItem::default()
                }
            }));
            items.extend(names(Kind::Let, CompletionItemKind::VARIABLE));
            items.extend(RoleFilter::ALL.iter().map(|r| item(r.keyword(), CompletionItemKind::MODULE, "role")));
            items
        }
    }
}

/// The lets holding a phrase or a list of phrases (of the latest version that parsed).
fn phrase_lists(doc: &Document) -> Vec<String> {
    let lists: Vec<String> = doc
        .analysis
        .ast
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|i| match i {
            Item::Let(l) if matches!(l.value.node, ExprKind::List(_) | ExprKind::String(_)) => {
                Some(l.name.node.clone())
            }
            _ => None,
        })
        .collect();
    if lists.is_empty() && doc.analysis.ast.is_none() {
        // The text does not parse now: offer every let known from before.
        return doc.known.declared(Kind::Let).into_iter().map(String::from).collect();
    }
    lists
}

fn item(label: &str, kind: CompletionItemKind, detail: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail.to_string()),
        ..CompletionItem::default()
    }
}

fn snippet(label: &str, insert: &str, detail: &str) -> CompletionItem {
    CompletionItem {
        insert_text: Some(insert.to_string()),
        insert_text_format: Some(InsertTextFormat::SNIPPET),
        ..item(label, CompletionItemKind::SNIPPET, detail)
    }
}
