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

    #[error("unknown intent `{name}`")]
    #[diagnostic(code(handoff::check::unknown_intent))]
    UnknownIntent {
        name: String,
        #[label("no `intent` declaration or example file names this intent")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("cannot read intent examples from {file}: {reason}")]
    #[diagnostic(
        code(handoff::check::unreadable_examples),
        help("the path is relative to the policy file's directory; check it, and that the file is UTF-8 text")
    )]
    UnreadableExamples {
        file: String,
        reason: String,
        #[label("this file")]
        span: SourceSpan,
    },

    #[error("intent `{name}` has no examples")]
    #[diagnostic(
        code(handoff::intent::no_examples),
        help("list sentences customers write for this intent: `examples [\"...\", \"...\"]`")
    )]
    IntentWithoutExamples {
        name: String,
        #[label("declared without examples")]
        span: SourceSpan,
    },

    #[error("intent `{name}` has only {examples} example(s)")]
    #[diagnostic(
        code(handoff::intent::few_examples),
        severity(Warning),
        help("with fewer than {minimum} examples an intent learns the examples' words rather than what they mean; add sentences customers really write (from the training part of your data)")
    )]
    FewExamples {
        name: String,
        examples: usize,
        minimum: usize,
        #[label("{examples} example(s)")]
        span: SourceSpan,
    },

    #[error("intents `{name}` and `{other}` overlap: {scored_as_other} of {held_out} held-out examples of `{name}` score as `{other}`")]
    #[diagnostic(
        code(handoff::intent::overlap),
        severity(Warning),
        help("for example: {sample}; make the examples of the two intents more distinct, add counter-examples, or merge the intents")
    )]
    IntentOverlap {
        name: String,
        other: String,
        scored_as_other: usize,
        held_out: usize,
        sample: String,
        #[label("{share}% of its examples read as `{other}`")]
        span: SourceSpan,
        share: u32,
    },

    #[error("the same example is in intents `{name}` and `{other}`: {text:?}")]
    #[diagnostic(
        code(handoff::intent::shared_example),
        severity(Warning),
        help("an example teaches one intent and is a negative for every other: keep it in one of the two")
    )]
    SharedExample {
        name: String,
        other: String,
        text: String,
        #[label("declared here")]
        span: SourceSpan,
    },

    #[error("intent `{name}` has the same sentence as an example and a counter-example: {text:?}")]
    #[diagnostic(
        code(handoff::intent::counter_is_example),
        severity(Warning),
        help("keep it in one of the two lists")
    )]
    CounterIsExample {
        name: String,
        text: String,
        #[label("declared here")]
        span: SourceSpan,
    },

    #[error("learnt intent `{name}` has the name of an upstream intent")]
    #[diagnostic(
        code(handoff::lint::intent_name_clash),
        severity(Warning),
        help("`intent(..)` and `has_intent(..)` read the intent an upstream NLU annotated, `says {name}` the intent learnt from this policy's examples; their confidence and score are not on the same scale, so give the learnt intent its own name (and write both with `or` if either may decide)")
    )]
    IntentNameClash {
        name: String,
        #[label("read from the upstream annotation here")]
        span: SourceSpan,
        #[label("the learnt intent of the same name")]
        learnt: Option<SourceSpan>,
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
    #[diagnostic(code(handoff::lint::shadowed_rule), severity(Warning))]
    ShadowedRule {
        name: String,
        earlier: String,
        #[label("never decides anything")]
        span: SourceSpan,
        #[label("because of this earlier rule")]
        earlier_span: SourceSpan,
        /// Why the earlier rule always wins.
        #[help]
        help: String,
    },

    #[error("unknown language `{code}`")]
    #[diagnostic(code(handoff::check::unknown_language))]
    UnknownLanguage {
        code: String,
        #[label("no built-in lists for this language")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("language `{code}` is declared twice")]
    #[diagnostic(
        code(handoff::check::repeated_language),
        help("declare each language once; put all of its own words in that one block")
    )]
    RepeatedLanguage {
        code: String,
        #[label("declared again here")]
        span: SourceSpan,
        #[label("first declared here")]
        first: SourceSpan,
    },

    #[error("`{list}` is given twice for language `{code}`")]
    #[diagnostic(
        code(handoff::check::repeated_language_list),
        help("write all of the words in one `{list} [...]` list")
    )]
    RepeatedLanguageList {
        code: String,
        list: &'static str,
        #[label("given again here")]
        span: SourceSpan,
    },

    #[error("the built-in sentiment is English, and this policy's conversations are in {languages}")]
    #[diagnostic(
        code(handoff::lint::sentiment_language),
        severity(Warning),
        help("the built-in analyser (VADER) knows English words only, so it scores messages in other languages near 0; give each message a `sentiment` annotation from an upstream analyser in your language (annotated messages use it), or add `language \"en\"` if some conversations are English")
    )]
    SentimentLanguage {
        languages: String,
        #[label("built-in sentiment on a message without an annotation")]
        span: SourceSpan,
    },

    #[error("this regular expression matches every message")]
    #[diagnostic(code(handoff::lint::regex_matches_everything), severity(Warning))]
    RegexMatchesEverything {
        #[label("it matches the empty text, which every message contains")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("queue `{queue}` is followed by more names on its line")]
    #[diagnostic(code(handoff::lint::unquoted_queue_description), severity(Warning))]
    UnquotedQueueDescription {
        queue: String,
        #[label("these are read as more queues, which no rule routes to")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{written}` is a field of the conversation's data, not a built-in")]
    #[diagnostic(code(handoff::lint::builtin_like_attribute), severity(Warning))]
    BuiltinLikeAttribute {
        written: String,
        #[label("named like a built-in")]
        span: SourceSpan,
        #[help]
        help: String,
    },

    #[error("rule `{rule}` asks one value for ranges that do not meet")]
    #[diagnostic(
        code(handoff::lint::impossible_condition),
        severity(Warning),
        help("no value is in both ranges, so with `and` the rule can never fire: check the thresholds, or use `or` if either should do")
    )]
    ImpossibleCondition {
        rule: String,
        #[label("this cannot hold together with the earlier comparison")]
        span: SourceSpan,
        #[label("the earlier comparison on the same value")]
        earlier: SourceSpan,
    },

    #[error("`{name}` is not a lint")]
    #[diagnostic(code(handoff::lint::unknown_lint), severity(Warning))]
    UnknownLint {
        name: String,
        #[label("this allow comment names it")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("this allow comment applies to nothing")]
    #[diagnostic(
        code(handoff::lint::misplaced_allow),
        severity(Warning),
        help("put it at the top of the file, before `policy`, to allow the lints in the whole file, or right above a `rule` to allow them in that rule")
    )]
    MisplacedAllow {
        #[label("neither at the top of the file nor right above a rule")]
        span: SourceSpan,
    },

    #[error("rule `{name}` has no reason")]
    #[diagnostic(
        code(handoff::lint::missing_reason),
        severity(Warning),
        help("agents see the reason when the conversation reaches them: add `reason \"...\"` after the outcome, in words an agent understands")
    )]
    MissingReason {
        name: String,
        #[label("no `reason` for the agent")]
        span: SourceSpan,
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
                | CheckError::RegexMatchesEverything { .. }
                | CheckError::UnquotedQueueDescription { .. }
                | CheckError::BuiltinLikeAttribute { .. }
                | CheckError::ImpossibleCondition { .. }
                | CheckError::UnknownLint { .. }
                | CheckError::MisplacedAllow { .. }
                | CheckError::MissingReason { .. }
                | CheckError::SentimentLanguage { .. }
                | CheckError::FewExamples { .. }
                | CheckError::IntentOverlap { .. }
                | CheckError::SharedExample { .. }
                | CheckError::CounterIsExample { .. }
                | CheckError::IntentNameClash { .. }
        )
    }
}

