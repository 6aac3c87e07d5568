//! The deletes, through the shared plan → confirm → backup → dry run → apply path.
//!
//! Evicted pods are backed up in full while they are listed (a staged backup, kept only once the
//! plan is confirmed), and each delete step carries the pod as listed reduced to its uid +
//! resourceVersion (the DELETE's preconditions) and the status the guard re-checks, produced
//! lazily while the Applier runs: memory follows the deletes in flight, and no pod is read twice.
//! Force deletes of stuck pods (few) carry the whole object. One server-side dry run per action type
//! proves RBAC and admission before the bulk goes out. Right before each delete the guard asks
//! again whether the pod still qualifies — on the listed object first and, after a conflict, on a
//! fresh one — and for force deletes whether its node is *still* gone: a background task keeps
//! re-reading those nodes while the plan runs, so a node that comes back mid-run (or while the
//! user was reading the confirmation prompt) stops the force deletes on it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use firstaid::concurrency::with_retry;
use firstaid::k8s_openapi::api::core::v1::Node;
use firstaid::kube::api::Api;
use firstaid::refreshed::Refreshed;
use firstaid::{Action, Kube, Outline, Plan, Risk, Step, Target};
use serde_json::{Value, json};

use crate::cli::Phase;
use crate::nodes::NodeFacts;
use crate::select::{Criteria, FailedPod};
use crate::stuck::{FORCE_WARNING, NodeIndex, StuckPod, verdict_for_node};

/// How often the nodes of force-deleted pods are re-read while the plan runs.
const NODE_RECHECK: Duration = Duration::from_secs(2);

fn pod_target(namespace: &str, name: &str, uid: &str) -> Target {
    Target {
        group: String::new(),
        version: "v1".into(),
        kind: "Pod".into(),
        plural: "pods".into(),
        namespace: Some(namespace.to_owned()),
        name: name.to_owned(),
        uid: (!uid.is_empty()).then(|| uid.to_owned()),
        resource_version: None,
    }
}

/// Whether `--fix` deletes this pod: owned pods always, bare ones only with `--include-bare-pods`.
pub fn deletes(pod: &FailedPod, include_bare: bool) -> bool {
    pod.owner.is_some() || include_bare
}

/// One delete per pod [`deletes`] selects, produced lazily (the Applier draws them as it goes).
/// Each carries the pod as listed, reduced to what the delete and [`evicted_guard`] read — its
/// full form is in the run's staged backup already.
pub fn evicted_steps(pods: &[FailedPod], include_bare: bool) -> impl Iterator<Item = Step> + '_ {
    pods.iter()
        .filter(move |pod| deletes(pod, include_bare))
        .map(|pod| {
            let (risk, why) = match &pod.owner {
                Some(owner) => (
                    Risk::Low,
                    format!(
                        "{} record; {} made a replacement",
                        pod.reason,
                        owner.display()
                    ),
                ),
                None => (
                    Risk::Medium,
                    format!("{} record of a bare pod: nothing recreates it", pod.reason),
                ),
            };
            let why = if pod.unfinished_delete {
                format!("{why}; an earlier delete of it never finished, deleting again does")
            } else {
                why
            };
            Step::new(
                pod_target(&pod.namespace, &pod.name, &pod.uid),
                Action::Delete {
                    grace_period_seconds: None,
                },
                format!("{why} ({})", pod.cause),
            )
            .risk(risk)
            .listed(json!({
                "metadata": {
                    "namespace": &*pod.namespace,
                    "name": pod.name,
                    "uid": pod.uid,
                    "resourceVersion": pod.resource_version,
                },
                "status": {"phase": pod.phase, "reason": &*pod.reason},
            }))
        })
}

/// What the confirmation shows for [`evicted_steps`]: counts by namespace and reason, the
/// permissions they need; one server-side dry run proves RBAC and admission for the bulk.
pub fn evicted_outline(pods: &[FailedPod], include_bare: bool) -> Outline {
    let mut outline = Outline::new(true);
    for step in evicted_steps(pods, include_bare) {
        outline.add(&step);
    }
    outline
}

