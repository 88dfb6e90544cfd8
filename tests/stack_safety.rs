//! No policy text overflows the stack, on any thread, and nesting past
//! `handoff::syntax::MAX_DEPTH` is the located too-deep diagnostic wherever it hides.
//! Every test runs on a thread of a stated small stack: an overflow aborts the whole
//! test binary, so it cannot pass by accident.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use handoff::syntax::parser::{HandoffParser, Rule};
use handoff::syntax::stack::PARSE_STACK;
use handoff::syntax::{parse_policy, SyntaxError, MAX_DEPTH};
use handoff::Analysis;
use pest::Parser;
use proptest::prelude::*;

/// tokio's worker threads have 2 MiB of stack.
const WORKER_STACK: usize = 2 << 20;
const SMALL_STACK: usize = 256 << 10;

fn on_stack<T: Send + 'static>(size: usize, f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(size).spawn(f).unwrap().join().unwrap()
}

fn policy_with_condition(condition: &str) -> String {
    format!(
        "policy \"p\" version 1\nqueues {{ general }}\nrule deep {{\n  when {condition}\n  escalate to general\n}}\n"
    )
}

/// `count` copies of `open`, the `leaf`, then `count` copies of `close`.
fn nested(open: &str, leaf: &str, close: &str, count: usize) -> String {
    format!("{}{leaf}{}", open.repeat(count), close.repeat(count))
}

/// The diagnostic codes of a whole analysis, run on a tokio-sized worker stack.
fn codes_on_worker(source: String) -> Vec<String> {
    on_stack(WORKER_STACK, move || {
        let analysis = Analysis::new("deep.handoff", source.as_str());
        analysis.problems.iter().filter_map(|p| miette::Diagnostic::code(p).map(|c| c.to_string())).collect()
    })
}

/// The tester's reproducers: each slipped past the old text pre-scan.
fn reproducers(n: usize) -> Vec<(&'static str, String)> {
    vec![
        ("not, comment, newline", nested("not#c\n", "true", "", n)),
        ("not, byte order mark", nested("not\u{FEFF}", "true", "", n)),
        ("not minus", nested("not-", "1", "", n)),
        ("name ending in matches, then a division", format!("amatches / {}", nested("(", "1", ")", n))),
        ("name ending in mentions, then a division", format!("xmentions / {}", nested("(", "1", ")", n))),
        ("comment ended by a carriage return", format!("#comment\r{}", nested("(", "true", ")", n))),
        ("parentheses", nested("(", "true", ")", n)),
        ("nots", nested("not ", "true", "", n)),
        ("minus signs", nested("-", "1", "", n)),
        ("lists", format!("customer.tier in {}", nested("[", "\"x\"", "]", n))),
        ("calls", nested("f(", "true", ")", n)),
        ("named arguments", nested("f(a: ", "true", ")", n)),
        ("phrase lists", nested("(customer.last mentions [", "\"x\"", "])", n)),
        ("or chain", vec!["a"; n + 1].join(" or ")),
    ]
}

fn assert_too_deep(what: &str, source: String) {
    let codes = codes_on_worker(source);
    assert_eq!(codes, ["handoff::syntax::too_deep"], "{what}: expected the nesting diagnostic");
}

#[test]
fn every_reproducer_is_refused_on_a_worker_stack() {
    // 900 parentheses crashed the server, 3,600 `handoff check`; 100,000 is far past both.
    for n in [MAX_DEPTH + 1, 900, 3_600, 100_000] {
        for (what, condition) in reproducers(n) {
            assert_too_deep(&format!("{what} x{n}"), policy_with_condition(&condition));
        }
    }
}

#[test]
fn nested_test_values_are_refused_on_a_worker_stack() {
    for n in [MAX_DEPTH, 100_000] {
        let value = nested("{ a: [", "1", "] }", n);
        let source =
            format!("{}test \"t\" {{\n  customer {value}\n  expect nothing\n}}\n", policy_with_condition("true"));
        assert_too_deep(&format!("objects x{n}"), source);
    }
}

/// The diagnostic points into the nesting, and is the same on every stack: the parse
/// runs on a stack of its own. In a debug build pest's stack guard stops 20,000 levels of
/// brackets, and the tree builder stops 257, so both ways of refusing are covered.
#[test]
fn the_diagnostic_is_located_and_the_same_on_every_thread() {
    for n in [MAX_DEPTH + 1, 20_000] {
        for (what, condition) in reproducers(n) {
            let source = policy_with_condition(&condition);
            let results: Vec<SyntaxError> = [SMALL_STACK, WORKER_STACK, 64 << 20]
                .into_iter()
                .map(|size| {
                    let source = source.clone();
                    on_stack(size, move || parse_policy(&source).unwrap_err())
                })
                .collect();
            let SyntaxError::TooDeep { limit, span } = &results[0] else {
                panic!("{what} x{n}: {:?}", results[0]);
            };
            assert_eq!(*limit, MAX_DEPTH);
            let condition_at = source.find("when").unwrap();
            assert!(
                span.offset() > condition_at && span.offset() + span.len() <= source.len(),
                "{what} x{n}: {span:?} is outside the condition"
            );
            assert!(results.iter().all(|r| r == &results[0]), "{what} x{n}: {results:?}");
        }
    }
}

