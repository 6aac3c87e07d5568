use std::process::ExitCode;

use clap::Parser;
use fix_pvc_finalizer::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    firstaid::run::run(fix_pvc_finalizer::run(cli))
}
