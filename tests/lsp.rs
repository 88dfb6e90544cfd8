//! `handoff lsp` spoken to as an editor would: JSON-RPC messages over an in-memory
//! connection to the server running on its own thread.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::VecDeque;
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};

const URI: &str = "file:///tmp/handoff-lsp-test/support.handoff";

/// A policy with non-ASCII text before the names the tests point at.
const POLICY: &str = r#"policy "café ☕" version 1

queues {
  general "Général 😀 support"
  billing "Billing"
}

let asked = customer.last mentions ["humain 😀", "agent"] unless negated

rule human {
  when asked or sentiment(customer.last) < -0.5
  escalate to general reason "😀 asked"
}

rule invoice {
  when customer.any mentions "invoice" and open(billing)
  escalate to billing
}

test "a person" {
  customer: "agent please"
  expect escalate to general by human
}
"#;

struct Client {
    connection: Connection,
    server: Option<JoinHandle<Result<(), String>>>,
    next_id: i32,
    /// Notifications that came while waiting for a response.
    pending: VecDeque<Notification>,
}

impl Client {
    fn start() -> Client {
        let (server, connection) = Connection::memory();
        let server = std::thread::spawn(move || handoff::lsp::serve(&server).map_err(|e| e.to_string()));
        let mut client = Client { connection, server: Some(server), next_id: 0, pending: VecDeque::new() };
        let init = client.request("initialize", json!({"capabilities": {}}));
        assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2, "incremental sync: {init}");
        client.notify("initialized", json!({}));
        client
    }

    fn send_request(&mut self, method: &str, params: Value) -> Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection.sender.send(Request::new(id.clone(), method.into(), params).into()).unwrap();
        loop {
            match self.connection.receiver.recv_timeout(Duration::from_secs(30)).expect("an answer") {
                Message::Response(r) if r.id == id => return r,
                Message::Notification(n) => self.pending.push_back(n),
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let r = self.send_request(method, params);
        r.response_result.unwrap_or_else(|e| panic!("{method} failed: {e:?}"))
    }

    fn notify(&self, method: &str, params: Value) {
        self.connection.sender.send(Notification::new(method.into(), params).into()).unwrap();
    }

    /// The next diagnostics the server publishes.
    fn diagnostics(&mut self) -> Vec<Value> {
        let n = match self.pending.pop_front() {
            Some(n) => n,
            None => match self.connection.receiver.recv_timeout(Duration::from_secs(30)).expect("diagnostics") {
                Message::Notification(n) => n,
                other => panic!("expected diagnostics, got {other:?}"),
            },
        };
        assert_eq!(n.method, "textDocument/publishDiagnostics");
        assert_eq!(n.params["uri"], URI);
        n.params["diagnostics"].as_array().unwrap().clone()
    }

    fn open(&mut self, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "handoff", "version": 1, "text": text}}),
        );
        self.diagnostics()
    }

    fn change(&mut self, version: i32, changes: Value) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": changes}),
        );
        self.diagnostics()
    }

    fn at(&mut self, method: &str, (line, character): (u32, u32), extra: Value) -> Value {
        let mut params = json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}});
        if let (Some(p), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(extra.clone());
        }
        self.request(method, params)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let _ = self.send_request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let result = self.server.take().unwrap().join().unwrap();
        assert_eq!(result, Ok(()));
    }
}

/// The LSP position (line, UTF-16 column) of the `nth` occurrence of `needle`.
fn pos(text: &str, needle: &str, nth: usize) -> (u32, u32) {
    let offset = text.match_indices(needle).nth(nth).unwrap_or_else(|| panic!("no {needle} #{nth}")).0;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column = before.rsplit('\n').next().unwrap().encode_utf16().count();
    (line as u32, column as u32)
}

fn range(text: &str, needle: &str, nth: usize) -> Value {
    let (line, start) = pos(text, needle, nth);
    let end = start + needle.encode_utf16().count() as u32;
    json!({"start": {"line": line, "character": start}, "end": {"line": line, "character": end}})
}

/// Applies LSP text edits (non-overlapping) to a text.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let (line, character) = (p["line"].as_u64().unwrap() as usize, p["character"].as_u64().unwrap() as usize);
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        let rest = &text[start..];
        rest.char_indices()
            .find(|(_, c)| {
                let here = units >= character;
                units += c.len_utf16();
                here
            })
            .map_or(text.len(), |(i, _)| start + i)
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| (offset(&e["range"]["start"]), offset(&e["range"]["end"]), e["newText"].as_str().unwrap()))
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (a, b, new) in edits {
        out.replace_range(a..b, new);
    }
    out
}

