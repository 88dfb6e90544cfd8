//! The pest binding and the parse tree to AST conversion (spans on every node).

use std::sync::LazyLock;

use miette::SourceSpan;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser;

use super::ast::*;
use super::err::{from_pest, SyntaxError};

const _GRAMMAR: &str = include_str!("../../grammar/handoff.pest");

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/handoff.pest"]
pub struct HandoffParser;

/// Deepest nesting of brackets or prefix operators a policy may use. Real policies
/// stay under ten; the limit keeps the recursive stages far from the stack's end.
pub const MAX_DEPTH: usize = 64;

type Result<T> = std::result::Result<T, SyntaxError>;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
});

/// Parses a policy's text into its AST, or the first syntax error.
pub fn parse_policy(source: &str) -> Result<Policy> {
    check_nesting(source)?;
    let mut pairs = HandoffParser::parse(Rule::policy, source).map_err(|_| detailed_error(source))?;
    let comments: Vec<(usize, usize)> = pairs
        .clone()
        .flatten()
        .filter(|p| p.as_rule() == Rule::COMMENT)
        .map(|p| (p.as_span().start(), p.as_span().end()))
        .collect();
    COMMENTS.with(|c| *c.borrow_mut() = comments);
    let policy = pairs.next().ok_or_else(|| internal(0, "empty parse"))?;
    let built = build_policy(policy);
    COMMENTS.with(|c| c.borrow_mut().clear());
    built
}

/// Parses again with pest's error detail on: it records every literal token tried
/// (so the error can name keywords like `when`), which costs too much on success.
fn detailed_error(source: &str) -> SyntaxError {
    pest::set_error_detail(true);
    let result = HandoffParser::parse(Rule::policy, source);
    pest::set_error_detail(false);
    match result {
        Err(e) => from_pest(e, source),
        Ok(_) => internal(0, "a failed parse succeeded on retry"),
    }
}

/// Parses one expression (used by tests and tools).
pub fn parse_expr(source: &str) -> Result<Expr> {
    check_nesting(source)?;
    let mut pairs = HandoffParser::parse(Rule::expr, source).map_err(|e| from_pest(e, source))?;
    let expr = pairs.next().ok_or_else(|| internal(0, "empty parse"))?;
    if expr.as_span().end() != source.trim_end().len() {
        let pos = expr.as_span().end();
        return Err(SyntaxError::Unexpected {
            found: "more text".into(),
            expected: "the end of the condition".into(),
            label: "the condition ends before this".into(),
            span: (pos, source.len().saturating_sub(pos)).into(),
            help: None,
        });
    }
    build_expr(expr)
}

/// Rejects nesting deeper than [`MAX_DEPTH`] before pest recurses into it.
/// Counts brackets and runs of prefix operators outside strings and comments.
fn check_nesting(source: &str) -> Result<()> {
    let bytes = source.as_bytes();
    let mut depth: usize = 0;
    let mut prefix_run: usize = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == b'\\' {
                        i += 1;
                    } else if c == b'"' || c == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            b'#' => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(SyntaxError::TooDeep { limit: MAX_DEPTH, span: (i, 1).into() });
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'-' | b'!' => {
                prefix_run += 1;
            }
            b'n' if source.get(i..i + 3) == Some("not")
                && bytes.get(i + 3).is_some_and(|c| c.is_ascii_whitespace() || *c == b'(')
                && (i == 0 || bytes.get(i - 1).is_some_and(|c| !c.is_ascii_alphanumeric() && *c != b'_')) =>
            {
                prefix_run += 1;
                i += 2;
            }
            b'/' if regex_may_start(bytes.get(..i).unwrap_or(&[])) => {
                // Skip a regex literal: its brackets and dashes are not nesting.
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == b'\\' {
                        i += 1;
                    } else if c == b'/' || c == b'\n' {
                        break;
                    }
                    i += 1;
                }
                prefix_run = 0;
            }
            c if c.is_ascii_whitespace() => {}
            _ => prefix_run = 0,
        }
        if prefix_run > MAX_DEPTH {
            return Err(SyntaxError::TooDeep { limit: MAX_DEPTH, span: (i, 1).into() });
        }
        i += 1;
    }
    Ok(())
}

