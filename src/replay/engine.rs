//! The replay pipeline: one thread reads raw records in chunks, a rayon pool
//! parses and evaluates each chunk in parallel, and the calling thread folds
//! the results in input order while the pool already evaluates the next chunk.
//!
//! At most [`CHUNKS_IN_FLIGHT`] chunks wait between the reader and the pool,
//! and one evaluated chunk between the pool and the fold, so memory stays flat
//! however large the corpus; a chunk's buffers go back to the reader once it is
//! evaluated, so reading allocates nothing in the steady state. The fold sees
//! records in input order, so every result is the same for any number of threads.

use std::cell::Cell;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use rayon::prelude::*;

use super::corpus::{Corpus, RawRecord, RecordChunk, RecordRef};
use super::group::GroupBy;
use super::labels::{self, Scored, DEFAULT_MISSES};
use super::summary::{Summary, Tally};
use crate::eval::{Context, Decision, Mode, Policy};
use crate::transcript::{parse_record_into, Conversation, TranscriptError};

/// Records parsed and evaluated together.
pub const DEFAULT_CHUNK: usize = 1024;

/// Chunks read ahead of the evaluation.
pub const CHUNKS_IN_FLIGHT: usize = 2;

/// A chunk whose buffer grew past this (a huge `.json` document) is not kept
/// for reuse, so one outsized record does not hold its memory to the end.
const MAX_REUSED_CHUNK_BYTES: usize = 16 << 20;

/// Worker threads per available core at most. Replay is CPU-bound, so more
/// threads than cores only add contention; four per core leave room for a
/// slow disk. Asking for thousands would spawn thousands of OS threads.
pub const THREADS_PER_CORE: usize = 4;

/// The most worker threads a replay starts on this machine.
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.saturating_mul(THREADS_PER_CORE).min(256)
}

/// How a replay runs and what it keeps.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// Worker threads; 0 means one per core; more than [`max_threads`] means
    /// [`max_threads`].
    pub threads: usize,
    /// Records per chunk (at least 1).
    pub chunk_size: usize,
    /// The evaluation context (clock, business hours, queue status).
    pub context: Context,
    /// When each conversation is decided: as a live service would, or as a whole.
    pub mode: Mode,
    /// Group statistics by this conversation field (`--group-by`).
    pub group_by: Option<GroupBy>,
    /// Stop once more than this many records are rejected.
    pub max_errors: Option<u64>,
    /// Prepare each conversation's `--decisions` line (in parallel).
    pub decision_lines: bool,
    /// What a `--decisions` line holds.
    pub decisions_format: DecisionsFormat,
    /// Prepare an `--export` line for each escalated conversation (in parallel).
    pub export_escalated: bool,
    /// Misses of labelled records kept per expected/decided pair.
    pub misses_per_pair: usize,
    /// Reject a record that has a field the schema does not know, instead of
    /// evaluating it with a warning.
    pub strict_fields: bool,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            threads: 0,
            chunk_size: DEFAULT_CHUNK,
            context: Context::default(),
            mode: Mode::Live,
            group_by: None,
            max_errors: None,
            decision_lines: false,
            decisions_format: DecisionsFormat::Full,
            export_escalated: false,
            misses_per_pair: DEFAULT_MISSES,
            strict_fields: false,
        }
    }
}

/// What each `--decisions` line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum DecisionsFormat {
    /// The whole decision: reasons, flags, every fired rule with its evidence.
    #[default]
    Full,
    /// Only what happened: `action`, `queue`, `rule` and `at_message` beside the `id`
    /// (each left out when there is none; a baseline's the same way under
    /// `baseline`), for corpora too large to keep the evidence of.
    Compact,
}

/// A decision's `--decisions-format compact` form.
fn compact(decision: &Decision) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    fields.insert("action".into(), serde_json::json!(decision.action));
    if let Some(queue) = &decision.queue {
        fields.insert("queue".into(), serde_json::json!(queue));
    }
    if let Some(rule) = &decision.rule {
        fields.insert("rule".into(), serde_json::json!(rule));
    }
    if let Some(at) = decision.at_message {
        fields.insert("at_message".into(), serde_json::json!(at));
    }
    fields
}

