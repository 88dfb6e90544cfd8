//! `Session`: one live conversation, decided again after every message.

use std::sync::{Arc, Mutex};

use handoff::{Policy, Session};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::decision::PyDecision;
use crate::input;

/// One live conversation: push each message as it arrives and get the decision so far.
///
/// A session keeps each signal's window and running totals, not the conversation,
/// so a message costs the same at message 5 and at message 500. It keeps the policy
/// it was started with. Safe to share between threads; pushes to one session are
/// applied one at a time.
#[pyclass(name = "Session", module = "handoff", frozen)]
pub struct PySession {
    session: Mutex<Session<Arc<Policy>>>,
}

impl PySession {
    pub fn new(session: Session<Arc<Policy>>) -> PySession {
        PySession { session: Mutex::new(session) }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Session<Arc<Policy>>) -> T) -> PyResult<T> {
        let mut session = self.session.lock().map_err(|_| PyRuntimeError::new_err("the session is broken"))?;
        Ok(f(&mut session))
    }
}

#[pymethods]
impl PySession {
    /// Takes one message (a dict or JSON text such as {"role": "customer", "text": "..."})
    /// and returns the decision so far. Raises ConversationError naming the field at fault.
    fn push(&self, py: Python<'_>, message: &Bound<'_, PyAny>) -> PyResult<PyDecision> {
        let message = input::message(message)?;
        let decision = py.detach(|| self.with(|s| s.push(&message).clone()))?;
        Ok(PyDecision::new(decision))
    }

    /// The decision so far (action "none" before any message).
    #[getter]
    fn decision(&self) -> PyResult<PyDecision> {
        self.with(|s| PyDecision::new(s.decision().clone()))
    }

    /// Messages pushed so far.
    #[getter]
    fn messages(&self) -> PyResult<u32> {
        self.with(|s| s.messages())
    }

    fn __repr__(&self) -> PyResult<String> {
        self.with(|s| {
            format!("<Session of {} after {} message(s): {}>", s.policy().name(), s.messages(), s.decision().label())
        })
    }
}
