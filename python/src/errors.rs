//! Python exceptions for a policy that does not load, a conversation or a context
//! that cannot be read, and the diagnostics they carry as data.

use handoff::analysis::Problem;
use handoff::source_lines::SourceLines;
use handoff::transcript::TranscriptError;
use handoff::ContextError as CoreContextError;
use miette::Diagnostic;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;

create_exception!(
    handoff,
    PolicyError,
    PyException,
    "A policy that did not load. `diagnostics` lists every error (Diagnostic objects); str(error) is the rendered report, as `handoff check` prints it."
);
create_exception!(
    handoff,
    ConversationError,
    PyValueError,
    "A conversation or message that cannot be read: `source`, `line`, `column`, `field` (the path to the value at fault, like messages[3].role), `code`, `reason` and `help`."
);
create_exception!(
    handoff,
    ContextError,
    PyValueError,
    "An evaluation context that cannot be read: `field` (like queues.billing.hours) and `reason`."
);

/// One diagnostic of a policy: where it is, what is wrong and what to do.
#[pyclass(name = "Diagnostic", module = "handoff", frozen, get_all)]
#[derive(Debug, Clone)]
pub struct PyDiagnostic {
    /// Stable code, like "handoff::check::unknown_queue".
    pub code: String,
    /// "error" or "warning".
    pub severity: &'static str,
    pub message: String,
    /// The policy's file name, as given.
    pub file: String,
    /// 1-based line and column where the problem starts, and where it ends.
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// What the source span is labelled with, when anything.
    pub label: Option<String>,
    /// Advice in plain words, when there is any.
    pub help: Option<String>,
}

impl PyDiagnostic {
    /// `lines` indexes the policy's text, so many diagnostics cost no rescans.
    pub fn new(file: &str, lines: &SourceLines, problem: &Problem) -> PyDiagnostic {
        let label = problem.labels().and_then(|mut labels| labels.next());
        let (start, len) = label.as_ref().map_or((0, 0), |l| (l.offset(), l.len()));
        let (line, column) = lines.line_col(start);
        let (end_line, end_column) = lines.line_col(start.saturating_add(len));
        PyDiagnostic {
            code: problem.code().map(|c| c.to_string()).unwrap_or_default(),
            severity: if problem.is_warning() { "warning" } else { "error" },
            message: problem.to_string(),
            file: file.to_string(),
            line,
            column,
            end_line,
            end_column,
            label: label.and_then(|l| l.label().map(str::to_string)),
            help: problem.help().map(|h| h.to_string()),
        }
    }
}

#[pymethods]
impl PyDiagnostic {
    /// "file:line:column: severity: message [code]".
    fn __str__(&self) -> String {
        format!("{}:{}:{}: {}: {} [{}]", self.file, self.line, self.column, self.severity, self.message, self.code)
    }

    fn __repr__(&self) -> String {
        format!("<Diagnostic {} {}:{}:{} {:?}>", self.code, self.file, self.line, self.column, self.message)
    }
}

/// Every diagnostic of problems found in one policy's text.
pub fn diagnostics(file: &str, source: &str, problems: &[Problem]) -> Vec<PyDiagnostic> {
    let lines = SourceLines::new(source);
    problems.iter().map(|p| PyDiagnostic::new(file, &lines, p)).collect()
}

/// A `PolicyError` whose message is the rendered report and whose `diagnostics` are the errors.
pub fn policy_error(py: Python<'_>, error: &handoff::PolicyError, source: &str) -> PyErr {
    let err = PolicyError::new_err(handoff::render::plain(error));
    annotate(py, err, |value| {
        let list = PyList::empty(py);
        for d in diagnostics(&error.name, source, &error.errors) {
            list.append(Py::new(py, d)?)?;
        }
        value.setattr("diagnostics", list)?;
        value.setattr("name", &error.name)?;
        Ok(())
    })
}

/// A `ConversationError` from the transcript reader's error, with its location.
/// `located` says the error's line and column mean something (it came from JSON
/// text, not from a dict).
pub fn conversation_error(py: Python<'_>, error: &TranscriptError, located: bool) -> PyErr {
    let text = match (located, error.field_path()) {
        (true, _) => error.to_string(),
        (false, Some(field)) => format!("{}: {field}: {}", error.source_name(), error.kind()),
        (false, None) => format!("{}: {}", error.source_name(), error.kind()),
    };
    let err = ConversationError::new_err(text);
    annotate(py, err, |value| {
        value.setattr("source", error.source_name())?;
        value.setattr("line", error.line().filter(|_| located))?;
        value.setattr("column", error.column().filter(|_| located))?;
        value.setattr("field", error.field_path())?;
        value.setattr("code", error.code().map(|c| c.to_string()))?;
        value.setattr("reason", error.kind().to_string())?;
        value.setattr("help", error.help().map(|h| h.to_string()))?;
        Ok(())
    })
}

/// A `ConversationError` for a Python object (dict) that does not deserialize:
/// the same fields as the JSON reader's, without a line.
pub fn object_error(py: Python<'_>, source: &str, field: Option<String>, reason: String) -> PyErr {
    let text = match &field {
        Some(field) => format!("{source}: {field}: {reason}"),
        None => format!("{source}: {reason}"),
    };
    let err = ConversationError::new_err(text);
    annotate(py, err, |value| {
        value.setattr("source", source)?;
        value.setattr("line", py.None())?;
        value.setattr("column", py.None())?;
        value.setattr("field", field)?;
        value.setattr("code", "handoff::transcript::invalid")?;
        value.setattr("reason", reason)?;
        value.setattr("help", py.None())?;
        Ok(())
    })
}

/// A `ContextError` naming the field at fault.
pub fn context_error(py: Python<'_>, error: &CoreContextError) -> PyErr {
    let err = ContextError::new_err(error.to_string());
    annotate(py, err, |value| {
        value.setattr("field", &error.field)?;
        value.setattr("reason", &error.reason)?;
        Ok(())
    })
}

/// Sets attributes on the exception `err` carries; a failure to set them is the error raised.
fn annotate(
    py: Python<'_>,
    err: PyErr,
    set: impl FnOnce(&Bound<'_, pyo3::exceptions::PyBaseException>) -> PyResult<()>,
) -> PyErr {
    match set(err.value(py)) {
        Ok(()) => err,
        Err(e) => e,
    }
}
