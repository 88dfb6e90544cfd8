//! Finding and reading the policy files named on the command line. A path that is
//! missing or cannot be read is a [`Unreadable`] diagnostic (`handoff::io::unreadable`).

use std::io;
use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::io::Unreadable;

/// Expands files and directories (recursively, `*.handoff`) into a sorted list.
pub fn policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Unreadable> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(Unreadable::new(p.display().to_string(), &io::ErrorKind::NotFound.into()));
        }
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
        }
    }
    Ok(())
}

/// A policy file's text.
pub fn read_policy(path: &Path) -> Result<String, Unreadable> {
    std::fs::read_to_string(path).map_err(|e| Unreadable::new(path.display().to_string(), &e))
}

/// Reads and analyses every policy under `paths`.
pub fn read_policies(paths: &[PathBuf]) -> Result<Vec<Analysis>, Unreadable> {
    policy_files(paths)?.iter().map(|path| Analysis::read(path)).collect()
}
