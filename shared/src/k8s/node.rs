//! A node's state as the API reports it: Ready or not and since when, pressure conditions,
//! taints (including the node lifecycle controller's `unreachable`/`not-ready`) and cordoning.

use k8s_openapi::api::core::v1::Node;
use serde::Serialize;

use super::time::Timestamp;

/// Taint the node lifecycle controller sets when the kubelet stopped reporting.
pub const UNREACHABLE_TAINT: &str = "node.kubernetes.io/unreachable";
/// Taint the node lifecycle controller sets when the kubelet reports NotReady.
pub const NOT_READY_TAINT: &str = "node.kubernetes.io/not-ready";

/// The `Ready` condition's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Readiness {
    Ready,
    NotReady,
    /// `Unknown`: the kubelet stopped posting status (node unreachable).
    Unknown,
}

/// A node condition the kubelet sets when a resource runs short; each comes with a taint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Pressure {
    Memory,
    Disk,
    Pid,
}

impl Pressure {
    pub const ALL: [Pressure; 3] = [Pressure::Memory, Pressure::Disk, Pressure::Pid];

    /// The condition type: `MemoryPressure`, `DiskPressure`, `PIDPressure`.
    pub const fn condition(self) -> &'static str {
        match self {
            Pressure::Memory => "MemoryPressure",
            Pressure::Disk => "DiskPressure",
            Pressure::Pid => "PIDPressure",
        }
    }

    /// The taint the kubelet adds with the condition.
    pub const fn taint(self) -> &'static str {
        match self {
            Pressure::Memory => "node.kubernetes.io/memory-pressure",
            Pressure::Disk => "node.kubernetes.io/disk-pressure",
            Pressure::Pid => "node.kubernetes.io/pid-pressure",
        }
    }
}

/// One `status.conditions` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCondition {
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// `lastTransitionTime`.
    pub since: Option<Timestamp>,
    pub message: Option<String>,
}

impl NodeCondition {
    pub fn is_true(&self) -> bool {
        self.status == "True"
    }
}

/// One `spec.taints` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: Option<String>,
    pub effect: String,
}

impl std::fmt::Display for Taint {
    /// `key=value:Effect`, or `key:Effect` without a value, as `kubectl describe node` prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.value.as_deref() {
            Some(v) if !v.is_empty() => write!(f, "{}={v}:{}", self.key, self.effect),
            _ => write!(f, "{}:{}", self.key, self.effect),
        }
    }
}

/// What the API says about one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeState {
    pub name: String,
    pub created: Option<Timestamp>,
    /// All conditions, in the order the API lists them.
    pub conditions: Vec<NodeCondition>,
    pub taints: Vec<Taint>,
    /// `spec.unschedulable`: cordoned.
    pub unschedulable: bool,
}

impl NodeState {
    /// From the parts a compact projection carries, so a protobuf reader need not build a `Node`.
    pub fn from_parts(
        name: impl Into<String>,
        created: Option<Timestamp>,
        conditions: impl IntoIterator<Item = NodeCondition>,
        taints: impl IntoIterator<Item = Taint>,
        unschedulable: bool,
    ) -> Self {
        NodeState {
            name: name.into(),
            created,
            conditions: conditions.into_iter().collect(),
            taints: taints.into_iter().collect(),
            unschedulable,
        }
    }

    pub fn of(node: &Node) -> Self {
        let conditions = node
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_deref())
            .unwrap_or_default()
            .iter()
            .map(|c| NodeCondition {
                type_: c.type_.clone(),
                status: c.status.clone(),
                since: c.last_transition_time.as_ref().map(|t| t.0),
                message: c.message.clone(),
            });
        let spec = node.spec.as_ref();
        let taints = spec
            .and_then(|s| s.taints.as_deref())
            .unwrap_or_default()
            .iter()
            .map(|t| Taint {
                key: t.key.clone(),
                value: t.value.clone(),
                effect: t.effect.clone(),
            });
        NodeState::from_parts(
            node.metadata.name.clone().unwrap_or_default(),
            node.metadata.creation_timestamp.as_ref().map(|t| t.0),
            conditions,
            taints,
            spec.and_then(|s| s.unschedulable).unwrap_or(false),
        )
    }

    pub fn condition(&self, type_: &str) -> Option<&NodeCondition> {
        self.conditions.iter().find(|c| c.type_ == type_)
    }

    /// The `Ready` condition's status; `None` when the node reports no `Ready` condition yet.
    pub fn readiness(&self) -> Option<Readiness> {
        self.condition("Ready").map(|c| match c.status.as_str() {
            "True" => Readiness::Ready,
            "False" => Readiness::NotReady,
            _ => Readiness::Unknown,
        })
    }

    pub fn is_ready(&self) -> bool {
        self.readiness() == Some(Readiness::Ready)
    }

    /// When `Ready` last changed.
    pub fn ready_since(&self) -> Option<Timestamp> {
        self.condition("Ready").and_then(|c| c.since)
    }

    /// Pressure conditions that are `True`, Memory, Disk, PID in that order.
    pub fn pressures(&self) -> Vec<Pressure> {
        Pressure::ALL
            .into_iter()
            .filter(|p| {
                self.condition(p.condition())
                    .is_some_and(NodeCondition::is_true)
            })
            .collect()
    }

    /// Conditions that report a problem when `True` (pressures and `NetworkUnavailable`), in the
    /// API's order.
    pub fn problems(&self) -> impl Iterator<Item = &NodeCondition> {
        const PROBLEMS: [&str; 4] = [
            "MemoryPressure",
            "DiskPressure",
            "PIDPressure",
            "NetworkUnavailable",
        ];
        self.conditions
            .iter()
            .filter(|c| c.is_true() && PROBLEMS.contains(&c.type_.as_str()))
    }

    pub fn has_taint(&self, key: &str) -> bool {
        self.taints.iter().any(|t| t.key == key)
    }

    /// The node lifecycle controller marked it unreachable (its kubelet stopped reporting).
    pub fn unreachable(&self) -> bool {
        self.has_taint(UNREACHABLE_TAINT)
    }
}

