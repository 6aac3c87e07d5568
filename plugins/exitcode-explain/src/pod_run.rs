//! `kubectl exitcode-explain pod/NAME` as a read-only command of the shared driver: every
//! container's verdict with its evidence.

use firstaid::driver::{Command, Context};
use firstaid::{Error, Format, Printer, Report, Result};

use crate::cli::Cli;
use crate::report::{self, ContainerReport, Document};
use crate::{fetch, render, secrets};

pub struct OnePod<'c> {
    pub cli: &'c Cli,
    pub name: String,
}

impl Command for OnePod<'_> {
    type Found = Vec<ContainerReport>;
    type Verified = ();

    async fn diagnose(&self, ctx: &Context<'_>, printer: &mut Printer) -> Result<Self::Found> {
        let (kube, name) = (ctx.kube, self.name.as_str());
        let mut notes = fetch::Notes::default();
        let mut evidence = fetch::one_pod(&kube.client, &kube.namespace, name, &mut notes).await?;
        secrets::fill(
            &kube.client,
            std::slice::from_mut(&mut evidence),
            ctx.cancel,
        )
        .await?;
        if let Some(only) = &self.cli.container
            && !evidence.containers.iter().any(|c| &c.name == only)
        {
            let names: Vec<&str> = evidence
                .containers
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            return Err(Error::NotFound(format!(
                "container {only:?} not found in pod {name}; it has: {}",
                names.join(", ")
            )));
        }
        let reports = report::pod_reports(
            &evidence.pod,
            &evidence.containers,
            evidence.node.as_ref(),
            &evidence.usage,
            self.cli.container.as_deref(),
        );
        for note in notes.into_iter() {
            printer.note(&format!("note: {note}"))?;
        }
        Ok(reports)
    }

    fn render(&self, _: &Context<'_>, reports: &Self::Found, printer: &mut Printer) -> Result<()> {
        let name = &self.name;
        if reports.is_empty() {
            printer.note(&format!(
                "pod/{name}: no container has terminated, restarted or failed to start; nothing to explain"
            ))
        } else if printer.format == Format::Name {
            printer.line(&format!("pod/{name}"))
        } else {
            render::pod_detail(printer, reports)
        }
    }

    fn found_something(&self, reports: &Self::Found) -> bool {
        !reports.is_empty()
    }

    fn document(
        &self,
        reports: &Self::Found,
        _: Option<&Report>,
        _: Option<&()>,
        printer: &mut Printer,
    ) -> Result<()> {
        let document = Document {
            items: reports,
            pull_groups: &[],
        };
        printer.document("ContainerExitReport", &document)
    }
}
