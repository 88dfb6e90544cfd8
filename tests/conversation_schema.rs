//! schema/conversation.schema.json against the readers: every conversation in
//! the repository validates, the reader and the schema agree on every record
//! (good and bad fixtures alike), and on the schema's own examples and
//! counter-examples. The fields the schema lists are the fields the reader knows.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use handoff::transcript::{self, CONVERSATION_FIELDS, MESSAGE_FIELDS};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    let text = std::fs::read_to_string(root().join("schema/conversation.schema.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn validator() -> jsonschema::Validator {
    jsonschema::options().should_validate_formats(true).build(&schema()).unwrap()
}

/// What the reader makes of a JSON value: accepted or not.
fn reader_accepts(value: &Value) -> Result<(), String> {
    transcript::parse_json("value", &value.to_string()).map(|_| ()).map_err(|e| e.to_string())
}

#[test]
fn examples_and_counter_examples_agree() {
    let schema = schema();
    let validator = validator();
    let examples = schema["examples"].as_array().unwrap();
    let counter = schema["x-counter-examples"].as_array().unwrap();
    assert!(examples.len() >= 3 && counter.len() >= 20);
    for example in examples {
        let errors: Vec<String> = validator.iter_errors(example).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "schema refuses its example {example}: {errors:?}");
        reader_accepts(example).unwrap_or_else(|e| panic!("reader refuses the schema's example {example}: {e}"));
    }
    for bad in counter {
        assert!(!validator.is_valid(bad), "schema accepts its counter-example {bad}");
        assert!(reader_accepts(bad).is_err(), "reader accepts the schema's counter-example {bad}");
    }
}

#[test]
fn the_schema_lists_the_fields_the_reader_knows() {
    let schema = schema();
    let names = |value: &Value| -> Vec<String> { value.as_object().unwrap().keys().cloned().collect() };
    let mut conversation = names(&schema["properties"]);
    let mut message = names(&schema["$defs"]["message"]["properties"]);
    conversation.sort();
    message.sort();
    let mut known: Vec<String> = CONVERSATION_FIELDS.iter().map(|s| (*s).to_owned()).collect();
    known.sort();
    assert_eq!(conversation, known);
    let mut known: Vec<String> = MESSAGE_FIELDS.iter().map(|s| (*s).to_owned()).collect();
    known.sort();
    assert_eq!(message, known);
}

/// The conversation files in the repository: the eval cases, the fixtures
/// (good and bad). Not the import fixtures (other formats)
/// nor serve's per-message stream.
fn conversation_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root().join("tests/cases/eval"), root().join("tests/fixtures")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "import" && name != "serve" {
                    stack.push(path);
                }
            } else if name.ends_with(".json") || name.ends_with(".jsonl") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Each record of a file: a whole .json file, or each non-blank line of a .jsonl one.
fn records(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "json") {
        return vec![(1, text)];
    }
    text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| (i + 1, l.to_owned())).collect()
}

#[test]
fn every_conversation_in_the_repository_agrees_with_the_schema() {
    let validator = validator();
    let (mut valid, mut invalid) = (0, 0);
    for path in conversation_files() {
        for (line, record) in records(&path) {
            let where_ = format!("{}:{line}", path.strip_prefix(root()).unwrap().display());
            let read = transcript::parse_record("record", record.as_bytes(), 1);
            // A record that is not even JSON is the reader's alone to refuse.
            let Ok(value) = serde_json::from_str::<Value>(&record) else {
                assert!(read.is_err(), "{where_}: the reader accepts invalid JSON");
                invalid += 1;
                continue;
            };
            let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
            match (&read, errors.is_empty()) {
                (Ok(_), true) => valid += 1,
                (Err(_), false) => invalid += 1,
                (Ok(_), false) => panic!("{where_}: the reader accepts what the schema refuses: {errors:?}"),
                (Err(e), true) => panic!("{where_}: the schema accepts what the reader refuses: {e}"),
            }
            if path.starts_with(root().join("tests/cases")) {
                assert!(read.is_ok(), "{where_}: an example conversation does not validate");
            }
        }
    }
    // The eval cases, the replay corpora and the held-out set; the bad fixtures.
    assert!(valid > 50 && invalid >= 5, "valid {valid}, invalid {invalid}");
}

/// The conversations shown in docs/conversations.md (```json blocks holding an
/// object with "id" and "messages") validate and read.
#[test]
fn the_documented_conversations_validate() {
    let validator = validator();
    let doc = std::fs::read_to_string(root().join("docs/conversations.md")).unwrap();
    let mut shown = 0;
    for block in doc.split("```json\n").skip(1) {
        let body = block.split("```").next().unwrap();
        let Ok(value) = serde_json::from_str::<Value>(body) else { continue };
        if value.get("id").is_none() || value.get("messages").is_none() {
            continue;
        }
        let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "docs/conversations.md shows an invalid conversation {value}: {errors:?}");
        reader_accepts(&value).unwrap();
        shown += 1;
    }
    assert!(shown >= 3, "{shown}");
}
