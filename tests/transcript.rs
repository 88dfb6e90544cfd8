//! Reading transcripts: the model, the readers and the exact error wording.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{BufRead, Cursor, Write};
use std::path::PathBuf;

use handoff::transcript::{
    open_corpus, parse_json, read_json_file, Conversation, JsonLines, Role, TranscriptError, TranscriptErrorKind,
};
use miette::Diagnostic;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/transcripts").join(name)
}

/// Reads a fixture through a reader named like a bare file, so messages can
/// be compared exactly without the machine-specific directory.
fn lines_of(name: &str) -> Vec<Result<Conversation, TranscriptError>> {
    let reader = open_corpus(fixture(name)).unwrap();
    JsonLines::new(name, reader).collect()
}

fn messages(results: &[Result<Conversation, TranscriptError>]) -> Vec<String> {
    results
        .iter()
        .map(|r| match r {
            Ok(c) => format!("ok {}", c.id),
            Err(e) => e.to_string(),
        })
        .collect()
}

#[test]
fn reads_a_single_json_file_ignoring_unknown_fields() {
    let c = read_json_file(fixture("good.json")).unwrap();
    assert_eq!(c.id, "conv-001");
    assert_eq!(c.channel.as_deref(), Some("web"));
    assert_eq!(c.customer.get("tier").and_then(|v| v.as_str()), Some("gold"));
    assert_eq!(c.metadata.get("queue").and_then(|v| v.as_str()), Some("billing"));
    assert_eq!(c.messages.len(), 3);

    let first = &c.messages[0];
    assert_eq!(first.role, Role::Customer);
    assert_eq!(first.text, "Je veux résilier mon abonnement");
    assert_eq!(first.timestamp, Some("2024-05-01T12:30:00Z".parse().unwrap()));
    assert_eq!(first.sentiment, Some(-0.4));
    assert_eq!(first.confidence, None);

    let second = &c.messages[1];
    assert_eq!(second.role, Role::Bot);
    assert_eq!(second.intent.as_deref(), Some("fallback"));
    assert_eq!(second.confidence, Some(0.31));
    // The offset is honoured: 12:30:02+02:00 is 10:30:02 UTC.
    assert_eq!(second.timestamp, Some("2024-05-01T10:30:02Z".parse().unwrap()));

    let third = &c.messages[2];
    assert_eq!(third.timestamp, None);
    assert_eq!(third.entities.get("product").and_then(|v| v.as_str()), Some("premium"));
}

