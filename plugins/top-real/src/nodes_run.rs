//! `kubectl top-real [node]`: each node's usage against capacity and allocatable, with requests
//! and limits — a read-only command of the shared driver.

use std::collections::HashMap;

use firstaid::driver::{Command, Context};
use firstaid::k8s::Timestamp;
use firstaid::{Format, Printer, Report, Result};

use crate::cli::Cli;
use crate::{fetch, kinds, nodes, nodes_view, other, sort, split};

pub struct Nodes<'c> {
    pub cli: &'c Cli,
    pub names: Vec<String>,
}

impl Command for Nodes<'_> {
    type Found = nodes::NodeUsage;
    type Verified = ();

    async fn diagnose(&self, ctx: &Context<'_>, _: &mut Printer) -> Result<nodes::NodeUsage> {
        let data = fetch::nodes(ctx.kube, &self.names, self.cli.selector.as_deref()).await?;
        let now = Timestamp::now();
        let (metrics, info) = split(data.metrics);
        let by_name: HashMap<&str, &kinds::NodeMetrics> = metrics
            .iter()
            .filter_map(|m| Some((m.metadata.name.as_deref()?, m)))
            .collect();
        let mut items: Vec<nodes::NodeReport> = data
            .nodes
            .iter()
            .map(|n| {
                let name = n.metadata.name.as_deref().unwrap_or_default();
                nodes::report(
                    n,
                    data.loads.get(name),
                    data.loads.other.get(name),
                    by_name.get(name).copied(),
                    now,
                )
            })
            .collect();
        sort::nodes(&mut items, self.cli.sort_by.as_deref())?;
        Ok(nodes::NodeUsage {
            metrics: info,
            unscheduled_pods: data.loads.unscheduled,
            items,
        })
    }

    fn render(
        &self,
        _: &Context<'_>,
        usage: &nodes::NodeUsage,
        printer: &mut Printer,
    ) -> Result<()> {
        if let Some(message) = &usage.metrics.message {
            printer.warn(message)?;
        }
        if usage.items.is_empty() {
            return printer.note("No resources found");
        }
        let other = other::shown(
            self.cli.resources.as_deref(),
            printer.format == Format::Wide,
            usage.items.iter().flat_map(|n| {
                n.other_resources
                    .iter()
                    .map(|(name, f)| (name.as_str(), f.allocatable != 0 || f.requests != 0))
            }),
        );
        printer.table(&nodes_view::table(usage, self.cli.bars, &other))?;
        for note in nodes_view::notes(usage)
            .into_iter()
            .chain(other::no_usage_note(&other))
        {
            printer.note(&note)?;
        }
        Ok(())
    }

    fn found_something(&self, usage: &nodes::NodeUsage) -> bool {
        !usage.items.is_empty()
    }

    fn document(
        &self,
        usage: &nodes::NodeUsage,
        _: Option<&Report>,
        _: Option<&()>,
        printer: &mut Printer,
    ) -> Result<()> {
        printer.document("NodeUsage", usage)
    }
}
