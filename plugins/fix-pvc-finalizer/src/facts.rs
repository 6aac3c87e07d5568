//! The parts of a pod that decide whether it still holds a claim, as plain data, so the safety
//! rules in [`crate::safety`] can be written — and tested — without Kubernetes types. (Node state,
//! owners, event times and ages are the shared [`firstaid::k8s`] facts.)

use firstaid::k8s::Owner;
use firstaid::k8s_openapi::api::core::v1::Pod;
use serde::Serialize;

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
    /// `Kind/name` of the pod's owner as the user created it (a ReplicaSet shows as its
    /// Deployment), for advice like "scale down StatefulSet/web".
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
            owner: Owner::of_pod(pod).map(|o| o.to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::*;

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
}
