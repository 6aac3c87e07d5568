//! Plain facts read off Kubernetes objects (node readiness, pod phase, event times, ages), so the
//! safety rules in [`crate::safety`] can be written — and tested — without Kubernetes types.

use chrono::{DateTime, Utc};
use firstaid::k8s_openapi::api::core::v1::{Event, Node, Pod};
use serde::Serialize;

/// What the API says about the node a pod or attachment names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum NodeState {
    Ready,
    /// Exists but not Ready (kubelet down, or unreachable): it may still come back.
    NotReady,
    /// No Node object by that name: deleted, so nothing on it will ever report back.
    Missing,
}

impl NodeState {
    pub fn of(node: Option<&Node>) -> Self {
        let Some(node) = node else {
            return NodeState::Missing;
        };
        let ready = node
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .into_iter()
            .flatten()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        if ready {
            NodeState::Ready
        } else {
            NodeState::NotReady
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            NodeState::Ready => "Ready",
            NodeState::NotReady => "NotReady",
            NodeState::Missing => "does not exist",
        }
    }
}

/// The parts of a pod that decide whether it still holds a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodFacts {
    pub namespace: String,
    pub name: String,
    /// `spec.nodeName`: set once scheduled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// `status.phase` (Pending, Running, Succeeded, Failed, Unknown).
    pub phase: String,
    /// What `kubectl get pod` shows in STATUS (Evicted, ContainerCreating, Terminating, …).
    pub status: String,
    pub terminating: bool,
    /// Deleted with grace period 0 (force-deleted, or the kubelet is done): only waiting for cleanup.
    pub shut_down: bool,
    /// `Kind/name` of the controller owning the pod, for advice like "scale down StatefulSet/web".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl PodFacts {
    pub fn of(pod: &Pod) -> Self {
        let meta = &pod.metadata;
        let status = pod.status.as_ref();
        let phase = status
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Pending".into());
        let terminating = meta.deletion_timestamp.is_some();
        let shut_down = terminating && meta.deletion_grace_period_seconds == Some(0);
        PodFacts {
            namespace: meta.namespace.clone().unwrap_or_default(),
            name: meta.name.clone().unwrap_or_default(),
            node: pod
                .spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .filter(|n| !n.is_empty()),
            status: display_status(pod, &phase, terminating),
            phase,
            terminating,
            shut_down,
            owner: meta
                .owner_references
                .iter()
                .flatten()
                .find(|o| o.controller == Some(true))
                .map(|o| format!("{}/{}", o.kind, o.name)),
        }
    }

    pub fn finished(&self) -> bool {
        self.phase == "Succeeded" || self.phase == "Failed"
    }
}

/// kubectl's STATUS column, closely enough: the reason of a failed pod (Evicted), a waiting
/// container's reason (ContainerCreating), Terminating, else the phase.
fn display_status(pod: &Pod, phase: &str, terminating: bool) -> String {
    if terminating {
        return "Terminating".into();
    }
    let status = pod.status.as_ref();
    if let Some(reason) = status.and_then(|s| s.reason.clone()) {
        return reason;
    }
    if phase == "Succeeded" {
        return "Completed".into();
    }
    status
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .find_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.clone())
        .unwrap_or_else(|| phase.to_owned())
}

/// A Kubernetes timestamp as a chrono time (for ages and JSON output).
pub fn time(t: &firstaid::k8s_openapi::jiff::Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.as_second(), t.subsec_nanosecond().try_into().unwrap_or(0))
}

/// When an event last happened (series and legacy fields both used in the wild).
pub fn event_time(event: &Event) -> Option<DateTime<Utc>> {
    event
        .last_timestamp
        .as_ref()
        .and_then(|t| time(&t.0))
        .or_else(|| event.event_time.as_ref().and_then(|t| time(&t.0)))
        .or_else(|| event.first_timestamp.as_ref().and_then(|t| time(&t.0)))
        .or_else(|| {
            event
                .metadata
                .creation_timestamp
                .as_ref()
                .and_then(|t| time(&t.0))
        })
}

/// kubectl's short age: `45s`, `12m`, `5h`, `3d`.
pub fn age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - since).num_seconds().max(0);
    match secs {
        0..120 => format!("{secs}s"),
        120..7200 => format!("{}m", secs / 60),
        7200..172_800 => format!("{}h", secs / 3600),
        _ => format!("{}d", secs / 86400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::*;

    #[test]
    fn node_states() {
        assert_eq!(NodeState::of(None), NodeState::Missing);
        assert_eq!(NodeState::of(Some(&node("n1", true))), NodeState::Ready);
        assert_eq!(NodeState::of(Some(&node("n1", false))), NodeState::NotReady);
    }

    #[test]
    fn pod_facts_read_like_kubectl() {
        let evicted = pod("demo", "web-0", Some("n1"), "Failed").with_reason("Evicted");
        let facts = PodFacts::of(&evicted);
        assert_eq!(facts.status, "Evicted");
        assert!(facts.finished());
        let creating = pod("demo", "web-1", Some("n1"), "Pending").waiting("ContainerCreating");
        assert_eq!(PodFacts::of(&creating).status, "ContainerCreating");
        let forced = pod("demo", "web-2", Some("n1"), "Running").deleted(Some(0));
        let facts = PodFacts::of(&forced);
        assert!(facts.terminating && facts.shut_down);
        assert_eq!(facts.status, "Terminating");
    }

    #[test]
    fn ages() {
        let now = Utc::now();
        assert_eq!(age(now - chrono::Duration::seconds(5), now), "5s");
        assert_eq!(age(now - chrono::Duration::minutes(30), now), "30m");
        assert_eq!(age(now - chrono::Duration::hours(22), now), "22h");
        assert_eq!(age(now - chrono::Duration::hours(44), now), "44h");
        assert_eq!(age(now - chrono::Duration::days(6), now), "6d");
    }
}