/// Whether a `/` after this text starts a regex literal rather than dividing.
fn regex_may_start(before: &[u8]) -> bool {
    let text = std::str::from_utf8(before).unwrap_or("").trim_end();
    text.ends_with("matches") || text.ends_with(['(', '[', ',', ':', '=']) || text.ends_with("mentions")
}

thread_local! {
    /// The comments of the policy being built, as (start, end), sorted. pest puts the
    /// whitespace and comments skipped before an absent optional part inside the
    /// enclosing pair's span; spans are trimmed back to the last real token.
    static COMMENTS: std::cell::RefCell<Vec<(usize, usize)>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn span_of(pair: &Pair<'_, Rule>) -> SourceSpan {
    let s = pair.as_span();
    let start = s.start();
    let text = s.as_str();
    let mut end = start + text.trim_end().len();
    COMMENTS.with(|c| {
        let comments = c.borrow();
        while let Ok(i) = comments.binary_search_by_key(&end, |&(_, e)| e) {
            let Some(&(cstart, _)) = comments.get(i) else { break };
            if cstart < start {
                break;
            }
            end = start + text.get(..cstart - start).unwrap_or("").trim_end().len();
        }
    });
    (start, end.max(start) - start).into()
}

fn internal(pos: usize, what: &str) -> SyntaxError {
    SyntaxError::InvalidLiteral {
        what: "syntax",
        reason: format!("internal parser inconsistency ({what})"),
        span: (pos, 0).into(),
        help: Some("please report this policy to the handoff maintainers".into()),
    }
}

/// The children of a pair without comments.
fn children<'a>(pair: &Pair<'a, Rule>) -> impl Iterator<Item = Pair<'a, Rule>> {
    pair.clone().into_inner().filter(|p| p.as_rule() != Rule::COMMENT)
}

/// Pulls the next child, or an error located at the parent.
fn next<'a>(it: &mut impl Iterator<Item = Pair<'a, Rule>>, parent: &Pair<'a, Rule>) -> Result<Pair<'a, Rule>> {
    it.next().ok_or_else(|| internal(parent.as_span().start(), "missing child"))
}

fn build_policy(pair: Pair<'_, Rule>) -> Result<Policy> {
    let mut it = children(&pair);
    let header = next(&mut it, &pair)?;
    let mut h = children(&header);
    let name = build_string(next(&mut h, &header)?)?;
    let version_pair = next(&mut h, &header)?;
    let version = build_u64(&version_pair, "version")?;
    let mut items = Vec::new();
    for item in it {
        match item.as_rule() {
            Rule::queues => items.push(Item::Queues(build_queues(item)?)),
            Rule::let_decl => items.push(Item::Let(build_let(item)?)),
            Rule::rule_decl => items.push(Item::Rule(build_rule(item)?)),
            Rule::test_decl => items.push(Item::Test(build_test(item)?)),
            Rule::EOI => {}
            _ => return Err(internal(item.as_span().start(), "unknown item")),
        }
    }
    Ok(Policy { name, version, items })
}

fn build_u64(pair: &Pair<'_, Rule>, what: &'static str) -> Result<Node<u64>> {
    let value = pair.as_str().parse::<u64>().map_err(|_| SyntaxError::InvalidLiteral {
        what,
        reason: format!("`{}` is not a whole number", pair.as_str()),
        span: span_of(pair),
        help: Some(format!("the {what} is a whole number such as 3")),
    })?;
    Ok(Node::new(value, span_of(pair)))
}

fn build_u32(pair: &Pair<'_, Rule>, what: &'static str) -> Result<Node<u32>> {
    let n = build_u64(pair, what)?;
    let value = u32::try_from(n.node).map_err(|_| SyntaxError::InvalidLiteral {
        what,
        reason: format!("`{}` is too large", pair.as_str()),
        span: n.span,
        help: None,
    })?;
    Ok(Node::new(value, n.span))
}

fn build_ident(pair: &Pair<'_, Rule>) -> Ident {
    Node::new(pair.as_str().to_string(), span_of(pair))
}

fn build_string(pair: Pair<'_, Rule>) -> Result<Node<String>> {
    let span = span_of(&pair);
    let raw = pair.as_str();
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            other => {
                return Err(SyntaxError::InvalidLiteral {
                    what: "string",
                    reason: match other {
                        Some(o) => format!("unknown escape `\\{o}`"),
                        None => "a string cannot end with `\\`".into(),
                    },
                    span,
                    help: Some("the escapes are \\\" \\\\ \\n and \\t".into()),
                })
            }
        }
    }
    Ok(Node::new(out, span))
}

