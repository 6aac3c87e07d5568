//! What the nodes say about why pods were evicted and whether eviction is even running.
//!
//! Deleting evicted records fixes nothing if the node is still under pressure: the replacement
//! lands on the same node and is evicted again. So each node involved is shown with its current
//! pressure conditions and taints, the kubelet eviction signals behind them, and the remedy class
//! the FAQ on evicted pods gives for each; and the controller-manager's eviction brakes (the FAQ on
//! pods not evicted from NotReady nodes) are checked against the cluster's node counts.

use std::collections::BTreeMap;

use firstaid::k8s::{NodeState, Pressure, Readiness, Timestamp};
use firstaid::k8s_openapi::api::core::v1::Node;
use serde::Serialize;

/// Node condition ↔ taint ↔ eviction signals ↔ what to do, as the FAQ on evicted pods tabulates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PressureKind {
    pub condition: &'static str,
    pub taint: &'static str,
    pub signals: &'static [&'static str],
    pub remedy: &'static str,
}

pub const PRESSURES: [PressureKind; 3] = [
    PressureKind {
        condition: Pressure::Memory.condition(),
        taint: Pressure::Memory.taint(),
        signals: &["memory.available"],
        remedy: "bigger node flavor (more memory), or lower pod usage; set memory requests near real usage",
    },
    PressureKind {
        condition: Pressure::Disk.condition(),
        taint: Pressure::Disk.taint(),
        signals: &[
            "nodefs.available",
            "nodefs.inodesFree",
            "imagefs.available",
            "imagefs.inodesFree",
        ],
        remedy: "expand the node's disk; prune unused images and oversized container logs",
    },
    PressureKind {
        condition: Pressure::Pid.condition(),
        taint: Pressure::Pid.taint(),
        signals: &["pid.available"],
        remedy: "raise kernel.pid_max on the node, or find the pod leaking processes",
    },
];

/// The kubelet's default hard eviction thresholds (upstream defaults; a node may be configured
/// otherwise with --eviction-hard).
pub const DEFAULT_HARD_THRESHOLDS: [&str; 4] = [
    "memory.available<100Mi",
    "nodefs.available<10%",
    "imagefs.available<15%",
    "nodefs.inodesFree<5%",
];

/// kube-controller-manager defaults behind the eviction brakes.
pub const UNHEALTHY_ZONE_THRESHOLD: f64 = 0.55;
pub const LARGE_CLUSTER_SIZE_THRESHOLD: usize = 50;
pub const SECONDARY_NODE_EVICTION_RATE: f64 = 0.01;
/// kube-controller-manager `--terminated-pod-gc-threshold` default: PodGC deletes terminated
/// pods only above this many in the cluster.
pub const TERMINATED_POD_GC_THRESHOLD: usize = 12_500;

const ZONE_LABEL: &str = "topology.kubernetes.io/zone";

/// A node's state as the report shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeFacts {
    pub name: String,
    /// `Some(true)` Ready, `Some(false)` NotReady/Unknown, `None` no Ready condition reported.
    pub ready: Option<bool>,
    /// When the Ready condition last changed (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready_since: Option<i64>,
    pub pressures: Vec<PressureKind>,
    /// Taints as `key=value:Effect`.
    pub taints: Vec<String>,
    pub unschedulable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

impl PressureKind {
    fn of(pressure: Pressure) -> Self {
        PRESSURES[Pressure::ALL
            .iter()
            .position(|p| *p == pressure)
            .unwrap_or_default()]
    }
}

impl NodeFacts {
    /// A node that could not be read: taken as present and Ready, so a force delete that depends
    /// on it being gone fails safe.
    pub fn assumed_ready(name: String) -> Self {
        NodeFacts {
            name,
            ready: Some(true),
            ready_since: None,
            pressures: Vec::new(),
            taints: Vec::new(),
            unschedulable: false,
            zone: None,
        }
    }