/// "did you mean `x`?" from the closest candidate, if it is close enough.
///
/// strsim's Jaro-Winkler costs the product of the two lengths, and an unknown
/// name is compared with every let: with long names that took 17 s. So names
/// are compared on their first [`COMPARED_CHARS`] characters, and a candidate
/// is skipped when a cheap ceiling on its score (from the characters the two
/// share) cannot beat the best so far; the answer is the one comparing every
/// candidate in full would give whenever the names are shorter than that.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let name = compared_part(name);
    let name_chars = CharCounts::of(name);
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let compared = compared_part(c);
        let floor = best.map_or(SUGGEST_AT, |(s, _)| s);
        if jaro_winkler_ceiling(name, &name_chars, compared) < floor - 1e-9 {
            continue;
        }
        let score = strsim::jaro_winkler(name, compared);
        if score >= SUGGEST_AT && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| format!("did you mean `{c}`?"))
}

/// The least Jaro-Winkler similarity worth a suggestion.
const SUGGEST_AT: f64 = 0.8;

/// Characters of a name that did-you-mean compares; names in policies are
/// far shorter, and a typo is rarely told apart only after this many.
pub const COMPARED_CHARS: usize = 64;

fn compared_part(name: &str) -> &str {
    match name.char_indices().nth(COMPARED_CHARS) {
        Some((end, _)) => name.get(..end).unwrap_or(name),
        None => name,
    }
}

