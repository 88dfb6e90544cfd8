//! `handoff replay` on labelled records (`"expect"` beside `messages`): the
//! figures, the misses, the gates, and malformed expectations.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use handoff::replay::{Corpus, Event, GroupBy, Replay, ReplayOptions, Summary};
use handoff::transcript::{parse_json, ExpectedAction};
use handoff::Policy;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay_labels").join(name)
}

fn policy_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay/payments.handoff")
}

fn baseline_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay/baseline.handoff")
}

fn replay(input: &Path, baseline: Option<&Policy>, options: ReplayOptions) -> (Summary, Vec<String>) {
    let policy = Policy::load(policy_path()).unwrap();
    let engine = Replay::new(&policy, baseline, options).unwrap();
    let mut rejected = Vec::new();
    let summary = engine
        .run(&Corpus::open(&[input.to_owned()]).unwrap(), |event| {
            if let Event::Rejected(e) = event {
                rejected.push(e.to_string());
            }
            Ok(())
        })
        .unwrap();
    (summary, rejected)
}

fn handoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff")).args(args).stdin(Stdio::null()).output().unwrap()
}

fn run(extra: &[&str]) -> Output {
    let policy = policy_path();
    let corpus = fixture("labelled.jsonl");
    let mut args = vec!["replay", policy.to_str().unwrap(), corpus.to_str().unwrap()];
    args.extend_from_slice(extra);
    handoff(&args)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn figures_count_recall_false_escalations_and_set_aside_unknown_queues() {
    let (s, rejected) = replay(&fixture("labelled.jsonl"), None, ReplayOptions::default());
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!((s.read, s.evaluated, s.rejected), (13, 13, 0));
    let l = s.labels.expect("labelled figures");
    // l11 carries no expect; l10 expects only the undeclared queue "dispute".
    assert_eq!((l.labelled, l.unscorable), (12, 1));
    assert_eq!((l.met.count, l.met.of), (7, 11));
    // Expected escalate: l01, l02, l03, l06, l13. l03 stays with the bot, l06 goes to general.
    assert_eq!((l.escalation_recall.count, l.escalation_recall.of), (3, 5));
    assert_eq!((l.escalation_recall_any_queue.count, l.escalation_recall_any_queue.of), (4, 5));
    // Expected none: l04, l05, l07 (offered), l08 (escalated), l09.
    assert_eq!((l.false_escalation.count, l.false_escalation.of), (2, 5));
    assert_eq!(l.false_escalation_escalate_only.count, 1);
    let unknown: Vec<(&str, u64)> = l.unknown_queues.iter().map(|q| (q.queue.as_str(), q.records)).collect();
    assert_eq!(unknown, [("dispute", 1), ("fraud", 1)]);
    assert!(l.unknown_queues[0].first.ends_with("labelled.jsonl:10"), "{}", l.unknown_queues[0].first);

    let action = |a: ExpectedAction| l.actions.iter().find(|s| s.action == a).unwrap();
    let escalate = action(ExpectedAction::Escalate);
    assert_eq!((escalate.support, escalate.decided, escalate.correct), (5, 5, 4));
    let offer = action(ExpectedAction::Offer);
    assert_eq!((offer.support, offer.decided, offer.correct, offer.precision), (1, 2, 1, Some(0.5)));
    let expected: Vec<(&str, u64, u64, u64)> =
        l.expected.iter().map(|e| (e.expected.as_str(), e.recall.of, e.recall.count, e.wrong_queue)).collect();
    assert_eq!(
        expected,
        [
            ("escalate", 1, 1, 0),
            ("escalate:disputes", 2, 0, 1),
            ("escalate:disputes|fraud", 1, 1, 0),
            ("escalate:general", 1, 1, 0),
            ("offer:general", 1, 1, 0),
            ("none", 5, 3, 0),
        ]
    );
    let decided: Vec<(&str, u64, u64)> =
        l.decided.iter().map(|d| (d.decided.as_str(), d.precision.of, d.precision.count)).collect();
    assert_eq!(
        decided,
        [("escalate:disputes", 1, 1), ("escalate:general", 4, 2), ("offer:general", 2, 1), ("none", 4, 3)]
    );
    assert_eq!(l.confusion.decided, ["escalate:disputes", "escalate:general", "offer:general", "none"]);
    let none_row = l.confusion.rows.iter().find(|r| r.expected == "none").unwrap();
    assert_eq!(none_row.counts, [0, 1, 1, 3]);
    let total: u64 = l.confusion.rows.iter().flat_map(|r| r.counts.iter()).sum();
    assert_eq!(total, l.labelled - l.unscorable);
    let queues: Vec<(&str, u64, u64)> =
        l.queues.iter().map(|q| (q.queue.as_str(), q.recall.of, q.recall.count)).collect();
    assert_eq!(queues, [("disputes", 3, 1), ("general", 1, 1)]);

    assert_eq!(l.misses_total, 4);
    let pairs: Vec<(&str, &str, u64)> =
        l.misses.iter().map(|m| (m.expected.as_str(), m.decided.as_str(), m.count)).collect();
    assert_eq!(
        pairs,
        [
            ("escalate:disputes", "escalate:general", 1),
            ("escalate:disputes", "none", 1),
            ("none", "escalate:general", 1),
            ("none", "offer:general", 1),
        ]
    );
    let l03 = &l.misses[1].examples[0];
    assert_eq!(l03.id, "l03");
    assert!(l03.location.as_deref().unwrap().ends_with("labelled.jsonl:3"));
    // Customer turns only, whitespace collapsed.
    assert_eq!(l03.text, "There is a payment on my statement that I never made / the one from Tuesday");
    assert_eq!(l03.rule, None);
    let l06 = &l.misses[0].examples[0];
    assert_eq!((l06.rule.as_deref(), l06.at_message), (Some("human_on_request"), Some(1)));
}

#[test]
fn misses_are_capped_per_pair_but_all_counted() {
    let options = ReplayOptions { misses_per_pair: 0, ..ReplayOptions::default() };
    let (s, _) = replay(&fixture("labelled.jsonl"), None, options);
    let l = s.labels.unwrap();
    assert_eq!(l.misses_total, 4);
    assert!(l.misses.iter().all(|m| m.examples.is_empty() && m.count == 1));
}

#[test]
fn group_by_splits_the_labelled_figures() {
    let options = ReplayOptions { group_by: Some("metadata.source".parse::<GroupBy>().unwrap()), ..Default::default() };
    let (s, _) = replay(&fixture("labelled.jsonl"), None, options);
    let l = s.labels.unwrap();
    let groups: Vec<(&str, u64, u64)> = l.groups.iter().map(|g| (g.group.as_str(), g.met.of, g.met.count)).collect();
    assert_eq!(groups, [("disputes", 3, 1), ("requests", 2, 2), ("routine", 5, 3), ("upset", 1, 1)]);
    let routine = l.groups.iter().find(|g| g.group == "routine").unwrap();
    assert_eq!((routine.false_escalation.count, routine.false_escalation.of), (2, 5));
    assert_eq!(routine.escalation_recall.rate, None);
}

#[test]
fn against_a_baseline_the_labelled_figures_show_what_was_fixed_and_broken() {
    let baseline = Policy::load(baseline_path()).unwrap();
    let (s, _) = replay(&fixture("labelled.jsonl"), Some(&baseline), ReplayOptions::default());
    let l = s.labels.unwrap();
    let b = l.baseline.as_ref().unwrap();
    // Every record is scored once under each policy.
    assert_eq!(b.met.of, l.met.of);
    assert_eq!(l.met.count as i64 - b.met.count as i64, b.fixed.count as i64 - b.broken.count as i64);
    assert!(b.fixed.count + b.broken.count > 0, "the fixture baseline should move some labelled outcome");
}

#[test]
fn an_unlabelled_corpus_has_no_labelled_figures() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay/corpus.jsonl");
    let (s, _) = replay(&corpus, None, ReplayOptions::default());
    assert!(s.labels.is_none());
    assert!(!serde_json::to_string(&s).unwrap().contains("\"labels\""));
}

