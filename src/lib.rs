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
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod analysis;
pub mod check;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
pub mod eval;
#[cfg(feature = "import")]
pub mod import;
pub mod intent;
pub mod io;
pub mod lang;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod render;
#[cfg(feature = "replay")]
pub mod replay;
#[cfg(feature = "serve")]
pub mod serve;
pub mod signals;
pub mod source_lines;
pub mod syntax;
pub mod testing;
pub mod transcript;

/// Compiles the Rust blocks of the embedding guide with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/embedding.md")]
pub struct EmbeddingGuide;

pub use analysis::{Analysis, PolicyError, Problem};
pub use eval::{
    ActionKind, Attributes, Buffers, Context, Decision, Evidence, FiredRule, Mode, Outcome, Policy, PolicyRef,
    Priority, Session,
};
pub use transcript::{Conversation, Message, Role};
