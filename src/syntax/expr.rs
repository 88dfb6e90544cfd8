//! Conditions: the parse tree of an expression to its AST, with the depth limit.
//!
//! pest hands an expression over as a flat run `prefix* primary (infix prefix* primary)*`.
//! It is folded into a tree by precedence climbing with an explicit operator stack, so
//! a chain of ten thousand `or` or `not` costs no native stack; only brackets recurse,
//! and that recursion stops at [`MAX_DEPTH`].

use miette::SourceSpan;
use pest::iterators::Pair;

use super::ast::*;
use super::err::SyntaxError;
use super::parser::{build_ident, build_number, build_string, build_u32, children, internal, next, span_of, Rule};
use super::stack::{guarded, MAX_DEPTH};

type Result<T> = std::result::Result<T, SyntaxError>;

/// A built subtree and its height (a leaf is 1).
type Built = (Expr, usize);

/// Builds an `expr` pair whose root sits below `above` other expression nodes.
pub(crate) fn build_expr(pair: &Pair<'_, Rule>, above: usize) -> Result<Expr> {
    build_operators(pair, above).map(|(e, _)| e)
}

fn too_deep(span: SourceSpan) -> SyntaxError {
    SyntaxError::TooDeep { limit: MAX_DEPTH, span }
}

/// Fails when a node at `depth` (the root is 1) with a subtree `height` high would
/// put a leaf deeper than the limit.
fn within_limit(depth: usize, height: usize, span: SourceSpan) -> Result<()> {
    if depth + height.saturating_sub(1) > MAX_DEPTH {
        return Err(too_deep(span));
    }
    Ok(())
}

/// Binding power of an operator, on pest's Pratt scale (doubled so a prefix operator
/// can bind just below its own level): an operator waiting for its right side takes
/// every following infix operator that binds more strongly than its own power.
fn infix_power(op: BinaryOp) -> u8 {
    2 * op.precedence()
}

fn prefix_power(op: UnaryOp) -> u8 {
    let precedence = match op {
        UnaryOp::Not => NOT_PRECEDENCE,
        UnaryOp::Neg => NEG_PRECEDENCE,
    };
    2 * precedence - 1
}

fn unary_op(rule: Rule) -> Option<UnaryOp> {
    match rule {
        Rule::op_not => Some(UnaryOp::Not),
        Rule::op_neg => Some(UnaryOp::Neg),
        _ => None,
    }
}

fn binary_op(rule: Rule) -> Option<BinaryOp> {
    Some(match rule {
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
        Rule::op_div => BinaryOp::Div,
        _ => return None,
    })
}

/// An operator still waiting for its right operand.
enum Pending {
    Prefix(Node<UnaryOp>),
    Infix(Built, Node<BinaryOp>),
}

