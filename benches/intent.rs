//! Criterion benchmarks of the intent model (`handoff::intent`): training on
//! 10,000 examples, and scoring one message (all intents, with the nearest
//! example of the best).
//!
//! Run with `cargo bench --bench intent`. Criterion measures wall-clock time,
//! which a busy machine inflates with other processes' turns; so the bench
//! also prints this thread's CPU time per training and per message (Linux
//! `/proc/thread-self/schedstat`, median of batches long enough for its
//! millisecond resolution). The 10,000 examples are BANKING77's
//! `train.csv` (77 intents) from `../shared/data` when it is there, otherwise
//! as many sentences generated from templates; the small model is a
//! policy-sized one: 4 intents of a few dozen examples.

use std::path::Path;
use std::time::Duration;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use handoff::intent::{train, Example, IntentModel, TrainSettings, TrainingSet};

/// BANKING77's training part, or `None` without the shared data.
fn banking77() -> Option<TrainingSet> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/banking77/train.csv");
    let mut reader = csv::Reader::from_path(path).ok()?;
    let mut set = TrainingSet::new();
    for record in reader.records() {
        let record = record.ok()?;
        set.add_example(record.get(1)?, Example::new(record.get(0)?));
    }
    Some(set)
}

/// 10,000 template sentences over 50 intents, when the shared data is absent.
fn generated(intents: usize, per_intent: usize) -> TrainingSet {
    const OPENINGS: [&str; 5] = ["hi, ", "hello, can you help: ", "", "please, ", "quick question: "];
    const OBJECTS: [&str; 8] = ["card", "payment", "refund", "transfer", "account", "pin", "fee", "statement"];
    const ASKS: [&str; 6] = [
        "why is my",
        "what happened to my",
        "how do i fix my",
        "i have a problem with my",
        "where is my",
        "i need help with my",
    ];
    let mut set = TrainingSet::new();
    for i in 0..intents {
        for n in 0..per_intent {
            let text = format!(
                "{}{} {} {} number {}",
                OPENINGS[n % OPENINGS.len()],
                ASKS[(n / 5) % ASKS.len()],
                OBJECTS[i % OBJECTS.len()],
                ["today", "again", "abroad", "online"][(i / 8) % 4],
                (i * 7 + n) % 100
            );
            set.add_example(&format!("intent_{i}"), Example::new(text));
        }
    }
    set
}

fn small() -> TrainingSet {
    let mut set = TrainingSet::new();
    let intents: [(&str, &[&str]); 4] = [
        (
            "request_person",
            &[
                "can I talk to a real person",
                "put me through to an agent",
                "I want to speak to a human",
                "let me speak with someone",
                "connect me with customer service",
                "is there a person I can chat with",
                "get me a manager",
                "transfer me to an operator",
            ],
        ),
        (
            "dispute_charge",
            &[
                "there is a payment I do not recognise",
                "I was charged twice",
                "this charge is not mine",
                "I want to dispute a transaction",
                "someone used my card",
                "a fraudulent charge on my statement",
                "I did not make this purchase",
                "refund this unknown payment",
            ],
        ),
        (
            "card_delivery",
            &[
                "when will my card arrive",
                "my new card has not come yet",
                "how long does card delivery take",
                "track my card",
                "card still not delivered",
                "is my card on its way",
                "delivery time for a replacement card",
                "where is my card",
            ],
        ),
        (
            "exchange_rate",
            &[
                "what is the exchange rate",
                "how much is a dollar in euros",
                "currency conversion rate",
                "do you charge for exchange",
                "rate for pounds today",
                "is the exchange rate fixed",
                "best time to exchange money",
                "exchange fees abroad",
            ],
        ),
    ];
    for (name, examples) in intents {
        for (k, e) in examples.iter().enumerate() {
            for variant in ["", " please", " now", " thanks"] {
                let text = if k % 2 == 0 { format!("{e}{variant}") } else { format!("{variant} {e}") };
                set.add_example(name, Example::new(text));
            }
        }
    }
    set
}

/// Nanoseconds this thread has run on a CPU, if the kernel says.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// The median CPU time of one call of `f`, over `batches` batches of `per_batch` calls.
fn median_cpu<T>(batches: usize, per_batch: u32, mut f: impl FnMut() -> T) -> Option<Duration> {
    let mut times = Vec::with_capacity(batches);
    for _ in 0..batches {
        let before = thread_cpu_ns()?;
        for _ in 0..per_batch {
            black_box(f());
        }
        times.push(Duration::from_nanos(thread_cpu_ns()? - before) / per_batch);
    }
    times.sort_unstable();
    times.get(batches / 2).copied()
}

/// A typical customer message (16 words).
const MESSAGE: &str = "Hi, there is a payment on my card from yesterday that I really do not recognise at all";

fn bench(c: &mut Criterion) {
    let large = banking77().unwrap_or_else(|| generated(50, 200));
    let settings = TrainSettings::default();
    if let Some(cpu) = median_cpu(5, 1, || train(&large, &settings)) {
        eprintln!("intent/train/{}_examples: {cpu:?} CPU (median of 5)", large.len());
    }
    let mut group = c.benchmark_group("intent");
    group.sample_size(10);
    group.bench_function(format!("train/{}_examples", large.len()), |b| b.iter(|| train(black_box(&large), &settings)));
    group.finish();

    let mut group = c.benchmark_group("intent");
    for (name, set) in [("large", &large), ("small", &small())] {
        let model = train(set, &settings);
        black_box(model.score("warm up"));
        let intents = model.intents().len();
        if let Some(cpu) = median_cpu(9, 20_000, || model.score(MESSAGE)) {
            eprintln!("intent/score/{name}_{intents}_intents: {cpu:?} CPU per message (median of 9 x 20,000)");
        }
        // The parts: features alone, and scores without the nearest example.
        if let Some(cpu) = median_cpu(9, 20_000, || model.vectorize(MESSAGE)) {
            eprintln!("intent/vectorize/{name}_{intents}_intents: {cpu:?} CPU per message");
        }
        if let Some(cpu) = median_cpu(9, 20_000, || model.score_vector(&model.vectorize(MESSAGE))) {
            eprintln!("intent/scores_only/{name}_{intents}_intents: {cpu:?} CPU per message");
        }
        // What a policy computes per message: every score, into a reused buffer.
        let mut scores = Vec::new();
        if let Some(cpu) = median_cpu(9, 20_000, || model.scores_into(MESSAGE, &mut scores)) {
            eprintln!("intent/scores_into/{name}_{intents}_intents: {cpu:?} CPU per message");
        }
        group.bench_function(format!("score/{name}_{}_intents", model.intents().len()), |b| {
            b.iter(|| model.score(black_box(MESSAGE)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
