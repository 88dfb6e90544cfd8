//! Robustness: no input makes the parser, the checker or the evaluator panic, and
//! nesting that would exhaust the stack is refused with a diagnostic.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::sync::LazyLock;

use handoff::{Analysis, Context, Conversation, Message, Policy, Role};
use miette::Diagnostic;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Map};

/// The valid policies the mutation test starts from.
static SEEDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases/parse");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "handoff"))
        .collect();
    paths.sort();
    let seeds: Vec<String> = paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    assert!(!seeds.is_empty(), "no seed policies in {}", dir.display());
    seeds
});

/// Pieces of the language a mutation inserts, chosen to unbalance brackets and
/// strings, stack prefix operators and put keywords where they do not belong.
const VOCABULARY: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "/",
    ",",
    ":",
    "#",
    "\\",
    "-",
    "and",
    "or",
    "not ",
    "not\n",
    "in",
    "==",
    "<",
    "customer.last",
    "customer.last 0",
    "bot.any",
    "messages.within 0s",
    "customer.tier",
    "mentions",
    "matches",
    "unless negated",
    "/(/",
    "//",
    "0",
    "1",
    "0.5",
    "4294967296",
    "99999999999999999999",
    "10m",
    "turns",
    "sentiment(",
    "repeats(",
    "similarity:",
    "general",
    "rule",
    "let",
    "when",
    "escalate to",
    "offer human",
    "flag",
    "priority",
    "test",
    "expect",
    "at message",
    "\u{FEFF}",
    "é",
    " ",
    "\n",
];

/// Numbers a mutation writes over a number of a policy: thresholds, window sizes,
/// durations and versions at and past their limits.
const NUMBERS: &[&str] =
    &["0", "1", "2", "0.0001", "65535", "4294967295", "4294967296", "18446744073709551615", "1000000"];

/// Operators a mutation swaps for one another, keeping the text parseable.
const OPERATORS: &[&str] = &["<", ">", "<=", ">=", "==", "!=", "and", "or", "+", "-", "*", "/", "in"];

static NUMBER_RE: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(r"[0-9]+").unwrap());
static OPERATOR_RE: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r" (<=|>=|==|!=|<|>|and|or|\+|-|\*|/|in) ").unwrap());

/// One edit of a policy's bytes; positions are scaled to the text's length. The
/// first three break the syntax; the last two keep it and change values.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: Index, len: usize },
    Insert { at: Index, token: Index },
    Duplicate { from: Index, len: usize, to: Index },
    Number { which: Index, value: Index },
    Operator { which: Index, op: Index },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1..40usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<Index>(), any::<Index>()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        (any::<Index>(), 1..80usize, any::<Index>()).prop_map(|(from, len, to)| Mutation::Duplicate { from, len, to }),
        value_mutation(),
    ]
}

/// Mutations that keep a policy parseable, so most results reach the evaluator.
fn value_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<Index>()).prop_map(|(which, value)| Mutation::Number { which, value }),
        (any::<Index>(), any::<Index>()).prop_map(|(which, op)| Mutation::Operator { which, op }),
    ]
}

/// Replaces the `which`-th match of `re` (its first group, or the whole match) by `by`.
fn replace_match(text: &mut Vec<u8>, re: &regex::Regex, which: &Index, by: &str) {
    let s = String::from_utf8_lossy(text).into_owned();
    let spans: Vec<(usize, usize)> =
        re.captures_iter(&s).filter_map(|c| c.get(1).or_else(|| c.get(0))).map(|m| (m.start(), m.end())).collect();
    if spans.is_empty() {
        return;
    }
    let (start, end) = spans[which.index(spans.len())];
    let mut out = s[..start].to_string();
    out.push_str(by);
    out.push_str(&s[end..]);
    *text = out.into_bytes();
}

fn apply(text: &mut Vec<u8>, m: &Mutation) {
    // `Index::index` needs a non-zero size; an empty text only grows.
    let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
    match m {
        Mutation::Delete { at: i, len } => {
            if !text.is_empty() {
                let start = i.index(text.len());
                let end = (start + len).min(text.len());
                text.drain(start..end);
            }
        }
        Mutation::Insert { at: i, token } => {
            let pos = at(i, text.len());
            let piece = VOCABULARY[token.index(VOCABULARY.len())].as_bytes();
            text.splice(pos..pos, piece.iter().copied());
        }
        Mutation::Duplicate { from, len, to } => {
            if !text.is_empty() {
                let start = from.index(text.len());
                let end = (start + len).min(text.len());
                let slice = text[start..end].to_vec();
                let pos = at(to, text.len());
                text.splice(pos..pos, slice);
            }
        }
        Mutation::Number { which, value } => {
            replace_match(text, &NUMBER_RE, which, NUMBERS[value.index(NUMBERS.len())]);
        }
        Mutation::Operator { which, op } => {
            replace_match(text, &OPERATOR_RE, which, OPERATORS[op.index(OPERATORS.len())]);
        }
    }
}