/// Precedence climbing exactly as pest's Pratt parser does it (same tree for every
/// input), with its recursion turned into the `waiting` stack. Every waiting operator
/// becomes an ancestor of what is built next, which gives the depth checked top-down;
/// heights checked as nodes are joined catch long left-leaning chains.
fn build_operators(pair: &Pair<'_, Rule>, above: usize) -> Result<Built> {
    let mut parts = children(pair).peekable();
    let mut waiting: Vec<(Pending, u8)> = Vec::new();
    loop {
        // An operand: its prefix operators, then a primary.
        let mut lhs = loop {
            let part = next(&mut parts, pair)?;
            let depth = above + waiting.len() + 1;
            if let Some(op) = unary_op(part.as_rule()) {
                let op = Node::new(op, span_of(&part));
                within_limit(depth, 1, op.span)?;
                let power = prefix_power(op.node);
                waiting.push((Pending::Prefix(op), power));
                continue;
            }
            break build_primary(&part, depth - 1)?;
        };
        // Join finished operands while the next operator binds no more strongly.
        loop {
            let power = waiting.last().map_or(0, |(_, p)| *p);
            let op = parts.peek().and_then(|p| binary_op(p.as_rule()).map(|op| (op, span_of(p))));
            if let Some((op, span)) = op.filter(|(op, _)| infix_power(*op) > power) {
                parts.next();
                waiting.push((Pending::Infix(lhs, Node::new(op, span)), infix_power(op)));
                break;
            }
            let Some((pending, _)) = waiting.pop() else {
                if let Some(extra) = parts.next() {
                    return Err(internal(extra.as_span().start(), "operator expected"));
                }
                return Ok(lhs);
            };
            let depth = above + waiting.len() + 1;
            lhs = match pending {
                Pending::Prefix(op) => {
                    let (operand, height) = lhs;
                    let span = join(op.span, operand.span);
                    within_limit(depth, height + 1, op.span)?;
                    (Node::new(ExprKind::Unary { op, operand: Box::new(operand) }, span), height + 1)
                }
                Pending::Infix((left, lh), op) => {
                    let (right, rh) = lhs;
                    let height = lh.max(rh) + 1;
                    let span = join(left.span, right.span);
                    within_limit(depth, height, op.span)?;
                    let kind = ExprKind::Binary { op, lhs: Box::new(left), rhs: Box::new(right) };
                    (Node::new(kind, span), height)
                }
            };
        }
    }
}

fn join(a: SourceSpan, b: SourceSpan) -> SourceSpan {
    let start = a.offset().min(b.offset());
    let end = (a.offset() + a.len()).max(b.offset() + b.len());
    (start, end - start).into()
}

/// The first character of a span: where a too-deep bracket opens.
fn opening(span: SourceSpan) -> SourceSpan {
    (span.offset(), 1).into()
}

/// Builds a primary whose node sits below `above` expression nodes.
fn build_primary(pair: &Pair<'_, Rule>, above: usize) -> Result<Built> {
    let span = span_of(pair);
    within_limit(above + 1, 1, opening(span))?;
    let leaf = |kind| Ok((Node::new(kind, span), 1));
    // The children of a bracketed primary, with their height.
    let nested = |child: &Pair<'_, Rule>| guarded(|| build_operators(child, above + 1));
    match pair.as_rule() {
        Rule::paren => {
            let (inner, height) = nested(&next(&mut children(pair), pair)?)?;
            Ok((Node::new(ExprKind::Paren(Box::new(inner)), span), height + 1))
        }
        Rule::list => {
            let mut items = Vec::new();
            let mut height = 0;
            for item in children(pair) {
                let (e, h) = nested(&item)?;
                height = height.max(h);
                items.push(e);
            }
            Ok((Node::new(ExprKind::List(items), span), height + 1))
        }
        Rule::call => {
            let mut it = children(pair);
            let function = build_ident(&next(&mut it, pair)?);
            let mut args = Vec::new();
            let mut height = 0;
            for arg in it {
                let (name, value_pair) = if arg.as_rule() == Rule::named_arg {
                    let mut a = children(&arg);
                    let name = build_ident(&next(&mut a, &arg)?);
                    (Some(name), next(&mut a, &arg)?)
                } else {
                    (None, arg)
                };
                let (value, h) = nested(&value_pair)?;
                height = height.max(h);
                args.push(Argument { name, value });
            }
            Ok((Node::new(ExprKind::Call { function, args }, span), height + 1))
        }
        Rule::message_test => {
            let mut it = children(pair);
            let selector = build_selector(&next(&mut it, pair)?)?;
            let test = next(&mut it, pair)?;
            if test.as_rule() == Rule::says_test {
                let mut parts = children(&test);
                let intent = build_ident(&next(&mut parts, &test)?);
                let at_least = match parts.next() {
                    Some(at) => Some(build_number(&next(&mut children(&at), &at)?)?),
                    None => None,
                };
                let kind = ExprKind::Says { messages: Box::new(selector), intent, at_least };
                return Ok((Node::new(kind, span), 1));
            }
            let mut parts = children(&test).peekable();
            let exact = parts.next_if(|p| p.as_rule() == Rule::exactly).is_some();
            let arg = next(&mut parts, &test)?;
            let (arg, height) = guarded(|| build_primary(&arg, above + 1))?;
            let kind = if test.as_rule() == Rule::mentions_test {
                let typos = parts.next_if(|p| p.as_rule() == Rule::with_typos).is_some();
                let unless_negated = parts.next().is_some();
                let words = WordMatch { exact, typos };
                ExprKind::Mentions { messages: Box::new(selector), phrases: Box::new(arg), words, unless_negated }
            } else {
                ExprKind::Matches { messages: Box::new(selector), regex: Box::new(arg) }
            };
            Ok((Node::new(kind, span), height + 1))
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
            let (ms, unit) = parse_duration(pair)?;
            leaf(ExprKind::Duration(ms, unit))
        }
        Rule::string => leaf(ExprKind::String(build_string(pair.clone())?.node)),
        Rule::regex => {
            regex_ends_early(pair)?;
            let mut it = children(pair);
            let body = next(&mut it, pair)?.as_str().to_string();
            let flags = it.next().map(|f| f.as_str().to_string()).unwrap_or_default();
            leaf(ExprKind::Regex { pattern: body, flags })
        }
        Rule::ident => leaf(ExprKind::Name(pair.as_str().to_string())),
        Rule::attribute => {
            let mut it = pair.clone().into_inner();
            let root = AttributeRoot::from_keyword(next(&mut it, pair)?.as_str())
                .ok_or_else(|| internal(span.offset(), "unknown attribute root"))?;
            let path = it.map(|p| build_ident(&p)).collect();
            leaf(ExprKind::Attribute { root, path })
        }
        Rule::selector => leaf(ExprKind::Selector(build_selector(pair)?.node)),
        _ => Err(internal(span.offset(), "unknown primary")),
    }
}

