use std::process::ExitCode;

use clap::Parser;
use ipv6_cidr::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    firstaid::run::run(ipv6_cidr::run(cli))
}
