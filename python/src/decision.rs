//! `Decision`: the crate's decision, read by attribute or as the CLI's JSON.

use handoff::Decision;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// What a policy decided about a conversation, and why.
///
/// `to_dict()` and `to_json()` are the decision as `handoff eval --format json`
/// prints it (its "decision" field), made by the same serialisation.
#[pyclass(name = "Decision", module = "handoff", frozen)]
pub struct PyDecision {
    pub decision: Decision,
}

impl PyDecision {
    pub fn new(decision: Decision) -> PyDecision {
        PyDecision { decision }
    }
}

/// The crate's serde form of `value` as Python objects.
fn to_python<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(|e| PyValueError::new_err(e.to_string()))
}

#[pymethods]
impl PyDecision {
    /// "none", "flag", "offer" or "escalate" (the strongest action that fired).
    #[getter]
    fn action(&self) -> &'static str {
        self.decision.action.as_str()
    }

    /// The queue the conversation goes (or is offered) to, after any fallback.
    #[getter]
    fn queue(&self) -> Option<&str> {
        self.decision.queue.as_deref()
    }

    /// The queue the rule asked for, when it was closed and the fallback was used.
    #[getter]
    fn fallback_from(&self) -> Option<&str> {
        self.decision.fallback_from.as_deref()
    }

    /// "low", "normal", "high" or "urgent".
    #[getter]
    fn priority(&self) -> Option<&'static str> {
        self.decision.priority.map(|p| p.as_str())
    }

    /// The deciding rule's reason first, then those of other rules with the same action.
    #[getter]
    fn reasons(&self) -> Vec<String> {
        self.decision.reasons.clone()
    }

    /// Labels of every `flag` rule that fired.
    #[getter]
    fn flags(&self) -> Vec<String> {
        self.decision.flags.clone()
    }

    /// The rule that decided.
    #[getter]
    fn rule(&self) -> Option<&str> {
        self.decision.rule.as_deref()
    }

    /// The message (numbered from 1) at which the deciding rule fired.
    #[getter]
    fn at_message(&self) -> Option<u32> {
        self.decision.at_message
    }

    /// Messages evaluated.
    #[getter]
    fn messages(&self) -> u32 {
        self.decision.messages
    }

    /// Every rule that fired, in order, each a dict with its `evidence` list.
    #[getter]
    fn rules<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.decision.rules)
    }

    /// The policy that decided: {"name", "version", "hash"}.
    #[getter]
    fn policy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.decision.policy)
    }

    /// True when the conversation goes to a person now.
    #[getter]
    fn is_escalation(&self) -> bool {
        self.decision.is_escalation()
    }

    /// The decision as the CLI's JSON object, as Python objects.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.decision)
    }

    /// The decision as the CLI's JSON text.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.decision).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyDecision>().is_ok_and(|o| o.get().decision == self.decision)
    }

    fn __repr__(&self) -> String {
        let d = &self.decision;
        let mut out = format!("<Decision {}", d.label());
        if let (Some(rule), Some(at)) = (&d.rule, d.at_message) {
            out.push_str(&format!(" by {rule} at message {at}"));
        }
        out.push('>');
        out
    }
}
