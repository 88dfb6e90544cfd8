//! Explanations: every rule's condition as a tree, with the value of each part at
//! the message being explained.

use std::fmt::Write as _;
use std::ops::Deref;

use serde::Serialize;

use super::program::{NodeId, Op};
use super::session::{AttributeSource, Session};
use super::{Context, Decision, Policy};
use crate::transcript::Conversation;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The message (numbered from 1) the values are taken at.
    pub message: u32,
    pub rules: Vec<RuleExplanation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleExplanation {
    pub rule: String,
    /// When the rule fired, if it has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fired_at: Option<u32>,
    pub condition: ExplainNode,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainNode {
    /// The sub-expression as written (or the `let` name).
    pub text: String,
    pub value: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<ExplainNode>,
}

impl<P: Deref<Target = Policy> + Clone, A: AttributeSource> Session<P, A> {
    /// Every rule's condition with its values now.
    pub fn explain(&self) -> Explanation {
        let program = self.policy().program();
        let rules = program
            .rules
            .iter()
            .map(|r| RuleExplanation {
                rule: r.name.clone(),
                fired_at: self.decision().rules.iter().find(|f| f.rule == r.name).map(|f| f.message),
                condition: self.explain_node(r.condition, 0),
            })
            .collect();
        Explanation { message: self.messages(), rules }
    }

    fn explain_node(&self, id: NodeId, depth: usize) -> ExplainNode {
        let policy = self.policy();
        let program = policy.program();
        let Some(node) = program.nodes.get(id as usize) else {
            return ExplainNode { text: "?".into(), value: "missing".into(), children: Vec::new() };
        };
        let value = self.eval(id).render();
        let mut text = snippet(policy.source(), node.span.offset(), node.span.len());
        let children_ids: Vec<NodeId> = match &node.op {
            Op::Let(index, body) => {
                text = program.let_names.get(*index as usize).cloned().unwrap_or(text);
                vec![*body]
            }
            Op::Not(x) | Op::Neg(x) | Op::Paren(x) => vec![*x],
            Op::And(a, b) | Op::Or(a, b) | Op::Cmp(_, a, b) | Op::In(a, b) | Op::Arith(_, a, b) => vec![*a, *b],
            _ => Vec::new(),
        };
        let children = if depth > 64 {
            Vec::new()
        } else {
            children_ids
                .into_iter()
                .filter(|c| !is_constant(program, *c))
                .map(|c| self.explain_node(c, depth + 1))
                .collect()
        };
        ExplainNode { text, value, children }
    }
}

fn is_constant(program: &super::program::Program, id: NodeId) -> bool {
    match program.nodes.get(id as usize).map(|n| &n.op) {
        Some(Op::Bool(_) | Op::Number(_) | Op::String(_) | Op::List(_) | Op::Inert) => true,
        Some(Op::Neg(x) | Op::Paren(x)) => is_constant(program, *x),
        _ => false,
    }
}

/// The source text of a span on one line, shortened when long.
fn snippet(source: &str, offset: usize, len: usize) -> String {
    let raw = source.get(offset..offset + len).unwrap_or("");
    let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        let short: String = one_line.chars().take(77).collect();
        format!("{short}...")
    } else {
        one_line
    }
}

impl Explanation {
    /// The tree as text, one rule after another.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "explanation at message {}:", self.message);
        for r in &self.rules {
            let status = match r.fired_at {
                Some(m) => format!("fired at message {m}"),
                None => "did not fire".to_string(),
            };
            let _ = writeln!(out, "rule {} ({status})", r.rule);
            render_node(&r.condition, "", true, &mut out);
        }
        out
    }
}

fn render_node(node: &ExplainNode, prefix: &str, last: bool, out: &mut String) {
    let branch = if last { "└─ " } else { "├─ " };
    let _ = writeln!(out, "{prefix}{branch}{} = {}", node.text, node.value);
    let child_prefix = format!("{prefix}{}", if last { "   " } else { "│  " });
    let count = node.children.len();
    for (i, c) in node.children.iter().enumerate() {
        render_node(c, &child_prefix, i + 1 == count, out);
    }
}

/// Runs a session and keeps the explanation taken at the deciding message.
pub fn evaluate_explained(policy: &Policy, c: &Conversation, context: &Context) -> (Decision, Explanation) {
    let mut session = Session::new(policy, c, context.clone());
    let mut explanation = None;
    let mut decided_at = None;
    for m in &c.messages {
        let d = session.push(m);
        let escalated = d.is_escalation();
        if d.at_message != decided_at {
            decided_at = d.at_message;
            explanation = Some(session.explain());
        }
        if escalated {
            break;
        }
    }
    let explanation = explanation.unwrap_or_else(|| session.explain());
    (session.into_decision(), explanation)
}
