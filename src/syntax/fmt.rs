//! The canonical layout of a policy. Formatting is idempotent, keeps every comment
//! and never changes meaning: the formatted text parses to an equal AST (parentheses
//! included), because the printer only ever changes whitespace.

use miette::SourceSpan;

use super::ast::*;
use super::print::{flat, tokens};
use super::stack::guarded;

/// Lines longer than this are broken at `or`/`and` or between list items.
pub const WIDTH: usize = 100;
const INDENT: &str = "  ";

/// Formats a parsed policy; `source` is the text it was parsed from (for its comments'
/// text: the policy holds where they are).
pub fn format_policy(policy: &Policy, source: &str) -> String {
    let comments = policy
        .comments
        .0
        .iter()
        .map(|s| (s.offset(), source.get(s.offset()..s.offset() + s.len()).unwrap_or("#").trim_end().to_string()))
        .collect();
    let mut f = Formatter { out: String::new(), source, comments, next: 0, last_end: 0 };
    f.policy(policy);
    f.out
}

struct Formatter<'s> {
    out: String,
    source: &'s str,
    /// Every comment: its offset and text.
    comments: Vec<(usize, String)>,
    /// The first comment not yet printed.
    next: usize,
    /// Where the last printed item or comment ended in the source.
    last_end: usize,
}

