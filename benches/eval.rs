//! Evaluation hot paths: a session update per message on the shipped policy, a whole
//! 20-message conversation, and serde_json parsing the same conversation (the floor).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use handoff::{Attributes, Context, Conversation, Policy};

const TEXTS: &[(&str, &str)] = &[
    ("customer", "Hi, I have a question about a payment on my card from last week"),
    ("bot", "Sure, I can help with payments. Which payment is it about?"),
    ("customer", "It's the one for 49.99 at the electronics shop, I don't think I made it"),
    ("bot", "Thanks. Can you confirm the last four digits of the card?"),
    ("customer", "It ends in 4242, and I still have the card with me"),
    ("bot", "I can see the payment. It was made online on the 3rd."),
    ("customer", "I was at work all day on the 3rd, I did not buy anything online"),
    ("bot", "I understand. Have you shared your card details with anyone recently?"),
    ("customer", "No, never, this is really worrying me"),
    ("bot", "I'm sorry to hear that. Let me check a few more details."),
    ("customer", "How long will this take? I need the money back before rent is due"),
    ("bot", "Most checks take a few minutes. Is your address still the same?"),
    ("customer", "Yes it's the same address as always"),
    ("bot", "Thank you. I can see two more small payments to the same shop."),
    ("customer", "What? I didn't make those either, this is getting worse"),
    ("bot", "I understand this is stressful. I will note these payments."),
    ("customer", "Can you just cancel the card please and send a new one"),
    ("bot", "I can do that. The new card will arrive in 3 to 5 working days."),
    ("customer", "ok and what happens to the money that was taken"),
    ("bot", "Our team will review the payments and contact you within 2 days."),
];

fn conversation_json(annotated: bool) -> String {
    let messages: Vec<serde_json::Value> = TEXTS
        .iter()
        .enumerate()
        .map(|(i, (role, text))| {
            let mut m = serde_json::json!({
                "role": role,
                "text": text,
                "timestamp": format!("2026-03-02T10:{:02}:00Z", i),
            });
            if annotated {
                m["sentiment"] = serde_json::json!(((i % 7) as f64 - 3.0) / 10.0);
            }
            m
        })
        .collect();
    serde_json::json!({ "id": "bench-1", "channel": "chat", "customer": { "tier": "standard" }, "messages": messages })
        .to_string()
}

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
        b.iter_batched(
            || {
                let mut s = policy.session(Attributes::of(&plain), context.clone());
                for m in plain.messages.iter().take(10) {
                    s.push(m);
                }
                s
            },
            |mut s| {
                s.push(black_box(&plain.messages[10]));
                s
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("push one message (annotated sentiment)", |b| {
        b.iter_batched(
            || {
                let mut s = policy.session(Attributes::of(&annotated), context.clone());
                for m in annotated.messages.iter().take(10) {
                    s.push(m);
                }
                s
            },
            |mut s| {
                s.push(black_box(&annotated.messages[10]));
                s
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("conversation of 20 messages");
    g.throughput(Throughput::Elements(1));
    g.bench_function("serde_json parse (floor, annotated)", |b| {
        b.iter(|| serde_json::from_str::<Conversation>(black_box(&annotated_json)).unwrap())
    });
    g.bench_function("evaluate (annotated sentiment)", |b| b.iter(|| policy.evaluate(black_box(&annotated), &context)));
    g.bench_function("evaluate (built-in sentiment)", |b| b.iter(|| policy.evaluate(black_box(&plain), &context)));
    g.bench_function("parse + evaluate (annotated)", |b| {
        b.iter(|| {
            let c: Conversation = serde_json::from_str(black_box(&annotated_json)).unwrap();
            policy.evaluate(&c, &context)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
