//! `handoff import`'s adapters on their fixtures (tests/fixtures/import, see its
//! SOURCE.md), on the real shared data when present, and streaming in flat memory.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::cell::Cell;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use handoff::import::{self, time, Format, ImportError, Options};
use handoff::{Conversation, Role};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
}

/// Converts a file, returning the conversations and the errors in order.
fn convert(format: Format, path: &Path, options: &Options) -> (Vec<Conversation>, Vec<ImportError>) {
    let file = std::fs::File::open(path).unwrap();
    let reader = handoff::transcript::decompress_if_gzip(BufReader::new(file)).unwrap();
    let (mut ok, mut errors) = (Vec::new(), Vec::new());
    for item in import::conversations(format, &path.display().to_string(), reader, options) {
        match item {
            Ok(c) => {
                // Every conversation an adapter writes is one the reader takes back unchanged.
                let line = serde_json::to_string(&c).unwrap();
                assert_eq!(handoff::transcript::parse_json("round-trip", &line).unwrap(), c);
                ok.push(c);
            }
            Err(e) => errors.push(e),
        }
    }
    (ok, errors)
}

fn texts(c: &Conversation) -> Vec<(Role, &str)> {
    c.messages.iter().map(|m| (m.role, m.text.as_str())).collect()
}

fn at(text: &str) -> Option<jiff::Timestamp> {
    Some(text.parse().unwrap())
}

#[test]
fn chat_completion_messages_with_roles_parts_and_epochs() {
    let mut options = Options::for_format(Format::Chat);
    options.default_zone = Some(time::parse_zone("UTC").unwrap());
    let (ok, errors) = convert(Format::Chat, &fixture("chat.jsonl"), &options);
    assert_eq!((ok.len(), errors.len()), (4, 1), "{errors:?}");
    let first = &ok[0];
    assert_eq!((first.id.as_str(), first.channel.as_deref()), ("chat-1", Some("web")));
    assert_eq!(first.customer["tier"], "gold");
    assert_eq!(
        texts(first),
        [
            (Role::System, "You are the support assistant of Acme Bank."),
            (Role::Customer, "I was charged twice for one order"),
            (Role::Bot, "Sorry to hear that.\nLet me look at your payments."),
            (Role::System, "{\"charges\": 2}"),
            (Role::Customer, "I want to talk to a person"),
        ]
    );
    // Epoch seconds, epoch milliseconds, and a time without offset in --default-zone.
    let stamps: Vec<_> = first.messages.iter().map(|m| m.timestamp).collect();
    assert_eq!(stamps[1], at("2026-01-01T09:00:00Z"));
    assert_eq!(stamps[2], at("2026-01-01T09:00:04.512Z"));
    assert_eq!(stamps[4], at("2026-01-01T09:01:10Z"));
    // A bare array of messages gets its file and line as id; a numeric id is kept as text.
    assert_eq!(ok[1].id, "chat.jsonl:2");
    assert_eq!(ok[2].id, "20260101");
    assert_eq!(ok[3].id, "chat-4");
    // The bad record is named by file, line and field; the records after it are converted.
    let e = &errors[0];
    assert!(e.source_name.ends_with("chat.jsonl"));
    assert_eq!((e.line, e.field.as_deref()), (Some(4), Some("messages[0].role")));
    assert!(e.problem.contains("robot") && e.help.as_deref().unwrap().contains("--roles robot=customer"), "{e}");
}

#[test]
fn a_time_without_offset_needs_a_default_zone() {
    let (ok, errors) = convert(Format::Chat, &fixture("chat.jsonl"), &Options::for_format(Format::Chat));
    assert_eq!((ok.len(), errors.len()), (3, 2));
    assert_eq!((errors[0].line, errors[0].field.as_deref()), (Some(1), Some("messages[5].timestamp")));
    assert!(errors[0].problem.contains("--default-zone"), "{}", errors[0]);
}

#[test]
fn roles_map_any_naming_case_insensitively() {
    let mut options = Options::for_format(Format::Chat);
    options.roles.apply("Kunde=customer, BOT=bot,Mitarbeiter=agent").unwrap();
    let line = r#"{"id": "de-1", "messages": [{"role": "KUNDE", "content": "Hallo"}, {"role": "bot", "content": "Hi"}, {"role": "mitarbeiter", "content": "Ich helfe"}]}"#;
    let got: Vec<_> = import::conversations(Format::Chat, "x", line.as_bytes(), &options).collect();
    let c = got[0].as_ref().unwrap();
    assert_eq!(texts(c), [(Role::Customer, "Hallo"), (Role::Bot, "Hi"), (Role::Agent, "Ich helfe")]);
    assert!(options.roles.apply("user=person").unwrap_err().contains("not a role"));
    assert!(options.roles.apply("user").is_err());
}