#[test]
fn diagnostics_on_open_are_at_their_names_in_utf16_columns() {
    let text = POLICY
        .replace("escalate to general reason", "escalate to generl reason")
        .replace("< -0.5", "< -0.5 and tunrs > 2")
        .replace("when customer.any mentions \"invoice\"", "when customer.any mentions \"😀 é invoice\" and turnz > 1");
    let mut client = Client::start();
    let diagnostics = client.open(&text);
    let find = |name: &str| {
        diagnostics
            .iter()
            .find(|d| d["message"].as_str().unwrap().contains(&format!("`{name}`")))
            .unwrap_or_else(|| panic!("no diagnostic for {name}: {diagnostics:#?}"))
            .clone()
    };
    let queue = find("generl");
    assert_eq!(queue["range"], range(&text, "generl", 0));
    assert_eq!(queue["code"], "handoff::check::unknown_queue");
    assert_eq!(queue["severity"], 1);
    assert!(queue["message"].as_str().unwrap().contains("help: did you mean `general`?"), "{queue}");
    assert_eq!(find("tunrs")["range"], range(&text, "tunrs", 0));
    // After "😀 é" on the same line: UTF-16 columns, not bytes or characters.
    let turnz = find("turnz");
    assert_eq!(turnz["range"], range(&text, "turnz", 0));
    let line = text.lines().find(|l| l.contains("turnz")).unwrap();
    let prefix = &line[..line.find("turnz").unwrap()];
    assert_ne!(prefix.encode_utf16().count(), prefix.chars().count());
    assert_eq!(turnz["range"]["start"]["character"], prefix.encode_utf16().count());
}

#[test]
fn a_syntax_error_is_reported_where_the_parser_stopped() {
    let text = POLICY.replace("escalate to billing", "escalate billing");
    let mut client = Client::start();
    let diagnostics = client.open(&text);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "handoff::syntax::unexpected");
    assert_eq!(diagnostics[0]["range"]["start"], range(&text, "billing\n", 0)["start"]);
}

#[test]
fn duplicates_relate_the_first_declaration() {
    let text = POLICY.replace("  billing \"Billing\"\n", "  billing \"Billing\"\n  general \"Again\"\n");
    let mut client = Client::start();
    let diagnostics = client.open(&text);
    let dup = diagnostics.iter().find(|d| d["code"] == "handoff::check::duplicate").unwrap();
    assert_eq!(dup["range"], range(&text, "general", 1));
    assert_eq!(dup["relatedInformation"][0]["location"]["range"], range(&text, "general", 0));
    assert_eq!(dup["relatedInformation"][0]["message"], "first declared here");
}

#[test]
fn hover_shows_builtins_lets_queues_and_rules() {
    let mut client = Client::start();
    assert_eq!(client.open(POLICY), Vec::<Value>::new());
    let hover = |client: &mut Client, needle: &str, nth: usize| {
        let h = client.at("textDocument/hover", pos(POLICY, needle, nth), json!({}));
        h["contents"]["value"].as_str().unwrap_or("").to_string()
    };
    let sentiment = hover(&mut client, "sentiment", 0);
    assert!(sentiment.contains("sentiment(messages) -> a number"), "{sentiment}");
    assert!(sentiment.contains("the messages to score"), "{sentiment}");
    let asked = hover(&mut client, "asked or", 0);
    assert!(asked.contains("let asked = customer.last mentions [\"humain 😀\", \"agent\"] unless negated"), "{asked}");
    let general = hover(&mut client, "general reason", 0);
    assert!(general.contains("queue general \"Général 😀 support\""), "{general}");
    assert!(general.contains("`human`"), "{general}");
    let rule = hover(&mut client, "human\n}", 0);
    assert!(rule.contains("escalate to general reason \"😀 asked\""), "{rule}");
    let open = hover(&mut client, "open(", 0);
    assert!(open.contains("open(queue) -> a condition"), "{open}");
    // Nothing to say on a keyword.
    assert_eq!(client.at("textDocument/hover", pos(POLICY, "policy", 0), json!({})), Value::Null);
}

