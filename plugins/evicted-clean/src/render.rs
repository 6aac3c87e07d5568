//! The human tables of the report (JSON/YAML go through `report::Body` instead).
//!
//! Thousands of evicted pods are summarised, not listed: one row per namespace/owner/cause group
//! and one per node, so the explanation fits a screen. Single pods are listed when there are few,
//! or with `-o wide`; bare pods are always listed apart, because deleting them is for good.

use firstaid::Result;
use firstaid::output::{Cell, Column, Printer, Table, Tone};

use crate::report::{Group, NodeReport};
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
