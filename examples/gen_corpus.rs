//! Writes a deterministic synthetic corpus as JSON Lines on stdout:
//!
//! ```text
//! cargo run --release --example gen_corpus -- --count 100000 --seed 7 [--sentiment] > corpus.jsonl
//! ```
//!
//! `--sentiment` annotates every customer message with a sentiment score, as an
//! NLU pipeline would; without it the policy's built-in analyser scores the text.

#[path = "support/corpus_gen.rs"]
mod corpus_gen;

use std::io::{BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut count: u64 = 1000;
    let mut seed: u64 = 1;
    let mut sentiment = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let parsed = match arg.as_str() {
            "--count" => args.next().and_then(|v| v.parse().ok()).map(|v| count = v),
            "--seed" => args.next().and_then(|v| v.parse().ok()).map(|v| seed = v),
            "--sentiment" => {
                sentiment = true;
                Some(())
            }
            _ => None,
        };
        if parsed.is_none() {
            eprintln!("usage: gen_corpus --count N --seed S [--sentiment]");
            return ExitCode::from(2);
        }
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match corpus_gen::write_corpus(&mut out, count, seed, sentiment).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            ExitCode::from(1)
        }
    }
}
