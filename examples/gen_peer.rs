//! Writes the peer benchmark's corpus (benches/peer/corpus.rs) as JSON Lines on stdout:
//!
//! ```text
//! cargo run --release --example gen_peer -- --count 10000 --seed 7 > target/peer/corpus.jsonl
//! ```
//!
//! `cargo bench --bench peer` writes the same corpus itself; this is for `handoff
//! replay` and other tools.

#[path = "../benches/peer/corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "support/corpus_gen.rs"]
#[allow(dead_code)]
mod corpus_gen;

use std::io::{BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let (mut count, mut seed) = (10_000u64, 7u64);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let target = match arg.as_str() {
            "--count" => &mut count,
            "--seed" => &mut seed,
            _ => return usage(),
        };
        match args.next().and_then(|v| v.parse().ok()) {
            Some(v) => *target = v,
            None => return usage(),
        }
    }
    let mut rng = corpus_gen::Rng::new(seed);
    let mut out = BufWriter::new(std::io::stdout().lock());
    let written = (0..count).try_for_each(|index| writeln!(out, "{}", corpus::conversation(&mut rng, index)));
    match written.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_peer: {e}");
            ExitCode::from(1)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: gen_peer [--count N] [--seed S]");
    ExitCode::from(2)
}
