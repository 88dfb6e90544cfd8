//! Lets are a graph: the hostile tester's reproducers (long chains, cycles, a doubling
//! diamond, an over-large regex) give a located diagnostic from `check`, and what
//! `check` accepts compiles, evaluates and explains. Each runs on a thread with a
//! 2 MiB stack, as tokio's workers and the test harness's threads have.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use handoff::explain::{evaluate_explained, ExplainNode};
use handoff::syntax::parser::MAX_DEPTH;
use handoff::{Analysis, Context, Conversation, Message, Mode, Policy, Role};
use miette::Diagnostic;

/// The stack of a tokio worker thread.
const WORKER_STACK: usize = 2 << 20;

/// Runs `f` on a thread with a worker's stack; a stack overflow aborts the test run.
fn on_worker_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(WORKER_STACK).spawn(f).unwrap().join().unwrap()
}

const HEADER: &str = "policy \"p\" version 1\nqueues {\n  general \"General\"\n}\n\
                      rule human {\n  when customer.last mentions \"human\"\n  escalate to general\n}\n";

/// `let l0 = ...`, then `let l{i} = body(i)` for i in 1..=n, and a rule on `l{n}`.
fn policy_with_lets(n: usize, body: impl Fn(usize) -> String) -> String {
    let mut s = format!("{HEADER}let l0 = customer.last mentions \"refund\"\n");
    for i in 1..=n {
        s.push_str(&format!("let l{i} = {}\n", body(i)));
    }
    s.push_str(&format!("rule r {{\n  when l{n}\n  escalate to general\n}}\n"));
    s
}

fn chain(n: usize) -> String {
    policy_with_lets(n, |i| format!("l{}", i - 1))
}

fn diamond(n: usize) -> String {
    policy_with_lets(n, |i| format!("l{0} or l{0}", i - 1))
}

/// The depth through lets of the condition `l{n}`: `l0`'s body is 2 deep (`mentions`
/// and its phrase), each let is one level more than its body (plus the `or` in a
/// diamond), and the rule's condition is one level more than `l{n}`'s body.
fn chain_depth(n: usize) -> usize {
    n + 3
}
fn diamond_depth(n: usize) -> usize {
    2 * n + 3
}

fn codes(source: &str) -> Vec<String> {
    let a = Analysis::new("lets.handoff", source);
    a.errors().map(|p| p.code().map(|c| c.to_string()).unwrap_or_default()).collect()
}

fn conversation(texts: &[&str]) -> Conversation {
    Conversation {
        id: "c".into(),
        channel: None,
        customer: Default::default(),
        metadata: Default::default(),
        messages: texts.iter().map(|t| Message::new(Role::Customer, *t)).collect(),
        expect: None,
    }
}

fn count_nodes(n: &ExplainNode) -> usize {
    1 + n.children.iter().map(count_nodes).sum::<usize>()
}

/// Check, compile, evaluate and explain; returns the decision's label and the
/// explanation's size.
fn run(source: &str, texts: &[&str]) -> (String, usize) {
    let policy = Policy::from_source("lets.handoff", source).unwrap_or_else(|e| panic!("{e:?}"));
    let c = conversation(texts);
    let decision = policy.evaluate(&c, &Context::default());
    let (explained, explanation) = evaluate_explained(&policy, &c, &Context::default(), Mode::Live);
    assert_eq!(decision, explained, "explaining changed the decision");
    (decision.label(), explanation.rules.iter().map(|r| count_nodes(&r.condition)).sum())
}

/// 2,000 `let l_i = l_{i-1}` passed `check` with no error, then failed to compile
/// and overflowed `serve`'s stack: now `check` refuses it once, where the chain
/// crosses the limit, and loading refuses it with the same diagnostic.
#[test]
fn a_long_let_chain_is_one_located_error() {
    on_worker_stack(|| {
        let source = chain(2000);
        assert_eq!(codes(&source), ["handoff::check::too_deep"]);
        let a = Analysis::new("chain.handoff", source.as_str());
        let report = handoff::render::plain(&a.problems[0]);
        let crossing = MAX_DEPTH - 1;
        assert_eq!(chain_depth(crossing), MAX_DEPTH + 2, "the let `l{crossing}` is one level less than a rule on it");
        assert!(report.contains(&format!("let `l{crossing}` is nested {} levels deep", MAX_DEPTH + 1)), "{report}");
        let error = Policy::from_source("chain.handoff", &source).unwrap_err();
        assert_eq!(error.errors.len(), 1);
    });
}

/// Chains and cycles of 7,000 lets crashed `check` itself.
#[test]
fn very_long_chains_and_cycles_do_not_crash_the_checker() {
    on_worker_stack(|| {
        assert_eq!(codes(&chain(7000)), ["handoff::check::too_deep"]);
        let mut cycle = HEADER.to_string();
        for i in 0..7000 {
            cycle.push_str(&format!("let c{i} = c{}\n", (i + 1) % 7000));
        }
        cycle.push_str("rule r {\n  when c0\n  escalate to general\n}\n");
        assert_eq!(codes(&cycle), ["handoff::check::cyclic_let"]);
        assert!(Policy::from_source("cycle.handoff", &cycle).is_err());
    });
}

