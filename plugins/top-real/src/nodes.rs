//! Diagnose for `top-real nodes`: per node, usage against capacity *and* allocatable, the
//! reserved gap between them, and the requests/limits the scheduler has promised.
//!
//! Pure functions over fetched objects. Pods are folded into [`NodeLoads`] page by page while
//! they are listed, so a 30,000-pod cluster never sits in memory at once.

use std::collections::{BTreeMap, HashMap};

use firstaid::k8s::Timestamp;
use firstaid::k8s::{NodeState, Readiness};
use firstaid::k8s_openapi::api::core::v1::Node;
use serde::Serialize;

use crate::kinds::{self, NodeMetrics};
use crate::metrics::MetricsInfo;
use crate::other::{OtherLoads, Sum};
use crate::resources::{NodeResource, other_totals, pod_totals};
use crate::shape::{Sample, millis, pod_shape, units};

/// What the non-terminated pods bound to one node add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Load {
    pub cpu_requests: i64,
    pub cpu_limits: i64,
    pub memory_requests: i64,
    pub memory_limits: i64,
    pub pods: i64,
}

/// Per-node [`Load`]s, built while pods are listed.
#[derive(Debug, Default)]
pub struct NodeLoads {
    by_node: HashMap<String, Load>,
    /// ephemeral-storage, hugepages and extended resources, for the nodes whose pods ask.
    pub other: OtherLoads,
    /// Non-terminated pods not bound to any node yet (Pending).
    pub unscheduled: u32,
}

impl NodeLoads {
    pub fn add(&mut self, pod: &kinds::Pod) {
        let Some(node) = pod.spec.node_name.as_deref().filter(|n| !n.is_empty()) else {
            self.unscheduled += 1;
            return;
        };
        let shape = pod_shape(pod);
        let totals = pod_totals(&shape);
        self.other.add(node, other_totals(&shape));
        let load = self.by_node.entry(node.to_owned()).or_default();
        // Saturating: quantities are up to 2^63 bytes each (`8Ei` is valid), so two pods' sum can
        // overflow; a pinned maximum still reads as "far over allocatable", a panic reads nothing.
        load.cpu_requests = load.cpu_requests.saturating_add(totals.cpu.request);
        load.cpu_limits = load.cpu_limits.saturating_add(totals.cpu.limit);
        load.memory_requests = load.memory_requests.saturating_add(totals.memory.request);
        load.memory_limits = load.memory_limits.saturating_add(totals.memory.limit);
        load.pods = load.pods.saturating_add(1);
    }

    pub fn get(&self, node: &str) -> Load {
        self.by_node.get(node).copied().unwrap_or_default()
    }
}

/// One resource of a node in the JSON document. CPU values are millicores, memory values bytes;
/// percentages are unrounded (the table truncates the allocatable ones like kubectl does).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResourceFigures {
    /// Current usage from metrics.k8s.io; null when metrics are unavailable.
    pub usage: Option<i64>,
    pub capacity: i64,
    pub allocatable: i64,
    /// capacity − allocatable (kube-reserved + system-reserved + eviction threshold).
    pub reserved: i64,
    /// Sum of the effective requests of the node's non-terminated pods (scheduler rules).
    pub requests: i64,
    /// Sum of their limits (unset limits count 0, as in `kubectl describe node`).
    pub limits: i64,
    pub usage_percent_of_capacity: Option<f64>,
    /// What `kubectl top node` shows.
    pub usage_percent_of_allocatable: Option<f64>,
    pub requests_percent_of_allocatable: Option<f64>,
    pub limits_percent_of_allocatable: Option<f64>,
    /// Limits exceed allocatable.
    pub overcommitted: bool,
    #[serde(skip)]
    pub figures: NodeResource,
}

impl From<NodeResource> for ResourceFigures {
    fn from(r: NodeResource) -> Self {
        ResourceFigures {
            usage: r.usage,
            capacity: r.capacity,
            allocatable: r.allocatable,
            reserved: r.reserved(),
            requests: r.requests,
            limits: r.limits,
            usage_percent_of_capacity: r.usage_of_capacity(),
            usage_percent_of_allocatable: r.usage_of_allocatable(),
            requests_percent_of_allocatable: r.requests_of_allocatable(),
            limits_percent_of_allocatable: r.limits_of_allocatable(),
            overcommitted: r.overcommitted(),
            figures: r,
        }
    }
}

/// Pod count against the node's `pods` capacity.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PodCount {
    /// Non-terminated pods bound to the node.
    pub count: i64,
    pub capacity: i64,
    pub allocatable: i64,
}

