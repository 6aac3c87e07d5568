//! The human tables of the report (JSON/YAML go through `report::Body` instead).
//!
//! Thousands of evicted pods are summarised, not listed: one row per namespace/owner/cause group
//! and one per node, so the explanation fits a screen. Single pods are listed when there are few,
//! or with `-o wide`; bare pods are always listed apart, because deleting them is for good.

use firstaid::output::{Cell, Column, Printer, Table, Tone};
use firstaid::{Format, Result};

use crate::fetch::Failed;
use crate::report::{Findings, Group, NodeReport};
use crate::select::FailedPod;
use crate::stuck::StuckPod;
use firstaid::k8s::time::human_seconds;

/// Up to this many pods are listed one by one without `-o wide`.
pub const LIST_PODS_UP_TO: usize = 20;

fn age(now: i64, at: Option<i64>) -> String {
    at.map_or_else(|| "?".into(), |t| human_seconds(now - t))
}

pub fn groups_table(groups: &[Group], now: i64) -> Table {
    let mut table = Table::new(vec![
        Column::new("namespace"),
        Column::new("owner"),
        Column::new("reason"),
        Column::new("pods").right(),
        Column::new("nodes").right(),
        Column::new("last").right(),
        Column::new("cause").shrink(),
        Column::new("node names").wide().shrink(),
    ]);
    for g in groups {
        let owner = g.owner.as_ref().map_or_else(
            || Cell::toned("(bare pod)", Tone::Warn),
            |o| o.display().into(),
        );
        let nodes: Vec<&str> = g.nodes.iter().map(AsRef::as_ref).collect();
        table.push(
            format!("{}/{}", g.namespace, g.cause),
            vec![
                g.namespace.to_string().into(),
                owner,
                g.reason.to_string().into(),
                g.pods.to_string().into(),
                g.nodes.len().to_string().into(),
                age(now, g.last_failed_at).into(),
                g.cause.to_string().into(),
                nodes.join(",").into(),
            ],
        );
    }
    table
}

pub fn nodes_table(nodes: &[NodeReport]) -> Table {
    let mut table = Table::new(vec![
        Column::new("node"),
        Column::new("status"),
        Column::new("pods").right(),
        Column::new("pressure"),
        Column::new("signals").wide(),
        Column::new("taints").shrink(),
        Column::new("remedy").shrink(),
    ]);
    for n in nodes {
        let (status, pressure, signals, taints, remedy) = match &n.facts {
            None => (
                Cell::toned("(deleted)", Tone::Warn),
                "-".to_owned(),
                "-".to_owned(),
                "-".to_owned(),
                "node object gone".to_owned(),
            ),
            Some(f) => {
                let status = if f.is_ready() {
                    Cell::toned(f.status_text(), Tone::Good)
                } else {
                    Cell::toned(f.status_text(), Tone::Bad)
                };
                let join = |parts: Vec<&str>, sep: &str| {
                    if parts.is_empty() {
                        "-".to_owned()
                    } else {
                        parts.join(sep)
                    }
                };
                (
                    status,
                    join(f.pressures.iter().map(|p| p.condition).collect(), ","),
                    join(
                        f.pressures
                            .iter()
                            .flat_map(|p| p.signals.iter().copied())
                            .collect(),
                        ",",
                    ),
                    join(f.taints.iter().map(String::as_str).collect(), ","),
                    if f.pressures.is_empty() {
                        "no pressure now".to_owned()
                    } else {
                        join(f.pressures.iter().map(|p| p.remedy).collect(), "; ")
                    },
                )
            }
        };
        table.push(
            format!("node/{}", n.name),
            vec![
                n.name.to_string().into(),
                status,
                n.pods.to_string().into(),
                pressure.into(),
                signals.into(),
                taints.into(),
                remedy.into(),
            ],
        );
    }
    table
}

pub fn pods_table<'a>(pods: impl Iterator<Item = &'a FailedPod>, now: i64) -> Table {
    let mut table = Table::new(vec![
        Column::new("namespace"),
        Column::new("pod"),
        Column::new("node"),
        Column::new("reason"),
        Column::new("age").right(),
        Column::new("message").shrink(),
    ]);
    for p in pods {
        table.push(
            format!("pod/{}", p.name),
            vec![
                p.namespace.to_string().into(),
                p.name.clone().into(),
                p.node.as_deref().unwrap_or("-").into(),
                p.reason.to_string().into(),
                age(now, p.failed_at).into(),
                p.message.to_string().into(),
            ],
        );
    }
    table
}

