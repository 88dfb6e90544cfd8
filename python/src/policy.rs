//! `Policy` (load, evaluate, sessions, batches) and `check`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use handoff::analysis::Analysis;
use handoff::Attributes;
use handoff::{Mode, Policy, Session};
use pyo3::exceptions::{PyFileNotFoundError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use serde_json::{Map, Value};

use crate::batch::{self, Record};
use crate::decision::PyDecision;
use crate::errors::{self, PyDiagnostic};
use crate::input::{self, Input};
use crate::session::PySession;

/// A checked, compiled escalation policy. Load it once and share it: it is immutable
/// and safe to use from any number of threads at once.
#[pyclass(name = "Policy", module = "handoff", frozen)]
pub struct PyPolicy {
    policy: Arc<Policy>,
}

/// Compiles an analysed policy, or raises PolicyError with every error.
fn compile(py: Python<'_>, analysis: Analysis) -> PyResult<PyPolicy> {
    match py.detach(|| Policy::from_analysis(&analysis)) {
        Ok(policy) => Ok(PyPolicy { policy: Arc::new(policy) }),
        Err(e) => Err(errors::policy_error(py, &e, &analysis.source)),
    }
}

fn read(py: Python<'_>, path: &Path) -> PyResult<Analysis> {
    py.detach(|| Analysis::read(path)).map_err(|e| {
        let err: PyErr = std::io::Error::new(e.kind, format!("{}: {}", e.path, e.why)).into();
        err.value(py).setattr("filename", path.display().to_string()).map_or_else(|e| e, |()| err)
    })
}

#[pymethods]
impl PyPolicy {
    /// Parses, checks and compiles a policy's text; `name` labels diagnostics (a file name, usually).
    /// `directory` is where the example files named by `intents from "..."` are read from;
    /// without it a policy naming example files is an error. Raises PolicyError listing every error.
    #[staticmethod]
    #[pyo3(signature = (name, text, directory=None))]
    fn from_source(py: Python<'_>, name: &str, text: &str, directory: Option<PathBuf>) -> PyResult<PyPolicy> {
        let analysis = py.detach(|| Analysis::new_in(name, text, directory.as_deref()));
        compile(py, analysis)
    }

    /// Reads, checks and compiles a policy file. Raises PolicyError listing every error,
    /// or OSError (FileNotFoundError, ...) when the file cannot be read.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyPolicy> {
        let analysis = read(py, &path)?;
        compile(py, analysis)
    }

    /// The name in the policy's header.
    #[getter]
    fn name(&self) -> &str {
        self.policy.name()
    }

    /// The version in the policy's header.
    #[getter]
    fn version(&self) -> u64 {
        self.policy.version()
    }

    /// SHA-256 of the policy's text, hex: every decision names it.
    #[getter]
    fn hash(&self) -> &str {
        self.policy.hash()
    }

    /// The name diagnostics use for the policy (its path, when loaded from a file).
    #[getter]
    fn file(&self) -> &str {
        self.policy.file()
    }

    /// The rules, in the order they are written.
    #[getter]
    fn rules(&self) -> Vec<String> {
        self.policy.rule_names().map(str::to_string).collect()
    }

    /// The queues the policy declares.
    #[getter]
    fn queues(&self) -> Vec<String> {
        self.policy.queue_names().map(str::to_string).collect()
    }

    /// Warnings of the checker (they do not stop a policy), as Diagnostic objects.
    #[getter]
    fn warnings(&self) -> Vec<PyDiagnostic> {
        errors::diagnostics(self.policy.file(), self.policy.source(), self.policy.warnings())
    }

    /// Decides a whole conversation: a dict, a JSON str or JSON bytes in the transcript
    /// format. `context` (a dict or JSON text) gives the clock and the queues' status.
    /// What a live service would have decided: evaluation stops at the first escalation.
    /// With `finished=True`, the conversation as a whole instead: every message is read,
    /// then each rule is decided once on the final state.
    /// Raises ConversationError (a ValueError) naming the field at fault.
    #[pyo3(signature = (conversation, context=None, finished=false))]
    fn evaluate(
        &self,
        py: Python<'_>,
        conversation: &Bound<'_, PyAny>,
        context: Option<&Bound<'_, PyAny>>,
        finished: bool,
    ) -> PyResult<PyDecision> {
        let context = input::context(context)?;
        let input = Input::from_py(conversation, "conversation")?;
        let mode = if finished { Mode::Finished } else { Mode::Live };
        let decided = py.detach(|| {
            let conversation = input.conversation("conversation", 1)?;
            Ok(self.policy.evaluate_as(&conversation, &context, mode))
        });
        decided.map(PyDecision::new).map_err(|e| errors::conversation_error(py, &e, true))
    }

    /// Decides many conversations, in parallel on `threads` threads (default: one per
    /// core) with the GIL released; the decisions are in input order.
    ///
    /// `conversations` is an iterable of dicts, JSON str or JSON bytes, or one str/bytes
    /// of JSON Lines (one conversation per line; blank lines are skipped). A
    /// conversation that cannot be read raises ConversationError naming it
    /// (`conversations[3]`, or its line in the JSON Lines text); nothing is returned.
    /// `finished` as for `evaluate`.
    #[pyo3(signature = (conversations, threads=None, context=None, finished=false))]
    fn evaluate_many(
        &self,
        py: Python<'_>,
        conversations: &Bound<'_, PyAny>,
        threads: Option<usize>,
        context: Option<&Bound<'_, PyAny>>,
        finished: bool,
    ) -> PyResult<Py<PyList>> {
        let mode = if finished { Mode::Finished } else { Mode::Live };
        let context = input::context(context)?;
        let threads = match threads {
            Some(0) => return Err(PyValueError::new_err("threads must be at least 1")),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let (records, lines) = gather(conversations)?;
        let outcomes = py.detach(|| batch::evaluate_all(&self.policy, (&context, mode), &records, threads));
        let list = PyList::empty(py);
        for (i, (outcome, record)) in outcomes.into_iter().zip(&records).enumerate() {
            match outcome {
                Ok(decision) => list.append(Py::new(py, PyDecision::new(decision))?)?,
                Err(_) => {
                    // Read again with its own name, for the error's sake.
                    let source = if lines { "<jsonl>".to_string() } else { format!("conversations[{i}]") };
                    let error = match record.input.conversation(&source, record.line) {
                        Err(e) => e,
                        Ok(_) => continue,
                    };
                    return Err(errors::conversation_error(py, &error, true));
                }
            }
        }
        Ok(list.unbind())
    }

    /// A live conversation: push its messages one by one. `customer` and `metadata`
    /// are dicts of attributes and `channel` a string, as in a transcript; `context`
    /// as for `evaluate`.
    #[pyo3(signature = (customer=None, metadata=None, channel=None, context=None))]
    fn session(
        &self,
        customer: Option<&Bound<'_, PyAny>>,
        metadata: Option<&Bound<'_, PyAny>>,
        channel: Option<String>,
        context: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySession> {
        let attributes = Attributes {
            channel,
            customer: attribute_map(customer, "customer")?,
            metadata: attribute_map(metadata, "metadata")?,
        };
        let context = input::context(context)?;
        Ok(PySession::new(Session::new(Arc::clone(&self.policy), attributes, context)))
    }

    fn __repr__(&self) -> String {
        format!("<Policy {:?} version {} ({})>", self.policy.name(), self.policy.version(), &self.policy.hash()[..12])
    }
}

fn attribute_map(obj: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Map<String, Value>> {
    match obj.filter(|o| !o.is_none()) {
        Some(obj) => input::from_object(obj, name),
        None => Ok(Map::new()),
    }
}

/// The batch's records, and whether they came from one JSON Lines text.
fn gather(conversations: &Bound<'_, PyAny>) -> PyResult<(Vec<Record>, bool)> {
    if let Some(text) = input::json_text(conversations)? {
        return Ok((json_lines(conversations.py(), text)?, true));
    }
    let mut records = Vec::new();
    for (i, item) in conversations.try_iter()?.enumerate() {
        let item = item?;
        let input = Input::from_py(&item, &format!("conversations[{i}]"))?;
        records.push(Record { input, line: 1 });
    }
    Ok((records, false))
}

/// Each non-blank line of a JSON Lines text, with its line number.
fn json_lines(py: Python<'_>, text: input::Json) -> PyResult<Vec<Record>> {
    let bytes = text.as_bytes();
    let mut records = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line_bytes = pyo3::types::PyBytes::new(py, line);
        records.push(Record { input: Input::Json(input::Json::Bytes(line_bytes.extract()?)), line: i + 1 });
    }
    Ok(records)
}

/// Checks policy files and directories (every `*.handoff` below them, sorted) as
/// `handoff check` does, and returns every diagnostic, errors and warnings, as
/// Diagnostic objects. Raises FileNotFoundError for a path that does not exist.
#[pyfunction]
pub fn check(py: Python<'_>, paths: &Bound<'_, PyAny>) -> PyResult<Vec<PyDiagnostic>> {
    let paths: Vec<PathBuf> = match paths.extract::<PathBuf>() {
        Ok(path) => vec![path],
        Err(_) => paths.extract()?,
    };
    let files = policy_files(&paths)?;
    let mut out = Vec::new();
    for file in files {
        let analysis = read(py, &file)?;
        out.extend(errors::diagnostics(&analysis.name, &analysis.source, &analysis.problems));
    }
    Ok(out)
}

/// Files as given and `*.handoff` files under directories, each directory sorted.
fn policy_files(paths: &[PathBuf]) -> PyResult<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut pending: Vec<PathBuf> = paths.iter().rev().cloned().collect();
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> =
                std::fs::read_dir(&path)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
            entries.sort();
            entries.retain(|p| p.is_dir() || p.extension().is_some_and(|e| e == "handoff"));
            pending.extend(entries.into_iter().rev());
        } else if path.exists() {
            out.push(path);
        } else {
            return Err(PyFileNotFoundError::new_err((2, "No such file or directory", path.display().to_string())));
        }
    }
    Ok(out)
}
