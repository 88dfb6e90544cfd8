//! `handoff` for Python: the policy checker, the evaluator, live sessions and batch
//! evaluation of the Rust crate, as the extension module `handoff._handoff`.
//!
//! Everything decides through the crate's facade (`Policy`, `Session`, `Decision`,
//! `Context`, `Conversation` and the transcript readers), and decisions go to Python
//! through the crate's own serde serialisation, so a decision here is the CLI's.
#![forbid(unsafe_code)]

mod batch;
mod decision;
mod errors;
mod input;
mod policy;
mod session;

use pyo3::prelude::*;

/// The native part of the `handoff` package; import from `handoff` instead.
#[pymodule]
fn _handoff(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<policy::PyPolicy>()?;
    m.add_class::<session::PySession>()?;
    m.add_class::<decision::PyDecision>()?;
    m.add_class::<errors::PyDiagnostic>()?;
    m.add_function(wrap_pyfunction!(policy::check, m)?)?;
    m.add("PolicyError", py.get_type::<errors::PolicyError>())?;
    m.add("ConversationError", py.get_type::<errors::ConversationError>())?;
    m.add("ContextError", py.get_type::<errors::ContextError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
