//! `handoff replay`: a policy over a corpus of past conversations, with
//! statistics, an impact diff against a baseline, and reports. The engine is
//! [`crate::replay`]; this file parses flags, shows progress and writes files.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::eval::load_context;
use super::{Format, EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use crate::eval::Policy;
use crate::render;
use crate::replay::engine::THREADS_PER_CORE;
use crate::replay::gates::{parse_queue_rate, parse_rate};
use crate::replay::labels::DEFAULT_MISSES;
use crate::replay::{
    max_threads, report_html, report_text, Corpus, DecisionsFormat, Event, Gates, GroupBy, Replay, ReplayError,
    ReplayOptions, Summary,
};

/// Unknown-field warnings printed one by one; the summary counts the rest.
const MAX_FIELD_WARNINGS: usize = 20;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy to replay.
    policy: PathBuf,
    /// JSON Lines files (gzip or not), directories of .json/.jsonl files, or - for stdin.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Also evaluate this policy and report which decisions the change moves.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Exit 1 when more than PCT percent of decisions changed against --baseline.
    #[arg(long, value_name = "PCT", requires = "baseline")]
    fail_if_changed: Option<f64>,
    /// Evaluation context: clock, business hours, queue status (JSON).
    #[arg(long)]
    context: Option<PathBuf>,
    /// live: decide as a live service would, after each message, stopping at the first
    /// escalation; finished: decide each rule once on the whole conversation.
    #[arg(long, value_enum, default_value = "live")]
    mode: crate::eval::Mode,
    /// Worker threads (default: one per core; at most four per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Stop with exit 1 once more than N records are rejected.
    #[arg(long, value_name = "N")]
    max_errors: Option<u64>,
    /// Reject a record that has a field the conversation schema does not know
    /// (default: evaluate it and warn, e.g. `sentimnet`: did you mean `sentiment`?).
    #[arg(long)]
    strict_fields: bool,
    /// Split the statistics by an attribute: channel, metadata.KEY or customer.KEY.
    #[arg(long, value_name = "PATH")]
    group_by: Option<GroupBy>,
    /// text: tables for people; json: the whole summary as one JSON document.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write one line per conversation: {"id", "decision"[, "baseline"]}, in input order.
    #[arg(long, value_name = "FILE")]
    decisions: Option<PathBuf>,
    /// What each --decisions line holds: full (the decision with its reasons and
    /// evidence) or compact (action, queue, rule and at_message only).
    #[arg(long, value_enum, default_value = "full", requires = "decisions")]
    decisions_format: DecisionsFormat,
    /// Write the escalated conversations with their decisions, for human review.
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// Write a self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Labelled records: misses listed per expected/decided pair.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MISSES)]
    misses: usize,
    /// Labelled records: exit 1 when escalation recall (expected escalate, escalated to an
    /// expected queue) is under RATE (95% or 0.95).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    min_recall: Option<f64>,
    /// Labelled records: exit 1 when more than RATE of those expected to stay with the bot
    /// were escalated or offered a person.
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    max_false_escalation: Option<f64>,
    /// Labelled records: exit 1 when the recall of escalations expected to QUEUE is under RATE
    /// (repeatable).
    #[arg(long, value_name = "QUEUE=RATE", value_parser = parse_queue_rate)]
    min_queue_recall: Vec<(String, f64)>,
    /// Exit 0 even when no conversation was evaluated (no files found, or every record
    /// rejected); by default that is an error, since nothing was checked.
    #[arg(long)]
    allow_empty: bool,
}

