use std::process::ExitCode;

use clap::Parser;
use top_real::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    firstaid::run::run(top_real::run(cli))
}
