use super::*;
use crate::transcript::parse_json;

fn conversation(json: &str) -> Conversation {
    parse_json("t.json", json).unwrap()
}

#[test]
fn the_excerpt_takes_customer_words_only_and_stops_at_the_limit() {
    let long = "é".repeat(EXCERPT_CHARS + 40);
    let c = conversation(&format!(
        r#"{{"id":"a","messages":[{{"role":"bot","text":"hello"}},{{"role":"customer","text":"  two\n words "}},{{"role":"customer","text":"{long}"}}]}}"#
    ));
    let text = excerpt(&c);
    assert!(text.starts_with("two words / éé"), "{text}");
    assert!(text.ends_with('…'));
    assert!(text.chars().count() <= EXCERPT_CHARS + 1, "{}", text.chars().count());
    let short =
        conversation(r#"{"id":"a","messages":[{"role":"customer","text":"hi"},{"role":"customer","text":"there"}]}"#);
    assert_eq!(excerpt(&short), "hi / there");
}

#[test]
fn none_is_met_by_a_flag_and_a_queue_list_by_any_of_its_queues() {
    let policy = Policy::from_source(
        "p.handoff",
        r#"policy "p" version 1
queues { disputes "D" fraud "F" general "G" }
rule f { when customer.last mentions ["watch"] flag "watch" reason "w" }
rule d { when customer.last mentions ["stolen"] escalate to fraud reason "s" }
"#,
    )
    .unwrap();
    let decide = |text: &str| {
        let c = conversation(&format!(r#"{{"id":"a","messages":[{{"role":"customer","text":"{text}"}}]}}"#));
        policy.evaluate(&c, &crate::eval::Context::default())
    };
    let expectation =
        |json: &str| conversation(&format!(r#"{{"id":"a","expect":{json},"messages":[]}}"#)).expect.unwrap();
    assert!(meets(&expectation(r#"{"action":"none"}"#), &decide("watch this")));
    assert!(meets(&expectation(r#"{"action":"escalate","queue":["disputes","fraud"]}"#), &decide("card stolen")));
    assert!(meets(&expectation(r#"{"action":"escalate"}"#), &decide("card stolen")));
    assert!(!meets(&expectation(r#"{"action":"escalate","queue":"disputes"}"#), &decide("card stolen")));
    assert!(!meets(&expectation(r#"{"action":"offer","queue":"fraud"}"#), &decide("card stolen")));
    assert!(!meets(&expectation(r#"{"action":"none"}"#), &decide("card stolen")));
    assert_eq!(decided_action(ActionKind::Flag), ExpectedAction::None);
}
