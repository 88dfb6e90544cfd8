//! Hover: a built-in's signature and documentation, a `let`'s value, a queue's
//! description, a rule's outcome, an intent's examples.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::builtins::builtin;
use super::documents::Document;
use super::index::{Kind, Occurrence};
use crate::syntax::ast::{IntentPart, Item, Policy};
use crate::syntax::fmt;

pub fn hover(doc: &Document, offset: usize) -> Option<Hover> {
    let policy = doc.analysis.ast.as_ref()?;
    let at = doc.index.at(offset)?;
    let text = describe(doc, policy, at)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: text }),
        range: Some(doc.lines.range(&doc.text, at.span)),
    })
}

fn code(text: &str) -> String {
    format!("```handoff\n{text}\n```")
}

fn describe(doc: &Document, policy: &Policy, at: &Occurrence) -> Option<String> {
    let name = at.name.as_str();
    let items = policy.items.iter();
    match at.kind {
        Kind::Builtin => builtin(name).map(|b| format!("{}\n{}", code(&b.signature), b.doc)),
        Kind::Let => items
            .filter_map(|i| match i {
                Item::Let(l) if l.name.node == name => Some(code(&format!("let {name} = {}", fmt::expr(&l.value)))),
                _ => None,
            })
            .next()
            .or_else(|| builtin(name).map(|b| format!("{}\n{}", code(&b.signature), b.doc))),
        Kind::Queue => {
            let decl = items
                .filter_map(|i| match i {
                    Item::Queues(q) => q.node.iter().find(|q| q.name.node == name),
                    _ => None,
                })
                .next()?;
            let mut text = match &decl.description {
                Some(d) => code(&format!("queue {name} {}", fmt::string(&d.node))),
                None => code(&format!("queue {name}")),
            };
            let users = rules_naming(doc, policy, at);
            if !users.is_empty() {
                text.push_str(&format!("\nRules that hand over to it: {}", users.join(", ")));
            }
            Some(text)
        }
        Kind::Rule => items
            .filter_map(|i| match i {
                Item::Rule(r) if r.name.node == name => {
                    let outcome = r.outcome.span;
                    let written = doc.text.get(outcome.offset()..outcome.offset() + outcome.len()).unwrap_or("");
                    Some(format!("{}\nWhen it fires: `{}`", code(&format!("rule {name}")), written.trim()))
                }
                _ => None,
            })
            .next(),
        Kind::Intent => {
            let (mut examples, mut counter, mut threshold) = (0, 0, None);
            for part in items.filter_map(|i| match i {
                Item::Intent(d) if d.name.node == name => Some(&d.parts),
                _ => None,
            }) {
                for p in part {
                    match &p.node {
                        IntentPart::Examples(e) => examples += e.len(),
                        IntentPart::Counter(c) => counter += c.len(),
                        IntentPart::Threshold(t) => threshold = Some(t.node),
                    }
                }
            }
            let threshold = threshold.map_or("0.5 (the default)".to_string(), |t| t.to_string());
            Some(format!(
                "{}\nA learnt intent: {examples} example(s) and {counter} counter-example(s) in the policy (example files may add more); threshold {threshold}.",
                code(&format!("intent {name}"))
            ))
        }
    }
}

/// The rules whose outcome or condition names the queue, in order.
fn rules_naming(doc: &Document, policy: &Policy, queue: &Occurrence) -> Vec<String> {
    let uses: Vec<usize> =
        doc.index.all(Kind::Queue, &queue.name).filter(|o| !o.declaration).map(|o| o.span.offset()).collect();
    policy
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Rule(r) if uses.iter().any(|&u| (r.span.offset()..r.span.offset() + r.span.len()).contains(&u)) => {
                Some(format!("`{}`", r.name.node))
            }
            _ => None,
        })
        .collect()
}
