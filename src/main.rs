//! The `handoff` binary: see `handoff --help`.

// Replay and serve allocate per message (texts, fingerprints, evidence); the
// system allocator spent 15% of replay time in malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    handoff::cli::main()
}