/// The limit is exact: a chain as deep as [`MAX_DEPTH`] loads and runs, one let more
/// is refused.
#[test]
fn a_chain_at_the_limit_checks_compiles_and_runs() {
    on_worker_stack(|| {
        let n = MAX_DEPTH - 3;
        assert_eq!(chain_depth(n), MAX_DEPTH);
        let (label, _) = run(&chain(n), &["hello", "I want a refund"]);
        assert_eq!(label, "escalate:general");
        assert_eq!(codes(&chain(n + 1)), ["handoff::check::too_deep"]);
    });
}

/// Nesting inside a let adds to the lets around it: parentheses at the limit around
/// a let are one level too many.
#[test]
fn nesting_inside_lets_counts_with_the_lets() {
    on_worker_stack(|| {
        let n = 4;
        // `when top`: one level for `top`, the parentheses, then `l{n}` as in a rule.
        let parens = MAX_DEPTH - chain_depth(n) - 1;
        let inner = format!("{}l{n}{}", "(".repeat(parens + 1), ")".repeat(parens + 1));
        let source = format!("{}let top = {inner}\nrule t {{\n  when top\n  flag \"t\"\n}}\n", chain(n));
        assert_eq!(codes(&source), ["handoff::check::too_deep"]);
        let inner = format!("{}l{n}{}", "(".repeat(parens), ")".repeat(parens));
        let source = format!("{}let top = {inner}\nrule t {{\n  when top\n  flag \"t\"\n}}\n", chain(n));
        assert_eq!(codes(&source), Vec::<String>::new());
        run(&source, &["refund please"]);
    });
}

/// `let l_i = l_{i-1} or l_{i-1}`: each let once, so the deepest diamond the limit
/// allows compiles, evaluates and explains in time and memory linear in its size (a
/// tree walk would visit 2^n nodes). The explanation shows a let's parts once per rule.
#[test]
fn the_deepest_diamond_is_linear() {
    on_worker_stack(|| {
        let n = (MAX_DEPTH - 3) / 2;
        assert!(diamond_depth(n) <= MAX_DEPTH && n >= 20, "n = {n}");
        let source = diamond(n);
        assert_eq!(codes(&source), Vec::<String>::new());
        let (label, nodes) = run(&source, &["nothing here", "still nothing"]);
        assert_eq!(label, "none");
        // Rule `human`: 1 node; rule `r`: per let its node, its `or` and the repeated
        // use shown without parts, then `l0`.
        assert!(nodes <= 3 * n + 4, "{nodes} explanation nodes for {n} lets");
        let (label, _) = run(&source, &["a refund"]);
        assert_eq!(label, "escalate:general");
    });
}

/// The reproducer itself, 32 doubling lets: refused when deeper than the limit,
/// otherwise loaded and run.
#[test]
fn the_32_let_diamond_is_refused_or_runs() {
    on_worker_stack(|| {
        let source = diamond(32);
        if diamond_depth(32) > MAX_DEPTH {
            assert_eq!(codes(&source), ["handoff::check::too_deep"]);
        } else {
            assert_eq!(run(&source, &["refund"]).0, "escalate:general");
        }
    });
}

/// `/[a-z]{4000}/i` passed `check` and failed to compile: the checker builds regexes
/// as the compiler does.
#[test]
fn check_accepts_exactly_the_regexes_that_compile() {
    on_worker_stack(|| {
        let with = |re: &str| format!("{HEADER}rule r {{\n  when customer.any matches {re}\n  flag \"r\"\n}}\n");
        assert_eq!(codes(&with("/[a-z]{4000}/i")), ["handoff::check::invalid_regex"]);
        for re in ["/[a-z]{4000}/i", "/[a-z]{4000}/", "/\\w{400}/", "/(a|b){1000}{10}/"] {
            let source = with(re);
            let clean = codes(&source).is_empty();
            assert_eq!(clean, Policy::from_source("re.handoff", &source).is_ok(), "{re}");
        }
        let (label, _) = run(&with("/[a-z]{10}/i"), &["ABCDEFGHIJ"]);
        assert_eq!(label, "flag");
    });
}

/// A request for a person behind a long chain of lets is still seen (the lint used
/// to stop looking after 32 lets and warn wrongly).
#[test]
fn the_human_route_lint_follows_any_chain() {
    // `when l{n} or false`: the `or`, then as a chain whose `l0` is 3 deep (a list).
    let n = MAX_DEPTH - 5;
    let mut source = "policy \"p\" version 1\nqueues {\n  general \"General\"\n}\n".to_string();
    source.push_str("let l0 = customer.last mentions [\"refund\", \"a real person\"]\n");
    for i in 1..=n {
        source.push_str(&format!("let l{i} = l{}\n", i - 1));
    }
    source.push_str(&format!("rule r {{\n  when l{n} or false\n  escalate to general\n}}\n"));
    let a = Analysis::new("lint.handoff", source.as_str());
    assert!(!a.has_errors(), "{:?}", a.problems);
    let warnings: Vec<String> = a.warnings().map(|w| w.code().unwrap().to_string()).collect();
    assert!(!warnings.contains(&"handoff::lint::no_human_route".to_string()), "{warnings:?}");
}
