//! Evaluation hot paths: a session update per message on the shipped policy, a whole
//! 20-message conversation (also with business hours in the context), and serde_json
//! parsing the same conversation (the floor);
//! and what word forms and typo tolerance in `mentions` cost per message, measured in
//! the same run against the shipped policy with every list `exactly` (no word rewrites);
//! and what learnt intents (`says`) add to a message, the shipped policy with two
//! intents of ten examples each and a rule asking for them.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Bencher, Criterion, Throughput};
use handoff::{Attributes, Context, Conversation, Message, Policy};

#[path = "support/conversation.rs"]
mod conversation;
use conversation::bench_json as conversation_json;

fn bench(c: &mut Criterion) {
    let policy = Policy::from_source("payments.handoff", include_str!("../policies/payments.handoff")).unwrap();
    let context = Context::default();
    let plain_json = conversation_json(false);
    let annotated_json = conversation_json(true);
    let plain: Conversation = serde_json::from_str(&plain_json).unwrap();
    let annotated: Conversation = serde_json::from_str(&annotated_json).unwrap();

    let mut g = c.benchmark_group("session");
    g.throughput(Throughput::Elements(1));
    // One message after a warm session, built-in sentiment analyser included.
    g.bench_function("push one message (built-in sentiment)", |b| {
        push_one(b, &policy, &plain, &plain.messages[10], &context)
    });
    g.bench_function("push one message (annotated sentiment)", |b| {
        push_one(b, &policy, &annotated, &annotated.messages[10], &context)
    });
    let learnt =
        Policy::from_source("learnt.handoff", &with_learnt_intents(include_str!("../policies/payments.handoff")))
            .unwrap();
    g.bench_function("push one message (annotated sentiment, learnt intents)", |b| {
        push_one(b, &learnt, &annotated, &annotated.messages[10], &context)
    });
    g.finish();

    // Word forms and typos: the shipped policy as it is (inflected forms), with every list
    // `exactly` (the matching of before word forms), and with the person list `with typos`;
    // each pushing the usual 11th message and one that needs both rewrites.
    let shipped = include_str!("../policies/payments.handoff");
    let exact_source = shipped
        .replace("mentions [", "mentions exactly [")
        .replace("mentions person_phrases", "mentions exactly person_phrases");
    let typos_source = shipped.replace("mentions person_phrases unless", "mentions person_phrases with typos unless");
    assert!(exact_source != shipped && typos_source != shipped, "the bench's policy edits no longer apply");
    let exact = Policy::from_source("exact.handoff", &exact_source).unwrap();
    let typos = Policy::from_source("typos.handoff", &typos_source).unwrap();
    let variants = [("inflected", &policy), ("exactly", &exact), ("with typos", &typos)];
    let mut rewritten: Message = annotated.messages[10].clone();
    rewritten.text = "I wanted to see about disputing a charge, can I contact somneone".into();
    let mut g = c.benchmark_group("words");
    g.throughput(Throughput::Elements(1));
    for (name, variant) in &variants {
        for (message, label) in [(&annotated.messages[10], "usual message"), (&rewritten, "forms and a typo")] {
            g.bench_function(format!("push one message ({name}, {label})"), |b| {
                push_one(b, variant, &annotated, message, &context)
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("conversation of 20 messages");
    g.throughput(Throughput::Elements(1));
    g.bench_function("serde_json parse (floor, annotated)", |b| {
        b.iter(|| serde_json::from_str::<Conversation>(black_box(&annotated_json)).unwrap())
    });
    g.bench_function("evaluate (annotated sentiment)", |b| b.iter(|| policy.evaluate(black_box(&annotated), &context)));
    g.bench_function("evaluate (built-in sentiment)", |b| b.iter(|| policy.evaluate(black_box(&plain), &context)));
    let starter = Policy::from_source("starter.handoff", include_str!("../policies/starter.handoff")).unwrap();
    g.bench_function("evaluate starter policy (annotated sentiment)", |b| {
        b.iter(|| starter.evaluate(black_box(&annotated), &context))
    });
    // Business hours read on every message: a rule on the clock, and the shipped policy
    // with hours for every queue (its fallbacks ask whether a queue is open).
    let hours = Context::from_json(HOURS_CONTEXT).unwrap();
    let clock = Policy::from_source("hours.handoff", HOURS_POLICY).unwrap();
    g.bench_function("evaluate a rule on business hours (hours in the context)", |b| {
        b.iter(|| clock.evaluate(black_box(&annotated), &hours))
    });
    g.bench_function("evaluate (annotated sentiment, hours in the context)", |b| {
        b.iter(|| policy.evaluate(black_box(&annotated), &hours))
    });
    g.bench_function("parse + evaluate (annotated)", |b| {
        b.iter(|| {
            let c: Conversation = serde_json::from_str(black_box(&annotated_json)).unwrap();
            policy.evaluate(&c, &context)
        })
    });
    g.finish();
}

const HOURS_POLICY: &str = r#"policy "hours" version 1
queues {
  general "General support"
}
rule after_hours {
  when not in_hours(general) or agents_free(general) < 1
  flag "after hours"
}
"#;

/// Every queue of the shipped policy with hours in a zone other than UTC.
const HOURS_CONTEXT: &str = r#"{"timezone": "Europe/Berlin", "queues": {
  "general": {"hours": "Mon-Fri 08:00-20:00, Sat 09:00-13:00"},
  "fraud": {"hours": "Mon-Sun 00:00-23:59"},
  "vulnerable": {"hours": "Mon-Fri 09:00-17:00"},
  "disputes": {"hours": "Mon-Fri 09:00-17:00, Sat 10:00-14:00"},
  "collections": {"hours": "Mon-Fri 09:00-17:00"},
  "refunds": {"hours": "Mon-Fri 09:00-17:00"},
  "loyalty": {"hours": "Mon-Fri 09:00-17:00"},
  "tech": {"hours": "Mon-Sat 07:00-22:00"},
  "vip": {"hours": "Mon-Sun 06:00-23:00"}}}"#;

/// The shipped policy with two learnt intents and a rule reading both, on every
/// customer message (`customer.last`, so each message is scored), at thresholds no
/// message of the bench reaches: the cost of scoring, not of evidence.
fn with_learnt_intents(shipped: &str) -> String {
    format!(
        "{shipped}\n\
intent request_person {{
  examples [\"can I talk to a real person?\", \"put me through to an agent\", \"I want to speak to a human\",
    \"connect me with someone from support\", \"is there a human I can chat with\", \"let me talk to a representative\",
    \"I need a live agent\", \"get me a person please\", \"transfer me to customer service\", \"can a human help me\"]
  counter [\"no, you don't need to transfer me to a real person\"]
}}

intent dispute_charge {{
  examples [\"there is a payment I do not recognise\", \"I was charged twice for the same order\",
    \"I want to dispute a charge on my card\", \"someone used my card without permission\",
    \"there is a transaction on my statement I did not make\", \"I need to report an unauthorised payment\",
    \"my card was charged but I never bought this\", \"a merchant took money twice\",
    \"I don't recognise this card payment\", \"why was I charged again\"]
}}

rule learnt {{
  when customer.last says request_person at least 0.99 or customer.last says dispute_charge at least 0.99
  flag \"learnt\"
}}
"
    )
}

/// One message pushed into a session warmed with the conversation's first 10 messages.
fn push_one(b: &mut Bencher, policy: &Policy, conversation: &Conversation, message: &Message, context: &Context) {
    b.iter_batched(
        || {
            let mut s = policy.session(Attributes::of(conversation), context.clone());
            for m in conversation.messages.iter().take(10) {
                s.push(m);
            }
            s
        },
        |mut s| {
            s.push(black_box(message));
            s
        },
        BatchSize::SmallInput,
    )
}

criterion_group!(benches, bench);
criterion_main!(benches);
