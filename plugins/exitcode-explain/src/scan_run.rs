//! `kubectl exitcode-explain [-A] [-l SELECTOR]` as a read-only command of the shared driver:
//! every container that terminated non-zero, restarted or cannot start, identical image-pull
//! causes grouped.

use std::collections::BTreeMap;

use firstaid::driver::{Command, Context};
use firstaid::progress::Progress;
use firstaid::{Printer, Report, Result};

use crate::cli::Cli;
use crate::report::{self, ContainerReport, Document, PullGroup};
use crate::{fetch, render, secrets};

pub struct Scan<'c> {
    pub cli: &'c Cli,
}

/// The noteworthy containers, and the pull failures they share.
pub struct Found {
    reports: Vec<ContainerReport>,
    groups: Vec<PullGroup>,
    /// The namespace scanned (`None`: all).
    scope: Option<String>,
}

impl Command for Scan<'_> {
    type Found = Found;
    type Verified = ();

    async fn diagnose(&self, ctx: &Context<'_>, printer: &mut Printer) -> Result<Found> {
        let (kube, cancel) = (ctx.kube, ctx.cancel);
        let scope = kube.scope(self.cli.all_namespaces);
        let mut notes = fetch::Notes::default();
        let progress = Progress::spinner("reading pods", printer.interactive());
        let selector = self.cli.selector.as_deref();
        let pods = match fetch::scan(&kube.client, scope, selector, cancel, &mut notes).await {
            Ok(mut pods) => secrets::fill(&kube.client, &mut pods, cancel)
                .await
                .map(|()| pods),
            Err(e) => Err(e),
        };
        progress.finish();
        let only = self.cli.container.as_deref();
        let reports: Vec<ContainerReport> = pods?
            .iter()
            .flat_map(|e| {
                report::pod_reports(
                    &e.pod,
                    &e.containers,
                    e.node.as_ref(),
                    &BTreeMap::new(),
                    only,
                )
            })
            .filter(ContainerReport::noteworthy)
            .collect();
        for note in notes.into_iter() {
            printer.note(&format!("note: {note}"))?;
        }
        let groups = report::pull_groups(&reports);
        Ok(Found {
            reports,
            groups,
            scope: scope.map(str::to_owned),
        })
    }

    fn render(&self, _: &Context<'_>, found: &Found, printer: &mut Printer) -> Result<()> {
        if found.reports.is_empty() {
            let place = found.scope.as_deref().map_or_else(
                || "any namespace".to_owned(),
                |ns| format!("namespace {ns}"),
            );
            return printer.note(&format!(
                "No containers terminated non-zero, restarted or failed to start in {place}."
            ));
        }
        let all = self.cli.all_namespaces.all_namespaces;
        render::scan_table(printer, &found.reports, &found.groups, all)
    }

    fn found_something(&self, found: &Found) -> bool {
        !found.reports.is_empty()
    }

    fn document(
        &self,
        found: &Found,
        _: Option<&Report>,
        _: Option<&()>,
        printer: &mut Printer,
    ) -> Result<()> {
        let document = Document {
            items: &found.reports,
            pull_groups: &found.groups,
        };
        printer.document("ContainerExitReport", &document)
    }
}