#[test]
fn malformed_expectations_are_rejected_with_file_line_and_field_and_the_rest_scored() {
    let (s, rejected) = replay(&fixture("bad_expect.jsonl"), None, ReplayOptions::default());
    assert_eq!((s.read, s.evaluated, s.rejected), (10, 1, 9));
    let at = |line: usize| rejected.iter().find(|r| r.contains(&format!("line {line}:"))).unwrap().as_str();
    assert!(at(1).contains("expect.action: unknown expected action \"escalte\""), "{}", at(1));
    assert!(at(2).contains("expect.action: unknown expected action \"flag\""), "{}", at(2));
    assert!(at(3).contains("expect: invalid expectation: \"none\" takes no queue"), "{}", at(3));
    assert!(at(4).contains("expect.queue: invalid expectation: the list of queues is empty"), "{}", at(4));
    assert!(at(5).contains("expect.queu: unknown field `queu`"), "{}", at(5));
    assert!(at(6).contains("expect: invalid type: string \"escalate\""), "{}", at(6));
    assert!(at(7).contains("expect.queue[1]: invalid type: integer `7`"), "{}", at(7));
    assert!(at(8).contains("expect: missing field \"action\""), "{}", at(8));
    assert!(at(9).contains("expect.queue: invalid expectation: a queue name is empty"), "{}", at(9));
    assert!(rejected.iter().all(|r| r.contains("bad_expect.jsonl")));
    let l = s.labels.unwrap();
    assert_eq!((l.labelled, l.met.count), (1, 1));
}

