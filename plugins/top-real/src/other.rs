//! Every resource the scheduler counts besides CPU, memory and pods: `ephemeral-storage`,
//! `hugepages-*` and extended resources (`nvidia.com/gpu`, any `vendor/resource`).
//!
//! The scheduler fits them exactly like CPU and memory — requests against allocatable, init
//! containers and sidecars by the same rule — so a pod Pending on `Insufficient nvidia.com/gpu`
//! is explained by the same columns. metrics.k8s.io reports CPU and memory only, so these have
//! requests, limits, capacity and allocatable but never usage.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::kinds::ResourceMap;
use crate::nodes::ResourceFigures;
use crate::resources::{Effective, NodeResource};
use crate::shape::{BASE, units};

/// Requests and limits of one resource summed over a node's pods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sum {
    pub requests: i64,
    pub limits: i64,
}

/// Per node, per resource [`Sum`]s; only nodes whose pods ask for such resources have an entry.
#[derive(Debug, Default)]
pub struct OtherLoads(HashMap<String, BTreeMap<String, Sum>>);

impl OtherLoads {
    pub fn add(&mut self, node: &str, totals: Vec<(String, Effective)>) {
        if totals.is_empty() {
            return;
        }
        let sums = self.0.entry(node.to_owned()).or_default();
        for (name, e) in totals {
            let sum = sums.entry(name).or_default();
            sum.requests = sum.requests.saturating_add(e.request);
            sum.limits = sum.limits.saturating_add(e.limit);
        }
    }

    pub fn get(&self, node: &str) -> Option<&BTreeMap<String, Sum>> {
        self.0.get(node)
    }
}

/// A node's figures for every other resource its status reports or its pods ask for.
pub fn node_figures(
    capacity: &ResourceMap,
    allocatable: &ResourceMap,
    sums: Option<&BTreeMap<String, Sum>>,
) -> BTreeMap<String, ResourceFigures> {
    let names: BTreeSet<&str> = capacity
        .keys()
        .chain(allocatable.keys())
        .map(String::as_str)
        .chain(sums.into_iter().flat_map(|s| s.keys().map(String::as_str)))
        .filter(|n| !BASE.contains(n))
        .collect();
    names
        .into_iter()
        .map(|name| {
            let sum = sums.and_then(|s| s.get(name)).copied().unwrap_or_default();
            let figures = NodeResource {
                usage: None,
                capacity: units(capacity, name).unwrap_or(0),
                allocatable: units(allocatable, name).unwrap_or(0),
                requests: sum.requests,
                limits: sum.limits,
            };
            (name.to_owned(), figures.into())
        })
        .collect()
}

/// Storage and hugepages are bytes; extended resources are counts.
pub fn is_bytes(name: &str) -> bool {
    name == "ephemeral-storage" || name.starts_with("hugepages-")
}

/// An amount of `name` as the tables print it (`2`, `1536Mi`).
pub fn amount(name: &str, value: i64) -> String {
    if is_bytes(name) {
        crate::cells::bytes(value)
    } else {
        value.to_string()
    }
}

/// A pod's or container's request and limit of one resource, in the JSON document.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Amounts {
    pub requests: i64,
    /// Null when not limited.
    pub limits: Option<i64>,
}

impl From<Effective> for Amounts {
    fn from(e: Effective) -> Self {
        Amounts {
            requests: e.request,
            limits: (!e.unlimited).then_some(e.limit),
        }
    }
}

/// Which resources get columns. `--resources` names them (`all`, `none`, or a comma list);
/// otherwise a table shows those some node or pod has a non-zero amount of, and `-o wide` every
/// one that appears (a node reporting `hugepages-2Mi: 0` included).
pub fn shown<'a>(
    choice: Option<&str>,
    wide: bool,
    present: impl Iterator<Item = (&'a str, bool)>,
) -> Vec<String> {
    let present: BTreeMap<&str, bool> =
        present.fold(BTreeMap::new(), |mut all, (name, nonzero)| {
            *all.entry(name).or_default() |= nonzero;
            all
        });
    match choice.map(str::trim) {
        Some("none") => Vec::new(),
        Some("all") => present.keys().map(|n| (*n).to_owned()).collect(),
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect(),
        None => present
            .into_iter()
            .filter(|(_, nonzero)| wide || *nonzero)
            .map(|(n, _)| n.to_owned())
            .collect(),
    }
}

/// The footnote that says why these columns have no usage.
pub fn no_usage_note(shown: &[String]) -> Option<String> {
    (!shown.is_empty()).then(|| {
        format!(
            "{}: requests, limits and allocatable only; metrics.k8s.io reports usage for CPU and memory alone.",
            shown.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> ResourceMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn gpu_and_storage_figures_of_a_node() {
        let capacity = map(&[
            ("cpu", "8"),
            ("nvidia.com/gpu", "4"),
            ("ephemeral-storage", "61607776Ki"),
            ("hugepages-2Mi", "0"),
        ]);
        let allocatable = map(&[
            ("cpu", "7910m"),
            ("nvidia.com/gpu", "4"),
            ("ephemeral-storage", "56777726268"),
            ("hugepages-2Mi", "0"),
        ]);
        let mut loads = OtherLoads::default();
        let gpu = |n| Effective {
            request: n,
            limit: n,
            unlimited: false,
        };
        loads.add("gpu-1", vec![("nvidia.com/gpu".into(), gpu(2))]);
        loads.add("gpu-1", vec![("nvidia.com/gpu".into(), gpu(1))]);
        loads.add("gpu-1", Vec::new());
        let figures = node_figures(&capacity, &allocatable, loads.get("gpu-1"));
        assert_eq!(
            figures.keys().collect::<Vec<_>>(),
            ["ephemeral-storage", "hugepages-2Mi", "nvidia.com/gpu"]
        );
        let g = &figures["nvidia.com/gpu"];
        assert_eq!((g.allocatable, g.requests, g.limits), (4, 3, 3));
        assert_eq!(g.requests_percent_of_allocatable, Some(75.0));
        assert_eq!(g.usage, None);
        let e = &figures["ephemeral-storage"];
        assert_eq!(e.capacity, 61_607_776 * 1024);
        assert_eq!(e.reserved, 61_607_776 * 1024 - 56_777_726_268);
        assert_eq!(amount("ephemeral-storage", 1536 * 1024 * 1024), "1536Mi");
        assert_eq!(amount("nvidia.com/gpu", 3), "3");
    }

    #[test]
    fn columns_follow_what_is_there_unless_chosen() {
        let present = || {
            [
                ("hugepages-2Mi", false),
                ("nvidia.com/gpu", true),
                ("ephemeral-storage", true),
                ("hugepages-2Mi", false),
            ]
            .into_iter()
        };
        assert_eq!(
            shown(None, false, present()),
            ["ephemeral-storage", "nvidia.com/gpu"]
        );
        assert_eq!(
            shown(None, true, present()),
            ["ephemeral-storage", "hugepages-2Mi", "nvidia.com/gpu"]
        );
        assert_eq!(
            shown(Some("nvidia.com/gpu"), false, present()),
            ["nvidia.com/gpu"]
        );
        assert!(shown(Some("none"), true, present()).is_empty());
        assert_eq!(shown(Some("all"), false, present()).len(), 3);
    }
}