/// A force delete (grace period 0) per pod whose verdict allows it.
pub fn stuck_plan(pods: &[StuckPod], objects: Vec<Option<Value>>) -> Plan {
    let mut plan = Plan {
        canary_dry_run: true,
        ..Plan::default()
    };
    for (pod, object) in pods.iter().zip(objects) {
        let Some(object) = object else { continue };
        if !pod.verdict.force_delete() {
            continue;
        }
        plan.push(
            Step::new(
                pod_target(&pod.namespace, &pod.name, &pod.uid),
                Action::Delete {
                    grace_period_seconds: Some(0),
                },
                pod.verdict.explain(pod.node.as_deref().unwrap_or("?")),
            )
            .risk(Risk::High)
            .snapshot(object),
        );
    }
    if !plan.is_empty() {
        plan.warnings.push(format!(
            "{FORCE_WARNING} Force-deleting frees the pod's name and volumes for a replacement; if the node comes back, its containers may still be running."
        ));
    }
    plan
}

/// Still a record to delete? (`Some(reason)` skips the step.)
pub fn evicted_guard(criteria: &Criteria, current: &Value) -> Option<String> {
    let phase = current.pointer("/status/phase").and_then(Value::as_str);
    let reason = current
        .pointer("/status/reason")
        .and_then(Value::as_str)
        .unwrap_or("");
    match phase {
        Some("Failed") if criteria.phases.contains(&Phase::Failed) => {
            if criteria.reasons.contains(reason) {
                None
            } else {
                Some(format!("its status reason is now {reason:?}"))
            }
        }
        Some("Succeeded") if criteria.phases.contains(&Phase::Succeeded) => None,
        other => Some(format!(
            "it is no longer a failed record (phase {})",
            other.unwrap_or("unknown")
        )),
    }
}

