//! `handoff lsp` on a generated 1,000-rule policy: from an incremental edit sent by the
//! editor to the diagnostics published for it (parse, check, convert, JSON both ways),
//! the server on its own thread over an in-memory connection. Target: under 50 ms.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

#[path = "support/generated_policy.rs"]
mod generated_policy;

const URI: &str = "file:///bench/generated.handoff";

/// The number of errors in the next diagnostics published (the generated policy has warnings).
fn next_errors(client: &Connection) -> usize {
    loop {
        match client.receiver.recv_timeout(Duration::from_secs(60)) {
            Ok(Message::Notification(n)) if n.method == "textDocument/publishDiagnostics" => {
                let all = n.params["diagnostics"].as_array().cloned().unwrap_or_default();
                return all.iter().filter(|d| d["severity"] == 1).count();
            }
            Ok(_) => {}
            Err(e) => panic!("no diagnostics: {e}"),
        }
    }
}

fn bench(c: &mut Criterion) {
    let text = generated_policy::generated_policy(1000);
    // The edit: `escalate to q0` of the last rule becomes `q0x` (an unknown queue) and back.
    let line = text.lines().position(|l| l == "  escalate to q0").expect("the last rule's outcome") as u32;
    let at = |c: u32| json!({"line": line, "character": c});

    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || handoff::lsp::serve(&server).map_err(|e| e.to_string()));
    let send = |m: Message| client.sender.send(m).expect("the server is running");
    send(Request::new(RequestId::from(1), "initialize".into(), json!({"capabilities": {}})).into());
    let _ = client.receiver.recv();
    send(Notification::new("initialized".into(), json!({})).into());
    let open = json!({"textDocument": {"uri": URI, "languageId": "handoff", "version": 1, "text": text}});
    send(Notification::new("textDocument/didOpen".into(), open).into());
    assert_eq!(next_errors(&client), 0, "the generated policy has errors");

    let mut version = 1;
    let mut edit = |change: Value| {
        version += 1;
        let params = json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [change]});
        send(Notification::new("textDocument/didChange".into(), params).into());
        next_errors(&client)
    };
    // Each iteration is one edit: breaking the queue's name, then mending it.
    let mut broken = false;
    c.bench_function("lsp: 1000-rule policy, edit to diagnostics", |b| {
        b.iter(|| {
            if broken {
                assert_eq!(edit(json!({"range": {"start": at(16), "end": at(17)}, "text": ""})), 0);
            } else {
                assert_eq!(edit(json!({"range": {"start": at(16), "end": at(16)}, "text": "x"})), 1);
            }
            broken = !broken;
        })
    });

    // The same policy parsed and checked alone, in the same run: what the server adds is the difference.
    let broken_text = text.replacen("  escalate to q0\n}", "  escalate to q0x\n}", 1);
    assert!(broken_text != text);
    let mut which = false;
    c.bench_function("lsp: 1000-rule policy, parse and check alone", |b| {
        b.iter(|| {
            which = !which;
            handoff::Analysis::new("g", if which { broken_text.as_str() } else { text.as_str() })
        })
    });

    send(Request::new(RequestId::from(2), "shutdown".into(), Value::Null).into());
    send(Notification::new("exit".into(), Value::Null).into());
    let _ = thread.join();
}

criterion_group!(benches, bench);
criterion_main!(benches);
