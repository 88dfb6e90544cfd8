//! Files a newcomer can hold in their head: no source file of the crate is over
//! 30,000 characters (split it by concern instead).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

const LIMIT: usize = 30_000;

#[test]
fn no_source_file_is_over_the_limit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pending = vec![root.join("src"), root.join("python/src")];
    let (mut seen, mut over) = (0, Vec::new());
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                seen += 1;
                let chars = std::fs::read_to_string(&path).unwrap().chars().count();
                if chars > LIMIT {
                    over.push(format!("{} has {chars} characters", path.display()));
                }
            }
        }
    }
    assert!(seen > 50, "only {seen} source files found");
    assert!(over.is_empty(), "over {LIMIT} characters:\n{}", over.join("\n"));
}
