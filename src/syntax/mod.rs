//! Reading policies: the pest grammar binding, the AST with spans, and the formatter.
//! Parsing is stack-safe on any thread and nesting is limited to [`MAX_DEPTH`] (see [`stack`]).

pub mod ast;
pub(crate) mod err;
mod expr;
pub mod fmt;
mod mistakes;
pub mod parser;
mod print;
pub mod sexpr;
pub mod stack;

pub use err::SyntaxError;
pub use parser::{parse_expr, parse_policy};
pub use stack::MAX_DEPTH;