impl Formatter<'_> {
    fn line(&mut self, indent: usize, text: &str) {
        for _ in 0..indent {
            self.out.push_str(INDENT);
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Prints the comments that come before `offset`, each on its own line, keeping
    /// one blank line where the source had any between them.
    fn leading(&mut self, offset: usize, indent: usize) {
        while let Some((at, text)) = self.comments.get(self.next).cloned() {
            if at >= offset {
                break;
            }
            if self.blank_before(at) {
                self.blank();
            }
            self.line(indent, &text);
            self.last_end = at + text.len();
            self.next += 1;
        }
    }

    /// Whether the source has a blank line between the last printed thing and `offset`.
    fn blank_before(&self, offset: usize) -> bool {
        let gap = self.source.get(self.last_end.min(offset)..offset).unwrap_or("");
        gap.split('\n')
            .skip(1)
            .collect::<Vec<_>>()
            .split_last()
            .is_some_and(|(_, middle)| middle.iter().any(|l| l.trim().is_empty()))
    }

    /// One blank line, never two, never at the start of a block.
    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") && !self.out.ends_with("{\n") {
            self.out.push('\n');
        }
    }

    /// Appends a comment that follows `end` on the same source line with nothing but
    /// spaces (or the opening brace of a block, or the comma after a list item)
    /// between: a comment after the next item's first token belongs to that item.
    fn trailing(&mut self, end: usize) {
        if let Some((at, text)) = self.comments.get(self.next).cloned() {
            let between = self.source.get(end..at).unwrap_or("\n").trim_matches([' ', '\t', '\u{FEFF}']);
            if at >= end && matches!(between, "" | "{" | ",") {
                if self.out.ends_with('\n') {
                    self.out.pop();
                }
                self.out.push_str("  ");
                self.out.push_str(&text);
                self.out.push('\n');
                self.last_end = at + text.len();
                self.next += 1;
            }
        }
    }

    /// A let's or rule's condition, starting at `column`. One with comments inside keeps
    /// each between the same two tokens: a comment ends its line (or has a line of its
    /// own, as in the source) and the condition goes on at the continuation indent.
    fn condition(&mut self, e: &Expr, column: usize, indent: usize) -> String {
        let end = end(e.span);
        if self.comments.get(self.next).is_none_or(|(at, _)| *at >= end) {
            return expr_block(e, column, indent);
        }
        if let Some(list) = self.commented_phrases(e, indent) {
            return list;
        }
        let continuation = INDENT.repeat(indent + 2);
        let mut s = String::new();
        // Whether the current output line holds only its indent.
        let mut line_empty = false;
        for token in tokens(e, Some(self.source)) {
            while let Some((at, text)) = self.comments.get(self.next).cloned().filter(|(at, _)| *at < token.at) {
                let own_line =
                    self.source.get(..at).unwrap_or("").rsplit('\n').next().is_some_and(|l| l.trim().is_empty());
                if own_line && !line_empty && !s.is_empty() {
                    s.push('\n');
                    s.push_str(&continuation);
                    line_empty = true;
                }
                if !line_empty && !s.is_empty() {
                    s.push_str("  ");
                }
                s.push_str(&text);
                s.push('\n');
                s.push_str(&continuation);
                line_empty = true;
                self.last_end = at + text.len();
                self.next += 1;
            }
            if !line_empty && !token.glued && !s.is_empty() {
                s.push(' ');
            }
            s.push_str(&token.text);
            line_empty = false;
        }
        s
    }

    /// A list of phrases (or `SELECTOR mentions` one) whose comments are all among its
    /// items: one item a line as a list too long for a line is, each comment where it
    /// was (`"Mensch",  # German market`, or on a line of its own). `None` for anything
    /// else, which [`Self::condition`] lays out token by token.
    fn commented_phrases(&mut self, e: &Expr, indent: usize) -> Option<String> {
        let (head, list, tail) = match &e.node {
            ExprKind::List(_) => (String::new(), e, String::new()),
            ExprKind::Mentions { messages, phrases, words, unless_negated }
                if matches!(phrases.node, ExprKind::List(_)) =>
            {
                let (prefix, suffix) = mentions_modifiers(*words, *unless_negated);
                (format!("{} mentions {prefix}", selector(&messages.node)), &**phrases, suffix)
            }
            _ => return None,
        };
        let ExprKind::List(items) = &list.node else { return None };
        let simple = items.iter().all(|i| matches!(i.node, ExprKind::String(_) | ExprKind::Name(_)));
        let (list_start, list_end) = (list.span.offset(), end(list.span));
        let outside = self.comments.iter().skip(self.next).take_while(|(at, _)| *at < end(e.span));
        if !simple || outside.clone().any(|(at, _)| *at < list_start || *at >= list_end) {
            return None;
        }
        let inner = INDENT.repeat(indent + 1);
        let mut s = format!("{head}[");
        let mut printed_to = list_start + 1;
        for item in items {
            self.comments_among_items(&mut s, item.span.offset(), printed_to, &inner);
            s.push('\n');
            s.push_str(&inner);
            s.push_str(&expr(item));
            s.push(',');
            printed_to = end(item.span);
        }
        self.comments_among_items(&mut s, list_end, printed_to, &inner);
        s.push('\n');
        s.push_str(&INDENT.repeat(indent));
        s.push(']');
        s.push_str(&tail);
        Some(s)
    }

    /// The comments before `before` among a list's items: after the item printed last
    /// when on its line in the source (`printed_to` is where it ended), else on a line
    /// of their own.
    fn comments_among_items(&mut self, s: &mut String, before: usize, printed_to: usize, inner: &str) {
        while let Some((at, text)) = self.comments.get(self.next).cloned().filter(|(at, _)| *at < before) {
            let same_line = self.source.get(printed_to.min(at)..at).is_some_and(|gap| !gap.contains('\n'));
            if same_line {
                s.push_str("  ");
            } else {
                s.push('\n');
                s.push_str(inner);
            }
            s.push_str(&text);
            self.last_end = at + text.len();
            self.next += 1;
        }
    }

    fn policy(&mut self, p: &Policy) {
        self.leading(p.name.span.offset(), 0);
        self.line(0, &format!("policy {} version {}", string(&p.name.node), p.version.node));
        self.trailing(end(p.version.span));
        self.last_end = end(p.version.span);
        let mut previous_kind = None;
        for item in &p.items {
            // Lets may sit together, and so may `intents from` lines; everything else
            // is one blank line apart.
            let kind = match item {
                Item::Let(_) => Some(0),
                Item::IntentsFrom(_) => Some(1),
                _ => None,
            };
            if kind.is_none() || kind != previous_kind {
                self.blank();
            }
            previous_kind = kind;
            self.leading(item.span().offset(), 0);
            if self.blank_before(item.span().offset()) {
                self.blank();
            }
            self.last_end = end(item.span());
            match item {
                Item::Queues(q) => self.queues(q),
                Item::Let(l) => {
                    let head = format!("let {} = ", l.name.node);
                    let body = self.condition(&l.value, head.len(), 0);
                    self.line(0, &format!("{head}{body}"));
                    self.trailing(end(l.span));
                }
                Item::Rule(r) => self.rule(r),
                Item::Test(t) => self.test(t),
                Item::Intent(i) => self.intent(i),
                Item::IntentsFrom(f) => {
                    self.line(0, &format!("intents from {}", string(&f.path.node)));
                    self.trailing(end(f.span));
                }
                Item::Language(l) => self.language(l),
            }
        }
        self.leading(usize::MAX, 0);
    }

    fn queues(&mut self, q: &Node<Vec<QueueDecl>>) {
        self.line(0, "queues {");
        // `queues {  # why` keeps its comment after the brace.
        let keyword = q.span.offset() + "queues".len();
        self.trailing(keyword.min(end(q.span)));
        let width = q.node.iter().map(|d| d.name.node.len()).max().unwrap_or(0);
        for d in &q.node {
            self.leading(d.name.span.offset(), 1);
            let text = match &d.description {
                Some(desc) => format!("{:width$} {}", d.name.node, string(&desc.node)),
                None => d.name.node.clone(),
            };
            self.line(1, &text);
            self.trailing(d.description.as_ref().map_or(end(d.name.span), |s| end(s.span)));
        }
        self.leading(end(q.span), 1);
        self.line(0, "}");
        self.trailing(end(q.span));
    }

    fn rule(&mut self, r: &Rule) {
        self.line(0, &format!("rule {} {{", r.name.node));
        self.trailing(end(r.name.span));
        self.leading(r.when.span.offset(), 1);
        let body = self.condition(&r.when, INDENT.len() + 5, 1);
        self.line(1, &format!("when {body}"));
        self.trailing(end(r.when.span));
        self.leading(r.outcome.span.offset(), 1);
        self.line(1, &outcome(&r.outcome.node));
        self.trailing(end(r.outcome.span));
        self.leading(end(r.span), 1);
        self.line(0, "}");
        self.trailing(end(r.span));
    }

    /// `intent NAME { ... }`: each part on its line; a list of sentences on one line
    /// when it fits and holds no comment, else one sentence a line.
    fn intent(&mut self, i: &IntentDecl) {
        self.line(0, &format!("intent {} {{", i.name.node));
        self.trailing(end(i.name.span));
        for part in &i.parts {
            self.leading(part.span.offset(), 1);
            let keyword = part.node.keyword();
            let sentences = match &part.node {
                IntentPart::Threshold(n) => {
                    self.line(1, &format!("threshold {}", n.node));
                    self.trailing(end(part.span));
                    continue;
                }
                IntentPart::Examples(s) | IntentPart::Counter(s) => s,
            };
            self.sentence_list(keyword, sentences, part.span);
        }
        self.leading(end(i.span), 1);
        self.line(0, "}");
        self.trailing(end(i.span));
    }

    /// `language "CODE"`, with its lists in a block when it has any.
    fn language(&mut self, l: &LanguageDecl) {
        if l.parts.is_empty() {
            self.line(0, &format!("language {}", string(&l.code.node)));
            self.trailing(end(l.span));
            return;
        }
        self.line(0, &format!("language {} {{", string(&l.code.node)));
        self.trailing(end(l.code.span));
        for part in &l.parts {
            self.leading(part.span.offset(), 1);
            self.sentence_list(part.node.list.keyword(), &part.node.phrases, part.span);
        }
        self.leading(end(l.span), 1);
        self.line(0, "}");
        self.trailing(end(l.span));
    }

    /// `KEYWORD [...]` inside a block: on one line when it fits and holds no comment,
    /// else one sentence a line.
    fn sentence_list(&mut self, keyword: &str, sentences: &[Node<String>], span: SourceSpan) {
        let one_line =
            format!("{keyword} [{}]", sentences.iter().map(|s| string(&s.node)).collect::<Vec<_>>().join(", "));
        let has_comment = self.comments.get(self.next).is_some_and(|(at, _)| *at < end(span));
        if !has_comment && INDENT.len() + one_line.len() <= WIDTH {
            self.line(1, &one_line);
            self.trailing(end(span));
            return;
        }
        self.line(1, &format!("{keyword} ["));
        for sentence in sentences {
            self.leading(sentence.span.offset(), 2);
            self.line(2, &format!("{},", string(&sentence.node)));
            self.trailing(end(sentence.span));
        }
        self.leading(end(span), 2);
        self.line(1, "]");
        self.trailing(end(span));
    }

    fn test(&mut self, t: &Test) {
        self.line(0, &format!("test {} {{", string(&t.name.node)));
        self.trailing(end(t.name.span));
        for l in &t.lines {
            self.leading(l.span.offset(), 1);
            self.line(1, &test_line(&l.node));
            self.trailing(end(l.span));
        }
        self.leading(end(t.span), 1);
        self.line(0, "}");
        self.trailing(end(t.span));
    }
}

