//! `handoff fmt`: rewrite policies in the canonical layout, or `--check` that they are.

use std::path::PathBuf;

use super::{files, EXIT_FAIL, EXIT_OK, EXIT_USAGE};
use crate::render;
use crate::syntax::{fmt::format_policy, parse_policy};

pub fn run(paths: &[PathBuf], check: bool) -> u8 {
    let files = match files::policy_files(paths) {
        Ok(f) => f,
        Err(e) => return e.report(),
    };
    let mut unformatted = 0usize;
    let mut failed = false;
    for path in &files {
        let source = match files::read_policy(path) {
            Ok(s) => s,
            Err(e) => {
                eprint!("{}", render::graphical(&e));
                return EXIT_USAGE;
            }
        };
        let policy = match parse_policy(&source) {
            Ok(p) => p,
            Err(e) => {
                let report = miette::Report::new(e)
                    .with_source_code(miette::NamedSource::new(path.display().to_string(), source.clone()));
                eprint!("{}", render::graphical(report.as_ref()));
                failed = true;
                continue;
            }
        };
        let formatted = format_policy(&policy, &source);
        if formatted == source {
            continue;
        }
        // Never write a file that reads back differently: the formatter is meant to
        // change only layout, and a slip there must not break a policy on disk.
        if parse_policy(&formatted).ok().as_ref() != Some(&policy) {
            eprintln!(
                "error: {}: formatting would change what the policy means; the file is left as it is \
                 (please report this policy to the handoff maintainers)",
                path.display()
            );
            failed = true;
            continue;
        }
        unformatted += 1;
        if check {
            let name = path.display().to_string();
            let diff = similar::TextDiff::from_lines(&source, &formatted);
            super::emit(
                &diff.unified_diff().context_radius(2).header(&name, &format!("{name} (formatted)")).to_string(),
            );
            eprintln!("{name}: not formatted; `handoff fmt {name}` rewrites it as shown");
        } else if let Err(e) = std::fs::write(path, &formatted) {
            eprintln!("error: {}: {e}", path.display());
            return EXIT_USAGE;
        } else {
            eprintln!("formatted {}", path.display());
        }
    }
    if failed {
        EXIT_USAGE
    } else if check && unformatted > 0 {
        EXIT_FAIL
    } else {
        EXIT_OK
    }
}