fn build_queues(pair: Pair<'_, Rule>) -> Result<Node<Vec<QueueDecl>>> {
    let span = span_of(&pair);
    let mut queues = Vec::new();
    for decl in children(&pair) {
        let mut it = children(&decl);
        let name = build_ident(&next(&mut it, &decl)?);
        let description = it.next().map(build_string).transpose()?;
        queues.push(QueueDecl { name, description });
    }
    Ok(Node::new(queues, span))
}

fn build_let(pair: Pair<'_, Rule>) -> Result<LetDecl> {
    let span = span_of(&pair);
    let mut it = children(&pair);
    let name = build_ident(&next(&mut it, &pair)?);
    let value = build_expr(next(&mut it, &pair)?)?;
    Ok(LetDecl { name, value, span })
}

fn build_rule(pair: Pair<'_, Rule>) -> Result<Rule_> {
    let span = span_of(&pair);
    let mut it = children(&pair);
    let name = build_ident(&next(&mut it, &pair)?);
    let when = build_expr(next(&mut it, &pair)?)?;
    let outcome_pair = next(&mut it, &pair)?;
    let outcome = build_outcome(outcome_pair)?;
    Ok(Rule_ { name, when, outcome, span })
}

type Rule_ = super::ast::Rule;

fn build_outcome(pair: Pair<'_, Rule>) -> Result<Node<Outcome>> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::escalate => OutcomeKind::Escalate,
        Rule::offer => OutcomeKind::Offer,
        _ => OutcomeKind::Flag,
    };
    let mut target = None;
    let mut modifiers = Vec::new();
    for child in children(&pair) {
        let cspan = span_of(&child);
        match child.as_rule() {
            Rule::ident => target = Some(build_ident(&child)),
            Rule::string => target = Some(build_string(child)?),
            Rule::via | Rule::fallback | Rule::priority => {
                let rule = child.as_rule();
                let mut it = children(&child);
                let id = build_ident(&next(&mut it, &child)?);
                let m = match rule {
                    Rule::via => Modifier::Via(id),
                    Rule::fallback => Modifier::Fallback(id),
                    _ => Modifier::Priority(id),
                };
                modifiers.push(Node::new(m, cspan));
            }
            Rule::reason => {
                let mut it = children(&child);
                let s = build_string(next(&mut it, &child)?)?;
                modifiers.push(Node::new(Modifier::Reason(s), cspan));
            }
            _ => return Err(internal(cspan.offset(), "unknown outcome part")),
        }
    }
    Ok(Node::new(Outcome { kind, target, modifiers }, span))
}

/// Builds an expression; nesting depth is tracked bottom-up so a long chain of
/// operators gives a diagnostic instead of a tree too deep to walk.
pub(crate) fn build_expr(pair: Pair<'_, Rule>) -> Result<Expr> {
    build_expr_pairs(children(&pair).collect::<Vec<_>>().into_iter()).map(|(e, _)| e)
}

fn build_expr_pairs<'a>(pairs: impl Iterator<Item = Pair<'a, Rule>>) -> Result<(Expr, usize)> {
    PRATT
        .map_primary(|p| build_primary(p))
        .map_prefix(|op, rhs| {
            let (rhs, depth) = rhs?;
            let op_span = span_of(&op);
            let op = match op.as_rule() {
                Rule::op_not => UnaryOp::Not,
                _ => UnaryOp::Neg,
            };
            let span = join(op_span, rhs.span);
            let depth = deeper(depth, span)?;
            Ok((Node::new(ExprKind::Unary { op: Node::new(op, op_span), operand: Box::new(rhs) }, span), depth))
        })
        .map_infix(|lhs, op, rhs| {
            let (lhs, ld) = lhs?;
            let (rhs, rd) = rhs?;
            let op_span = span_of(&op);
            let op = match op.as_rule() {
                Rule::op_or => BinaryOp::Or,
                Rule::op_and => BinaryOp::And,
                Rule::op_eq => BinaryOp::Eq,
                Rule::op_ne => BinaryOp::Ne,
                Rule::op_lt => BinaryOp::Lt,
                Rule::op_le => BinaryOp::Le,
                Rule::op_gt => BinaryOp::Gt,
                Rule::op_ge => BinaryOp::Ge,
                Rule::op_in => BinaryOp::In,
                Rule::op_add => BinaryOp::Add,
                Rule::op_sub => BinaryOp::Sub,
                Rule::op_mul => BinaryOp::Mul,
                _ => BinaryOp::Div,
            };
            let span = join(lhs.span, rhs.span);
            let depth = deeper(ld.max(rd), span)?;
            Ok((
                Node::new(
                    ExprKind::Binary { op: Node::new(op, op_span), lhs: Box::new(lhs), rhs: Box::new(rhs) },
                    span,
                ),
                depth,
            ))
        })
        .parse(pairs)
}

