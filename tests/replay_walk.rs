//! `handoff replay` over folders with symbolic links: loops end, each file is
//! read once, what is left out is reported, and `--threads` is capped.
#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use handoff::replay::{max_threads, Corpus, Replay, ReplayOptions, SkipReason, Skipped};
use handoff::Policy;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay").join(name)
}

/// A fresh folder holding a copy of the 12-conversation fixture corpus as `corpus.jsonl`.
fn folder(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("handoff-replay-walk-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixture("corpus.jsonl"), dir.join("corpus.jsonl")).unwrap();
    dir
}

fn read_count(inputs: &[PathBuf]) -> u64 {
    let policy = Policy::load(fixture("payments.handoff")).unwrap();
    let replay = Replay::new(&policy, None, ReplayOptions::default()).unwrap();
    replay.run(&Corpus::open(inputs).unwrap(), |_| Ok(())).unwrap().read
}

fn handoff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_handoff")).args(args).stdin(Stdio::null()).output().unwrap()
}

fn skipped(path: PathBuf, reason: SkipReason) -> Skipped {
    Skipped { path, reason }
}

#[test]
fn links_to_directories_are_reported_not_followed_so_loops_end() {
    let dir = folder("loop");
    symlink(".", dir.join("a")).unwrap();
    symlink(".", dir.join("b")).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    symlink("..", dir.join("sub/up")).unwrap();
    let corpus = Corpus::open(std::slice::from_ref(&dir)).unwrap();
    let files: Vec<_> = corpus.sources().iter().map(|s| s.path.clone().unwrap()).collect();
    assert_eq!(files, [dir.join("corpus.jsonl")]);
    assert_eq!(
        corpus.skipped(),
        [
            skipped(dir.join("a"), SkipReason::DirectoryLink),
            skipped(dir.join("b"), SkipReason::DirectoryLink),
            skipped(dir.join("sub/up"), SkipReason::DirectoryLink),
        ]
    );
    assert_eq!(read_count(std::slice::from_ref(&dir)), 12);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn each_file_is_read_once_however_it_is_reached() {
    let dir = folder("dedupe");
    symlink("corpus.jsonl", dir.join("again.jsonl")).unwrap();
    let file = dir.join("corpus.jsonl");
    // The folder (with a link to the file inside it), the file itself, and the file by another spelling.
    let inputs = [dir.clone(), file.clone(), dir.join(".").join("corpus.jsonl")];
    let corpus = Corpus::open(&inputs).unwrap();
    assert_eq!(corpus.sources().len(), 1);
    let first = dir.join("again.jsonl");
    assert_eq!(
        corpus.skipped(),
        [
            skipped(file.clone(), SkipReason::Duplicate { first: first.clone() }),
            skipped(file, SkipReason::Duplicate { first: first.clone() }),
            skipped(dir.join(".").join("corpus.jsonl"), SkipReason::Duplicate { first }),
        ]
    );
    assert_eq!(read_count(&inputs), 12);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_broken_link_is_reported_and_a_linked_folder_named_on_the_command_line_is_read() {
    let dir = folder("broken");
    symlink("nowhere.jsonl", dir.join("gone.jsonl")).unwrap();
    symlink("nowhere.txt", dir.join("gone.txt")).unwrap();
    let corpus = Corpus::open(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(corpus.sources().len(), 1);
    assert_eq!(corpus.skipped(), [skipped(dir.join("gone.jsonl"), SkipReason::BrokenLink)]);
    let link = dir.with_extension("link");
    let _ = std::fs::remove_file(&link);
    symlink(&dir, &link).unwrap();
    assert_eq!(read_count(std::slice::from_ref(&link)), 12);
    std::fs::remove_file(link).unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn cli_counts_a_self_linked_folder_once_and_notes_the_link() {
    let dir = folder("cli");
    symlink(".", dir.join("self")).unwrap();
    let out =
        handoff(&["replay", fixture("payments.handoff").to_str().unwrap(), dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["read"], 12);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let note = format!("note: skipped {}: a symbolic link to a directory", dir.join("self").display());
    assert!(stderr.contains(&note), "{stderr}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn threads_are_capped_with_a_note() {
    let policy = Policy::load(fixture("payments.handoff")).unwrap();
    let replay = Replay::new(&policy, None, ReplayOptions { threads: 5000, ..ReplayOptions::default() }).unwrap();
    assert_eq!(replay.threads(), max_threads());
    assert!(max_threads() <= 256);
    let with_threads = |n: &str| {
        let (policy, corpus) = (fixture("payments.handoff"), fixture("corpus.jsonl"));
        handoff(&["replay", policy.to_str().unwrap(), corpus.to_str().unwrap(), "--threads", n])
    };
    let out = with_threads("5000");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let note = format!("note: --threads 5000 is more than 4 per core here; using {}", max_threads());
    assert!(stderr.contains(&note), "{stderr}");
    assert!(!String::from_utf8_lossy(&with_threads("2").stderr).contains("--threads"));
}