fn end(span: SourceSpan) -> usize {
    span.offset() + span.len()
}

/// A string literal with the language's escapes.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn outcome(o: &Outcome) -> String {
    let mut s = match o.kind {
        OutcomeKind::Escalate => format!("escalate to {}", o.target.as_ref().map_or("", |t| t.node.as_str())),
        OutcomeKind::Offer => "offer human".to_string(),
        OutcomeKind::Flag => format!("flag {}", string(o.target.as_ref().map_or("", |t| t.node.as_str()))),
    };
    for m in &o.modifiers {
        s.push(' ');
        s.push_str(&match &m.node {
            Modifier::Via(q) => format!("via {}", q.node),
            Modifier::Fallback(q) => format!("fallback {}", q.node),
            Modifier::Priority(p) => format!("priority {}", p.node),
            Modifier::Reason(r) => format!("reason {}", string(&r.node)),
        });
    }
    s
}

pub(crate) fn duration(ms: u64, unit: DurationUnit) -> String {
    format!("{}{}", ms / unit.millis().max(1), unit.suffix())
}

/// What goes before the phrases of a `mentions` (`exactly `) and after them.
fn mentions_modifiers(words: WordMatch, unless_negated: bool) -> (&'static str, String) {
    let prefix = if words.exact { "exactly " } else { "" };
    let mut suffix = String::new();
    if words.typos {
        suffix.push_str(" with typos");
    }
    if unless_negated {
        suffix.push_str(" unless negated");
    }
    (prefix, suffix)
}

