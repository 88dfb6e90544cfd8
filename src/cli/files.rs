//! Finding and reading the policy files named on the command line. A path that is
//! missing or cannot be read is a [`Unreadable`] diagnostic (`handoff::io::unreadable`);
//! paths that hold no policy at all are [`NoPolicies`]: a gate that checked nothing fails.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use super::{EXIT_FAIL, EXIT_USAGE};
use crate::analysis::{Analysis, PolicyError, Problem};
use crate::io::Unreadable;
use crate::render;

/// Why the command line named no policy to work on.
#[derive(Debug, Error, Diagnostic)]
pub enum FindError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Unreadable(#[from] Unreadable),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Empty(#[from] NoPolicies),
}

impl FindError {
    /// 2 for a path that cannot be read, 1 for paths that hold nothing to check.
    pub fn exit_code(&self) -> u8 {
        match self {
            FindError::Unreadable(_) => EXIT_USAGE,
            FindError::Empty(_) => EXIT_FAIL,
        }
    }

    /// Prints the diagnostic and gives the exit code.
    pub fn report(&self) -> u8 {
        eprint!("{}", render::graphical(self));
        self.exit_code()
    }
}

/// Directories with no `*.handoff` file in them.
#[derive(Debug, Error, Diagnostic)]
#[error("no policy files found in {paths}")]
#[diagnostic(
    code(handoff::io::no_policies),
    help("policy files end in `.handoff`; name such a file, or a directory that holds some")
)]
pub struct NoPolicies {
    pub paths: String,
}

/// Expands files and directories (recursively, `*.handoff`) into a sorted list. A file
/// in a directory that looks like a policy but is not named `*.handoff` is skipped with
/// a note, and no policy at all is an error.
pub fn policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, FindError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(Unreadable::new(p.display().to_string(), &io::ErrorKind::NotFound.into()).into());
        }
    }
    if out.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(NoPolicies { paths: names.join(", ") }.into());
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Unreadable> {
    let unreadable = |e: io::Error| Unreadable::new(dir.display().to_string(), &e);
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).map_err(unreadable)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "handoff") {
            out.push(path);
        } else if looks_like_policy(&path) {
            eprintln!("note: skipped {}: it looks like a policy, but policy files end in `.handoff`", path.display());
        }
    }
    Ok(())
}

/// A file whose first line that is not blank or a comment is a policy header.
fn looks_like_policy(path: &Path) -> bool {
    let mut head = Vec::with_capacity(4096);
    let read = std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
    if read.is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head);
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.strip_prefix("policy").is_some_and(|rest| rest.trim_start().starts_with('"')))
}

/// A policy file's text.
pub fn read_policy(path: &Path) -> Result<String, Unreadable> {
    std::fs::read_to_string(path).map_err(|e| Unreadable::new(path.display().to_string(), &e))
}

/// Reads and analyses every policy under `paths`.
pub fn read_policies(paths: &[PathBuf]) -> Result<Vec<Analysis>, FindError> {
    policy_files(paths)?.iter().map(|path| Analysis::read(path).map_err(FindError::from)).collect()
}

/// Prints why a policy could not be loaded: a file that cannot be read once, in its
/// own words, not wrapped in "the policy has 1 error".
pub fn print_policy_error(e: &PolicyError) {
    match e.errors.as_slice() {
        [io @ Problem::Io(_)] => eprint!("{}", render::graphical(io)),
        _ => eprint!("{}", render::graphical(e)),
    }
}
