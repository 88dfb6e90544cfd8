//! Reading what Python hands over: a conversation, a message or a context as a dict,
//! a JSON `str` or JSON `bytes`. Text goes through the crate's transcript reader (the
//! CLI's); a dict through the same serde types, so both check the same things.

use handoff::transcript::{self, TranscriptError};
use handoff::{Context, Conversation, Message};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyBytes, PyString};
use serde::de::DeserializeOwned;

use crate::errors;

/// JSON text held by Python, readable without the GIL.
pub enum Json {
    Str(PyBackedStr),
    Bytes(PyBackedBytes),
}

impl Json {
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Json::Str(s) => s.as_bytes(),
            Json::Bytes(b) => b,
        }
    }
}

/// A conversation as given: JSON text (parsed later, without the GIL) or an already
/// deserialized dict.
pub enum Input {
    Json(Json),
    Parsed(Conversation),
}

impl Input {
    /// Reads `obj`: `str` and `bytes` are kept as JSON text, anything else is
    /// deserialized now (it needs the GIL); `source` names it in errors.
    pub fn from_py(obj: &Bound<'_, PyAny>, source: &str) -> PyResult<Input> {
        if let Some(json) = json_text(obj)? {
            return Ok(Input::Json(json));
        }
        let parsed = from_object::<Conversation>(obj, source);
        parsed.map(Input::Parsed).map_err(|e| match e.is_instance_of::<errors::ConversationError>(obj.py()) {
            true => reread(obj, source).unwrap_or(e),
            false => e,
        })
    }

    /// The conversation, parsing JSON text with the transcript reader.
    pub fn conversation(
        &self,
        source: &str,
        line: usize,
    ) -> Result<std::borrow::Cow<'_, Conversation>, TranscriptError> {
        match self {
            Input::Json(json) => read_json(source, json.as_bytes(), line).map(std::borrow::Cow::Owned),
            Input::Parsed(conversation) => Ok(std::borrow::Cow::Borrowed(conversation)),
        }
    }
}

/// A conversation from JSON text. The same serde types as the transcript reader, read
/// first without tracking the field path (with it, `evaluate` of a 6-message
/// conversation took 14.8 µs instead of 13.4); only a text that fails goes through the
/// reader, for its located error (and for what it also accepts, a byte-order mark).
fn read_json(source: &str, bytes: &[u8], line: usize) -> Result<Conversation, TranscriptError> {
    match serde_json::from_slice(bytes) {
        Ok(conversation) => Ok(conversation),
        Err(_) => transcript::parse_record(source, bytes, line),
    }
}

/// `str` or `bytes` as JSON text; `None` for any other object.
pub fn json_text(obj: &Bound<'_, PyAny>) -> PyResult<Option<Json>> {
    if obj.is_instance_of::<PyString>() {
        return Ok(Some(Json::Str(obj.extract()?)));
    }
    if obj.is_instance_of::<PyBytes>() {
        return Ok(Some(Json::Bytes(obj.extract()?)));
    }
    Ok(None)
}

/// Deserializes a Python object (a dict, usually) into `T` with the field path of any problem.
pub fn from_object<T: DeserializeOwned>(obj: &Bound<'_, PyAny>, source: &str) -> PyResult<T> {
    if !obj.is_instance_of::<pyo3::types::PyDict>() {
        let kind = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
        return Err(PyTypeError::new_err(format!("{source}: expected a dict, a JSON str or JSON bytes, not {kind}")));
    }
    let mut depythonizer = pythonize::Depythonizer::from_object(obj);
    serde_path_to_error::deserialize(&mut depythonizer).map_err(|e| {
        let path = e.path().to_string();
        let field = (path != ".").then_some(path);
        errors::object_error(obj.py(), source, field, e.into_inner().to_string())
    })
}

/// The transcript reader's own error for a dict that did not deserialize (its wording,
/// code and help), when the dict is JSON-like: read again through its JSON text.
/// Errors are rare, so the detour costs nothing on the way that matters.
fn reread(obj: &Bound<'_, PyAny>, source: &str) -> Option<PyErr> {
    let value: serde_json::Value = pythonize::depythonize(obj).ok()?;
    let text = serde_json::to_string(&value).ok()?;
    let error = transcript::parse_json(source, &text).err()?;
    Some(errors::conversation_error(obj.py(), &error, false))
}

/// One message for a session, from a dict or JSON text.
pub fn message(obj: &Bound<'_, PyAny>) -> PyResult<Message> {
    let py = obj.py();
    match json_text(obj)? {
        Some(json) => {
            let mut de = serde_json::Deserializer::from_slice(json.as_bytes());
            let parsed: Result<Message, _> = serde_path_to_error::deserialize(&mut de);
            parsed.map_err(|e| {
                let path = e.path().to_string();
                let field = (path != ".").then_some(path);
                errors::object_error(py, "message", field, e.into_inner().to_string())
            })
        }
        None => from_object(obj, "message"),
    }
}

/// The evaluation context: `None` for the default, a dict, or JSON text.
pub fn context(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Context> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(Context::default()) };
    let py = obj.py();
    if let Some(json) = json_text(obj)? {
        let text = std::str::from_utf8(json.as_bytes()).map_err(|e| {
            let error = handoff::ContextError { field: ".".into(), reason: e.to_string() };
            errors::context_error(py, &error)
        })?;
        return Context::from_json(text).map_err(|e| errors::context_error(py, &e));
    }
    let mut depythonizer = pythonize::Depythonizer::from_object(obj);
    let context: Context = serde_path_to_error::deserialize(&mut depythonizer).map_err(|e| {
        let error = handoff::ContextError { field: e.path().to_string(), reason: e.into_inner().to_string() };
        errors::context_error(py, &error)
    })?;
    context.validate().map_err(|e| errors::context_error(py, &e))?;
    Ok(context)
}
