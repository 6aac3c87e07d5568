//! Property tests for [`crate::finalizers::classify`]: the safety rule behind `--fix` ("dead" is
//! a finding, never a guess) checked over generated clusters rather than a handful of fixtures.
//!
//! Kept out of `finalizers.rs` so the fixtures there stay readable.

use firstaid::k8s::Timestamp;
use proptest::prelude::*;

use crate::finalizers::{FinalizerState, classify, domain_words, removable};
use crate::model::{ControllerEvidence, LeaseInfo, Workload};

fn now() -> Timestamp {
    "2024-05-01T12:00:00Z".parse::<Timestamp>().expect("time")
}

/// Operator names a generated cluster draws from; some appear in the finalizer, some do not.
const WORDS: &[&str] = &["acme", "argocd", "velero", "crossplane", "rook", "widget"];

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(WORDS).prop_map(str::to_owned)
}

fn finalizer() -> impl Strategy<Value = String> {
    (
        word(),
        prop::sample::select(&["io", "com", "dev"][..]),
        "[a-z-]{1,12}",
    )
        .prop_map(|(w, tld, path)| format!("{w}.{tld}/{path}"))
}

fn workload() -> impl Strategy<Value = Workload> {
    (
        prop::sample::select(&["Deployment", "StatefulSet", "DaemonSet"][..]),
        prop::option::of(word()),
        prop::option::of(word()),
        prop::option::of(word()),
        0..3i32,
    )
        .prop_map(|(kind, in_name, in_label, in_image, ready)| Workload {
            kind: kind.into(),
            namespace: "ops".into(),
            name: in_name.map_or_else(|| "web".to_owned(), |w| format!("{w}-controller")),
            labels: in_label
                .map(|w| format!("app.kubernetes.io/part-of={w}"))
                .into_iter()
                .collect(),
            images: in_image
                .map(|w| format!("registry.example/{w}:v1"))
                .into_iter()
                .collect(),
            ready,
            desired: 1,
        })
}

fn lease() -> impl Strategy<Value = LeaseInfo> {
    (
        word(),
        prop::option::of(-100_000i64..100_000),
        prop::option::of(1..120i32),
    )
        .prop_map(|(w, age, duration)| LeaseInfo {
            namespace: "ops".into(),
            name: format!("{w}-leader"),
            holder: Some("pod-1".into()),
            renewed: age
                .map(|seconds| Timestamp::from_second(now().as_second() - seconds).expect("time")),
            duration_seconds: duration,
        })
}

fn mentions(text: &str, words: &[String]) -> bool {
    let text = text.to_lowercase();
    words.iter().any(|w| text.contains(w.as_str()))
}

/// Live evidence, computed independently of `classify`: a ready workload or a fresh Lease that
/// mentions one of the finalizer's words.
fn live_evidence(words: &[String], workloads: &[Workload], leases: &[LeaseInfo]) -> bool {
    let ready = workloads.iter().any(|w| {
        w.ready > 0
            && (mentions(&w.name, words)
                || w.labels.iter().any(|l| mentions(l, words))
                || w.images.iter().any(|i| mentions(i, words)))
    });
    let fresh = leases
        .iter()
        .any(|l| mentions(&l.name, words) && l.is_fresh(now()));
    ready || fresh
}

proptest! {
    /// The rule `--fix` relies on: a finalizer is never "dead" (removable) while a running
    /// controller or a freshly renewed Lease for it exists.
    #[test]
    fn never_dead_with_live_evidence(
        fin in finalizer(),
        workloads in prop::collection::vec(workload(), 0..6),
        leases in prop::collection::vec(lease(), 0..4),
    ) {
        let words = domain_words(&fin);
        let evidence = ControllerEvidence { workloads: Ok(workloads.clone()), leases: Ok(leases.clone()) };
        let verdict = classify(&fin, "", &evidence, now());
        if live_evidence(&words, &workloads, &leases) {
            prop_assert_eq!(verdict.state, FinalizerState::Alive, "{}", verdict.evidence);
            prop_assert!(!removable(&verdict, &[]));
        } else {
            prop_assert_eq!(verdict.state, FinalizerState::Dead, "{}", verdict.evidence);
        }
    }

    /// The verdict depends on what is in the cluster, not on the order the lists came back in.
    #[test]
    fn independent_of_list_order(
        fin in finalizer(),
        workloads in prop::collection::vec(workload(), 0..6),
        leases in prop::collection::vec(lease(), 0..4),
        rotate_w in 0usize..6,
        rotate_l in 0usize..4,
    ) {
        let forward = ControllerEvidence { workloads: Ok(workloads.clone()), leases: Ok(leases.clone()) };
        let mut w = workloads;
        let mut l = leases;
        w.reverse();
        l.reverse();
        if !w.is_empty() { let n = rotate_w % w.len(); w.rotate_left(n); }
        if !l.is_empty() { let n = rotate_l % l.len(); l.rotate_left(n); }
        let shuffled = ControllerEvidence { workloads: Ok(w), leases: Ok(l) };
        let a = classify(&fin, "", &forward, now());
        let b = classify(&fin, "", &shuffled, now());
        prop_assert_eq!(a.state, b.state);
        prop_assert_eq!(a.owner, b.owner);
    }

    /// When the places controllers run could not be read, nothing is concluded from absence.
    #[test]
    fn unreadable_evidence_is_never_dead(
        fin in finalizer(),
        workloads in prop::collection::vec(workload(), 0..4),
        workloads_fail in any::<bool>(),
    ) {
        let evidence = if workloads_fail {
            ControllerEvidence { workloads: Err("forbidden".into()), leases: Ok(vec![]) }
        } else {
            ControllerEvidence { workloads: Ok(workloads), leases: Err("forbidden".into()) }
        };
        let verdict = classify(&fin, "", &evidence, now());
        prop_assert_eq!(verdict.state, FinalizerState::Unknown);
        prop_assert!(!removable(&verdict, &[]));
        prop_assert!(removable(&verdict, std::slice::from_ref(&fin)), "a named finalizer is the user's call");
    }

    /// Kubernetes' own finalizers are never dead, whatever the cluster looks like, and any text
    /// classifies without panicking.
    #[test]
    fn builtins_and_arbitrary_names(
        name in prop_oneof![
            Just("kubernetes".to_owned()),
            Just("kubernetes.io/pvc-protection".to_owned()),
            Just("foregroundDeletion".to_owned()),
            ".{0,40}",
        ],
        group in "[a-z.]{0,20}",
        workloads in prop::collection::vec(workload(), 0..3),
    ) {
        let evidence = ControllerEvidence { workloads: Ok(workloads), leases: Ok(vec![]) };
        let verdict = classify(&name, &group, &evidence, now());
        if ["kubernetes", "kubernetes.io/pvc-protection", "foregroundDeletion"].contains(&name.as_str()) {
            prop_assert_eq!(verdict.state, FinalizerState::Builtin);
        }
        prop_assert_eq!(verdict.name, name);
    }
}
