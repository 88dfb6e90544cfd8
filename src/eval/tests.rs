//! Evaluator tests: one line per case through `yields!`.

use super::*;
use crate::transcript::{Message, Role};

fn policy(rules: &str) -> Policy {
    let src = format!(
        "policy \"t\" version 1\nqueues {{\n  general \"General\"\n  disputes \"Disputes\"\n}}\n{rules}\n\
         rule human {{\n  when customer.last mentions [\"human\"]\n  escalate to general\n}}\n"
    );
    match Policy::from_source("t.handoff", &src) {
        Ok(p) => p,
        Err(e) => panic!("{}", crate::render::plain(&e)),
    }
}

fn msg(role: Role, text: &str) -> Message {
    Message::new(role, text)
}

fn conversation(lines: &[(&str, &str)]) -> Conversation {
    let messages = lines
        .iter()
        .map(|(r, t)| {
            let role = match *r {
                "customer" => Role::Customer,
                "bot" => Role::Bot,
                "agent" => Role::Agent,
                _ => Role::System,
            };
            msg(role, t)
        })
        .collect();
    Conversation {
        id: "c".into(),
        channel: None,
        customer: Default::default(),
        metadata: Default::default(),
        messages,
        expect: None,
    }
}

/// `yields!(rules, transcript, "label", at_message)`
macro_rules! yields {
    ($name:ident, $rules:expr, [$(($r:expr, $t:expr)),* $(,)?], $label:expr, $at:expr) => {
        #[test]
        fn $name() {
            let p = policy($rules);
            let d = p.evaluate(&conversation(&[$(($r, $t)),*]), &Context::default());
            assert_eq!((d.label().as_str(), d.at_message), ($label, $at), "{d:#?}");
        }
    };
}

yields!(
    mention_fires_at_the_message,
    "rule d {\n when customer.last mentions [\"chargeback\"]\n escalate to disputes\n}",
    [("customer", "hello"), ("bot", "hi"), ("customer", "I want a CHARGEBACK")],
    "escalate:disputes",
    Some(3)
);
yields!(
    last_only_sees_the_latest_customer_message,
    "rule d {\n when customer.last mentions \"chargeback\"\n escalate to disputes\n}",
    [("customer", "chargeback?"), ("customer", "never mind")],
    "escalate:disputes",
    Some(1)
);
yields!(
    negated_mentions_do_not_fire,
    "rule d {\n when customer.last mentions \"dispute\" unless negated\n escalate to disputes\n}",
    [("customer", "I don't want to dispute it")],
    "none",
    None
);
yields!(
    regex_over_any_message,
    "rule d {\n when customer.any matches /charge ?back/i and turns >= 2\n escalate to disputes\n}",
    [("customer", "Charge back please"), ("bot", "ok"), ("customer", "well?")],
    "escalate:disputes",
    Some(3)
);
yields!(
    strongest_action_wins_then_rule_order,
    "rule f {\n when turns >= 1\n flag \"seen\"\n}\nrule o {\n when turns >= 1\n offer human via general\n}\nrule o2 {\n when turns >= 1\n offer human via disputes\n}",
    [("customer", "hello")],
    "offer:general",
    Some(1)
);
yields!(
    fallback_count_over_window,
    "rule l {\n when fallbacks(bot.last 3) >= 2\n escalate to general\n}",
    [
        ("customer", "x"),
        ("bot", "Sorry, I didn't understand that."),
        ("customer", "y"),
        ("bot", "Sorry, I didn't understand that.")
    ],
    "escalate:general",
    Some(4)
);
yields!(
    bot_repeats_itself,
    "rule l {\n when repeats(bot.last 4, similarity: 0.9) >= 1\n escalate to general\n}",
    [
        ("bot", "Please check the FAQ page for refunds."),
        ("customer", "that did not help"),
        ("bot", "Please check the FAQ page for refunds.")
    ],
    "escalate:general",
    Some(3)
);
yields!(
    missing_attribute_is_safe,
    "rule v {\n when customer.vulnerable or customer.tier == \"gold\" or customer.balance > 10\n escalate to general\n}",
    [("customer", "hello")],
    "none",
    None
);
yields!(
    missing_attribute_is_unequal,
    "rule v {\n when customer.tier != \"gold\"\n flag \"not-gold\"\n}",
    [("customer", "hello")],
    "flag",
    Some(1)
);

#[test]
fn evaluation_stops_at_the_first_escalation() {
    let p = policy("rule d {\n when customer.last mentions \"refund\"\n escalate to disputes\n}");
    let d = p.evaluate(&conversation(&[("customer", "human please"), ("customer", "refund")]), &Context::default());
    assert_eq!(d.label(), "escalate:general");
    assert_eq!(d.messages, 1);
    assert_eq!(d.rules.len(), 1);
}

