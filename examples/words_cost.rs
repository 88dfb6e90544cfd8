//! What word forms and typo tolerance in `mentions` cost per message, interleaved in one
//! process: `cargo run --release --example words_cost`. The shipped policy is evaluated
//! as it is (inflected forms), with every list `exactly` (the matching of before word
//! forms) and with its person list `with typos`, over the eval bench's 20-message
//! conversation and over the same conversation with customer messages that need word
//! rewrites ("disputing", "somneone"). Variants alternate for 15 rounds and each keeps its
//! fastest round, so a busy machine (which only ever adds time) leaves the comparison
//! alone. Figures are per message (a whole evaluation divided by its 20 messages).
//!
//! `words_cost VARIANT CONVERSATION N` evaluates one combination N times and nothing
//! else (variant 0-2, conversation 0-1), for counting instructions under
//! `valgrind --tool=callgrind`, which a busy machine does not disturb.

use std::hint::black_box;
use std::time::Instant;

#[path = "../benches/support/conversation.rs"]
mod conversation;

/// Customer messages that need both rewrites, in turn.
const REWRITTEN: &[&str] = &[
    "I wanted to see about disputing a charge",
    "there are payments I never made, can I contact somneone",
    "they charged me twice for the same things",
    "i need an asisstant who can help with the disputed charges",
];

fn main() {
    let shipped = include_str!("../policies/payments.handoff");
    let exact = shipped
        .replace(" with typos", "")
        .replace("mentions [", "mentions exactly [")
        .replace("mentions person_phrases", "mentions exactly person_phrases");
    let typos = shipped.replace("mentions person_phrases unless", "mentions person_phrases with typos unless");
    let mut variants = Vec::new();
    for (name, source) in
        [("inflected (shipped)", shipped), ("exactly", exact.as_str()), ("with typos", typos.as_str())]
    {
        match handoff::Policy::from_source_in(name, source, std::path::Path::new("policies")) {
            Ok(p) => variants.push((name, p)),
            Err(e) => return eprintln!("{name}: {}", handoff::render::plain(&e)),
        }
    }
    let usual: handoff::Conversation = match serde_json::from_str(&conversation::bench_json(true)) {
        Ok(c) => c,
        Err(e) => return eprintln!("conversation: {e}"),
    };
    let mut rewritten = usual.clone();
    let customers = rewritten.messages.iter_mut().filter(|m| m.role == handoff::Role::Customer);
    for (m, text) in customers.zip(REWRITTEN.iter().cycle()) {
        m.text = (*text).to_owned();
    }
    let context = handoff::Context::default();
    let conversations = [("usual messages", &usual), ("forms and typos", &rewritten)];
    let messages = usual.messages.len() as f64;
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    if let [v, c, n] = args[..] {
        if let (Some((_, policy)), Some((_, conversation))) = (variants.get(v), conversations.get(c)) {
            for _ in 0..n {
                black_box(policy.evaluate(black_box(conversation), &context));
            }
        }
        return;
    }
    let n = 3_000;
    let mut best = vec![f64::MAX; variants.len() * conversations.len()];
    for _ in 0..15 {
        for (v, (_, policy)) in variants.iter().enumerate() {
            for (c, (_, conversation)) in conversations.iter().enumerate() {
                let t = Instant::now();
                for _ in 0..n {
                    black_box(policy.evaluate(black_box(conversation), &context));
                }
                let per_message = t.elapsed().as_secs_f64() * 1e6 / f64::from(n) / messages;
                if let Some(b) = best.get_mut(v * conversations.len() + c) {
                    *b = b.min(per_message);
                }
            }
        }
    }
    for (v, (name, policy)) in variants.iter().enumerate() {
        for (c, (label, conversation)) in conversations.iter().enumerate() {
            let d = policy.evaluate(conversation, &context);
            let us = best.get(v * conversations.len() + c).copied().unwrap_or(f64::NAN);
            println!("{name:20} {label:16} {us:6.2} us/message  -> {:?} at {:?}", d.action, d.at_message);
        }
    }
}
