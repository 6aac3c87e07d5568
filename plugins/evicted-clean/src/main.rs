use std::process::ExitCode;

use clap::Parser;
use evicted_clean::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    firstaid::run::run(evicted_clean::run(cli))
}
