//! Replay throughput, in conversations per second, on 100,000 synthetic
//! conversations (generated into target/bench-corpora on first run):
//!
//! - `floor`: reading and deserialising into `Conversation` (chunked, parsed in
//!   parallel on the same pool, no policy): the most replay could reach;
//! - `replay`: the whole engine with the payments policy;
//!
//! each on 1 and 2 threads, for a corpus whose customer messages carry
//! sentiment annotations and for one where the built-in analyser scores text.

#[path = "../examples/support/corpus_gen.rs"]
#[allow(dead_code)]
mod corpus_gen;

use std::hint::black_box;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use handoff::replay::{Corpus, RawRecord, Replay, ReplayOptions};
use handoff::transcript::parse_record;
use handoff::Policy;
use rayon::prelude::*;

// The same allocator as the handoff binary, so the figures are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CONVERSATIONS: u64 = 100_000;
const SEED: u64 = 7;

fn corpus_file(sentiment: bool) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-corpora");
    let name = format!("{}-{CONVERSATIONS}-{SEED}.jsonl", if sentiment { "sentiment" } else { "plain" });
    let path = dir.join(name);
    if !path.exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let partial = path.with_extension("partial");
        let mut out = BufWriter::new(std::fs::File::create(&partial).unwrap());
        corpus_gen::write_corpus(&mut out, CONVERSATIONS, SEED, sentiment).unwrap();
        out.flush().unwrap();
        drop(out);
        std::fs::rename(partial, &path).unwrap();
    }
    path
}

/// Reads and parses the corpus on `pool` the way replay does, without evaluating.
fn floor(corpus: &Corpus, pool: &rayon::ThreadPool) -> usize {
    let mut reader = corpus.records();
    let mut parsed = 0;
    while let Some(chunk) = reader.next_chunk(1024).unwrap() {
        let chunk: Vec<RawRecord> = chunk;
        parsed += pool.install(|| {
            chunk.par_iter().filter(|r| parse_record(&r.source, &r.bytes, r.line).map(black_box).is_ok()).count()
        });
    }
    parsed
}

fn bench(c: &mut Criterion) {
    let policy =
        Policy::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay/payments.handoff")).unwrap();
    for sentiment in [true, false] {
        let corpus = Corpus::open(&[corpus_file(sentiment)]).unwrap();
        let mut group = c.benchmark_group(if sentiment { "annotated" } else { "analyser" });
        group.sample_size(10).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(25));
        group.throughput(Throughput::Elements(CONVERSATIONS));
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            group.bench_with_input(BenchmarkId::new("floor", threads), &threads, |b, _| {
                b.iter(|| assert_eq!(floor(&corpus, &pool), CONVERSATIONS as usize))
            });
            let options = ReplayOptions { threads, ..ReplayOptions::default() };
            let replay = Replay::new(&policy, None, options).unwrap();
            group.bench_with_input(BenchmarkId::new("replay", threads), &threads, |b, _| {
                b.iter(|| {
                    let summary = replay.run(&corpus, |_| Ok(())).unwrap();
                    assert_eq!(summary.evaluated, CONVERSATIONS);
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