/// One conversation's outcome.
#[derive(Debug, Clone)]
pub struct Evaluated {
    /// The conversation's id.
    pub id: String,
    /// The policy's decision.
    pub decision: Decision,
    /// The baseline policy's decision, when diffing.
    pub baseline: Option<Decision>,
    /// The `--group-by` groups it falls in.
    pub groups: Vec<String>,
    /// `{"id":..., "decision":..., "baseline":...}`, when asked for.
    pub decision_line: Option<String>,
    /// `{"conversation":..., "decision":...}` for an escalation, when asked for.
    pub export_line: Option<String>,
    /// How it scored against its `expect`, when it carries one.
    pub scored: Option<Scored>,
    /// The fields the record had that the schema does not know, each as
    /// `FILE:LINE: PATH: ...` (they were ignored).
    pub unknown_fields: Vec<String>,
}

/// What the fold reports to the caller, in input order.
#[derive(Debug)]
pub enum Event<'a> {
    /// A conversation was decided.
    Evaluated(&'a Evaluated),
    /// A record that could not be read as a conversation; it is skipped.
    Rejected(&'a TranscriptError),
    /// After each chunk: records so far, and bytes read from the files.
    Progress {
        /// Records read so far.
        records: u64,
        /// Bytes read so far (of the files as stored: compressed when gzipped).
        bytes_read: u64,
    },
}

/// Why a replay stopped before the end of its corpus.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The input could not be read (not a bad record: the stream itself).
    #[error(transparent)]
    Input(#[from] TranscriptError),
    #[error("stopped after {rejected} rejected records (--max-errors {limit}); read {read}, evaluated {evaluated}")]
    /// More records were rejected than `--max-errors` allows.
    TooManyErrors {
        /// The limit asked for.
        limit: u64,
        /// Records rejected.
        rejected: u64,
        /// Records read.
        read: u64,
        /// Records evaluated.
        evaluated: u64,
    },
    #[error("cannot start {threads} worker threads: {reason}")]
    /// The worker threads could not be started.
    Threads {
        /// How many were asked for.
        threads: usize,
        /// The operating system's reason.
        reason: String,
    },
    /// The caller's event handler gave up (e.g. an output file failed).
    #[error("{0}")]
    Output(String),
}

/// A policy (and optionally a baseline) ready to replay corpora.
pub struct Replay<'p> {
    policy: &'p Policy,
    baseline: Option<&'p Policy>,
    options: ReplayOptions,
    pool: rayon::ThreadPool,
}