/// Still safe to force-delete? The pod must still be Terminating without finalizers, on the same
/// node, and that node must still be gone (or NotReady long enough) in the latest re-read.
pub fn stuck_guard(
    nodes: &NodeIndex,
    not_ready_for: Option<Duration>,
    now: i64,
    _step: &Step,
    current: &Value,
) -> Option<String> {
    if current.pointer("/metadata/deletionTimestamp").is_none() {
        return Some("it is no longer being deleted".into());
    }
    let node = current.pointer("/spec/nodeName").and_then(Value::as_str);
    let finalizers: Vec<String> = current
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let verdict = verdict_for_node(node, &finalizers, nodes, not_ready_for, now);
    if verdict.force_delete() {
        None
    } else {
        Some(format!(
            "not forced any more: {}",
            verdict.explain(node.unwrap_or("?"))
        ))
    }
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
                        fresh.insert(
                            name.clone(),
                            NodeFacts {
                                name: name.clone(),
                                ready: Some(true),
                                ready_since: None,
                                pressures: Vec::new(),
                                taints: Vec::new(),
                                unschedulable: false,
                                zone: None,
                            },
                        );
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

/// The apply report's failures grouped by error, most frequent first.
pub fn failures_by_error(report: &firstaid::Report) -> Vec<(String, usize)> {
    let mut by_error: BTreeMap<String, usize> = BTreeMap::new();
    for r in &report.results {
        let key = match &r.outcome {
            firstaid::Outcome::Failed { error } | firstaid::Outcome::Conflict { error } => {
                format!("failed: {error}")
            }
            firstaid::Outcome::Skipped { reason } => format!("skipped: {reason}"),
            _ => continue,
        };
        *by_error.entry(key).or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = by_error.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::{Interner, evicted_fixture};
    use crate::stuck::Verdict;
    use firstaid::k8s_openapi::api::core::v1::Pod;
    use serde_json::json;

    #[test]
    fn steps_delete_owned_pods_and_bare_ones_only_when_asked() {
        let mut s = Interner::default();
        let pods = vec![
            evicted_fixture(&mut s, "a", true),
            evicted_fixture(&mut s, "bare", false),
        ];
        let outline = evicted_outline(&pods, false);
        assert_eq!(outline.total, 1);
        assert!(outline.canary_dry_run);
        assert_eq!(evicted_outline(&pods, true).total, 2);
        let steps: Vec<Step> = evicted_steps(&pods, false).collect();
        assert_eq!(steps.len(), 1);
        let step = &steps[0];
        // The compact snapshot: preconditions and what the guard reads, and it is in the backup.
        assert!(step.backed_up);
        let snapshot = step.snapshot.as_ref().expect("snapshot");
        assert_eq!(snapshot["metadata"]["uid"], "uid-a");
        assert_eq!(snapshot["metadata"]["resourceVersion"], "42");
        assert_eq!(
            evicted_guard(&Criteria::new(&[], &[], None), snapshot),
            None
        );
        assert_eq!(step.target.display(), "pod/a");
        assert_eq!(step.target.uid.as_deref(), Some("uid-a"));
        assert_eq!(
            step.action,
            Action::Delete {
                grace_period_seconds: None
            }
        );
        assert!(step.reason.contains("Deployment/web"));
        let pod: Pod = serde_json::from_value(
            json!({"metadata": {"name": "a", "namespace": "shop", "uid": "uid-a"}}),
        )
        .expect("pod");
        // Exactly what the shared `Target::of` builds from a typed pod.
        assert_eq!(Target::of(&pod), step.target);
    }

    #[test]
    fn evicted_guard_rechecks_phase_and_reason() {
        let c = Criteria::new(&[], &[], None);
        assert_eq!(
            evicted_guard(
                &c,
                &json!({"status": {"phase": "Failed", "reason": "Evicted"}})
            ),
            None
        );
        assert!(evicted_guard(&c, &json!({"status": {"phase": "Running"}})).is_some());
        assert!(
            evicted_guard(
                &c,
                &json!({"status": {"phase": "Failed", "reason": "Error"}})
            )
            .is_some()
        );
    }

    #[test]
    fn stuck_guard_refuses_when_the_node_came_back() {
        let step = Step::new(
            pod_target("aos", "p", "u"),
            Action::Delete {
                grace_period_seconds: Some(0),
            },
            "x",
        );
        let pod = json!({"metadata": {"deletionTimestamp": "2024-01-01T00:00:00Z"}, "spec": {"nodeName": "n1"}});
        let mut nodes = NodeIndex::new();
        assert_eq!(stuck_guard(&nodes, None, 0, &step, &pod), None);
        nodes.insert(
            "n1".into(),
            NodeFacts {
                name: "n1".into(),
                ready: Some(true),
                ready_since: Some(0),
                pressures: Vec::new(),
                taints: Vec::new(),
                unschedulable: false,
                zone: None,
            },
        );
        let why = stuck_guard(&nodes, None, 0, &step, &pod).expect("refused");
        assert!(why.contains("Ready"), "{why}");
        let not_deleting = json!({"metadata": {}, "spec": {"nodeName": "n1"}});
        assert!(stuck_guard(&NodeIndex::new(), None, 0, &step, &not_deleting).is_some());
    }

    #[test]
    fn stuck_plan_force_deletes_with_the_warning() {
        let mut s = Interner::default();
        let mut pod = |verdict| StuckPod {
            namespace: s.get("aos"),
            name: "aos-apiserver-5f8f5b5585-s9l92".into(),
            uid: "u".into(),
            node: None,
            owner: None,
            deadline: 0,
            finalizers: Vec::new(),
            verdict,
        };
        let pods = vec![pod(Verdict::ForceDeleteNodeGone), pod(Verdict::NodeReady)];
        let plan = stuck_plan(&pods, vec![Some(json!({})), Some(json!({}))]);
        assert_eq!(plan.steps.len(), 1);
        assert_eq!(
            plan.steps[0].action,
            Action::Delete {
                grace_period_seconds: Some(0)
            }
        );
        assert!(plan.warnings[0].contains("may continue to run on the cluster indefinitely"));
    }
}