pub(crate) fn selector(s: &Selector) -> String {
    let window = match s.window {
        Window::Last(1) => "last".to_string(),
        Window::Last(n) => format!("last {n}"),
        Window::Any => "any".to_string(),
        Window::Within(ms) => format!("within {}", duration(ms, s.within_unit.unwrap_or(DurationUnit::Millis))),
    };
    format!("{}.{}", s.role.keyword(), window)
}

/// An expression on one line.
pub fn expr(e: &Expr) -> String {
    flat(&tokens(e, None))
}

/// An expression that starts at column `column`, broken over lines at its top-level
/// `or` (or else `and`) chain, or between list items, when it is too long.
fn expr_block(e: &Expr, column: usize, indent: usize) -> String {
    guarded(|| expr_block_here(e, column, indent))
}

fn expr_block_here(e: &Expr, column: usize, indent: usize) -> String {
    let flat = expr(e);
    if column + flat.len() <= WIDTH {
        return flat;
    }
    let continuation = INDENT.repeat(indent + 2);
    if let ExprKind::Binary { op, .. } = &e.node {
        if matches!(op.node, BinaryOp::Or | BinaryOp::And) {
            let mut parts = Vec::new();
            chain(e, op.node, &mut parts);
            let mut s = String::new();
            for (i, (op, part)) in parts.iter().enumerate() {
                if i == 0 {
                    s.push_str(&expr_block(part, column, indent));
                } else {
                    s.push('\n');
                    s.push_str(&continuation);
                    s.push_str(op.symbol());
                    s.push(' ');
                    s.push_str(&expr_block(part, continuation.len() + op.symbol().len() + 1, indent + 2));
                }
            }
            return s;
        }
    }
    if let ExprKind::Mentions { messages, phrases, words, unless_negated } = &e.node {
        if matches!(phrases.node, ExprKind::List(_)) {
            let (prefix, suffix) = mentions_modifiers(*words, *unless_negated);
            let list = expr_block(phrases, WIDTH, indent);
            return format!("{} mentions {prefix}{list}{suffix}", selector(&messages.node));
        }
    }
    if let ExprKind::List(items) = &e.node {
        let inner = INDENT.repeat(indent + 1);
        let mut s = "[\n".to_string();
        for item in items {
            s.push_str(&inner);
            s.push_str(&expr(item));
            s.push_str(",\n");
        }
        s.push_str(&INDENT.repeat(indent));
        s.push(']');
        return s;
    }
    flat
}

