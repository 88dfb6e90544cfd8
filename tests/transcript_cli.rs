//! The binary on conversations with mistakes and on exports: `eval` warns about
//! unknown fields, `replay` counts them (and `--strict-fields` rejects them),
//! `import` converts an export that `replay` then reads.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn handoff(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-transcript-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const POLICY: &str = "policies/payments.handoff";

const TYPO: &str = r#"{"id": "typo", "custmer": {"tier": "gold"}, "messages": [{"role": "customer", "text": "where is my parcel", "sentimnet": -0.9}]}"#;
const CLEAN: &str = r#"{"id": "clean", "messages": [{"role": "customer", "text": "where is my parcel"}]}"#;

#[test]
fn eval_warns_with_did_you_mean() {
    let file = scratch("typo.json", TYPO);
    let out = handoff(&["eval", POLICY, file.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("messages[0].sentimnet: unknown field `sentimnet` is ignored; did you mean `sentiment`?"),
        "{stderr}"
    );
    assert!(stderr.contains("custmer") && stderr.contains("did you mean `customer`?"), "{stderr}");
    let out = handoff(&["eval", POLICY, file.to_str().unwrap(), "--format", "json"], None);
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["warnings"].as_array().unwrap().len(), 2, "{line}");
}

#[test]
fn replay_counts_unknown_fields_and_strict_fields_rejects_them() {
    let corpus = scratch("mixed.jsonl", &format!("{TYPO}\n{CLEAN}\n{TYPO}\n"));
    let out = handoff(&["replay", POLICY, corpus.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("read 3 = evaluated 3 + rejected 0"), "{stdout}");
    assert!(stdout.contains("unknown fields: 4 in 2 records"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("did you mean `sentiment`?").count(), 2, "{stderr}");
    let json = handoff(&["replay", POLICY, corpus.to_str().unwrap(), "--format", "json"], None);
    let summary: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!((summary["unknown_fields"].as_u64(), summary["with_unknown_fields"].as_u64()), (Some(4), Some(2)));
    let strict = handoff(&["replay", POLICY, corpus.to_str().unwrap(), "--strict-fields"], None);
    let stdout = String::from_utf8_lossy(&strict.stdout);
    assert!(stdout.contains("read 3 = evaluated 1 + rejected 2"), "{stdout}");
    let stderr = String::from_utf8_lossy(&strict.stderr);
    assert!(stderr.contains("mixed.jsonl: line 1") && stderr.contains("custmer"), "{stderr}");
}

#[test]
fn import_then_replay() {
    let imported = handoff(&["import", "zendesk", "tests/fixtures/import/zendesk.jsonl"], None);
    assert_eq!(imported.status.code(), Some(0), "{}", String::from_utf8_lossy(&imported.stderr));
    assert!(String::from_utf8_lossy(&imported.stderr).contains("imported 2 conversations, rejected 0 (of 2 records)"));
    let replayed = handoff(&["replay", POLICY, "-"], Some(&imported.stdout));
    let stdout = String::from_utf8_lossy(&replayed.stdout);
    assert!(stdout.contains("read 2 = evaluated 2 + rejected 0"), "{stdout}");
    // A rejected record makes the exit code 1, and the rest are still written.
    let out = handoff(&["import", "chat", "tests/fixtures/import/chat.jsonl", "--default-zone", "UTC"], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("chat.jsonl: line 4: messages[0].role: unknown role \"robot\""), "{stderr}");
    let bad = handoff(&["import", "chat", "-", "--roles", "user=person"], Some(b""));
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--roles"));
}
