use std::process::ExitCode;

use clap::Parser;
use ns_unstick::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    firstaid::run::run(ns_unstick::run(cli))
}
