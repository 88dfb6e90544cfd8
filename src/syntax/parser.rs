//! The pest binding and the parse tree to AST conversion (spans on every node).

use miette::SourceSpan;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};
use pest::Parser;

use super::ast::*;
use super::err::{from_pest, SyntaxError};
use super::expr::{build_expr, parse_duration};
use super::stack::{guarded, on_parse_stack};

const _GRAMMAR: &str = include_str!("../../grammar/handoff.pest");

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/handoff.pest"]
pub struct HandoffParser;

/// The nesting limit, also known by this path.
pub use super::stack::MAX_DEPTH;

type Result<T> = std::result::Result<T, SyntaxError>;

/// Parses a policy's text into its AST, or the first syntax error. Runs on a stack of
/// its own, so it is safe and gives the same answer on any thread (see [`super::stack`]).
pub fn parse_policy(source: &str) -> Result<Policy> {
    on_parse_stack(|| {
        let mut pairs = HandoffParser::parse(Rule::policy, source).map_err(|e| parse_error(e, source))?;
        let comments = collect_comments(pairs.clone());
        let mut policy = match pairs.next() {
            Some(policy) => build_policy(policy)?,
            None => return Err(internal(0, "empty parse")),
        };
        policy.comments = Comments(comments);
        Ok(policy)
    })
}

/// The error of a failed parse. pest stops when the stack is nearly used up, which only
/// nesting far past [`MAX_DEPTH`] can cause; otherwise the text is parsed again with
/// pest's error detail on: it records every literal token tried (so the error can name
/// keywords like `when`), which costs too much on success.
fn parse_error(error: pest::error::Error<Rule>, source: &str) -> SyntaxError {
    if let Some(too_deep) = stack_exhausted(&error) {
        return too_deep;
    }
    // pest's switch is process-wide and read when a parse starts: one detailed retry at a
    // time, so a retry on another thread cannot turn it off under this one.
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let result = {
        let _one_at_a_time = DETAIL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        pest::set_error_detail(true);
        let result = HandoffParser::parse(Rule::policy, source);
        pest::set_error_detail(false);
        result
    };
    match result {
        Err(e) => stack_exhausted(&e).unwrap_or_else(|| from_pest(e, source)),
        Ok(_) => internal(0, "a failed parse succeeded on retry"),
    }
}

/// pest's "stack limit reached" as the located too-deep diagnostic.
fn stack_exhausted(error: &pest::error::Error<Rule>) -> Option<SyntaxError> {
    match &error.variant {
        ErrorVariant::CustomError { message } if message.contains("stack limit") => {
            let at = match error.location {
                InputLocation::Pos(p) | InputLocation::Span((p, _)) => p,
            };
            Some(SyntaxError::TooDeep { limit: MAX_DEPTH, span: (at, 1).into() })
        }
        _ => None,
    }
}

/// Parses one expression (used by tests and tools), on the parse stack like a policy.
pub fn parse_expr(source: &str) -> Result<Expr> {
    on_parse_stack(|| {
        let mut pairs = HandoffParser::parse(Rule::expr, source)
            .map_err(|e| stack_exhausted(&e).unwrap_or_else(|| from_pest(e, source)))?;
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
        build_expr(&expr, 0)
    })
}

/// A pair's span without the space and comments it ends with. pest puts the whitespace
/// and comments skipped before an absent optional part inside the enclosing pair's span;
/// those comments are the pair's last descendants, so a walk back from its end finds them.
pub(crate) fn span_of(pair: &Pair<'_, Rule>) -> SourceSpan {
    let s = pair.as_span();
    let start = s.start();
    let text = s.as_str();
    let mut end = start + text.trim_end().len();
    for p in pair.clone().into_inner().flatten().rev() {
        let (p_start, p_end) = (p.as_span().start(), p.as_span().end());
        if p_end > end {
            // A pair holding what was trimmed already.
            continue;
        }
        if p_end < end || p.as_rule() != Rule::COMMENT || p_start < start {
            break;
        }
        end = start + text.get(..p_start - start).unwrap_or("").trim_end().len();
    }
    (start, end.max(start) - start).into()
}