#[test]
fn defaults_apply_to_omitted_fields() {
    let c = parse_json("t.json", r#"{"id":"x","messages":[{"role":"agent","text":""}]}"#).unwrap();
    assert_eq!(c.channel, None);
    assert!(c.customer.is_empty());
    assert!(c.metadata.is_empty());
    assert!(c.messages[0].entities.is_empty());
    assert_eq!(c.messages[0].role, Role::Agent);
}

#[test]
fn round_trips_through_serde() {
    let c = read_json_file(fixture("good.json")).unwrap();
    let text = serde_json::to_string(&c).unwrap();
    let back = parse_json("round-trip", &text).unwrap();
    assert_eq!(c, back);
    assert!(text.contains(r#""role":"customer""#));
    assert!(text.contains(r#""timestamp":"2024-05-01T12:30:00Z""#));
}

#[test]
fn gzip_is_decompressed_transparently() {
    let plain = read_json_file(fixture("good.json")).unwrap();
    let gz = read_json_file(fixture("good.json.gz")).unwrap();
    assert_eq!(plain, gz);
}

#[test]
fn multi_member_gzip_streams_every_member() {
    let results = lines_of("multi_member.jsonl.gz");
    assert_eq!(messages(&results), ["ok c1", "ok c2"]);
}

#[test]
fn json_lines_skips_blank_lines_and_counts_them() {
    let reader = open_corpus(fixture("good.jsonl")).unwrap();
    let mut lines = JsonLines::new("good.jsonl", reader);
    let ids: Vec<String> = lines.by_ref().map(|c| c.unwrap().id).collect();
    assert_eq!(ids, ["c1", "c2", "c3"]);
    assert_eq!(lines.lines_read(), 4);
    assert_eq!(lines.conversations_read(), 3);
    assert_eq!(lines.errors(), 0);
}

#[test]
fn json_lines_open_names_the_path() {
    let path = fixture("bad_role.jsonl");
    let err = JsonLines::open(&path).unwrap().find_map(Result::err).unwrap();
    assert_eq!(err.source_name(), path.display().to_string());
}

#[test]
fn unknown_role_names_line_and_field_and_keeps_going() {
    let results = lines_of("bad_role.jsonl");
    assert_eq!(
        messages(&results),
        [
            "ok c1",
            "ok c2",
            r#"bad_role.jsonl: line 3: messages[3].role: unknown role "bott" (expected customer, bot, agent or system)"#,
            "ok c4",
        ]
    );
    let err = results[2].as_ref().unwrap_err();
    assert_eq!(err.source_name(), "bad_role.jsonl");
    assert_eq!(err.line(), Some(3));
    assert_eq!(err.field_path(), Some("messages[3].role"));
    assert!(matches!(err.kind(), TranscriptErrorKind::UnknownRole { found } if found == "bott"));
    assert_eq!(err.code().map(|c| c.to_string()).as_deref(), Some("handoff::transcript::invalid"));
    assert_eq!(err.help().map(|h| h.to_string()).as_deref(), Some(r#"did you mean "bot"?"#));
}

#[test]
fn line_numbers_count_from_the_start_of_the_stream() {
    let input = "\n\n{\"id\":\"a\",\"messages\":[{\"role\":\"robot\",\"text\":\"x\"}]}\n";
    let mut lines = JsonLines::new("conversations.jsonl", Cursor::new(input));
    let err = lines.next().unwrap().unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"conversations.jsonl: line 3: messages[0].role: unknown role "robot" (expected customer, bot, agent or system)"#
    );
    assert!(lines.next().is_none());
    assert_eq!(lines.lines_read(), 3);
    assert_eq!(lines.errors(), 1);
}

#[test]
fn invalid_timestamp_in_a_json_file_reports_the_file_line() {
    let path = fixture("bad_timestamp.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let err = parse_json("bad_timestamp.json", &text).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"bad_timestamp.json: line 7: messages[0].timestamp: invalid RFC 3339 timestamp "yesterday""#
    );
    assert_eq!(err.line(), Some(7));

    let from_file = read_json_file(&path).unwrap_err();
    assert_eq!(from_file.source_name(), path.display().to_string());
    assert_eq!(from_file.line(), Some(7));
}

#[test]
fn timestamps_without_an_offset_are_rejected() {
    let err =
        parse_json("t.json", r#"{"id":"x","messages":[{"role":"bot","text":"a","timestamp":"2024-01-01T00:00:00"}]}"#)
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"t.json: line 1: messages[0].timestamp: invalid RFC 3339 timestamp "2024-01-01T00:00:00""#
    );
}

#[test]
fn missing_field_names_the_enclosing_record() {
    let results = lines_of("missing_text.jsonl");
    assert_eq!(messages(&results), [r#"missing_text.jsonl: line 1: messages[2]: missing field "text""#]);
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(err.field_path(), Some("messages[2]"));
    assert!(matches!(err.kind(), TranscriptErrorKind::MissingField { field } if field == "text"));
}

#[test]
fn mixed_errors_each_get_their_own_message() {
    let results = lines_of("mixed_errors.jsonl");
    assert_eq!(
        messages(&results),
        [
            r#"mixed_errors.jsonl: line 1: messages[0].confidence: invalid type: string "high", expected a number from 0 to 1"#,
            "mixed_errors.jsonl: line 2, column 54: invalid JSON: expected `,` or `}`",
            "mixed_errors.jsonl: line 3: id: conversation id is empty",
            "mixed_errors.jsonl: line 4: messages[0].confidence: 1.5 is out of range (expected 0 to 1)",
            "mixed_errors.jsonl: line 5: messages[0].sentiment: -1.2 is out of range (expected -1 to 1)",
            "ok c6",
            r#"mixed_errors.jsonl: line 7: missing field "id""#,
        ]
    );
    let syntax = results[1].as_ref().unwrap_err();
    assert_eq!(syntax.line(), Some(2));
    assert_eq!(syntax.column(), Some(54));
    assert_eq!(syntax.field_path(), None);
    assert_eq!(syntax.code().map(|c| c.to_string()).as_deref(), Some("handoff::transcript::syntax"));
    assert!(matches!(results[0].as_ref().unwrap_err().kind(), TranscriptErrorKind::WrongType { .. }));
    assert!(matches!(results[2].as_ref().unwrap_err().kind(), TranscriptErrorKind::EmptyId));
    assert!(matches!(
        results[3].as_ref().unwrap_err().kind(),
        TranscriptErrorKind::OutOfRange { value, .. } if *value == 1.5
    ));
}

#[test]
fn range_bounds_are_inclusive_and_integers_are_accepted() {
    let c = parse_json(
        "t.json",
        r#"{"id":"x","messages":[
            {"role":"bot","text":"a","confidence":0,"sentiment":-1},
            {"role":"bot","text":"b","confidence":1,"sentiment":1.0},
            {"role":"bot","text":"c","confidence":null,"sentiment":null}
        ]}"#,
    )
    .unwrap();
    assert_eq!(c.messages[0].confidence, Some(0.0));
    assert_eq!(c.messages[0].sentiment, Some(-1.0));
    assert_eq!(c.messages[1].confidence, Some(1.0));
    assert_eq!(c.messages[2].confidence, None);
    assert_eq!(c.messages[2].sentiment, None);
}

#[test]
fn wrong_types_are_reported_with_their_path() {
    let err = parse_json("t.json", r#"{"id":"x","customer":[1],"messages":[]}"#).unwrap_err();
    assert_eq!(err.to_string(), "t.json: line 1: customer: invalid type: sequence, expected a map");
    let err = parse_json("t.json", r#"{"id":"x","messages":[{"role":"bot","text":5}]}"#).unwrap_err();
    assert_eq!(err.to_string(), "t.json: line 1: messages[0].text: invalid type: integer `5`, expected a string");
}

#[test]
fn syntax_errors_in_a_json_file_give_line_and_column() {
    let err = parse_json("broken.json", "{\n  \"id\": \"x\",\n  \"messages\": [\n}\n").unwrap_err();
    assert_eq!(err.line(), Some(4));
    assert_eq!(err.column(), Some(1));
    assert!(err.to_string().starts_with("broken.json: line 4, column 1: invalid JSON: "), "{err}");

    let err = parse_json("two.json", r#"{"id":"x","messages":[]} {}"#).unwrap_err();
    assert_eq!(err.to_string(), "two.json: line 1, column 26: invalid JSON: trailing characters");
}

#[test]
fn empty_input_is_an_error_not_a_panic() {
    for text in ["", "   \n\t", "\u{feff}"] {
        let err = parse_json("empty.json", text).unwrap_err();
        assert_eq!(err.to_string(), "empty.json: no conversation found (the input is empty)");
    }
}

#[test]
fn a_byte_order_mark_is_tolerated() {
    let c = parse_json("bom.json", "\u{feff}{\"id\":\"x\",\"messages\":[]}").unwrap();
    assert_eq!(c.id, "x");
    let input = "\u{feff}{\"id\":\"y\",\"messages\":[]}\n";
    let ids: Vec<String> = JsonLines::new("bom.jsonl", Cursor::new(input)).map(|c| c.unwrap().id).collect();
    assert_eq!(ids, ["y"]);
}

#[test]
fn invalid_utf8_spoils_one_line_only() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"id\":\"\xff\",\"messages\":[]}\n");
    input.extend_from_slice(b"{\"id\":\"ok\",\"messages\":[]}\r\n");
    let results: Vec<_> = JsonLines::new("bytes.jsonl", Cursor::new(input)).collect();
    assert_eq!(results.len(), 2);
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(err.line(), Some(1));
    assert!(err.to_string().starts_with("bytes.jsonl: line 1, column"), "{err}");
    assert_eq!(results[1].as_ref().unwrap().id, "ok");
}

#[test]
fn io_errors_end_the_stream() {
    struct Broken;
    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    let mut lines = JsonLines::new("broken.jsonl", std::io::BufReader::new(Broken));
    let err = lines.next().unwrap().unwrap_err();
    assert_eq!(err.to_string(), "broken.jsonl: line 1: cannot read: disk on fire");
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(err.code().map(|c| c.to_string()).as_deref(), Some("handoff::transcript::io"));
    assert!(lines.next().is_none());
}

#[test]
fn missing_files_are_io_errors_naming_the_path() {
    let path = fixture("does-not-exist.json");
    let err = read_json_file(&path).unwrap_err();
    assert!(matches!(err.kind(), TranscriptErrorKind::Io(_)));
    assert_eq!(err.source_name(), path.display().to_string());
    assert!(open_corpus(&path).is_err());
}

#[test]
fn gzip_written_at_runtime_is_read_back() {
    let dir = std::env::temp_dir().join(format!("handoff-transcript-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("corpus.jsonl.gz");
    let file = std::fs::File::create(&path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    for i in 0..100 {
        writeln!(gz, r#"{{"id":"c{i}","messages":[{{"role":"customer","text":"hi"}}]}}"#).unwrap();
    }
    gz.finish().unwrap();
    let mut reader = open_corpus(&path).unwrap();
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    assert!(first.starts_with(r#"{"id":"c0""#));
    let count = JsonLines::open(&path).unwrap().filter(Result::is_ok).count();
    assert_eq!(count, 100);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn errors_are_std_errors_and_diagnostics() {
    fn assert_traits<T: std::error::Error + Diagnostic + Send + Sync + 'static>() {}
    assert_traits::<TranscriptError>();
}

#[test]
fn unknown_fields_are_noted_with_did_you_mean() {
    let text = r#"{"id": "c", "custmer": {"tier": "gold"}, "zzz": 1, "messages": [
        {"role": "customer", "text": "hi"},
        {"role": "customer", "text": "no", "sentimnet": -0.9, "Intent": "refund"}]}"#;
    let (conversation, unknown) = handoff::transcript::parse_json_noting("c.json", text).unwrap();
    assert_eq!(conversation.messages.len(), 2);
    let seen: Vec<(&str, Option<&str>)> = unknown.iter().map(|u| (u.path.as_str(), u.suggestion)).collect();
    assert_eq!(
        seen,
        [
            ("custmer", Some("customer")),
            ("zzz", None),
            ("messages[1].sentimnet", Some("sentiment")),
            ("messages[1].Intent", Some("intent")),
        ]
    );
    assert_eq!(
        unknown[2].to_string(),
        "messages[1].sentimnet: unknown field `sentimnet` is ignored; did you mean `sentiment`?"
    );
    // The plain readers still read it, and a clean conversation notes nothing.
    assert!(parse_json("c.json", text).is_ok());
    let (_, none) = handoff::transcript::parse_json_noting("c.json", r#"{"id": "c", "messages": []}"#).unwrap();
    assert!(none.is_empty());
}

#[test]
fn json_lines_note_unknown_fields_per_record() {
    let text = "{\"id\": \"a\", \"messages\": [], \"chanel\": \"web\"}\n{\"id\": \"b\", \"messages\": []}\n";
    let mut lines = JsonLines::new("x.jsonl", text.as_bytes());
    lines.next().unwrap().unwrap();
    assert_eq!(lines.unknown_fields()[0].suggestion, Some("channel"));
    lines.next().unwrap().unwrap();
    assert!(lines.unknown_fields().is_empty());
}

#[test]
fn a_bare_array_of_messages_says_what_the_top_level_must_be() {
    let err = parse_json("m.json", r#"[{"role": "customer", "text": "hi"}]"#).unwrap_err();
    assert!(matches!(err.kind(), TranscriptErrorKind::TopLevelArray), "{err}");
    assert!(err.to_string().contains("a conversation is an object"), "{err}");
    let help = err.help().unwrap().to_string();
    assert!(help.contains("\"messages\": [...]") && help.contains("handoff import"), "{help}");
    assert_eq!(err.line(), Some(1));
}

#[test]
fn invalid_utf8_in_a_field_nobody_reads_does_not_reject_the_record() {
    // The whole record is checked for UTF-8 first; a record failing that check is read
    // byte by byte, as before, where a skipped field's bytes are never decoded.
    let input =
        b"{\"id\":\"x\",\"notes\":\"\xff\",\"messages\":[{\"role\":\"customer\",\"text\":\"caf\\u00e9 \\\"ok\\\"\"}]}";
    let (c, unknown) = handoff::transcript::parse_record_noting("bytes.jsonl", input, 1).unwrap();
    assert_eq!(c.messages[0].text, "café \"ok\"");
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].field, "notes");
}

/// Reading record after record into one conversation gives, each time, exactly what
/// reading the record alone gives: nothing of an earlier record (a longer message
/// list, a channel, an intent, a failed record's parts) stays behind.
#[test]
fn records_read_into_one_conversation_equal_records_read_alone() {
    let records = [
        r#"{"id":"a","channel":"chat","customer":{"tier":"gold"},"metadata":{"n":1},"expect":{"action":"escalate","queue":"disputes"},"messages":[{"role":"customer","text":"one","timestamp":"2024-06-11T02:13:32Z","intent":"refund","confidence":0.9,"sentiment":-0.5,"entities":{"order_id":"7"}},{"role":"bot","text":"two"},{"role":"customer","text":"three"}]}"#,
        r#"{"id":"b","messages":[{"role":"bot","text":"shorter"}]}"#,
        r#"{"id":"c","messages":[{"role":"customer","text":"no role error","sentiment":3}]}"#,
        r#"{"id":"d","channel":null,"messages":[{"role":"customer","text":"x","intent":null},{"role":"agent","text":"y","timestamp":"2024-06-11T03:00:00+01:00"},{"role":"system","text":"z"},{"role":"bot","text":"w"}]}"#,
        r#"{"messages":[]}"#,
        r#"{"id":"e","messages":[{"role":"customer","text":"caf\u00e9","extra":1}],"notes":"?"}"#,
        r#"{"id":"f","messages":[]}"#,
    ];
    let mut reused = handoff::Conversation::default();
    let mut read = 0;
    for (line, record) in records.iter().enumerate() {
        let alone = handoff::transcript::parse_record_noting("r.jsonl", record.as_bytes(), line + 1);
        let into = handoff::transcript::parse_record_into("r.jsonl", record.as_bytes(), line + 1, &mut reused);
        match (alone, into) {
            (Ok((conversation, unknown)), Ok(unknown_into)) => {
                assert_eq!(reused, conversation, "record {}", line + 1);
                assert_eq!(unknown_into, unknown, "record {}", line + 1);
                read += 1;
            }
            (Err(alone), Err(into)) => assert_eq!(into.to_string(), alone.to_string()),
            (alone, into) => panic!("record {}: alone {alone:?}, into {into:?}", line + 1),
        }
    }
    assert_eq!(read, 5, "two of the records are bad");
}
