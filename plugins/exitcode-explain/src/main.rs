use std::process::ExitCode;

use clap::Parser;
use exitcode_explain::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    firstaid::run::run(exitcode_explain::run(cli))
}
