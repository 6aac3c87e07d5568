use super::*;
use crate::act::tests::{diag_with_api_services, leftover};
use crate::finalizers::FinalizerState;
use crate::model::Condition;

fn t(s: &str) -> Timestamp {
    s.parse::<Timestamp>().expect("time")
}

/// The FAQ's stuck `rdbms` namespace (its JSON variant).
fn rdbms() -> NamespaceState {
    NamespaceState {
        name: "rdbms".into(),
        uid: "29067ddf-56d7-4cce-afa3-1fdbbb221ab1".into(),
        resource_version: "7".into(),
        phase: "Terminating".into(),
        created: Some(t("2019-10-14T12:17:44Z")),
        deletion_timestamp: Some(t("2019-10-14T12:30:27Z")),
        spec_finalizers: vec!["kubernetes".into()],
        metadata_finalizers: vec![],
        conditions: vec![],
        labels: std::collections::BTreeMap::new(),
    }
}

fn cond(type_: &str, status: &str, reason: &str, message: &str) -> Condition {
    Condition {
        type_: type_.into(),
        status: status.into(),
        reason: reason.into(),
        message: message.into(),
        last_transition: Some(t("2022-07-04T13:44:55Z")),
    }
}

/// What the namespace controller reports once every object in the namespace is gone.
fn content_removed() -> Condition {
    cond("NamespaceContentRemaining", "False", "ContentRemoved", "")
}

fn causes(d: &Diagnosis) -> Vec<Cause> {
    d.blockers.iter().map(|b| b.cause).collect()
}

#[test]
fn empty_namespace_without_controller_is_stuck_on_spec_finalizer() {
    let d = diag_with_api_services(&rdbms(), &[], vec![]);
    assert_eq!(causes(&d), [Cause::NamespaceControllerNotRunning]);
    assert!(
        d.blockers[0]
            .detail
            .contains("spec.finalizers [kubernetes]")
    );
    assert!(d.blockers[0].fix.contains("--force-finalize"));
    assert!(d.would_orphan(&[]).is_empty());
}

#[test]
fn with_one_object_left_lists_it_as_orphan() {
    let cm = leftover("leftover", "", &[], false);
    let d = diag_with_api_services(&rdbms(), &[], vec![cm]);
    assert_eq!(causes(&d), [Cause::NamespaceControllerNotRunning]);
    assert!(d.blockers[0].detail.contains("configmap/leftover"));
    let orphans = d.would_orphan(&[]);
    assert_eq!(orphans.len(), 1);
}

#[test]
fn unavailable_apiservice_blocks_and_is_named() {
    let mut ns = rdbms();
    ns.conditions = vec![
        cond(
            "NamespaceDeletionDiscoveryFailure",
            "True",
            "DiscoveryFailed",
            "Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: the server is currently unable to handle the request",
        ),
        cond(
            "NamespaceDeletionGroupVersionParsingFailure",
            "False",
            "ParsedGroupVersions",
            "",
        ),
    ];
    let api = ApiServiceState {
        name: "v1beta1.metrics.k8s.io".into(),
        uid: "u".into(),
        resource_version: "7".into(),
        group: "metrics.k8s.io".into(),
        version: "v1beta1".into(),
        service: Some(firstaid::k8s::ServiceRef::new(
            Some("kube-system"),
            Some("metrics-server"),
            None,
        )),
        available: Some(false),
        reason: "FailedDiscoveryCheck".into(),
        message: "failing or missing response".into(),
    };
    let d = diag_with_api_services(&ns, std::slice::from_ref(&api), vec![]);
    assert_eq!(causes(&d)[0], Cause::UnavailableApiService);
    assert!(d.blockers[0].detail.contains("v1beta1.metrics.k8s.io"));
    assert!(d.blockers[0].fix.contains("repair"));
    assert_eq!(d.blocking_api_services, ["v1beta1.metrics.k8s.io"]);
    // The empty namespace is not called "finishing" while discovery fails.
    assert!(!causes(&d).contains(&Cause::Finishing));
    assert!(d.conditions[0].explanation.is_some());
    assert!(d.conditions[1].explanation.is_none());
    assert!(
        quick_reason(&ns, &[&api], t("2022-07-05T00:00:00Z")).contains("v1beta1.metrics.k8s.io")
    );
}

#[test]
fn dead_custom_finalizer_is_the_cause_and_removable() {
    let mut ns = rdbms();
    ns.conditions = vec![cond(
        "NamespaceFinalizersRemaining",
        "True",
        "SomeFinalizersRemain",
        "Some content in the namespace has finalizers remaining: example.com/cleanup in 1 resource instances",
    )];
    let d = diag_with_api_services(
        &ns,
        &[],
        vec![leftover(
            "w1",
            "example.com",
            &["example.com/cleanup"],
            true,
        )],
    );
    assert_eq!(causes(&d), [Cause::DeadFinalizers]);
    assert!(
        d.blockers[0]
            .detail
            .contains("widget.example.com/w1 (example.com/cleanup)")
    );
    assert_eq!(d.leftovers[0].removable(&[]), ["example.com/cleanup"]);
    // Once its dead finalizer goes, the object (already deleting) goes too.
    assert!(d.would_orphan(&[]).is_empty());
    assert!(quick_reason(&ns, &[], t("2019-10-21T00:00:00Z")).contains("example.com/cleanup"));
}

#[test]
fn builtin_finalizers_wait_on_their_controller() {
    let mut pvc = leftover(
        "data",
        "example.com",
        &["kubernetes.io/pvc-protection"],
        true,
    );
    pvc.resource = ResourceType {
        group: String::new(),
        version: "v1".into(),
        kind: "PersistentVolumeClaim".into(),
        plural: "persistentvolumeclaims".into(),
    };
    let mut ns = rdbms();
    ns.conditions = vec![cond(
        "NamespaceContentRemaining",
        "True",
        "SomeResourcesRemain",
        "x",
    )];
    let d = diag_with_api_services(&ns, &[], vec![pvc]);
    assert_eq!(causes(&d), [Cause::WaitingOnControllers]);
    assert!(d.blockers[0].detail.contains("pvc-protection controller"));
    assert!(d.leftovers[0].removable(&[]).is_empty());
    assert_eq!(d.would_orphan(&[]).len(), 1);
}

#[test]
fn active_namespace_is_not_stuck() {
    let mut ns = rdbms();
    ns.deletion_timestamp = None;
    ns.phase = "Active".into();
    let d = diag_with_api_services(&ns, &[], vec![]);
    assert_eq!(causes(&d), [Cause::NotTerminating]);
}

#[test]
fn only_namespace_metadata_finalizers_left() {
    let mut ns = rdbms();
    ns.spec_finalizers = vec![];
    ns.metadata_finalizers = vec!["example.com/ns-guard".into()];
    ns.conditions = vec![content_removed()];
    let d = diag_with_api_services(&ns, &[], vec![]);
    assert_eq!(causes(&d), [Cause::NamespaceFinalizers]);
    assert_eq!(d.namespace_finalizers[0].state, FinalizerState::Dead);
}

#[test]
fn fresh_deletion_with_running_controller_is_finishing() {
    let mut ns = rdbms();
    ns.conditions = vec![content_removed()];
    let d = diag_with_api_services(&ns, &[], vec![]);
    assert_eq!(causes(&d), [Cause::Finishing]);
}