impl<'p> Replay<'p> {
    /// A replay of `policy` (against `baseline`, when given), starting its worker threads.
    /// `Err` when the threads cannot be started.
    pub fn new(policy: &'p Policy, baseline: Option<&'p Policy>, options: ReplayOptions) -> Result<Self, ReplayError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads.min(max_threads()))
            .thread_name(|i| format!("replay-{i}"))
            .build()
            .map_err(|e| ReplayError::Threads { threads: options.threads, reason: e.to_string() })?;
        Ok(Replay { policy, baseline, options, pool })
    }

    /// Worker threads actually running.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Replays `corpus` and returns the statistics; `on_event` sees every
    /// record in input order (and progress after each chunk).
    pub fn run<F>(&self, corpus: &Corpus, mut on_event: F) -> Result<Summary, ReplayError>
    where
        F: FnMut(Event<'_>) -> Result<(), ReplayError>,
    {
        let mut tally = Tally::new(self.policy, self.baseline, self.options.group_by.clone());
        tally.keep_misses(self.options.misses_per_pair);
        let chunk_size = self.options.chunk_size.max(1);
        std::thread::scope(|scope| {
            let (read, to_evaluate) = sync_channel(CHUNKS_IN_FLIGHT);
            let (evaluated, to_fold) = sync_channel(1);
            // Room for every chunk that can exist at once, so returning one never blocks.
            let (give_back, given_back) = sync_channel(CHUNKS_IN_FLIGHT.saturating_add(2));
            scope.spawn(move || read_ahead(corpus, chunk_size, read, given_back));
            scope.spawn(move || self.evaluate_ahead(to_evaluate, evaluated, give_back));
            self.fold(to_fold, &mut tally, &mut on_event)
        })?;
        Ok(tally.finish())
    }

    /// Evaluates chunks on the pool, in the order read, and hands each on to the
    /// fold; stops when the reader is done or the fold has stopped.
    fn evaluate_ahead(
        &self,
        chunks: Receiver<ChunkMessage>,
        evaluated: SyncSender<EvaluatedMessage>,
        give_back: SyncSender<RecordChunk>,
    ) {
        for message in chunks {
            let message = message.map(|(chunk, bytes_read)| {
                let outcomes = self.evaluate_records(&chunk);
                if chunk.capacity() <= MAX_REUSED_CHUNK_BYTES {
                    // Full or closed: the reader allocates a new one, or has stopped.
                    let _ = give_back.try_send(chunk);
                }
                (outcomes, bytes_read)
            });
            let failed = message.is_err();
            // A closed channel means the fold stopped early: nothing more to do.
            if evaluated.send(message).is_err() || failed {
                return;
            }
        }
    }

    /// Folds evaluated chunks until the input is done; dropping `chunks` on an
    /// early return stops the evaluation and the reader.
    fn fold<F>(
        &self,
        chunks: Receiver<EvaluatedMessage>,
        tally: &mut Tally,
        on_event: &mut F,
    ) -> Result<(), ReplayError>
    where
        F: FnMut(Event<'_>) -> Result<(), ReplayError>,
    {
        for message in chunks {
            let (outcomes, bytes_read) = message?;
            for outcome in &outcomes {
                match outcome {
                    Ok(evaluated) => {
                        tally.add(&evaluated.id, &evaluated.decision, evaluated.baseline.as_ref(), &evaluated.groups);
                        tally.note_unknown_fields(evaluated.unknown_fields.len());
                        if let Some(scored) = &evaluated.scored {
                            let baseline = evaluated.baseline.as_ref();
                            tally.score(&evaluated.id, scored, &evaluated.decision, baseline, &evaluated.groups);
                        }
                        on_event(Event::Evaluated(evaluated))?;
                    }
                    Err(error) => {
                        tally.reject();
                        on_event(Event::Rejected(error))?;
                        if let Some(limit) = self.options.max_errors.filter(|&limit| tally.rejected() > limit) {
                            return Err(ReplayError::TooManyErrors {
                                limit,
                                rejected: tally.rejected(),
                                read: tally.rejected().saturating_add(tally.evaluated()),
                                evaluated: tally.evaluated(),
                            });
                        }
                    }
                }
            }
            let records = tally.rejected().saturating_add(tally.evaluated());
            on_event(Event::Progress { records, bytes_read })?;
        }
        Ok(())
    }

    /// Parses and evaluates a chunk on the pool; the results keep the chunk's order.
    pub fn evaluate_chunk(&self, records: &[RawRecord]) -> Vec<Result<Evaluated, TranscriptError>> {
        self.pool.install(|| records.par_iter().map(|record| self.evaluate_record(record.as_record())).collect())
    }

    /// [`Replay::evaluate_chunk`] over a chunk read into one buffer.
    fn evaluate_records(&self, chunk: &RecordChunk) -> Outcomes {
        self.pool.install(|| chunk.spans().par_iter().map(|span| self.evaluate_record(chunk.record(span))).collect())
    }

    fn evaluate_record(&self, record: RecordRef<'_>) -> Result<Evaluated, TranscriptError> {
        thread_local! {
            /// The conversation this worker read last: the next record is read into it,
            /// reusing its strings and messages.
            static READ_INTO: Cell<Option<Conversation>> = const { Cell::new(None) };
        }
        let mut conversation = READ_INTO.take().unwrap_or_default();
        let result = self.evaluate_read(record, &mut conversation);
        READ_INTO.set(Some(conversation));
        result
    }

    /// Reads `record` into `conversation` and evaluates it.
    fn evaluate_read(
        &self,
        record: RecordRef<'_>,
        conversation: &mut Conversation,
    ) -> Result<Evaluated, TranscriptError> {
        let unknown = parse_record_into(record.source, record.bytes, record.line, conversation)?;
        let location = || Some(format!("{}:{}", record.source, record.line));
        if self.options.strict_fields {
            if let Some(first) = unknown.into_iter().next() {
                return Err(TranscriptError::unknown_field(record.source, Some(record.line), first));
            }
            return Ok(self.evaluate_at(conversation, location));
        }
        let mut evaluated = self.evaluate_at(conversation, location);
        evaluated.unknown_fields =
            unknown.iter().map(|field| format!("{}:{}: {field}", record.source, record.line)).collect();
        Ok(evaluated)
    }

    /// One conversation under the policy (and the baseline).
    pub fn evaluate(&self, conversation: Conversation) -> Evaluated {
        self.evaluate_at(&conversation, || None)
    }

    /// [`Replay::evaluate`], with the record's `FILE:LINE` for the list of misses.
    fn evaluate_at(&self, conversation: &Conversation, location: impl FnOnce() -> Option<String>) -> Evaluated {
        let context = &self.options.context;
        let mode = self.options.mode;
        let decision = self.policy.evaluate_as(conversation, context, mode);
        let baseline = self.baseline.map(|b| b.evaluate_as(conversation, context, mode));
        let groups = self.options.group_by.as_ref().map(|g| g.groups(conversation)).unwrap_or_default();
        let scored = labels::score(conversation, &decision, baseline.as_ref(), location);
        let decision_line = self.options.decision_lines.then(|| {
            let mut line = serde_json::Map::new();
            line.insert("id".into(), serde_json::json!(conversation.id));
            match self.options.decisions_format {
                DecisionsFormat::Full => {
                    line.insert("decision".into(), serde_json::json!(decision));
                    if let Some(b) = &baseline {
                        line.insert("baseline".into(), serde_json::json!(b));
                    }
                }
                DecisionsFormat::Compact => {
                    line.extend(compact(&decision));
                    if let Some(b) = &baseline {
                        line.insert("baseline".into(), serde_json::Value::Object(compact(b)));
                    }
                }
            }
            if let Some(scored) = &scored {
                line.insert("expect".into(), serde_json::json!(scored.expectation));
                line.insert("met".into(), serde_json::json!(scored.met));
            }
            serde_json::Value::Object(line).to_string()
        });
        let export_line = (self.options.export_escalated && decision.is_escalation())
            .then(|| serde_json::json!({ "conversation": conversation, "decision": decision }).to_string());
        let unknown_fields = Vec::new();
        Evaluated {
            id: conversation.id.clone(),
            decision,
            baseline,
            groups,
            decision_line,
            export_line,
            scored,
            unknown_fields,
        }
    }
}

/// A chunk of raw records with the bytes read so far, or the error that ended the input.
type ChunkMessage = Result<(RecordChunk, u64), TranscriptError>;

/// A chunk's outcomes, in its order.
type Outcomes = Vec<Result<Evaluated, TranscriptError>>;

/// A chunk's outcomes with the bytes read so far, or the error that ended the input.
type EvaluatedMessage = Result<(Outcomes, u64), TranscriptError>;

/// Reads chunks until the corpus ends, the input fails or the pipeline stops,
/// refilling the chunks the evaluation gives back.
fn read_ahead(corpus: &Corpus, chunk_size: usize, chunks: SyncSender<ChunkMessage>, given_back: Receiver<RecordChunk>) {
    let mut reader = corpus.records();
    loop {
        let mut chunk = given_back.try_recv().unwrap_or_default();
        let message = match reader.refill(chunk_size, &mut chunk) {
            Ok(true) => Ok((chunk, reader.bytes_read())),
            Ok(false) => return,
            Err(error) => Err(error),
        };
        let failed = message.is_err();
        // A closed channel means the fold stopped early: nothing more to do.
        if chunks.send(message).is_err() || failed {
            return;
        }
    }
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
