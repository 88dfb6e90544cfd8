//! How deep a policy may nest, and the stack the syntax stage runs on.
//!
//! One limit, [`MAX_DEPTH`], is enforced on the parse result: the height of every
//! condition's expression tree and of every test value. Later stages walk those trees
//! recursively, so the limit is what bounds their stack.
//!
//! The stack guarantee, on any thread (a 2 MiB async worker, a 256 KiB thread, the
//! main thread):
//! - The pest parse and the tree builder always run on a fresh stack of
//!   [`PARSE_STACK`] bytes (`on_parse_stack`, `stacker::grow`), whatever stack the
//!   caller has. So the outcome never depends on the calling thread.
//! - pest checks the remaining stack at every rule it enters and fails the parse with
//!   "stack limit reached" 64 KiB before the end; that failure is reported as the
//!   located "too deep" diagnostic. Each level of pest's recursion consumes a bracket
//!   (`(`, `[` or `{`) and makes one tree level, and a level costs at most about 5 KiB
//!   of stack in an unoptimised build (measured, see tests/stack_safety.rs), so
//!   [`PARSE_STACK`] holds [`MAX_DEPTH`] levels several times over: every policy
//!   within the limit parses, every policy past it gets the diagnostic.
//! - Operator chains and runs of `not`/`-` are folded into a tree without recursion
//!   (an explicit operator stack), and the builder's recursion into brackets stops at
//!   [`MAX_DEPTH`] levels.
//! - The formatter's walks (and the builder's) grow their stack on demand
//!   (`guarded`, `stacker::maybe_grow`), so they are safe on any tree, even one
//!   built by hand past the limit.
//! - What the caller still needs: the returned tree is at most [`MAX_DEPTH`] deep, and
//!   dropping, cloning or comparing it recurses (derived impls). A tree at the limit
//!   drops fine on a 128 KiB thread in a debug build and on 32 KiB in release.

/// The deepest expression tree (or test value) a policy may hold, counting every
/// node: `not (a or b)` is three levels. Real policies stay under twenty; the limit
/// keeps the later recursive stages (check, compile, evaluate, explain) within a
/// known stack. A long `or` chain is a tree as deep as it is long, so a chain may
/// hold up to this many conditions.
pub const MAX_DEPTH: usize = 256;

/// The stack the parse runs on: several times what [`MAX_DEPTH`] levels need in an
/// unoptimised build. Only the pages a policy's nesting touches are used.
pub const PARSE_STACK: usize = 16 << 20;

/// Room a recursive walk keeps before growing its stack, and the size it grows by.
const RED_ZONE: usize = 128 << 10;
const SEGMENT: usize = 2 << 20;

/// Runs the parse on a fresh stack of [`PARSE_STACK`] bytes (same thread).
pub(crate) fn on_parse_stack<R>(parse: impl FnOnce() -> R) -> R {
    stacker::grow(PARSE_STACK, parse)
}

/// Runs one level of a recursive walk, on a new stack segment if this one is
/// nearly used up.
pub(crate) fn guarded<R>(level: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, level)
}
