//! Checking inline `test` blocks: transcript lines, annotations and expectations.

use super::context::{context_problems, from_test_value};
use super::err::did_you_mean;
use super::{CheckError, Checker};
use crate::syntax::ast::{AttributesKind, Expected, Node, Test, TestLine, TestMode, Value};

/// The annotations a transcript line can carry, and what each holds.
pub const ANNOTATIONS: &[(&str, &str)] = &[
    ("intent", "a string"),
    ("confidence", "a number between 0 and 1"),
    ("sentiment", "a number between -1 and 1"),
    ("at", "an RFC 3339 timestamp such as \"2026-03-02T10:15:00Z\""),
    ("after", "a duration since the previous message, such as 2m"),
    ("entities", "an object such as { order_id: \"A123\" }"),
];

impl<'p> Checker<'p> {
    pub(super) fn check_test(&mut self, test: &'p Test) {
        let mut messages = 0usize;
        let mut file = None;
        let mut expectations = 0usize;
        let mut seen_kinds: Vec<(AttributesKind, miette::SourceSpan)> = Vec::new();
        // The first `mode` line: what it says, and where (the whole line).
        let mut mode: Option<(TestMode, miette::SourceSpan)> = None;
        // Every `at message N`, judged once the whole block (and its mode) is known.
        let mut at_messages: Vec<&Node<u32>> = Vec::new();
        for line in &test.lines {
            match &line.node {
                TestLine::Message { annotations, .. } => {
                    messages += 1;
                    if let Some(a) = annotations {
                        self.annotations(a);
                    }
                }
                TestLine::File(path) => {
                    if file.is_some() {
                        self.invalid_test(line.span, "a test reads at most one conversation file", "second file", None);
                    }
                    file = Some(path);
                }
                TestLine::Attributes { kind, value } => {
                    if let Some((_, first)) = seen_kinds.iter().find(|(k, _)| *k == kind.node) {
                        let word = match kind.node {
                            AttributesKind::Customer => "customer",
                            AttributesKind::Metadata => "metadata",
                            AttributesKind::Context => "context",
                        };
                        self.report(CheckError::InvalidTest {
                            message: format!("the `{word}` block is given twice"),
                            span: kind.span,
                            label: "given again".into(),
                            first: Some(*first),
                            help: Some("merge the two blocks into one".into()),
                        });
                    }
                    seen_kinds.push((kind.node, kind.span));
                    if !matches!(value.node, Value::Object(_)) {
                        self.invalid_test(value.span, "expected an object", "not an object", None);
                    } else if kind.node == AttributesKind::Context {
                        self.context_fields(value);
                    }
                }
                TestLine::Channel(_) => {}
                TestLine::Mode(m) => {
                    if let Some((_, first)) = mode {
                        self.report(CheckError::InvalidTest {
                            message: "the test's `mode` is given twice".into(),
                            span: line.span,
                            label: "given again".into(),
                            first: Some(first),
                            help: Some("keep one `mode` line: `mode live` or `mode finished`".into()),
                        });
                    } else {
                        mode = Some((m.node, line.span));
                    }
                }
                TestLine::Expect(e) => {
                    expectations += 1;
                    for rule in &e.by {
                        self.unknown_rule(rule);
                    }
                    match &e.expected.node {
                        Expected::Escalate { queue, priority } => {
                            self.queue(queue);
                            if let Some(p) = priority {
                                self.priority(p);
                            }
                        }
                        Expected::Offer { via, priority } => {
                            if let Some(q) = via {
                                self.queue(q);
                            }
                            if let Some(p) = priority {
                                self.priority(p);
                            }
                        }
                        _ => {}
                    }
                    let numbers = e.at.iter().chain(match &e.expected.node {
                        Expected::NoEscalation { before } => before.as_ref(),
                        _ => None,
                    });
                    for n in numbers {
                        if n.node == 0 {
                            self.report(CheckError::OutOfRange {
                                message: "messages are numbered from 1".into(),
                                span: n.span,
                                help: "the first message of a test is message 1".into(),
                            });
                        } else if file.is_none() && n.node as usize > messages {
                            self.invalid_test(
                                n.span,
                                &format!("the test has {messages} message(s) before this line, not {}", n.node),
                                "no such message",
                                Some("count the transcript lines above this `expect`"),
                            );
                        }
                    }
                    // Those reported above are not reported again for the mode.
                    at_messages.extend(e.at.iter().filter(|n| n.node >= 1 && n.node as usize <= messages));
                }
            }
        }
        if messages == 0 && file.is_none() {
            self.invalid_test(
                test.name.span,
                "this test has no conversation",
                "no transcript lines",
                Some("add lines such as `customer: \"...\"`, or `conversation \"file.json\"`"),
            );
        } else if messages > 0 {
            if let Some(f) = file {
                self.invalid_test(
                    f.span,
                    "a test has transcript lines or a conversation file, not both",
                    "remove one",
                    None,
                );
            }
        }
        if mode.is_some_and(|(m, _)| m == TestMode::Finished) && file.is_none() {
            self.at_last_message(&at_messages, messages);
        }
        if expectations == 0 {
            self.invalid_test(
                test.name.span,
                "this test expects nothing",
                "no `expect` line",
                Some("add a line such as `expect escalate to general` or `expect no escalation`"),
            );
        }
    }