/// How many characters of a name fall in each of 128 buckets (by code point).
struct CharCounts {
    buckets: [u16; 128],
    len: usize,
}

impl CharCounts {
    fn of(s: &str) -> CharCounts {
        let mut counts = CharCounts { buckets: [0; 128], len: 0 };
        for c in s.chars() {
            if let Some(b) = counts.buckets.get_mut(c as usize % 128) {
                *b = b.saturating_add(1);
            }
            counts.len += 1;
        }
        counts
    }
}

/// An upper bound on `strsim::jaro_winkler(name, other)`. Jaro's matches are
/// at most the characters the two share (bucketed, which only overcounts), and
/// with no transpositions Jaro is (m/|a| + m/|b| + 1) / 3; the Winkler boost
/// grows with Jaro, so applying it to the bound keeps it a bound.
fn jaro_winkler_ceiling(name: &str, name_chars: &CharCounts, other: &str) -> f64 {
    let other_chars = CharCounts::of(other);
    if name_chars.len == 0 || other_chars.len == 0 {
        return 1.0;
    }
    let shared: usize = name_chars.buckets.iter().zip(&other_chars.buckets).map(|(a, b)| usize::from(*a.min(b))).sum();
    if shared == 0 {
        return 0.0;
    }
    let m = shared as f64;
    let jaro = (m / name_chars.len as f64 + m / other_chars.len as f64 + 1.0) / 3.0;
    if jaro <= 0.7 {
        return jaro;
    }
    let prefix = name.chars().zip(other.chars()).take(4).take_while(|(a, b)| a == b).count();
    jaro + 0.1 * prefix as f64 * (1.0 - jaro)
}

#[cfg(test)]
mod did_you_mean_tests {
    use proptest::prelude::*;

    use super::*;

    /// The suggestion comparing every candidate in full, as before the bounds.
    fn exhaustive(name: &str, candidates: &[&str]) -> Option<String> {
        let mut best: Option<(f64, &str)> = None;
        for &c in candidates {
            let score = strsim::jaro_winkler(name, c);
            if score >= SUGGEST_AT && best.is_none_or(|(s, _)| score > s) {
                best = Some((score, c));
            }
        }
        best.map(|(_, c)| format!("did you mean `{c}`?"))
    }

    #[test]
    fn suggests_the_closest_name() {
        let names = ["customer_waiting", "custom_wait", "queue_open", "turns"];
        assert_eq!(did_you_mean("customer_wating", names), Some("did you mean `customer_waiting`?".into()));
        assert_eq!(did_you_mean("tunrs", names), Some("did you mean `turns`?".into()));
        assert_eq!(did_you_mean("xyzzy", names), None);
    }

    #[test]
    fn long_names_are_compared_on_their_start() {
        let long = "a".repeat(10_000) + "b";
        let typo = "a".repeat(10_000) + "c";
        assert_eq!(did_you_mean(&typo, [long.as_str(), "other"]), Some(format!("did you mean `{long}`?")));
        assert_eq!(compared_part(&long).chars().count(), COMPARED_CHARS);
        assert_eq!(compared_part("é".repeat(70).as_str()), "é".repeat(COMPARED_CHARS));
    }

    proptest! {
        #[test]
        fn the_ceiling_never_skips_the_answer(
            name in "[a-d_é]{0,12}",
            candidates in prop::collection::vec("[a-d_é]{0,12}", 0..8),
        ) {
            let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
            prop_assert_eq!(did_you_mean(&name, candidates.iter().copied()), exhaustive(&name, &candidates));
            for c in &candidates {
                let ceiling = jaro_winkler_ceiling(&name, &CharCounts::of(&name), c);
                prop_assert!(ceiling + 1e-9 >= strsim::jaro_winkler(&name, c), "{name:?} {c:?}");
            }
        }
    }
}