fn message(role: Role, text: &str, seconds: i64) -> Message {
    Message {
        role,
        text: text.to_string(),
        timestamp: Some(jiff::Timestamp::from_second(1_772_445_600 + seconds).unwrap()),
        intent: None,
        confidence: None,
        sentiment: None,
        entities: Map::new(),
    }
}

/// A short conversation that touches most signals: a request for a person, an
/// apology loop, a negative message, intents, entities and attributes.
fn conversation() -> Conversation {
    let mut refund = message(Role::Customer, "My refund never came, this is awful", 60);
    refund.intent = Some("refund".into());
    refund.confidence = Some(0.8);
    refund.sentiment = Some(-0.7);
    refund.entities.insert("order_id".into(), json!("A123"));
    let mut customer = Map::new();
    customer.insert("tier".into(), json!("gold"));
    customer.insert("lifetime_value".into(), json!(1200.5));
    let mut metadata = Map::new();
    metadata.insert("order".into(), json!({ "status": "lost" }));
    Conversation {
        id: "robustness".into(),
        channel: Some("chat".into()),
        customer,
        metadata,
        messages: vec![
            message(Role::Customer, "Hi, there's a charge I never made", 0),
            message(Role::Bot, "Sorry, I didn't understand.", 5),
            refund,
            message(Role::Bot, "Sorry, I didn't understand.", 65),
            message(Role::Agent, "Looking into it.", 120),
            message(Role::System, "transfer pending", 121),
            message(Role::Customer, "I want a human, not a bot", 180),
        ],
        expect: None,
    }
}

/// Analyses a text; when it has no errors it must also compile and evaluate.
fn analyse_and_run(source: &str) {
    let analysis = Analysis::new("fuzz.handoff", source);
    if analysis.has_errors() {
        return;
    }
    let policy = match Policy::from_analysis(&analysis) {
        Ok(p) => p,
        Err(e) => panic!("a policy without errors does not compile: {e:?}\n--- source\n{source}"),
    };
    let _ = policy.evaluate(&conversation(), &Context::default());
    let _ = policy.evaluate(&Conversation { messages: Vec::new(), ..conversation() }, &Context::default());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let source = String::from_utf8_lossy(&bytes).into_owned();
        let _ = Analysis::new("bytes.handoff", source);
    }

    #[test]
    fn arbitrary_strings_never_panic(source in any::<String>()) {
        let _ = Analysis::new("string.handoff", source);
    }

    /// Token soup after a valid header and rule opening, so the parser gets deep
    /// into expressions instead of stopping at the first byte.
    #[test]
    fn token_soup_never_panics(tokens in proptest::collection::vec(any::<Index>(), 0..60)) {
        let mut source = String::from("policy \"soup\" version 1\nqueues { general }\nrule r {\n  when ");
        for t in &tokens {
            source.push_str(VOCABULARY[t.index(VOCABULARY.len())]);
            source.push(' ');
        }
        source.push_str("\n  escalate to general\n}\n");
        analyse_and_run(&source);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_policies_never_panic(seed in any::<Index>(), mutations in proptest::collection::vec(mutation(), 1..8)) {
        let mut text = SEEDS[seed.index(SEEDS.len())].clone().into_bytes();
        for m in &mutations {
            apply(&mut text, m);
        }
        analyse_and_run(&String::from_utf8_lossy(&text));
    }

    #[test]
    fn policies_with_changed_values_run(seed in any::<Index>(), mutations in proptest::collection::vec(value_mutation(), 1..4)) {
        let mut text = SEEDS[seed.index(SEEDS.len())].clone().into_bytes();
        for m in &mutations {
            apply(&mut text, m);
        }
        analyse_and_run(&String::from_utf8_lossy(&text));
    }
}

/// Every seed compiles and evaluates: the mutation test starts from working policies.
#[test]
fn seeds_compile_and_evaluate() {
    for seed in SEEDS.iter() {
        let analysis = Analysis::new("seed.handoff", seed.as_str());
        assert!(!analysis.has_errors(), "a seed policy has errors:\n{seed}");
        analyse_and_run(seed);
    }
}

const N: usize = 100_000;

fn policy_with_condition(condition: &str) -> String {
    format!(
        "policy \"deep\" version 1\n\nqueues {{\n  general\n}}\n\nrule deep {{\n  when {condition}\n  escalate to general\n}}\n"
    )
}