    pub fn from_node(node: &Node) -> Self {
        let state = NodeState::of(node);
        NodeFacts {
            ready: state.readiness().map(|r| r == Readiness::Ready),
            // A node that never reported Ready has been in that state since it was created.
            ready_since: state
                .ready_since()
                .or(state.created)
                .map(Timestamp::as_second),
            pressures: state
                .pressures()
                .into_iter()
                .map(PressureKind::of)
                .collect(),
            taints: state.taints.iter().map(ToString::to_string).collect(),
            unschedulable: state.unschedulable,
            name: state.name,
            zone: node
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(ZONE_LABEL))
                .cloned(),
        }
    }

    pub fn is_ready(&self) -> bool {
        self.ready == Some(true)
    }

    /// "Ready", "NotReady", or "Ready,SchedulingDisabled" as kubectl prints it.
    pub fn status_text(&self) -> String {
        let base = if self.is_ready() { "Ready" } else { "NotReady" };
        if self.unschedulable {
            format!("{base},SchedulingDisabled")
        } else {
            base.to_owned()
        }
    }

    /// Pressure conditions whose taint is missing (or the other way round) are worth a word:
    /// the kubelet sets both, so a mismatch means it stopped reporting.
    pub fn pressure_taints_missing(&self) -> Vec<&'static str> {
        self.pressures
            .iter()
            .filter(|p| !self.taints.iter().any(|t| t.starts_with(p.taint)))
            .map(|p| p.taint)
            .collect()
    }
}

/// What kube-controller-manager's node lifecycle controller does with NotReady nodes in a zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneEviction {
    pub zone: String,
    pub nodes: usize,
    pub not_ready: usize,
    pub state: ZoneState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ZoneState {
    /// Evicting normally (one node emptied per 10 s by default).
    Normal,
    /// ≥ 55 % NotReady (and more than 2): evicting at 0.01 nodes/s in a large zone, not at all
    /// in a zone of ≤ 50 nodes.
    PartialDisruption,
    /// Every node NotReady: the controller assumes its own connectivity is broken and stops.
    FullDisruption,
}

/// The node lifecycle controller's zone states (upstream `ComputeZoneState` and its reduced-rate
/// rule) for the nodes given.
pub fn zone_evictions(nodes: &[NodeFacts]) -> Vec<ZoneEviction> {
    let mut zones: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for node in nodes {
        let entry = zones
            .entry(node.zone.clone().unwrap_or_default())
            .or_default();
        entry.0 += 1;
        if !node.is_ready() {
            entry.1 += 1;
        }
    }
    zones
        .into_iter()
        .map(|(zone, (total, not_ready))| {
            let state = if not_ready == total && total > 0 {
                ZoneState::FullDisruption
            } else if not_ready > 2 && not_ready as f64 / total as f64 >= UNHEALTHY_ZONE_THRESHOLD {
                ZoneState::PartialDisruption
            } else {
                ZoneState::Normal
            };
            ZoneEviction {
                zone,
                nodes: total,
                not_ready,
                state,
            }
        })
        .collect()
}

impl ZoneEviction {
    /// A sentence for the report when the zone's evictions are slowed or stopped.
    pub fn note(&self) -> Option<String> {
        let zone = if self.zone.is_empty() {
            "the cluster (no zone labels)".to_owned()
        } else {
            format!("zone {}", self.zone)
        };
        let pct = self.not_ready as f64 * 100.0 / self.nodes.max(1) as f64;
        match self.state {
            ZoneState::Normal => None,
            ZoneState::FullDisruption => Some(format!(
                "{zone}: all {} nodes are NotReady; kube-controller-manager stops evicting pods (it assumes its own connectivity is broken). Pods on those nodes stay until the nodes recover.",
                self.nodes
            )),
            ZoneState::PartialDisruption if self.nodes <= LARGE_CLUSTER_SIZE_THRESHOLD => {
                Some(format!(
                    "{zone}: {} of {} nodes NotReady ({pct:.1} % ≥ {:.0} % unhealthy-zone-threshold) in a zone of ≤ {LARGE_CLUSTER_SIZE_THRESHOLD} nodes: kube-controller-manager has halted pod eviction (rate 0); pods on NotReady nodes will not be evicted automatically.",
                    self.not_ready,
                    self.nodes,
                    UNHEALTHY_ZONE_THRESHOLD * 100.0
                ))
            }
            ZoneState::PartialDisruption => Some(format!(
                "{zone}: {} of {} nodes NotReady ({pct:.1} % ≥ {:.0} % unhealthy-zone-threshold): kube-controller-manager evicts at the reduced secondary-node-eviction-rate ({SECONDARY_NODE_EVICTION_RATE} nodes/s, one node per 100 s).",
                self.not_ready,
                self.nodes,
                UNHEALTHY_ZONE_THRESHOLD * 100.0
            )),
        }
    }
}

