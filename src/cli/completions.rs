//! `handoff completions SHELL` and `handoff man`: shell completions and the man page,
//! generated from the parser's own definition so they always match the flags.

use std::path::Path;

use clap::CommandFactory;

use super::{Cli, EXIT_OK, EXIT_USAGE};

/// Writes the completion script for `shell` to stdout.
pub fn completions(shell: clap_complete::Shell) -> u8 {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, "handoff", &mut out);
    super::emit(&String::from_utf8_lossy(&out));
    EXIT_OK
}

/// Writes the man page (roff) to stdout (`handoff man > handoff.1`), or, given a
/// directory, `handoff.1` and one page per subcommand (`handoff-check.1`, ...) there.
pub fn man(dir: Option<&Path>) -> u8 {
    let written = match dir {
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut out).map(|()| super::emit(&String::from_utf8_lossy(&out)))
        }
        Some(dir) => std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(Cli::command(), dir)),
    };
    match (written, dir) {
        (Ok(()), Some(dir)) => {
            eprintln!("wrote the man pages to {}", dir.display());
            EXIT_OK
        }
        (Ok(()), None) => EXIT_OK,
        (Err(e), _) => {
            eprintln!("error: cannot write the man page: {e}");
            EXIT_USAGE
        }
    }
}