/// Operator chains may be longer than bracket nesting, but not unboundedly so.
const MAX_EXPR_DEPTH: usize = 256;

fn deeper(depth: usize, span: SourceSpan) -> Result<usize> {
    if depth >= MAX_EXPR_DEPTH {
        return Err(SyntaxError::TooDeep { limit: MAX_EXPR_DEPTH, span });
    }
    Ok(depth + 1)
}

fn join(a: SourceSpan, b: SourceSpan) -> SourceSpan {
    let start = a.offset().min(b.offset());
    let end = (a.offset() + a.len()).max(b.offset() + b.len());
    (start, end - start).into()
}

fn build_primary(pair: Pair<'_, Rule>) -> Result<(Expr, usize)> {
    let span = span_of(&pair);
    let leaf = |kind| Ok((Node::new(kind, span), 1));
    match pair.as_rule() {
        Rule::paren => {
            let mut it = children(&pair);
            let (inner, depth) = build_expr_pairs(children(&next(&mut it, &pair)?))?;
            let depth = deeper(depth, span)?;
            Ok((Node::new(ExprKind::Paren(Box::new(inner)), span), depth))
        }
        Rule::boolean => leaf(ExprKind::Bool(pair.as_str() == "true")),
        Rule::number => {
            let v = pair.as_str().parse::<f64>().map_err(|_| SyntaxError::InvalidLiteral {
                what: "number",
                reason: format!("`{}` is not a number", pair.as_str()),
                span,
                help: None,
            })?;
            leaf(ExprKind::Number(v))
        }
        Rule::duration => {
            let (ms, unit) = parse_duration(&pair)?;
            leaf(ExprKind::Duration(ms, unit))
        }
        Rule::string => leaf(ExprKind::String(build_string(pair)?.node)),
        Rule::regex => {
            let mut it = children(&pair);
            let body = next(&mut it, &pair)?.as_str().to_string();
            let flags = it.next().map(|f| f.as_str().to_string()).unwrap_or_default();
            leaf(ExprKind::Regex { pattern: body, flags })
        }
        Rule::list => {
            let mut items = Vec::new();
            let mut depth = 1;
            for item in children(&pair) {
                let (e, d) = build_expr_pairs(children(&item))?;
                depth = depth.max(d);
                items.push(e);
            }
            Ok((Node::new(ExprKind::List(items), span), deeper(depth, span)?))
        }
        Rule::ident => leaf(ExprKind::Name(pair.as_str().to_string())),
        Rule::attribute => {
            let mut it = pair.clone().into_inner();
            let root = match next(&mut it, &pair)?.as_str() {
                "customer" => AttributeRoot::Customer,
                _ => AttributeRoot::Metadata,
            };
            let path = it.map(|p| build_ident(&p)).collect();
            leaf(ExprKind::Attribute { root, path })
        }
        Rule::selector => leaf(ExprKind::Selector(build_selector(&pair)?.node)),
        Rule::message_test => {
            let mut it = children(&pair);
            let selector = build_selector(&next(&mut it, &pair)?)?;
            let test = next(&mut it, &pair)?;
            let mut parts = children(&test).peekable();
            let exact = parts.next_if(|p| p.as_rule() == Rule::exactly).is_some();
            let arg = next(&mut parts, &test)?;
            let (arg, depth) = build_primary(arg)?;
            let kind = if test.as_rule() == Rule::mentions_test {
                let typos = parts.next_if(|p| p.as_rule() == Rule::with_typos).is_some();
                let unless_negated = parts.next().is_some();
                let words = WordMatch { exact, typos };
                ExprKind::Mentions { messages: Box::new(selector), phrases: Box::new(arg), words, unless_negated }
            } else {
                ExprKind::Matches { messages: Box::new(selector), regex: Box::new(arg) }
            };
            Ok((Node::new(kind, span), deeper(depth, span)?))
        }
        Rule::call => {
            let mut it = children(&pair);
            let function = build_ident(&next(&mut it, &pair)?);
            let mut args = Vec::new();
            let mut depth = 1;
            for arg in it {
                let (name, value_pair) = if arg.as_rule() == Rule::named_arg {
                    let mut a = children(&arg);
                    let name = build_ident(&next(&mut a, &arg)?);
                    (Some(name), next(&mut a, &arg)?)
                } else {
                    (None, arg)
                };
                let (value, d) = build_expr_pairs(children(&value_pair))?;
                depth = depth.max(d);
                args.push(Argument { name, value });
            }
            Ok((Node::new(ExprKind::Call { function, args }, span), deeper(depth, span)?))
        }
        _ => Err(internal(span.offset(), "unknown primary")),
    }
}

