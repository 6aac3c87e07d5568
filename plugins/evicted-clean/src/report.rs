//! The explanation shown before anything is deleted: selected pods grouped by namespace, owner
//! and cause; the nodes involved; the cluster-wide eviction facts. Pure: built from the reduced
//! pods and node facts, so it is tested on fixtures and its JSON form is the `-o json` schema.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::fetch::Failed;
use crate::nodes::{self, NodeFacts, ZoneEviction, zone_evictions};
use crate::select::{CauseClass, FailedPod, Owner, classify};
use crate::stuck::{NodeIndex, StuckPod};

/// Pods that share namespace, owner, reason and cause.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub namespace: Arc<str>,
    /// `None`: bare pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    pub reason: Arc<str>,
    pub cause: Arc<str>,
    pub class: CauseClass,
    pub pods: usize,
    pub nodes: BTreeSet<Arc<str>>,
    /// Most recent failure in the group (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_failed_at: Option<i64>,
    /// Pods whose eviction message shows usage above their request.
    pub over_request: usize,
}

/// A node that evicted (or holds) selected pods, with its current state.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeReport {
    pub name: Arc<str>,
    /// False when the node object no longer exists.
    pub exists: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facts: Option<NodeFacts>,
    pub pods: usize,
}

/// `-o json|yaml` document `kind: EvictedPodReport` (apiVersion firstaid.dev/v1).
///
/// - `scope`: the namespace listed, or `null` with `-A`.
/// - `mode`: `evicted` or `stuckTerminating`.
/// - `criteria`: `reasons` and `phases` selected, `olderThanSeconds`, `node`, `selector`.
/// - `listed`: pods the server returned for the field selector; `selected`: pods matching.
/// - `pods[]` (mode evicted): `namespace`, `name`, `phase`, `reason`, `message`, `cause` (first
///   sentence of the message), `node`, `owner` {`kind`, `name`} (absent for bare pods; a
///   ReplicaSet is shown as its Deployment), `failedAt` (Unix seconds), `overRequest`,
///   `unfinishedDelete` (only when true: an earlier delete was accepted but never finished).
/// - `groups[]`: `namespace`, `owner`, `reason`, `cause`, `class` (`nodePressure`,
///   `ownStorageLimit`, `nodeShutdown`, `admission`, `preemption`, `other`), `pods`, `nodes[]`,
///   `lastFailedAt`, `overRequest`.
/// - `stuck[]` (mode stuckTerminating): `namespace`, `name`, `node`, `owner`, `deadline` (Unix
///   seconds), `finalizers[]`, `verdict` {`type`: `forceDeleteNodeGone` |
///   `forceDeleteNodeNotReady` | `waitForNode` | `nodeReady` | `blockedByFinalizers` |
///   `unscheduled`, `notReadySeconds`}.
/// - `nodes[]`: `name`, `exists`, `pods`, `facts` {`ready`, `readySince`, `pressures[]`
///   {`condition`, `taint`, `signals[]`, `remedy`}, `taints[]`, `unschedulable`, `zone`}.
/// - `zones[]`: `zone`, `nodes`, `notReady`, `state` (`normal` | `partialDisruption` |
///   `fullDisruption`); `notes[]`: sentences with the eviction facts that apply.
/// - `result` (with `--fix`): the shared apply report: `dryRun`, `results[]` {`target`,
///   `action`, `reason`, `outcome` {`status`, …}}, `counts` {`applied`, `alreadyDone`,
///   `skipped`, `failed`, `notStarted`}, `backupDir`, `interrupted`.
/// - `verification` (after a real `--fix` that deleted something): the list after the fix —
///   `listed`, `notGone` (pods reported deleted that are still there; more than 0 makes the exit
///   code 6), `notGoneNames[]` (the first 20, `namespace/name`), `appeared` (records that
///   qualify but were not in the plan).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Body<'a> {
    pub scope: Option<&'a str>,
    pub mode: &'static str,
    pub criteria: serde_json::Value,
    pub listed: usize,
    pub selected: usize,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub pods: &'a [FailedPod],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub groups: &'a [Group],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub stuck: &'a [StuckPod],
    pub nodes: &'a [NodeReport],
    pub zones: &'a [ZoneEviction],
    pub notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<&'a firstaid::Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<&'a crate::verify::Verification>,
}

