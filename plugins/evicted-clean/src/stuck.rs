//! Pods stuck Terminating, and the one case where forcing them out is safe.
//!
//! When a node dies, kube-controller-manager marks its pods for deletion; they stay Terminating
//! because only that node's kubelet can confirm the containers stopped (the FAQ on pods stuck
//! Terminating after a node failure). If the node comes back they disappear on their own; if the node object was deleted,
//! nothing will ever confirm, and a force delete (grace period 0) is the fix. On a Ready node a
//! force delete would only hide a kubelet problem while the containers keep running, so it is
//! never offered there; on a NotReady node only after the user says how long is long enough.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use firstaid::k8s::time::human_seconds;
use firstaid::k8s_openapi::api::core::v1::Pod;
use serde::Serialize;

use crate::nodes::NodeFacts;
use crate::select::{Interner, Owner, owner_of};

/// A pod counts as stuck this long after its deletion deadline (deletionTimestamp, which already
/// includes the grace period): a kubelet that is alive finishes well within it.
pub const STUCK_AFTER_DEADLINE: Duration = Duration::from_secs(60);

/// kubectl's own warning for `--grace-period=0 --force`, which the FAQ quotes.
pub const FORCE_WARNING: &str = "Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.";

/// One pod past its deletion deadline.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StuckPod {
    pub namespace: Arc<str>,
    pub name: String,
    #[serde(skip)]
    pub uid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// deletionTimestamp (Unix seconds): when the grace period ran out.
    pub deadline: i64,
    pub finalizers: Vec<String>,
    pub verdict: Verdict,
}

/// What to do with a stuck pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Verdict {
    /// The node object is gone: nothing will ever confirm the containers stopped.
    ForceDeleteNodeGone,
    /// NotReady for longer than `--not-ready-for`.
    #[serde(rename_all = "camelCase")]
    ForceDeleteNodeNotReady { not_ready_seconds: i64 },
    /// NotReady, not long enough (or `--not-ready-for` not given): wait for the node.
    #[serde(rename_all = "camelCase")]
    WaitForNode { not_ready_seconds: Option<i64> },
    /// The node is Ready: its kubelet should finish; a force delete would hide the problem.
    NodeReady,
    /// Finalizers hold it: a force delete does not remove them.
    BlockedByFinalizers,
    /// Never scheduled and still here: only finalizers can hold such a pod.
    Unscheduled,
}

impl Verdict {
    pub fn force_delete(&self) -> bool {
        matches!(
            self,
            Verdict::ForceDeleteNodeGone | Verdict::ForceDeleteNodeNotReady { .. }
        )
    }

    pub fn explain(&self, node: &str) -> String {
        match self {
            Verdict::ForceDeleteNodeGone => format!(
                "node {node} no longer exists: nothing will confirm the containers stopped; force delete"
            ),
            Verdict::ForceDeleteNodeNotReady { not_ready_seconds } => format!(
                "node {node} NotReady for {}: force delete (the containers may still run if it comes back)",
                human_seconds(*not_ready_seconds)
            ),
            Verdict::WaitForNode {
                not_ready_seconds: Some(s),
            } => format!(
                "node {node} NotReady for {}: the pod goes away when the node recovers; if it will not, delete the node object or rerun with --not-ready-for",
                human_seconds(*s)
            ),
            Verdict::WaitForNode {
                not_ready_seconds: None,
            } => format!(
                "node {node} reports no Ready condition: wait for its kubelet, or delete the node object if it is gone for good"
            ),
            Verdict::NodeReady => format!(
                "node {node} is Ready: its kubelet should finish the deletion; check the kubelet log there (never force-deleted)"
            ),
            Verdict::BlockedByFinalizers => {
                "held by finalizers: a force delete would not remove it; fix or remove the finalizer's controller".into()
            }
            Verdict::Unscheduled => {
                "never scheduled; something other than a kubelet holds it (finalizers?)".into()
            }
        }
    }
}

/// How nodes look right now, by name; a name missing here is a deleted node.
pub type NodeIndex = HashMap<String, NodeFacts>;

/// Decides what to do with a node's pod (used at diagnosis and again, by the guard, right
/// before the delete).
pub fn verdict_for_node(
    node: Option<&str>,
    finalizers: &[String],
    nodes: &NodeIndex,
    not_ready_for: Option<Duration>,
    now: i64,
) -> Verdict {
    if !finalizers.is_empty() {
        return Verdict::BlockedByFinalizers;
    }
    let Some(node) = node else {
        return Verdict::Unscheduled;
    };
    let Some(facts) = nodes.get(node) else {
        return Verdict::ForceDeleteNodeGone;
    };
    if facts.is_ready() {
        return Verdict::NodeReady;
    }
    let not_ready_seconds = facts.ready.and(facts.ready_since).map(|since| now - since);
    match (not_ready_for, not_ready_seconds) {
        (Some(limit), Some(s)) if s >= i64::try_from(limit.as_secs()).unwrap_or(i64::MAX) => {
            Verdict::ForceDeleteNodeNotReady {
                not_ready_seconds: s,
            }
        }
        _ => Verdict::WaitForNode { not_ready_seconds },
    }
}

