//! The `handoff` command line: one file per subcommand.

mod check;
mod completions;
pub mod eval;
mod files;
mod fmt;
#[cfg(feature = "import")]
mod import;
mod init;
#[cfg(feature = "lsp")]
mod lsp;
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

/// `handoff --version`: the version and the commit it was built from (`unknown` when
/// built outside a git checkout; see build.rs).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("HANDOFF_GIT_COMMIT"), ")");

#[derive(Debug, Parser)]
#[command(
    name = "handoff",
    version = VERSION,
    about = "Check, test and run policies that decide when a support conversation goes from the bot to a person"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colour diagnostics: auto (when stderr is a terminal and NO_COLOR is not set), always or never.
    #[arg(long, global = true, value_enum, default_value = "auto", value_name = "WHEN")]
    color: Colour,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For machines (one JSON document, or JSON Lines).
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Colour {
    Auto,
    Always,
    Never,
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
        /// text: diagnostics for people on stderr; json: one diagnostic per line on stdout.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Also check this evaluation context (JSON) against each policy: fields, queue names, time, time zone, hours.
        #[arg(long, value_name = "FILE")]
        context: Option<PathBuf>,
    },
    /// Evaluate a conversation (.json, .jsonl or - for stdin) with a policy.
    Eval {
        /// The policy file (.handoff).
        policy: PathBuf,
        /// The conversation: a .json file, a .jsonl file of them, or - for stdin.
        conversation: PathBuf,
        /// Evaluation context: clock, business hours, queue status (JSON).
        #[arg(long)]
        context: Option<PathBuf>,
        /// Show every rule's condition tree with values at the deciding message
        /// (with --mode finished, at the last message).
        #[arg(long)]
        explain: bool,
        /// live: decide after each message, stopping at the first escalation;
        /// finished: decide each rule once on the whole conversation.
        #[arg(long, value_enum, default_value = "live")]
        mode: crate::eval::Mode,
        /// text: a readable summary; json: one decision per line.
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
        /// Policy files or directories (searched for *.handoff).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Change nothing; fail if a file is not formatted.
        #[arg(long)]
        check: bool,
    },
    /// Run the language server for editors (over stdio).
    #[cfg(feature = "lsp")]
    Lsp(lsp::Args),
    /// Write a commented starter policy with tests, a sample conversation and a context.
    Init {
        /// The directory to write into (created if missing; no file in it is overwritten).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Print a shell completion script: `handoff completions bash > /etc/bash_completion.d/handoff`.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per subcommand into DIR.
    Man {
        /// Write handoff.1 and handoff-SUBCOMMAND.1 here instead of printing handoff.1.
        dir: Option<PathBuf>,
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
    render_colour(cli.color);
    let code = match cli.command {
        Command::Check { paths, deny_warnings, format, context } => {
            check::run(&paths, deny_warnings, format, context.as_deref())
        }
        Command::Eval { policy, conversation, context, explain, mode, format } => {
            eval::run(&policy, &conversation, context.as_deref(), (explain, mode), format)
        }
        Command::Test(args) => test::run(args),
        #[cfg(feature = "import")]
        Command::Import(args) => import::run(args),
        #[cfg(feature = "replay")]
        Command::Replay(args) => replay::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args),
        Command::Fmt { paths, check } => fmt::run(&paths, check),
        #[cfg(feature = "lsp")]
        Command::Lsp(args) => lsp::run(args),
        Command::Init { dir } => init::run(&dir),
        Command::Completions { shell } => completions::completions(shell),
        Command::Man { dir } => completions::man(dir.as_deref()),
    };
    ExitCode::from(code)
}

fn render_colour(colour: Colour) {
    crate::render::set_colour(match colour {
        Colour::Auto => None,
        Colour::Always => Some(true),
        Colour::Never => Some(false),
    });
}
