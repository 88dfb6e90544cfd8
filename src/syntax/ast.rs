//! The policy's abstract syntax tree: every node carries the span it came from.
//!
//! Equality ignores spans, so two trees are equal when they mean the same thing;
//! the formatter's "never changes meaning" test relies on that.

use miette::SourceSpan;
use serde::Serialize;

/// A syntax node and where it is in the source.
#[derive(Debug, Clone, Serialize)]
pub struct Node<T> {
    pub node: T,
    #[serde(skip)]
    pub span: SourceSpan,
}

impl<T> Node<T> {
    pub fn new(node: T, span: SourceSpan) -> Self {
        Node { node, span }
    }
}

impl<T: PartialEq> PartialEq for Node<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

pub type Ident = Node<String>;

/// A whole `.handoff` file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Policy {
    pub name: Node<String>,
    pub version: Node<u64>,
    pub items: Vec<Item>,
    /// Every comment, in order: the formatter puts them back.
    #[serde(skip)]
    pub comments: Comments,
}

/// The spans of a file's comments. Like spans, they take no part in equality: a
/// reformatted policy equals the original.
#[derive(Debug, Clone, Default)]
pub struct Comments(pub Vec<SourceSpan>);

impl PartialEq for Comments {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Item {
    Queues(Node<Vec<QueueDecl>>),
    Let(LetDecl),
    Rule(Rule),
    Test(Test),
    /// `intent NAME { examples [...] counter [...] threshold N }`.
    Intent(IntentDecl),
    /// `intents from "file"`: example files beside the policy (the path as written,
    /// relative to the policy's directory).
    IntentsFrom(IntentFiles),
    /// `language "de" { ... }`: a language the conversations are in, and the
    /// policy's own words for it.
    Language(LanguageDecl),
}

impl Item {
    pub fn span(&self) -> SourceSpan {
        match self {
            Item::Queues(q) => q.span,
            Item::Let(l) => l.span,
            Item::Rule(r) => r.span,
            Item::Test(t) => t.span,
            Item::Intent(i) => i.span,
            Item::IntentsFrom(f) => f.span,
            Item::Language(l) => l.span,
        }
    }
}

/// `language "CODE"`, with an optional block of the policy's own words.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageDecl {
    /// The language's code as written ("de").
    pub code: Node<String>,
    pub parts: Vec<Node<LanguagePart>>,
    #[serde(skip)]
    pub span: SourceSpan,
}

impl PartialEq for LanguageDecl {
    fn eq(&self, o: &Self) -> bool {
        self.code == o.code && self.parts == o.parts
    }
}

/// One list of a `language` block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LanguagePart {
    pub list: LanguageList,
    pub phrases: Vec<Node<String>>,
}

/// Which words a `language` block adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum LanguageList {
    /// `negations [...]`: cues that negate the rest of their clause.
    Negations,
    /// `clause_ends [...]`: words that end a clause, and with it a negation.
    ClauseEnds,
    /// `fallbacks [...]`: phrases that mark a bot answer as a fallback.
    Fallbacks,
    /// `person_requests [...]`: ways customers ask for a person.
    PersonRequests,
}

impl LanguageList {
    pub const ALL: [LanguageList; 4] =
        [LanguageList::Negations, LanguageList::ClauseEnds, LanguageList::Fallbacks, LanguageList::PersonRequests];

    pub fn keyword(self) -> &'static str {
        match self {
            LanguageList::Negations => "negations",
            LanguageList::ClauseEnds => "clause_ends",
            LanguageList::Fallbacks => "fallbacks",
            LanguageList::PersonRequests => "person_requests",
        }
    }
}

/// `intents from "file"`.
#[derive(Debug, Clone, Serialize)]
pub struct IntentFiles {
    pub path: Node<String>,
    #[serde(skip)]
    pub span: SourceSpan,
}

impl PartialEq for IntentFiles {
    fn eq(&self, o: &Self) -> bool {
        self.path == o.path
    }
}

/// An intent learnt from the example sentences written in the policy.
#[derive(Debug, Clone, Serialize)]
pub struct IntentDecl {
    pub name: Ident,
    /// As written, so the checker can point at a repeated part and `fmt` keeps the order.
    pub parts: Vec<Node<IntentPart>>,
    #[serde(skip)]
    pub span: SourceSpan,
}

