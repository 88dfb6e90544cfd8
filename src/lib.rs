//! handoff: a typed policy language that decides when a support conversation
//! leaves the bot and goes to a person.
//!
//! A policy is checked and compiled once ([`Policy::from_source`] or
//! [`Policy::load`]), then decides on whole conversations ([`Policy::evaluate`])
//! or on live ones, message by message ([`Session`]). Every [`Decision`] names
//! the action, the queue, the deciding rule, the evidence each fired rule saw,
//! and the policy (name, version, content hash) that made it.
//!
//! ```
//! use handoff::{ActionKind, Context, Evidence, Policy};
//!
//! let policy = Policy::from_source("support.handoff", r#"
//! policy "support" version 1
//!
//! queues {
//!   general "General support"
//! }
//!
//! rule human_on_request {
//!   when customer.last mentions ["human", "real person"] unless negated
//!   escalate to general priority urgent reason "Customer asked for a person"
//! }
//! "#)?;
//!
//! let conversation = handoff::transcript::parse_json("chat-1.json", r#"{
//!   "id": "chat-1",
//!   "messages": [
//!     {"role": "customer", "text": "My parcel is late"},
//!     {"role": "bot", "text": "Sorry about that! Let me check."},
//!     {"role": "customer", "text": "Can I talk to a real person?"}
//!   ]
//! }"#)?;
//!
//! let decision = policy.evaluate(&conversation, &Context::default());
//! assert_eq!(decision.action, ActionKind::Escalate);
//! assert_eq!(decision.queue.as_deref(), Some("general"));
//! assert_eq!((decision.rule.as_deref(), decision.at_message), (Some("human_on_request"), Some(3)));
//! assert_eq!(decision.reasons, ["Customer asked for a person"]);
//! assert_eq!(&*decision.policy.hash, policy.hash());
//! match decision.rules[0].evidence.as_slice() {
//!     [Evidence::Phrase { message, matched, .. }] => assert_eq!((*message, matched.as_str()), (3, "real person")),
//!     other => panic!("unexpected evidence {other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The default features (`cli`, `serve`, `replay`) add the `handoff` binary, the
//! HTTP sidecar and corpus replay; `default-features = false` keeps the
//! language, checker and evaluator without an async runtime, HTTP stack or
//! thread pool.
//!
//! `docs/embedding.md` walks through embedding the evaluator in a service, as a
//! library or as the `handoff serve` HTTP sidecar ([`serve`]).
//!
//! # The public API
//!
//! What an embedder needs is at the crate root and in a few modules:
//!
//! - [`Policy`], [`Session`], [`Decision`] (with [`Evidence`], [`FiredRule`],
//!   [`ActionKind`], [`Priority`], [`PolicyRef`]), [`Context`] (with
//!   [`ContextError`], [`QueueStatus`]) and [`Attributes`]: checking, compiling
//!   and deciding; [`explain`] for the condition tree behind a decision;
//! - [`Conversation`], [`Message`], [`Role`] and the readers in [`transcript`];
//! - [`Analysis`], [`Problem`] and [`PolicyError`] in [`analysis`] ([`io`] for a
//!   file that cannot be read): diagnostics, rendered by [`render`];
//!   [`MAX_DEPTH`], the one nesting limit a policy may reach;
//! - [`format`](mod@format): a policy laid out as `handoff fmt` lays it out;
//! - [`testing`]: a policy's inline tests and their rule coverage;
//! - the entry points of `handoff replay` ([`replay`], feature `replay`),
//!   `handoff serve` ([`serve`], feature `serve`) and `handoff lsp` ([`lsp`],
//!   feature `lsp`).
//!
//! The modules hidden from these docs (`syntax`, `check`, `eval`, `lang`,
//! `signals`, `intent`, `import`, `source_lines`, `cli`) are reachable only
//! because the `handoff` binary, the tests, benches, fuzz targets and the Python
//! package use them. They are **not part of the semver-stable API**: the pest
//! grammar's rules, the syntax tree, the checker's and compiler's internals change
//! without notice.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod analysis;
#[doc(hidden)]
pub mod check;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod eval;
pub mod format;
#[cfg(feature = "import")]
#[doc(hidden)]
pub mod import;
#[doc(hidden)]
pub mod intent;
pub mod io;
#[doc(hidden)]
pub mod lang;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod render;
#[cfg(feature = "replay")]
pub mod replay;
#[cfg(feature = "serve")]
pub mod serve;
#[doc(hidden)]
pub mod signals;
#[doc(hidden)]
pub mod source_lines;
#[doc(hidden)]
pub mod syntax;
pub mod testing;
pub mod transcript;

/// Compiles the Rust blocks of the embedding guide with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/embedding.md")]
pub struct EmbeddingGuide;

pub use analysis::{Analysis, PolicyError, Problem};
pub use check::context::{check_context_file, ContextFileProblem};
pub use eval::context::{ContextError, QueueStatus};
pub use eval::explain;
pub use eval::{
    ActionKind, AttributeSource, Attributes, Buffers, CompileError, Context, Decision, Evidence, FiredRule, Mode,
    Outcome, Policy, PolicyRef, Priority, Session,
};
pub use syntax::MAX_DEPTH;
pub use transcript::{Conversation, Message, Role};