pub(crate) fn internal(pos: usize, what: &str) -> SyntaxError {
    SyntaxError::InvalidLiteral {
        what: "syntax",
        reason: format!("internal parser inconsistency ({what})"),
        span: (pos, 0).into(),
        help: Some("please report this policy to the handoff maintainers".into()),
    }
}

/// The children of a pair without comments.
pub(crate) fn children<'a>(pair: &Pair<'a, Rule>) -> impl Iterator<Item = Pair<'a, Rule>> {
    pair.clone().into_inner().filter(|p| p.as_rule() != Rule::COMMENT)
}

/// Pulls the next child, or an error located at the parent.
pub(crate) fn next<'a>(
    it: &mut impl Iterator<Item = Pair<'a, Rule>>,
    parent: &Pair<'a, Rule>,
) -> Result<Pair<'a, Rule>> {
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
            Rule::intent_decl => items.push(Item::Intent(build_intent(item)?)),
            Rule::intents_from => {
                let span = span_of(&item);
                let path = build_string(next(&mut children(&item), &item)?)?;
                items.push(Item::IntentsFrom(IntentFiles { path, span }));
            }
            Rule::language_decl => items.push(Item::Language(build_language(item)?)),
            Rule::EOI => {}
            _ => return Err(internal(item.as_span().start(), "unknown item")),
        }
    }
    Ok(Policy { name, version, items, comments: Comments::default() })
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

pub(crate) fn build_u32(pair: &Pair<'_, Rule>, what: &'static str) -> Result<Node<u32>> {
    let n = build_u64(pair, what)?;
    let value = u32::try_from(n.node).map_err(|_| SyntaxError::InvalidLiteral {
        what,
        reason: format!("`{}` is too large", pair.as_str()),
        span: n.span,
        help: None,
    })?;
    Ok(Node::new(value, n.span))
}

pub(crate) fn build_ident(pair: &Pair<'_, Rule>) -> Ident {
    Node::new(pair.as_str().to_string(), span_of(pair))
}

