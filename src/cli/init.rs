//! `handoff init [DIR]`: a commented starter policy with inline tests, a sample
//! conversation and an evaluation context, which check clean and pass their tests.
//! Files that exist are never overwritten.

use std::path::Path;

use super::{EXIT_FAIL, EXIT_OK, EXIT_USAGE};

/// The starter files: name and text. `tests/cli_gates.rs` checks and tests them as written.
pub const FILES: [(&str, &str); 3] = [
    ("policy.handoff", include_str!("init/policy.handoff")),
    ("conversation.json", include_str!("init/conversation.json")),
    ("context.json", include_str!("init/context.json")),
];

pub fn run(dir: &Path) -> u8 {
    let taken: Vec<String> =
        FILES.iter().map(|(name, _)| dir.join(name)).filter(|p| p.exists()).map(|p| p.display().to_string()).collect();
    if !taken.is_empty() {
        eprintln!("error: {} already exist(s); nothing was written (init never overwrites a file)", taken.join(", "));
        return EXIT_FAIL;
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("error: cannot create {}: {e}", dir.display());
        return EXIT_USAGE;
    }
    for (name, text) in FILES {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return EXIT_USAGE;
        }
        eprintln!("wrote {}", path.display());
    }
    let policy = dir.join("policy.handoff");
    eprintln!(
        "next: handoff check {p} && handoff test {p}\n      handoff eval {p} {c} --context {x} --explain",
        p = policy.display(),
        c = dir.join("conversation.json").display(),
        x = dir.join("context.json").display()
    );
    EXIT_OK
}
