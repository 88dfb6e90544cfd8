//! Finding policy files from the paths given on the command line.

use std::path::{Path, PathBuf};

use crate::analysis::Analysis;

/// Expands files and directories (recursively, `*.handoff`) into a sorted list.
pub fn policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out).map_err(|e| format!("{}: {e}", p.display()))?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(format!("{}: no such file or directory", p.display()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
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

/// Reads and analyses every policy under `paths`; the error is the message to print.
pub fn read_policies(paths: &[PathBuf]) -> Result<Vec<Analysis>, String> {
    policy_files(paths)?
        .iter()
        .map(|path| Analysis::read(path).map_err(|e| format!("{}: {e}", path.display())))
        .collect()
}
