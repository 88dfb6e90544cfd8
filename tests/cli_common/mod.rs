//! Running the `handoff` binary as a user does, for the command-line tests.

use std::process::Command;

/// Runs `handoff ARGS` in the crate's directory, without colour or test times:
/// (exit code, stdout, stderr).
pub fn handoff(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("HANDOFF_TEST_NO_TIMES", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}
