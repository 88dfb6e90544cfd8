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

#[test]
fn every_argument_has_help() {
    use clap::CommandFactory;
    fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in command.get_arguments() {
            let builtin = matches!(arg.get_id().as_str(), "help" | "version");
            if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{path} {}", arg.get_id()));
            }
        }
        for sub in command.get_subcommands() {
            if sub.get_about().is_none() {
                missing.push(format!("{path} {} (the subcommand)", sub.get_name()));
            }
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    walk(&handoff::cli::Cli::command(), "handoff", &mut missing);
    assert!(missing.is_empty(), "arguments without help: {missing:?}");
}

#[test]
fn completions_and_man_page_cover_the_subcommands() {
    let (code, out, err) = handoff(&["completions", "bash"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("handoff") && out.contains("replay") && out.contains("--deny-warnings"), "{out}");
    let (code, out, _) = handoff(&["completions", "zsh"]);
    assert_eq!(code, 0);
    assert!(out.contains("#compdef handoff"), "{out}");
    let (code, out, err) = handoff(&["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(".TH handoff") && out.contains("check"), "{out}");
    let dir = scratch("man");
    let (code, _, err) = handoff(&["man", s(&dir)]);
    assert_eq!(code, 0, "{err}");
    assert!(dir.join("handoff.1").exists() && dir.join("handoff-replay.1").exists(), "{err}");
}

#[test]
fn version_names_the_commit() {
    let (code, out, _) = handoff(&["--version"]);
    assert_eq!(code, 0);
    let commit = out.trim().strip_prefix(concat!("handoff ", env!("CARGO_PKG_VERSION"), " (commit ")).unwrap_or("");
    let commit = commit.strip_suffix(')').unwrap_or("");
    assert!(commit == "unknown" || commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit()), "{out}");
}

#[test]
fn colour_follows_the_flag() {
    let broken = "tests/fixtures/cli/broken.handoff";
    let (_, _, err) = handoff(&["check", "--color", "always", broken]);
    assert!(err.contains("\u{1b}["), "--color always colours: {err}");
    let (_, _, err) = handoff(&["check", "--color", "never", broken]);
    assert!(!err.contains("\u{1b}["), "{err}");
    let (code, _, err) = handoff(&["check", "--color", "sometimes", broken]);
    assert_eq!(code, 2, "{err}");
}

/// On a terminal colour is on, unless NO_COLOR is set (https://no-color.org). `script`
/// gives the command a terminal; without it (not on every system) this says so and returns.
#[test]
fn no_color_turns_colour_off_on_a_terminal() {
    let run = |no_color: Option<&str>| {
        let line = format!("{} check tests/fixtures/cli/broken.handoff", env!("CARGO_BIN_EXE_handoff"));
        let mut command = std::process::Command::new("script");
        command.args(["-qec", &line, "/dev/null"]).current_dir(env!("CARGO_MANIFEST_DIR")).env_remove("NO_COLOR");
        if let Some(v) = no_color {
            command.env("NO_COLOR", v);
        }
        command.output().ok().map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let Some(coloured) = run(None) else {
        eprintln!("SKIPPED: `script` is not installed, so no terminal to test colour on");
        return;
    };
    assert!(coloured.contains("\u{1b}["), "a terminal gets colour: {coloured}");
    let plain = run(Some("1")).unwrap();
    assert!(plain.contains("unknown_queue") && !plain.contains("\u{1b}["), "{plain}");
}

#[test]
fn serve_on_a_busy_port_is_an_io_error_and_accepts_localhost() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let bind = format!("localhost:{port}");
    let (code, _, err) = handoff(&["serve", "--policy", "policies/payments.handoff", "--bind", &bind]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("cannot listen on 127.0.0.1:{port}")), "{err}");
    let (code, _, err) = handoff(&["serve", "--policy", "policies/payments.handoff", "--bind", "nowhere"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("HOST:PORT"), "{err}");
}

#[test]
fn the_readme_gives_the_default_port() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let port = handoff::serve::DEFAULT_BIND.rsplit(':').next().unwrap();
    assert!(readme.contains(handoff::serve::DEFAULT_BIND), "README does not show {}", handoff::serve::DEFAULT_BIND);
    for line in readme.lines().filter(|l| l.contains("--bind")) {
        assert!(line.contains(port), "another port in the README: {line}");
    }
}

#[test]
fn replay_checks_its_outputs_before_the_work_and_says_what_it_wrote() {
    let (code, out, err) =
        handoff(&["replay", "policies/payments.handoff", "tests/cases/eval/", "--html", "no/such/dir/report.html"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot write no/such/dir/report.html"), "{err}");
    assert!(out.is_empty(), "nothing is replayed: {out}");
    let dir = scratch("outputs");
    let (html, decisions) = (dir.join("r.html"), dir.join("d.jsonl"));
    let (code, _, err) = handoff(&[
        "replay",
        "policies/payments.handoff",
        "tests/cases/eval/",
        "--html",
        s(&html),
        "--decisions",
        s(&decisions),
    ]);
    assert_eq!(code, 0, "{err}");
    let lines = std::fs::read_to_string(&decisions).unwrap().lines().count();
    assert!(err.contains(&format!("wrote {lines} decision line(s) to {}", s(&decisions))), "{err}");
    assert!(err.contains(&format!("wrote {}", s(&html))), "{err}");
}

#[test]
fn init_writes_a_starter_that_checks_and_passes() {
    let dir = scratch("init").join("starter");
    let (code, _, err) = handoff(&["init", s(&dir)]);
    assert_eq!(code, 0, "{err}");
    let policy = dir.join("policy.handoff");
    let (code, _, err) = handoff(&["check", "--deny-warnings", s(&policy)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 error(s), 0 warning(s)"), "{err}");
    let (code, out, err) = handoff(&["test", "--coverage-min", "100", s(&policy)]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = handoff(&["fmt", "--check", s(&policy)]);
    assert_eq!(code, 0, "the starter is formatted: {err}");
    let (conversation, context) = (dir.join("conversation.json"), dir.join("context.json"));
    let (code, out, err) = handoff(&["eval", s(&policy), s(&conversation), "--context", s(&context)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("escalate to billing"), "{out}");
    // A second init changes nothing.
    std::fs::write(&policy, "mine").unwrap();
    let (code, _, err) = handoff(&["init", s(&dir)]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(std::fs::read_to_string(&policy).unwrap(), "mine");
}

#[test]
fn installs_like_a_tool() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT\""), "Cargo.toml names the MIT licence");
    let licence = std::fs::read_to_string(root.join("LICENSE")).unwrap();
    assert!(licence.starts_with("MIT License"), "LICENSE is the MIT text");
    let release = manifest.split("[profile.release]").nth(1).unwrap().split("\n[").next().unwrap();
    assert!(!release.contains("debug = 1") && !release.contains("debug = true"), "release ships debug info: {release}");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("cargo install --locked --path ."), "the README shows how to install");
    assert!(readme.contains("default-features = false"), "the README shows how to depend on the crate");
}

/// `handoff serve --log-format text`: readable lines; a SIGHUP with the file unchanged is
/// logged; `GET /v1/policy` names a rejected file without its directory.
#[test]
fn serve_logs_text_and_shows_no_policy_path() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::Stdio;
    use std::time::Duration;

    let dir = scratch("serve-private-dir");
    let policy = dir.join("support.handoff");
    let good = "policy \"p\" version 1\nqueues {\n  general \"General\"\n}\nrule human {\n  when customer.last mentions [\"human\"] unless negated\n  escalate to general\n}\n";
    std::fs::write(&policy, good).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(["serve", "--policy", s(&policy), "--bind", "127.0.0.1:0", "--log-format", "text", "--no-watch"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let mut wait_for = |what: &str| -> String {
        loop {
            match lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) => {
                    seen.push(line.clone());
                    if line.contains(what) {
                        return line;
                    }
                }
                Err(_) => panic!("no log line with {what:?}; seen: {seen:#?}"),
            }
        }
    };
    let hup = |pid: u32| {
        let ok = std::process::Command::new("kill").args(["-HUP", &pid.to_string()]).status().unwrap().success();
        assert!(ok, "kill -HUP");
    };
    let serving = wait_for("serving");
    assert!(!serving.trim_start().starts_with('{') && serving.contains("INFO"), "a text line: {serving}");
    let addr = serving.split("addr=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();

    hup(child.id());
    let unchanged = wait_for("nothing to reload");
    assert!(unchanged.contains("sighup"), "{unchanged}");

    std::fs::write(&policy, good.replace("escalate to general", "escalate to generl")).unwrap();
    hup(child.id());
    wait_for("reload rejected");
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.write_all(b"GET /v1/policy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.contains("last_rejected_reload") && response.contains("support.handoff"), "{response}");
    assert!(!response.contains("serve-private-dir"), "the policy's directory is shown: {response}");

    let _ = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
}

#[test]
fn fmt_check_shows_the_diff_and_how_to_fix_it() {
    let (code, out, err) = handoff(&["fmt", "--check", "tests/cases/parse/messy_whitespace.handoff"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.starts_with("--- tests/cases/parse/messy_whitespace.handoff"), "{out}");
    assert!(out.lines().any(|l| l.starts_with('-') && !l.starts_with("---")), "{out}");
    assert!(out.lines().any(|l| l.starts_with('+') && !l.starts_with("+++")), "{out}");
    assert!(err.contains("`handoff fmt tests/cases/parse/messy_whitespace.handoff` rewrites it"), "{err}");
}
