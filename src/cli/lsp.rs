//! `handoff lsp`: runs the language server on stdin and stdout for an editor.

use super::{EXIT_FAIL, EXIT_OK};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Talk over stdin and stdout (the only transport; editors' clients pass it).
    #[arg(long)]
    stdio: bool,
}

pub fn run(_args: Args) -> u8 {
    match crate::lsp::run_stdio() {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("error: the language server stopped: {e}");
            EXIT_FAIL
        }
    }
}
