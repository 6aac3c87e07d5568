//! `kubectl ipv6-cidr`: plan and check IPv6 (and dual-stack) service and pod ranges.
//!
//! The FAQ behind it (CCE's on IPv6 service CIDRs of dual-stack clusters) is arithmetic people get wrong at 3 a.m.: how many addresses a
//! /115 holds, which network addresses are valid for it, whether `fc00::1/112` is a network, why
//! kube-apiserver refuses a /64 service range. Calculators (sipcalc, ipcalc) do the arithmetic but
//! know nothing of Kubernetes; this does both, and reads a cluster's real ranges.
//!
//! Layout: `parse` (strict parser with reasons), `cidr` (arithmetic and forms), `class` (address
//! types), `plan` (sizing), `split` (lazy subnets), `k8s` (Kubernetes' rules as data), `profiles`
//! (vendor rules as data), `check` (the checks), `fetch` + `cluster` (live cluster), `commands`
//! (one per subcommand: flags in, output out).

pub mod check;
pub mod cidr;
pub mod class;
pub mod cli;
pub mod cluster;
mod commands;
pub mod fetch;
pub mod k8s;
pub mod parse;
pub mod plan;
pub mod profiles;
pub mod split;
pub mod text;

use firstaid::{Exit, Printer, Result};

use crate::cli::{Cli, Command};

pub async fn run(cli: Cli) -> Result<Exit> {
    match &cli.command {
        Command::Info(args) => commands::info::run(args, &mut Printer::stdio(args.output)),
        Command::Plan(args) => commands::plan::run(args, &mut Printer::stdio(args.output)),
        Command::Check(args) => commands::check::run(args, &mut Printer::stdio(args.output)),
        Command::Split(args) => commands::split::run(args, &mut Printer::stdio(args.output)),
        Command::Cluster(args) => {
            commands::cluster::run(args, &mut Printer::stdio(args.output)).await
        }
    }
}
