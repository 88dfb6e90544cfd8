//! The built-in signals and functions, each declared once: its name, parameters
//! with their types and defaults, its result, its documentation line and how it
//! lowers to the evaluator's signals. The checker types calls against this table,
//! the compiler lowers them by it, the editor and the docs test read it.
//!
//! Adding a signal that asks one yes-or-no question of each message (like
//! `questions`) is one entry here with [`PerMessage::Test`] and the test's own code;
//! `docs/language.md` must then document it (a test holds the docs to this table).

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

/// A built-in value: its name, what it is, its type and range, and its documentation line.
#[derive(Debug, Clone, Copy)]
pub struct VariableDecl {
    pub name: &'static str,
    pub variable: Variable,
    pub ty: Type,
    pub domain: Domain,
    pub doc: &'static str,
}

pub const VARIABLES: &[VariableDecl] = &[
    VariableDecl {
        name: "turns",
        variable: Variable::Turns,
        ty: Type::Number,
        domain: Domain::COUNT,
        doc: "customer messages so far",
    },
    VariableDecl {
        name: "duration",
        variable: Variable::Duration,
        ty: Type::Duration,
        domain: Domain::COUNT,
        doc: "time from the first message to the current one (`0s` without timestamps)",
    },
    VariableDecl {
        name: "since_previous",
        variable: Variable::SincePrevious,
        ty: Type::Duration,
        domain: Domain::COUNT,
        doc: "time between the current message and the one before",
    },
    VariableDecl {
        name: "channel",
        variable: Variable::Channel,
        ty: Type::String,
        domain: Domain::ANY,
        doc: "the conversation's channel, `\"\"` when it has none",
    },
];

/// How the compiler lowers a call.
#[derive(Debug, Clone, Copy)]
pub enum Lowering {
    /// A question about a queue, answered from the context.
    Queue(QueueQuestion),
    /// A signal over the chosen messages: what each message gives, and how the
    /// window's values fold into one.
    Signal { per_message: PerMessage, fold: Fold },
}

/// What a queue function asks of the context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueQuestion {
    Open,
    InHours,
    AgentsFree,
}

/// What a signal takes from each message it sees.
#[derive(Debug, Clone, Copy)]
pub enum PerMessage {
    /// The message's sentiment: its annotation, or the built-in analyser's score.
    Sentiment,
    /// The message's annotated intent and confidence.
    Intent,
    /// Whether the message's annotated intent is one of the call's (`min_confidence`).
    HasIntent,
    /// Whether the message has the named entity.
    HasEntity,
    /// Every message counts, or those matching `matching`.
    Count,
    /// Whether a bot message is a fallback answer.
    Fallback,
    /// Whether the message is near-identical to an earlier one (`similarity`).
    Repeat,
    /// Whether the message's text, surrounding whitespace aside, is exactly an
    /// earlier one's.
    ExactRepeat,
    /// A yes-or-no question of the message's text; the signal counts the messages
    /// that pass, and its evidence lists them.
    Test(fn(&str) -> bool),
}

