//! The incremental session against a naive evaluation that recomputes every signal
//! from the whole prefix, for every prefix of random conversations.

use proptest::prelude::*;
use proptest::strategy::ValueTree;

use super::program::{Feature, Fold, Program};
use super::session::{feature, slope, slot_sees, Entry, MessageCache, SlotState};
use super::*;
use crate::signals::similarity::Fingerprint;
use crate::syntax::ast::Window;
use crate::transcript::{Message, Role};

const TEXTS: &[&str] = &[
    "I want to talk to a real person",
    "agent",
    "I don't need an agent",
    "I want to dispute this charge",
    "there is a charge I didn't authorise",
    "Sorry, I didn't understand that.",
    "Could you rephrase that?",
    "Refunds take 5 to 7 working days.",
    "Refunds take 5 to 7 working days!",
    "where is my refund",
    "where is my refund??",
    "my points are missing, points not credited",
    "I can't log in to the app",
    "this is absolutely terrible and useless",
    "great, thanks so much!",
    "I lost my job and can't afford the payment",
    "my card was stolen",
    "ok",
    "",
    "my husband passed away",
];

const WINDOWS_POLICY: &str = r#"policy "windows" version 1
queues {
  general "General"
  disputes "Disputes"
}
rule human {
  when customer.last mentions ["real person", "agent"] unless negated
  escalate to general
}
rule recent_mood {
  when sentiment(customer.within 5m) < -0.3 and count(messages.within 2m) >= 3
  offer human via general
}
rule bot_repeats_lately {
  when repeats(bot.within 10m, similarity: 0.8) >= 1
  flag "loop"
}
rule said_again {
  when exact_repeats(messages.last 4) >= 1
  flag "again"
}
rule disputes {
  when intent(customer.any) == "dispute" and confidence(customer.last 2) > 0.5
  escalate to disputes
}
rule low {
  when min_sentiment(customer.any) < -0.5 and fallbacks(bot.any) >= 2
  offer human via disputes
}
rule entity {
  when has_entity(customer.within 1m, "order") and sentiment_trend(messages.within 3m) < 0
  flag "order-trouble"
}
rule gold_refund {
  when customer.tier == "gold" and customer.any mentions ["refund"] and turns >= 2
  flag "gold-refund"
}
rule counting {
  when count(customer.any, matching: /refund/i) >= 2 or repeats(customer.last 3) >= 1
  flag "refund-twice"
}
"#;

fn arb_message() -> impl Strategy<Value = (Message, Option<i64>)> {
    (
        0..TEXTS.len(),
        prop_oneof![3 => Just(Role::Customer), 2 => Just(Role::Bot), 1 => Just(Role::Agent)],
        proptest::option::of(-1.0f64..1.0),
        proptest::option::of(prop_oneof![Just("dispute"), Just("refund")]),
        proptest::option::of(0.0f64..1.0),
        any::<bool>(),
        proptest::option::of(-30_000i64..200_000),
    )
        .prop_map(|(t, role, sentiment, intent, confidence, order, gap)| {
            let mut entities = serde_json::Map::new();
            if order {
                entities.insert("order".into(), "A1".into());
            }
            let m = Message {
                role,
                text: TEXTS.get(t).copied().unwrap_or("").to_string(),
                timestamp: None,
                intent: intent.map(str::to_string),
                confidence,
                sentiment,
                entities,
            };
            (m, gap)
        })
}

fn arb_conversation() -> impl Strategy<Value = Vec<Message>> {
    proptest::collection::vec(arb_message(), 1..14).prop_map(|items| {
        let mut clock = 1_767_600_000_000i64;
        items
            .into_iter()
            .map(|(mut m, gap)| {
                if let Some(g) = gap {
                    clock += g;
                    m.timestamp = jiff::Timestamp::from_millisecond(clock).ok();
                }
                m
            })
            .collect()
    })
}

