//! The `handoff` command line: one file per subcommand.

mod check;
pub mod eval;
mod files;
mod fmt;
#[cfg(feature = "import")]
mod import;
#[cfg(feature = "replay")]
mod replay;
#[cfg(feature = "serve")]
mod serve;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Writes a command's output. A reader that went away (`handoff check ... | head`)
/// ends the output quietly, as it does for other Unix tools; `print!` would panic.
pub(crate) fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => eprintln!("error: cannot write the output: {e}"),
    }
}

/// Exit codes shared by every subcommand.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAIL: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "handoff",
    version,
    about = "Check, test and run policies that decide when a support conversation goes from the bot to a person"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check policies for errors and warnings.
    Check {
        /// Policy files or directories (searched for *.handoff).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Fail on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Evaluate a conversation (.json, .jsonl or - for stdin) with a policy.
    Eval {
        policy: PathBuf,
        conversation: PathBuf,
        /// Evaluation context: clock, business hours, queue status (JSON).
        #[arg(long)]
        context: Option<PathBuf>,
        /// Show every rule's condition tree with values at the deciding message.
        #[arg(long)]
        explain: bool,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Convert an export (chat logs, CSV/TSV, Zendesk, Intercom, ...) to conversation JSON Lines.
    #[cfg(feature = "import")]
    Import(import::Args),
    /// Run a policy over a corpus of conversations: statistics, impact diff, reports.
    #[cfg(feature = "replay")]
    Replay(replay::Args),
    /// Serve live evaluation over HTTP.
    #[cfg(feature = "serve")]
    Serve(serve::Args),
    /// Run the inline tests of policies, with rule coverage.
    Test(test::Args),
    /// Rewrite policies in the canonical layout.
    Fmt {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Change nothing; fail if a file is not formatted.
        #[arg(long)]
        check: bool,
    },
}

/// Runs the command line and returns the process's exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Check { paths, deny_warnings, format } => check::run(&paths, deny_warnings, format),
        Command::Eval { policy, conversation, context, explain, format } => {
            eval::run(&policy, &conversation, context.as_deref(), explain, format)
        }
        Command::Test(args) => test::run(args),
        #[cfg(feature = "import")]
        Command::Import(args) => import::run(args),
        #[cfg(feature = "replay")]
        Command::Replay(args) => replay::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args),
        Command::Fmt { paths, check } => fmt::run(&paths, check),
    };
    ExitCode::from(code)
}