pub(crate) fn build_string(pair: Pair<'_, Rule>) -> Result<Node<String>> {
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

fn build_intent(pair: Pair<'_, Rule>) -> Result<IntentDecl> {
    let span = span_of(&pair);
    let mut it = children(&pair);
    let name = build_ident(&next(&mut it, &pair)?);
    let mut parts = Vec::new();
    for part in it {
        let pspan = span_of(&part);
        let rule = part.as_rule();
        let value = next(&mut children(&part), &part)?;
        let built = match rule {
            Rule::intent_threshold => IntentPart::Threshold(build_number(&value)?),
            _ => {
                let sentences = children(&value).map(build_string).collect::<Result<Vec<_>>>()?;
                if rule == Rule::intent_counter {
                    IntentPart::Counter(sentences)
                } else {
                    IntentPart::Examples(sentences)
                }
            }
        };
        parts.push(Node::new(built, pspan));
    }
    Ok(IntentDecl { name, parts, span })
}

fn build_language(pair: Pair<'_, Rule>) -> Result<LanguageDecl> {
    let span = span_of(&pair);
    let mut it = children(&pair);
    let code = build_string(next(&mut it, &pair)?)?;
    let mut parts = Vec::new();
    for part in it {
        let pspan = span_of(&part);
        let list = match part.as_rule() {
            Rule::language_negations => LanguageList::Negations,
            Rule::language_clause_ends => LanguageList::ClauseEnds,
            Rule::language_fallbacks => LanguageList::Fallbacks,
            _ => LanguageList::PersonRequests,
        };
        let value = next(&mut children(&part), &part)?;
        let phrases = children(&value).map(build_string).collect::<Result<Vec<_>>>()?;
        parts.push(Node::new(LanguagePart { list, phrases }, pspan));
    }
    Ok(LanguageDecl { code, parts, span })
}

pub(crate) fn build_number(pair: &Pair<'_, Rule>) -> Result<Node<f64>> {
    let value = pair.as_str().parse::<f64>().map_err(|_| SyntaxError::InvalidLiteral {
        what: "number",
        reason: format!("`{}` is not a number", pair.as_str()),
        span: span_of(pair),
        help: None,
    })?;
    Ok(Node::new(value, span_of(pair)))
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
    let value = build_expr(&next(&mut it, &pair)?, 0)?;
    Ok(LetDecl { name, value, span })
}

fn build_rule(pair: Pair<'_, Rule>) -> Result<Rule_> {
    let span = span_of(&pair);
    let mut it = children(&pair);
    let name = build_ident(&next(&mut it, &pair)?);
    let when = build_expr(&next(&mut it, &pair)?, 0)?;
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
                let role = match RoleFilter::from_keyword(role_pair.as_str()) {
                    Some(RoleFilter::Messages) => {
                        return Err(SyntaxError::InvalidLiteral {
                            what: "transcript line",
                            reason: "`messages` is not a role a message can have".into(),
                            span: span_of(&role_pair),
                            help: Some("write `customer:`, `bot:`, `agent:` or `system:`".into()),
                        })
                    }
                    Some(role) => role,
                    None => return Err(internal(span_of(&role_pair).offset(), "unknown role")),
                };
                let text = build_string(next(&mut p, &line)?)?;
                let annotations = p.next().map(|o| build_value(o, 0)).transpose()?;
                TestLine::Message { role: Node::new(role, span_of(&role_pair)), text, annotations }
            }
            Rule::test_attributes => {
                let mut p = children(&line);
                let kind_pair = next(&mut p, &line)?;
                let kind = AttributesKind::from_keyword(kind_pair.as_str())
                    .ok_or_else(|| internal(span_of(&kind_pair).offset(), "unknown attributes"))?;
                let value = build_value(next(&mut p, &line)?, 0)?;
                TestLine::Attributes { kind: Node::new(kind, span_of(&kind_pair)), value }
            }
            Rule::test_channel => TestLine::Channel(build_string(next(&mut children(&line), &line)?)?),
            Rule::test_file => TestLine::File(build_string(next(&mut children(&line), &line)?)?),
            Rule::test_mode => {
                let kind_pair = next(&mut children(&line), &line)?;
                let mode = TestMode::from_keyword(kind_pair.as_str())
                    .ok_or_else(|| internal(span_of(&kind_pair).offset(), "unknown test mode"))?;
                TestLine::Mode(Node::new(mode, span_of(&kind_pair)))
            }
            Rule::expectation => TestLine::Expect(build_expectation(&line)?),
            _ => return Err(internal(lspan.offset(), "unknown test line")),
        };
        lines.push(Node::new(built, lspan));
    }
    Ok(Test { name, lines, span })
}

/// Builds a test value whose node sits below `above` enclosing values.
fn build_value(pair: Pair<'_, Rule>, above: usize) -> Result<Node<Value>> {
    let span = span_of(&pair);
    if above >= MAX_DEPTH {
        return Err(SyntaxError::TooDeep { limit: MAX_DEPTH, span: (span.offset(), 1).into() });
    }
    let nested = |child| guarded(|| build_value(child, above + 1));
    let value = match pair.as_rule() {
        Rule::object => {
            let mut fields = Vec::new();
            for field in children(&pair) {
                let mut it = children(&field);
                let key = next(&mut it, &field)?;
                let key = if key.as_rule() == Rule::string { build_string(key)? } else { build_ident(&key) };
                fields.push((key, nested(next(&mut it, &field)?)?));
            }
            Value::Object(fields)
        }
        Rule::array => Value::Array(children(&pair).map(nested).collect::<Result<_>>()?),
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

/// Every comment in the source, in order, as spans. A parsed [`Policy`] keeps its own
/// in [`Policy::comments`]; this reads them from text alone.
pub fn comments(source: &str) -> Vec<SourceSpan> {
    on_parse_stack(|| match HandoffParser::parse(Rule::policy, source) {
        Ok(pairs) => collect_comments(pairs),
        Err(_) => Vec::new(),
    })
}

fn collect_comments(pairs: Pairs<'_, Rule>) -> Vec<SourceSpan> {
    pairs.flatten().filter(|p| p.as_rule() == Rule::COMMENT).map(|p| span_of(&p)).collect()
}
