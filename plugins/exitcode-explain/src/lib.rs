//! `kubectl exitcode-explain`: what a container's exit code means, and why this container died.
//!
//! Two modes share one set of tables. Number mode ([`explain`]) is offline and instant: it never
//! reads a kubeconfig, so it answers at 3 a.m. even when the cluster is the thing that is down.
//! Pod mode reads a pod's statuses, events, spec and node ([`fetch`]) and reaches a verdict with
//! evidence for each container ([`verdict`]), because the code alone misleads (not every 137 is
//! an OOM).

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
mod pull;
mod pull_causes;
mod render;
mod report;
mod secrets;
mod verdict;

use std::collections::BTreeMap;

use firstaid::args::ObjectArg;
use firstaid::concurrency::Cancel;
use firstaid::{Error, Exit, Printer, Result};

use crate::cli::Cli;
use crate::report::ContainerReport;

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Mode {
    List,
    Signal(String),
    Code(String),
    Pod(String),
    Scan,
}

fn mode(cli: &Cli) -> Result<Mode> {
    let cluster_flags = cli.selector.is_some() || cli.all_namespaces.all_namespaces;
    let offline = |mode: Mode| {
        if cluster_flags || cli.container.is_some() {
            Err(Error::Usage(
                "-l, -A and -c apply to pods; an exit code or signal is explained without a cluster".into(),
            ))
        } else {
            Ok(mode)
        }
    };
    if cli.list {
        return offline(Mode::List);
    }
    if let Some(signal) = &cli.signal {
        return offline(Mode::Signal(signal.clone()));
    }
    let Some(target) = &cli.target else {
        return Ok(Mode::Scan);
    };
    if !target.contains('/') {
        return offline(Mode::Code(target.clone()));
    }
    let object: ObjectArg = target.parse()?;
    if !object.kind_is(&["pod", "pods", "po"]) {
        return Err(Error::Usage(format!(
            "{target:?}: only pods can be explained (pod/NAME); for a workload use -l with its selector"
        )));
    }
    if cluster_flags {
        return Err(Error::Usage(
            "pod/NAME names one pod: drop -l/-A (use -n for its namespace)".into(),
        ));
    }
    Ok(Mode::Pod(object.name))
}

pub async fn run(cli: Cli) -> Result<Exit> {
    let mut printer = Printer::stdio(cli.output);
    match mode(&cli)? {
        Mode::List => render::tables(&mut printer)?,
        Mode::Signal(text) => {
            let signal = signals::parse(&text).map_err(Error::Usage)?;
            render::signal(&mut printer, &signal)?;
        }
        Mode::Code(text) => {
            let parsed = code::parse(&text).map_err(Error::Usage)?;
            render::code(&mut printer, &explain::explain(&text, &parsed))?;
        }
        Mode::Pod(name) => return explain_pod(&cli, &name, &mut printer).await,
        Mode::Scan => return scan(&cli, &mut printer).await,
    }
    Ok(Exit::Ok)
}

