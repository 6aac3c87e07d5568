//! The fix, as one plan ordered least destructive first:
//!
//! 1. delete unavailable APIServices (cluster-wide — one dead aggregated API blocks every
//!    namespace deletion; labelled as such, and skipped if it became Available again);
//! 2. remove dead finalizers from leftover objects — only those, each with a JSON-patch `test` of
//!    the current list;
//! 3. only with `--force-finalize`: `PUT …/finalize` dropping `spec.finalizers`, after listing every
//!    object that would be orphaned;
//! 4. the namespace's own `metadata.finalizers` (dead ones; all of them with `--force-finalize`).
//!
//! The shared applier backs up, dry-runs, applies with conflict detection and re-asks [`guard`] on
//! the freshly read object; a phase runs only if the previous one succeeded.

use firstaid::plan::{Action, Plan, Risk, Step, Target};
use serde_json::Value;

use crate::diagnose::Diagnosis;
use crate::finalizers::removable;
use crate::model::{ApiServiceState, Leftover};
use firstaid::k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;

/// What the user allowed.
#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    pub force_finalize: bool,
    /// `--remove-finalizer`: remove these even though they are not known to be dead.
    pub named_finalizers: Vec<String>,
}

pub const PHASE_API_SERVICES: u8 = 1;
pub const PHASE_LEFTOVERS: u8 = 2;
pub const PHASE_FINALIZE: u8 = 3;
pub const PHASE_NAMESPACE_FINALIZERS: u8 = 4;

fn api_service_target(a: &ApiServiceState) -> Target {
    Target {
        group: "apiregistration.k8s.io".into(),
        version: "v1".into(),
        kind: "APIService".into(),
        plural: "apiservices".into(),
        namespace: None,
        name: a.name.clone(),
        uid: Some(a.uid.clone()).filter(|u| !u.is_empty()),
    }
}

/// The target for an object left in a namespace.
pub fn leftover_target(l: &Leftover) -> Target {
    let ty = &l.resource;
    Target {
        group: ty.group.clone(),
        version: ty.version.clone(),
        kind: ty.kind.clone(),
        plural: ty.plural.clone(),
        namespace: Some(l.namespace.clone()).filter(|n| !n.is_empty()),
        name: l.name.clone(),
        uid: Some(l.uid.clone()).filter(|u| !u.is_empty()),
    }
}

pub fn namespace_target(d: &Diagnosis) -> Target {
    Target {
        group: String::new(),
        version: "v1".into(),
        kind: "Namespace".into(),
        plural: "namespaces".into(),
        namespace: None,
        name: d.namespace.name.clone(),
        uid: Some(d.namespace.uid.clone()).filter(|u| !u.is_empty()),
    }
}

/// Builds the plan for the diagnosed (Terminating) namespaces.
pub fn plan(
    diagnoses: &[Diagnosis],
    unavailable: &[ApiServiceState],
    options: &FixOptions,
) -> Plan {
    let mut plan = Plan::default();
    let stuck: Vec<&Diagnosis> = diagnoses
        .iter()
        .filter(|d| d.namespace.is_terminating())
        .collect();
    if stuck.is_empty() {
        return plan;
    }
    let named = &options.named_finalizers;

    for a in unavailable {
        let blocked: Vec<&str> = stuck.iter().map(|d| d.namespace.name.as_str()).collect();
        plan.push(
            Step::new(
                api_service_target(a),
                Action::Delete {
                    grace_period_seconds: None,
                },
                format!(
                    "not Available ({}): its API {} cannot be discovered, which blocks deletion of every namespace ({})",
                    if a.reason.is_empty() { "no status" } else { a.reason.as_str() },
                    a.group_version(),
                    blocked.join(", ")
                ),
            )
            .risk(Risk::High)
            .cluster_wide()
            .phase(PHASE_API_SERVICES),
        );
        plan.warnings.push(format!(
            "deleting APIService {} removes the {} API from the whole cluster until its owner re-creates it; to keep it, repair its backend (Service {}) instead",
            a.name,
            a.group_version(),
            a.service.as_ref().map_or_else(|| "?".into(), ToString::to_string)
        ));
    }

    for d in &stuck {
        for l in &d.leftovers {
            let remove = l.removable(named);
            if remove.is_empty() {
                continue;
            }
            let evidence: Vec<String> = l
                .finalizer_verdicts
                .iter()
                .filter(|v| remove.contains(&v.name))
                .map(|v| {
                    if named.contains(&v.name) {
                        format!("{}: named with --remove-finalizer", v.name)
                    } else {
                        format!("{}: {}", v.name, v.evidence)
                    }
                })
                .collect();
            let target = leftover_target(&l.object);
            plan.push(
                Step::new(
                    target,
                    Action::RemoveFinalizers { finalizers: remove },
                    evidence.join("; "),
                )
                .risk(Risk::Medium)
                .phase(PHASE_LEFTOVERS),
            );
        }
    }

    if options.force_finalize {
        for d in &stuck {
            if d.namespace.spec_finalizers.is_empty() {
                continue;
            }
            let orphans = d.would_orphan(named);
            let reason = if orphans.is_empty() {
                "last resort (--force-finalize): nothing left to orphan".to_owned()
            } else {
                format!(
                    "last resort (--force-finalize): orphans {} object(s)",
                    orphans.len()
                )
            };
            plan.push(
                Step::new(
                    namespace_target(d),
                    Action::FinalizeNamespace {
                        finalizers: d.namespace.spec_finalizers.clone(),
                    },
                    reason,
                )
                .risk(Risk::High)
                .phase(PHASE_FINALIZE),
            );
            if !orphans.is_empty() {
                let orphan_names: Vec<String> =
                    orphans.iter().map(|o| o.object.display()).collect();
                plan.warnings.push(format!(
                    "finalizing namespace {ns} leaves these {n} object(s) in etcd; they reappear if a namespace named {ns} is created again: {list}",
                    ns = d.namespace.name,
                    n = orphan_names.len(),
                    list = orphan_names.join(", ")
                ));
            }
            if !d.unsearched.is_empty() || !d.blocking_api_services.is_empty() {
                plan.warnings.push(format!(
                    "namespace {} could not be searched completely (unavailable APIs or unlistable types); objects there would be orphaned too",
                    d.namespace.name
                ));
            }
        }
    }

    for d in &stuck {
        let remove: Vec<String> = d
            .namespace_finalizers
            .iter()
            .filter(|v| options.force_finalize || removable(v, named))
            .map(|v| v.name.clone())
            .collect();
        if remove.is_empty() {
            continue;
        }
        plan.push(
            Step::new(
                namespace_target(d),
                Action::RemoveFinalizers { finalizers: remove },
                if options.force_finalize {
                    "metadata.finalizers on the namespace (--force-finalize)".to_owned()
                } else {
                    "dead metadata.finalizers on the namespace".to_owned()
                },
            )
            .risk(if options.force_finalize {
                Risk::High
            } else {
                Risk::Medium
            })
            .phase(PHASE_NAMESPACE_FINALIZERS),
        );
    }
    plan
}

