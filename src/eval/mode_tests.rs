//! Live and finished evaluation side by side: where they differ, and where they agree.

use super::*;
use crate::transcript::{Message, Role};

fn policy(rules: &str) -> Policy {
    let src =
        format!("policy \"t\" version 1\nqueues {{\n  general \"General\"\n  disputes \"Disputes\"\n}}\n{rules}\n");
    match Policy::from_source("t.handoff", &src) {
        Ok(p) => p,
        Err(e) => panic!("{}", crate::render::plain(&e)),
    }
}

fn conversation(lines: &[(Role, &str)]) -> Conversation {
    Conversation {
        id: "c".into(),
        channel: None,
        customer: Default::default(),
        metadata: Default::default(),
        messages: lines.iter().map(|(r, t)| Message::new(*r, *t)).collect(),
        expect: None,
    }
}

/// (label, at_message, messages) of each mode's decision.
fn both(p: &Policy, c: &Conversation) -> [(String, Option<u32>, u32); 2] {
    [Mode::Live, Mode::Finished].map(|mode| {
        let d = p.evaluate_as(c, &Context::default(), mode);
        (d.label(), d.at_message, d.messages)
    })
}

const CUSTOMER: Role = Role::Customer;
const BOT: Role = Role::Bot;

#[test]
fn a_rule_that_held_at_message_three_but_not_at_the_end_fires_only_live() {
    let p = policy("rule upset {\n when sentiment(customer.last) < -0.3\n escalate to general\n}");
    let c = conversation(&[
        (CUSTOMER, "hello"),
        (BOT, "hi, how can I help?"),
        (CUSTOMER, "this is terrible, I hate it, awful service"),
        (BOT, "sorry to hear that, fixed now"),
        (CUSTOMER, "great, thank you so much, wonderful"),
    ]);
    let [live, finished] = both(&p, &c);
    assert_eq!(live, ("escalate:general".into(), Some(3), 3));
    assert_eq!(finished, ("none".into(), None, 5));
}

#[test]
fn a_count_that_reaches_its_threshold_only_at_the_end_fires_in_both_at_the_last_message() {
    let p = policy("rule looping {\n when fallbacks(bot.any) >= 2\n escalate to general\n}");
    let c = conversation(&[
        (CUSTOMER, "where is my card"),
        (BOT, "Sorry, I didn't understand that."),
        (CUSTOMER, "my card"),
        (BOT, "Sorry, I didn't understand that."),
    ]);
    let [live, finished] = both(&p, &c);
    assert_eq!(live, ("escalate:general".into(), Some(4), 4));
    assert_eq!(finished, live);
}

#[test]
fn live_stops_at_the_first_escalation_finished_sees_every_message() {
    // Live escalates at message 1 and never reaches the dispute; finished sees both,
    // and conflict resolution picks the rule written first.
    let p = policy(
        "rule dispute {\n when customer.any mentions [\"chargeback\"]\n escalate to disputes\n}\n\
         rule human {\n when customer.any mentions [\"human\"]\n escalate to general\n}",
    );
    let c = conversation(&[(CUSTOMER, "a human please"), (BOT, "one moment"), (CUSTOMER, "it is a chargeback")]);
    let [live, finished] = both(&p, &c);
    assert_eq!(live, ("escalate:general".into(), Some(1), 1));
    assert_eq!(finished, ("escalate:disputes".into(), Some(3), 3));
    let d = p.evaluate_finished(&c, &Context::default());
    assert_eq!(
        d.rules.iter().map(|r| (r.rule.as_str(), r.message)).collect::<Vec<_>>(),
        [("dispute", 3), ("human", 3)]
    );
}

#[test]
fn the_modes_agree_on_a_rule_that_holds_from_its_message_to_the_end() {
    let p = policy(
        "rule dispute {\n when customer.any mentions [\"chargeback\"] and turns >= 2\n escalate to disputes\n}\n\
         rule flagged {\n when customer.any mentions [\"card\"]\n flag \"card\"\n}",
    );
    let c = conversation(&[(CUSTOMER, "my card"), (BOT, "what about it?"), (CUSTOMER, "chargeback")]);
    let [live, finished] = both(&p, &c);
    assert_eq!(live, ("escalate:disputes".into(), Some(3), 3));
    assert_eq!(finished, live);
    let context = Context::default();
    let (l, f) = (p.evaluate(&c, &context), p.evaluate_finished(&c, &context));
    assert_eq!((l.flags, f.flags), (vec!["card".to_string()], vec!["card".to_string()]));
}

#[test]
fn a_conversation_without_messages_decides_nothing_in_either_mode() {
    let p = policy("rule always {\n when turns >= 0\n flag \"seen\"\n}");
    let [live, finished] = both(&p, &conversation(&[]));
    assert_eq!(live, ("none".into(), None, 0));
    assert_eq!(finished, live);
}

#[test]
fn a_session_can_observe_then_conclude() {
    let p = policy("rule two {\n when turns >= 2\n escalate to general\n}");
    let mut session = p.session(Attributes::default(), Context::default());
    session.observe(&Message::new(CUSTOMER, "a"));
    session.observe(&Message::new(CUSTOMER, "b"));
    session.observe(&Message::new(CUSTOMER, "c"));
    assert_eq!(session.decision().label(), "none");
    assert_eq!((session.conclude().at_message, session.messages()), (Some(3), 3));
}

