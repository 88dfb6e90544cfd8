//! A context checked against a policy where it is written: a test's `context { ... }`
//! and a `--context` JSON file. Unknown fields and queues (with did-you-mean), a `now`
//! without an offset, an unknown time zone and business hours that do not parse are
//! each located on the key or the value at fault, in the words of an ops person.

use miette::{NamedSource, SourceSpan};

use super::err::did_you_mean;
use crate::eval::context::hours_problem;
use crate::syntax::ast::{Node, Value};

/// The fields of a context.
pub const CONTEXT_FIELDS: &[&str] = &["now", "timezone", "queues"];

/// The fields of a queue's status in a context, and what each holds.
const QUEUE_FIELDS: &[(&str, &str)] = &[
    ("open", "`true` or `false`"),
    ("agents_free", "a whole number of agents, 0 or more"),
    ("hours", "business hours such as \"Mon-Fri 09:00-17:00, Sat 10:00-14:00\""),
];

/// One field of a context as written: its key and value, and where each is.
#[derive(Debug, Clone)]
pub struct WrittenField {
    pub key: String,
    pub key_span: SourceSpan,
    pub value: Written,
    pub value_span: SourceSpan,
}

/// A value as written, as far as a context needs to know it.
#[derive(Debug, Clone)]
pub enum Written {
    Object(Vec<WrittenField>),
    String(String),
    Bool,
    Number(f64),
    /// `null`, a list, or an object too deep to matter.
    Other,
}

/// A problem in a context, located in the text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextProblem {
    pub message: String,
    pub span: SourceSpan,
    pub label: String,
    pub help: Option<String>,
}

impl ContextProblem {
    fn new(message: String, span: SourceSpan, label: &str, help: Option<String>) -> ContextProblem {
        ContextProblem { message, span, label: label.to_string(), help }
    }
}

/// Every problem of a context. `queues` are the policy's queue names; `None` when
/// no policy is known, and then queue names are not checked.
pub fn context_problems(fields: &[WrittenField], queues: Option<&[&str]>) -> Vec<ContextProblem> {
    let mut out = Vec::new();
    for field in fields {
        match (field.key.as_str(), &field.value) {
            ("now", Written::String(text)) => out.extend(now_problem(text, field.value_span)),
            ("timezone", Written::String(name)) => out.extend(zone_problem(name, field.value_span)),
            ("queues", Written::Object(statuses)) => {
                for status in statuses {
                    queue_problems(status, queues, &mut out);
                }
            }
            ("now" | "timezone" | "queues", _) => out.push(wrong_kind(field)),
            (key, _) => {
                let help = did_you_mean(key, CONTEXT_FIELDS.iter().copied())
                    .unwrap_or_else(|| format!("the context's fields are {}", CONTEXT_FIELDS.join(", ")));
                out.push(ContextProblem::new(
                    format!("unknown context field `{key}`"),
                    field.key_span,
                    "unknown",
                    Some(help),
                ));
            }
        }
    }
    out
}

/// A field of the context holding the wrong kind of value.
fn wrong_kind(field: &WrittenField) -> ContextProblem {
    let (what, label, example) = match field.key.as_str() {
        "now" => ("a time", "not a time", "\"2026-03-02T10:15:00Z\""),
        "timezone" => ("a time zone's name", "not a name", "\"Europe/Paris\""),
        _ => ("an object of queues", "not an object", "{ general: { open: false } }"),
    };
    let help = format!("write it as {example}");
    ContextProblem::new(format!("`{}` must be {what}", field.key), field.value_span, label, Some(help))
}

/// `now` is an instant: a date and time with its offset from UTC.
fn now_problem(text: &str, span: SourceSpan) -> Option<ContextProblem> {
    if text.parse::<jiff::Timestamp>().is_ok() {
        return None;
    }
    let (message, help) = if text.parse::<jiff::civil::DateTime>().is_ok() {
        (
            format!("`now` has no offset: \"{text}\" could be any time zone's"),
            format!("add an offset such as `Z` or `+01:00`: \"{text}Z\""),
        )
    } else {
        (
            format!("`now` is not a time: \"{text}\""),
            "write a date and time with its offset, such as \"2026-03-02T10:15:00Z\" (add an offset such as `Z` or `+01:00`)".to_string(),
        )
    };
    Some(ContextProblem::new(message, span, "not a time with an offset", Some(help)))
}

fn zone_problem(name: &str, span: SourceSpan) -> Option<ContextProblem> {
    if jiff::tz::TimeZone::get(name).is_ok() {
        return None;
    }
    let known: Vec<String> = jiff::tz::db().available().map(|n| n.as_str().to_string()).collect();
    let help = did_you_mean(name, known.iter().map(String::as_str)).unwrap_or_else(|| {
        "write the time zone's IANA name, such as \"Europe/Paris\" or \"America/New_York\"".to_string()
    });
    Some(ContextProblem::new(format!("unknown time zone \"{name}\""), span, "not a time zone", Some(help)))
}