/// Re-checked on the freshly read object right before each request.
pub fn guard(step: &Step, current: &Value) -> Option<String> {
    match step.target.kind.as_str() {
        "APIService" => {
            let available = serde_json::from_value::<APIService>(current.clone())
                .is_ok_and(|a| ApiServiceState::of(&a).available == Some(true));
            available.then(|| "the APIService is Available again; nothing to delete".into())
        }
        "Namespace" => current
            .pointer("/metadata/deletionTimestamp")
            .is_none_or(Value::is_null)
            .then(|| "the namespace is no longer being deleted".into()),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::diagnose::{Inputs, diagnose};
    use crate::model::{ControllerEvidence, Leftover, NamespaceState, ResourceType};
    use firstaid::k8s::ServiceRef;
    use firstaid::k8s::Timestamp;
    use serde_json::json;

    fn t(s: &str) -> Timestamp {
        s.parse::<Timestamp>().expect("time")
    }

    pub(crate) fn ns(metadata_finalizers: &[&str]) -> NamespaceState {
        NamespaceState {
            name: "rdbms".into(),
            uid: "ns-uid".into(),
            phase: "Terminating".into(),
            created: None,
            deletion_timestamp: Some(t("2019-10-14T12:30:27Z")),
            spec_finalizers: vec!["kubernetes".into()],
            metadata_finalizers: metadata_finalizers.iter().map(|f| (*f).into()).collect(),
            conditions: vec![],
            labels: std::collections::BTreeMap::new(),
        }
    }

    pub(crate) fn leftover(
        name: &str,
        group: &str,
        finalizers: &[&str],
        deleting: bool,
    ) -> Leftover {
        Leftover {
            resource: ResourceType {
                group: group.into(),
                version: "v1".into(),
                kind: if group.is_empty() {
                    "ConfigMap"
                } else {
                    "Widget"
                }
                .into(),
                plural: if group.is_empty() {
                    "configmaps"
                } else {
                    "widgets"
                }
                .into(),
            },
            namespace: "rdbms".into(),
            name: name.into(),
            uid: format!("uid-{name}"),
            created: None,
            deletion_timestamp: deleting.then(|| t("2019-10-14T12:30:28Z")),
            finalizers: finalizers.iter().map(|f| (*f).into()).collect(),
            labels: std::collections::BTreeMap::new(),
        }
    }

    /// `l` with verdicts, no controller anywhere.
    pub(crate) fn finding(l: &Leftover) -> crate::diagnose::LeftoverFinding {
        let evidence = ControllerEvidence {
            workloads: Ok(vec![]),
            leases: Ok(vec![]),
        };
        crate::diagnose::LeftoverFinding::of(l, &evidence, Timestamp::now())
    }

    pub(crate) fn diag(ns: &NamespaceState, leftovers: Vec<Leftover>) -> Diagnosis {
        let ev = ControllerEvidence {
            workloads: Ok(vec![]),
            leases: Ok(vec![]),
        };
        diagnose(&Inputs {
            namespace: ns,
            api_services: Ok(&[]),
            discovery_failures: &[],
            leftovers,
            unsearched: vec![],
            evidence: &ev,
            controller_manager_lease: None,
            named_finalizers: &[],
            now: t("2019-10-21T09:30:27Z"),
        })
    }

    fn broken_api() -> ApiServiceState {
        ApiServiceState {
            name: "v1beta1.metrics.k8s.io".into(),
            uid: "api-uid".into(),
            group: "metrics.k8s.io".into(),
            version: "v1beta1".into(),
            service: Some(ServiceRef::new(
                Some("kube-system"),
                Some("metrics-server"),
                None,
            )),
            available: Some(false),
            reason: "MissingEndpoints".into(),
            message: String::new(),
        }
    }

    #[test]
    fn phases_run_least_destructive_first() {
        let n = ns(&["example.com/ns-guard"]);
        let d = diag(
            &n,
            vec![
                leftover(
                    "w1",
                    "example.com",
                    &["example.com/cleanup", "kubernetes.io/pvc-protection"],
                    true,
                ),
                leftover("cm", "", &[], false),
            ],
        );
        let plan = plan(
            &[d],
            &[broken_api()],
            &FixOptions {
                force_finalize: true,
                named_finalizers: vec![],
            },
        );
        let steps: Vec<(u8, String, String)> = plan
            .ordered()
            .iter()
            .map(|s| (s.phase, s.target.display(), s.action.describe()))
            .collect();
        assert_eq!(
            steps,
            [
                (
                    1,
                    "apiservice.apiregistration.k8s.io/v1beta1.metrics.k8s.io".into(),
                    "delete".into()
                ),
                (
                    2,
                    "widget.example.com/w1".into(),
                    "remove finalizer example.com/cleanup".into()
                ),
                (
                    3,
                    "namespace/rdbms".into(),
                    "finalize: drop spec.finalizers kubernetes".into()
                ),
                (
                    4,
                    "namespace/rdbms".into(),
                    "remove finalizer example.com/ns-guard".into()
                ),
            ]
        );
        let api = &plan.ordered()[0].clone();
        assert!(api.cluster_wide && api.risk == Risk::High);
        // Both leftovers stay (one keeps a built-in finalizer, one was never deleted).
        let orphan_warning = plan
            .warnings
            .iter()
            .find(|w| w.contains("reappear"))
            .expect("orphan warning");
        assert!(
            orphan_warning.contains("widget.example.com/w1"),
            "{orphan_warning}"
        );
        assert!(orphan_warning.contains("configmap/cm"), "{orphan_warning}");
        assert!(
            orphan_warning.contains("namespace named rdbms"),
            "{orphan_warning}"
        );
    }

    #[test]
    fn without_force_finalize_nothing_touches_spec_finalizers() {
        let n = ns(&[]);
        let d = diag(&n, vec![leftover("cm", "", &[], false)]);
        let plan = plan(&[d], &[], &FixOptions::default());
        assert!(plan.is_empty());
    }

    #[test]
    fn named_finalizers_are_removed_on_request() {
        let n = ns(&[]);
        let d = diag(
            &n,
            vec![leftover(
                "w1",
                "example.com",
                &["kubernetes.io/pvc-protection"],
                true,
            )],
        );
        let options = FixOptions {
            force_finalize: false,
            named_finalizers: vec!["kubernetes.io/pvc-protection".into()],
        };
        // The diagnosis was made without the name; the plan honours it.
        let plan = plan(&[d], &[], &options);
        assert_eq!(plan.steps.len(), 1);
        assert!(plan.steps[0].reason.contains("--remove-finalizer"));
    }

    #[test]
    fn guard_rechecks_the_fresh_object() {
        let n = ns(&[]);
        let d = diag(&n, vec![]);
        let p = plan(
            &[d],
            &[broken_api()],
            &FixOptions {
                force_finalize: true,
                named_finalizers: vec![],
            },
        );
        let steps = p.ordered();
        let api_step = steps[0];
        assert!(
            guard(
                api_step,
                &json!({"status": {"conditions": [{"type": "Available", "status": "True"}]}})
            )
            .is_some()
        );
        assert!(
            guard(
                api_step,
                &json!({"status": {"conditions": [{"type": "Available", "status": "False"}]}})
            )
            .is_none()
        );
        let finalize = steps[1];
        assert!(guard(finalize, &json!({"metadata": {"name": "rdbms"}})).is_some());
        assert!(
            guard(
                finalize,
                &json!({"metadata": {"deletionTimestamp": "2019-10-14T12:30:27Z"}})
            )
            .is_none()
        );
    }
}