#[test]
fn definition_and_references() {
    let mut client = Client::start();
    client.open(POLICY);
    let def = client.at("textDocument/definition", pos(POLICY, "asked or", 0), json!({}));
    assert_eq!(def["uri"], URI);
    assert_eq!(def["range"], range(POLICY, "asked", 0));
    // A queue named as a call's argument is the queue.
    let def = client.at("textDocument/definition", pos(POLICY, "billing)", 0), json!({}));
    assert_eq!(def["range"], range(POLICY, "billing", 0));
    let refs = client.at(
        "textDocument/references",
        pos(POLICY, "general", 0),
        json!({"context": {"includeDeclaration": true}}),
    );
    let ranges: Vec<&Value> = refs.as_array().unwrap().iter().map(|l| &l["range"]).collect();
    assert_eq!(ranges, [&range(POLICY, "general", 0), &range(POLICY, "general", 1), &range(POLICY, "general", 2)]);
    let refs = client.at(
        "textDocument/references",
        pos(POLICY, "human", 1),
        json!({"context": {"includeDeclaration": false}}),
    );
    assert_eq!(refs.as_array().unwrap().len(), 1, "the test's `by human`: {refs}");
    assert_eq!(refs[0]["range"], range(POLICY, "human", 1));
}

#[test]
fn rename_changes_every_use_in_the_file() {
    let mut client = Client::start();
    client.open(POLICY);
    let edit = client.at("textDocument/rename", pos(POLICY, "general", 2), json!({"newName": "support"}));
    let edits = edit["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), 3);
    let renamed = apply(POLICY, edits);
    assert_eq!(renamed, POLICY.replace("general", "support"));
    let analysis = handoff::analysis::Analysis::new("renamed", renamed);
    assert!(!analysis.has_errors(), "{:?}", analysis.problems);

    let edit = client.at("textDocument/rename", pos(POLICY, "asked or", 0), json!({"newName": "wants_person"}));
    assert_eq!(
        apply(POLICY, edit["changes"][URI].as_array().unwrap()),
        POLICY.replace("asked or", "wants_person or").replace("let asked", "let wants_person")
    );

    let prepare = client.at("textDocument/prepareRename", pos(POLICY, "invoice {", 0), json!({}));
    assert_eq!(prepare["placeholder"], "invoice");
    // Not to a reserved word, nor onto another queue, nor a built-in.
    for (needle, new) in [("asked", "mentions"), ("billing", "general"), ("asked", "turns")] {
        let (line, character) = pos(POLICY, needle, 0);
        let r = client.send_request(
            "textDocument/rename",
            json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}, "newName": new}),
        );
        assert!(r.response_result.is_err(), "renaming {needle} to {new}: {r:?}");
    }
    assert_eq!(client.at("textDocument/prepareRename", pos(POLICY, "sentiment", 0), json!({})), Value::Null);
}

#[test]
fn completion_inside_a_when() {
    let text = POLICY.replace("rule invoice {\n  when customer.any", "rule invoice {\n  when customer.");
    let mut client = Client::start();
    // Typing breaks the syntax: names come from the version before, which parsed.
    client.open(POLICY);
    client.change(2, json!([{"text": text}]));
    let labels = |v: Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
    };
    let (line, col) = pos(&text, "customer. mentions", 0);
    let windows = labels(client.at("textDocument/completion", (line, col + 9), json!({})));
    assert_eq!(windows, ["last", "last N", "any", "within DURATION"]);
    // After `when `: built-ins with their parameters, lets, roles and keywords.
    let (line, col) = pos(&text, "when customer.", 0);
    let items = client.at("textDocument/completion", (line, col + 5), json!({}));
    let all = labels(items.clone());
    for want in ["sentiment", "repeats", "turns", "asked", "customer", "not", "mentions"] {
        assert!(all.iter().any(|l| l == want), "{want} missing from {all:?}");
    }
    let repeats = items.as_array().unwrap().iter().find(|i| i["label"] == "repeats").unwrap();
    assert_eq!(repeats["insertText"], "repeats(${1:messages})");
    assert_eq!(repeats["detail"], "repeats(messages, similarity: 0.85) -> a number");
    // Queues after `escalate to`, rules after `by`.
    let (line, col) = pos(&text, "general reason", 0);
    assert_eq!(labels(client.at("textDocument/completion", (line, col), json!({}))), ["general", "billing"]);
    let (line, col) = pos(&text, "human\n}", 0);
    assert_eq!(labels(client.at("textDocument/completion", (line, col), json!({}))), ["human", "invoice"]);
}

