//! `kubectl top-real pod`: each pod's usage against its requests and limits — a read-only
//! command of the shared driver.

use std::collections::HashMap;

use firstaid::driver::{Command, Context};
use firstaid::k8s::Timestamp;
use firstaid::{Format, Printer, Report, Result};

use crate::cli::Cli;
use crate::{fetch, kinds, other, pods, pods_view, sort, split};

pub struct Pods<'c> {
    pub cli: &'c Cli,
    pub names: Vec<String>,
}

/// The pods' usage, and the namespace read (`None`: all).
pub struct Found {
    usage: pods::PodUsage,
    namespace: Option<String>,
}

impl Command for Pods<'_> {
    type Found = Found;
    type Verified = ();

    async fn diagnose(&self, ctx: &Context<'_>, _: &mut Printer) -> Result<Found> {
        let namespace = ctx.kube.scope(self.cli.all);
        let selector = self.cli.selector.as_deref();
        let data = fetch::pods(ctx.kube, namespace, &self.names, selector).await?;
        let now = Timestamp::now();
        let (metrics, info) = split(data.metrics);
        let by_name: HashMap<(&str, &str), &kinds::PodMetrics> = metrics
            .iter()
            .filter_map(|m| {
                let meta = &m.metadata;
                Some(((meta.namespace.as_deref()?, meta.name.as_deref()?), m))
            })
            .collect();
        let mut items: Vec<pods::PodReport> = data
            .pods
            .iter()
            .map(|p| {
                let key = (
                    p.metadata.namespace.as_deref().unwrap_or_default(),
                    p.metadata.name.as_deref().unwrap_or_default(),
                );
                pods::report(p, by_name.get(&key).copied(), now)
            })
            .collect();
        sort::pods(&mut items, self.cli.sort_by.as_deref())?;
        Ok(Found {
            usage: pods::PodUsage {
                metrics: info,
                items,
            },
            namespace: namespace.map(str::to_owned),
        })
    }

    fn render(&self, _: &Context<'_>, found: &Found, printer: &mut Printer) -> Result<()> {
        let usage = &found.usage;
        if let Some(message) = &usage.metrics.message {
            printer.warn(message)?;
        }
        if usage.items.is_empty() {
            let scope = found
                .namespace
                .as_deref()
                .map_or_else(String::new, |ns| format!(" in {ns} namespace"));
            return printer.note(&format!("No resources found{scope}."));
        }
        let other = other::shown(
            self.cli.resources.as_deref(),
            printer.format == Format::Wide,
            usage.items.iter().flat_map(|p| {
                p.other_resources
                    .iter()
                    .map(|(name, a)| (name.as_str(), a.requests != 0 || a.limits.unwrap_or(0) != 0))
            }),
        );
        let opts = pods_view::Options {
            all_namespaces: found.namespace.is_none(),
            containers: self.cli.containers,
            bars: self.cli.bars,
            other,
        };
        printer.table(&pods_view::table(usage, &opts))?;
        for note in pods_view::notes(usage)
            .into_iter()
            .chain(other::no_usage_note(&opts.other))
        {
            printer.note(&note)?;
        }
        Ok(())
    }

    fn found_something(&self, found: &Found) -> bool {
        !found.usage.items.is_empty()
    }

    fn document(
        &self,
        found: &Found,
        _: Option<&Report>,
        _: Option<&()>,
        printer: &mut Printer,
    ) -> Result<()> {
        printer.document("PodUsage", &found.usage)
    }
}