impl PartialEq for IntentDecl {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name && self.parts == o.parts
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum IntentPart {
    /// `examples [...]`: sentences that are the intent.
    Examples(Vec<Node<String>>),
    /// `counter [...]`: sentences that are not, however close they look.
    Counter(Vec<Node<String>>),
    /// `threshold N`: the score at which a message counts as the intent.
    Threshold(Node<f64>),
}

impl IntentPart {
    pub fn keyword(&self) -> &'static str {
        match self {
            IntentPart::Examples(_) => "examples",
            IntentPart::Counter(_) => "counter",
            IntentPart::Threshold(_) => "threshold",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueDecl {
    pub name: Ident,
    pub description: Option<Node<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LetDecl {
    pub name: Ident,
    pub value: Expr,
    #[serde(skip)]
    pub span: SourceSpan,
}

impl PartialEq for LetDecl {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name && self.value == o.value
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub name: Ident,
    pub when: Expr,
    pub outcome: Node<Outcome>,
    #[serde(skip)]
    pub span: SourceSpan,
}

impl PartialEq for Rule {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name && self.when == o.when && self.outcome == o.outcome
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutcomeKind {
    Escalate,
    Offer,
    Flag,
}

/// What a rule does when it fires. Modifiers are kept as written so the checker
/// can point at a misplaced or repeated one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub kind: OutcomeKind,
    /// The queue for `escalate to`, or the flag's label for `flag`.
    pub target: Option<Node<String>>,
    pub modifiers: Vec<Node<Modifier>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Modifier {
    Via(Ident),
    Fallback(Ident),
    Priority(Ident),
    Reason(Node<String>),
}

impl Modifier {
    pub fn keyword(&self) -> &'static str {
        match self {
            Modifier::Via(_) => "via",
            Modifier::Fallback(_) => "fallback",
            Modifier::Priority(_) => "priority",
            Modifier::Reason(_) => "reason",
        }
    }
}

pub type Expr = Node<ExprKind>;

/// How `mentions` compares words: every inflected form of a listed word (the default) or
/// the written form only (`mentions exactly`), and whether misspellings count (`with typos`).
#[derive(Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct WordMatch {
    pub exact: bool,
    pub typos: bool,
}

/// One word per mode, so an AST dump stays one line per `mentions`.
impl std::fmt::Debug for WordMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match (self.exact, self.typos) {
            (false, false) => "Inflected",
            (true, false) => "Exact",
            (false, true) => "InflectedWithTypos",
            (true, true) => "ExactWithTypos",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExprKind {
    Bool(bool),
    Number(f64),
    /// A duration in milliseconds, with the unit it was written in.
    Duration(u64, DurationUnit),
    String(String),
    Regex {
        pattern: String,
        flags: String,
    },
    List(Vec<Expr>),
    Name(String),
    Attribute {
        root: AttributeRoot,
        path: Vec<Ident>,
    },
    Selector(Selector),
    Mentions {
        messages: Box<Node<Selector>>,
        phrases: Box<Expr>,
        words: WordMatch,
        unless_negated: bool,
    },
    Matches {
        messages: Box<Node<Selector>>,
        regex: Box<Expr>,
    },
    /// `SELECTOR says INTENT [at least N]`: a learnt intent scores at least its
    /// threshold (or N) on a chosen message.
    Says {
        messages: Box<Node<Selector>>,
        intent: Ident,
        at_least: Option<Node<f64>>,
    },
    Call {
        function: Ident,
        args: Vec<Argument>,
    },
    Unary {
        op: Node<UnaryOp>,
        operand: Box<Expr>,
    },
    Binary {
        op: Node<BinaryOp>,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Paren(Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DurationUnit {
    Millis,
    Seconds,
    Minutes,
    Hours,
    Days,
}

impl DurationUnit {
    /// Every unit, shortest first: the one list of duration suffixes.
    pub const ALL: [DurationUnit; 5] =
        [DurationUnit::Millis, DurationUnit::Seconds, DurationUnit::Minutes, DurationUnit::Hours, DurationUnit::Days];

    /// The unit written `ms`, `s`, `m`, `h` or `d`.
    pub fn from_suffix(suffix: &str) -> Option<DurationUnit> {
        DurationUnit::ALL.into_iter().find(|u| u.suffix() == suffix)
    }

    pub fn millis(self) -> u64 {
        match self {
            DurationUnit::Millis => 1,
            DurationUnit::Seconds => 1_000,
            DurationUnit::Minutes => 60_000,
            DurationUnit::Hours => 3_600_000,
            DurationUnit::Days => 86_400_000,
        }
    }
    pub fn suffix(self) -> &'static str {
        match self {
            DurationUnit::Millis => "ms",
            DurationUnit::Seconds => "s",
            DurationUnit::Minutes => "m",
            DurationUnit::Hours => "h",
            DurationUnit::Days => "d",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeRoot {
    Customer,
    Metadata,
}

impl AttributeRoot {
    pub fn keyword(self) -> &'static str {
        match self {
            AttributeRoot::Customer => "customer",
            AttributeRoot::Metadata => "metadata",
        }
    }

    pub fn from_keyword(word: &str) -> Option<AttributeRoot> {
        [AttributeRoot::Customer, AttributeRoot::Metadata].into_iter().find(|r| r.keyword() == word)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleFilter {
    Customer,
    Bot,
    Agent,
    System,
    /// `messages.`: every role.
    Messages,
}

impl RoleFilter {
    /// Every role keyword a selector can start with.
    pub const ALL: [RoleFilter; 5] =
        [RoleFilter::Customer, RoleFilter::Bot, RoleFilter::Agent, RoleFilter::System, RoleFilter::Messages];

    pub fn from_keyword(word: &str) -> Option<RoleFilter> {
        RoleFilter::ALL.into_iter().find(|r| r.keyword() == word)
    }

    pub fn keyword(self) -> &'static str {
        match self {
            RoleFilter::Customer => "customer",
            RoleFilter::Bot => "bot",
            RoleFilter::Agent => "agent",
            RoleFilter::System => "system",
            RoleFilter::Messages => "messages",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Window {
    /// The last N messages of the role (`last` alone is `last 1`).
    Last(u32),
    /// Every message of the role so far.
    Any,
    /// Messages of the role no older than this many milliseconds.
    Within(u64),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selector {
    pub role: RoleFilter,
    pub window: Window,
    /// How `within` was written, so the formatter can print it back.
    #[serde(skip)]
    pub within_unit: Option<DurationUnit>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Argument {
    pub name: Option<Ident>,
    pub value: Expr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// Binding strength: higher binds tighter. Shared by parser and formatter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::In => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div => 6,
        }
    }
}

/// Precedence of `not` (between `and` and comparisons) and of unary minus.
pub const NOT_PRECEDENCE: u8 = 3;
pub const NEG_PRECEDENCE: u8 = 7;

#[derive(Debug, Clone, Serialize)]
pub struct Test {
    pub name: Node<String>,
    pub lines: Vec<Node<TestLine>>,
    #[serde(skip)]
    pub span: SourceSpan,
}

impl PartialEq for Test {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name && self.lines == o.lines
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TestLine {
    Message {
        role: Node<RoleFilter>,
        text: Node<String>,
        annotations: Option<Node<Value>>,
    },
    Attributes {
        kind: Node<AttributesKind>,
        value: Node<Value>,
    },
    Channel(Node<String>),
    File(Node<String>),
    /// `mode live` or `mode finished`: when the test's conversation is decided.
    Mode(Node<TestMode>),
    Expect(Expectation),
}

/// When a test's conversation is decided, as written after `mode`. The syntax's own
/// word for it, so the syntax depends on no later stage: the test runner turns it
/// into the evaluator's `Mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestMode {
    /// After each message, stopping at the first escalation (the default).
    #[default]
    Live,
    /// Once, on the conversation as a whole: a rule fires at the last message or not at all.
    Finished,
}

impl TestMode {
    pub const ALL: [TestMode; 2] = [TestMode::Live, TestMode::Finished];

    pub fn keyword(self) -> &'static str {
        match self {
            TestMode::Live => "live",
            TestMode::Finished => "finished",
        }
    }

    pub fn from_keyword(word: &str) -> Option<TestMode> {
        TestMode::ALL.into_iter().find(|m| m.keyword() == word)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributesKind {
    Customer,
    Metadata,
    Context,
}

impl AttributesKind {
    pub fn keyword(self) -> &'static str {
        match self {
            AttributesKind::Customer => "customer",
            AttributesKind::Metadata => "metadata",
            AttributesKind::Context => "context",
        }
    }

    pub fn from_keyword(word: &str) -> Option<AttributesKind> {
        [AttributesKind::Customer, AttributesKind::Metadata, AttributesKind::Context]
            .into_iter()
            .find(|k| k.keyword() == word)
    }
}

/// A JSON-like value written in a test: attributes, annotations, context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Duration(u64, DurationUnit),
    Array(Vec<Node<Value>>),
    Object(Vec<(Ident, Node<Value>)>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expectation {
    pub expected: Node<Expected>,
    pub by: Vec<Ident>,
    pub at: Option<Node<u32>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Expected {
    Nothing,
    NoEscalation { before: Option<Node<u32>> },
    Escalate { queue: Ident, priority: Option<Ident> },
    Offer { via: Option<Ident>, priority: Option<Ident> },
    Flag { label: Node<String> },
}
