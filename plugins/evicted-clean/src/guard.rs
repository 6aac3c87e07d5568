//! The typed guards the Applier asks right before each delete (see [`firstaid::guard`]): is the
//! pod still a record the user selected, and — for a force delete — is its node still gone? Both
//! read a small typed view of the pod, never raw JSON.
//!
//! For force deletes a background task keeps re-reading the pods' nodes while the plan runs, so a
//! node that comes back mid-run (or while the user was reading the confirmation prompt) stops the
//! force deletes on it.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use firstaid::concurrency::with_retry;
use firstaid::guard::{Guard, Meta};
use firstaid::k8s_openapi::api::core::v1::Node;
use firstaid::kube::api::Api;
use firstaid::refreshed::Refreshed;
use firstaid::{Kube, Step};
use serde::Deserialize;

use crate::cli::Phase;
use crate::nodes::NodeFacts;
use crate::select::Criteria;
use crate::stuck::{NodeIndex, StuckPod, verdict_for_node};

/// How often the nodes of force-deleted pods are re-read while the plan runs.
const NODE_RECHECK: Duration = Duration::from_secs(2);

/// What the guards read of a pod.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PodView {
    pub metadata: Meta,
    pub spec: PodSpecView,
    pub status: PodStatusView,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodSpecView {
    pub node_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PodStatusView {
    pub phase: Option<String>,
    pub reason: Option<String>,
}

/// Still a record to delete: the same phase and reason the selection asked for.
pub struct StillSelected<'a> {
    pub criteria: &'a Criteria,
}

impl Guard for StillSelected<'_> {
    type View = PodView;

    fn check(&self, _: &Step, pod: &PodView) -> Option<String> {
        let criteria = self.criteria;
        let reason = pod.status.reason.as_deref().unwrap_or("");
        match pod.status.phase.as_deref() {
            Some("Failed") if criteria.phases.contains(&Phase::Failed) => {
                (!criteria.reasons.contains(reason))
                    .then(|| format!("its status reason is now {reason:?}"))
            }
            Some("Succeeded") if criteria.phases.contains(&Phase::Succeeded) => None,
            other => Some(format!(
                "it is no longer a failed record (phase {})",
                other.unwrap_or("unknown")
            )),
        }
    }
}

/// Still safe to force-delete: the pod is still Terminating without finalizers, on the same
/// node, and that node is still gone (or NotReady long enough) in the latest re-read.
pub struct NodeStillGone {
    pub nodes: Refreshed<NodeIndex>,
    pub not_ready_for: Option<Duration>,
}

impl Guard for NodeStillGone {
    type View = PodView;

    fn check(&self, _: &Step, pod: &PodView) -> Option<String> {
        let now = crate::fetch::now();
        self.nodes
            .with(|nodes| force_delete_refusal(nodes, self.not_ready_for, now, pod))
    }
}

/// Why `pod` may not be force-deleted given `nodes` as they are now (`None`: it may).
pub fn force_delete_refusal(
    nodes: &NodeIndex,
    not_ready_for: Option<Duration>,
    now: i64,
    pod: &PodView,
) -> Option<String> {
    if pod.metadata.deletion_timestamp.is_none() {
        return Some("it is no longer being deleted".into());
    }
    let node = pod.spec.node_name.as_deref();
    let verdict = verdict_for_node(node, &pod.metadata.finalizers, nodes, not_ready_for, now);
    (!verdict.force_delete()).then(|| {
        format!(
            "not forced any more: {}",
            verdict.explain(node.unwrap_or("?"))
        )
    })
}

/// The nodes of `names` as they are now, read again every [`NODE_RECHECK`] while the plan runs
/// (starting from `index`). A node that cannot be read for another reason than 404 is taken as
/// present and Ready, so the guard fails safe.
pub fn live_nodes(kube: &Kube, names: BTreeSet<String>, index: NodeIndex) -> Refreshed<NodeIndex> {
    let api: Api<Node> = Api::all(kube.client.clone());
    let names = Arc::new(names);
    Refreshed::spawn(index, NODE_RECHECK, move || {
        let (api, names) = (api.clone(), Arc::clone(&names));
        async move {
            let mut fresh = NodeIndex::new();
            for name in names.iter() {
                match with_retry(|| async {
                    api.get_opt(name).await.map_err(firstaid::Error::from)
                })
                .await
                {
                    Ok(Some(node)) => {
                        fresh.insert(name.clone(), NodeFacts::from_node(&node));
                    }
                    Ok(None) => {}
                    Err(_) => {
                        fresh.insert(name.clone(), NodeFacts::assumed_ready(name.clone()));
                    }
                }
            }
            Some(fresh)
        }
    })
}

/// The nodes of the pods a plan force-deletes.
pub fn nodes_of(pods: &[StuckPod]) -> BTreeSet<String> {
    pods.iter()
        .filter(|p| p.verdict.force_delete())
        .filter_map(|p| p.node.as_deref().map(str::to_owned))
        .collect()
}

/// [`StillSelected`] on a JSON pod, as the Applier runs it.
#[cfg(test)]
pub fn evicted(criteria: &Criteria, pod: &serde_json::Value) -> Option<String> {
    let step = Step::new(
        crate::act::pod_target("ns", "p", "u"),
        firstaid::Action::Delete {
            grace_period_seconds: None,
        },
        "x",
    );
    firstaid::guard::check(&StillSelected { criteria }, &step, pod)
}

#[cfg(test)]
mod tests;
