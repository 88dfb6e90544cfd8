//! Criterion benchmarks of the VADER port (`handoff::signals::sentiment`).
//!
//! Run with `cargo bench --bench sentiment`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use handoff::signals::sentiment::{compound, polarity_scores};

/// 4 words.
const SHORT: &str = "Thanks, that fixed it!";
/// A typical support message (17 words).
const TYPICAL: &str = "I have been waiting for two weeks and my refund still has not arrived, this is ridiculous";
/// 60 words, with a "but" (the contrastive rule's extra pass).
const LONG: &str = "Hi, I ordered a replacement charger three weeks ago and the tracking page still says it is \
    being prepared. I have contacted support twice already and nobody has given me a straight answer, which \
    is really frustrating. The first agent was friendly but could not help, and the chatbot keeps sending me \
    the same useless article. Please get a human!!";
/// Non-ASCII input with emojis (the substitution path).
const EMOJI: &str = "Great service 😀 thanks a lot 👍";

fn bench(c: &mut Criterion) {
    // Build the lexicon tables outside the measured loops.
    black_box(compound("warm up"));
    let mut group = c.benchmark_group("vader");
    for (name, text) in [("short", SHORT), ("typical", TYPICAL), ("long", LONG), ("emoji", EMOJI)] {
        group.bench_function(format!("polarity_scores/{name}"), |b| b.iter(|| polarity_scores(black_box(text))));
        group.bench_function(format!("compound/{name}"), |b| b.iter(|| compound(black_box(text))));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
