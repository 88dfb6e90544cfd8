//! A `--context` file is checked against the policy before anything uses it: `check
//! --context`, `eval` and `replay` name each mistake with the file, line and field, in
//! plain words, and exit 1; `serve` does not start (2, as for its other settings).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

mod cli_common;
use cli_common::handoff;

/// A fresh directory holding a policy, a conversation and `ctx.json` with `context`.
fn scratch(test: &str, context: &str) -> (PathBuf, [String; 3]) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-context-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let policy = "policy \"p\" version 1\nqueues {\n  general \"General support\"\n  billing \"Billing\"\n}\nrule human {\n  when customer.last mentions [\"human\"] unless negated\n  escalate to general fallback billing\n}\n";
    std::fs::write(dir.join("p.handoff"), policy).unwrap();
    std::fs::write(dir.join("c.json"), r#"{"id":"c1","messages":[{"role":"customer","text":"human please"}]}"#)
        .unwrap();
    std::fs::write(dir.join("ctx.json"), context).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let files = [path("p.handoff"), path("c.json"), path("ctx.json")];
    (dir, files)
}

const MISTAKES: &str = r#"{
  "now": "2026-03-02T10:15:00",
  "timezon": "Europe/Paris",
  "queues": {
    "generl": { "open": false },
    "billing": { "hours": "Mon-Fri 9-17", "opne": true }
  }
}
"#;

/// Each mistake, where it is (file:line:column) and the words that say how to fix it.
const LOCATED: &[(&str, &str)] = &[
    ("ctx.json:2:10]", "add an offset such as `Z` or `+01:00`"),
    ("ctx.json:3:3]", "did you mean `timezone`?"),
    ("ctx.json:5:5]", "did you mean `general`?"),
    ("ctx.json:6:27]", "\"9\" is not a time such as 09:30"),
    ("ctx.json:6:43]", "did you mean `open`?"),
];

fn assert_located(err: &str) {
    for (at, help) in LOCATED {
        assert!(err.contains(at) && err.contains(help), "`{at}` with `{help}` missing from:\n{err}");
    }
    assert!(err.contains("handoff::context::invalid"), "{err}");
}

#[test]
fn check_finds_every_mistake_of_a_context_file() {
    let (_dir, [policy, _, ctx]) = scratch("check", MISTAKES);
    let (code, _, err) = handoff(&["check", &policy, "--context", &ctx]);
    assert_eq!(code, 1, "{err}");
    assert_located(&err);
    assert!(err.contains("checked 1 file(s): 5 error(s)"), "{err}");

    let (code, out, _) = handoff(&["check", &policy, "--context", &ctx, "--format", "json"]);
    assert_eq!(code, 1);
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["file"], ctx.as_str());
    assert_eq!((first["line"].as_u64(), first["column"].as_u64()), (Some(2), Some(10)));
    assert_eq!(first["code"], "handoff::context::invalid");
}

#[test]
fn eval_and_replay_check_the_context_before_using_it() {
    let (_dir, [policy, conversation, ctx]) = scratch("eval", MISTAKES);
    let (code, out, err) = handoff(&["eval", &policy, &conversation, "--context", &ctx]);
    assert_eq!(code, 1, "{out}{err}");
    assert_located(&err);
    assert!(out.is_empty(), "no decision from a context with mistakes: {out}");
    let (code, _, err) = handoff(&["replay", &policy, &conversation, "--context", &ctx]);
    assert_eq!(code, 1, "{err}");
    assert_located(&err);
}

#[test]
fn serve_does_not_start_with_a_context_that_has_mistakes() {
    let (_dir, [policy, _, ctx]) = scratch("serve", MISTAKES);
    let (code, _, err) = handoff(&["serve", "--policy", &policy, "--bind", "127.0.0.1:0", "--context", &ctx]);
    assert_eq!(code, 2, "{err}");
    assert_located(&err);
    assert!(err.contains("the --context file cannot be used"), "{err}");
}

#[test]
fn a_good_context_passes_and_text_that_is_not_json_is_located() {
    let good = r#"{"now": "2026-03-02T10:15:00+01:00", "timezone": "Europe/Paris", "queues": {"billing": {"hours": "Mon-Fri 09:00-17:00", "agents_free": 2}}}"#;
    let (_dir, [policy, conversation, ctx]) = scratch("good", good);
    let (code, _, err) = handoff(&["check", &policy, "--context", &ctx]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = handoff(&["eval", &policy, &conversation, "--context", &ctx]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("escalate to general"), "{out}");

    let (_dir, [policy, _, ctx]) = scratch("not-json", "{\n  \"now\": \"2026-03-02T10:15:00Z\",\n}\n");
    let (code, _, err) = handoff(&["check", &policy, "--context", &ctx]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("ctx.json:3:1]") && err.contains("this context is not JSON: trailing comma"), "{err}");
}