/// The operands of a left-associated chain of one operator, with the operator before each.
fn chain<'e>(e: &'e Expr, op: BinaryOp, out: &mut Vec<(BinaryOp, &'e Expr)>) {
    match &e.node {
        ExprKind::Binary { op: o, lhs, rhs } if o.node == op => {
            guarded(|| chain(lhs, op, out));
            out.push((op, rhs));
        }
        _ => out.push((op, e)),
    }
}

fn key(k: &str) -> String {
    let is_ident = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(k, "and" | "or" | "not" | "in" | "mentions" | "matches" | "unless" | "true" | "false" | "null");
    if is_ident {
        k.to_string()
    } else {
        string(k)
    }
}

fn value(v: &Value) -> String {
    guarded(|| value_here(v))
}

fn value_here(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("{n}"),
        Value::String(s) => string(s),
        Value::Duration(ms, unit) => duration(*ms, *unit),
        Value::Array(items) => format!("[{}]", items.iter().map(|i| value(&i.node)).collect::<Vec<_>>().join(", ")),
        Value::Object(fields) if fields.is_empty() => "{}".into(),
        Value::Object(fields) => format!(
            "{{ {} }}",
            fields.iter().map(|(k, v)| format!("{}: {}", key(&k.node), value(&v.node))).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn test_line(l: &TestLine) -> String {
    match l {
        TestLine::Message { role, text, annotations } => {
            let mut s = format!("{}: {}", role.node.keyword(), string(&text.node));
            if let Some(a) = annotations {
                s.push(' ');
                s.push_str(&value(&a.node));
            }
            s
        }
        TestLine::Attributes { kind, value: v } => {
            format!("{} {}", kind.node.keyword(), value(&v.node))
        }
        TestLine::Channel(c) => format!("channel {}", string(&c.node)),
        TestLine::File(f) => format!("conversation {}", string(&f.node)),
        TestLine::Mode(m) => format!("mode {}", m.node.keyword()),
        TestLine::Expect(e) => format!("expect {}", expectation(e)),
    }
}

/// An expectation as written after `expect` (the test runner shows it too).
pub fn expectation(e: &Expectation) -> String {
    let mut s = String::new();
    s.push_str(&match &e.expected.node {
        Expected::Nothing => "nothing".to_string(),
        Expected::NoEscalation { before: None } => "no escalation".to_string(),
        Expected::NoEscalation { before: Some(n) } => format!("no escalation before message {}", n.node),
        Expected::Escalate { queue, priority } => match priority {
            Some(p) => format!("escalate to {} priority {}", queue.node, p.node),
            None => format!("escalate to {}", queue.node),
        },
        Expected::Offer { via, priority } => {
            let mut s = "offer human".to_string();
            if let Some(q) = via {
                s.push_str(&format!(" via {}", q.node));
            }
            if let Some(p) = priority {
                s.push_str(&format!(" priority {}", p.node));
            }
            s
        }
        Expected::Flag { label } => format!("flag {}", string(&label.node)),
    });
    if !e.by.is_empty() {
        s.push_str(" by ");
        s.push_str(&e.by.iter().map(|b| b.node.as_str()).collect::<Vec<_>>().join(", "));
    }
    if let Some(at) = &e.at {
        s.push_str(&format!(" at message {}", at.node));
    }
    s
}
