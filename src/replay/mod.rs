//! Replaying a policy over a corpus of past conversations: what it would have
//! decided, how often each rule fired, which queues would have filled, and
//! (against a baseline policy) which decisions a change would move.
//!
//! The pipeline is a [`Corpus`] (raw records from files, directories, stdin) ->
//! a [`Replay`] (parallel, ordered evaluation) -> a [`Summary`] and a [`Diff`]
//! (statistics folded in input order) -> the text and HTML reports `handoff
//! replay` writes. Records that carry an `expect` are also scored
//! ([`LabelSummary`]), and [`Gates`] turn those scores into CI pass or fail.
//!
//! ```
//! use handoff::replay::{Corpus, Replay, ReplayOptions};
//! use handoff::Policy;
//!
//! let policy = Policy::from_source("p.handoff", r#"
//! policy "demo" version 1
//! queues { general "General support" }
//! rule human { when customer.last mentions ["human"] escalate to general reason "asked" }
//! "#).unwrap();
//! let dir = std::env::temp_dir().join(format!("handoff-replay-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let file = dir.join("corpus.jsonl");
//! std::fs::write(&file, concat!(
//!     r#"{"id":"a","messages":[{"role":"customer","text":"a human please"}]}"#, "\n",
//!     r#"{"id":"b","messages":[{"role":"customer","text":"where is my refund"}]}"#, "\n",
//! )).unwrap();
//! let replay = Replay::new(&policy, None, ReplayOptions::default()).unwrap();
//! let summary = replay.run(&Corpus::open(&[file]).unwrap(), |_| Ok(())).unwrap();
//! assert_eq!((summary.read, summary.evaluated, summary.actions.escalate.count), (2, 2, 1));
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

pub(crate) mod corpus;
pub(crate) mod diff;
pub(crate) mod engine;
pub(crate) mod gates;
pub(crate) mod group;
pub(crate) mod labels;
pub(crate) mod report_html;
pub(crate) mod report_labels_html;
pub(crate) mod report_text;
pub(crate) mod summary;

pub use corpus::{Corpus, RawRecord, RecordChunk, RecordRef, SkipReason, Skipped, Source};
pub use diff::{Diff, Transition};
pub use engine::{max_threads, DecisionsFormat, Evaluated, Event, Replay, ReplayError, ReplayOptions};
pub use gates::{GateResult, Gates};
pub use group::GroupBy;
pub use labels::{LabelSummary, Ratio};
pub use summary::Summary;
