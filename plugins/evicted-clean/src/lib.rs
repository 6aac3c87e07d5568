//! `kubectl evicted-clean`: explain and clean up evicted and stranded pods (the FAQs on
//! evicted pods, pods stuck Terminating and admission failures).
//!
//! The FAQ's fix is `kubectl get pods | grep Evicted | awk … | xargs kubectl delete pod`: it
//! matches names, deletes one pod per request in series, and explains nothing. Here pods are
//! selected by status, the report says why they were evicted and whether it will happen again
//! (node pressure, requests below usage, eviction brakes), and the deletes go through the shared
//! plan/confirm/backup/apply path with bounded concurrency.
//!
//! Shape: [`fetch`] reads (nodes once, pods streamed page by page); [`select`], [`stuck`],
//! [`nodes`] and [`report`] are pure diagnosis; [`render`] prints; [`act`] builds the plan and the
//! guards the shared Applier runs.

pub mod act;
pub mod cli;
pub mod fetch;
pub mod nodes;
pub mod render;
pub mod report;
pub mod select;
pub mod stuck;
pub mod verify;

use std::collections::BTreeMap;
use std::sync::Arc;

use firstaid::{Applier, Cancel, DryRun, Error, Exit, Format, Kube, Printer, Result};
use serde_json::json;

use crate::cli::Cli;
use crate::nodes::zone_evictions;
use crate::report::{Body, NodeReport, groups, node_reports, notes};
use crate::select::Criteria;
use crate::stuck::NodeIndex;
use crate::verify::Verification;

const PLUGIN: &str = "evicted-clean";

pub async fn run(cli: Cli) -> Result<Exit> {
    let kube = cli.kube.connect().await?;
    let mut printer = Printer::stdio(cli.output);
    let cancel = Cancel::on_ctrl_c();
    if cli.select.stuck_terminating {
        stuck_mode(&cli, &kube, &mut printer, &cancel).await
    } else {
        evicted_mode(&cli, &kube, &mut printer, &cancel).await
    }
}

