//! The deletes, through the shared plan → confirm → backup → dry run → apply path.
//!
//! Evicted pods are backed up in full while they are listed (a staged backup, kept only once the
//! plan is confirmed), and each delete step carries the pod as listed reduced to its uid +
//! resourceVersion (the DELETE's preconditions) and the status the guard re-checks, produced
//! lazily while the Applier runs: memory follows the deletes in flight, and no pod is read twice.
//! Force deletes of stuck pods (few) carry the whole object. One server-side dry run per action type
//! proves RBAC and admission before the bulk goes out. Right before each delete the guards of
//! [`crate::guard`] ask again whether the pod still qualifies — on the listed object first and,
//! after a conflict, on a fresh one.

use std::collections::BTreeMap;

use firstaid::{Action, Outline, Plan, Risk, Step, Target};
use serde_json::{Value, json};

use crate::select::FailedPod;
use crate::stuck::{FORCE_WARNING, StuckPod};

pub(crate) fn pod_target(namespace: &str, name: &str, uid: &str) -> Target {
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
    use crate::select::{Criteria, Interner, evicted_fixture};
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
            crate::guard::evicted(&Criteria::new(&[], &[], None), snapshot),
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
