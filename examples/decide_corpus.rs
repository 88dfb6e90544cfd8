//! The library loop as a host writes it: a JSON Lines corpus streamed line by line,
//! each record read into the previous record's conversation
//! (`transcript::parse_record_into`) and decided as a whole (`Policy::outcome` in
//! `Mode::Finished`: no evidence built). Prints how many conversations got each
//! action and the rate; a bad record is reported with its line and skipped, and the
//! counts add up to the lines read.
//!
//! ```text
//! cargo run --release --example decide_corpus -- POLICY CORPUS.jsonl
//! ```
//!
//! Its peak memory is the library loop's (issue 14 item 5): the policy, one line, one
//! conversation and the session buffers, however long the corpus.
//! docs/performance.md has the figure and the command.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::process::ExitCode;
use std::time::Instant;

use handoff::{ActionKind, Context, Conversation, Mode, Policy};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [policy, corpus] = args.as_slice() else {
        eprintln!("usage: decide_corpus POLICY CORPUS.jsonl");
        return ExitCode::from(2);
    };
    let policy = match Policy::load(policy) {
        Ok(policy) => policy,
        Err(e) => {
            eprintln!("{}", handoff::render::plain(&e));
            return ExitCode::from(2);
        }
    };
    let file = match File::open(corpus) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("{corpus}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut reader = BufReader::new(file);
    let context = Context::default();
    let mut conversation = Conversation::default();
    let mut line = String::new();
    let (mut number, mut rejected, mut blank) = (0usize, 0usize, 0usize);
    let mut actions = [0usize; 4];
    let start = Instant::now();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => number += 1,
            Err(e) => {
                eprintln!("{corpus}: line {}: {e}", number + 1);
                return ExitCode::FAILURE;
            }
        }
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if let Err(e) = handoff::transcript::parse_record_into(corpus, line.as_bytes(), number, &mut conversation) {
            eprintln!("{e}");
            rejected += 1;
            continue;
        }
        let outcome = policy.outcome(&conversation, &context, Mode::Finished);
        let slot = match outcome.action {
            ActionKind::Escalate => 0,
            ActionKind::Offer => 1,
            ActionKind::Flag => 2,
            ActionKind::None => 3,
        };
        if let Some(count) = actions.get_mut(slot) {
            *count += 1;
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    let decided: usize = actions.iter().sum();
    let [escalate, offer, flag, none] = actions;
    println!(
        "{number} lines: {decided} decided (escalate {escalate}, offer {offer}, flag {flag}, none {none}), \
         {rejected} rejected, {blank} blank; {:.0} conversations/s",
        decided as f64 / seconds
    );
    if decided + rejected + blank == number {
        ExitCode::SUCCESS
    } else {
        eprintln!("the counts do not add up to the lines read");
        ExitCode::FAILURE
    }
}
