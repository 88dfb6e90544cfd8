//! `handoff replay`: the engine on fixture corpora, and the binary end to end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use handoff::replay::{Corpus, Event, GroupBy, Replay, ReplayOptions, Summary};
use handoff::Policy;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay").join(name)
}

fn policy(name: &str) -> Policy {
    Policy::load(fixture(name)).unwrap()
}

/// Runs the engine and collects the ids (or rejection messages) in event order.
fn replay(inputs: &[PathBuf], baseline: Option<&Policy>, options: ReplayOptions) -> (Summary, Vec<String>) {
    let policy = policy("payments.handoff");
    let engine = Replay::new(&policy, baseline, options).unwrap();
    let mut seen = Vec::new();
    let summary = engine
        .run(&Corpus::open(inputs).unwrap(), |event| {
            match event {
                Event::Evaluated(e) => seen.push(format!("{} {}", e.id, e.decision.label())),
                Event::Rejected(err) => seen.push(format!("rejected {err}")),
                Event::Progress { .. } => {}
            }
            Ok(())
        })
        .unwrap();
    (summary, seen)
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-replay-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn handoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff")).args(args).stdin(Stdio::null()).output().unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn counts_add_up_and_rules_name_their_first_examples() {
    let (s, seen) = replay(&[fixture("corpus.jsonl")], None, ReplayOptions::default());
    assert_eq!((s.read, s.evaluated, s.rejected), (12, 12, 0));
    assert_eq!(
        (s.actions.escalate.count, s.actions.offer.count, s.actions.flag.count, s.actions.none.count),
        (6, 1, 0, 5)
    );
    assert_eq!(s.containment.count, 5);
    assert!((s.containment.rate - 5.0 / 12.0).abs() < 1e-12);
    let rule = |name: &str| s.rules.iter().find(|r| r.rule == name).unwrap();
    assert_eq!((rule("human_on_request").fired.count, rule("human_on_request").decided.count), (3, 3));
    assert_eq!(rule("human_on_request").examples, ["c01", "c10", "c11"]);
    // c11 asks for an agent about an unauthorised charge: both fire, the first rule written decides.
    assert_eq!((rule("disputes").fired.count, rule("disputes").decided.count), (3, 2));
    assert_eq!(rule("looping").examples, ["c04"]);
    let queue = |name: &str| s.queues.iter().find(|q| q.queue == name).unwrap();
    assert_eq!((queue("general").escalated.count, queue("general").offered.count), (4, 1));
    assert_eq!(queue("disputes").escalated.count, 2);
    // Escalations at messages 1, 1, 1 (c01, c08, c11), 3 (c03), 4 (c04), 5 (c10).
    assert_eq!((s.escalation_message.median, s.escalation_message.p90), (Some(1), Some(5)));
    let histogram: Vec<(&str, u64)> =
        s.escalation_message.histogram.iter().map(|b| (b.message.as_str(), b.count)).collect();
    assert_eq!(histogram, [("1", 3), ("2", 0), ("3", 1), ("4", 1), ("5", 1)]);
    assert_eq!(seen.first().map(String::as_str), Some("c01 escalate:general"));
    assert_eq!(seen.get(2).map(String::as_str), Some("c03 escalate:disputes"));
}

#[test]
fn bad_records_are_reported_with_line_and_reason_and_skipped() {
    let (s, seen) = replay(&[fixture("bad.jsonl")], None, ReplayOptions::default());
    assert_eq!((s.read, s.evaluated, s.rejected), (9 - 1, 5, 3));
    assert_eq!(s.read, s.evaluated + s.rejected);
    let rejected: Vec<&String> = seen.iter().filter(|l| l.starts_with("rejected")).collect();
    assert_eq!(rejected.len(), 3);
    let bad = fixture("bad.jsonl").display().to_string();
    assert!(rejected[0].contains(&format!("{bad}: line 3, column")), "{}", rejected[0]);
    assert!(rejected[0].contains("invalid JSON"), "{}", rejected[0]);
    assert!(
        rejected[1].contains(&format!("{bad}: line 5: messages[0].role: unknown role \"robot\"")),
        "{}",
        rejected[1]
    );
    assert!(rejected[2].contains(&format!("{bad}: line 8")) && rejected[2].contains("missing field \"messages\""));
    // The good records around them are still evaluated, in order.
    let ids: Vec<&str> = seen.iter().filter(|l| !l.starts_with("rejected")).map(|l| &l[..3]).collect();
    assert_eq!(ids, ["c01", "c02", "c03", "c04", "c05"]);
}