fn build_selector(pair: &Pair<'_, Rule>) -> Result<Node<Selector>> {
    let span = span_of(pair);
    let mut it = pair.clone().into_inner();
    let role = match next(&mut it, pair)?.as_str() {
        "customer" => RoleFilter::Customer,
        "bot" => RoleFilter::Bot,
        "agent" => RoleFilter::Agent,
        "system" => RoleFilter::System,
        _ => RoleFilter::Messages,
    };
    let window_pair = next(&mut it, pair)?;
    let mut within_unit = None;
    let window = match window_pair.as_rule() {
        Rule::last => match window_pair.clone().into_inner().next() {
            Some(count) => Window::Last(build_u32(&count, "window size")?.node),
            None => Window::Last(1),
        },
        Rule::within => {
            let d = next(&mut window_pair.clone().into_inner(), &window_pair)?;
            let (ms, unit) = parse_duration(&d)?;
            within_unit = Some(unit);
            Window::Within(ms)
        }
        _ => Window::Any,
    };
    Ok(Node::new(Selector { role, window, within_unit }, span))
}

fn parse_duration(pair: &Pair<'_, Rule>) -> Result<(u64, DurationUnit)> {
    let text = pair.as_str();
    let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, suffix) = text.split_at(digits_end);
    let unit = match suffix {
        "ms" => DurationUnit::Millis,
        "s" => DurationUnit::Seconds,
        "m" => DurationUnit::Minutes,
        "h" => DurationUnit::Hours,
        _ => DurationUnit::Days,
    };
    let too_long = || SyntaxError::InvalidLiteral {
        what: "duration",
        reason: format!("`{text}` is too long"),
        span: span_of(pair),
        help: Some("durations are at most a few years".into()),
    };
    let n: u64 = digits.parse().map_err(|_| too_long())?;
    let ms = n.checked_mul(unit.millis()).ok_or_else(too_long)?;
    Ok((ms, unit))
}

fn build_test(pair: Pair<'_, Rule>) -> Result<Test> {
    let span = span_of(&pair);
    let mut it = children(&pair);
    let name = build_string(next(&mut it, &pair)?)?;
    let mut lines = Vec::new();
    for line in it {
        let lspan = span_of(&line);
        let built = match line.as_rule() {
            Rule::test_message => {
                let mut p = children(&line);
                let role_pair = next(&mut p, &line)?;
                let role = match role_pair.as_str() {
                    "customer" => RoleFilter::Customer,
                    "bot" => RoleFilter::Bot,
                    "agent" => RoleFilter::Agent,
                    "system" => RoleFilter::System,
                    _ => {
                        return Err(SyntaxError::InvalidLiteral {
                            what: "transcript line",
                            reason: "`messages` is not a role a message can have".into(),
                            span: span_of(&role_pair),
                            help: Some("write `customer:`, `bot:`, `agent:` or `system:`".into()),
                        })
                    }
                };
                let text = build_string(next(&mut p, &line)?)?;
                let annotations = p.next().map(|o| build_value(o)).transpose()?;
                TestLine::Message { role: Node::new(role, span_of(&role_pair)), text, annotations }
            }
            Rule::test_attributes => {
                let mut p = children(&line);
                let kind_pair = next(&mut p, &line)?;
                let kind = match kind_pair.as_str() {
                    "customer" => AttributesKind::Customer,
                    "metadata" => AttributesKind::Metadata,
                    _ => AttributesKind::Context,
                };
                let value = build_value(next(&mut p, &line)?)?;
                TestLine::Attributes { kind: Node::new(kind, span_of(&kind_pair)), value }
            }
            Rule::test_channel => TestLine::Channel(build_string(next(&mut children(&line), &line)?)?),
            Rule::test_file => TestLine::File(build_string(next(&mut children(&line), &line)?)?),
            Rule::expectation => TestLine::Expect(build_expectation(&line)?),
            _ => return Err(internal(lspan.offset(), "unknown test line")),
        };
        lines.push(Node::new(built, lspan));
    }
    Ok(Test { name, lines, span })
}

