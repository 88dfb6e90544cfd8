//! The language's definition, read by the checker, the compiler, the evaluator and
//! the tools: its types and value ranges, its built-in signals and functions (one
//! declaration each), regex literals and their flags, and the one let resolver.

pub mod builtins;
pub(crate) mod folding;
pub(crate) mod languages;
pub(crate) mod lets;
pub(crate) mod priority;
pub(crate) mod regexes;
pub(crate) mod types;