#[test]
fn expectation_errors_have_a_stable_code_and_help() {
    use miette::Diagnostic;
    let bad = parse_json("x.json", r#"{"id":"a","expect":{"action":"flag"},"messages":[]}"#).unwrap_err();
    assert_eq!(bad.code().unwrap().to_string(), "handoff::transcript::expect");
    assert!(bad.help().unwrap().to_string().contains("\"action\": \"none\""));
    let bad =
        parse_json("x.json", r#"{"id":"a","expect":{"action":"escalate","queue":[]},"messages":[]}"#).unwrap_err();
    assert_eq!(bad.code().unwrap().to_string(), "handoff::transcript::expect");
    assert!(bad.help().unwrap().to_string().contains("queue"));
}

#[test]
fn an_expectation_reads_back_from_its_own_json() {
    for text in [
        r#"{"id":"a","expect":{"action":"escalate","queue":["disputes","fraud"]},"messages":[]}"#,
        r#"{"id":"a","expect":{"action":"offer","queue":"general"},"messages":[]}"#,
        r#"{"id":"a","expect":{"action":"none"},"messages":[]}"#,
        r#"{"id":"a","expect":null,"messages":[]}"#,
    ] {
        let conversation = parse_json("x.json", text).unwrap();
        let again = parse_json("x.json", &serde_json::to_string(&conversation).unwrap()).unwrap();
        assert_eq!(conversation, again, "{text}");
    }
    let one = parse_json("x.json", r#"{"id":"a","expect":{"action":"escalate","queue":["disputes"]},"messages":[]}"#);
    assert_eq!(one.unwrap().expect.unwrap().to_string(), "escalate:disputes");
}

#[test]
fn cli_text_report_snapshot() {
    let out = run(&["--group-by", "metadata.source"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    // Paths differ between machines: keep the file name.
    let dir = fixture("").to_str().unwrap().to_owned();
    insta::assert_snapshot!(text.replace(&dir, ""));
    assert!(stderr(&out).contains("warning: expected queue \"dispute\" is not declared by the policy"));
}

#[test]
fn cli_json_carries_every_labelled_figure() {
    let out = run(&["--format", "json", "--misses", "1", "--min-recall", "50%"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let l = &json["labels"];
    for key in [
        "labelled",
        "unscorable",
        "met",
        "escalation_recall",
        "escalation_recall_any_queue",
        "false_escalation",
        "false_escalation_escalate_only",
        "actions",
        "expected",
        "decided",
        "confusion",
        "queues",
        "unknown_queues",
        "misses_total",
        "misses_per_pair",
        "misses",
        "gates",
    ] {
        assert!(!l[key].is_null(), "labels.{key} missing");
    }
    assert_eq!(l["escalation_recall"], serde_json::json!({"count": 3, "of": 5, "rate": 0.6}));
    assert_eq!(l["misses_per_pair"], 1);
    assert_eq!(l["gates"][0]["passed"], true);
    assert_eq!(
        l["misses"][1]["examples"][0]["text"],
        "There is a payment on my statement that I never made / the one from Tuesday"
    );
    // A class nothing was decided as has no precision: null, not 0.
    let offer = l["actions"].as_array().unwrap().iter().find(|a| a["action"] == "offer").unwrap();
    assert_eq!(offer["precision"], 0.5);
}

#[test]
fn cli_gates_fail_with_plain_words_and_exit_1() {
    let out = run(&["--min-recall", "0.95"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("gate failed: escalation recall 60% (3 of 5) is 35.0 points under --min-recall 95%"),
        "{}",
        stderr(&out)
    );
    let out = run(&["--max-false-escalation", "3%"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("40% (2 of 5) is 37.0 points over --max-false-escalation 3%"), "{}", stderr(&out));
    let out = run(&["--min-recall", "60%", "--max-false-escalation", "40%", "--min-queue-recall", "general=100%"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out).matches("gate passed").count(), 3, "{}", stderr(&out));
    let out = run(&["--min-queue-recall", "disputes=50%"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("recall of escalations expected to disputes 33.33% (1 of 3)"), "{}", stderr(&out));
}

#[test]
fn cli_a_gate_that_checked_nothing_fails() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay/corpus.jsonl");
    let policy = policy_path();
    let out = handoff(&["replay", policy.to_str().unwrap(), corpus.to_str().unwrap(), "--min-recall", "90%"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("gate failed: --min-recall 90% checked nothing: no record carries an expect"),
        "{}",
        stderr(&out)
    );
    // Labelled, but nothing expected to go to collections.
    let out = run(&["--min-queue-recall", "collections=90%"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("checked nothing: no labelled record expects an escalation to collections"));
}

#[test]
fn cli_refuses_ambiguous_rates_and_undeclared_gate_queues() {
    let out = run(&["--min-recall", "95"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("write 95% or 0.95"), "{}", stderr(&out));
    let out = run(&["--min-queue-recall", "fraud=90%"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--min-queue-recall names fraud that the policy does not declare"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn cli_decision_lines_carry_the_expectation_and_whether_it_was_met() {
    let dir = std::env::temp_dir().join(format!("handoff-replay-labels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let decisions = dir.join("decisions.jsonl");
    let html = dir.join("report.html");
    let out = run(&["--decisions", decisions.to_str().unwrap(), "--html", html.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<Value> =
        std::fs::read_to_string(&decisions).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 13);
    assert_eq!(lines[2]["expect"], serde_json::json!({"action": "escalate", "queue": "disputes"}));
    assert_eq!(lines[2]["met"], false);
    assert!(lines[10].get("expect").is_none() && lines[10].get("met").is_none());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<h2>Labelled records</h2>"));
    assert!(page.contains("Confusion (rows expected, columns decided)"));
    assert!(page.contains("I don&#39;t") || page.contains("There is a payment on my statement"));
    std::fs::remove_dir_all(&dir).unwrap();
}