/// One node in `kubectl top-real nodes -o json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct NodeReport {
    pub name: String,
    /// CPU, in millicores.
    pub cpu_millicores: ResourceFigures,
    /// Memory, in bytes.
    pub memory_bytes: ResourceFigures,
    pub pods: PodCount,
    /// Every other resource the node reports or its pods request, by name: `ephemeral-storage`
    /// and `hugepages-*` in bytes, extended resources (`nvidia.com/gpu`) as counts. `usage` is
    /// always null: metrics.k8s.io reports CPU and memory only.
    pub other_resources: BTreeMap<String, ResourceFigures>,
    /// Problems the kubelet reports: `MemoryPressure`, `DiskPressure`, `PIDPressure`,
    /// `NetworkUnavailable`, `NotReady`; and `SchedulingDisabled` for a cordoned node.
    pub conditions: Vec<String>,
    /// The node's metrics sample; null when it has none.
    pub metrics: Option<Sample>,
}

/// `kubectl top-real nodes -o json|yaml`: `{apiVersion: firstaid.dev/v1, kind: NodeUsage,
/// metrics: {available, reason, message}, unscheduledPods, items: [NodeReport…]}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeUsage {
    pub metrics: MetricsInfo,
    /// Non-terminated pods not yet bound to a node (they count against no node).
    pub unscheduled_pods: u32,
    pub items: Vec<NodeReport>,
}

/// `NotReady` first (a node without a `Ready` condition yet is not called NotReady), then the
/// problem conditions in the API's order, then `SchedulingDisabled`.
fn conditions(node: &Node) -> Vec<String> {
    let state = NodeState::of(node);
    let not_ready = state.readiness().is_some_and(|r| r != Readiness::Ready);
    let cordoned = state.unschedulable.then_some("SchedulingDisabled");
    not_ready
        .then_some("NotReady")
        .into_iter()
        .chain(state.problems().map(|c| c.type_.as_str()))
        .chain(cordoned)
        .map(str::to_owned)
        .collect()
}

