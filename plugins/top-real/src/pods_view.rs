//! The pods table (per pod, or per container with `--containers`) and its footnotes.

use firstaid::output::{Cell, Column, Table, Tone};

use crate::cells::{bytes, cpu, pct, sample_cells, with_bar};
use crate::other::{self, Amounts};
use crate::pods::{Figures, Flag, PodReport, PodUsage};

pub struct Options {
    pub all_namespaces: bool,
    pub containers: bool,
    pub bars: bool,
    /// Resources besides CPU and memory that get a `NAME req/lim` column.
    pub other: Vec<String>,
}

/// `2/2`, `1Gi/-` (no limit), `-` (not requested).
fn other_cell(name: &str, amounts: Option<&Amounts>) -> Cell {
    amounts
        .map_or_else(
            || "-".to_owned(),
            |a| {
                let limit = a
                    .limits
                    .map_or_else(|| "-".to_owned(), |l| other::amount(name, l));
                format!("{}/{limit}", other::amount(name, a.requests))
            },
        )
        .into()
}

pub fn table(usage: &PodUsage, opts: &Options) -> Table {
    let mut columns = Vec::new();
    if opts.all_namespaces {
        columns.push(Column::new("namespace"));
    }
    columns.push(Column::new("name").shrink());
    if opts.containers {
        columns.push(Column::new("container"));
    }
    for c in [
        "cpu", "cpu req", "cpu lim", "cpu%req", "cpu%lim", "memory", "mem req", "mem lim",
        "mem%req", "mem%lim",
    ] {
        columns.push(Column::new(c).right());
    }
    for name in &opts.other {
        columns.push(Column::new(&format!("{name} req/lim")).right());
    }
    columns.push(Column::new("notes").shrink());
    columns.push(Column::new("node").wide());
    columns.push(Column::new("window").right().wide());
    columns.push(Column::new("sampled").right().wide());
    let mut t = Table::new(columns);
    let missing = if usage.metrics.available {
        "<unknown>"
    } else {
        "-"
    };

    let figures = |c: &Figures, m: &Figures, row: &mut Vec<Cell>| {
        let used = |v: Option<i64>, f: fn(i64) -> String| v.map_or_else(|| missing.to_owned(), f);
        let of = |u: Option<i64>, whole: Option<i64>, exact: Option<f64>| {
            let text = match (u, whole) {
                (Some(u), Some(w)) => pct(u, w),
                _ => "-".to_owned(),
            };
            with_bar(text, exact, opts.bars)
        };
        row.push(used(c.usage, cpu).into());
        row.push(
            if c.requests == 0 {
                "-".into()
            } else {
                cpu(c.requests)
            }
            .into(),
        );
        row.push(c.limits.map_or_else(|| "-".into(), cpu).into());
        row.push(of(c.usage, Some(c.requests), c.usage_percent_of_requests));
        row.push(of(c.usage, c.limits, c.usage_percent_of_limits));
        row.push(used(m.usage, bytes).into());
        row.push(
            if m.requests == 0 {
                "-".into()
            } else {
                bytes(m.requests)
            }
            .into(),
        );
        row.push(m.limits.map_or_else(|| "-".into(), bytes).into());
        row.push(of(m.usage, Some(m.requests), m.usage_percent_of_requests));
        row.push(of(m.usage, m.limits, m.usage_percent_of_limits));
    };
    let tail = |p: &PodReport, notes: String, row: &mut Vec<Cell>| {
        let tone = p
            .flags
            .iter()
            .any(|f| matches!(f, Flag::NearMemoryLimit { .. }))
            .then_some(Tone::Bad);
        row.push(Cell {
            text: if notes.is_empty() {
                "<none>".into()
            } else {
                notes
            },
            tone,
        });
        row.push(p.node.clone().unwrap_or_else(|| "<none>".into()).into());
        row.extend(sample_cells(p.metrics.as_ref()));
    };
    for p in &usage.items {
        let head = |row: &mut Vec<Cell>| {
            if opts.all_namespaces {
                row.push(p.namespace.clone().into());
            }
            row.push(p.name.clone().into());
        };
        let notes = p
            .flags
            .iter()
            .map(Flag::text)
            .collect::<Vec<_>>()
            .join("; ");
        if opts.containers {
            for c in &p.containers {
                let mut row = Vec::new();
                head(&mut row);
                row.push(c.name.clone().into());
                figures(&c.cpu_millicores, &c.memory_bytes, &mut row);
                for name in &opts.other {
                    row.push(other_cell(name, c.other_resources.get(name)));
                }
                let mine: Vec<String> =
                    p.flags
                        .iter()
                        .filter(|f| match f {
                            Flag::NearMemoryLimit { container, .. } => container == &c.name,
                            Flag::NoMemoryLimit { containers }
                            | Flag::NoCpuLimit { containers } => containers.contains(&c.name),
                            Flag::NoLimits => true,
                            Flag::MemoryAboveRequest => false,
                        })
                        .map(Flag::text)
                        .collect();
                tail(p, mine.join("; "), &mut row);
                t.push(format!("pod/{}", p.name), row);
            }
        } else {
            let mut row = Vec::new();
            head(&mut row);
            figures(&p.cpu_millicores, &p.memory_bytes, &mut row);
            for name in &opts.other {
                row.push(other_cell(name, p.other_resources.get(name)));
            }
            tail(p, notes, &mut row);
            t.push(format!("pod/{}", p.name), row);
        }
    }
    t
}

pub fn notes(usage: &PodUsage) -> Vec<String> {
    let mut notes = Vec::new();
    let near: Vec<String> = usage
        .items
        .iter()
        .flat_map(|p| {
            p.flags.iter().filter_map(move |f| match f {
                Flag::NearMemoryLimit { container, percent } => Some(format!(
                    "{}/{} container {container} ({}%)",
                    p.namespace,
                    p.name,
                    percent.floor()
                )),
                _ => None,
            })
        })
        .collect();
    if !near.is_empty() {
        notes.push(format!(
            "Near the memory limit (the kernel OOM-kills a container that reaches it): {}.",
            near.join(", ")
        ));
    }
    let unlimited = usage
        .items
        .iter()
        .filter(|p| {
            p.flags
                .iter()
                .any(|f| matches!(f, Flag::NoLimits | Flag::NoMemoryLimit { .. }))
        })
        .count();
    if unlimited > 0 {
        notes.push(format!(
            "{unlimited} pod(s) without a memory limit: they can use all of the node's memory and get their neighbours evicted."
        ));
    }
    notes
}