#[test]
fn csv_with_multi_line_quoted_fields_and_mixed_timestamps() {
    let mut options = Options::for_format(Format::Csv);
    options.default_zone = Some(time::parse_zone("Europe/Paris").unwrap());
    let (ok, errors) = convert(Format::Csv, &fixture("table.csv"), &options);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(ok.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["1001", "1002"]);
    let c = &ok[0];
    assert_eq!(
        texts(c),
        [
            (Role::Customer, "My card was declined\ntwice, at two shops"),
            (Role::Bot, "Sorry! Is the card blocked, \"frozen\" in the app?"),
            (Role::Customer, "no it is not"),
        ]
    );
    assert_eq!(c.messages[0].timestamp, at("2026-03-02T10:00:00Z"));
    assert_eq!(c.messages[1].timestamp, at("2026-03-02T10:00:05Z"));
    assert_eq!(c.messages[2].timestamp, at("2026-03-02T09:00:30Z"), "10:00:30 in Paris (UTC+1)");
    assert_eq!((c.messages[0].intent.as_deref(), c.messages[0].sentiment), (Some("card_declined"), Some(-0.6)));
    assert_eq!(ok[1].messages.len(), 2);
}

#[test]
fn csv_column_mapping_and_row_errors() {
    let text = "ticket;who;body;sent\nA;customer;hi;1767258000000\nA;martian;hmm;\nB;agent;\"two\nlines\";\n";
    let mut options = Options::for_format(Format::Csv);
    options.columns.apply("id=ticket,role=who,text=body,timestamp=sent").unwrap();
    let items: Vec<_> =
        import::conversations(Format::Csv, "t.csv", text.replace(';', ",").as_bytes(), &options).collect();
    assert_eq!(items.len(), 2);
    let e = items[0].as_ref().unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (Some(3), Some("column \"who\"")));
    assert!(e.problem.contains("\"A\"") && e.problem.contains("martian"), "{e}");
    assert_eq!(texts(items[1].as_ref().unwrap()), [(Role::Agent, "two\nlines")]);
    // A missing column is reported against the header, naming the columns there are.
    let items: Vec<_> = import::conversations(Format::Csv, "t.csv", "a,b\n1,2\n".as_bytes(), &options).collect();
    let e = items[0].as_ref().unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (Some(1), Some("header")));
    assert!(e.problem.contains("\"ticket\"") && e.problem.contains("a, b"), "{e}");
    assert!(options.columns.apply("colour=x").is_err());
}

#[test]
fn multidogo_turns() {
    let (ok, errors) = convert(Format::Multidogo, &fixture("multidogo.tsv"), &Options::for_format(Format::Multidogo));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(ok.len(), 2);
    let c = &ok[0];
    assert_eq!((c.id.as_str(), c.messages.len()), ("2182567e-9caf-4fc7-92e7-af703cf1301f", 9));
    assert!(c.messages.iter().all(|m| m.role == Role::Customer));
    assert_eq!(c.messages[1].intent.as_deref(), Some("getproofofinsurance"));
    assert_eq!(c.messages[8].text, "nothing else \n have a nice day");
    assert_eq!(ok[1].messages.len(), 12);
}

#[test]
fn abcd_conversations() {
    let (ok, errors) = convert(Format::Abcd, &fixture("abcd.json"), &Options::for_format(Format::Abcd));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(ok.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["3592", "9489"]);
    assert_eq!(ok[0].metadata["subflow"], "return_size");
    assert_eq!(ok[1].customer["member_level"], "gold");
    assert_eq!(ok[0].messages[6].role, Role::System, "an action turn");
    assert_eq!(ok[0].messages[2].role, Role::Customer);
}

#[test]
fn zendesk_ticket_comments() {
    let (ok, errors) = convert(Format::Zendesk, &fixture("zendesk.jsonl"), &Options::for_format(Format::Zendesk));
    assert!(errors.is_empty(), "{errors:?}");
    let c = &ok[0];
    assert_eq!((c.id.as_str(), c.channel.as_deref()), ("35436", Some("web")));
    assert_eq!(
        texts(c),
        [
            (Role::Customer, "My printer is on fire!\n\nPlease send someone."),
            (Role::Agent, "Please unplug it and step away, help is coming."),
        ],
        "the private comment is left out"
    );
    assert_eq!(c.messages[1].timestamp, at("2026-07-20T23:01:13Z"));
    assert_eq!(texts(&ok[1]), [(Role::Customer, "Where is my refund?"), (Role::Agent, "It was sent on Monday.")]);
    // Without the ticket or its id, the record says what to add.
    let items: Vec<_> = import::conversations(
        Format::Zendesk,
        "z",
        r#"{"comments": []}"#.as_bytes(),
        &Options::for_format(Format::Zendesk),
    )
    .collect();
    assert_eq!(items[0].as_ref().unwrap_err().field.as_deref(), Some("ticket_id"));
}

