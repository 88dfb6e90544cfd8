//! The peer benchmark (issue 14): the same five-rule policy decided on the same
//! finished conversations by handoff, hand-written Rust (borrowed typed structs and
//! `serde_json::Value`), regorus (Rego: interpreter and bytecode VM), cel and, when
//! `python3` is installed, `scripts/peer.py`. One thread, reading included, every
//! engine's decisions checked equal before anything is timed.
//!
//! ```text
//! cargo bench --bench peer -- [--count N] [--seed S] [--runs N] [--corpus FILE] [--rates FILE] [--only NAME]
//! ```
//!
//! `--only NAME` runs the engines whose name contains NAME and nothing else (no Python),
//! for a profiler: `perf record` then sees one engine's loop.
//!
//! Without `--bench` (as `cargo test --benches` runs it) it only checks that the
//! engines agree on a small corpus. `scripts/peer_bench.sh` adds `handoff replay`
//! and prints the issue's targets; docs/performance.md explains the figures.

#[path = "peer/corpus.rs"]
mod corpus;
#[path = "../examples/support/corpus_gen.rs"]
#[allow(dead_code)]
mod corpus_gen;
#[path = "peer/engines.rs"]
mod engines;
#[path = "peer/reference.rs"]
mod reference;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use engines::{Cel, Handoff, Rego};
use reference::{Reference, RULES};

// The handoff binary's allocator, for every engine alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Options {
    count: u64,
    seed: u64,
    runs: usize,
    corpus: Option<PathBuf>,
    rates: Option<PathBuf>,
    only: Option<String>,
    timed: bool,
}