fn queue_problems(status: &WrittenField, queues: Option<&[&str]>, out: &mut Vec<ContextProblem>) {
    if let Some(queues) = queues {
        if !queues.contains(&status.key.as_str()) {
            let help = did_you_mean(&status.key, queues.iter().copied()).unwrap_or_else(|| match queues {
                [] => "the policy declares no queues".to_string(),
                _ => format!("the policy's queues are {}", queues.join(", ")),
            });
            out.push(ContextProblem::new(
                format!("unknown queue `{}`", status.key),
                status.key_span,
                "not a queue of the policy",
                Some(help),
            ));
        }
    }
    let Written::Object(fields) = &status.value else {
        out.push(ContextProblem::new(
            format!("the status of queue `{}` must be an object", status.key),
            status.value_span,
            "not an object",
            Some("write it as { open: false }, { agents_free: 2 } or { hours: \"Mon-Fri 09:00-17:00\" }".into()),
        ));
        return;
    };
    for field in fields {
        let Some((_, meaning)) = QUEUE_FIELDS.iter().find(|(k, _)| *k == field.key) else {
            let names = QUEUE_FIELDS.iter().map(|(k, _)| *k);
            let help = did_you_mean(&field.key, names.clone())
                .unwrap_or_else(|| format!("a queue's fields are {}", names.collect::<Vec<_>>().join(", ")));
            out.push(ContextProblem::new(
                format!("unknown field `{}` of queue `{}`", field.key, status.key),
                field.key_span,
                "unknown",
                Some(help),
            ));
            continue;
        };
        let problem = match (field.key.as_str(), &field.value) {
            ("open", Written::Bool) => None,
            ("agents_free", Written::Number(n)) if *n >= 0.0 && n.fract() == 0.0 => None,
            ("hours", Written::String(hours)) => hours_problem(hours).map(|reason| {
                ContextProblem::new(
                    format!("the business hours of queue `{}` do not read as hours", status.key),
                    field.value_span,
                    "not business hours",
                    Some(format!("{reason}; write them like \"Mon-Fri 09:00-17:00, Sat 10:00-14:00\"")),
                )
            }),
            _ => Some(ContextProblem::new(
                format!("`{}` of queue `{}` must be {meaning}", field.key, status.key),
                field.value_span,
                "invalid value",
                None,
            )),
        };
        out.extend(problem);
    }
}

/// A test's `context { ... }` as written.
pub fn from_test_value(value: &Node<Value>) -> Vec<WrittenField> {
    let Value::Object(fields) = &value.node else { return Vec::new() };
    fields
        .iter()
        .map(|(key, v)| WrittenField {
            key: key.node.clone(),
            key_span: key.span,
            value: match &v.node {
                Value::Object(_) => Written::Object(from_test_value(v)),
                Value::String(s) => Written::String(s.clone()),
                Value::Bool(_) => Written::Bool,
                Value::Number(n) => Written::Number(*n),
                Value::Null | Value::Duration(..) | Value::Array(_) => Written::Other,
            },
            value_span: v.span,
        })
        .collect()
}

/// A problem of a `--context` file, shown in the file with its line.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(handoff::context::invalid))]
pub struct ContextFileProblem {
    /// What is wrong, in plain words.
    pub message: String,
    /// The file's name and text, for showing the problem in place.
    #[source_code]
    pub file: NamedSource<String>,
    /// Where in the file: the key or value at fault.
    #[label("{label}")]
    pub span: SourceSpan,
    /// The short label under the span.
    pub label: String,
    /// How to fix it, when there is a likely fix (a did-you-mean, an offset to add).
    #[help]
    pub help: Option<String>,
}

/// Every problem of a context file's text (a `--context` file, or the context a
/// service loads): unknown keys with a did-you-mean, queues the policy does not
/// declare (`queues`: the policy's queue names, see [`crate::Policy::queue_names`];
/// `None` checks everything else), a `now` without an offset, an unknown time zone,
/// hours that do not parse. A file that is not JSON is one problem where it stops.
/// An empty result means the file is a context this policy can be decided with.
pub fn check_context_file(name: &str, text: &str, queues: Option<&[&str]>) -> Vec<ContextFileProblem> {
    let problems = match super::context_json::fields(text) {
        Ok(fields) => context_problems(&fields, queues),
        Err(problem) => vec![problem],
    };
    let file = NamedSource::new(name, text.to_string());
    problems
        .into_iter()
        .map(|p| ContextFileProblem {
            message: p.message,
            file: file.clone(),
            span: p.span,
            label: p.label,
            help: p.help,
        })
        .collect()
}
