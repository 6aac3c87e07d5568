//! Unit tests of finalizer classification on fixtures; property tests in `props`.

mod props;

use super::*;

fn now() -> Timestamp {
    "2024-05-01T12:00:00Z".parse::<Timestamp>().expect("time")
}

fn workload(name: &str, image: &str, ready: i32) -> Workload {
    Workload {
        kind: "Deployment".into(),
        namespace: "ops".into(),
        name: name.into(),
        labels: vec!["app.kubernetes.io/name=thing".into()],
        images: vec![image.into()],
        ready,
        desired: 1,
    }
}

fn evidence(workloads: Vec<Workload>, leases: Vec<LeaseInfo>) -> ControllerEvidence {
    ControllerEvidence {
        workloads: Ok(workloads),
        leases: Ok(leases),
    }
}

#[test]
fn words_come_from_the_domain() {
    assert_eq!(
        domain_words("resources-finalizer.argocd.argoproj.io"),
        ["argocd", "argoproj"]
    );
    assert_eq!(domain_words("example.com/cleanup"), ["example"]);
    assert_eq!(domain_words("finalizer.cert-manager.io"), ["cert-manager"]);
    assert!(domain_words("kubernetes.io/x").is_empty());
}

#[test]
fn builtins_name_their_controller() {
    let v = classify(
        "kubernetes.io/pvc-protection",
        "",
        &evidence(vec![], vec![]),
        now(),
    );
    assert_eq!(v.state, FinalizerState::Builtin);
    assert!(v.owner.contains("pvc-protection controller"));
    assert!(!removable(&v, &[]));
    assert!(removable(&v, &["kubernetes.io/pvc-protection".into()]));
}

#[test]
fn no_controller_anywhere_is_dead_with_evidence() {
    let v = classify(
        "widgets.example.com/cleanup",
        "example.com",
        &evidence(
            vec![workload("coredns", "registry.k8s.io/coredns:v1", 2)],
            vec![],
        ),
        now(),
    );
    assert_eq!(v.state, FinalizerState::Dead);
    assert!(v.evidence.contains("among 1"), "{}", v.evidence);
    assert!(v.evidence.contains("\"widgets\""), "{}", v.evidence);
    assert_eq!(v.owner, "operator for widgets.example.com");
    assert!(removable(&v, &[]));
}

#[test]
fn a_ready_workload_mentioning_the_domain_is_alive() {
    let v = classify(
        "example.com/cleanup",
        "example.com",
        &evidence(
            vec![workload(
                "manager",
                "ghcr.io/example/widget-operator:1.2",
                1,
            )],
            vec![],
        ),
        now(),
    );
    assert_eq!(v.state, FinalizerState::Alive);
    assert!(v.evidence.contains("ops/manager"), "{}", v.evidence);
    assert!(!removable(&v, &[]));
}

#[test]
fn a_scaled_down_controller_is_dead_but_named() {
    let v = classify(
        "example.com/cleanup",
        "example.com",
        &evidence(vec![workload("example-operator", "x", 0)], vec![]),
        now(),
    );
    assert_eq!(v.state, FinalizerState::Dead);
    assert!(v.evidence.contains("0/1 ready"), "{}", v.evidence);
}

#[test]
fn leases_count_only_when_fresh() {
    let lease = |renewed: &str| LeaseInfo {
        namespace: "ops".into(),
        name: "example-leader".into(),
        holder: Some("pod-1".into()),
        renewed: Some(renewed.parse::<Timestamp>().expect("time")),
        duration_seconds: Some(15),
    };
    let fresh = classify(
        "example.com/cleanup",
        "",
        &evidence(vec![], vec![lease("2024-05-01T11:59:50Z")]),
        now(),
    );
    assert_eq!(fresh.state, FinalizerState::Alive);
    let stale = classify(
        "example.com/cleanup",
        "",
        &evidence(vec![], vec![lease("2024-04-01T00:00:00Z")]),
        now(),
    );
    assert_eq!(stale.state, FinalizerState::Dead);
    assert!(
        stale.evidence.contains("not been renewed"),
        "{}",
        stale.evidence
    );
}

#[test]
fn unreadable_evidence_is_unknown() {
    let v = classify(
        "example.com/cleanup",
        "",
        &ControllerEvidence {
            workloads: Err("deployments.apps is forbidden".into()),
            leases: Ok(vec![]),
        },
        now(),
    );
    assert_eq!(v.state, FinalizerState::Unknown);
    assert!(!removable(&v, &[]));
    let bare = classify("x", "", &evidence(vec![], vec![]), now());
    assert_eq!(bare.state, FinalizerState::Unknown);
}
