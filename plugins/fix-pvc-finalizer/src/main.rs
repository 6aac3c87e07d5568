use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use fix_pvc_finalizer::cli::Cli;

mod complete;

fn main() -> ExitCode {
    // `kubectl_complete-*`, `__complete` and `completion …` are answered before parsing.
    if let Some(code) = firstaid::completion::intercept(Cli::command(), complete::complete) {
        return code;
    }
    let cli = Cli::parse();
    firstaid::run::run(fix_pvc_finalizer::run(cli))
}
