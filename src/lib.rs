//! handoff: a typed policy language that decides when a support conversation
//! leaves the bot and goes to a person.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod analysis;
pub mod check;
#[doc(hidden)]
pub mod cli;
pub mod eval;
pub mod render;
pub mod replay;
pub mod signals;
pub mod syntax;
pub mod testing;
pub mod transcript;

pub use analysis::{Analysis, PolicyError, Problem};
pub use eval::{ActionKind, Attributes, Context, Decision, Evidence, FiredRule, Policy, PolicyRef, Priority, Session};
pub use transcript::{Conversation, Message, Role};
