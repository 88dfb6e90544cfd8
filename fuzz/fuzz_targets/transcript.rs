//! The conversation reader on arbitrary bytes, as one JSON document and as a
//! JSON Lines stream: it never panics, every error names where it is (the
//! source, and a line or a field path), and what it reads survives a round
//! trip through its own JSON.
#![no_main]

use std::io::Cursor;

use handoff::transcript::{parse_json, parse_record, JsonLines, TranscriptError, TranscriptErrorKind};
use libfuzzer_sys::fuzz_target;

const NAME: &str = "fuzz.jsonl";

fn assert_located(error: &TranscriptError, lines: usize) {
    assert_eq!(error.source_name(), NAME);
    let message = error.to_string();
    assert!(message.starts_with(NAME), "{message}");
    if let Some(line) = error.line() {
        assert!((1..=lines.max(1)).contains(&line), "line {line} of {lines}: {message}");
    }
    match error.kind() {
        // Blank input has no place to point at.
        TranscriptErrorKind::Empty => {}
        _ => assert!(error.line().is_some() || error.field_path().is_some(), "no location: {message}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let lines = data.split(|&b| b == b'\n').count();
    match parse_record(NAME, data, 1) {
        Ok(conversation) => {
            let json = serde_json::to_string(&conversation).expect("a conversation serializes");
            let again = parse_json(NAME, &json).expect("a conversation's own JSON reads back");
            assert_eq!(conversation, again, "round trip changed the conversation");
        }
        Err(error) => assert_located(&error, lines),
    }
    let mut stream = JsonLines::new(NAME, Cursor::new(data));
    let (mut read, mut failed) = (0, 0);
    for record in stream.by_ref() {
        match record {
            Ok(_) => read += 1,
            Err(error) => {
                failed += 1;
                assert!(error.line().is_some(), "a JSON Lines error without its line: {error}");
                assert_located(&error, lines);
            }
        }
    }
    assert_eq!((stream.conversations_read(), stream.errors()), (read, failed));
    assert!(stream.lines_read() <= lines);
});
