//! `--sort-by`: by name, or by any number column, biggest first (what you want at 3 a.m.: the
//! node or pod in trouble at the top). Keys are the column headers, lower-cased.

use firstaid::{Error, Result};

use crate::nodes::NodeReport;
use crate::pods::PodReport;

type NodeKey = fn(&NodeReport) -> Option<f64>;
type PodKey = fn(&PodReport) -> Option<f64>;

const NODE_KEYS: &[(&str, NodeKey)] = &[
    ("cpu", |n| n.cpu_millicores.usage.map(|v| v as f64)),
    ("cpu%cap", |n| n.cpu_millicores.usage_percent_of_capacity),
    ("cpu%alloc", |n| {
        n.cpu_millicores.usage_percent_of_allocatable
    }),
    ("cpu-req", |n| {
        n.cpu_millicores.requests_percent_of_allocatable
    }),
    ("cpu-lim", |n| {
        n.cpu_millicores.limits_percent_of_allocatable
    }),
    ("memory", |n| n.memory_bytes.usage.map(|v| v as f64)),
    ("mem%cap", |n| n.memory_bytes.usage_percent_of_capacity),
    ("mem%alloc", |n| n.memory_bytes.usage_percent_of_allocatable),
    ("mem-req", |n| {
        n.memory_bytes.requests_percent_of_allocatable
    }),
    ("mem-lim", |n| n.memory_bytes.limits_percent_of_allocatable),
    ("pods", |n| {
        crate::resources::percent(n.pods.count, n.pods.allocatable)
    }),
];

const POD_KEYS: &[(&str, PodKey)] = &[
    ("cpu", |p| p.cpu_millicores.usage.map(|v| v as f64)),
    ("cpu%req", |p| p.cpu_millicores.usage_percent_of_requests),
    ("cpu%lim", |p| p.cpu_millicores.usage_percent_of_limits),
    ("memory", |p| p.memory_bytes.usage.map(|v| v as f64)),
    ("mem%req", |p| p.memory_bytes.usage_percent_of_requests),
    ("mem%lim", |p| p.memory_bytes.usage_percent_of_limits),
];

fn normalise(key: &str) -> String {
    let key = key.trim().to_lowercase().replace(' ', "-");
    match key.as_str() {
        "mem" => "memory".to_owned(),
        _ => key.replace("memory%", "mem%"),
    }
}

fn lookup<T: Copy>(keys: &[(&str, T)], key: &str, view: &str) -> Result<Option<T>> {
    let key = normalise(key);
    if key == "name" {
        return Ok(None);
    }
    keys.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, f)| Some(*f))
        .ok_or_else(|| {
            let valid: Vec<&str> = std::iter::once("name")
                .chain(keys.iter().map(|(k, _)| *k))
                .collect();
            Error::Usage(format!(
                "--sort-by {key:?} is not a {view} column; use one of: {}",
                valid.join(", ")
            ))
        })
}

/// Checks a `--sort-by` value for the nodes view before anything is fetched.
pub fn check_nodes(key: &str) -> Result<()> {
    lookup(NODE_KEYS, key, "nodes").map(|_| ())
}

pub fn check_pods(key: &str) -> Result<()> {
    lookup(POD_KEYS, key, "pods").map(|_| ())
}

/// Biggest first; rows without the value (no metrics) last; ties by name.
fn by<T>(items: &mut [T], value: Option<fn(&T) -> Option<f64>>, name: impl Fn(&T) -> String) {
    items.sort_by(|a, b| {
        let numeric = value.map_or(std::cmp::Ordering::Equal, |f| match (f(a), f(b)) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        numeric.then_with(|| name(a).cmp(&name(b)))
    });
}

pub fn nodes(items: &mut [NodeReport], key: Option<&str>) -> Result<()> {
    let value = match key {
        Some(k) => lookup(NODE_KEYS, k, "nodes")?,
        None => None,
    };
    by(items, value, |n| n.name.clone());
    Ok(())
}

pub fn pods(items: &mut [PodReport], key: Option<&str>) -> Result<()> {
    let value = match key {
        Some(k) => lookup(POD_KEYS, k, "pods")?,
        None => None,
    };
    by(items, value, |p| format!("{}/{}", p.namespace, p.name));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::{Load, report, tests as fx};

    #[test]
    fn sorts_biggest_first_and_rejects_unknown_keys() {
        let big = fx::node(
            "b",
            &[("cpu", "2"), ("memory", "1Gi")],
            &[("cpu", "1"), ("memory", "1Gi")],
        );
        let small = fx::node(
            "a",
            &[("cpu", "2"), ("memory", "4Gi")],
            &[("cpu", "2"), ("memory", "4Gi")],
        );
        let load = Load {
            memory_requests: 512 * 1024 * 1024,
            ..Load::default()
        };
        let mut items = vec![
            report(&small, load, None, None, fx::now()),
            report(&big, load, None, None, fx::now()),
        ];
        nodes(&mut items, Some("MEM-REQ")).expect("sort");
        assert_eq!(items[0].name, "b");
        nodes(&mut items, Some("name")).expect("sort");
        assert_eq!(items[0].name, "a");
        // No metrics: usage keys keep name order.
        nodes(&mut items, Some("mem%alloc")).expect("sort");
        assert_eq!(items[0].name, "a");
        let err = nodes(&mut items, Some("colour")).expect_err("bad key");
        assert!(err.to_string().contains("mem%alloc"), "{err}");
        assert!(check_pods("mem%lim").is_ok() && check_pods("cpu%cap").is_err());
        assert!(check_nodes("memory%cap").is_ok());
    }
}
