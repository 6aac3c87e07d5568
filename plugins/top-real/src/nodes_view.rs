//! The nodes table and its footnotes.

use firstaid::output::{Cell, Column, Table};

use crate::cells::{amount_of, bytes, cpu, pct, pct1, sample_cells, toned, with_bar};
use crate::nodes::{NodeReport, NodeUsage, ResourceFigures};
use crate::shape::short_duration;
use firstaid::k8s::time::human_seconds;

/// How many nodes a footnote names before it summarises.
const NAMED_IN_NOTE: usize = 5;

/// `other` names the resources besides CPU and memory that get columns ([`crate::other::shown`]).
pub fn table(usage: &NodeUsage, bars: bool, other: &[String]) -> Table {
    let mut columns = vec![
        Column::new("name").shrink(),
        Column::new("cpu").right(),
        Column::new("cpu%cap").right(),
        Column::new("cpu%alloc").right(),
        Column::new("cpu cap").right().wide(),
        Column::new("cpu alloc").right().wide(),
        Column::new("cpu reserved").right().wide(),
        Column::new("cpu req").right(),
        Column::new("cpu lim").right(),
        Column::new("memory").right(),
        Column::new("mem%cap").right(),
        Column::new("mem%alloc").right(),
        Column::new("mem cap").right().wide(),
        Column::new("mem alloc").right().wide(),
        Column::new("mem reserved").right().wide(),
        Column::new("mem req").right(),
        Column::new("mem lim").right(),
    ];
    for name in other {
        columns.extend([
            Column::new(&format!("{name} cap")).right().wide(),
            Column::new(&format!("{name} alloc")).right(),
            Column::new(&format!("{name} req")).right(),
            Column::new(&format!("{name} lim")).right(),
        ]);
    }
    columns.extend([
        Column::new("pods").right(),
        Column::new("conditions"),
        Column::new("window").right().wide(),
        Column::new("sampled").right().wide(),
    ]);
    let mut t = Table::new(columns);
    let missing = if usage.metrics.available {
        "<unknown>"
    } else {
        "-"
    };
    for n in &usage.items {
        let mut row = vec![Cell::from(n.name.clone())];
        row.extend(resource_cells(&n.cpu_millicores, cpu, missing, bars));
        row.extend(resource_cells(&n.memory_bytes, bytes, missing, bars));
        for name in other {
            row.extend(other_cells(name, n.other_resources.get(name)));
        }
        row.extend([
            toned(
                format!("{}/{}", n.pods.count, n.pods.allocatable),
                crate::resources::percent(n.pods.count, n.pods.allocatable),
            ),
            if n.conditions.is_empty() {
                Cell::from("<none>")
            } else {
                Cell::toned(n.conditions.join(","), firstaid::output::Tone::Bad)
            },
        ]);
        row.extend(sample_cells(n.metrics.as_ref()));
        t.push(format!("node/{}", n.name), row);
    }
    t
}

/// One resource's cells, in column order: usage, % of capacity, % of allocatable, capacity,
/// allocatable, reserved, requests, limits.
fn resource_cells(
    r: &ResourceFigures,
    unit: fn(i64) -> String,
    missing: &str,
    bars: bool,
) -> [Cell; 8] {
    [
        r.usage.map_or_else(|| missing.to_owned(), unit).into(),
        with_bar(
            pct1(r.usage_percent_of_capacity),
            r.usage_percent_of_capacity,
            bars,
        ),
        with_bar(
            r.usage
                .map_or_else(|| "-".into(), |u| pct(u, r.allocatable)),
            r.usage_percent_of_allocatable,
            bars,
        ),
        unit(r.capacity).into(),
        unit(r.allocatable).into(),
        unit(r.reserved).into(),
        toned(
            amount_of(unit(r.requests), r.requests, r.allocatable),
            r.requests_percent_of_allocatable,
        ),
        toned(
            amount_of(unit(r.limits), r.limits, r.allocatable),
            r.limits_percent_of_allocatable,
        ),
    ]
}

/// Capacity, allocatable, requests and limits of a resource with no usage; `-` where the node
/// does not report it.
fn other_cells(name: &str, r: Option<&ResourceFigures>) -> [Cell; 4] {
    let Some(r) = r else {
        return ["-".into(), "-".into(), "-".into(), "-".into()];
    };
    let amount = |v| crate::other::amount(name, v);
    [
        amount(r.capacity).into(),
        amount(r.allocatable).into(),
        toned(
            amount_of(amount(r.requests), r.requests, r.allocatable),
            r.requests_percent_of_allocatable,
        ),
        toned(
            amount_of(amount(r.limits), r.limits, r.allocatable),
            r.limits_percent_of_allocatable,
        ),
    ]
}