#[test]
fn completion_of_a_tests_mode() {
    let text = POLICY.replacen("  customer: ", "  mode \n  customer: ", 1);
    assert_ne!(text, POLICY, "the policy has no transcript line");
    let mut client = Client::start();
    client.open(&text);
    let (line, col) = pos(&text, "mode \n", 0);
    let items = client.at("textDocument/completion", (line, col + 5), json!({}));
    let labels: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["live", "finished"]);
    // Elsewhere `mode` is a keyword like the others.
    let (line, col) = pos(&text, "mode \n", 0);
    let items = client.at("textDocument/completion", (line, col), json!({}));
    assert!(items.as_array().unwrap().iter().any(|i| i["label"] == "mode"), "{items}");
}

#[test]
fn formatting_is_handoff_fmt() {
    let messy = "policy \"x\"   version 1\nqueues {\n general \"G\"\n}\nrule human {\nwhen customer.last mentions \"human\"\n   escalate to general\n}\n";
    let mut client = Client::start();
    client.open(messy);
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let formatted = apply(messy, edits.as_array().unwrap());
    let ast = handoff::syntax::parse_policy(messy).unwrap();
    assert_eq!(formatted, handoff::syntax::fmt::format_policy(&ast, messy));
    assert!(
        formatted.contains("\nrule human {\n  when customer.last mentions \"human\"\n  escalate to general\n}\n"),
        "{formatted}"
    );
    // Formatted text needs no edit.
    client.change(2, json!([{"text": formatted}]));
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]));
}

#[test]
fn an_edit_sequence_introduces_and_fixes_an_error() {
    let mut client = Client::start();
    assert_eq!(client.open(POLICY), Vec::<Value>::new());
    // Type a letter into `general` after the emoji of the reason... before it: `generawl`.
    let (line, col) = pos(POLICY, "l reason", 0);
    let at = json!({"line": line, "character": col});
    let broken = client.change(2, json!([{"range": {"start": at, "end": at}, "text": "w"}]));
    assert_eq!(broken.len(), 1, "{broken:#?}");
    assert_eq!(broken[0]["code"], "handoff::check::unknown_queue");
    assert_eq!(broken[0]["range"]["start"], json!({"line": line, "character": col - 6}));
    assert_eq!(broken[0]["range"]["end"], json!({"line": line, "character": col + 2}));
    // A quick fix takes the did-you-mean.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": broken[0]["range"], "context": {"diagnostics": broken}}),
    );
    assert_eq!(actions[0]["title"], "Change to `general`");
    assert_eq!(actions[0]["kind"], "quickfix");
    // Two edits in one notification, the second after non-ASCII text on the same line:
    // delete the `w`, then change the reason's text after the emoji.
    let end = json!({"line": line, "character": col + 1});
    let (rline, rcol) = pos(POLICY, " asked\"", 0);
    let after_emoji = json!({"line": rline, "character": rcol});
    let fixed = client.change(
        3,
        json!([
            {"range": {"start": at, "end": end}, "text": ""},
            {"range": {"start": after_emoji, "end": {"line": rline, "character": rcol + 6}}, "text": " wants a person"},
        ]),
    );
    assert_eq!(fixed, Vec::<Value>::new());
    let hover = client.at("textDocument/hover", pos(POLICY, "human\n}", 0), json!({}));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("reason \"😀 wants a person\""), "{hover}");
    // Breaking the syntax and mending it, character by character.
    let (line, col) = pos(POLICY, "{\n  when asked", 0);
    let brace = json!({"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 1}});
    let broken = client.change(4, json!([{"range": brace, "text": ""}]));
    assert_eq!(broken[0]["code"], "handoff::syntax::unexpected");
    let start = json!({"start": {"line": line, "character": col}, "end": {"line": line, "character": col}});
    assert_eq!(client.change(5, json!([{"range": start, "text": "{"}])), Vec::<Value>::new());
}

#[test]
fn failing_inline_tests_are_reported_on_their_block_after_save() {
    let text = POLICY.replace("expect escalate to general by human", "expect escalate to billing");
    let mut client = Client::start();
    assert_eq!(client.open(&text), Vec::<Value>::new());
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": URI}}));
    let after_save = client.diagnostics();
    assert_eq!(after_save.len(), 1, "{after_save:#?}");
    let failed = &after_save[0];
    assert_eq!(failed["code"], "handoff::test::failed");
    let (line, col) = pos(&text, "test \"a person\"", 0);
    assert_eq!(failed["range"]["start"], json!({"line": line, "character": col}));
    assert_eq!(failed["range"]["end"], json!({"line": line, "character": col + 15}));
    let message = failed["message"].as_str().unwrap();
    assert!(message.contains("billing") && message.contains("general"), "{message}");
    // An edit above the test moves the report with it; fixing and saving clears it.
    let top = json!({"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}});
    let moved = client.change(2, json!([{"range": top, "text": "# a comment\n"}]));
    assert_eq!(moved[0]["range"]["start"]["line"], line + 1);
    let (eline, ecol) = pos(&text, "billing\n}", 1);
    let billing =
        json!({"start": {"line": eline + 1, "character": ecol}, "end": {"line": eline + 1, "character": ecol + 7}});
    client.change(3, json!([{"range": billing, "text": "general"}]));
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": URI}}));
    assert_eq!(client.diagnostics(), Vec::<Value>::new());
}

#[test]
fn symbols_and_folding() {
    let mut client = Client::start();
    client.open(POLICY);
    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": URI}}));
    let names: Vec<&str> = symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["queues", "asked", "human", "invoice", "a person"]);
    assert_eq!(symbols[0]["children"][1]["name"], "billing");
    let folds = client.request("textDocument/foldingRange", json!({"textDocument": {"uri": URI}}));
    let lines: Vec<(u64, u64)> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["startLine"].as_u64().unwrap(), f["endLine"].as_u64().unwrap()))
        .collect();
    assert_eq!(lines, [(2, 5), (9, 12), (14, 17), (19, 22)]);
}