/// Whether the node a pod or attachment names is there to act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NodePresence {
    Ready,
    /// Exists but not Ready (kubelet down, or unreachable): it may still come back.
    NotReady,
    /// No Node object by that name: deleted, so nothing on it will ever report back.
    Missing,
}

impl NodePresence {
    pub fn of(node: Option<&NodeState>) -> Self {
        match node {
            None => NodePresence::Missing,
            Some(n) if n.is_ready() => NodePresence::Ready,
            Some(_) => NodePresence::NotReady,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            NodePresence::Ready => "Ready",
            NodePresence::NotReady => "NotReady",
            NodePresence::Missing => "does not exist",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(value: serde_json::Value) -> NodeState {
        NodeState::of(&serde_json::from_value(value).expect("node fixture"))
    }

    #[test]
    fn reads_readiness_pressures_and_taints() {
        let n = node(json!({
            "metadata": {"name": "n1", "creationTimestamp": "2024-06-01T00:00:00Z"},
            "spec": {"unschedulable": true, "taints": [
                {"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"},
                {"key": "dedicated", "value": "db", "effect": "NoExecute"}]},
            "status": {"conditions": [
                {"type": "PIDPressure", "status": "True"},
                {"type": "MemoryPressure", "status": "True"},
                {"type": "DiskPressure", "status": "False"},
                {"type": "Ready", "status": "True", "lastTransitionTime": "2024-06-21T10:00:00Z"}]}
        }));
        assert!(n.is_ready() && n.unschedulable && !n.unreachable());
        assert_eq!(n.pressures(), [Pressure::Memory, Pressure::Pid]);
        let problems: Vec<&str> = n.problems().map(|c| c.type_.as_str()).collect();
        assert_eq!(problems, ["PIDPressure", "MemoryPressure"]);
        assert_eq!(
            n.ready_since().map(|t| t.to_string()).as_deref(),
            Some("2024-06-21T10:00:00Z")
        );
        let taints: Vec<String> = n.taints.iter().map(ToString::to_string).collect();
        assert_eq!(
            taints,
            [
                "node.kubernetes.io/memory-pressure:NoSchedule",
                "dedicated=db:NoExecute"
            ]
        );
    }

    #[test]
    fn unknown_and_unreported_readiness() {
        let lost = node(json!({"metadata": {"name": "n2"},
            "spec": {"taints": [{"key": UNREACHABLE_TAINT, "effect": "NoExecute"}]},
            "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}}));
        assert_eq!(lost.readiness(), Some(Readiness::Unknown));
        assert!(lost.unreachable());
        let fresh = node(json!({"metadata": {"name": "n3"}}));
        assert_eq!(fresh.readiness(), None);
        assert!(!fresh.is_ready());
    }

    #[test]
    fn presence() {
        let ready = node(json!({"metadata": {"name": "a"},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}));
        let down = node(json!({"metadata": {"name": "b"},
            "status": {"conditions": [{"type": "Ready", "status": "False"}]}}));
        assert_eq!(NodePresence::of(None), NodePresence::Missing);
        assert_eq!(NodePresence::of(Some(&ready)), NodePresence::Ready);
        assert_eq!(NodePresence::of(Some(&down)), NodePresence::NotReady);
        assert_eq!(NodePresence::Missing.describe(), "does not exist");
    }

    #[test]
    fn from_parts_matches_from_node() {
        let full = node(json!({"metadata": {"name": "p"},
            "status": {"conditions": [{"type": "Ready", "status": "False", "message": "kubelet down"}]}}));
        let parts = NodeState::from_parts(
            "p",
            None,
            [NodeCondition {
                type_: "Ready".into(),
                status: "False".into(),
                since: None,
                message: Some("kubelet down".into()),
            }],
            [],
            false,
        );
        assert_eq!(full, parts);
    }
}