fn names(nodes: &[&NodeReport], detail: impl Fn(&NodeReport) -> String) -> String {
    let mut shown: Vec<String> = nodes
        .iter()
        .take(NAMED_IN_NOTE)
        .map(|n| detail(n))
        .collect();
    if nodes.len() > NAMED_IN_NOTE {
        shown.push(format!("and {} more", nodes.len() - NAMED_IN_NOTE));
    }
    shown.join("; ")
}

/// Footnotes for a human reader (stderr): why a node can be over 100 %, which nodes are
/// overcommitted, how fresh the usage is.
pub fn notes(usage: &NodeUsage) -> Vec<String> {
    let mut notes = Vec::new();
    let over: Vec<&NodeReport> = usage
        .items
        .iter()
        .filter(|n| {
            n.memory_bytes.figures.over_allocatable() || n.cpu_millicores.figures.over_allocatable()
        })
        .collect();
    if let Some(first) = over.first() {
        let m = &first.memory_bytes;
        let (resource, r, fmt): (&str, _, fn(i64) -> String) = if m.figures.over_allocatable() {
            ("memory", m, bytes)
        } else {
            ("cpu", &first.cpu_millicores, cpu)
        };
        let usage_text = r.usage.map_or_else(String::new, fmt);
        notes.push(format!(
            "Over 100% of allocatable is not over 100% of the node: on {name}, {resource} usage {usage_text} is {alloc} of allocatable ({allocatable}), the figure `kubectl top node` shows, but {cap} of capacity ({capacity}). \
Usage counts everything on the machine (system daemons and the kubelet too), while allocatable is what is left for pods after {reserved} is reserved for them (capacity − allocatable); see kubernetes/kubernetes#86499. \
The kubelet evicts pods only when free memory falls below its eviction threshold, so watch MEM%CAP and the MemoryPressure condition.",
            name = first.name,
            alloc = r.usage.map_or_else(String::new, |u| pct(u, r.allocatable)),
            allocatable = fmt(r.allocatable),
            cap = pct1(r.usage_percent_of_capacity),
            capacity = fmt(r.capacity),
            reserved = fmt(r.reserved),
        ));
        if over.len() > 1 {
            notes.push(format!(
                "Also over 100% of allocatable: {}.",
                names(&over[1..], |n| n.name.clone())
            ));
        }
    }
    let overcommitted: Vec<&NodeReport> = usage
        .items
        .iter()
        .filter(|n| n.cpu_millicores.overcommitted || n.memory_bytes.overcommitted)
        .collect();
    if !overcommitted.is_empty() {
        notes.push(format!(
            "Overcommitted (limits over 100% of allocatable; pods can together ask for more than the node has: CPU is then throttled, and memory-hungry pods are OOM-killed or evicted): {}.",
            names(&overcommitted, |n| {
                let mut parts = Vec::new();
                let (c, m) = (&n.cpu_millicores, &n.memory_bytes);
                if c.overcommitted {
                    parts.push(format!("cpu limits {}", pct(c.limits, c.allocatable)));
                }
                if m.overcommitted {
                    parts.push(format!("memory limits {}", pct(m.limits, m.allocatable)));
                }
                format!("{} {}", n.name, parts.join(", "))
            })
        ));
    }
    if usage.unscheduled_pods > 0 {
        notes.push(format!(
            "{} pending pod(s) are not bound to a node yet and count against none.",
            usage.unscheduled_pods
        ));
    }
    let samples: Vec<_> = usage
        .items
        .iter()
        .filter_map(|n| n.metrics.as_ref())
        .collect();
    let ages: Vec<i64> = samples.iter().filter_map(|s| s.age_seconds).collect();
    let windows: Vec<f64> = samples.iter().filter_map(|s| s.window_seconds).collect();
    if let (Some(min), Some(max)) = (ages.iter().min(), ages.iter().max()) {
        let window = windows
            .iter()
            .copied()
            .reduce(f64::max)
            .map_or_else(String::new, |w| {
                format!(", averaged over {}", short_duration(w))
            });
        let age = if min == max {
            format!("{} ago", human_seconds(*min))
        } else {
            format!("{}–{} ago", human_seconds(*min), human_seconds(*max))
        };
        notes.push(format!("Usage from metrics.k8s.io, sampled {age}{window}."));
    }
    notes
}
