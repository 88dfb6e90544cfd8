//! `handoff serve` (not yet implemented).

use super::EXIT_USAGE;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> u8 {
    eprintln!("handoff serve: not yet implemented");
    EXIT_USAGE
}