#[test]
fn attributes_and_annotations_are_read() {
    let p = policy(
        "rule v {\n when customer.tier in [\"gold\", \"vip\"] and has_intent(customer.any, \"dispute\", min_confidence: 0.7)\n escalate to disputes priority high reason \"VIP dispute\"\n}",
    );
    let mut c = conversation(&[("customer", "it's about a payment")]);
    c.customer.insert("tier".into(), "vip".into());
    if let Some(m) = c.messages.first_mut() {
        m.intent = Some("dispute".into());
        m.confidence = Some(0.8);
    }
    let d = p.evaluate(&c, &Context::default());
    assert_eq!(d.label(), "escalate:disputes");
    assert_eq!(d.priority, Some(Priority::High));
    assert_eq!(d.reasons, vec!["VIP dispute".to_string()]);
    assert!(matches!(d.rules[0].evidence[0], Evidence::Intent { message: 1, .. }), "{:?}", d.rules[0].evidence);
}

#[test]
fn sentiment_annotations_feed_mean_min_and_trend() {
    let p = policy(
        "rule s {\n when sentiment(customer.last 3) <= -0.5 and min_sentiment(customer.last 3) < -0.8 and sentiment_trend(customer.last 3) < -0.2\n offer human via general\n}",
    );
    let mut c = conversation(&[("customer", "a"), ("customer", "b"), ("customer", "c")]);
    for (m, s) in c.messages.iter_mut().zip([-0.2, -0.5, -0.9]) {
        m.sentiment = Some(s);
    }
    let d = p.evaluate(&c, &Context::default());
    assert_eq!((d.label().as_str(), d.at_message), ("offer:general", Some(3)));
    let Evidence::Sentiment { values, value, .. } = &d.rules[0].evidence[0] else { panic!("{:?}", d.rules) };
    assert_eq!(values, &vec![-0.2, -0.5, -0.9]);
    assert!((value + 0.5333).abs() < 1e-3);
}

#[test]
fn closed_queue_uses_the_fallback() {
    let p = policy(
        "rule d {\n when customer.last mentions \"dispute\"\n escalate to disputes fallback general priority high\n}",
    );
    let ctx = Context::from_json(r#"{"queues":{"disputes":{"open":false}}}"#).unwrap();
    let d = p.evaluate(&conversation(&[("customer", "dispute")]), &ctx);
    assert_eq!(d.queue.as_deref(), Some("general"));
    assert_eq!(d.fallback_from.as_deref(), Some("disputes"));
    let d = p.evaluate(&conversation(&[("customer", "dispute")]), &Context::default());
    assert_eq!(d.queue.as_deref(), Some("disputes"));
    assert_eq!(d.fallback_from, None);
}

#[test]
fn policy_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Policy>();
    assert_send_sync::<Session<std::sync::Arc<Policy>>>();
}

#[test]
fn decision_names_the_policy() {
    let p = policy("");
    let d = p.evaluate(&conversation(&[("customer", "hi")]), &Context::default());
    assert_eq!(&*d.policy.name, "t");
    assert_eq!(d.policy.version, 1);
    assert_eq!(d.policy.hash.len(), 64);
}

/// A change of the latest intent over a whole-conversation window is a change of the
/// signal: rules reading it are evaluated again (found by the prefix property test).
#[test]
fn a_new_latest_intent_over_the_whole_conversation_is_seen() {
    let p = policy("rule d {\n when intent(customer.any) == \"dispute\"\n escalate to disputes\n}");
    let mut refund = msg(Role::Customer, "first");
    refund.intent = Some("refund".into());
    let mut dispute = msg(Role::Customer, "second");
    dispute.intent = Some("dispute".into());
    let mut c = conversation(&[]);
    c.messages = vec![refund, dispute];
    let d = p.evaluate(&c, &Context::default());
    assert_eq!((d.label().as_str(), d.at_message), ("escalate:disputes", Some(2)), "{d:#?}");
}