#[test]
fn intercom_conversation_parts() {
    let (ok, errors) = convert(Format::Intercom, &fixture("intercom.json"), &Options::for_format(Format::Intercom));
    assert!(errors.is_empty(), "{errors:?}");
    let c = &ok[0];
    assert_eq!(c.id, "1911149811");
    assert_eq!(
        texts(c),
        [
            (Role::Customer, "Hi, my invoice shows the wrong amount & the wrong date"),
            (Role::Bot, "I can help with invoices. Which invoice number?"),
            (Role::Agent, "Hello Sam,\nI have corrected the invoice."),
        ],
        "no body (assignment) and internal notes are left out"
    );
    assert_eq!(c.messages[0].timestamp, at("2018-10-18T21:13:18Z"));
}

#[test]
fn counts_add_up_and_output_is_json_lines() {
    let file = std::fs::File::open(fixture("chat.jsonl")).unwrap();
    let options = Options::for_format(Format::Chat);
    let items = import::conversations(Format::Chat, "chat.jsonl", BufReader::new(file), &options);
    let mut out = Vec::new();
    let mut reported = Vec::new();
    let counts = import::write_json_lines(items, &mut out, |e| reported.push(e.to_string())).unwrap();
    assert_eq!((counts.converted, counts.rejected), (3, 2));
    assert_eq!(reported.len(), 2);
    let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
    assert_eq!(lines.len(), 3);
    for line in lines {
        handoff::transcript::parse_json("out", line).unwrap();
    }
}

/// Writes `count` chat records on demand, counting the bytes handed out.
struct Generated {
    next: usize,
    count: usize,
    pending: Vec<u8>,
    given: Rc<Cell<usize>>,
    csv: bool,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() && self.next < self.count {
            let filler = "x".repeat(200);
            self.pending = if self.csv {
                let header = if self.next == 0 { "conversation_id,role,text\n" } else { "" };
                format!("{header}{0},customer,\"hello {1}\nline two\"\n{0},bot,hi\n", self.next, filler).into_bytes()
            } else {
                format!(
                    "{{\"id\": \"{}\", \"messages\": [{{\"role\": \"user\", \"content\": \"{filler}\"}}]}}\n",
                    self.next
                )
                .into_bytes()
            };
            self.next += 1;
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        self.given.set(self.given.get() + n);
        Ok(n)
    }
}

#[test]
fn streams_one_conversation_at_a_time() {
    for (format, csv) in [(Format::Chat, false), (Format::Csv, true)] {
        // 500,000 records of ~250 bytes: about 125 MB if it were all read first.
        let given = Rc::new(Cell::new(0));
        let input = Generated { next: 0, count: 500_000, pending: Vec::new(), given: Rc::clone(&given), csv };
        let options = Options::for_format(format);
        let mut items = import::conversations(format, "generated", BufReader::new(input), &options);
        for expected in 0..1000 {
            assert_eq!(items.next().unwrap().unwrap().id, expected.to_string());
        }
        // After 1000 conversations, only about their bytes (plus a read buffer) were read.
        assert!(given.get() < 1000 * 600 + 64 * 1024, "{format:?}: read {} bytes for 1000 conversations", given.get());
    }
}

/// The real MultiDoGO and ABCD files in ../shared/data convert without a rejected record.
#[test]
fn real_shared_data_converts() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let multidogo = data.join("multidogo/paper_splits/splits_annotated_at_turn_level/insurance/train.tsv.gz");
    let abcd = data.join("abcd/abcd_sample.json");
    if !multidogo.exists() || !abcd.exists() {
        println!("SKIPPED real_shared_data_converts: ../shared/data is missing");
        return;
    }
    let (ok, errors) = convert(Format::Multidogo, &multidogo, &Options::for_format(Format::Multidogo));
    assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(3)]);
    let mut ids: Vec<&str> = ok.iter().map(|c| c.id.as_str()).collect();
    let conversations = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), conversations, "each conversation's rows are together");
    assert!(conversations > 100, "{conversations}");
    let (ok, errors) = convert(Format::Abcd, &abcd, &Options::for_format(Format::Abcd));
    assert_eq!((ok.len(), errors.len()), (3, 0));
}
