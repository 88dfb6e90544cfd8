//! `--group-by`: which attribute of a conversation splits the statistics, and
//! the group(s) a conversation falls in.
//!
//! A path is `channel`, `id`, or `metadata.KEY` / `customer.KEY` (dots go
//! deeper into nested objects). A string value is its own group, a number or a
//! boolean its JSON text, an array puts the conversation in one group per
//! element (multi-label data), and a missing value is the group `(none)`.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::transcript::Conversation;

/// The group of conversations that lack the attribute.
pub const MISSING_GROUP: &str = "(none)";

/// Where to find the grouping attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBy {
    root: Root,
    keys: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Id,
    Channel,
    Metadata,
    Customer,
}

/// A `--group-by` path that names no attribute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot group by {path:?}: expected channel, id, metadata.KEY or customer.KEY")]
pub struct GroupByError {
    pub path: String,
}

impl FromStr for GroupBy {
    type Err = GroupByError;

    fn from_str(path: &str) -> Result<GroupBy, GroupByError> {
        let error = || GroupByError { path: path.to_owned() };
        let mut parts = path.split('.');
        let root = match parts.next() {
            Some("id") => Root::Id,
            Some("channel") => Root::Channel,
            Some("metadata") => Root::Metadata,
            Some("customer") => Root::Customer,
            _ => return Err(error()),
        };
        let keys: Vec<String> = parts.map(str::to_owned).collect();
        let needs_keys = matches!(root, Root::Metadata | Root::Customer);
        if keys.iter().any(String::is_empty) || needs_keys == keys.is_empty() {
            return Err(error());
        }
        Ok(GroupBy { root, keys })
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let root = match self.root {
            Root::Id => "id",
            Root::Channel => "channel",
            Root::Metadata => "metadata",
            Root::Customer => "customer",
        };
        f.write_str(root)?;
        for key in &self.keys {
            write!(f, ".{key}")?;
        }
        Ok(())
    }
}

impl GroupBy {
    /// The groups `conversation` belongs to: at least one.
    pub fn groups(&self, conversation: &Conversation) -> Vec<String> {
        let value = match self.root {
            Root::Id => return vec![conversation.id.clone()],
            Root::Channel => return vec![conversation.channel.clone().unwrap_or_else(|| MISSING_GROUP.to_owned())],
            Root::Metadata => lookup(&conversation.metadata, &self.keys),
            Root::Customer => lookup(&conversation.customer, &self.keys),
        };
        let mut groups = match value {
            Some(Value::Array(items)) => {
                let mut names: Vec<String> = items.iter().filter_map(scalar).collect();
                names.sort();
                names.dedup();
                names
            }
            Some(other) => scalar(other).into_iter().collect(),
            None => Vec::new(),
        };
        if groups.is_empty() {
            groups.push(MISSING_GROUP.to_owned());
        }
        groups
    }
}

fn lookup<'a>(object: &'a serde_json::Map<String, Value>, keys: &[String]) -> Option<&'a Value> {
    let (first, rest) = keys.split_first()?;
    rest.iter().try_fold(object.get(first)?, |value, key| value.get(key))
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}
