//! Explanations: every rule's condition as a tree, with the value of each part at
//! the message being explained.

use std::borrow::Borrow;
use std::fmt::Write as _;
use std::ops::Deref;

use serde::Serialize;

use super::program::{NodeId, Op};
use super::session::{AttributeSource, LetValues, Session};
use super::{Context, Decision, Mode, Policy};
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

impl<P: Deref<Target = Policy> + Clone, A: AttributeSource, C: Borrow<Context>> Session<P, A, C> {
    /// Every rule's condition with its values now. Built only when asked for: each
    /// let's parts are shown once per rule (where it is first used; later uses show
    /// its value alone), and each let's value is computed once.
    pub fn explain(&self) -> Explanation {
        let program = self.policy().program();
        let mut lets = LetValues::default();
        lets.begin(program.let_names.len());
        let mut shown = vec![false; program.let_names.len()];
        let rules = program
            .rules
            .iter()
            .map(|r| {
                shown.iter_mut().for_each(|s| *s = false);
                RuleExplanation {
                    rule: r.name.clone(),
                    fired_at: self.decision().rules.iter().find(|f| f.rule == r.name).map(|f| f.message),
                    condition: self.explain_node(r.condition, &mut lets, &mut shown),
                }
            })
            .collect();
        Explanation { message: self.messages(), rules }
    }

    /// Recursive: as deep as the condition nests through its lets, which the checker
    /// bounds.
    fn explain_node(&self, id: NodeId, lets: &mut LetValues, shown: &mut [bool]) -> ExplainNode {
        let policy = self.policy();
        let program = policy.program();
        let Some(node) = program.node(id) else {
            return ExplainNode { text: "?".into(), value: "missing".into(), children: Vec::new() };
        };
        let mut value = self.eval(id, lets).render();
        if let Op::Signal(s) = &node.op {
            if let Some(note) = self.says_note(*s) {
                value = format!("{value} ({note})");
            }
        }
        let mut text = snippet(policy.source(), node.span.offset(), node.span.len());
        if let Op::Let(index, _) = &node.op {
            text = program.let_names.get(*index as usize).cloned().unwrap_or(text);
            match shown.get_mut(*index as usize) {
                Some(s) if !*s => *s = true,
                _ => return ExplainNode { text, value, children: Vec::new() },
            }
        }
        let children = node
            .op
            .children()
            .filter(|c| !is_constant(program, *c))
            .map(|c| self.explain_node(c, lets, shown))
            .collect();
        ExplainNode { text, value, children }
    }
}

fn is_constant(program: &super::program::Program, id: NodeId) -> bool {
    match program.node(id).map(|n| &n.op) {
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

/// Runs a session in `mode` and explains the decision.
///
/// [`Mode::Live`]: explained at the deciding message (or at the end when nothing was
/// decided). The explanation is built once: when a rule decided, the session runs
/// again up to that message.
///
/// [`Mode::Finished`]: every rule is decided once on the state the whole conversation
/// leaves, so the explanation is of that state, at the last message.
pub fn evaluate_explained(policy: &Policy, c: &Conversation, context: &Context, mode: Mode) -> (Decision, Explanation) {
    let mut session = Session::new(policy, c, context);
    if mode == Mode::Finished {
        session.run_finished(&c.messages);
        let explanation = session.explain();
        return (session.into_decision(), explanation);
    }
    session.run(&c.messages);
    let explanation = match session.decision().at_message {
        Some(at) => {
            let mut again = Session::new(policy, c, context);
            again.run(c.messages.get(..at as usize).unwrap_or(&c.messages));
            again.explain()
        }
        None => session.explain(),
    };
    (session.into_decision(), explanation)
}
