//! The `handoff` binary: see `handoff --help`.

fn main() -> std::process::ExitCode {
    handoff::cli::main()
}
