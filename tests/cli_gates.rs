//! The command line never passes silently: a gate that checked nothing fails and says
//! what it did not find, and exit codes follow the README (0 clean, 1 a failed check,
//! test or gate, 2 usage and I/O).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

mod cli_common;
use cli_common::handoff;

/// A fresh, empty directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-gates-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn replay_that_evaluated_nothing_fails() {
    let dir = scratch("replay-nothing");
    let csv = dir.join("conv.csv");
    std::fs::write(&csv, "id,text\n1,hello\n2,I want a person\n").unwrap();
    let (code, _, err) = handoff(&["replay", "policies/payments.handoff", s(&csv)]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no conversation was evaluated: all 3 record(s) read were rejected"), "{err}");
    let (code, _, err) = handoff(&["replay", "--allow-empty", "policies/payments.handoff", s(&csv)]);
    assert_eq!(code, 0, "asked for: {err}");

    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let (code, _, err) = handoff(&["replay", "policies/payments.handoff", s(&empty)]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no conversation files found in") && err.contains(".jsonl"), "{err}");

    let blank = dir.join("blank.jsonl");
    std::fs::write(&blank, "").unwrap();
    let (code, _, err) = handoff(&["replay", "policies/payments.handoff", s(&blank)]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("the inputs hold no conversation records"), "{err}");
}

#[test]
fn test_check_and_fmt_on_a_folder_without_policies_fail() {
    let dir = scratch("no-policies");
    std::fs::write(dir.join("x.policy"), "# a policy\npolicy \"x\" version 1\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "not a policy\n").unwrap();
    for args in [&["test", "--coverage-min", "100"][..], &["check"], &["fmt", "--check"]] {
        let mut args = args.to_vec();
        args.push(s(&dir));
        let (code, out, err) = handoff(&args);
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert!(err.contains("no policy files found in") && err.contains("handoff::io::no_policies"), "{err}");
        assert!(err.contains("skipped") && err.contains("x.policy") && err.contains("end in `.handoff`"), "{err}");
        assert!(!err.contains("notes.txt"), "only files that look like policies are named: {err}");
        assert!(!out.contains("100.0%"), "{out}");
    }
}

#[test]
fn a_missing_policy_is_printed_once_as_an_io_error() {
    let (code, _, err) = handoff(&["eval", "no/such/policy.handoff", "tests/fixtures/transcripts/good.json"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.matches("no/such/policy.handoff").count(), 1, "{err}");
    assert!(err.contains("handoff::io::unreadable") && !err.contains("handoff::policy::invalid"), "{err}");
    let (code, _, err) = handoff(&["replay", "no/such/policy.handoff", "tests/cases/eval/"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.matches("no/such/policy.handoff").count(), 1, "{err}");
}

#[test]
fn eval_on_a_missing_conversation_is_an_io_error() {
    let (code, _, err) = handoff(&["eval", "policies/payments.handoff", "no/such/conversation.json"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = handoff(&["eval", "policies/payments.handoff", "tests/fixtures/cli/bad_transcript.jsonl"]);
    assert_eq!(code, 1, "a conversation that reads but is wrong fails the check: {err}");
}
