//! Turning an inline `test` block into a conversation, a context and expectations.

use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value as Json};

use crate::eval::{Context, Mode};
use crate::syntax::ast::{AttributesKind, Expectation, Node, RoleFilter, Test, TestLine, TestMode, Value};
use crate::transcript::{self, Conversation, Message, Role};

/// When a test gives relative times (`after: 2m`) but no absolute one: a Monday morning.
pub const DEFAULT_START: &str = "2026-01-05T10:00:00Z";

/// A test ready to run.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// The test's name.
    pub name: String,
    /// The conversation it decides on.
    pub conversation: Conversation,
    /// The context it is decided in.
    pub context: Context,
    /// What the decision must be.
    pub expectations: Vec<Expectation>,
    /// When the conversation is decided: live (the default) or finished.
    pub mode: Mode,
    /// 1-based source line of the `test` keyword.
    pub line: usize,
}

/// Builds a runnable case; `dir` is where relative conversation files are found.
pub fn build(test: &Test, source: &str, dir: &Path) -> Result<TestCase, String> {
    let mut conversation = Conversation {
        id: test.name.node.clone(),
        channel: None,
        customer: Map::new(),
        metadata: Map::new(),
        messages: Vec::new(),
        expect: None,
    };
    let mut context = Context::default();
    let mut expectations = Vec::new();
    let mut mode = Mode::Live;
    let mut clock: Option<Timestamp> = None;
    for line in &test.lines {
        match &line.node {
            TestLine::Message { role, text, annotations } => {
                let message = message(role.node, &text.node, annotations.as_ref(), &mut clock, &context)?;
                conversation.messages.push(message);
            }
            TestLine::Attributes { kind, value } => {
                let json = to_json(&value.node);
                let Json::Object(map) = json else { return Err("attributes must be an object".into()) };
                match kind.node {
                    AttributesKind::Customer => conversation.customer = map,
                    AttributesKind::Metadata => conversation.metadata = map,
                    AttributesKind::Context => {
                        context = serde_json::from_value(Json::Object(map)).map_err(|e| format!("context: {e}"))?;
                        context.validate().map_err(|e| e.to_string())?;
                    }
                }
            }
            TestLine::Channel(c) => conversation.channel = Some(c.node.clone()),
            TestLine::File(path) => {
                let full = dir.join(&path.node);
                let file = transcript::read_json_file(&full).map_err(|e| e.to_string())?;
                let keep_id = conversation.id.clone();
                let (customer, metadata, channel) = (
                    std::mem::take(&mut conversation.customer),
                    std::mem::take(&mut conversation.metadata),
                    conversation.channel.take(),
                );
                conversation = file;
                conversation.id = keep_id;
                conversation.customer.extend(customer);
                conversation.metadata.extend(metadata);
                if channel.is_some() {
                    conversation.channel = channel;
                }
            }
            TestLine::Mode(m) => {
                mode = match m.node {
                    TestMode::Live => Mode::Live,
                    TestMode::Finished => Mode::Finished,
                }
            }
            TestLine::Expect(e) => expectations.push(e.clone()),
        }
    }
    let line = crate::analysis::line_col(source, test.span.offset()).0;
    Ok(TestCase { name: test.name.node.clone(), conversation, context, expectations, mode, line })
}

fn message(
    role: RoleFilter,
    text: &str,
    annotations: Option<&Node<Value>>,
    clock: &mut Option<Timestamp>,
    context: &Context,
) -> Result<Message, String> {
    let role = match role {
        RoleFilter::Customer => Role::Customer,
        RoleFilter::Bot => Role::Bot,
        RoleFilter::Agent => Role::Agent,
        _ => Role::System,
    };
    let mut m = Message {
        role,
        text: text.to_string(),
        timestamp: None,
        intent: None,
        confidence: None,
        sentiment: None,
        entities: Map::new(),
    };
    let Some(Node { node: Value::Object(fields), .. }) = annotations else {
        m.timestamp = *clock;
        return Ok(m);
    };
    for (key, value) in fields {
        match (key.node.as_str(), &value.node) {
            ("intent", Value::String(s)) => m.intent = Some(s.clone()),
            ("confidence", Value::Number(n)) => m.confidence = Some(*n),
            ("sentiment", Value::Number(n)) => m.sentiment = Some(*n),
            ("at", Value::String(s)) => {
                let t: Timestamp = s.parse().map_err(|e| format!("at: {e}"))?;
                *clock = Some(t);
            }
            ("after", Value::Duration(ms, _)) => {
                let start = match (*clock, context.now) {
                    (Some(c), _) => c,
                    (None, Some(now)) => now,
                    (None, None) => DEFAULT_START.parse().map_err(|e| format!("{e}"))?,
                };
                let ms = i64::try_from(*ms).map_err(|_| "after: too long".to_string())?;
                *clock = Some(start.checked_add(SignedDuration::from_millis(ms)).map_err(|e| format!("after: {e}"))?);
            }
            ("entities", v) => {
                if let Json::Object(map) = to_json(v) {
                    m.entities = map;
                }
            }
            (k, _) => return Err(format!("invalid annotation `{k}`")),
        }
    }
    m.timestamp = *clock;
    Ok(m)
}

/// A test's literal value as JSON (durations become milliseconds). A whole number
/// is written as an integer, as it would be in a JSON file: `agents_free: 2` in a
/// test's context must read like `"agents_free": 2` in a context file.
pub fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Json::from(*n as i64),
        Value::Number(n) => serde_json::Number::from_f64(*n).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.clone()),
        Value::Duration(ms, _) => Json::from(*ms),
        Value::Array(items) => Json::Array(items.iter().map(|i| to_json(&i.node)).collect()),
        Value::Object(fields) => Json::Object(fields.iter().map(|(k, v)| (k.node.clone(), to_json(&v.node))).collect()),
    }
}
