//! The checker's promise, as a property: a policy `check` accepts compiles, and what
//! compiles evaluates and explains on any conversation; a policy with errors is
//! refused with exactly the checker's errors, never compiled silently. Generated
//! policies have lets (chains, diamonds, cycles), nesting near the limit and regexes
//! with large counted repetitions. Runs on the test harness's threads, whose 2 MiB
//! stack is a tokio worker's.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use handoff::explain::evaluate_explained;
use handoff::syntax::parser::MAX_DEPTH;
use handoff::{Analysis, Context, Conversation, Message, Mode, Policy, Role};
use proptest::prelude::*;
use serde_json::{json, Map};

/// A condition's smallest parts; `l{i}` names one of the generated lets (`l0` when
/// there are none: an unknown name).
fn atom(lets: usize) -> impl Strategy<Value = String> {
    let regex = (
        prop::sample::select(vec!["[a-z]", "\\w", "(a|b)", "refund", "x*y"]),
        prop::sample::select(vec![1usize, 3, 50, 500, 4000]),
        prop::sample::select(vec!["", "i", "x"]),
    )
        .prop_map(|(class, count, flags)| format!("customer.any matches /{class}{{{count}}}/{flags}"));
    prop_oneof![
        Just("customer.last mentions \"refund\"".to_string()),
        Just("customer.last mentions words".to_string()),
        Just("turns > 2".to_string()),
        Just("customer.tier == \"gold\"".to_string()),
        Just("sentiment(customer.last 3) < -0.5".to_string()),
        Just("count(customer.any, matching: pattern) >= 1".to_string()),
        regex,
        (0..lets.max(1)).prop_map(|i| format!("l{i}")),
    ]
}

/// A condition: atoms joined by `and`, `or`, `not` and parentheses, sometimes nested
/// close to the limit.
fn condition(lets: usize) -> impl Strategy<Value = String> {
    atom(lets).prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.clone().prop_map(|a| format!("not ({a})")),
            (inner, prop_oneof![6 => 1..4usize, 1 => MAX_DEPTH - 8..MAX_DEPTH + 2]).prop_map(|(a, p)| format!(
                "{}{a}{}",
                "(".repeat(p),
                ")".repeat(p)
            )),
        ]
    })
}

/// A chain (`c_i = c_{i-1}`), a diamond (`c_i = c_{i-1} or c_{i-1}`) or a cycle of
/// lets around the limit's length, used by a rule.
fn shape() -> impl Strategy<Value = String> {
    (0..3u8, prop_oneof![3 => 1..MAX_DEPTH / 2 - 2, 1 => MAX_DEPTH / 2 - 2..MAX_DEPTH + 8]).prop_map(|(kind, n)| {
        let mut s = "let c0 = customer.last mentions \"refund\"\n".to_string();
        for i in 1..=n {
            let body = match kind {
                0 => format!("c{}", i - 1),
                1 => format!("c{0} or c{0}", i - 1),
                _ if i == n => format!("c{} or c{n}", i - 1),
                _ => format!("c{} and turns > 1", i - 1),
            };
            s.push_str(&format!("let c{i} = {body}\n"));
        }
        s.push_str(&format!("rule shape {{\n  when c{n}\n  flag \"shape\"\n}}\n"));
        s
    })
}

fn policy() -> impl Strategy<Value = String> {
    (0..5usize).prop_flat_map(|lets| {
        // Each let uses the lets before it (cycles come from `shape`), rules any let.
        let bodies: Vec<_> = (0..lets).map(condition).collect();
        (bodies, prop::collection::vec(condition(lets), 1..3), prop::option::of(shape())).prop_map(
            |(bodies, rules, shape)| {
                let mut s = "policy \"oracle\" version 1\nqueues {\n  general \"General\"\n}\n\
                             let words = [\"refund\", \"money back\"]\nlet pattern = /refund|awful/i\n\
                             rule human {\n  when customer.last mentions \"human\"\n  escalate to general\n}\n"
                    .to_string();
                for (i, body) in bodies.iter().enumerate() {
                    s.push_str(&format!("let l{i} = {body}\n"));
                }
                for (i, when) in rules.iter().enumerate() {
                    s.push_str(&format!("rule r{i} {{\n  when {when}\n  escalate to general\n}}\n"));
                }
                s.push_str(&shape.unwrap_or_default());
                s
            },
        )
    })
}

fn conversation() -> impl Strategy<Value = Conversation> {
    let text = prop::sample::select(vec![
        "hello",
        "I want a refund",
        "this is awful",
        "aaaa bbbb abab",
        "let me talk to a human",
        "",
        "REFUND REFUND",
    ]);
    (prop::collection::vec((any::<bool>(), text), 0..6), any::<bool>()).prop_map(|(lines, gold)| {
        let mut customer = Map::new();
        if gold {
            customer.insert("tier".into(), json!("gold"));
        }
        Conversation {
            id: "oracle".into(),
            channel: None,
            customer,
            metadata: Map::new(),
            messages: lines
                .into_iter()
                .map(|(bot, t)| Message::new(if bot { Role::Bot } else { Role::Customer }, t))
                .collect(),
            expect: None,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn check_clean_policies_compile_evaluate_and_explain(
        source in policy(),
        conversations in prop::collection::vec(conversation(), 1..3),
    ) {
        let analysis = Analysis::new("oracle.handoff", source.as_str());
        match Policy::from_analysis(&analysis) {
            Ok(policy) => {
                prop_assert!(!analysis.has_errors());
                for c in &conversations {
                    let decision = policy.evaluate(c, &Context::default());
                    let (explained, explanation) = evaluate_explained(&policy, c, &Context::default(), Mode::Live);
                    prop_assert_eq!(&decision, &explained);
                    prop_assert_eq!(explanation.rules.len(), policy.rule_names().count());
                    prop_assert!(!explanation.render().is_empty());
                    let finished = policy.evaluate_finished(c, &Context::default());
                    let (explained, explanation) = evaluate_explained(&policy, c, &Context::default(), Mode::Finished);
                    prop_assert_eq!(&finished, &explained);
                    prop_assert_eq!(explanation.rules.len(), policy.rule_names().count());
                }
            }
            Err(e) => {
                let errors: Vec<_> = analysis.errors().cloned().collect();
                prop_assert!(!errors.is_empty(), "check found no error but loading failed: {e:?}\n{source}");
                prop_assert_eq!(e.errors, errors);
                // The compiler on its own refuses or compiles such a tree; it never crashes.
                if let Some(ast) = &analysis.ast {
                    let _ = handoff::eval::compile::compile(ast);
                }
            }
        }
    }
}