async fn explain_pod(cli: &Cli, name: &str, printer: &mut Printer) -> Result<Exit> {
    let kube = cli.kube.connect().await?;
    let mut notes = fetch::Notes::default();
    let mut evidence = fetch::one_pod(&kube.client, &kube.namespace, name, &mut notes).await?;
    secrets::fill(
        &kube.client,
        std::slice::from_mut(&mut evidence),
        &Cancel::on_ctrl_c(),
    )
    .await?;
    if let Some(only) = &cli.container
        && !evidence.containers.iter().any(|c| &c.name == only)
    {
        return Err(Error::NotFound(format!(
            "container {only:?} not found in pod {name}; it has: {}",
            evidence
                .containers
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let reports = report::pod_reports(
        &evidence.pod,
        &evidence.containers,
        evidence.node.as_ref(),
        &evidence.usage,
        cli.container.as_deref(),
    );
    for note in notes.into_iter() {
        printer.note(&format!("note: {note}"))?;
    }
    if printer.format.is_structured() {
        printer.document(
            "ContainerExitReport",
            &report::Document {
                items: &reports,
                pull_groups: &[],
            },
        )?;
    } else if reports.is_empty() {
        printer.note(&format!(
            "pod/{name}: no container has terminated, restarted or failed to start; nothing to explain"
        ))?;
    } else if printer.format == firstaid::Format::Name {
        printer.line(&format!("pod/{name}"))?;
    } else {
        render::pod_detail(printer, &reports)?;
    }
    Ok(Exit::Ok)
}

async fn scan(cli: &Cli, printer: &mut Printer) -> Result<Exit> {
    let kube = cli.kube.connect().await?;
    let all = cli.all_namespaces.all_namespaces;
    let scope = kube.scope(cli.all_namespaces);
    let cancel = Cancel::on_ctrl_c();
    let mut notes = fetch::Notes::default();
    let progress = firstaid::progress::Progress::spinner("reading pods", printer.interactive());
    let pods = fetch::scan(
        &kube.client,
        scope,
        cli.selector.as_deref(),
        &cancel,
        &mut notes,
    )
    .await;
    let pods = match pods {
        Ok(mut pods) => secrets::fill(&kube.client, &mut pods, &cancel)
            .await
            .map(|()| pods),
        Err(e) => Err(e),
    };
    progress.finish();
    let pods = pods?;
    let reports: Vec<ContainerReport> = pods
        .iter()
        .flat_map(|e| {
            report::pod_reports(
                &e.pod,
                &e.containers,
                e.node.as_ref(),
                &BTreeMap::new(),
                cli.container.as_deref(),
            )
        })
        .filter(ContainerReport::noteworthy)
        .collect();
    for note in notes.into_iter() {
        printer.note(&format!("note: {note}"))?;
    }
    let groups = report::pull_groups(&reports);
    if printer.format.is_structured() {
        printer.document(
            "ContainerExitReport",
            &report::Document {
                items: &reports,
                pull_groups: &groups,
            },
        )?;
    } else if reports.is_empty() {
        let place = match scope {
            None => "any namespace".to_owned(),
            Some(ns) => format!("namespace {ns}"),
        };
        printer.note(&format!(
            "No containers terminated non-zero, restarted or failed to start in {place}."
        ))?;
    } else {
        render::scan_table(printer, &reports, &groups, all)?;
    }
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn mode_of(args: &[&str]) -> Result<Mode> {
        let cli = Cli::try_parse_from(std::iter::once("x").chain(args.iter().copied()))
            .map_err(|e| Error::Usage(e.to_string()))?;
        mode(&cli)
    }

    #[test]
    fn modes() {
        assert_eq!(mode_of(&["137"]).ok(), Some(Mode::Code("137".into())));
        assert_eq!(mode_of(&["-1"]).ok(), Some(Mode::Code("-1".into())));
        assert_eq!(mode_of(&["abc"]).ok(), Some(Mode::Code("abc".into())));
        assert_eq!(
            mode_of(&["pod/web-1"]).ok(),
            Some(Mode::Pod("web-1".into()))
        );
        assert_eq!(
            mode_of(&["po/web-1", "-n", "x"]).ok(),
            Some(Mode::Pod("web-1".into()))
        );
        assert_eq!(mode_of(&[]).ok(), Some(Mode::Scan));
        assert_eq!(mode_of(&["-A"]).ok(), Some(Mode::Scan));
        assert_eq!(mode_of(&["-l", "app=web"]).ok(), Some(Mode::Scan));
        assert_eq!(
            mode_of(&["--signal", "KILL"]).ok(),
            Some(Mode::Signal("KILL".into()))
        );
        assert_eq!(mode_of(&["--list"]).ok(), Some(Mode::List));
    }

    #[test]
    fn contradictions_are_usage_errors() {
        for args in [
            &["137", "-A"][..],
            &["--list", "-l", "a=b"],
            &["pod/x", "-A"],
            &["deploy/web"],
            &["pod/"],
            &["137", "-c", "app"],
        ] {
            let err = mode_of(args).expect_err("must be refused");
            assert_eq!(err.exit(), Exit::Usage, "{args:?}");
        }
    }
}
