//! Evaluating a conversation against parsing it, interleaved in one process, for
//! issue 3's target (evaluate at most twice the parse): `cargo run --release
//! --example eval_ratio [FILE]`. Defaults to the 20-message conversation the eval
//! bench builds. Parsing and evaluating alternate for 15 rounds and each keeps its
//! fastest round, so noise from a busy machine (which only ever adds time) leaves
//! the ratio alone. The criterion bench (`cargo bench --bench eval`) is the
//! reference; this is the steadier check of the ratio.

use std::hint::black_box;
use std::time::Instant;

#[path = "../benches/support/conversation.rs"]
mod conversation;

fn main() {
    let json = match std::env::args().nth(1) {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => return eprintln!("{path}: {e}"),
        },
        None => conversation::bench_json(true),
    };
    let policy = match handoff::Policy::load("policies/payments.handoff") {
        Ok(p) => p,
        Err(e) => return eprintln!("{}", handoff::render::plain(&e)),
    };
    let parsed: handoff::Conversation = match serde_json::from_str(&json) {
        Ok(c) => c,
        Err(e) => return eprintln!("conversation: {e}"),
    };
    let context = handoff::Context::default();
    let rounds = 15;
    let n = 20_000;
    let (mut parse, mut evaluate) = (f64::MAX, f64::MAX);
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..n {
            black_box(serde_json::from_str::<handoff::Conversation>(black_box(&json)).ok());
        }
        parse = parse.min(t.elapsed().as_secs_f64() * 1e6 / f64::from(n));
        let t = Instant::now();
        for _ in 0..n {
            black_box(policy.evaluate(black_box(&parsed), &context));
        }
        evaluate = evaluate.min(t.elapsed().as_secs_f64() * 1e6 / f64::from(n));
    }
    println!("parse {parse:.2} us, evaluate {evaluate:.2} us: evaluate / parse = {:.2}", evaluate / parse);
}