fn build_value(pair: Pair<'_, Rule>) -> Result<Node<Value>> {
    let span = span_of(&pair);
    let value = match pair.as_rule() {
        Rule::object => {
            let mut fields = Vec::new();
            for field in children(&pair) {
                let mut it = children(&field);
                let key = next(&mut it, &field)?;
                let key = if key.as_rule() == Rule::string { build_string(key)? } else { build_ident(&key) };
                fields.push((key, build_value(next(&mut it, &field)?)?));
            }
            Value::Object(fields)
        }
        Rule::array => Value::Array(children(&pair).map(build_value).collect::<Result<_>>()?),
        Rule::string => Value::String(build_string(pair)?.node),
        Rule::duration => {
            let (ms, unit) = parse_duration(&pair)?;
            Value::Duration(ms, unit)
        }
        Rule::signed => Value::Number(pair.as_str().parse::<f64>().map_err(|_| SyntaxError::InvalidLiteral {
            what: "number",
            reason: format!("`{}` is not a number", pair.as_str()),
            span,
            help: None,
        })?),
        Rule::boolean => Value::Bool(pair.as_str() == "true"),
        _ => Value::Null,
    };
    Ok(Node::new(value, span))
}

fn build_expectation(pair: &Pair<'_, Rule>) -> Result<Expectation> {
    let mut it = children(pair);
    let what = next(&mut it, pair)?;
    let wspan = span_of(&what);
    let expected = match what.as_rule() {
        Rule::expect_none => Expected::Nothing,
        Rule::expect_no_escalation => {
            let before = children(&what).next().map(|c| build_u32(&c, "message number")).transpose()?;
            Expected::NoEscalation { before }
        }
        Rule::expect_escalate => {
            let mut p = children(&what);
            let queue = build_ident(&next(&mut p, &what)?);
            let priority = match p.next() {
                Some(pr) => Some(build_ident(&next(&mut children(&pr), &pr)?)),
                None => None,
            };
            Expected::Escalate { queue, priority }
        }
        Rule::expect_offer => {
            let (mut via, mut priority) = (None, None);
            for part in children(&what) {
                let id = build_ident(&next(&mut children(&part), &part)?);
                if part.as_rule() == Rule::via {
                    via = Some(id);
                } else {
                    priority = Some(id);
                }
            }
            Expected::Offer { via, priority }
        }
        _ => Expected::Flag { label: build_string(next(&mut children(&what), &what)?)? },
    };
    let mut by = Vec::new();
    let mut at = None;
    for part in it {
        match part.as_rule() {
            Rule::expect_by => by = children(&part).map(|p| build_ident(&p)).collect(),
            _ => at = Some(build_u32(&next(&mut children(&part), &part)?, "message number")?),
        }
    }
    Ok(Expectation { expected: Node::new(expected, wspan), by, at })
}

/// Every comment in the source, in order, as spans (for the formatter).
pub fn comments(source: &str) -> Vec<SourceSpan> {
    match HandoffParser::parse(Rule::policy, source) {
        Ok(pairs) => collect_comments(pairs),
        Err(_) => Vec::new(),
    }
}

fn collect_comments(pairs: Pairs<'_, Rule>) -> Vec<SourceSpan> {
    pairs.flatten().filter(|p| p.as_rule() == Rule::COMMENT).map(|p| span_of(&p)).collect()
}