/// The effective clock of each message, as the session defines it, before backfill.
fn clock(messages: &[Message]) -> Vec<Option<i64>> {
    let mut last: Option<i64> = None;
    messages
        .iter()
        .map(|m| {
            let t = match (m.timestamp.map(|t| t.as_millisecond()), last) {
                (Some(t), Some(l)) => Some(t.max(l)),
                (Some(t), None) => Some(t),
                (None, l) => l,
            };
            last = t;
            t
        })
        .collect()
}

/// Every signal's state for a prefix, computed from scratch.
fn naive_slots(program: &Program, prefix: &[Message]) -> Vec<SlotState> {
    let raw = clock(prefix);
    let first = raw.iter().flatten().next().copied();
    let now = raw.last().copied().flatten();
    program
        .slots
        .iter()
        .map(|slot| {
            let mut all: Vec<Entry> = Vec::new();
            for (i, m) in prefix.iter().enumerate() {
                if !slot_sees(slot.role, m.role) {
                    continue;
                }
                let ts = raw.get(i).copied().flatten().or(first);
                let mut cache = MessageCache::default();
                let mut e = feature(program, slot, &SlotState::default(), m, i as u32 + 1, ts, &mut cache);
                e.ts = ts;
                all.push(e);
            }
            let window: Vec<Entry> = match slot.window {
                Window::Any => all,
                Window::Last(n) => all.split_off(all.len().saturating_sub(n as usize)),
                Window::Within(ms) => match now {
                    Some(now) => all.into_iter().filter(|e| e.ts.is_none_or(|t| t >= now - ms as i64)).collect(),
                    None => all,
                },
            };
            let mut s = SlotState::default();
            match slot.fold {
                Fold::Any => s.hit = window.iter().any(|e| e.hit),
                Fold::Count => s.num = window.iter().filter(|e| e.hit).count() as f64,
                Fold::Mean => {
                    s.num = if window.is_empty() {
                        0.0
                    } else {
                        window.iter().map(|e| e.value).sum::<f64>() / window.len() as f64
                    }
                }
                Fold::Min => s.num = window.iter().map(|e| e.value).fold(f64::INFINITY, f64::min),
                Fold::Trend => s.num = slope(window.iter().map(|e| e.value)),
                Fold::LatestIntent | Fold::LatestConfidence => {
                    let latest = window.iter().rev().find(|e| e.text.is_some());
                    s.latest_intent = latest.and_then(|e| e.text.clone());
                    s.num = latest.map_or(0.0, |e| e.value);
                }
                Fold::Repeats => {
                    let text = |e: &Entry| prefix[e.message as usize - 1].text.as_str();
                    s.num = match slot.feature {
                        Feature::Repeat { similarity } => {
                            let prints: Vec<Fingerprint> = window.iter().map(|e| Fingerprint::new(text(e))).collect();
                            (0..prints.len())
                                .filter(|&i| (0..i).any(|j| prints[i].similarity(&prints[j]) >= similarity))
                                .count()
                        }
                        Feature::ExactRepeat => {
                            let texts: Vec<&str> = window.iter().map(|e| text(e).trim()).collect();
                            (0..texts.len()).filter(|&i| !texts[i].is_empty() && texts[..i].contains(&texts[i])).count()
                        }
                        _ => unreachable!(),
                    } as f64;
                }
            }
            if slot.fold == Fold::Min && !s.num.is_finite() {
                s.num = 0.0;
            }
            s
        })
        .collect()
}

/// The customer's tier: none, or one that rules do or do not ask for.
fn arb_attributes() -> impl Strategy<Value = Attributes> {
    prop_oneof![Just(None), Just(Some("standard")), Just(Some("gold"))].prop_map(|tier: Option<&str>| {
        let mut attributes = Attributes::default();
        if let Some(tier) = tier {
            attributes.customer.insert("tier".into(), tier.into());
        }
        attributes
    })
}