/// Each way to nest, at exactly the limit (in tree levels), parses on a small thread;
/// one level more is refused.
#[test]
fn every_kind_of_nesting_parses_at_the_limit_on_a_small_stack() {
    let m = MAX_DEPTH;
    let at_limit = |extra: usize| {
        let m = m + extra;
        vec![
            ("parentheses", nested("(", "true", ")", m - 1)),
            ("nots", nested("not ", "true", "", m - 1)),
            ("nots on their own lines", nested("not#c\n", "true", "", m - 1)),
            ("minus signs", format!("{} > 0", nested("-", "1", "", m - 2))),
            ("lists", format!("customer.tier in {}", nested("[", "\"x\"", "]", m - 2))),
            ("calls", nested("f(", "true", ")", m - 1)),
            ("named arguments", nested("f(a: ", "true", ")", m - 1)),
            ("or chain", vec!["a"; m].join(" or ")),
        ]
    };
    for extra in [0, 1] {
        for (what, condition) in at_limit(extra) {
            let source = policy_with_condition(&condition);
            let result = on_stack(SMALL_STACK, move || parse_policy(&source).map(|_| ()));
            match (extra, result) {
                (0, Ok(())) | (1, Err(SyntaxError::TooDeep { .. })) => {}
                (_, other) => panic!("{what} at the limit + {extra}: {other:?}"),
            }
        }
    }
    // Three levels a step: a parenthesis, the phrase test and its list.
    let phrases = nested("(customer.last mentions [", "\"x\"", "])", (m - 1) / 3);
    let source = policy_with_condition(&phrases);
    assert!(on_stack(SMALL_STACK, move || parse_policy(&source).is_ok()));
}

/// The fixed parse stack holds `MAX_DEPTH` levels of the most stack-hungry nesting
/// with room to spare in this build. pest refuses to go on with less than 64 KiB of
/// stack left, so the smallest stack that parses is found safely by bisection.
#[test]
fn the_parse_stack_holds_the_limit_twice_over() {
    let m = MAX_DEPTH;
    let conditions = [
        nested("(", "true", ")", m),
        nested("f(a: ", "true", ")", m),
        nested("(customer.last mentions [", "\"x\"", "])", m / 3),
        nested("not (- (", "true", "))", m / 4),
    ];
    let value = format!(
        "{}test \"t\" {{\n  customer {}\n}}\n",
        policy_with_condition("true"),
        nested("{ a: [", "1", "] }", m / 2)
    );
    let sources = conditions.iter().map(|c| policy_with_condition(c)).chain([value]);
    let needed = sources.map(|source| smallest_stack_that_parses(&source)).max().unwrap();
    println!(
        "the deepest policy within the limit needs {} KiB of the {} KiB parse stack",
        needed >> 10,
        PARSE_STACK >> 10
    );
    assert!(2 * needed <= PARSE_STACK, "{needed} bytes needed");
}

fn smallest_stack_that_parses(source: &str) -> usize {
    let (mut fails, mut parses) = (64 << 10, PARSE_STACK);
    while parses - fails > 4096 {
        let size = (fails + parses) / 2;
        let ok = stacker::grow(size, || match HandoffParser::parse(Rule::policy, source) {
            Ok(_) => true,
            Err(e) => {
                assert!(e.to_string().contains("stack limit reached"), "{e}");
                false
            }
        });
        if ok {
            parses = size;
        } else {
            fails = size;
        }
    }
    parses
}

/// Ways to open one nesting level (or a few), with how many tree levels each adds and
/// what closes it. Each keeps its level count whatever comes before or after.
const STEPS: &[(&str, &str, usize)] = &[
    ("(", ")", 1),
    ("not ", "", 1),
    ("not#c\n", "", 1),
    ("not\u{FEFF}", "", 1),
    ("-(", ")", 2),
    ("not-(", ")", 3),
    ("f(", ")", 1),
    ("f(a: ", ")", 1),
    ("[", "]", 1),
    ("(customer.last mentions [", "])", 3),
    ("#c\r(", ")", 1),
    ("amatches / (", ")", 2),
    ("xmentions / (", ")", 2),
    ("1 + (", ")", 2),
    ("f(1, ", ")", 1),
];

/// A condition nested by these steps, and its tree height.
fn stepped(steps: &[usize]) -> (String, usize) {
    let mut open = String::new();
    let mut close = String::new();
    let mut height = 1;
    for &i in steps {
        let (o, c, levels) = STEPS[i % STEPS.len()];
        open.push_str(o);
        close.insert_str(0, c);
        height += levels;
    }
    (format!("{open}true{close}"), height)
}

fn check_stepped(steps: Vec<usize>) -> Result<(), TestCaseError> {
    let (condition, height) = stepped(&steps);
    let source = policy_with_condition(&condition);
    let result = on_stack(WORKER_STACK, move || parse_policy(&source).map(|_| ()));
    match result {
        Ok(()) => prop_assert!(height <= MAX_DEPTH, "height {height} was accepted"),
        Err(SyntaxError::TooDeep { .. }) => prop_assert!(height > MAX_DEPTH, "height {height} was refused"),
        Err(other) => prop_assert!(false, "height {height}: {other:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// Around the limit the answer is exact: accepted up to `MAX_DEPTH` levels, the
    /// too-deep diagnostic past it.
    #[test]
    fn nesting_near_the_limit_is_decided_by_tree_height(steps in prop::collection::vec(0..STEPS.len(), 60..300)) {
        check_stepped(steps)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    /// Far past the limit (up to about 100,000 characters of nesting) a worker stack
    /// never overflows and the answer is the too-deep diagnostic.
    #[test]
    fn deep_nesting_never_overflows_a_worker_stack(steps in prop::collection::vec(0..STEPS.len(), 300..12_000)) {
        check_stepped(steps)?;
    }
}
