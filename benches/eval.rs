//! Evaluation hot paths: a session update per message on the shipped policy, a whole
//! 20-message conversation (also with business hours in the context), and serde_json
//! parsing the same conversation (the floor);
//! and what word forms and typo tolerance in `mentions` cost per message, measured in
//! the same run against the shipped policy with every list `exactly` (no word rewrites);
//! and what the shipped policy's learnt intents (`says`) add to a message, against the
//! same policy without them.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Bencher, Criterion, Throughput};
use handoff::{Attributes, Context, Conversation, Message, Policy};

#[path = "support/conversation.rs"]
mod conversation;
use conversation::bench_json as conversation_json;

fn bench(c: &mut Criterion) {
    let policy = Policy::load(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/payments.handoff")).unwrap();
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
    // The shipped policy reads two learnt intents; the same policy without them shows their cost.
    let phrases_only = Policy::from_source("phrases.handoff", &without_learnt_intents(SHIPPED)).unwrap();
    g.bench_function("push one message (annotated sentiment, phrases only)", |b| {
        push_one(b, &phrases_only, &annotated, &annotated.messages[10], &context)
    });
    g.finish();

    // Word forms and typos: the shipped policy as it is (inflected forms), with every list
    // `exactly` (the matching of before word forms), and with the person list `with typos`;
    // each pushing the usual 11th message and one that needs both rewrites.
    let shipped = SHIPPED;
    let exact_source = shipped
        .replace(" with typos", "")
        .replace("mentions [", "mentions exactly [")
        .replace("mentions person_phrases", "mentions exactly person_phrases");
    let typos_source = shipped.replace("mentions person_phrases unless", "mentions person_phrases with typos unless");
    assert!(exact_source != shipped && typos_source != shipped, "the bench's policy edits no longer apply");
    let exact = Policy::from_source_in("exact.handoff", &exact_source, shipped_dir()).unwrap();
    let typos = Policy::from_source_in("typos.handoff", &typos_source, shipped_dir()).unwrap();
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

#[path = "support/hours.rs"]
mod hours;
use hours::HOURS_CONTEXT;

/// The shipped policy's text.
const SHIPPED: &str = include_str!("../policies/payments.handoff");

/// The directory the shipped policy's example files are named from.
fn shipped_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/policies"))
}

/// The shipped policy without its learnt intents: no `intents from` files, no `intent`
/// declarations, no `or ... says ...` condition (each sits on its own line or block).
fn without_learnt_intents(shipped: &str) -> String {
    let mut out = String::new();
    let mut in_intent = false;
    for line in shipped.lines() {
        if line.starts_with("intent ") {
            in_intent = true;
        }
        let condition = line.trim_start().starts_with("or ") && line.contains(" says ");
        let skip = in_intent || line.starts_with("intents from") || condition;
        if in_intent && line == "}" {
            in_intent = false;
        }
        if !skip {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(
        out.len() < shipped.len() && !out.contains(" says request_person"),
        "the bench's policy edit no longer applies"
    );
    out
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
