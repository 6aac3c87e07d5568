//! The scan table: one row per container, and one line per group of pods that cannot pull
//! their image the same way.

use std::collections::BTreeSet;
use std::time::Duration;

use firstaid::k8s::human_duration;
use firstaid::output::{Cell, Column, Table, Tone};
use firstaid::{Format, Printer, Result};

use super::{label, looks_like_command, tone};
use crate::report::{ContainerReport, PullGroup};

/// How many pods a group's line names before it counts the rest.
const NAMED_IN_GROUP: usize = 3;

/// `kubectl exitcode-explain -A`: one row per container; pods that cannot pull from the same
/// registry for the same cause are one line each after the table (`-o wide` lists them too).
pub fn scan_table(
    p: &mut Printer,
    reports: &[ContainerReport],
    groups: &[PullGroup],
    all_namespaces: bool,
) -> Result<()> {
    let grouped = |r: &ContainerReport| {
        p.format == Format::Table
            && r.pull
                .as_ref()
                .is_some_and(|f| groups.iter().any(|g| &g.failure == f))
    };
    let rows: Vec<&ContainerReport> = reports.iter().filter(|r| !grouped(r)).collect();
    if p.format == Format::Name {
        return container_table(p, &rows, all_namespaces);
    }
    if !rows.is_empty() {
        container_table(p, &rows, all_namespaces)?;
    }
    for (i, g) in groups.iter().enumerate() {
        if i > 0 || !rows.is_empty() {
            p.line("")?;
        }
        let mut named: Vec<String> = g.pods.iter().take(NAMED_IN_GROUP).cloned().collect();
        if g.pods.len() > NAMED_IN_GROUP {
            named.push(format!("and {} more", g.pods.len() - NAMED_IN_GROUP));
        }
        p.line(&p.paint(&g.headline(), Tone::Bad))?;
        p.line(&format!("  {} {}", label(p, "Pods"), named.join(", ")))?;
        for step in &g.next {
            let prefix = if looks_like_command(step) { "$ " } else { "- " };
            p.line(&format!("  {prefix}{step}"))?;
        }
    }
    Ok(())
}

fn container_table(
    p: &mut Printer,
    reports: &[&ContainerReport],
    all_namespaces: bool,
) -> Result<()> {
    if p.format == Format::Name {
        let names: BTreeSet<String> = reports.iter().map(|r| format!("pod/{}", r.pod)).collect();
        for name in names {
            p.line(&name)?;
        }
        return Ok(());
    }
    let mut columns = Vec::new();
    if all_namespaces {
        columns.push(Column::new("namespace"));
    }
    columns.extend([
        Column::new("pod"),
        Column::new("container"),
        Column::new("type").wide(),
        Column::new("exit").right(),
        Column::new("reason"),
        Column::new("signal").wide(),
        Column::new("restarts").right(),
        Column::new("back-off"),
        Column::new("ran").wide(),
        Column::new("finished").wide(),
        Column::new("node").wide(),
        Column::new("verdict").shrink(),
    ]);
    let mut table = Table::new(columns);
    for r in reports {
        let t = r.termination.as_ref();
        let mut row: Vec<Cell> = Vec::new();
        if all_namespaces {
            row.push(r.namespace.clone().into());
        }
        let signal = r
            .meaning
            .as_ref()
            .and_then(|m| m.signal.as_ref())
            .filter(|s| s.action.kills())
            .map_or_else(|| "-".to_owned(), |s| s.name.clone());
        row.extend([
            r.pod.clone().into(),
            r.container.clone().into(),
            r.container_type.as_str().into(),
            t.map_or_else(|| "-".into(), |t| t.exit_code.to_string())
                .into(),
            t.and_then(|t| t.reason.clone())
                .or_else(|| r.state.reason.clone())
                .unwrap_or_else(|| "-".into())
                .into(),
            signal.into(),
            r.restart_count.to_string().into(),
            r.back_off
                .as_ref()
                .map_or_else(
                    || "-".into(),
                    |b| human_duration(Duration::from_secs(b.delay_seconds)),
                )
                .into(),
            t.and_then(|t| t.ran_for_seconds)
                .map_or_else(|| "-".into(), |s| human_duration(Duration::from_secs(s)))
                .into(),
            t.and_then(|t| t.finished_at.clone())
                .unwrap_or_else(|| "-".into())
                .into(),
            r.node.clone().unwrap_or_else(|| "-".into()).into(),
            Cell::toned(
                format!("{}: {}", r.verdict.kind.label(), r.verdict.summary),
                tone(r.verdict.kind),
            ),
        ]);
        table.push(format!("pod/{}", r.pod), row);
    }
    p.table(&table)
}
