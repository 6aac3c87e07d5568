//! `--stuck-terminating` as a [`Command`]: pods stuck Terminating, and a force delete offered
//! only where their node is gone (or NotReady longer than `--not-ready-for`).

use firstaid::driver::{Command, Context, Fix};
use firstaid::{Error, Format, Printer, Report, Result};

use crate::act;
use crate::cli::Cli;
use crate::fetch::{self, Listing};
use crate::guard::{NodeStillGone, live_nodes, nodes_of};
use crate::nodes::{ZoneEviction, zone_evictions};
use crate::render;
use crate::report::{Body, NodeReport, node_reports, pods_per_node};
use crate::select::Criteria;
use crate::stuck::{self, NodeIndex};

pub struct StuckTerminating<'c> {
    pub cli: &'c Cli,
    pub scope: Option<&'c str>,
}

/// What the stuck-Terminating diagnosis found.
pub struct Found {
    pub stuck: fetch::Stuck,
    pub node_index: NodeIndex,
    pub node_reports: Vec<NodeReport>,
    pub zones: Vec<ZoneEviction>,
    pub notes: Vec<String>,
    /// Pods a force delete is offered for.
    pub forced: usize,
    pub now: i64,
}

impl Command for StuckTerminating<'_> {
    type Found = Found;
    type Verified = ();

    async fn diagnose(&self, ctx: &Context<'_>, _: &mut Printer) -> Result<Found> {
        // Whether a node is gone is the whole safety argument: without node access, refuse.
        let node_index = fetch::nodes(ctx.kube).await.map_err(|e| {
            if e.is_forbidden() {
                Error::Other(format!(
                    "{e}\n--stuck-terminating must read nodes to tell a deleted node from a live one; ask for `list nodes`"
                ))
            } else {
                e
            }
        })?;
        let stuck = fetch::stuck_pods(
            ctx.kube,
            self.scope,
            &node_index,
            self.cli.fix.not_ready_for,
            self.cli.select.older_than,
            Listing::of(&self.cli.select),
        )
        .await?;
        let per_node = pods_per_node(stuck.pods.iter().map(|p| p.node.as_ref()));
        let node_reports = node_reports(&per_node, &node_index);
        let all: Vec<_> = node_index.values().cloned().collect();
        let zones = zone_evictions(&all);
        let mut notes: Vec<String> = zones.iter().filter_map(ZoneEviction::note).collect();
        let forced = stuck
            .pods
            .iter()
            .filter(|p| p.verdict.force_delete())
            .count();
        if forced > 0 {
            notes.push(format!(
                "kubectl's warning for a force delete: {}",
                stuck::FORCE_WARNING
            ));
        }
        Ok(Found {
            stuck,
            node_index,
            node_reports,
            zones,
            notes,
            forced,
            now: fetch::now(),
        })
    }

    fn render(&self, ctx: &Context<'_>, found: &Found, printer: &mut Printer) -> Result<()> {
        if printer.format == Format::Name {
            for p in found.stuck.pods.iter().filter(|p| p.verdict.force_delete()) {
                printer.line(&format!("pod/{}", p.name))?;
            }
        } else {
            let with_not_ready = self.cli.fix.not_ready_for.is_some();
            render::stuck_report(printer, found, self.scope, with_not_ready)?;
        }
        if !ctx.fixing && found.forced > 0 {
            printer.note("Nothing was changed. Rerun with --fix to force-delete the pods marked \"force delete\".")?;
        }
        Ok(())
    }

    fn found_something(&self, found: &Found) -> bool {
        !found.stuck.pods.is_empty()
    }

    fn fix<'s>(&'s self, ctx: &Context<'s>, found: &'s mut Found) -> Option<Fix<'s>> {
        let objects = std::mem::take(&mut found.stuck.objects);
        let plan = act::stuck_plan(&found.stuck.pods, objects);
        if plan.is_empty() {
            return None;
        }
        // The guard judges each node as it is when the delete goes out, not as it was listed.
        let guard = NodeStillGone {
            nodes: live_nodes(
                ctx.kube,
                nodes_of(&found.stuck.pods),
                found.node_index.clone(),
            ),
            not_ready_for: self.cli.fix.not_ready_for,
        };
        Some(Fix::of_plan(plan, firstaid::guard::boxed(guard)))
    }

    fn nothing_to_fix(&self, _: &Found) -> Option<String> {
        Some("Nothing to force-delete.".into())
    }

    fn after_apply(&self, _: &Found, report: &Report, printer: &mut Printer) -> Result<()> {
        render::failures(printer, report)
    }

    fn document(
        &self,
        found: &Found,
        result: Option<&Report>,
        _: Option<&()>,
        printer: &mut Printer,
    ) -> Result<()> {
        let body = Body {
            scope: self.scope,
            mode: "stuckTerminating",
            criteria: self
                .cli
                .criteria_json(&Criteria::new(&[], &[], self.cli.select.older_than)),
            listed: found.stuck.listed,
            selected: found.stuck.pods.len(),
            pods: &[],
            groups: &[],
            stuck: &found.stuck.pods,
            nodes: &found.node_reports,
            zones: &found.zones,
            notes: &found.notes,
            result,
            verification: None,
        };
        printer.document("EvictedPodReport", &body)
    }
}
