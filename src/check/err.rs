//! Diagnostics of the checker: every problem has a stable code, a labelled span and help.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// One problem the checker found. Warnings are problems that do not stop a policy
/// from running (unless `--deny-warnings`).
#[derive(Debug, Clone, Error, Diagnostic, PartialEq)]
pub enum CheckError {
    #[error("unknown name `{name}`")]
    #[diagnostic(code(handoff::check::unknown_name))]
    UnknownName {
        name: String,
        #[label("not a `let`, a signal or a built-in")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("unknown queue `{name}`")]
    #[diagnostic(code(handoff::check::unknown_queue))]
    UnknownQueue {
        name: String,
        #[label("this queue is not declared in `queues {{ ... }}`")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("unknown rule `{name}`")]
    #[diagnostic(code(handoff::check::unknown_rule))]
    UnknownRule {
        name: String,
        #[label("no rule has this name")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("unknown function `{name}`")]
    #[diagnostic(code(handoff::check::unknown_function))]
    UnknownFunction {
        name: String,
        #[label("not a built-in function")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`{function}` has no argument named `{name}`")]
    #[diagnostic(code(handoff::check::unknown_argument))]
    UnknownArgument {
        function: String,
        name: String,
        #[label("unknown argument")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`{function}` needs {what}")]
    #[diagnostic(code(handoff::check::missing_argument))]
    MissingArgument {
        function: String,
        what: String,
        #[label("add it here")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{function}` takes {expected} positional argument(s), found {found}")]
    #[diagnostic(code(handoff::check::arity))]
    Arity {
        function: String,
        expected: usize,
        found: usize,
        #[label("too many arguments")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("duplicate {kind} `{name}`")]
    #[diagnostic(code(handoff::check::duplicate))]
    Duplicate {
        kind: &'static str,
        name: String,
        #[label("declared again here")]
        span: SourceSpan,
        #[label("first declared here")]
        first: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{name}` is a built-in name and cannot be redefined")]
    #[diagnostic(code(handoff::check::reserved_name), help("choose another name for this `let`"))]
    ReservedName {
        name: String,
        #[label("this is a built-in")]
        span: SourceSpan,
    },

    #[error("type mismatch: {message}")]
    #[diagnostic(code(handoff::check::type_mismatch))]
    TypeMismatch {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[help]
        help: Option<String>,
    },

    #[error("invalid regular expression: {reason}")]
    #[diagnostic(code(handoff::check::invalid_regex))]
    InvalidRegex {
        reason: String,
        #[label("this regular expression")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("{message}")]
    #[diagnostic(code(handoff::check::out_of_range))]
    OutOfRange {
        message: String,
        #[label("out of range")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{name}` depends on itself")]
    #[diagnostic(
        code(handoff::check::cyclic_let),
        help("a `let` cannot refer to itself, directly or through other lets: {cycle}")
    )]
    CyclicLet {
        name: String,
        cycle: String,
        #[label("this refers back to `{name}`")]
        span: SourceSpan,
    },

    #[error("{what} is nested {depth} levels deep through lets, more than {limit}")]
    #[diagnostic(
        code(handoff::check::too_deep),
        help("a let used inside another counts as one more level of nesting, and this chain is too long: {chain}; join some of these lets into one, or use fewer steps")
    )]
    TooDeep {
        what: String,
        depth: usize,
        limit: usize,
        uses: String,
        uses_depth: usize,
        chain: String,
        #[label("`{uses}` is {uses_depth} levels deep")]
        span: SourceSpan,
    },

    #[error("`{window}` needs a bounded window")]
    #[diagnostic(code(handoff::check::unbounded_window))]
    UnboundedWindow {
        window: String,
        #[label("this looks at the whole conversation")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("empty phrase")]
    #[diagnostic(code(handoff::check::empty_phrase), help("remove it, or write the words to look for"))]
    EmptyPhrase {
        #[label("this phrase has no words, it would match nothing")]
        span: SourceSpan,
    },

    #[error("`exactly` and `with typos` do not go together")]
    #[diagnostic(
        code(handoff::check::exact_with_typos),
        help("typo tolerance also matches the inflected forms of the listed words: drop `exactly`, or drop `with typos` and list the misspellings to accept")
    )]
    ExactWithTypos {
        #[label("written forms only, yet misspellings allowed")]
        span: SourceSpan,
    },

    #[error("unknown priority `{name}`")]
    #[diagnostic(code(handoff::check::unknown_priority))]
    UnknownPriority {
        name: String,
        #[label("not a priority")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("{message}")]
    #[diagnostic(code(handoff::check::invalid_outcome))]
    InvalidOutcome {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[label("first given here")]
        first: Option<SourceSpan>,
        #[help]
        help: String,
    },

    #[error("{message}")]
    #[diagnostic(code(handoff::check::invalid_test))]
    InvalidTest {
        message: String,
        #[label("{label}")]
        span: SourceSpan,
        label: String,
        #[label("first given here")]
        first: Option<SourceSpan>,
        #[help]
        help: Option<String>,
    },

    #[error("unused let `{name}`")]
    #[diagnostic(code(handoff::lint::unused_let), severity(Warning), help("use it in a rule, or remove it"))]
    UnusedLet {
        name: String,
        #[label("no rule uses this")]
        span: SourceSpan,
    },

    #[error("unused queue `{name}`")]
    #[diagnostic(code(handoff::lint::unused_queue), severity(Warning), help("route a rule to it, or remove it"))]
    UnusedQueue {
        name: String,
        #[label("no rule routes here")]
        span: SourceSpan,
    },

    #[error("rule `{name}` can never fire")]
    #[diagnostic(code(handoff::lint::unreachable_rule), severity(Warning))]
    UnreachableRule {
        name: String,
        #[label("this condition is always false")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("rule `{name}` is shadowed by rule `{earlier}`")]
    #[diagnostic(
        code(handoff::lint::shadowed_rule),
        severity(Warning),
        help("`{earlier}` has the same outcome and fires whenever this rule would; remove this rule or change its outcome")
    )]
    ShadowedRule {
        name: String,
        earlier: String,
        #[label("never decides anything")]
        span: SourceSpan,
        #[label("because of this earlier rule")]
        earlier_span: SourceSpan,
    },

    #[error("no rule routes an explicit request for a person")]
    #[diagnostic(
        code(handoff::lint::no_human_route),
        severity(Warning),
        help("customers must always be able to reach a person: add a rule such as\n  rule human_on_request {{\n    when customer.last mentions [\"human\", \"real person\", \"agent\"] unless negated\n    escalate to QUEUE priority urgent\n  }}")
    )]
    NoHumanRoute {
        #[label("this policy")]
        span: SourceSpan,
    },
}

impl CheckError {
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            CheckError::UnusedLet { .. }
                | CheckError::UnusedQueue { .. }
                | CheckError::UnreachableRule { .. }
                | CheckError::ShadowedRule { .. }
                | CheckError::NoHumanRoute { .. }
        )
    }
}

/// "did you mean `x`?" from the closest candidate, if it is close enough.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(name, c);
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}