/// How a signal folds its window into one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    Any,
    Count,
    Mean,
    Min,
    Trend,
    LatestIntent,
    LatestConfidence,
    Repeats,
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
    /// How the call is written in the docs' table (`has_intent(MESSAGES, "a" or ["a", "b"])`).
    pub usage: &'static str,
    /// One line: what the value is. The docs' table row says exactly this.
    pub doc: &'static str,
    pub lowering: Lowering,
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
        usage: "sentiment(MESSAGES)",
        doc: "mean sentiment of the chosen messages, in [-1, 1] (0 when none)",
        lowering: Lowering::Signal { per_message: PerMessage::Sentiment, fold: Fold::Mean },
        params: &[(Param::Messages, "the messages to score")],
        named: &[],
        result: Type::Number,
        domain: Domain::SENTIMENT,
        bounded: false,
    },
    Signature {
        name: "min_sentiment",
        usage: "min_sentiment(MESSAGES)",
        doc: "the lowest sentiment of the chosen messages (0 when none)",
        lowering: Lowering::Signal { per_message: PerMessage::Sentiment, fold: Fold::Min },
        params: &[(Param::Messages, "the messages to score")],
        named: &[],
        result: Type::Number,
        domain: Domain::SENTIMENT,
        bounded: false,
    },
    Signature {
        name: "sentiment_trend",
        usage: "sentiment_trend(MESSAGES)",
        doc: "least-squares slope per message (0 for fewer than two); negative means worsening",
        lowering: Lowering::Signal { per_message: PerMessage::Sentiment, fold: Fold::Trend },
        params: &[(Param::Messages, "the messages to score")],
        named: &[],
        result: Type::Number,
        domain: Domain::TREND,
        bounded: true,
    },
    Signature {
        name: "intent",
        usage: "intent(MESSAGES)",
        doc: "the intent of the latest chosen message that has one, `\"\"` otherwise",
        lowering: Lowering::Signal { per_message: PerMessage::Intent, fold: Fold::LatestIntent },
        params: &[(Param::Messages, "the messages to look at")],
        named: &[],
        result: Type::String,
        domain: Domain::ANY,
        bounded: false,
    },
    Signature {
        name: "confidence",
        usage: "confidence(MESSAGES)",
        doc: "the confidence of that intent (0 when none; 1 when the intent has no confidence)",
        lowering: Lowering::Signal { per_message: PerMessage::Intent, fold: Fold::LatestConfidence },
        params: &[(Param::Messages, "the messages to look at")],
        named: &[],
        result: Type::Number,
        domain: Domain::UNIT,
        bounded: false,
    },
    Signature {
        name: "has_intent",
        usage: "has_intent(MESSAGES, \"a\" or [\"a\", \"b\"], min_confidence: 0.6)",
        doc: "some chosen message has one of the intents with at least that confidence",
        lowering: Lowering::Signal { per_message: PerMessage::HasIntent, fold: Fold::Any },
        params: &[(Param::Messages, "the messages to look at"), (Param::Strings, "the intent or intents")],
        named: &[MIN_CONFIDENCE],
        result: Type::Bool,
        domain: Domain::ANY,
        bounded: false,
    },
    Signature {
        name: "has_entity",
        usage: "has_entity(MESSAGES, \"order_id\")",
        doc: "some chosen message has that entity",
        lowering: Lowering::Signal { per_message: PerMessage::HasEntity, fold: Fold::Any },
        params: &[(Param::Messages, "the messages to look at"), (Param::String, "the entity's name")],
        named: &[],
        result: Type::Bool,
        domain: Domain::ANY,
        bounded: false,
    },
    Signature {
        name: "count",
        usage: "count(MESSAGES, matching: /REGEX/)",
        doc: "how many chosen messages there are (that match)",
        lowering: Lowering::Signal { per_message: PerMessage::Count, fold: Fold::Count },
        params: &[(Param::Messages, "the messages to count")],
        named: &[MATCHING],
        result: Type::Number,
        domain: Domain::COUNT,
        bounded: false,
    },
    Signature {
        name: "fallbacks",
        usage: "fallbacks(MESSAGES)",
        doc:
            "how many chosen messages are bot fallback answers (\"Sorry, I didn't understand\", \"Could you rephrase\")",
        lowering: Lowering::Signal { per_message: PerMessage::Fallback, fold: Fold::Count },
        params: &[(Param::Messages, "the bot messages to look at")],
        named: &[],
        result: Type::Number,
        domain: Domain::COUNT,
        bounded: false,
    },
    Signature {
        name: "questions",
        usage: "questions(MESSAGES)",
        doc:
            "how many chosen messages ask something (a question mark, or an opening such as \"can you\", \"how do I\")",
        lowering: Lowering::Signal {
            per_message: PerMessage::Test(crate::signals::questions::asks),
            fold: Fold::Count,
        },
        params: &[(Param::Messages, "the messages to look at")],
        named: &[],
        result: Type::Number,
        domain: Domain::COUNT,
        bounded: false,
    },
    Signature {
        name: "repeats",
        usage: "repeats(MESSAGES, similarity: 0.85)",
        doc: "how many chosen messages are near-identical to an earlier chosen message",
        lowering: Lowering::Signal { per_message: PerMessage::Repeat, fold: Fold::Repeats },
        params: &[(Param::Messages, "the messages to compare")],
        named: &[SIMILARITY],
        result: Type::Number,
        domain: Domain::COUNT,
        bounded: true,
    },
    Signature {
        name: "exact_repeats",
        usage: "exact_repeats(MESSAGES)",
        doc:
            "how many chosen messages have exactly the text of an earlier chosen message (surrounding whitespace aside)",
        lowering: Lowering::Signal { per_message: PerMessage::ExactRepeat, fold: Fold::Repeats },
        params: &[(Param::Messages, "the messages to compare")],
        named: &[],
        result: Type::Number,
        domain: Domain::COUNT,
        bounded: true,
    },
    Signature {
        name: "open",
        usage: "open(QUEUE)",
        doc: "the queue's `open` flag, or else whether it is within its hours",
        lowering: Lowering::Queue(QueueQuestion::Open),
        params: &[(Param::Queue, "the queue")],
        named: &[],
        result: Type::Bool,
        domain: Domain::ANY,
        bounded: false,
    },
    Signature {
        name: "agents_free",
        usage: "agents_free(QUEUE)",
        doc: "the queue's `agents_free`",
        lowering: Lowering::Queue(QueueQuestion::AgentsFree),
        params: &[(Param::Queue, "the queue")],
        named: &[],
        result: Type::Number,
        domain: Domain::COUNT,
        bounded: false,
    },
    Signature {
        name: "in_hours",
        usage: "in_hours(QUEUE)",
        doc: "whether `now` (or, without it, the current message's time) is within its hours",
        lowering: Lowering::Queue(QueueQuestion::InHours),
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

pub fn variable(name: &str) -> Option<&'static VariableDecl> {
    VARIABLES.iter().find(|v| v.name == name)
}

impl Signature {
    /// A named parameter's default, as the declaration gives it.
    pub fn default(&self, name: &str) -> Option<f64> {
        self.named.iter().find(|n| n.name == name).and_then(|n| n.default)
    }
}

/// Every name a policy can use without declaring it (for did-you-mean).
pub fn all_names() -> impl Iterator<Item = &'static str> {
    VARIABLES.iter().map(|v| v.name).chain(FUNCTIONS.iter().map(|f| f.name))
}