fn codes(source: &str) -> Vec<String> {
    Analysis::new("deep.handoff", source).problems.iter().filter_map(|p| p.code().map(|c| c.to_string())).collect()
}

fn assert_too_deep(source: &str) {
    let codes = codes(source);
    assert_eq!(codes, ["handoff::syntax::too_deep"], "expected a single nesting diagnostic");
}

#[test]
fn nested_parentheses_are_refused() {
    assert_too_deep(&policy_with_condition(&format!("{}true{}", "(".repeat(N), ")".repeat(N))));
}

#[test]
fn stacked_not_is_refused() {
    assert_too_deep(&policy_with_condition(&format!("{}true", "not ".repeat(N))));
}

#[test]
fn stacked_minus_is_refused() {
    assert_too_deep(&policy_with_condition(&format!("{}1 > 0", "- ".repeat(N))));
}

#[test]
fn long_or_chain_is_refused() {
    let chain = vec!["a"; N].join(" or ");
    assert_too_deep(&policy_with_condition(&chain));
}

#[test]
fn long_and_chain_of_comparisons_is_refused() {
    let chain = vec!["turns > 1"; N / 10].join(" and ");
    assert_too_deep(&policy_with_condition(&chain));
}

#[test]
fn nested_lists_are_refused() {
    let phrases = format!("{}\"x\"{}", "[".repeat(N), "]".repeat(N));
    assert_too_deep(&policy_with_condition(&format!("customer.last mentions {phrases}")));
}

#[test]
fn nested_test_objects_are_refused() {
    let source = format!(
        "{}\ntest \"deep\" {{\n  customer {{ a: {}1{} }}\n  customer: \"hi\"\n  expect nothing\n}}\n",
        policy_with_condition("turns > 1"),
        "{ a: ".repeat(N),
        " }".repeat(N)
    );
    assert_too_deep(&source);
}

/// Nesting right at the limit is still accepted, checked and evaluated. The limit
/// counts expression tree levels: `customer.last mentions "human"` is two of them.
#[test]
fn nesting_at_the_limit_is_accepted() {
    let limit = handoff::syntax::MAX_DEPTH;
    let parens = format!("{}customer.last mentions \"human\"{}", "(".repeat(limit - 2), ")".repeat(limit - 2));
    let nots = format!("{}customer.last mentions \"human\"", "not not ".repeat(limit / 2 - 1));
    for condition in [parens, nots] {
        let source = policy_with_condition(&condition);
        let analysis = Analysis::new("limit.handoff", source.as_str());
        assert!(!analysis.has_errors(), "{:?}", codes(&source));
        assert_too_deep(&policy_with_condition(&format!("({condition})")));
        analyse_and_run(&source);
    }
}

/// `check_nesting` counts `not ` only when a space follows, so `not` on its own
/// line reaches the Pratt parser's recursion and overflows the stack (an abort,
/// not a panic) before `check_nesting` counted it.
#[test]
fn stacked_not_on_separate_lines_is_refused() {
    assert_too_deep(&policy_with_condition(&format!("{}true", "not\n".repeat(N))));
}

/// A policy the checker accepts must compile. Phrase lists, list items and intents
/// are compiled once, so they must be written out: names known only per conversation
/// are refused with a located type error; written-out ones (through lets) compile.
#[test]
fn checked_string_names_compile() {
    let source_for = |condition: &str| {
        format!(
            "policy \"p\" version 1\nqueues {{ general }}\nlet word = \"gold\"\nlet words = [\"gold\", \"vip\"]\n\
             rule human {{\n  when customer.last mentions \"human\" or word == \"x\" or customer.tier in words\n  escalate to general\n}}\n\
             rule odd {{\n  when {condition}\n  flag \"odd\"\n}}\n"
        )
    };
    for condition in [
        "customer.tier in [\"platinum\", word]",
        "customer.last mentions channel",
        "has_intent(customer.last, channel)",
    ] {
        let source = source_for(condition);
        assert!(
            codes(&source).contains(&"handoff::check::type_mismatch".to_string()),
            "{condition}: {:?}",
            codes(&source)
        );
    }
    for condition in ["customer.last mentions words", "has_intent(customer.last, word)", "customer.last mentions word"]
    {
        let source = source_for(condition);
        let analysis = Analysis::new("names.handoff", source.as_str());
        assert!(!analysis.has_errors(), "{condition}: {:?}", codes(&source));
        assert!(Policy::from_analysis(&analysis).is_ok(), "{condition}: the checked policy does not compile");
    }
}
