//! Reading policies: the pest grammar binding, the AST with spans, and the formatter.

pub mod ast;
pub mod err;
pub mod fmt;
pub mod parser;

pub use err::SyntaxError;
pub use parser::{parse_expr, parse_policy};