/// The per-role set of regexes must agree with each regex on every text, flags
/// included (written inline in the set; under `x` a comment runs to a line break).
#[test]
fn the_role_regex_set_agrees_with_each_regex() {
    let p = policy(
        "rule a {\n when customer.last matches /charge ?back/i\n flag \"a\"\n}\n\
         rule b {\n when customer.any matches /^refund$/m\n flag \"b\"\n}\n\
         rule c {\n when count(customer.last 3, matching: /a.b/s) >= 1\n flag \"c\"\n}\n\
         rule d {\n when customer.last matches /x y # a comment, to the end/x\n flag \"d\"\n}\n\
         rule e {\n when customer.last matches /a+/U and customer.last matches /Z/\n flag \"e\"\n}",
    );
    let program = p.program();
    let set = program.patterns_seeing(Role::Customer).expect("a set for the customer's regexes");
    let regexes: Vec<&crate::lang::regexes::PolicyRegex> = program
        .slots
        .iter()
        .filter_map(|s| match &s.feature {
            program::Feature::Matches(p) | program::Feature::Count(Some(p)) => Some(&p.regex),
            _ => None,
        })
        .collect();
    assert_eq!(set.set.len(), regexes.len());
    // `/Z/` is case-sensitive: the set searches every text as written.
    assert!(set.folded.is_none());
    for text in
        ["CHARGEBACK", "charge back", "x\ny", "xy", "x y", "line\nrefund\nend", "a\nb", "a\rb", "aaa", "Z", "z", ""]
    {
        let in_set = set.set.matches(text);
        for (k, re) in regexes.iter().enumerate() {
            assert_eq!(in_set.matched(k), re.is_match(text), "{re} on {text:?}");
        }
    }
    assert!(program.patterns_seeing(Role::Bot).is_none());
}

/// When every regex of a role folds case, its set searches lowercased ASCII text, and
/// rules decide as they do on the text as written (upper case, mixed, non-ASCII).
#[test]
fn a_role_of_case_insensitive_regexes_searches_the_lowercase() {
    let p = policy(
        "rule dispute {\n when customer.any matches /dispute|charge ?back/i\n escalate to disputes\n}\n\
         rule person {\n when customer.last matches /\\b(agent|human)\\b/i\n offer human via general\n}",
    );
    let set = p.program().patterns_seeing(Role::Customer).expect("a set for the customer's regexes");
    assert!(set.folded.is_some(), "both regexes fold case");
    let decided = |text: &str| p.evaluate(&conversation(&[("customer", text)]), &Context::default()).rule;
    assert_eq!(decided("I want to DISPUTE this").as_deref(), Some("dispute"));
    assert_eq!(decided("a Charge Back, na\u{EF}ve me").as_deref(), Some("dispute"));
    assert_eq!(decided("an AGENT please").as_deref(), Some("person"));
    assert_eq!(decided("AGENTS \u{2014} none of them").as_deref(), None);
    assert_eq!(decided("Nothing to see").as_deref(), None);
}

/// The fast comparison of numbers agrees with the values' comparison, NaN included.
#[test]
fn comparing_numbers_directly_agrees_with_values() {
    use super::program::CmpOp;
    let ops = [CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge];
    let numbers = [-1.0, 0.0, -0.0, 0.5, 1.0, f64::NAN, f64::INFINITY];
    for op in ops {
        for x in numbers {
            for y in numbers {
                let slow = value::Val::Num(x).compare(op, &value::Val::Num(y));
                assert_eq!(session::compare_numbers(op, x, y), slow, "{op:?} {x} {y}");
            }
        }
    }
}

/// `evaluate` reuses the buffers of the thread's previous evaluation, whatever
/// policy that was: every result equals a fresh session's.
#[test]
fn evaluations_in_turn_under_different_policies_do_not_leak_into_each_other() {
    let small = policy("rule d {\n when customer.any mentions [\"chargeback\"]\n escalate to disputes\n}");
    let large = Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/payments.handoff"))
        .unwrap_or_else(|e| panic!("{}", crate::render::plain(&e)));
    let conversations = [
        conversation(&[("customer", "I want a chargeback"), ("bot", "ok")]),
        conversation(&[("customer", "hello"), ("bot", "Sorry, I didn't understand."), ("customer", "hello")]),
        conversation(&[("customer", "I lost my job and can't pay"), ("customer", "please help")]),
    ];
    for _ in 0..2 {
        for p in [&small, &large, &small] {
            for c in &conversations {
                let fresh = {
                    let mut s = Session::new(p, c, Context::default());
                    s.run(&c.messages);
                    s.into_decision()
                };
                assert_eq!(p.evaluate(c, &Context::default()), fresh);
            }
        }
    }
}

/// A broken invariant of the compiled program (here, a rule whose condition names a
/// node the program does not have) fails loudly in tests and debug builds instead
/// of the rule silently never firing.
#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "broken invariant: node 4096 is out of range")]
fn a_broken_program_invariant_fails_loudly_in_debug_builds() {
    let mut p = policy("");
    let Some(rule) = p.program.rules.first_mut() else { panic!("the policy has a rule") };
    rule.condition = 4096;
    let mut session = Session::new(&p, Attributes::default(), Context::default());
    session.push(&msg(Role::Customer, "human please"));
}

/// The same program read as the compiler made it decides as it should: the test
/// above fails only because of the broken id.
#[test]
fn an_intact_program_reads_every_id() {
    let p = policy("");
    let mut session = Session::new(&p, Attributes::default(), Context::default());
    assert!(session.push(&msg(Role::Customer, "human please")).is_escalation());
}