pub fn stuck_table(pods: &[StuckPod], now: i64) -> Table {
    let mut table = Table::new(vec![
        Column::new("namespace"),
        Column::new("pod"),
        Column::new("node"),
        Column::new("overdue").right(),
        Column::new("action"),
        Column::new("why").shrink(),
    ]);
    for p in pods {
        let node = p.node.as_deref().unwrap_or("-");
        let action = if p.verdict.force_delete() {
            Cell::toned("force delete", Tone::Bad)
        } else {
            Cell::toned("leave", Tone::Dim)
        };
        table.push(
            format!("pod/{}", p.name),
            vec![
                p.namespace.to_string().into(),
                p.name.clone().into(),
                node.into(),
                human_seconds(now - p.deadline).into(),
                action,
                p.verdict.explain(node).into(),
            ],
        );
    }
    table
}

/// A heading line, a table, and a blank line.
pub fn section(printer: &mut Printer, heading: &str, table: &Table) -> Result<()> {
    if table.is_empty() {
        return Ok(());
    }
    let heading = printer.paint(heading, Tone::Bold);
    printer.line(&heading)?;
    printer.table(table)?;
    printer.line("")
}

/// "namespace NS", or "all namespaces" for `-A`.
pub fn scope_text(scope: Option<&str>) -> String {
    scope.map_or_else(
        || "all namespaces".to_owned(),
        |ns| format!("namespace {ns}"),
    )
}

/// The evicted-pod report in the table formats. `what` names the records selected.
pub fn evicted_report(
    printer: &mut Printer,
    what: &str,
    scope: Option<&str>,
    failed: &Failed,
    found: &Findings,
    now: i64,
) -> Result<()> {
    let bare = found.bare;
    if failed.pods.is_empty() {
        return printer.line(&format!(
            "No {what} in {} ({} failed pods listed).",
            scope_text(scope),
            failed.listed
        ));
    }
    let namespaces = found
        .groups
        .iter()
        .map(|g| g.namespace.as_ref())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    printer.line(&format!(
        "{} {what} in {} ({} namespace(s), {} node(s)); {} owned by a controller, {bare} bare.",
        failed.pods.len(),
        scope_text(scope),
        namespaces,
        found.node_reports.len(),
        failed.pods.len() - bare,
    ))?;
    printer.line("")?;
    section(
        printer,
        "By namespace, owner and cause:",
        &groups_table(&found.groups, now),
    )?;
    section(
        printer,
        "Nodes involved (current state):",
        &nodes_table(&found.node_reports),
    )?;
    let wide = printer.format == Format::Wide;
    if bare > 0 {
        let listed = if wide { usize::MAX } else { LIST_PODS_UP_TO };
        let bare_pods = failed
            .pods
            .iter()
            .filter(|p| p.owner.is_none())
            .take(listed);
        section(
            printer,
            "Bare pods (no controller: nothing recreates them; deleted only with --include-bare-pods):",
            &pods_table(bare_pods, now),
        )?;
    }
    if wide || failed.pods.len() <= LIST_PODS_UP_TO {
        section(printer, "Pods:", &pods_table(failed.pods.iter(), now))?;
    }
    notes(printer, &found.notes)
}

fn notes(printer: &mut Printer, notes: &[String]) -> Result<()> {
    if notes.is_empty() {
        return Ok(());
    }
    let heading = printer.paint("Notes:", Tone::Bold);
    printer.line(&heading)?;
    for note in notes {
        printer.line(&format!("- {note}"))?;
    }
    printer.line("")
}

/// The stuck-Terminating report in the table formats.
pub fn stuck_report(
    printer: &mut Printer,
    found: &crate::stuck_run::Found,
    scope: Option<&str>,
    with_not_ready: bool,
) -> Result<()> {
    let pods = &found.stuck.pods;
    if pods.is_empty() {
        return printer.line(&format!(
            "No pods stuck Terminating in {} ({} pods listed).",
            scope_text(scope),
            found.stuck.listed
        ));
    }
    printer.line(&format!(
        "{} pod(s) stuck Terminating in {}; {} can be force-deleted (node gone{}).",
        pods.len(),
        scope_text(scope),
        found.forced,
        if with_not_ready {
            " or NotReady long enough"
        } else {
            ""
        }
    ))?;
    printer.line("")?;
    section(printer, "Stuck pods:", &stuck_table(pods, found.now))?;
    section(
        printer,
        "Nodes involved (current state):",
        &nodes_table(&found.node_reports),
    )?;
    for note in &found.notes {
        printer.line(&format!("- {note}"))?;
    }
    Ok(())
}

/// The apply report's failures and skips, counted by error.
pub fn failures(printer: &mut Printer, report: &firstaid::Report) -> Result<()> {
    for (what, count) in crate::act::failures_by_error(report) {
        printer.note(&format!("  {count} × {what}"))?;
    }
    Ok(())
}