/// PodGC's view of the terminated pods counted (in the scope listed).
pub fn pod_gc_note(terminated: usize, whole_cluster: bool) -> String {
    let scope = if whole_cluster {
        "in the cluster"
    } else {
        "in this namespace"
    };
    if terminated > TERMINATED_POD_GC_THRESHOLD {
        format!(
            "{terminated} terminated pods {scope}: above PodGC's default threshold ({TERMINATED_POD_GC_THRESHOLD}, kube-controller-manager --terminated-pod-gc-threshold), so PodGC should be deleting the oldest; if they keep piling up, the threshold was raised or PodGC is not running."
        )
    } else {
        format!(
            "PodGC deletes terminated pods only above {TERMINATED_POD_GC_THRESHOLD} in the whole cluster (default --terminated-pod-gc-threshold), so these {terminated} stay until someone deletes them."
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(value: serde_json::Value) -> NodeFacts {
        NodeFacts::from_node(&serde_json::from_value(value).expect("node fixture"))
    }

    fn fleet(total: usize, down: usize, zone: &str) -> Vec<NodeFacts> {
        (0..total)
            .map(|i| NodeFacts {
                name: format!("n{i}"),
                ready: Some(i >= down),
                ready_since: None,
                pressures: Vec::new(),
                taints: Vec::new(),
                unschedulable: false,
                zone: Some(zone.to_owned()),
            })
            .collect()
    }

    #[test]
    fn pressure_conditions_map_to_signals_and_remedies() {
        let n = node(json!({
            "metadata": {"name": "192.168.0.160"},
            "spec": {"taints": [{"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"}]},
            "status": {"conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": "2024-06-21T10:00:00Z"},
                {"type": "MemoryPressure", "status": "True"},
                {"type": "DiskPressure", "status": "False"},
                {"type": "PIDPressure", "status": "True"}]}
        }));
        assert!(n.is_ready());
        let names: Vec<&str> = n.pressures.iter().map(|p| p.condition).collect();
        assert_eq!(names, ["MemoryPressure", "PIDPressure"]);
        assert_eq!(n.pressures[0].signals, ["memory.available"]);
        assert!(n.pressures[1].remedy.contains("kernel.pid_max"));
        assert_eq!(n.taints, ["node.kubernetes.io/memory-pressure:NoSchedule"]);
        assert_eq!(
            n.pressure_taints_missing(),
            ["node.kubernetes.io/pid-pressure"]
        );

        let disk = node(json!({"metadata": {"name": "d"}, "status": {"conditions": [
            {"type": "Ready", "status": "Unknown"}, {"type": "DiskPressure", "status": "True"}]}}));
        assert!(!disk.is_ready());
        assert_eq!(disk.pressures[0].signals.len(), 4);
        assert!(disk.pressures[0].remedy.contains("expand"));
    }

    #[test]
    fn small_zone_over_55_percent_down_stops_evicting() {
        // The FAQ's example: 40 nodes, 23 NotReady (57.5 %).
        let zones = zone_evictions(&fleet(40, 23, "z1"));
        assert_eq!(zones[0].state, ZoneState::PartialDisruption);
        assert!(zones[0].note().expect("note").contains("halted"));
        // 60 nodes, 34 down: secondary rate.
        let zones = zone_evictions(&fleet(60, 34, "z1"));
        assert!(zones[0].note().expect("note").contains("0.01"));
        // 40 nodes, 20 down (50 %): normal.
        assert_eq!(
            zone_evictions(&fleet(40, 20, "z1"))[0].state,
            ZoneState::Normal
        );
        // Two NotReady of three is below the "more than 2" floor.
        assert_eq!(
            zone_evictions(&fleet(3, 2, "z1"))[0].state,
            ZoneState::Normal
        );
        assert_eq!(
            zone_evictions(&fleet(2, 2, "z1"))[0].state,
            ZoneState::FullDisruption
        );
    }

    #[test]
    fn pod_gc_threshold_note() {
        assert!(pod_gc_note(12, true).contains("stay until"));
        assert!(pod_gc_note(20_000, true).contains("should be deleting"));
    }
}
