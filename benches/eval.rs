//! Evaluation hot paths: a session update per message on the shipped policy, a whole
//! 20-message conversation, and serde_json parsing the same conversation (the floor).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use handoff::{Attributes, Context, Conversation, Policy};

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
    let starter = Policy::from_source("starter.handoff", include_str!("../policies/starter.handoff")).unwrap();
    g.bench_function("evaluate starter policy (annotated sentiment)", |b| {
        b.iter(|| starter.evaluate(black_box(&annotated), &context))
    });
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