pub fn run(args: Args) -> u8 {
    if let Some(pct) = args.fail_if_changed.filter(|p| !(0.0..=100.0).contains(p)) {
        eprintln!("error: --fail-if-changed takes a percentage from 0 to 100, not {pct}");
        return EXIT_USAGE;
    }
    let Some(policy) = load_policy(&args.policy) else { return EXIT_USAGE };
    let unknown: Vec<&str> = args
        .min_queue_recall
        .iter()
        .map(|(q, _)| q.as_str())
        .filter(|q| !policy.queue_names().any(|n| n == *q))
        .collect();
    if !unknown.is_empty() {
        let declared: Vec<&str> = policy.queue_names().collect();
        eprintln!(
            "error: --min-queue-recall names {} that the policy does not declare (its queues: {})",
            unknown.join(", "),
            declared.join(", ")
        );
        return EXIT_USAGE;
    }
    let baseline = match &args.baseline {
        Some(path) => match load_policy(path) {
            Some(p) => Some(p),
            None => return EXIT_USAGE,
        },
        None => None,
    };
    let queues: Vec<&str> = policy.queue_names().collect();
    let context = match load_context(args.context.as_deref(), Some(&queues)) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let corpus = match Corpus::open(&args.inputs) {
        Ok(c) => c,
        Err(e) => {
            eprint!("{}", render::graphical(&e));
            return EXIT_USAGE;
        }
    };
    for skipped in corpus.skipped() {
        eprintln!("note: {skipped}");
    }
    if corpus.sources().is_empty() && !args.allow_empty {
        let inputs: Vec<String> = args.inputs.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "error: no conversation files found in {}: replay reads .json, .jsonl and .ndjson files, \
             gzipped or not (--allow-empty to accept an empty corpus)",
            inputs.join(", ")
        );
        return EXIT_FAIL;
    }
    let threads = args.threads.min(max_threads());
    if threads < args.threads {
        eprintln!("note: --threads {} is more than {THREADS_PER_CORE} per core here; using {threads}", args.threads);
    }
    let mut decisions = match args.decisions.as_deref().map(|p| create(p, "decision line(s)")).transpose() {
        Ok(w) => w,
        Err(e) => return usage_error(&e),
    };
    let mut export = match args.export.as_deref().map(|p| create(p, "escalated conversation(s)")).transpose() {
        Ok(w) => w,
        Err(e) => return usage_error(&e),
    };
    // Created now, written at the end: a path that cannot be written fails before the work.
    let html = match args.html.as_deref().map(|p| create(p, "")).transpose() {
        Ok(w) => w,
        Err(e) => return usage_error(&e),
    };
    let options = ReplayOptions {
        threads,
        context,
        mode: args.mode,
        group_by: args.group_by.clone(),
        max_errors: args.max_errors,
        decision_lines: decisions.is_some(),
        decisions_format: args.decisions_format,
        export_escalated: export.is_some(),
        misses_per_pair: args.misses,
        strict_fields: args.strict_fields,
        ..ReplayOptions::default()
    };
    let replay = match Replay::new(&policy, baseline.as_ref(), options) {
        Ok(r) => r,
        Err(e) => return usage_error(&e.to_string()),
    };
    let progress = progress_bar(corpus.total_bytes());
    let mut warned = 0_usize;
    let result = replay.run(&corpus, |event| {
        match event {
            Event::Evaluated(e) => {
                for warning in &e.unknown_fields {
                    // The first few name the fields; the summary counts them all.
                    if warned < MAX_FIELD_WARNINGS {
                        progress_aware(&progress, || eprintln!("warning: {warning}"));
                    }
                    warned = warned.saturating_add(1);
                }
                if let (Some(w), Some(line)) = (&mut decisions, &e.decision_line) {
                    w.line(line)?;
                }
                if let (Some(w), Some(line)) = (&mut export, &e.export_line) {
                    w.line(line)?;
                }
            }
            Event::Rejected(error) => progress_aware(&progress, || eprintln!("rejected: {error}")),
            Event::Progress { records, bytes_read } => {
                if let Some(bar) = &progress {
                    bar.set_position(if bar.length().is_some() { bytes_read } else { records });
                    let rate = records as f64 / bar.elapsed().as_secs_f64().max(1e-3);
                    bar.set_message(format!("{records} conversations, {rate:.0}/s"));
                }
            }
        }
        Ok(())
    });
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    for output in [decisions, export].into_iter().flatten() {
        match output.finish() {
            Ok(said) => eprintln!("{said}"),
            Err(e) => return usage_error(&e),
        }
    }
    let summary = match result {
        Ok(s) => s,
        Err(e @ ReplayError::TooManyErrors { .. }) => {
            eprintln!("error: {e}");
            return EXIT_FAIL;
        }
        Err(ReplayError::Input(e)) => {
            eprint!("{}", render::graphical(&e));
            return EXIT_USAGE;
        }
        Err(e) => return usage_error(&e.to_string()),
    };
    if summary.evaluated == 0 && !args.allow_empty {
        let why = if summary.read == 0 {
            "the inputs hold no conversation records".to_string()
        } else {
            format!("all {} record(s) read were rejected (see above)", summary.read)
        };
        eprintln!("error: no conversation was evaluated: {why}; nothing was checked (--allow-empty to accept this)");
        return EXIT_FAIL;
    }
    report(summary, &args, html)
}