#[test]
fn a_quick_fix_closes_an_unclosed_string() {
    let text = POLICY.replace("reason \"😀 asked\"", "reason \"😀 asked");
    let mut client = Client::start();
    let diagnostics = client.open(&text);
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": diagnostics[0]["range"], "context": {"diagnostics": diagnostics}}),
    );
    assert_eq!(actions[0]["title"], "Close the string", "{diagnostics:#?}");
    let fixed = apply(&text, &[actions[0]["edit"]["changes"][URI][0].clone()]);
    assert_eq!(fixed, POLICY);
}

#[test]
fn requests_about_unknown_documents_and_methods_are_errors() {
    let mut client = Client::start();
    let r = client.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere"}, "position": {"line": 0, "character": 0}}),
    );
    assert!(r.response_result.is_err());
    let r = client.send_request("workspace/unheardOf", json!({}));
    assert_eq!(r.response_result.unwrap_err().code, lsp_server::ErrorCode::MethodNotFound as i32);
}

#[test]
fn the_binary_serves_over_stdio() {
    use std::io::BufReader;
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["lsp", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut send = |m: Message| m.write(&mut stdin).unwrap();
    send(Request::new(RequestId::from(1), "initialize".into(), json!({"capabilities": {}})).into());
    let Some(Message::Response(init)) = Message::read(&mut stdout).unwrap() else { panic!("no answer") };
    assert_eq!(init.response_result.unwrap()["serverInfo"]["name"], "handoff");
    send(Notification::new("initialized".into(), json!({})).into());
    let text = POLICY.replace("escalate to billing", "escalate to bililng");
    send(
        Notification::new(
            "textDocument/didOpen".into(),
            json!({"textDocument": {"uri": URI, "languageId": "handoff", "version": 1, "text": text}}),
        )
        .into(),
    );
    let Some(Message::Notification(n)) = Message::read(&mut stdout).unwrap() else { panic!("no diagnostics") };
    assert_eq!(n.params["diagnostics"][0]["range"], range(&text, "bililng", 0));
    send(Request::new(RequestId::from(2), "shutdown".into(), Value::Null).into());
    let Some(Message::Response(_)) = Message::read(&mut stdout).unwrap() else { panic!("no answer to shutdown") };
    send(Notification::new("exit".into(), Value::Null).into());
    assert!(child.wait().unwrap().success());
}
