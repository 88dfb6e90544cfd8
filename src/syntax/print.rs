//! An expression as the tokens it is printed with, each with where it stood in the
//! source, so the formatter can put a comment back between the same two tokens.
//! Printing one flat line and printing around comments share this one walk.

use super::ast::*;
use super::fmt::{duration, selector, string};
use super::stack::guarded;

/// One printed token.
pub(crate) struct Token {
    /// Where the token starts in the source (an estimate when printing without one).
    pub at: usize,
    pub text: String,
    /// Printed right after the previous token, with no space: `(`'s content, `,`.
    pub glued: bool,
}

/// The tokens of `e`. With the source, tokens that have no span of their own (`,`,
/// `mentions`, a call's `(`) are located in it; without, they take the position of
/// what precedes them.
pub(crate) fn tokens(e: &Expr, source: Option<&str>) -> Vec<Token> {
    let mut t = Tokens { source, out: Vec::new(), glue_next: false };
    t.expr(e);
    t.out
}

/// The tokens on one line.
pub(crate) fn flat(tokens: &[Token]) -> String {
    let mut s = String::new();
    for (i, t) in tokens.iter().enumerate() {
        if i > 0 && !t.glued {
            s.push(' ');
        }
        s.push_str(&t.text);
    }
    s
}

struct Tokens<'s> {
    source: Option<&'s str>,
    out: Vec<Token>,
    /// The next token follows an opening bracket or a unary minus.
    glue_next: bool,
}

fn end(span: miette::SourceSpan) -> usize {
    span.offset() + span.len()
}

impl Tokens<'_> {
    fn push(&mut self, at: usize, text: impl Into<String>, glued: bool) {
        let glued = glued || std::mem::take(&mut self.glue_next);
        self.out.push(Token { at, text: text.into(), glued });
    }

    /// Where the next token starts from `pos` on: past spaces and comments.
    fn after(&self, pos: usize) -> usize {
        let Some(source) = self.source else { return pos };
        let mut at = pos;
        while let Some(rest) = source.get(at..) {
            let trimmed = rest.trim_start_matches([' ', '\t', '\r', '\n', '\u{FEFF}']);
            at += rest.len() - trimmed.len();
            if !trimmed.starts_with('#') {
                break;
            }
            at += trimmed.find(['\n', '\r']).unwrap_or(trimmed.len());
        }
        at
    }

    /// A bracketed, comma-separated run of items: `[a, b]`, `(x, n: y)`.
    /// `glued_open`: the opening bracket follows a name, as a call's `(` does.
    fn items<T>(
        &mut self,
        open: (usize, &str, bool),
        items: &[T],
        close: (usize, &str),
        item: impl Fn(&mut Self, &T) -> usize,
    ) {
        self.push(open.0, open.1, open.2);
        self.glue_next = true;
        for (i, it) in items.iter().enumerate() {
            let item_end = item(self, it);
            if i + 1 < items.len() {
                let comma = self.after(item_end);
                self.push(comma, ",", true);
            }
        }
        self.push(close.0, close.1, true);
    }

    fn expr(&mut self, e: &Expr) {
        guarded(|| self.expr_here(e));
    }

    fn expr_here(&mut self, e: &Expr) {
        let at = e.span.offset();
        match &e.node {
            ExprKind::Bool(b) => self.push(at, b.to_string(), false),
            ExprKind::Number(n) => self.push(at, format!("{n}"), false),
            ExprKind::Duration(ms, unit) => self.push(at, duration(*ms, *unit), false),
            ExprKind::String(s) => self.push(at, string(s), false),
            ExprKind::Regex { pattern, flags } => self.push(at, format!("/{pattern}/{flags}"), false),
            ExprKind::Name(n) => self.push(at, n.clone(), false),
            ExprKind::Attribute { root, path } => {
                let mut s = root.keyword().to_string();
                for p in path {
                    s.push('.');
                    s.push_str(&p.node);
                }
                self.push(at, s, false);
            }
            ExprKind::Selector(s) => self.push(at, selector(s), false),
            ExprKind::List(items) => {
                let close = end(e.span).saturating_sub(1);
                self.items((at, "[", false), items, (close, "]"), |t, item| {
                    t.expr(item);
                    end(item.span)
                });
            }
            ExprKind::Call { function, args } => {
                self.push(function.span.offset(), function.node.clone(), false);
                let open = self.after(end(function.span));
                let close = end(e.span).saturating_sub(1);
                self.items((open, "(", true), args, (close, ")"), |t, arg| {
                    if let Some(name) = &arg.name {
                        t.push(name.span.offset(), name.node.clone(), false);
                        let colon = t.after(end(name.span));
                        t.push(colon, ":", true);
                    }
                    t.expr(&arg.value);
                    end(arg.value.span)
                });
            }
            ExprKind::Mentions { messages, phrases, words, unless_negated } => {
                self.push(messages.span.offset(), selector(&messages.node), false);
                let keyword = self.after(end(messages.span));
                self.push(keyword, "mentions", false);
                if words.exact {
                    let exactly = self.after(keyword + "mentions".len());
                    self.push(exactly, "exactly", false);
                }
                self.expr(phrases);
                let mut last = end(phrases.span);
                if words.typos {
                    let with = self.after(last);
                    self.push(with, "with", false);
                    let typos = self.after(with + "with".len());
                    self.push(typos, "typos", false);
                    last = typos + "typos".len();
                }
                if *unless_negated {
                    let unless = self.after(last);
                    self.push(unless, "unless", false);
                    let negated = self.after(unless + "unless".len());
                    self.push(negated, "negated", false);
                }
            }
            ExprKind::Matches { messages, regex } => {
                self.push(messages.span.offset(), selector(&messages.node), false);
                let keyword = self.after(end(messages.span));
                self.push(keyword, "matches", false);
                self.expr(regex);
            }
            ExprKind::Says { messages, intent, at_least } => {
                self.push(messages.span.offset(), selector(&messages.node), false);
                let keyword = self.after(end(messages.span));
                self.push(keyword, "says", false);
                self.push(intent.span.offset(), intent.node.clone(), false);
                if let Some(n) = at_least {
                    let at = self.after(end(intent.span));
                    self.push(at, "at", false);
                    let least = self.after(at + "at".len());
                    self.push(least, "least", false);
                    self.push(n.span.offset(), format!("{}", n.node), false);
                }
            }
            ExprKind::Unary { op, operand } => {
                match op.node {
                    UnaryOp::Not => self.push(op.span.offset(), "not", false),
                    UnaryOp::Neg => {
                        self.push(op.span.offset(), "-", false);
                        self.glue_next = true;
                    }
                }
                self.expr(operand);
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.expr(lhs);
                self.push(op.span.offset(), op.node.symbol(), false);
                self.expr(rhs);
            }
            ExprKind::Paren(inner) => {
                self.push(at, "(", false);
                self.glue_next = true;
                self.expr(inner);
                self.push(end(e.span).saturating_sub(1), ")", true);
            }
        }
    }
}
