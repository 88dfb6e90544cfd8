//! Document symbols (queues, lets, rules, tests, intents) and folding ranges.

use lsp_types::{DocumentSymbol, FoldingRange, FoldingRangeKind, SymbolKind};
use miette::SourceSpan;

use super::documents::Document;
use crate::syntax::ast::Item;

pub fn document_symbols(doc: &Document) -> Vec<DocumentSymbol> {
    let Some(policy) = &doc.analysis.ast else { return Vec::new() };
    let symbol = |name: &str, detail: &str, kind: SymbolKind, span: SourceSpan, name_span: SourceSpan| {
        #[allow(deprecated)] // `deprecated` is a field every DocumentSymbol must still give.
        DocumentSymbol {
            name: name.to_string(),
            detail: Some(detail.to_string()),
            kind,
            tags: None,
            deprecated: None,
            range: doc.lines.range(&doc.text, span),
            selection_range: doc.lines.range(&doc.text, name_span),
            children: None,
        }
    };
    policy
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Queues(block) => {
                let mut queues = symbol("queues", "", SymbolKind::NAMESPACE, block.span, block.span);
                let children = block
                    .node
                    .iter()
                    .map(|q| {
                        let description = q.description.as_ref().map_or("", |d| d.node.as_str());
                        symbol(&q.name.node, description, SymbolKind::ENUM_MEMBER, q.name.span, q.name.span)
                    })
                    .collect();
                queues.children = Some(children);
                Some(queues)
            }
            Item::Let(l) => Some(symbol(&l.name.node, "let", SymbolKind::VARIABLE, l.span, l.name.span)),
            Item::Rule(r) => Some(symbol(&r.name.node, "rule", SymbolKind::FUNCTION, r.span, r.name.span)),
            Item::Test(t) => Some(symbol(&t.name.node, "test", SymbolKind::METHOD, t.span, t.name.span)),
            Item::Intent(i) => Some(symbol(&i.name.node, "intent", SymbolKind::CLASS, i.span, i.name.span)),
            Item::IntentsFrom(_) | Item::Language(_) => None,
        })
        .collect()
}

/// A fold for every declaration over more than one line, and for runs of comment lines.
pub fn folding_ranges(doc: &Document) -> Vec<FoldingRange> {
    let Some(policy) = &doc.analysis.ast else { return Vec::new() };
    let fold = |span: SourceSpan, kind: Option<FoldingRangeKind>| {
        let range = doc.lines.range(&doc.text, span);
        (range.end.line > range.start.line).then(|| FoldingRange {
            start_line: range.start.line,
            end_line: range.end.line,
            kind,
            ..FoldingRange::default()
        })
    };
    let mut folds: Vec<FoldingRange> = policy.items.iter().filter_map(|i| fold(i.span(), None)).collect();
    // Consecutive comment lines fold together.
    let mut run: Option<(usize, usize)> = None;
    let mut comments: Vec<(usize, usize)> = Vec::new();
    for span in &policy.comments.0 {
        let line = doc.lines.position(&doc.text, span.offset()).line as usize;
        run = match run {
            Some((first, last)) if last + 1 == line => Some((first, line)),
            Some(done) => {
                comments.push(done);
                Some((line, line))
            }
            None => Some((line, line)),
        };
    }
    comments.extend(run);
    folds.extend(comments.into_iter().filter(|(a, b)| b > a).map(|(a, b)| FoldingRange {
        start_line: u32::try_from(a).unwrap_or(u32::MAX),
        end_line: u32::try_from(b).unwrap_or(u32::MAX),
        kind: Some(FoldingRangeKind::Comment),
        ..FoldingRange::default()
    }));
    folds.sort_by_key(|f| f.start_line);
    folds
}
