//! The built-in signals and functions: their names, parameters and result types.
//! The checker types calls against this table; the compiler maps them to signals.

use super::types::{Domain, Type};

/// Built-in values that need no arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variable {
    /// Customer messages so far.
    Turns,
    /// Time from the first message to the current one.
    Duration,
    /// Time between the current message and the one before it.
    SincePrevious,
    /// The conversation's channel ("" when it has none).
    Channel,
}

pub const VARIABLES: &[(&str, Variable, Type, Domain)] = &[
    ("turns", Variable::Turns, Type::Number, Domain::COUNT),
    ("duration", Variable::Duration, Type::Duration, Domain::COUNT),
    ("since_previous", Variable::SincePrevious, Type::Duration, Domain::COUNT),
    ("channel", Variable::Channel, Type::String, Domain::ANY),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    Sentiment,
    MinSentiment,
    SentimentTrend,
    Intent,
    Confidence,
    HasIntent,
    HasEntity,
    Count,
    Fallbacks,
    Repeats,
    Open,
    AgentsFree,
    InHours,
}

/// What a positional parameter accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    Messages,
    Queue,
    /// A string, or a list of strings.
    Strings,
    String,
}

#[derive(Debug, Clone, Copy)]
pub struct Named {
    pub name: &'static str,
    pub ty: Type,
    pub domain: Domain,
    pub default: Option<f64>,
    pub meaning: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub struct Signature {
    pub name: &'static str,
    pub function: Function,
    pub params: &'static [(Param, &'static str)],
    pub named: &'static [Named],
    pub result: Type,
    pub domain: Domain,
    /// Needs a `last N` or `within` window (per-message cost must stay bounded).
    pub bounded: bool,
}

const MIN_CONFIDENCE: Named = Named {
    name: "min_confidence",
    ty: Type::Number,
    domain: Domain::UNIT,
    default: Some(0.0),
    meaning: "the lowest intent confidence that counts, between 0 and 1",
};
const SIMILARITY: Named = Named {
    name: "similarity",
    ty: Type::Number,
    domain: Domain::UNIT,
    default: Some(0.85),
    meaning: "how alike two messages must be to count as a repeat, between 0 and 1",
};
const MATCHING: Named = Named {
    name: "matching",
    ty: Type::Regex,
    domain: Domain::ANY,
    default: None,
    meaning: "only count messages that match this regular expression",
};

pub const FUNCTIONS: &[Signature] = &[
    Signature {
        name: "sentiment",
        function: Function::Sentiment,
        params: &[(Param::Messages, "the messages to score")],
        named: &[],
        result: Type::Number,
        domain: Domain::SENTIMENT,
        bounded: false,
    },
    Signature {
        name: "min_sentiment",
        function: Function::MinSentiment,
        params: &[(Param::Messages, "the messages to score")],
        named: &[],
        result: Type::Number,
        domain: Domain::SENTIMENT,
        bounded: false,
    },
    Signature {
        name: "sentiment_trend",
        function: Function::SentimentTrend,
        params: &[(Param::Messages, "the messages to score")],
        named: &[],
        result: Type::Number,
        domain: Domain::TREND,
        bounded: true,
    },
    Signature {
        name: "intent",
        function: Function::Intent,
        params: &[(Param::Messages, "the messages to look at")],
        named: &[],
        result: Type::String,
        domain: Domain::ANY,
        bounded: false,
    },
    Signature {
        name: "confidence",
        function: Function::Confidence,
        params: &[(Param::Messages, "the messages to look at")],
        named: &[],
        result: Type::Number,
        domain: Domain::UNIT,
        bounded: false,
    },
    Signature {
        name: "has_intent",
        function: Function::HasIntent,
        params: &[(Param::Messages, "the messages to look at"), (Param::Strings, "the intent or intents")],
        named: &[MIN_CONFIDENCE],
        result: Type::Bool,
        domain: Domain::ANY,
        bounded: false,
    },
    Signature {
        name: "has_entity",
        function: Function::HasEntity,
        params: &[(Param::Messages, "the messages to look at"), (Param::String, "the entity's name")],
        named: &[],
        result: Type::Bool,
        domain: Domain::ANY,
        bounded: false,
    },
    Signature {
        name: "count",
        function: Function::Count,
        params: &[(Param::Messages, "the messages to count")],
        named: &[MATCHING],
        result: Type::Number,
        domain: Domain::COUNT,
        bounded: false,
    },
    Signature {
        name: "fallbacks",
        function: Function::Fallbacks,
        params: &[(Param::Messages, "the bot messages to look at")],
        named: &[],
        result: Type::Number,
        domain: Domain::COUNT,
        bounded: false,
    },
    Signature {
        name: "repeats",
        function: Function::Repeats,
        params: &[(Param::Messages, "the messages to compare")],
        named: &[SIMILARITY],
        result: Type::Number,
        domain: Domain::COUNT,
        bounded: true,
    },
    Signature {
        name: "open",
        function: Function::Open,
        params: &[(Param::Queue, "the queue")],
        named: &[],
        result: Type::Bool,
        domain: Domain::ANY,
        bounded: false,
    },
    Signature {
        name: "agents_free",
        function: Function::AgentsFree,
        params: &[(Param::Queue, "the queue")],
        named: &[],
        result: Type::Number,
        domain: Domain::COUNT,
        bounded: false,
    },
    Signature {
        name: "in_hours",
        function: Function::InHours,
        params: &[(Param::Queue, "the queue")],
        named: &[],
        result: Type::Bool,
        domain: Domain::ANY,
        bounded: false,
    },
];

pub fn function(name: &str) -> Option<&'static Signature> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

pub fn variable(name: &str) -> Option<&'static (&'static str, Variable, Type, Domain)> {
    VARIABLES.iter().find(|v| v.0 == name)
}

/// Every name a policy can use without declaring it (for did-you-mean).
pub fn all_names() -> impl Iterator<Item = &'static str> {
    VARIABLES.iter().map(|v| v.0).chain(FUNCTIONS.iter().map(|f| f.name))
}