/// Prints the summary, writes the HTML, and applies the gates: `--fail-if-changed`
/// and those on labelled records.
fn report(mut summary: Summary, args: &Args, html: Option<Output>) -> u8 {
    let gates = Gates {
        min_recall: args.min_recall,
        max_false_escalation: args.max_false_escalation,
        min_queue_recall: args.min_queue_recall.clone(),
    };
    let gate_results = gates.check(summary.labels.as_ref());
    if let Some(labels) = &mut summary.labels {
        for warning in report_text::unknown_queue_warnings(labels) {
            eprintln!("warning: {warning}");
        }
        labels.gates.clone_from(&gate_results);
    }
    let summary = &summary;
    match args.format {
        Format::Text => super::emit(&report_text::render(summary)),
        Format::Json => match serde_json::to_string_pretty(summary) {
            Ok(json) => super::emit(&format!("{json}\n")),
            Err(e) => return usage_error(&e.to_string()),
        },
    }
    if let Some(mut html) = html {
        let written = html.write(&report_html::render(summary)).and_then(|()| html.finish());
        match written {
            Ok(said) => eprintln!("{said}"),
            Err(e) => return usage_error(&e),
        }
    }
    let mut code = EXIT_OK;
    if let (Some(limit), Some(diff)) = (args.fail_if_changed, &summary.diff) {
        let changed = diff.changed.rate * 100.0;
        if changed > limit {
            eprintln!(
                "error: {:.2}% of decisions changed ({} of {}), more than --fail-if-changed {limit}%",
                changed, diff.changed.count, summary.evaluated
            );
            code = EXIT_FAIL;
        }
    }
    for gate in &gate_results {
        eprintln!("{}", gate.message);
        if !gate.passed {
            code = EXIT_FAIL;
        }
    }
    code
}

fn load_policy(path: &Path) -> Option<Policy> {
    match Policy::load(path) {
        Ok(p) => Some(p),
        Err(e) => {
            super::files::print_policy_error(&e);
            None
        }
    }
}

fn usage_error(message: &str) -> u8 {
    eprintln!("error: {message}");
    EXIT_USAGE
}

/// An output file, created before the work so a path that cannot be written fails first.
struct Output {
    path: PathBuf,
    writer: BufWriter<File>,
    /// What a line holds ("decision line(s)"); empty for a whole document.
    what: &'static str,
    lines: u64,
}

impl Output {
    fn line(&mut self, line: &str) -> Result<(), ReplayError> {
        self.lines += 1;
        writeln!(self.writer, "{line}").map_err(|e| ReplayError::Output(format!("{}: {e}", self.path.display())))
    }

    fn write(&mut self, text: &str) -> Result<(), String> {
        self.writer.write_all(text.as_bytes()).map_err(|e| format!("{}: {e}", self.path.display()))
    }

    /// Flushes the file and says what was written.
    fn finish(mut self) -> Result<String, String> {
        self.writer.flush().map_err(|e| format!("{}: {e}", self.path.display()))?;
        Ok(if self.what.is_empty() {
            format!("wrote {}", self.path.display())
        } else {
            format!("wrote {} {} to {}", self.lines, self.what, self.path.display())
        })
    }
}

fn create(path: &Path, what: &'static str) -> Result<Output, String> {
    let file = File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Output { path: path.to_owned(), writer: BufWriter::new(file), what, lines: 0 })
}

/// A progress bar on stderr when it is a terminal: by bytes (with time left)
/// when the corpus size is known, a spinner for stdin.
fn progress_bar(total_bytes: Option<u64>) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match total_bytes {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] [{wide_bar}] {binary_bytes}/{binary_total_bytes} {msg}, {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}

/// Prints around the progress bar so the two do not garble each other.
fn progress_aware(bar: &Option<ProgressBar>, print: impl FnOnce()) {
    match bar {
        Some(bar) => bar.suspend(print),
        None => print(),
    }
}