fn check_conversation(policy: &Policy, attributes: Attributes, messages: &[Message]) -> Result<(), TestCaseError> {
    let program = policy.program();
    let mut live = policy.session(attributes.clone(), Context::default());
    let mut naive_fired: Vec<(String, u32)> = Vec::new();
    let mut escalated = false;
    for k in 1..=messages.len() {
        if escalated {
            break;
        }
        let decision = live.push(&messages[k - 1]).clone();
        let prefix = &messages[..k];
        let naive = naive_slots(program, prefix);
        for (i, (a, b)) in live.slots.iter().zip(&naive).enumerate() {
            prop_assert_eq!(a.hit, b.hit, "slot {} hit at message {}", i, k);
            prop_assert!((a.num - b.num).abs() < 1e-9, "slot {} value {} vs {} at message {}", i, a.num, b.num, k);
            if matches!(program.slots[i].fold, Fold::LatestIntent) {
                prop_assert_eq!(&a.latest_intent, &b.latest_intent, "slot {} intent at {}", i, k);
            }
        }
        // The rules' conditions over the naive state.
        let mut probe = policy.session(attributes.clone(), Context::default());
        probe.slots = naive;
        probe.messages = k as u32;
        probe.turns = prefix.iter().filter(|m| m.role == Role::Customer).count() as u32;
        let raw = clock(prefix);
        probe.first_ts = raw.iter().flatten().next().copied();
        probe.last_ts = raw.last().copied().flatten();
        probe.gap_ms = match (raw.get(k.wrapping_sub(2)).copied().flatten(), probe.last_ts) {
            (Some(a), Some(b)) if k >= 2 => (b - a) as f64,
            _ => 0.0,
        };
        probe.now = probe.last_ts.and_then(|t| jiff::Timestamp::from_millisecond(t).ok());
        for rule in &program.rules {
            if naive_fired.iter().any(|(r, _)| *r == rule.name) {
                continue;
            }
            let mut lets = crate::eval::session::LetValues::default();
            lets.begin(program.let_names.len());
            if probe.eval(rule.condition, &mut lets).truthy() {
                naive_fired.push((rule.name.clone(), k as u32));
                if matches!(rule.action, program::Action::Escalate { .. }) {
                    escalated = true;
                }
            }
        }
        let live_fired: Vec<(String, u32)> = decision.rules.iter().map(|f| (f.rule.clone(), f.message)).collect();
        prop_assert_eq!(&live_fired, &naive_fired, "fired rules after message {}", k);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn session_equals_naive_prefix_evaluation_on_the_shipped_policy(
        messages in arb_conversation(),
        attributes in arb_attributes(),
    ) {
        let policy = Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/payments.handoff")).unwrap();
        check_conversation(&policy, attributes, &messages)?;
    }

    #[test]
    fn session_equals_naive_prefix_evaluation_over_every_window_kind(
        messages in arb_conversation(),
        attributes in arb_attributes(),
    ) {
        let policy = Policy::from_source("windows.handoff", WINDOWS_POLICY).unwrap();
        check_conversation(&policy, attributes, &messages)?;
    }
}

#[test]
fn evaluation_is_deterministic_to_the_byte() {
    let policy = Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/payments.handoff")).unwrap();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..50 {
        let messages = arb_conversation().new_tree(&mut runner).unwrap().current();
        let c = crate::Conversation {
            id: "d".into(),
            channel: None,
            customer: Default::default(),
            metadata: Default::default(),
            messages,
            expect: None,
        };
        let a = serde_json::to_vec(&policy.evaluate(&c, &Context::default())).unwrap();
        let b = serde_json::to_vec(&policy.evaluate(&c, &Context::default())).unwrap();
        let again = Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/payments.handoff")).unwrap();
        let c2 = serde_json::to_vec(&again.evaluate(&c, &Context::default())).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c2);
    }
}