fn options() -> Result<Options, String> {
    let mut o = Options { count: 10_000, seed: 7, runs: 3, corpus: None, rates: None, only: None, timed: false };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--bench" => o.timed = true,
            "--count" => o.count = value()?.parse().map_err(|e| format!("--count: {e}"))?,
            "--seed" => o.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--runs" => o.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--corpus" => o.corpus = Some(value()?.into()),
            "--rates" => o.rates = Some(value()?.into()),
            "--only" => o.only = Some(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if !o.timed {
        (o.count, o.runs) = (300, 1);
    }
    Ok(o)
}

/// How an engine decides one line.
type Decide<'a> = Box<dyn FnMut(&str) -> Result<u8, String> + 'a>;

/// One engine: a name and how it decides a line.
struct Engine<'a> {
    name: &'static str,
    decide: Decide<'a>,
    /// Whether its decisions are the rules' (the reader-only row decides nothing).
    decides: bool,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peer: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let o = options()?;
    let (lines, corpus_path) = match &o.corpus {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            (text.lines().map(str::to_owned).collect::<Vec<_>>(), path.clone())
        }
        None => {
            let lines = corpus::lines(o.count, o.seed);
            let path =
                Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/peer/corpus-{}-{}.jsonl", o.count, o.seed));
            write_corpus(&path, &lines)?;
            (lines, path)
        }
    };
    let handoff = Handoff::load()?;
    let reference = Reference::new();
    let mut rego = Rego::load()?;
    let rego_interpreter = Rego::load()?;
    let cel = Cel::load()?;
    let engines = [
        Engine {
            name: "handoff",
            decide: Box::new({
                let mut buffer = handoff::Conversation::default();
                move |l| engines::decide_with_handoff(&handoff, &mut buffer, l)
            }),
            decides: true,
        },
        Engine {
            name: "handoff reader only",
            decide: Box::new({
                let mut buffer = handoff::Conversation::default();
                move |l| engines::read_with_handoff(&mut buffer, l)
            }),
            decides: false,
        },
        Engine { name: "Rust, typed structs", decide: Box::new(|l| reference.decide_typed(l)), decides: true },
        Engine { name: "Rust, serde_json::Value", decide: Box::new(|l| reference.decide_value(l)), decides: true },
        Engine { name: "regorus VM", decide: Box::new(|l| rego.decide_vm(l)), decides: true },
        Engine { name: "regorus", decide: Box::new(|l| rego_interpreter.decide_interpreted(l)), decides: true },
        Engine { name: "cel", decide: Box::new(|l| cel.decide(l)), decides: true },
    ];
    let mut engines: Vec<Engine> =
        engines.into_iter().filter(|e| o.only.as_ref().is_none_or(|n| e.name.contains(n.as_str()))).collect();
    if engines.is_empty() {
        return Err(format!("no engine's name contains {:?}", o.only.unwrap_or_default()));
    }

    // Every engine decides every conversation, and all must agree with the typed reference.
    let expected: Vec<u8> = lines.iter().map(|l| reference.decide_typed(l)).collect::<Result<_, _>>()?;
    for engine in engines.iter_mut().filter(|e| e.decides) {
        agree(engine, &lines, &expected)?;
    }
    let decisions_path = corpus_path.with_extension("decisions");
    std::fs::write(&decisions_path, expected.iter().map(|m| format!("{m}\n")).collect::<String>())
        .map_err(|e| format!("{}: {e}", decisions_path.display()))?;
    let python = if o.only.is_some() { None } else { python(&corpus_path, &decisions_path, o.runs)? };
    print_mix(&expected);
    if !o.timed {
        println!(
            "peer: {} engines agree on {} conversations (timings with `cargo bench --bench peer`)",
            engines.len() - 1,
            lines.len()
        );
        return Ok(());
    }

    // Runs interleave the engines, so a busy moment of the machine is shared out.
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); engines.len()];
    for _ in 0..o.runs {
        for (engine, times) in engines.iter_mut().zip(&mut times) {
            let start = Instant::now();
            for line in &lines {
                black_box((engine.decide)(black_box(line)).ok());
            }
            times.push(start.elapsed().as_secs_f64());
        }
    }
    let mut rates: Vec<(&str, Option<f64>)> =
        engines.iter().zip(&times).map(|(e, t)| (e.name, Some(lines.len() as f64 / median(t)))).collect();
    rates.push(("Python (scripts/peer.py)", python));
    print_table(&rates, lines.len(), o.runs);
    if let Some(path) = &o.rates {
        let text: String = rates.iter().filter_map(|(name, rate)| Some(format!("{:.0}\t{name}\n", (*rate)?))).collect();
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

fn write_corpus(path: &Path, lines: &[String]) -> Result<(), String> {
    let parent = path.parent().ok_or("corpus path has no folder")?;
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let text: String = lines.iter().flat_map(|l| [l.as_str(), "\n"]).collect();
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Fails loudly on the first conversations an engine decides otherwise.
fn agree(engine: &mut Engine, lines: &[String], expected: &[u8]) -> Result<(), String> {
    let mut wrong = Vec::new();
    for (line, &want) in lines.iter().zip(expected) {
        let got = (engine.decide)(line).map_err(|e| format!("{}: {e} on {line}", engine.name))?;
        if got != want {
            let id = serde_json::from_str::<serde_json::Value>(line).ok().and_then(|v| Some(v.get("id")?.to_string()));
            let id = id.unwrap_or_default();
            wrong.push(format!("  {id}: {} decided {}, typed Rust {}", engine.name, names(got), names(want)));
        }
    }
    if wrong.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = wrong.iter().take(10).map(String::as_str).collect();
    Err(format!("DECISIONS DISAGREE: {} of {} conversations\n{}", wrong.len(), lines.len(), shown.join("\n")))
}

fn names(mask: u8) -> String {
    let held: Vec<&str> = RULES.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| *r).collect();
    if held.is_empty() {
        "nothing".into()
    } else {
        held.join("+")
    }
}

/// Runs scripts/peer.py over the corpus: its rate, after it checked its own decisions.
fn python(corpus: &Path, decisions: &Path, runs: usize) -> Result<Option<f64>, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/peer.py");
    let output = match Command::new("python3")
        .arg(&script)
        .arg(corpus)
        .args(["--runs", &runs.to_string(), "--check"])
        .arg(decisions)
        .output()
    {
        Ok(output) => output,
        Err(e) => {
            println!("Python: not run (python3: {e})");
            return Ok(None);
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("scripts/peer.py failed:\n{stdout}{}", String::from_utf8_lossy(&output.stderr)));
    }
    let rate = stdout.lines().find_map(|l| l.strip_prefix("rate ")).and_then(|r| r.trim().parse().ok());
    rate.map(Some).ok_or_else(|| format!("scripts/peer.py printed no rate:\n{stdout}"))
}

fn median(times: &[f64]) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN)
}

fn print_mix(decisions: &[u8]) {
    let held: Vec<String> = RULES
        .iter()
        .enumerate()
        .map(|(i, rule)| format!("{rule} {}", decisions.iter().filter(|&&m| m & (1 << i) != 0).count()))
        .collect();
    let none = decisions.iter().filter(|&&m| m == 0).count();
    println!("corpus: {} conversations; rules held: {}; none held: {none}", decisions.len(), held.join(", "));
}

fn print_table(rates: &[(&str, Option<f64>)], conversations: usize, runs: usize) {
    let handoff = rates.first().and_then(|(_, r)| *r).unwrap_or(f64::NAN);
    println!("\n{conversations} conversations, one thread, reading included, median of {runs} runs\n");
    println!("| engine | conversations/s | handoff / engine |");
    println!("|---|---:|---:|");
    for (name, rate) in rates {
        match rate {
            Some(rate) => println!("| {name} | {rate:.0} | {:.2}x |", handoff / rate),
            None => println!("| {name} | not run | |"),
        }
    }
}
