//! The AST as a compact S-expression with spans, for snapshots a reviewer can read:
//! `(or@31..33 (> count@.. 3@..)@.. flag@..)@20..50`.
//!
//! Every node with a span prints as its form followed by `@start..end` (byte offsets,
//! end exclusive): an atom (`general@41..48`, `"General support"@49..66`) or a list
//! whose head names the construct (`(rule name ... )@100..180`). An operator's own
//! span is on the operator, the whole expression's after the closing bracket. A form
//! that does not fit in [`WIDTH`] columns is broken: its head and leading atoms on the
//! first line, then one child per line, indented by two.

use std::fmt::Write;

use miette::SourceSpan;

use super::ast::*;
use super::fmt::duration;
use super::stack::guarded;

/// The column a form must fit in to stay on one line.
pub const WIDTH: usize = 100;

/// The policy's tree, one top-level item per form.
pub fn policy(p: &Policy) -> String {
    let mut items = vec![atom("policy"), spanned(quoted(&p.name.node), p.name.span)];
    items.push(list("version", vec![spanned(p.version.node.to_string(), p.version.span)]));
    items.extend(p.items.iter().map(item));
    render(&Sexp::List { items, span: None })
}

/// One expression's tree.
pub fn expr(e: &Expr) -> String {
    render(&expression(e))
}

/// A printed form: an atom, or a bracketed list with the span of the node it shows.
enum Sexp {
    Atom(String),
    List { items: Vec<Sexp>, span: Option<SourceSpan> },
}

fn atom(text: impl Into<String>) -> Sexp {
    Sexp::Atom(text.into())
}

fn spanned(text: impl std::fmt::Display, span: SourceSpan) -> Sexp {
    Sexp::Atom(format!("{text}{}", at(span)))
}

/// A name as an atom, quoted when it is not a plain word (a test's `"lifetime value":` key).
fn ident(i: &Ident) -> Sexp {
    if !i.node.is_empty() && i.node.chars().all(|c| c.is_alphanumeric() || c == '_') {
        spanned(&i.node, i.span)
    } else {
        spanned(quoted(&i.node), i.span)
    }
}

fn string_node(s: &Node<String>) -> Sexp {
    spanned(quoted(&s.node), s.span)
}

/// A list without a span of its own, headed by `head`.
fn list(head: &str, rest: Vec<Sexp>) -> Sexp {
    let mut items = vec![atom(head)];
    items.extend(rest);
    Sexp::List { items, span: None }
}

/// A list for a node that has a span.
fn node_list(head: Sexp, rest: Vec<Sexp>, span: SourceSpan) -> Sexp {
    let mut items = vec![head];
    items.extend(rest);
    Sexp::List { items, span: Some(span) }
}

