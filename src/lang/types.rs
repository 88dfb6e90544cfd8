//! The language's types, and the value ranges the checker knows for numbers.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Number,
    String,
    Duration,
    Regex,
    /// A list of strings (phrases, intents, tiers).
    List,
    /// A message selector such as `customer.last 3`.
    Messages,
    /// A customer or metadata attribute: JSON whose type is known only at run time.
    Attribute,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Bool => "a condition (true or false)",
            Type::Number => "a number",
            Type::String => "a string",
            Type::Duration => "a duration",
            Type::Regex => "a regular expression",
            Type::List => "a list of strings",
            Type::Messages => "messages",
            Type::Attribute => "an attribute",
        })
    }
}

impl Type {
    /// Whether a value of this type can stand where `want` is expected.
    /// Attributes fit any scalar: their real type is checked per conversation.
    pub fn fits(self, want: Type) -> bool {
        self == want || (self == Type::Attribute && matches!(want, Type::Bool | Type::Number | Type::String))
    }
}

/// The closed range a number can take, known from its source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Domain {
    pub lo: f64,
    pub hi: f64,
    /// What the range is, for messages ("sentiment", "a count").
    pub what: &'static str,
}

impl Domain {
    pub const ANY: Domain = Domain { lo: f64::NEG_INFINITY, hi: f64::INFINITY, what: "a number" };
    pub const SENTIMENT: Domain = Domain { lo: -1.0, hi: 1.0, what: "sentiment" };
    pub const TREND: Domain = Domain { lo: -2.0, hi: 2.0, what: "a sentiment trend" };
    pub const UNIT: Domain = Domain { lo: 0.0, hi: 1.0, what: "a value between 0 and 1" };
    pub const COUNT: Domain = Domain { lo: 0.0, hi: f64::INFINITY, what: "a count" };

    pub fn point(v: f64) -> Domain {
        Domain { lo: v, hi: v, what: "a constant" }
    }

    pub fn is_bounded(&self) -> bool {
        self.lo.is_finite() || self.hi.is_finite()
    }

    pub fn contains(&self, v: f64) -> bool {
        v >= self.lo && v <= self.hi
    }
}
