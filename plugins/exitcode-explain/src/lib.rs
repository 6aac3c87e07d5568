//! `kubectl exitcode-explain`: what a container's exit code means, and why this container died.
//!
//! Two modes share one set of tables. Number mode ([`explain`]) is offline and instant: it never
//! reads a kubeconfig, so it answers at 3 a.m. even when the cluster is the thing that is down.
//! Pod mode reads a pod's statuses, events, spec and node ([`fetch`]) and reaches a verdict with
//! evidence for each container ([`verdict`]), because the code alone misleads (not every 137 is
//! an OOM). The cluster modes — one pod, or a scan — are read-only commands of the shared driver
//! (`pod_run`, `scan_run`).

pub mod cli;
pub mod code;
pub mod explain;
pub mod signals;
pub mod tables;

mod advice;
mod arch;
mod backoff;
mod config_error;
mod extract;
mod facts;
mod fetch;
#[cfg(test)]
mod fixtures;
mod mode;
mod pod_run;
mod pull;
mod pull_causes;
mod render;
mod report;
mod scan_run;
mod secrets;
mod verdict;

use firstaid::driver::{Context, drive};
use firstaid::{Cancel, Error, Exit, MutationArgs, Printer, Result};

use crate::cli::Cli;
use crate::mode::{Mode, mode};

pub async fn run(cli: Cli) -> Result<Exit> {
    let mut printer = Printer::stdio(cli.output);
    let mode = mode(&cli)?;
    match mode {
        Mode::List => render::tables(&mut printer)?,
        Mode::Signal(text) => {
            let signal = signals::parse(&text).map_err(Error::Usage)?;
            render::signal(&mut printer, &signal)?;
        }
        Mode::Code(text) => {
            let parsed = code::parse(&text).map_err(Error::Usage)?;
            render::code(&mut printer, &explain::explain(&text, &parsed))?;
        }
        Mode::Pod(_) | Mode::Scan => return cluster(&cli, mode, &mut printer).await,
    }
    Ok(Exit::Ok)
}

/// The modes that read the cluster; they never change it.
async fn cluster(cli: &Cli, mode: Mode, printer: &mut Printer) -> Result<Exit> {
    let kube = cli.kube.connect().await?;
    let cancel = Cancel::on_ctrl_c();
    let read_only = MutationArgs::default();
    let ctx = Context {
        kube: &kube,
        mutation: &read_only,
        plugin: "exitcode-explain",
        cancel: &cancel,
        fixing: false,
        exit_code: firstaid::ExitCodeArg::default(),
    };
    match mode {
        Mode::Pod(name) => drive(&pod_run::OnePod { cli, name }, &ctx, printer).await,
        _ => drive(&scan_run::Scan { cli }, &ctx, printer).await,
    }
}