#[test]
fn gzip_and_directories_read_the_same_conversations() {
    let (plain, plain_seen) = replay(&[fixture("corpus.jsonl")], None, ReplayOptions::default());
    let (gz, gz_seen) = replay(&[fixture("corpus.jsonl.gz")], None, ReplayOptions::default());
    // dir/ holds a.json (one pretty-printed conversation), b.jsonl and nested/c.jsonl; notes.txt is skipped.
    let (dir, dir_seen) = replay(&[fixture("dir")], None, ReplayOptions::default());
    assert_eq!(plain, gz);
    assert_eq!(plain, dir);
    assert_eq!(plain_seen, gz_seen);
    assert_eq!(plain_seen, dir_seen);
}

#[test]
fn results_do_not_depend_on_threads_or_chunk_size() {
    let inputs = [fixture("corpus.jsonl"), fixture("bad.jsonl"), fixture("corpus.jsonl.gz")];
    let baseline = policy("baseline.handoff");
    let run = |threads, chunk_size| {
        let options = ReplayOptions {
            threads,
            chunk_size,
            group_by: Some("metadata.label".parse().unwrap()),
            ..ReplayOptions::default()
        };
        replay(&inputs, Some(&baseline), options)
    };
    let one = run(1, 1024);
    assert_eq!(one.0.read, 12 + 8 + 12);
    for (threads, chunk) in [(2, 1024), (2, 1), (2, 3), (4, 5)] {
        assert_eq!(one, run(threads, chunk), "threads {threads}, chunk {chunk}");
    }
}

#[test]
fn baseline_diff_lists_transitions_with_examples() {
    let baseline = policy("baseline.handoff");
    let (s, _) = replay(&[fixture("corpus.jsonl")], Some(&baseline), ReplayOptions::default());
    let diff = s.diff.unwrap();
    assert_eq!(diff.changed.count, 3);
    let transitions: Vec<(&str, &str, u64, Vec<&str>)> = diff
        .transitions
        .iter()
        .map(|t| (t.from.as_str(), t.to.as_str(), t.count, t.examples.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        transitions,
        [("escalate:general", "escalate:disputes", 2, vec!["c03", "c08"]), ("none", "offer:general", 1, vec!["c05"]),]
    );
    let general = diff.queues.iter().find(|q| q.queue == "general").unwrap();
    assert_eq!((general.baseline.count, general.policy.count), (6, 4));
    assert!((general.change + 2.0 / 12.0).abs() < 1e-12);
    assert_eq!(diff.baseline_actions.escalate.count, 6);
}

#[test]
fn group_by_splits_rates_and_counts_array_values_in_each_group() {
    let dir = scratch("groups");
    let file = dir.join("multi.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id":"m1","metadata":{"label":["refund","handoff"]},"messages":[{"role":"customer","text":"refund now, get me a human"}]}"#,
            "\n",
            r#"{"id":"m2","metadata":{"label":["refund"]},"messages":[{"role":"customer","text":"refund please"}]}"#,
            "\n",
            r#"{"id":"m3","messages":[{"role":"customer","text":"hello"}]}"#,
            "\n"
        ),
    )
    .unwrap();
    let options = ReplayOptions { group_by: Some("metadata.label".parse().unwrap()), ..ReplayOptions::default() };
    let (s, _) = replay(&[file], None, options);
    let groups: Vec<(&str, u64, u64)> =
        s.groups.iter().map(|g| (g.group.as_str(), g.conversations, g.actions.escalate.count)).collect();
    assert_eq!(groups, [("(none)", 1, 0), ("handoff", 1, 1), ("refund", 2, 1)]);
    assert!("label".parse::<GroupBy>().is_err());
    assert!("metadata".parse::<GroupBy>().is_err());
    assert!("customer.tier".parse::<GroupBy>().is_ok());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn max_errors_stops_early_and_names_the_limit() {
    let policy = policy("payments.handoff");
    let options = ReplayOptions { max_errors: Some(1), chunk_size: 2, ..ReplayOptions::default() };
    let engine = Replay::new(&policy, None, options).unwrap();
    let err = engine.run(&Corpus::open(&[fixture("bad.jsonl")]).unwrap(), |_| Ok(())).unwrap_err();
    assert_eq!(err.to_string(), "stopped after 2 rejected records (--max-errors 1); read 4, evaluated 2");
}

