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
