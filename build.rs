//! Records the git commit the binary is built from, for `handoff --version`. Outside a git
//! checkout (a release tarball, `cargo install` from crates.io) it is `unknown`.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    // Rebuild when HEAD moves: HEAD itself (a branch switch) and the branch it points at (a
    // commit). Only files that exist: cargo reruns the script on every build for a missing one.
    let watch = |path: &Path| {
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    };
    if let Some(git_dir) = git(&["rev-parse", "--git-dir"]) {
        watch(&Path::new(&git_dir).join("HEAD"));
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            let common = git(&["rev-parse", "--git-common-dir"]).unwrap_or(git_dir);
            watch(&Path::new(&common).join(branch));
            watch(&Path::new(&common).join("packed-refs"));
        }
    }
    println!("cargo:rustc-env=HANDOFF_GIT_COMMIT={}", commit.as_deref().unwrap_or("unknown"));
}