#[test]
fn cli_prints_tables_and_reports_bad_records_on_stderr() {
    let out = handoff(&["replay", path(&fixture("payments.handoff")), path(&fixture("bad.jsonl"))]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("read 8 = evaluated 5 + rejected 3"), "{stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    assert!(lines.iter().all(|l| l.starts_with("rejected: ")));
    assert!(lines[1].contains("bad.jsonl: line 5: messages[0].role: unknown role"), "{stderr}");
}

#[test]
fn cli_output_is_identical_for_one_and_two_threads() {
    let dir = scratch("threads");
    let run = |threads: &str| {
        let decisions = dir.join(format!("decisions-{threads}.jsonl"));
        let out = handoff(&[
            "replay",
            path(&fixture("payments.handoff")),
            path(&fixture("corpus.jsonl")),
            path(&fixture("bad.jsonl")),
            path(&fixture("dir")),
            "--baseline",
            path(&fixture("baseline.handoff")),
            "--format",
            "json",
            "--threads",
            threads,
            "--decisions",
            path(&decisions),
        ]);
        assert_eq!(out.status.code(), Some(0));
        // stderr says where the decisions went: the one part that differs by design.
        let stderr = String::from_utf8_lossy(&out.stderr).replace(path(&decisions), "[decisions]");
        (out.stdout, stderr, std::fs::read_to_string(decisions).unwrap())
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let summary: serde_json::Value = serde_json::from_slice(&one.0).unwrap();
    assert_eq!(summary["read"], 32);
    assert_eq!(summary["evaluated"], 29);
    assert_eq!(summary["rejected"], 3);
    let lines: Vec<serde_json::Value> = one.2.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 29);
    assert_eq!(lines[0]["id"], "c01");
    assert_eq!(lines[0]["decision"]["action"], "escalate");
    assert_eq!(lines[2]["decision"]["queue"], "disputes");
    assert_eq!(lines[2]["baseline"]["queue"], "general");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn cli_fail_if_changed_gates_on_the_share_of_changed_decisions() {
    let gate = |pct: &str| {
        handoff(&[
            "replay",
            path(&fixture("payments.handoff")),
            path(&fixture("corpus.jsonl")),
            "--baseline",
            path(&fixture("baseline.handoff")),
            "--fail-if-changed",
            pct,
        ])
    };
    // 3 of 12 decisions changed: 25%.
    assert_eq!(gate("30").status.code(), Some(0));
    assert_eq!(gate("25").status.code(), Some(0));
    let failed = gate("20");
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8(failed.stderr).unwrap();
    assert!(stderr.contains("25.00% of decisions changed (3 of 12), more than --fail-if-changed 20%"), "{stderr}");
    let without_baseline = handoff(&[
        "replay",
        path(&fixture("payments.handoff")),
        path(&fixture("corpus.jsonl")),
        "--fail-if-changed",
        "5",
    ]);
    assert_eq!(without_baseline.status.code(), Some(2));
}

#[test]
fn cli_max_errors_exits_1_with_a_clear_message() {
    let run = |n: &str| {
        handoff(&["replay", path(&fixture("payments.handoff")), path(&fixture("bad.jsonl")), "--max-errors", n])
    };
    let stopped = run("2");
    assert_eq!(stopped.status.code(), Some(1));
    let stderr = String::from_utf8(stopped.stderr).unwrap();
    assert!(
        stderr.contains("error: stopped after 3 rejected records (--max-errors 2); read 7, evaluated 4"),
        "{stderr}"
    );
    assert!(stopped.stdout.is_empty());
    assert_eq!(run("3").status.code(), Some(0));
}

#[test]
fn cli_reads_stdin_and_gzip_on_stdin() {
    for file in ["corpus.jsonl", "corpus.jsonl.gz"] {
        let child = Command::new(env!("CARGO_BIN_EXE_handoff"))
            .args(["replay", path(&fixture("payments.handoff")), "-", "--format", "json"])
            .stdin(std::fs::File::open(fixture(file)).unwrap())
            .output()
            .unwrap();
        assert_eq!(child.status.code(), Some(0));
        let summary: serde_json::Value = serde_json::from_slice(&child.stdout).unwrap();
        assert_eq!((summary["read"].as_u64(), summary["actions"]["escalate"]["count"].as_u64()), (Some(12), Some(6)));
        // Not a terminal: no progress bar, nothing at all on stderr.
        assert!(child.stderr.is_empty(), "{}", String::from_utf8_lossy(&child.stderr));
    }
}

#[test]
fn cli_exports_escalated_conversations_with_their_decisions() {
    let dir = scratch("export");
    let export = dir.join("escalated.jsonl");
    let out = handoff(&[
        "replay",
        path(&fixture("payments.handoff")),
        path(&fixture("corpus.jsonl")),
        "--export",
        path(&export),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&export).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["conversation"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["c01", "c03", "c04", "c08", "c10", "c11"]);
    // The whole conversation, ready to be read back, and the decision with its evidence.
    let back: handoff::Conversation = serde_json::from_value(lines[1]["conversation"].clone()).unwrap();
    assert_eq!(back.messages.len(), 3);
    assert_eq!(lines[1]["decision"]["rule"], "disputes");
    assert_eq!(lines[1]["decision"]["rules"][0]["evidence"][0]["kind"], "pattern");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn cli_writes_a_self_contained_html_report() {
    let dir = scratch("html");
    let html = dir.join("report.html");
    let out = handoff(&[
        "replay",
        path(&fixture("payments.handoff")),
        path(&fixture("corpus.jsonl")),
        "--baseline",
        path(&fixture("baseline.handoff")),
        "--html",
        path(&html),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.matches("<svg").count() >= 4, "decisions, rules, queues, histogram, diff charts");
    assert!(!page.contains("<script") && !page.contains("<link") && !page.contains("src="));
    let without_xmlns = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_xmlns.contains("http://") && !without_xmlns.contains("https://"));
    assert!(page.contains("<td>escalate:general</td><td>escalate:disputes</td><td class=\"n\">2</td><td>c03, c08</td>"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn cli_rejects_a_missing_input_and_a_bad_policy_with_exit_2() {
    let missing = handoff(&["replay", path(&fixture("payments.handoff")), "no/such/corpus.jsonl"]);
    assert_eq!(missing.status.code(), Some(2));
    let bad_policy = handoff(&["replay", path(&fixture("corpus.jsonl")), path(&fixture("corpus.jsonl"))]);
    assert_eq!(bad_policy.status.code(), Some(2));
    let bad_group =
        handoff(&["replay", path(&fixture("payments.handoff")), path(&fixture("corpus.jsonl")), "--group-by", "label"]);
    assert_eq!(bad_group.status.code(), Some(2));
}

#[test]
fn text_report_snapshot() {
    let out = handoff(&[
        "replay",
        path(&fixture("payments.handoff")),
        path(&fixture("corpus.jsonl")),
        "--baseline",
        path(&fixture("baseline.handoff")),
        "--group-by",
        "metadata.label",
    ]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn cli_mode_finished_decides_each_conversation_on_its_last_message() {
    let dir = scratch("mode");
    let (live, finished) = (dir.join("live.jsonl"), dir.join("finished.jsonl"));
    let corpus = fixture("corpus.jsonl");
    let policy_file = fixture("payments.handoff");
    for (mode, out) in [("live", &live), ("finished", &finished)] {
        let args = ["replay", path(&policy_file), path(&corpus), "--mode", mode, "--decisions", path(out)];
        assert_eq!(handoff(&args).status.code(), Some(0), "--mode {mode}");
    }
    let read = |p: &Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(p).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let (live, finished) = (read(&live), read(&finished));
    assert_eq!(live.len(), finished.len());
    let policy = policy("payments.handoff");
    let conversations: Vec<handoff::Conversation> = std::fs::read_to_string(&corpus)
        .unwrap()
        .lines()
        .filter_map(|l| handoff::transcript::parse_json("corpus", l).ok())
        .collect();
    for line in &finished {
        let decision = &line["decision"];
        // Every message was read, and a rule fires at the last one or not at all.
        let c = conversations.iter().find(|c| c.id == line["id"]).unwrap();
        assert_eq!(decision["messages"], c.messages.len());
        if decision["action"] != "none" {
            assert_eq!(decision["at_message"], decision["messages"], "{line}");
        }
        let expected = policy.evaluate_finished(c, &handoff::Context::default());
        assert_eq!(decision["action"], expected.action.as_str());
    }
    assert!(finished.iter().any(|l| l["decision"]["action"] == "escalate"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn cli_compact_decisions_hold_what_the_full_ones_decide_and_nothing_else() {
    let dir = scratch("compact");
    let (full, compact) = (dir.join("full.jsonl"), dir.join("compact.jsonl"));
    let (policy_file, corpus) = (fixture("payments.handoff"), fixture("corpus.jsonl"));
    for (format, out) in [("full", &full), ("compact", &compact)] {
        let args =
            ["replay", path(&policy_file), path(&corpus), "--decisions", path(out), "--decisions-format", format];
        assert_eq!(handoff(&args).status.code(), Some(0), "--decisions-format {format}");
    }
    let read = |p: &Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(p).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let (full_lines, compact_lines) = (read(&full), read(&compact));
    assert_eq!(full_lines.len(), compact_lines.len());
    for (f, c) in full_lines.iter().zip(&compact_lines) {
        let object = c.as_object().unwrap();
        assert!(object.keys().all(|k| ["id", "action", "queue", "rule", "at_message"].contains(&k.as_str())), "{c}");
        assert_eq!(c["id"], f["id"]);
        for key in ["action", "queue", "rule", "at_message"] {
            assert_eq!(c[key], f["decision"][key], "{key} of {c}");
        }
    }
    assert!(compact_lines.iter().any(|c| c["action"] == "escalate" && c["rule"].is_string()));
    let size = |p: &Path| std::fs::metadata(p).unwrap().len();
    assert!(size(&compact) * 2 < size(&full), "{} vs {}", size(&compact), size(&full));
    std::fs::remove_dir_all(dir).unwrap();
}
