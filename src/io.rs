//! Files that cannot be read, as diagnostics with their own code: a missing or
//! unreadable policy is an operations problem, not a syntax error in the policy.

use std::io;

use miette::Diagnostic;
use thiserror::Error;

/// A file that could not be read, with why in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
#[error("cannot read {path}: {why}")]
#[diagnostic(code(handoff::io::unreadable), help("{help}"))]
pub struct Unreadable {
    /// The file as it was named.
    pub path: String,
    /// Why, in plain words: "it does not exist (or a directory on its path does not)".
    pub why: &'static str,
    /// The operating system's kind of failure, for embedders that map it (Python's
    /// `FileNotFoundError`, say).
    pub kind: io::ErrorKind,
    help: &'static str,
}

impl Unreadable {
    /// The failure to read `path`, in plain words with what to do about it.
    pub fn new(path: impl Into<String>, error: &io::Error) -> Unreadable {
        let (why, help) = reason(error.kind());
        Unreadable { path: path.into(), why, kind: error.kind(), help }
    }
}

/// Why a read failed, and what to do about it, for a person running the service.
pub fn reason(kind: io::ErrorKind) -> (&'static str, &'static str) {
    match kind {
        io::ErrorKind::NotFound => (
            "it does not exist (or a directory on its path does not)",
            "check the path: it is taken relative to the directory the command runs in",
        ),
        io::ErrorKind::PermissionDenied => {
            ("permission denied", "give the user running handoff permission to read the file")
        }
        io::ErrorKind::IsADirectory => {
            ("it is a directory", "name a .handoff file, or give the directory to `handoff check`")
        }
        io::ErrorKind::InvalidData => ("it is not UTF-8 text", "save the file as UTF-8"),
        io::ErrorKind::OutOfMemory => ("it is too large", "a policy file is text of at most a few megabytes"),
        _ => ("the read failed", "check the disk and the file, then try again"),
    }
}

#[cfg(test)]
mod tests {
    use miette::Diagnostic;

    use crate::Policy;

    #[test]
    fn a_missing_policy_is_an_io_problem_with_its_own_code() {
        let err = Policy::load("no/such/dir/policy.handoff").unwrap_err();
        let codes: Vec<String> = err.errors.iter().filter_map(|p| p.code().map(|c| c.to_string())).collect();
        assert_eq!(codes, ["handoff::io::unreadable"]);
        let problem = err.errors[0].to_string();
        assert_eq!(
            problem,
            "cannot read no/such/dir/policy.handoff: it does not exist (or a directory on its path does not)"
        );
        assert!(err.errors[0].help().is_some());
    }

    #[test]
    fn a_directory_or_non_utf8_file_says_so() {
        let dir = std::env::temp_dir().join(format!("handoff-io-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = Policy::load(&dir).unwrap_err();
        let why = err.errors[0].to_string();
        assert!(why.ends_with("it is a directory") || why.ends_with("the read failed"), "{why}");
        let latin1 = dir.join("latin1.handoff");
        std::fs::write(&latin1, b"policy \"caf\xe9\" version 1\n").unwrap();
        let err = Policy::load(&latin1).unwrap_err();
        assert!(err.errors[0].to_string().ends_with("it is not UTF-8 text"), "{}", err.errors[0]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