/// `/http://x/i`: a `/` inside the pattern ends it, and the rest reads as division.
/// Said here, where the regular expression is, not as an unknown name `x` further on.
fn regex_ends_early(pair: &Pair<'_, Rule>) -> Result<()> {
    let input = pair.get_input();
    let (start, end) = (pair.as_span().start(), pair.as_span().end());
    if !input.get(end..).is_some_and(|rest| rest.starts_with('/')) {
        return Ok(());
    }
    let written = input.get(start..).unwrap_or("");
    let written = written.split(char::is_whitespace).next().unwrap_or(written);
    let last = written.rfind('/').unwrap_or(0);
    let (body, flags) = (written.get(1..last).unwrap_or(""), written.get(last..).unwrap_or("/"));
    let mut escaped = String::new();
    let mut after_backslash = false;
    for c in body.chars() {
        if c == '/' && !after_backslash {
            escaped.push('\\');
        }
        after_backslash = c == '\\' && !after_backslash;
        escaped.push(c);
    }
    Err(SyntaxError::InvalidLiteral {
        what: "regular expression",
        reason: "a `/` inside it ends it early".into(),
        span: (start, written.len()).into(),
        help: Some(format!("write each `/` inside the pattern as `\\/`: `/{escaped}{flags}`")),
    })
}

fn build_selector(pair: &Pair<'_, Rule>) -> Result<Node<Selector>> {
    let span = span_of(pair);
    let mut it = pair.clone().into_inner();
    let role = RoleFilter::from_keyword(next(&mut it, pair)?.as_str())
        .ok_or_else(|| internal(span.offset(), "unknown role"))?;
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

/// A duration literal in milliseconds, with the unit it was written in.
pub(crate) fn parse_duration(pair: &Pair<'_, Rule>) -> Result<(u64, DurationUnit)> {
    let text = pair.as_str();
    let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, suffix) = text.split_at(digits_end);
    let unit = DurationUnit::from_suffix(suffix).ok_or_else(|| internal(span_of(pair).offset(), "unknown unit"))?;
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