/// Groups pods by namespace, owner, reason and cause; largest groups first.
pub fn groups(pods: &[FailedPod]) -> Vec<Group> {
    type Key = (Arc<str>, Option<Owner>, Arc<str>, Arc<str>);
    let mut by_key: BTreeMap<Key, Group> = BTreeMap::new();
    for pod in pods {
        let key = (
            pod.namespace.clone(),
            pod.owner.clone(),
            pod.reason.clone(),
            pod.cause.clone(),
        );
        let group = by_key.entry(key).or_insert_with(|| Group {
            namespace: pod.namespace.clone(),
            owner: pod.owner.clone(),
            reason: pod.reason.clone(),
            cause: pod.cause.clone(),
            class: classify(&pod.reason, &pod.message),
            pods: 0,
            nodes: BTreeSet::new(),
            last_failed_at: None,
            over_request: 0,
        });
        group.pods += 1;
        group.nodes.extend(pod.node.clone());
        group.last_failed_at = group.last_failed_at.max(pod.failed_at);
        group.over_request += usize::from(pod.over_request);
    }
    let mut groups: Vec<Group> = by_key.into_values().collect();
    groups.sort_by(|a, b| b.pods.cmp(&a.pods).then(a.namespace.cmp(&b.namespace)));
    groups
}

/// The nodes named by `pod_nodes` (with their pod counts), as they are now; busiest first.
pub fn node_reports(pod_nodes: &BTreeMap<Arc<str>, usize>, index: &NodeIndex) -> Vec<NodeReport> {
    let mut reports: Vec<NodeReport> = pod_nodes
        .iter()
        .map(|(name, &pods)| {
            let facts = index.get(name.as_ref()).cloned();
            NodeReport {
                name: name.clone(),
                exists: facts.is_some(),
                facts,
                pods,
            }
        })
        .collect();
    reports.sort_by(|a, b| b.pods.cmp(&a.pods).then(a.name.cmp(&b.name)));
    reports
}

/// The note for pods whose earlier delete was accepted but never finished
/// ([`crate::select::Deletion::Unfinished`]): they look Terminating, yet nothing will remove them.
pub fn unfinished_note(count: usize) -> String {
    format!(
        "{count} pod(s) show a deletion that never finished (deletionTimestamp set, grace period 0, no finalizers: the API server stopped between the two writes of a delete, e.g. it crashed during an earlier run). Nothing else removes them; they are selected, and --fix deletes them again, which finishes the delete."
    )
}

