use super::*;

fn ctx(json: &str) -> Context {
    Context::from_json(json).unwrap()
}

fn at(s: &str) -> Option<Timestamp> {
    Some(s.parse().unwrap())
}

#[test]
fn unknown_queues_are_open_with_an_agent_free() {
    let c = Context::default();
    assert!(c.is_open("disputes", None));
    assert!(c.in_hours("disputes", at("2026-03-01T03:00:00Z")));
    assert_eq!(c.agents_free("disputes"), 1);
}

#[test]
fn business_hours_follow_the_time_zone() {
    let c = ctx(r#"{"timezone":"Europe/London","queues":{"disputes":{"hours":"Mon-Fri 09:00-17:00"}}}"#);
    // Monday 2 March 2026, 08:30 UTC is 08:30 in London (GMT): closed.
    assert!(!c.in_hours("disputes", at("2026-03-02T08:30:00Z")));
    assert!(c.in_hours("disputes", at("2026-03-02T09:00:00Z")));
    assert!(!c.in_hours("disputes", at("2026-03-02T17:00:00Z")));
    // Saturday.
    assert!(!c.in_hours("disputes", at("2026-03-07T12:00:00Z")));
    // Summer time: 08:30 UTC is 09:30 in London.
    assert!(c.in_hours("disputes", at("2026-06-01T08:30:00Z")));
}

#[test]
fn now_overrides_the_message_time_and_open_overrides_hours() {
    let c = ctx(
        r#"{"now":"2026-03-02T20:00:00Z","queues":{"tech":{"hours":"Mon-Sun 08:00-18:00"},"general":{"open":true,"hours":"Mon 09:00-10:00"}}}"#,
    );
    assert!(!c.is_open("tech", at("2026-03-02T12:00:00Z")));
    assert!(c.is_open("general", None));
}

#[test]
fn several_spans_and_wrapping_day_ranges() {
    let c = ctx(r#"{"queues":{"q":{"hours":"Sat-Mon 10:00-12:00, Wed 14:00-24:00"}}}"#);
    assert!(c.in_hours("q", at("2026-03-01T11:00:00Z"))); // Sunday
    assert!(c.in_hours("q", at("2026-03-04T23:59:00Z"))); // Wednesday
    assert!(!c.in_hours("q", at("2026-03-03T11:00:00Z"))); // Tuesday
}

#[test]
fn errors_name_the_field() {
    let e = Context::from_json(r#"{"queues":{"q":{"hours":"Funday 09:00-17:00"}}}"#).unwrap_err();
    assert_eq!(e.field, "queues.q.hours");
    assert!(e.reason.contains("Funday"), "{}", e.reason);
    let e = Context::from_json(r#"{"timezone":"Mars/Olympus"}"#).unwrap_err();
    assert_eq!(e.field, "timezone");
    let e = Context::from_json(r#"{"queues":{"q":{"agents_free":"two"}}}"#).unwrap_err();
    assert_eq!(e.field, "queues.q.agents_free");
    let e = Context::from_json(r#"{"clock":"x"}"#).unwrap_err();
    assert!(e.reason.contains("unknown field"), "{}", e.reason);
}

#[test]
fn hours_parsed_once_still_follow_a_changed_context() {
    let mut c = ctx(r#"{"queues":{"disputes":{"hours":"Mon-Fri 09:00-17:00"}}}"#);
    let monday_8 = at("2026-03-02T08:00:00Z");
    assert!(!c.in_hours("disputes", monday_8));
    // The fields are public: new hours, a new zone and a new queue are read, not the first parse.
    c.queues.get_mut("disputes").unwrap().hours = Some("Mon-Fri 07:00-17:00".into());
    assert!(c.in_hours("disputes", monday_8));
    c.timezone = Some("America/New_York".into());
    assert!(!c.in_hours("disputes", monday_8), "03:00 in New York");
    c.queues.insert("night".into(), QueueStatus { hours: Some("Mon 00:00-06:00".into()), ..Default::default() });
    assert!(c.in_hours("night", monday_8));
    let copy = c.clone();
    assert_eq!(copy, c);
    assert!(copy.in_hours("night", monday_8) && !copy.in_hours("disputes", monday_8));
    // Hours that do not parse count as open, as before.
    c.queues.get_mut("disputes").unwrap().hours = Some("whenever".into());
    assert!(c.in_hours("disputes", monday_8));
}