/// Nodes, or an empty index and a warning when the user may not list them (a namespace-scoped
/// user can still clean their own evicted pods; only the node explanation is lost).
async fn nodes_or_warn(kube: &Kube, printer: &mut Printer) -> Result<Option<NodeIndex>> {
    match fetch::nodes(kube).await {
        Ok(index) => Ok(Some(index)),
        Err(e) if e.is_forbidden() => {
            printer.warn(&format!(
                "cannot list nodes ({e}); the report leaves out node pressure and eviction facts"
            ))?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

fn listing(cli: &Cli) -> fetch::Listing<'_> {
    fetch::Listing {
        node: cli.select.node.as_deref(),
        labels: cli.select.selector.as_deref(),
        chunk_size: cli.select.chunk_size,
    }
}

fn scope_text(scope: Option<&str>) -> String {
    scope.map_or_else(
        || "all namespaces".to_owned(),
        |ns| format!("namespace {ns}"),
    )
}

async fn evicted_mode(
    cli: &Cli,
    kube: &Kube,
    printer: &mut Printer,
    cancel: &Cancel,
) -> Result<Exit> {
    let scope = kube.scope(cli.all);
    let criteria = Criteria::new(&cli.select.reason, &cli.select.phase, cli.select.older_than);
    let fixing = cli.fixing();
    let include_bare = cli.fix.include_bare_pods;
    // The pods to delete are backed up in full as they are listed (then only a few fields of each
    // are kept); the backup is kept once the plan is confirmed, removed otherwise.
    let staged = if fixing {
        cli.mutation.stage_backup(PLUGIN)?
    } else {
        None
    };
    let (node_index, failed) = tokio::join!(
        nodes_or_warn(kube, &mut *printer),
        fetch::failed_pods(
            kube,
            scope,
            &criteria,
            listing(cli),
            |p| act::deletes(p, include_bare),
            staged.as_ref(),
        )
    );
    let (node_index, failed) = (node_index?, failed?);
    let now = fetch::now();

    let found = findings(&failed, node_index.as_ref(), scope);

    match printer.format {
        Format::Table | Format::Wide => {
            print_evicted_report(printer, cli, scope, &failed, &found, now)?;
        }
        Format::Name => {
            for pod in &failed.pods {
                printer.line(&format!("pod/{}", pod.name))?;
            }
        }
        Format::Json | Format::Yaml => {}
    }

    let mut result = None;
    let mut verification = None;
    if fixing {
        if found.bare > 0 && !include_bare && !printer.format.is_structured() {
            printer.note(&format!(
                "{} bare pod(s) are left alone: nothing recreates them. Add --include-bare-pods to delete them too.",
                found.bare
            ))?;
        }
        let outline = act::evicted_outline(&failed.pods, include_bare);
        if outline.is_empty() {
            printer.note("Nothing to delete.")?;
        } else {
            let guard = |_: &firstaid::Step, current: &serde_json::Value| {
                act::evicted_guard(&criteria, current)
            };
            let applier = Applier {
                kube,
                args: &cli.mutation,
                plugin: PLUGIN,
                cancel,
                guard: &guard,
            };
            let steps = act::evicted_steps(&failed.pods, include_bare);
            let report = applier
                .execute_streamed(&outline, steps, staged, printer)
                .await?;
            print_failures(printer, &report)?;
            verification =
                verify_deletes(cli, kube, scope, &criteria, &failed, &report, printer).await?;
            result = Some(report);
        }
    }
    if printer.format.is_structured() {
        let body = Body {
            scope,
            mode: "evicted",
            criteria: criteria_json(cli, &criteria),
            listed: failed.listed,
            selected: failed.pods.len(),
            pods: &failed.pods,
            groups: &found.groups,
            stuck: &[],
            nodes: &found.node_reports,
            zones: &found.zones,
            notes: &found.notes,
            result: result.as_ref(),
            verification: verification.as_ref(),
        };
        printer.document("EvictedPodReport", &body)?;
    }
    if let Some(report) = &result {
        report.into_result()?;
    }
    if let Some(contradiction) = verification.as_ref().and_then(Verification::contradiction) {
        return Err(Error::Partial(contradiction));
    }
    Ok(if fixing {
        Exit::Ok
    } else {
        cli.exit_code.diagnosed(!failed.pods.is_empty())
    })
}

/// Lists again after a real (not dry) run and checks every pod the report calls deleted is gone
/// (see [`verify`]). `None` when there is nothing to check (dry run, Ctrl-C, nothing claimed
/// done) or the list failed — then a warning says the outcome could not be verified, and the
/// report's own exit code stands.
async fn verify_deletes(
    cli: &Cli,
    kube: &Kube,
    scope: Option<&str>,
    criteria: &Criteria,
    failed: &fetch::Failed,
    report: &firstaid::Report,
    printer: &mut Printer,
) -> Result<Option<Verification>> {
    if cli.mutation.dry_run != DryRun::None || report.interrupted {
        return Ok(None);
    }
    let include_bare = cli.fix.include_bare_pods;
    let claimed = verify::claimed_done(&failed.pods, include_bare, report);
    if claimed.is_empty() {
        return Ok(None);
    }
    let mut check = verify::Check::new(&claimed, &failed.pods);
    let listed = fetch::recheck(
        kube,
        scope,
        criteria,
        listing(cli),
        include_bare,
        &mut check,
    )
    .await;
    match listed {
        Ok(()) => {
            let verification = check.finish();
            printer.note(&verification.summary())?;
            Ok(Some(verification))
        }
        Err(e) => {
            printer.warn(&format!(
                "could not list the pods again to verify the deletes: {e}"
            ))?;
            Ok(None)
        }
    }
}

/// What the evicted-pod diagnosis found beyond the pods themselves.
struct Findings {
    groups: Vec<report::Group>,
    node_reports: Vec<NodeReport>,
    zones: Vec<nodes::ZoneEviction>,
    notes: Vec<String>,
    /// Pods no controller owns.
    bare: usize,
}

fn findings(
    failed: &fetch::Failed,
    node_index: Option<&NodeIndex>,
    scope: Option<&str>,
) -> Findings {
    let groups = groups(&failed.pods);
    let mut per_node: BTreeMap<Arc<str>, usize> = BTreeMap::new();
    for pod in &failed.pods {
        if let Some(node) = &pod.node {
            *per_node.entry(node.clone()).or_default() += 1;
        }
    }
    let (node_reports, zones) = match node_index {
        Some(index) => {
            let all: Vec<_> = index.values().cloned().collect();
            (node_reports(&per_node, index), zone_evictions(&all))
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut notes = notes(
        &groups,
        &node_reports,
        &zones,
        failed.pods.len(),
        scope.is_none(),
    );
    let unfinished = failed.pods.iter().filter(|p| p.unfinished_delete).count();
    if unfinished > 0 {
        notes.push(report::unfinished_note(unfinished));
    }
    let bare = failed.pods.iter().filter(|p| p.owner.is_none()).count();
    Findings {
        groups,
        node_reports,
        zones,
        notes,
        bare,
    }
}

#[allow(clippy::too_many_arguments)]
fn print_evicted_report(
    printer: &mut Printer,
    cli: &Cli,
    scope: Option<&str>,
    failed: &fetch::Failed,
    found: &Findings,
    now: i64,
) -> Result<()> {
    let Findings {
        groups,
        node_reports,
        notes,
        bare,
        ..
    } = found;
    let bare = *bare;
    let what = if cli.select.reason.is_empty() && cli.select.phase.is_empty() {
        "evicted pods"
    } else {
        "failed pod records"
    };
    if failed.pods.is_empty() {
        printer.line(&format!(
            "No {what} in {} ({} failed pods listed).",
            scope_text(scope),
            failed.listed
        ))?;
        return Ok(());
    }
    let namespaces = groups
        .iter()
        .map(|g| g.namespace.as_ref())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    printer.line(&format!(
        "{} {what} in {} ({} namespace(s), {} node(s)); {} owned by a controller, {bare} bare.",
        failed.pods.len(),
        scope_text(scope),
        namespaces,
        node_reports.len(),
        failed.pods.len() - bare,
    ))?;
    printer.line("")?;
    render::section(
        printer,
        "By namespace, owner and cause:",
        &render::groups_table(groups, now),
    )?;
    render::section(
        printer,
        "Nodes involved (current state):",
        &render::nodes_table(node_reports),
    )?;
    if bare > 0 {
        render::section(
            printer,
            "Bare pods (no controller: nothing recreates them; deleted only with --include-bare-pods):",
            &render::pods_table(
                failed
                    .pods
                    .iter()
                    .filter(|p| p.owner.is_none())
                    .take(
                        render::LIST_PODS_UP_TO.max(if printer.format == Format::Wide {
                            usize::MAX
                        } else {
                            0
                        }),
                    ),
                now,
            ),
        )?;
    }
    if printer.format == Format::Wide || failed.pods.len() <= render::LIST_PODS_UP_TO {
        render::section(
            printer,
            "Pods:",
            &render::pods_table(failed.pods.iter(), now),
        )?;
    }
    if !notes.is_empty() {
        let heading = printer.paint("Notes:", firstaid::output::Tone::Bold);
        printer.line(&heading)?;
        for note in notes {
            printer.line(&format!("- {note}"))?;
        }
        printer.line("")?;
    }
    if !cli.fixing() {
        printer.note("Nothing was changed. Rerun with --fix to delete these records (the plan is shown before anything is deleted).")?;
    }
    Ok(())
}

fn print_failures(printer: &mut Printer, report: &firstaid::Report) -> Result<()> {
    for (what, count) in act::failures_by_error(report) {
        printer.note(&format!("  {count} × {what}"))?;
    }
    Ok(())
}

fn criteria_json(cli: &Cli, criteria: &Criteria) -> serde_json::Value {
    json!({
        "reasons": criteria.reasons,
        "phases": criteria.phases.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>(),
        "olderThanSeconds": cli.select.older_than.map(|d| d.as_secs()),
        "node": cli.select.node,
        "selector": cli.select.selector,
        "notReadyForSeconds": cli.fix.not_ready_for.map(|d| d.as_secs()),
    })
}

async fn stuck_mode(
    cli: &Cli,
    kube: &Kube,
    printer: &mut Printer,
    cancel: &Cancel,
) -> Result<Exit> {
    let scope = kube.scope(cli.all);
    // Whether a node is gone is the whole safety argument: without node access, refuse.
    let node_index = fetch::nodes(kube).await.map_err(|e| {
        if e.is_forbidden() {
            Error::Other(format!(
                "{e}\n--stuck-terminating must read nodes to tell a deleted node from a live one; ask for `list nodes`"
            ))
        } else {
            e
        }
    })?;
    let found = fetch::stuck_pods(
        kube,
        scope,
        &node_index,
        cli.fix.not_ready_for,
        cli.select.older_than,
        listing(cli),
    )
    .await?;
    let now = fetch::now();
    let mut per_node: BTreeMap<Arc<str>, usize> = BTreeMap::new();
    for pod in &found.pods {
        if let Some(node) = &pod.node {
            *per_node.entry(node.clone()).or_default() += 1;
        }
    }
    let node_reports = node_reports(&per_node, &node_index);
    let all: Vec<_> = node_index.values().cloned().collect();
    let zones = zone_evictions(&all);
    let mut notes: Vec<String> = zones.iter().filter_map(nodes::ZoneEviction::note).collect();
    let forced = found
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

    match printer.format {
        Format::Table | Format::Wide => {
            if found.pods.is_empty() {
                printer.line(&format!(
                    "No pods stuck Terminating in {} ({} pods listed).",
                    scope_text(scope),
                    found.listed
                ))?;
            } else {
                printer.line(&format!(
                    "{} pod(s) stuck Terminating in {}; {forced} can be force-deleted (node gone{}).",
                    found.pods.len(),
                    scope_text(scope),
                    if cli.fix.not_ready_for.is_some() {
                        " or NotReady long enough"
                    } else {
                        ""
                    }
                ))?;
                printer.line("")?;
                render::section(
                    printer,
                    "Stuck pods:",
                    &render::stuck_table(&found.pods, now),
                )?;
                render::section(
                    printer,
                    "Nodes involved (current state):",
                    &render::nodes_table(&node_reports),
                )?;
                for note in &notes {
                    printer.line(&format!("- {note}"))?;
                }
            }
        }
        Format::Name => {
            for p in found.pods.iter().filter(|p| p.verdict.force_delete()) {
                printer.line(&format!("pod/{}", p.name))?;
            }
        }
        Format::Json | Format::Yaml => {}
    }

    let mut result = None;
    if cli.fixing() {
        let plan = act::stuck_plan(&found.pods, found.objects);
        if plan.is_empty() {
            printer.note("Nothing to force-delete.")?;
        } else {
            let live = act::live_nodes(kube, act::nodes_of(&found.pods), node_index.clone());
            let not_ready_for = cli.fix.not_ready_for;
            let guard = |step: &firstaid::Step, current: &serde_json::Value| {
                live.with(|index| {
                    act::stuck_guard(index, not_ready_for, fetch::now(), step, current)
                })
            };
            let applier = Applier {
                kube,
                args: &cli.mutation,
                plugin: PLUGIN,
                cancel,
                guard: &guard,
            };
            let report = applier.execute(&plan, printer).await?;
            print_failures(printer, &report)?;
            result = Some(report);
        }
    } else if !printer.format.is_structured() && forced > 0 {
        printer.note("Nothing was changed. Rerun with --fix to force-delete the pods marked \"force delete\".")?;
    }
    if printer.format.is_structured() {
        let body = Body {
            scope,
            mode: "stuckTerminating",
            criteria: criteria_json(cli, &Criteria::new(&[], &[], cli.select.older_than)),
            listed: found.listed,
            selected: found.pods.len(),
            pods: &[],
            groups: &[],
            stuck: &found.pods,
            nodes: &node_reports,
            zones: &zones,
            notes: &notes,
            result: result.as_ref(),
            verification: None,
        };
        printer.document("EvictedPodReport", &body)?;
    }
    if let Some(report) = &result {
        report.into_result()?;
    }
    Ok(if cli.fixing() {
        Exit::Ok
    } else {
        cli.exit_code.diagnosed(!found.pods.is_empty())
    })
}