/// The pod as a [`StuckPod`] if it is past its deletion deadline by `older_than` (default
/// [`STUCK_AFTER_DEADLINE`]).
pub fn stuck(
    pod: &Pod,
    nodes: &NodeIndex,
    not_ready_for: Option<Duration>,
    older_than: Option<Duration>,
    now: i64,
    strings: &mut Interner,
) -> Option<StuckPod> {
    let deadline = pod.metadata.deletion_timestamp.as_ref()?.0.as_second();
    let min_wait = older_than.unwrap_or(STUCK_AFTER_DEADLINE);
    if now - deadline < i64::try_from(min_wait.as_secs()).unwrap_or(i64::MAX) {
        return None;
    }
    let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref());
    let finalizers = pod.metadata.finalizers.clone().unwrap_or_default();
    let verdict = verdict_for_node(node, &finalizers, nodes, not_ready_for, now);
    Some(StuckPod {
        namespace: strings.get(pod.metadata.namespace.as_deref().unwrap_or("")),
        name: pod.metadata.name.clone().unwrap_or_default(),
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        node: node.map(|n| strings.get(n)),
        owner: owner_of(pod, strings),
        deadline,
        finalizers,
        verdict,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    fn facts(name: &str, ready: bool, since: i64) -> (String, NodeFacts) {
        (
            name.to_owned(),
            NodeFacts {
                name: name.to_owned(),
                ready: Some(ready),
                ready_since: Some(since),
                pressures: Vec::new(),
                taints: Vec::new(),
                unschedulable: false,
                zone: None,
            },
        )
    }

    fn terminating(node: &str, deleted_secs_ago: i64) -> Pod {
        let ts = firstaid::k8s_openapi::jiff::Timestamp::from_second(NOW - deleted_secs_ago)
            .expect("timestamp")
            .to_string();
        serde_json::from_value(json!({
            "metadata": {"name": "aos-apiserver-5f8f5b5585-s9l92", "namespace": "aos", "uid": "u",
                "deletionTimestamp": ts, "deletionGracePeriodSeconds": 30},
            "spec": {"nodeName": node, "containers": []}
        }))
        .expect("pod")
    }

    #[test]
    fn force_delete_only_when_the_node_is_gone() {
        let nodes: NodeIndex = [
            facts("ready", true, NOW - 86_400),
            facts("down", false, NOW - 3 * 86_400),
        ]
        .into();
        let mut s = Interner::default();
        let old = 3 * 86_400;
        let gone = stuck(
            &terminating("deleted", old),
            &nodes,
            None,
            None,
            NOW,
            &mut s,
        )
        .expect("stuck");
        assert_eq!(gone.verdict, Verdict::ForceDeleteNodeGone);
        let ready =
            stuck(&terminating("ready", old), &nodes, None, None, NOW, &mut s).expect("stuck");
        assert_eq!(ready.verdict, Verdict::NodeReady);
        assert!(!ready.verdict.force_delete());
        // NotReady but present → wait by default.
        let down =
            stuck(&terminating("down", old), &nodes, None, None, NOW, &mut s).expect("stuck");
        assert!(matches!(down.verdict, Verdict::WaitForNode { .. }));
        assert!(down.verdict.explain("down").contains("3d"));
        // … and force with --not-ready-for below the NotReady time.
        let forced = stuck(
            &terminating("down", old),
            &nodes,
            Some(Duration::from_secs(3600)),
            None,
            NOW,
            &mut s,
        )
        .expect("stuck");
        assert!(forced.verdict.force_delete());
        let not_yet = stuck(
            &terminating("down", old),
            &nodes,
            Some(Duration::from_secs(7 * 86_400)),
            None,
            NOW,
            &mut s,
        )
        .expect("stuck");
        assert!(!not_yet.verdict.force_delete());
    }

    #[test]
    fn recently_deleted_pods_are_not_stuck() {
        let nodes = NodeIndex::new();
        let mut s = Interner::default();
        assert!(stuck(&terminating("x", 10), &nodes, None, None, NOW, &mut s).is_none());
        assert!(
            stuck(
                &terminating("x", 600),
                &nodes,
                None,
                Some(Duration::from_secs(3600)),
                NOW,
                &mut s
            )
            .is_none()
        );
    }

    #[test]
    fn finalizers_and_unscheduled_pods_are_not_forced() {
        let nodes = NodeIndex::new();
        assert_eq!(
            verdict_for_node(Some("gone"), &["x/y".into()], &nodes, None, NOW),
            Verdict::BlockedByFinalizers
        );
        assert_eq!(
            verdict_for_node(None, &[], &nodes, None, NOW),
            Verdict::Unscheduled
        );
    }
}
