//! Unit tests of the fix plan on fixtures; property tests over generated namespaces in `props`.

mod props;

use super::*;
use crate::diagnose::{Inputs, diagnose};
use crate::model::{ControllerEvidence, Leftover, NamespaceState, ResourceType};
use firstaid::k8s::ServiceRef;
use firstaid::k8s::Timestamp;
use firstaid::refreshed::Refreshed;
use serde_json::json;

fn t(s: &str) -> Timestamp {
    s.parse::<Timestamp>().expect("time")
}

pub(crate) fn ns(metadata_finalizers: &[&str]) -> NamespaceState {
    NamespaceState {
        name: "rdbms".into(),
        uid: "ns-uid".into(),
        resource_version: "7".into(),
        phase: "Terminating".into(),
        created: None,
        deletion_timestamp: Some(t("2019-10-14T12:30:27Z")),
        spec_finalizers: vec!["kubernetes".into()],
        metadata_finalizers: metadata_finalizers.iter().map(|f| (*f).into()).collect(),
        conditions: vec![],
        labels: std::collections::BTreeMap::new(),
    }
}

pub(crate) fn leftover(name: &str, group: &str, finalizers: &[&str], deleting: bool) -> Leftover {
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
        resource_version: "7".into(),
        created: None,
        deletion_timestamp: deleting.then(|| t("2019-10-14T12:30:28Z")),
        finalizers: finalizers.iter().map(|f| (*f).into()).collect(),
        labels: std::collections::BTreeMap::new(),
    }
}

/// What the cluster shows of controllers when none runs anywhere.
pub(crate) fn no_controllers() -> ControllerEvidence {
    ControllerEvidence {
        workloads: Ok(vec![]),
        leases: Ok(vec![]),
    }
}

/// `l` with verdicts, no controller anywhere.
pub(crate) fn finding(l: &Leftover) -> crate::diagnose::LeftoverFinding {
    crate::diagnose::LeftoverFinding::of(l, &no_controllers(), Timestamp::now())
}

pub(crate) fn diag(ns: &NamespaceState, leftovers: Vec<Leftover>) -> Diagnosis {
    diag_with_api_services(ns, &[], leftovers)
}

/// The diagnosis of `ns` holding `leftovers`, with `api_services` registered and no controller
/// anywhere.
pub(crate) fn diag_with_api_services(
    ns: &NamespaceState,
    api_services: &[ApiServiceState],
    leftovers: Vec<Leftover>,
) -> Diagnosis {
    let ev = no_controllers();
    diagnose(&Inputs {
        namespace: ns,
        api_services: Ok(api_services),
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
        resource_version: "7".into(),
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
    // The digest binds each step to the version of the object the diagnosis read.
    assert!(
        plan.steps
            .iter()
            .all(|s| s.target.resource_version.as_deref() == Some("7")),
        "{:?}",
        plan.steps
    );
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

#[tokio::test]
async fn guard_rechecks_the_fresh_object() {
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
    let evidence = no_evidence();
    let recheck = Recheck {
        evidence: &evidence,
        named: &[],
        force_finalize: true,
    };
    let guard = |step, current: &Value| recheck.check(step, current);
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

fn no_evidence() -> Refreshed<ControllerEvidence> {
    evidence_of(Vec::new())
}

fn evidence_of(workloads: Vec<crate::model::Workload>) -> Refreshed<ControllerEvidence> {
    let evidence = ControllerEvidence {
        workloads: Ok(workloads),
        leases: Ok(Vec::new()),
    };
    // Never refreshed within a test: the state is what the test put there.
    Refreshed::spawn(evidence, std::time::Duration::from_secs(3600), || async {
        None
    })
}

/// After a conflict's re-read the finalizer is judged again: an operator that is running by
/// then keeps its finalizer, whatever the diagnosis concluded earlier.
#[tokio::test]
async fn guard_rechecks_a_finalizers_liveness() {
    let step = Step::new(
        Target {
            group: "example.com".into(),
            version: "v1".into(),
            kind: "Widget".into(),
            plural: "widgets".into(),
            namespace: Some("rdbms".into()),
            name: "w1".into(),
            uid: Some("u1".into()),
            resource_version: None,
        },
        Action::RemoveFinalizers {
            finalizers: vec!["widgets.example.com/cleanup".into()],
        },
        "dead",
    );
    let current =
        json!({"metadata": {"name": "w1", "finalizers": ["widgets.example.com/cleanup"]}});
    let dead = no_evidence();
    let recheck = Recheck {
        evidence: &dead,
        named: &[],
        force_finalize: false,
    };
    assert_eq!(recheck.check(&step, &current), None, "still dead: go ahead");

    let operator = crate::model::Workload {
        kind: "Deployment".into(),
        namespace: "ops".into(),
        name: "widgets-operator".into(),
        labels: vec!["app.kubernetes.io/name=widgets".into()],
        images: vec!["example.com/widgets-operator:v1".into()],
        ready: 1,
        desired: 1,
    };
    let alive = evidence_of(vec![operator]);
    let recheck = Recheck {
        evidence: &alive,
        named: &[],
        force_finalize: false,
    };
    let reason = recheck
        .check(&step, &current)
        .expect("alive again: skipped");
    assert!(reason.contains("widgets.example.com/cleanup"), "{reason}");
    let named = ["widgets.example.com/cleanup".to_owned()];
    let recheck = Recheck {
        evidence: &alive,
        named: &named,
        force_finalize: false,
    };
    assert_eq!(
        recheck.check(&step, &current),
        None,
        "named: removed anyway"
    );
}