#[test]
fn buffers_carried_from_session_to_session_decide_as_fresh_sessions_do() {
    // Two policies of different shapes: buffers from one are resized for the other.
    let small = policy("rule human {\n when customer.last mentions [\"human\"]\n escalate to general\n}");
    let large = policy(
        "rule upset {\n when sentiment(customer.last 2) < -0.3\n offer human via general\n}\n\
         rule looping {\n when exact_repeats(bot.last 4) >= 1 or fallbacks(bot.any) >= 2\n escalate to disputes\n}",
    );
    let conversations = [
        conversation(&[(CUSTOMER, "this is awful, terrible"), (BOT, "Sorry?"), (BOT, "Sorry?")]),
        conversation(&[(CUSTOMER, "a human please")]),
        conversation(&[(CUSTOMER, "fine thanks"), (BOT, "Sorry, I didn't understand that.")]),
    ];
    let context = Context::default();
    let mut buffers = Buffers::default();
    for p in [&large, &small, &large] {
        for c in &conversations {
            for mode in [Mode::Live, Mode::Finished] {
                let mut session = Session::with_buffers(p, c, &context, buffers);
                session.run_as(&c.messages, mode);
                let (decision, rest) = session.into_parts();
                buffers = rest;
                assert_eq!(decision, p.evaluate_as(c, &context, mode), "{mode:?}");
            }
        }
    }
}

/// Every feature a signal can take from a message, each over windows of every kind:
/// `any`, `within`, and `last N` for N small enough that conversations overflow it.
const SKIP_RULES: &[&str] = &[
    "{sel} matches /refund|card/i",
    "{sel} mentions [\"human\", \"agent\"]",
    "sentiment({sel}) < -0.2",
    "min_sentiment({sel}) < -0.4",
    "sentiment_trend({sel}) > 0.1",
    "intent({sel}) == \"refund\"",
    "confidence({sel}) > 0.5",
    "has_intent({sel}, \"refund\", min_confidence: 0.6)",
    "has_entity({sel}, \"order_id\")",
    "{sel} says refund",
    "count({sel}) >= 2",
    "count({sel}, matching: /refund/i) >= 1",
    "fallbacks({sel}) >= 1",
    "questions({sel}) >= 1",
    "repeats({sel}) >= 1",
    "exact_repeats({sel}) >= 1",
];

const SELECTORS: &[&str] = &[
    "customer.last",
    "customer.last 2",
    "bot.last 3",
    "messages.last 4",
    "agent.last 2",
    "customer.any",
    "bot.within 1m",
];

const TEXTS: &[&str] = &[
    "I want a refund",
    "get me a human agent",
    "Sorry, I didn't understand that.",
    "Sorry, I didn't understand that. ",
    "is my card blocked?",
    "this is terrible, awful",
    "great, thank you",
    "where is my refund",
    "ok",
];

/// One policy holding every rule above over one selector: every rule flags, so the
/// decision lists each rule that holds at the end, with its evidence.
fn skip_policy(selector: &str) -> Policy {
    let rules: String = SKIP_RULES
        .iter()
        .enumerate()
        // Trends and repeats need a bounded window.
        .filter(|(_, when)| !(selector.ends_with(".any") && (when.contains("trend") || when.contains("repeats"))))
        .map(|(i, when)| format!("rule r{i} {{\n when {}\n flag \"r{i}\"\n}}\n", when.replace("{sel}", selector)))
        .collect();
    policy(&format!("intent refund {{\n examples [\"I want a refund\", \"where is my refund\"]\n}}\n{rules}"))
}

static SKIP_POLICIES: std::sync::LazyLock<Vec<Policy>> =
    std::sync::LazyLock::new(|| SELECTORS.iter().map(|s| skip_policy(s)).collect());

fn generated(picks: &[(u8, u8, u8, u8)]) -> Conversation {
    let mut c = conversation(&[]);
    for (i, &(role, text, extra, seconds)) in picks.iter().enumerate() {
        let role = [CUSTOMER, BOT, CUSTOMER, BOT, Role::Agent][role as usize % 5];
        let mut m = Message::new(role, TEXTS[text as usize % TEXTS.len()]);
        m.timestamp = (extra % 3 != 0)
            .then(|| jiff::Timestamp::UNIX_EPOCH + jiff::SignedDuration::from_secs(i as i64 * i64::from(seconds)));
        m.sentiment = (extra % 4 == 1).then(|| f64::from(extra % 7) / 3.0 - 1.0);
        if extra % 5 == 2 {
            m.intent = Some(["refund", "other"][usize::from(extra % 2)].into());
            m.confidence = Some(f64::from(extra % 10) / 10.0);
        }
        if extra % 6 == 3 {
            m.entities.insert("order_id".into(), serde_json::json!("A1"));
        }
        c.messages.push(m);
    }
    c
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// `evaluate_finished` feeds a `last N` signal only the messages that can still
    /// count at the end; observing every message then concluding feeds them all. The
    /// decisions, evidence included, and the outcomes are the same.
    #[test]
    fn finished_skipping_evicted_messages_decides_as_observing_every_message(
        picks in proptest::collection::vec((0u8..5, 0u8..9, 0u8..60, 0u8..40), 0..24),
    ) {
        let c = generated(&picks);
        let context = Context::default();
        for (selector, p) in SELECTORS.iter().zip(SKIP_POLICIES.iter()) {
            let mut session = p.session(Attributes::default(), &context);
            for m in &c.messages {
                session.observe(m);
            }
            let every = session.conclude().clone();
            let mut session = Session::new(p, &c, &context);
            proptest::prop_assert_eq!(session.run_finished(&c.messages), &every, "{}", selector);
            proptest::prop_assert_eq!(p.evaluate_finished(&c, &context), every.clone(), "{}", selector);
            let outcome = p.outcome(&c, &context, Mode::Finished);
            proptest::prop_assert_eq!(outcome, session.outcome(), "{}", selector);
        }
    }
}