/// Everything the table shows about one node.
pub fn report(
    node: &Node,
    load: Load,
    other: Option<&BTreeMap<String, Sum>>,
    metrics: Option<&NodeMetrics>,
    now: Timestamp,
) -> NodeReport {
    let empty = kinds::ResourceMap::new();
    let to_map = |m: Option<
        &std::collections::BTreeMap<
            String,
            firstaid::k8s_openapi::apimachinery::pkg::api::resource::Quantity,
        >,
    >|
     -> kinds::ResourceMap {
        m.map(|m| m.iter().map(|(k, v)| (k.clone(), v.0.clone())).collect())
            .unwrap_or_default()
    };
    let status = node.status.as_ref();
    let capacity = to_map(status.and_then(|s| s.capacity.as_ref()));
    let allocatable = to_map(status.and_then(|s| s.allocatable.as_ref()));
    let usage = metrics.map_or(&empty, |m| &m.usage);
    let cpu = NodeResource {
        usage: millis(usage, "cpu"),
        capacity: millis(&capacity, "cpu").unwrap_or(0),
        allocatable: millis(&allocatable, "cpu").unwrap_or(0),
        requests: load.cpu_requests,
        limits: load.cpu_limits,
    };
    let memory = NodeResource {
        usage: units(usage, "memory"),
        capacity: units(&capacity, "memory").unwrap_or(0),
        allocatable: units(&allocatable, "memory").unwrap_or(0),
        requests: load.memory_requests,
        limits: load.memory_limits,
    };
    NodeReport {
        name: node.metadata.name.clone().unwrap_or_default(),
        cpu_millicores: cpu.into(),
        memory_bytes: memory.into(),
        pods: PodCount {
            count: load.pods,
            capacity: units(&capacity, "pods").unwrap_or(0),
            allocatable: units(&allocatable, "pods").unwrap_or(0),
        },
        other_resources: crate::other::node_figures(&capacity, &allocatable, other),
        conditions: conditions(node),
        metrics: metrics.map(|m| Sample::new(m.timestamp.as_deref(), m.window.as_deref(), now)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn node(name: &str, capacity: &[(&str, &str)], allocatable: &[(&str, &str)]) -> Node {
        let map = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
                .collect::<serde_json::Map<_, _>>()
        };
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name},
            "status": {"capacity": map(capacity), "allocatable": map(allocatable),
                       "conditions": [{"type": "Ready", "status": "True"},
                                      {"type": "MemoryPressure", "status": "False"}]}
        }))
        .expect("node")
    }

    pub fn busy_node() -> Node {
        node(
            "192.168.0.243",
            &[("cpu", "2"), ("memory", "4030180Ki"), ("pods", "40")],
            &[("cpu", "1960m"), ("memory", "2213604Ki"), ("pods", "40")],
        )
    }

    pub fn busy_node_metrics() -> NodeMetrics {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "192.168.0.243"},
            "timestamp": "2023-08-15T14:09:38Z", "window": "1m0.177s",
            "usage": {"cpu": "78528126n", "memory": "2413824Ki"}
        }))
        .expect("metrics")
    }

    pub fn now() -> Timestamp {
        "2023-08-15T14:10:00Z".parse::<Timestamp>().expect("time")
    }

    fn pod(node: &str, cpu: &str, mem: &str, cpu_limit: &str, mem_limit: &str) -> kinds::Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "n"},
            "spec": {"nodeName": node, "containers": [{"name": "c", "resources": {
                "requests": {"cpu": cpu, "memory": mem},
                "limits": {"cpu": cpu_limit, "memory": mem_limit}}}]}
        }))
        .expect("pod")
    }

    #[test]
    fn busy_node_report() {
        let r = report(
            &busy_node(),
            Load::default(),
            None,
            Some(&busy_node_metrics()),
            now(),
        );
        assert_eq!(r.cpu_millicores.usage, Some(79));
        assert_eq!(r.memory_bytes.usage, Some(2_413_824 * 1024));
        let alloc = r.memory_bytes.usage_percent_of_allocatable.unwrap_or(0.0);
        assert!((alloc - 109.04).abs() < 0.01, "{alloc}");
        let cap = r.memory_bytes.usage_percent_of_capacity.unwrap_or(0.0);
        assert!((cap - 59.89).abs() < 0.01, "{cap}");
        assert_eq!(r.memory_bytes.reserved, 1_816_576 * 1024);
        assert_eq!(r.pods.capacity, 40);
        assert!(r.conditions.is_empty());
        let sample = r.metrics.expect("sample");
        assert_eq!(sample.age_seconds, Some(22));
    }

    #[test]
    fn loads_fold_into_requests_and_limits() {
        // Pods adding up to the FAQ's Allocated resources: cpu 1605m/6530m, memory 2625Mi/5612Mi.
        let mut loads = NodeLoads::default();
        loads.add(&pod("node-b", "1", "2Gi", "4", "4Gi"));
        loads.add(&pod("node-b", "605m", "577Mi", "2530m", "1516Mi"));
        loads.add(&pod("other", "1", "1Gi", "1", "1Gi"));
        let mut unbound = pod("", "1", "1Gi", "1", "1Gi");
        unbound.spec.node_name = None;
        loads.add(&unbound);
        assert_eq!(loads.unscheduled, 1);
        let node = node(
            "node-b",
            &[("cpu", "4"), ("memory", "7614352Ki"), ("pods", "40")],
            &[("cpu", "3920m"), ("memory", "6180752Ki"), ("pods", "40")],
        );
        let r = report(&node, loads.get("node-b"), None, None, now());
        assert_eq!(
            (r.cpu_millicores.requests, r.cpu_millicores.limits),
            (1605, 6530)
        );
        assert_eq!(r.memory_bytes.requests, 2625 * 1024 * 1024);
        assert_eq!(r.memory_bytes.limits, 5612 * 1024 * 1024);
        assert!(r.cpu_millicores.overcommitted);
        assert!(!r.memory_bytes.overcommitted);
        assert_eq!(r.pods.count, 2);
        assert_eq!(r.cpu_millicores.usage, None);
        assert_eq!(r.metrics, None);
    }

    /// Found by review for the quantity fuzz target: `7Ei` is a valid request (7 × 2^60 bytes,
    /// under i64::MAX), two of them on one node overflowed `+=` (a panic in debug builds, a
    /// negative total in release). Sums now saturate.
    #[test]
    fn huge_requests_on_one_node_saturate_instead_of_overflowing() {
        let mut loads = NodeLoads::default();
        for _ in 0..3 {
            loads.add(&pod("big", "9223372036854775807m", "7Ei", "1", "7Ei"));
        }
        let load = loads.get("big");
        assert_eq!(
            (load.memory_requests, load.memory_limits),
            (i64::MAX, i64::MAX)
        );
        assert_eq!((load.cpu_requests, load.pods), (i64::MAX, 3));
        let node = node(
            "big",
            &[("cpu", "1"), ("memory", "1Ki")],
            &[("cpu", "1"), ("memory", "1")],
        );
        let r = report(&node, load, None, None, now());
        assert!(r.memory_bytes.overcommitted);
        assert_eq!(
            crate::resources::percent_truncated(r.memory_bytes.requests, 1),
            Some(i64::MAX)
        );
    }

    #[test]
    fn conditions_list_pressure_not_ready_and_cordon() {
        let mut n = busy_node();
        n.status.as_mut().expect("status").conditions = Some(
            serde_json::from_value(serde_json::json!([
                {"type": "MemoryPressure", "status": "True"},
                {"type": "DiskPressure", "status": "False"},
                {"type": "Ready", "status": "Unknown"}
            ]))
            .expect("conditions"),
        );
        n.spec =
            Some(serde_json::from_value(serde_json::json!({"unschedulable": true})).expect("spec"));
        assert_eq!(
            conditions(&n),
            ["NotReady", "MemoryPressure", "SchedulingDisabled"]
        );
    }
}