fn at(span: SourceSpan) -> String {
    format!("@{}..{}", span.offset(), span.offset() + span.len())
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

fn item(i: &Item) -> Sexp {
    match i {
        Item::Queues(q) => {
            let queues = q.node.iter().map(|d| {
                list("queue", std::iter::once(ident(&d.name)).chain(d.description.as_ref().map(string_node)).collect())
            });
            node_list(atom("queues"), queues.collect(), q.span)
        }
        Item::Let(l) => node_list(atom("let"), vec![ident(&l.name), expression(&l.value)], l.span),
        Item::Rule(r) => {
            node_list(atom("rule"), vec![ident(&r.name), expression(&r.when), outcome(&r.outcome)], r.span)
        }
        Item::Test(t) => {
            let mut rest = vec![string_node(&t.name)];
            rest.extend(t.lines.iter().map(test_line));
            node_list(atom("test"), rest, t.span)
        }
        Item::Intent(d) => {
            let mut rest = vec![ident(&d.name)];
            rest.extend(d.parts.iter().map(|p| {
                let values = match &p.node {
                    IntentPart::Examples(v) | IntentPart::Counter(v) => v.iter().map(string_node).collect(),
                    IntentPart::Threshold(t) => vec![spanned(format!("{:?}", t.node), t.span)],
                };
                node_list(atom(p.node.keyword()), values, p.span)
            }));
            node_list(atom("intent"), rest, d.span)
        }
        Item::IntentsFrom(f) => node_list(atom("intents-from"), vec![string_node(&f.path)], f.span),
        Item::Language(l) => {
            let mut rest = vec![string_node(&l.code)];
            rest.extend(l.parts.iter().map(|p| {
                node_list(atom(p.node.list.keyword()), p.node.phrases.iter().map(string_node).collect(), p.span)
            }));
            node_list(atom("language"), rest, l.span)
        }
    }
}

fn outcome(o: &Node<Outcome>) -> Sexp {
    let head = match o.node.kind {
        OutcomeKind::Escalate => "escalate",
        OutcomeKind::Offer => "offer",
        OutcomeKind::Flag => "flag",
    };
    let mut rest: Vec<Sexp> = o.node.target.iter().map(string_node).collect();
    rest.extend(o.node.modifiers.iter().map(|m| {
        let value = match &m.node {
            Modifier::Via(i) | Modifier::Fallback(i) | Modifier::Priority(i) => ident(i),
            Modifier::Reason(s) => string_node(s),
        };
        node_list(atom(m.node.keyword()), vec![value], m.span)
    }));
    node_list(atom(head), rest, o.span)
}

/// `customer.last:3`, `messages.any`, `agent.within:10m`: a selector as one atom.
fn selector_text(s: &Selector) -> String {
    let window = match s.window {
        Window::Last(n) => format!("last:{n}"),
        Window::Any => "any".to_string(),
        Window::Within(ms) => format!("within:{}", duration(ms, s.within_unit.unwrap_or(DurationUnit::Millis))),
    };
    format!("{}.{window}", s.role.keyword())
}

fn expression(e: &Expr) -> Sexp {
    guarded(|| expression_unguarded(e))
}

fn expression_unguarded(e: &Expr) -> Sexp {
    let span = e.span;
    match &e.node {
        ExprKind::Bool(b) => spanned(b, span),
        ExprKind::Number(n) => spanned(format!("{n:?}"), span),
        ExprKind::Duration(ms, unit) => spanned(duration(*ms, *unit), span),
        ExprKind::String(s) => spanned(quoted(s), span),
        ExprKind::Regex { pattern, flags } => spanned(format!("/{pattern}/{flags}"), span),
        ExprKind::List(items) => node_list(atom("list"), items.iter().map(expression).collect(), span),
        ExprKind::Name(n) => spanned(n, span),
        ExprKind::Attribute { root, path } => {
            let rest = std::iter::once(atom(root.keyword())).chain(path.iter().map(ident));
            node_list(atom("attribute"), rest.collect(), span)
        }
        ExprKind::Selector(s) => spanned(selector_text(s), span),
        ExprKind::Mentions { messages, phrases, words, unless_negated } => {
            let mut rest = vec![spanned(selector_text(&messages.node), messages.span), expression(phrases)];
            let flags = [(words.exact, "exactly"), (words.typos, "with-typos"), (*unless_negated, "unless-negated")];
            rest.extend(flags.iter().filter(|(on, _)| *on).map(|(_, name)| atom(*name)));
            node_list(atom("mentions"), rest, span)
        }
        ExprKind::Says { messages, intent, at_least } => {
            let mut rest = vec![spanned(selector_text(&messages.node), messages.span), ident(intent)];
            rest.extend(at_least.iter().map(|t| list("at-least", vec![spanned(format!("{:?}", t.node), t.span)])));
            node_list(atom("says"), rest, span)
        }
        ExprKind::Matches { messages, regex } => {
            let rest = vec![spanned(selector_text(&messages.node), messages.span), expression(regex)];
            node_list(atom("matches"), rest, span)
        }
        ExprKind::Call { function, args } => {
            let mut rest = vec![ident(function)];
            rest.extend(args.iter().map(|a| match &a.name {
                Some(name) => list("=", vec![ident(name), expression(&a.value)]),
                None => expression(&a.value),
            }));
            node_list(atom("call"), rest, span)
        }
        ExprKind::Unary { op, operand } => {
            let symbol = match op.node {
                UnaryOp::Not => "not",
                UnaryOp::Neg => "-",
            };
            node_list(spanned(symbol, op.span), vec![expression(operand)], span)
        }
        ExprKind::Binary { op, lhs, rhs } => {
            node_list(spanned(op.node.symbol(), op.span), vec![expression(lhs), expression(rhs)], span)
        }
        ExprKind::Paren(inner) => node_list(atom("paren"), vec![expression(inner)], span),
    }
}

fn test_line(line: &Node<TestLine>) -> Sexp {
    let (head, rest) = match &line.node {
        TestLine::Message { role, text, annotations } => {
            let mut rest = vec![spanned(role.node.keyword(), role.span), string_node(text)];
            rest.extend(annotations.as_ref().map(value));
            ("message", rest)
        }
        TestLine::Attributes { kind, value: v } => {
            ("attributes", vec![spanned(kind.node.keyword(), kind.span), value(v)])
        }
        TestLine::Channel(s) => ("channel", vec![string_node(s)]),
        TestLine::File(s) => ("file", vec![string_node(s)]),
        TestLine::Mode(m) => ("mode", vec![spanned(m.node.keyword(), m.span)]),
        TestLine::Expect(e) => ("expect", expectation(e)),
    };
    node_list(atom(head), rest, line.span)
}

fn expectation(e: &Expectation) -> Vec<Sexp> {
    let optional = |head: &str, i: &Option<Ident>| i.as_ref().map(|i| list(head, vec![ident(i)]));
    let expected = &e.expected;
    let (head, rest): (&str, Vec<Sexp>) = match &expected.node {
        Expected::Nothing => ("nothing", Vec::new()),
        Expected::NoEscalation { before } => {
            ("no-escalation", before.iter().map(|b| list("before", vec![spanned(b.node, b.span)])).collect())
        }
        Expected::Escalate { queue, priority } => {
            ("escalate", std::iter::once(ident(queue)).chain(optional("priority", priority)).collect())
        }
        Expected::Offer { via, priority } => {
            ("offer", optional("via", via).into_iter().chain(optional("priority", priority)).collect())
        }
        Expected::Flag { label } => ("flag", vec![string_node(label)]),
    };
    let mut out = vec![node_list(atom(head), rest, expected.span)];
    if !e.by.is_empty() {
        out.push(list("by", e.by.iter().map(ident).collect()));
    }
    out.extend(e.at.iter().map(|a| list("at", vec![spanned(a.node, a.span)])));
    out
}

fn value(v: &Node<Value>) -> Sexp {
    guarded(|| {
        let span = v.span;
        match &v.node {
            Value::Null => spanned("null", span),
            Value::Bool(b) => spanned(b, span),
            Value::Number(n) => spanned(format!("{n:?}"), span),
            Value::String(s) => spanned(quoted(s), span),
            Value::Duration(ms, unit) => spanned(duration(*ms, *unit), span),
            Value::Array(items) => node_list(atom("array"), items.iter().map(value).collect(), span),
            Value::Object(fields) => {
                let fields = fields.iter().map(|(k, v)| list(":", vec![ident(k), value(v)]));
                node_list(atom("object"), fields.collect(), span)
            }
        }
    })
}

/// The width of a form printed on one line.
fn flat_width(s: &Sexp) -> usize {
    guarded(|| match s {
        Sexp::Atom(a) => a.chars().count(),
        Sexp::List { items, span } => {
            let inner: usize = items.iter().map(flat_width).sum::<usize>() + items.len().saturating_sub(1);
            2 + inner + span.map_or(0, |s| at(s).len())
        }
    })
}

fn render(s: &Sexp) -> String {
    let mut out = String::new();
    write_form(&mut out, s, 0);
    out.push('\n');
    out
}

/// Writes `s` starting at column `indent`: on one line when it fits, else broken.
fn write_form(out: &mut String, s: &Sexp, indent: usize) {
    guarded(|| match s {
        Sexp::Atom(a) => out.push_str(a),
        Sexp::List { items, span } => {
            let broken = indent + flat_width(s) > WIDTH;
            // A broken list keeps its leading atoms (`rule name`) on its first line.
            let first_line = items.iter().take_while(|i| matches!(i, Sexp::Atom(_))).count().max(1);
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    if broken && i >= first_line {
                        out.push('\n');
                        out.extend(std::iter::repeat_n(' ', indent + 2));
                    } else {
                        out.push(' ');
                    }
                }
                write_form(out, item, indent + 2);
            }
            out.push(')');
            if let Some(span) = span {
                let _ = write!(out, "{}", at(*span));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse_expr, parse_policy};

    #[test]
    fn an_expression_is_operators_first_with_spans() {
        let e = parse_expr("1 + 2 * 3").unwrap();
        assert_eq!(expr(&e), "(+@2..3 1.0@0..1 (*@6..7 2.0@4..5 3.0@8..9)@4..9)@0..9\n");
    }

    #[test]
    fn a_long_form_breaks_with_its_name_on_the_first_line() {
        let source = "policy \"p\" version 2\nrule r {\n  when customer.last mentions exactly [\"refund\", \"money back\", \"chargeback\"] with typos\n  flag \"refund\"\n}\n";
        let printed = policy(&parse_policy(source).unwrap());
        let lines: Vec<&str> = printed.lines().collect();
        assert_eq!(lines[0], "(policy \"p\"@7..10");
        assert_eq!(lines[1], "  (version 2@19..20)");
        assert_eq!(lines[2], "  (rule r@26..27");
        assert!(lines[3].starts_with("    (mentions customer.last:1@"), "{printed}");
        assert_eq!(lines[5..7], ["      exactly", "      with-typos)@37..117"], "{printed}");
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH), "{printed}");
    }
}