/// Sentences with the facts that apply: eviction brakes, PodGC, thresholds, usage vs requests.
pub fn notes(
    groups: &[Group],
    nodes: &[NodeReport],
    zones: &[ZoneEviction],
    selected: usize,
    whole_cluster: bool,
) -> Vec<String> {
    let mut out: Vec<String> = zones.iter().filter_map(ZoneEviction::note).collect();
    if selected > 0 && groups.iter().any(|g| g.reason.as_ref() == "Evicted") {
        out.push(nodes::pod_gc_note(selected, whole_cluster));
    }
    let over: usize = groups.iter().map(|g| g.over_request).sum();
    if over > 0 {
        out.push(format!(
            "{over} pod(s) were using more than they requested when evicted: the scheduler places pods by requests, the kubelet evicts by usage, so replacements can land right back on the same node. Set requests near real usage (and Guaranteed QoS for critical pods: BestEffort goes first, then Burstable)."
        ));
    }
    if nodes
        .iter()
        .filter_map(|n| n.facts.as_ref())
        .any(|f| !f.pressures.is_empty())
    {
        out.push(format!(
            "kubelet default hard eviction thresholds (a node may override them with --eviction-hard): {}. A pressure condition clears only after eviction-pressure-transition-period (default 5m).",
            nodes::DEFAULT_HARD_THRESHOLDS.join(", ")
        ));
    }
    let mut admission_nodes: BTreeMap<&str, usize> = BTreeMap::new();
    for g in groups.iter().filter(|g| g.class == CauseClass::Admission) {
        for node in &g.nodes {
            *admission_nodes.entry(node.as_ref()).or_default() += g.pods;
        }
    }
    for (node, _) in admission_nodes {
        out.push(format!(
            "node {node} refused pods at admission: if it keeps doing so, kubectl drain {node}, fix the node (e.g. a read-only filesystem under /var/lib/kubelet), then kubectl uncordon {node}."
        ));
    }
    let classes: BTreeSet<&'static str> = groups
        .iter()
        .filter(|g| g.class != CauseClass::NodePressure && g.class != CauseClass::Other)
        .map(|g| g.class.advice())
        .collect();
    out.extend(classes.into_iter().map(str::to_owned));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::Interner;

    fn pod(
        s: &mut Interner,
        ns: &str,
        owner: Option<&str>,
        node: &str,
        message: &str,
    ) -> FailedPod {
        FailedPod {
            namespace: s.get(ns),
            name: format!("p-{node}"),
            uid: String::new(),
            phase: "Failed",
            reason: s.get("Evicted"),
            resource_version: "1".into(),
            message: s.get(message),
            cause: s.get(&crate::select::cause_of("Evicted", message)),
            node: Some(s.get(node)),
            owner: owner.map(|o| Owner {
                kind: s.get("Deployment"),
                name: s.get(o),
            }),
            failed_at: Some(100),
            over_request: crate::select::uses_more_than_requested(message),
            unfinished_delete: false,
        }
    }

    #[test]
    fn groups_by_namespace_owner_and_cause() {
        let mut s = Interner::default();
        let mem = "The node was low on resource: memory. Container app was using 1Gi, request is 0, has larger consumption of memory.";
        let pods = vec![
            pod(&mut s, "shop", Some("web"), "n1", mem),
            pod(&mut s, "shop", Some("web"), "n2", mem),
            pod(&mut s, "shop", None, "n1", mem),
            pod(
                &mut s,
                "ci",
                Some("runner"),
                "n1",
                "The node was low on resource: ephemeral-storage.",
            ),
        ];
        let g = groups(&pods);
        assert_eq!(g.len(), 3);
        assert_eq!(g[0].pods, 2);
        assert_eq!(g[0].nodes.len(), 2);
        assert_eq!(g[0].over_request, 2);
        assert_eq!(g[0].class, CauseClass::NodePressure);
        assert!(g.iter().any(|g| g.owner.is_none() && g.pods == 1));

        let counts: BTreeMap<Arc<str>, usize> = [(s.get("n1"), 3), (s.get("gone"), 1)].into();
        let nodes = node_reports(&counts, &NodeIndex::new());
        assert_eq!(nodes[0].name.as_ref(), "n1");
        assert!(!nodes[1].exists);
        let n = notes(&g, &nodes, &[], pods.len(), false);
        assert!(n.iter().any(|n| n.contains("12500")), "{n:?}");
        assert!(n.iter().any(|n| n.contains("more than they requested")));
    }
}

/// How many of `pods` ran on each node (pods never scheduled are not counted).
pub fn pods_per_node<'a>(
    nodes: impl Iterator<Item = Option<&'a Arc<str>>>,
) -> BTreeMap<Arc<str>, usize> {
    let mut per_node: BTreeMap<Arc<str>, usize> = BTreeMap::new();
    for node in nodes.flatten() {
        *per_node.entry(node.clone()).or_default() += 1;
    }
    per_node
}

/// What the evicted-pod diagnosis found beyond the pods themselves.
#[derive(Debug)]
pub struct Findings {
    pub groups: Vec<Group>,
    pub node_reports: Vec<NodeReport>,
    pub zones: Vec<ZoneEviction>,
    pub notes: Vec<String>,
    /// Pods no controller owns.
    pub bare: usize,
}

/// The evicted-pod diagnosis; without node access (`node_index` `None`) it leaves out the nodes.
pub fn findings(failed: &Failed, node_index: Option<&NodeIndex>, scope: Option<&str>) -> Findings {
    let groups = groups(&failed.pods);
    let per_node = pods_per_node(failed.pods.iter().map(|p| p.node.as_ref()));
    let (node_reports, zones) = match node_index {
        Some(index) => {
            let all: Vec<_> = index.values().cloned().collect();
            (node_reports(&per_node, index), zone_evictions(&all))
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut notes = notes(
        &groups,
        &node_reports,
        &zones,
        failed.pods.len(),
        scope.is_none(),
    );
    let unfinished = failed.pods.iter().filter(|p| p.unfinished_delete).count();
    if unfinished > 0 {
        notes.push(unfinished_note(unfinished));
    }
    let bare = failed.pods.iter().filter(|p| p.owner.is_none()).count();
    Findings {
        groups,
        node_reports,
        zones,
        notes,
        bare,
    }
}