    /// In `mode finished` every rule is decided once, at the last message: an `at
    /// message` naming an earlier one can never hold.
    fn at_last_message(&mut self, at_messages: &[&Node<u32>], messages: usize) {
        for n in at_messages.iter().filter(|n| (n.node as usize) < messages) {
            self.invalid_test(
                n.span,
                &format!("in `mode finished` rules fire at the last message, {messages}"),
                "not the last message",
                Some(&format!(
                    "write `at message {messages}`, or `mode live` to decide after each message as a live service would"
                )),
            );
        }
    }

    fn invalid_test(&mut self, span: miette::SourceSpan, message: &str, label: &str, help: Option<&str>) {
        self.report(CheckError::InvalidTest {
            message: message.to_string(),
            span,
            label: label.to_string(),
            first: None,
            help: help.map(str::to_string),
        });
    }

    fn annotations(&mut self, value: &Node<Value>) {
        let Value::Object(fields) = &value.node else {
            self.invalid_test(
                value.span,
                "annotations are an object",
                "not an object",
                Some("write `{ intent: \"refund\" }`"),
            );
            return;
        };
        for (key, v) in fields {
            let Some((_, meaning)) = ANNOTATIONS.iter().find(|(k, _)| *k == key.node) else {
                let help = did_you_mean(&key.node, ANNOTATIONS.iter().map(|(k, _)| *k)).unwrap_or_else(|| {
                    format!(
                        "the annotations are {}",
                        ANNOTATIONS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                    )
                });
                self.invalid_test(key.span, &format!("unknown annotation `{}`", key.node), "unknown", Some(&help));
                continue;
            };
            let ok = match (key.node.as_str(), &v.node) {
                ("intent", Value::String(_)) => true,
                ("confidence", Value::Number(n)) => (0.0..=1.0).contains(n),
                ("sentiment", Value::Number(n)) => (-1.0..=1.0).contains(n),
                ("at", Value::String(s)) => s.parse::<jiff::Timestamp>().is_ok(),
                ("after", Value::Duration(..)) => true,
                ("entities", Value::Object(_)) => true,
                _ => false,
            };
            if !ok {
                self.invalid_test(v.span, &format!("`{}` must be {meaning}", key.node), "invalid value", None);
            }
        }
    }

    /// A test's context, checked as a context file is: fields, queues (the policy's),
    /// `now`, the time zone and business hours.
    fn context_fields(&mut self, value: &Node<Value>) {
        let mut queues: Vec<&str> = self.queues.keys().copied().collect();
        queues.sort_unstable();
        for p in context_problems(&from_test_value(value), Some(&queues)) {
            self.invalid_test(p.span, &p.message, &p.label, p.help.as_deref());
        }
    }
}
