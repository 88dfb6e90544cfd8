//! The command line as a user meets it: output and exit codes of each subcommand,
//! snapshotted over fixture files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::process::Command;

mod cli_common;
use cli_common::handoff;

/// Durations and hashes vary between runs; everything else must not.
fn stable_json(text: &str) -> serde_json::Value {
    fn scrub(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if k == "duration" {
                        *v = serde_json::json!("[duration]");
                    } else if k == "hash" {
                        *v = serde_json::json!("[hash]");
                    } else {
                        scrub(v);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
    scrub(&mut v);
    v
}

#[test]
fn test_runner_text_for_passing_and_failing_suites() {
    let (code, out, err) = handoff(&["test", "tests/fixtures/suites/passing.handoff"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("test_passing_text", out);
    let (code, out, err) = handoff(&["test", "tests/fixtures/suites/"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("test_failing_text", out);
}

/// A test file with `mode finished` tests (and a `mode live` one) passes `handoff test`.
#[test]
fn test_runner_decides_finished_tests() {
    let (code, out, err) = handoff(&["test", "tests/cases/parse/test_modes.handoff"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 passed, 0 failed"), "{out}");
}

#[test]
fn test_runner_json_and_junit() {
    let (code, out, _) = handoff(&["test", "--format", "json", "tests/fixtures/suites/failing.handoff"]);
    assert_eq!(code, 1);
    insta::assert_json_snapshot!("test_failing_json", stable_json(&out));
    let (code, out, _) = handoff(&["test", "--format", "junit", "tests/fixtures/suites/passing.handoff"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("test_passing_junit", stable_junit(&out));
    let (code, out, _) = handoff(&["test", "--format", "junit", "tests/fixtures/suites/failing.handoff"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("test_failing_junit", stable_junit(&out));
    let (code, out, _) = handoff(&["test", "--format", "junit", "tests/fixtures/cli/junit_escapes.handoff"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("test_escapes_junit", stable_junit(&out));
}

/// Durations vary between runs: every `time="..."` attribute reads `time="[t]"`.
fn stable_junit(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(" time=\"") {
        let (head, tail) = rest.split_at(i + 7);
        out.push_str(head);
        out.push_str("[t]");
        rest = &tail[tail.find('"').unwrap()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn coverage_gate_and_filter() {
    let (code, _, err) = handoff(&["test", "--coverage-min", "100", "tests/fixtures/suites/passing.handoff"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) =
        handoff(&["test", "--filter", "passes", "--coverage-min", "50", "tests/fixtures/suites/failing.handoff"]);
    assert_eq!(code, 1, "one rule of three fires under the filter: {out}");
    assert!(err.contains("rule coverage 33.3% is below the minimum 50.0%"), "{err}");
    assert!(out.contains("1 passed, 0 failed"), "{out}");
}

#[test]
fn a_broken_policy_is_a_usage_error_with_diagnostics() {
    let (code, _, err) = handoff(&["test", "tests/fixtures/cli/broken.handoff"]);
    assert_eq!(code, 2);
    assert!(err.contains("handoff::check::unknown_queue") && err.contains("did you mean `general`?"), "{err}");
    let (code, out, _) = handoff(&["check", "--format", "json", "tests/fixtures/cli/broken.handoff"]);
    assert_eq!(code, 1);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    insta::assert_json_snapshot!("check_broken_json", lines);
}

#[test]
fn check_exit_codes() {
    assert_eq!(handoff(&["check", "policies/"]).0, 0);
    assert_eq!(handoff(&["check", "--deny-warnings", "tests/cases/errors/unused_let.handoff"]).0, 1);
    assert_eq!(handoff(&["check", "tests/cases/errors/unused_let.handoff"]).0, 0);
    assert_eq!(handoff(&["check", "no/such/path.handoff"]).0, 2);
    assert_eq!(handoff(&["check"]).0, 2);
}

/// A policy that cannot be read is named with its own code and plain words, for every
/// subcommand that reads one; never as a syntax error in the policy.
#[test]
fn an_unreadable_policy_is_an_io_problem_not_a_syntax_error() {
    let (code, _, err) = handoff(&["eval", "no/such/policy.handoff", "tests/fixtures/transcripts/good.json"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("eval_missing_policy", err);
    let (code, _, err) = handoff(&["check", "no/such/path.handoff"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("check_missing_policy", err);

    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-unreadable");
    std::fs::create_dir_all(&dir).unwrap();
    let latin1 = dir.join("latin1.handoff");
    std::fs::write(&latin1, b"policy \"caf\xe9\" version 1\n").unwrap();
    for command in ["check", "test", "fmt"] {
        let (code, _, err) = handoff(&[command, latin1.to_str().unwrap()]);
        assert_eq!(code, 2, "{command}: {err}");
        assert!(err.contains("handoff::io::unreadable") && err.contains("it is not UTF-8 text"), "{command}: {err}");
        assert!(!err.contains("invalid_literal"), "{command}: {err}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn fmt_check_reports_unformatted_files() {
    assert_eq!(handoff(&["fmt", "--check", "policies/"]).0, 0);
    let (code, _, err) = handoff(&["fmt", "--check", "tests/cases/parse/messy_whitespace.handoff"]);
    assert_eq!(code, 1);
    assert!(err.contains("not formatted"), "{err}");
}

#[test]
fn eval_names_the_file_line_and_field_of_a_bad_transcript() {
    let (code, _, err) = handoff(&["eval", "policies/payments.handoff", "tests/fixtures/cli/bad_transcript.jsonl"]);
    assert_eq!(code, 1);
    assert!(err.contains("bad_transcript.jsonl: line 2: messages[1].role: unknown role \"bott\""), "{err}");
}

/// `handoff eval` of the payments policy on its dispute scenario, with `extra`
/// arguments: (exit code, stdout, stderr).
fn eval_dispute(extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["eval", "policies/payments.handoff", "tests/cases/eval/payment_dispute.json"];
    args.extend_from_slice(extra);
    handoff(&args)
}

#[test]
fn eval_explains_in_text_and_json() {
    let (code, out, err) = eval_dispute(&["--format", "json", "--explain"]);
    assert_eq!(code, 0, "{err}");
    let v = stable_json(out.trim());
    assert_eq!(v["decision"]["action"], "escalate");
    assert_eq!(v["decision"]["queue"], "disputes");
    assert_eq!(v["decision"]["at_message"], 1);
    assert_eq!(v["explanation"]["message"], 1);
    let (code, out, _) = handoff(&[
        "eval",
        "policies/payments.handoff",
        "tests/cases/eval/dispute_after_hours.json",
        "--context",
        "tests/cases/eval/dispute_after_hours.context",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("escalate to general (fallback: disputes is closed)"), "{out}");
    assert!(out.contains("flags: callback-next-business-day"), "{out}");
}

/// `--explain` explains the decision of the mode asked for: finished, the dispute
/// rule fires at the last message and the explanation is of that state (live, it
/// fires at message 1, as above).
#[test]
fn eval_explains_a_finished_conversation() {
    let (code, out, err) = eval_dispute(&["--format", "json", "--explain", "--mode", "finished"]);
    assert_eq!(code, 0, "{err}");
    let v = stable_json(out.trim());
    assert_eq!(v["decision"]["action"], "escalate");
    assert_eq!(v["decision"]["queue"], "disputes");
    assert_eq!(v["decision"]["at_message"], 4);
    assert_eq!(v["explanation"]["message"], 4);
    let rules = v["explanation"]["rules"].as_array().unwrap();
    let dispute = rules.iter().find(|r| r["rule"] == "dispute").unwrap();
    assert_eq!(dispute["fired_at"], 4);
    assert_eq!(dispute["condition"]["value"], "true");
    let (code, out, err) = eval_dispute(&["--explain", "--mode", "finished"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("explanation at message 4:"), "{out}");
    assert!(out.contains("rule dispute (fired at message 4)"), "{out}");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    // Thousands of warnings: more than a pipe holds, so the writer meets the closed end.
    let dir = std::env::temp_dir().join(format!("handoff-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut policy = String::from("policy \"p\" version 1\nqueues {\n  general \"General\"\n}\n");
    for i in 0..3000 {
        policy.push_str(&format!("rule r{i} {{\n  when turns > 1\n  escalate to general reason \"x\"\n}}\n"));
    }
    let path = dir.join("many.handoff");
    std::fs::write(&path, policy).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["check", "--format", "json"])
        .arg(&path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away, as `| head` does
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}
