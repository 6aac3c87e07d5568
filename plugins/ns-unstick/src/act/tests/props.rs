//! Property tests for the fix plan ([`crate::act::plan`]) over generated stuck namespaces: the
//! ordering and safety rules the module doc promises, for any mix of leftovers, finalizers,
//! broken APIServices and options — not only the fixtures in `act.rs`.

use firstaid::k8s::Timestamp;
use firstaid::plan::{Action, Risk};
use proptest::prelude::*;

use crate::act::{FixOptions, PHASE_API_SERVICES, plan};
use crate::diagnose::{Inputs, diagnose};
use crate::finalizers::FinalizerState;
use crate::model::{
    ApiServiceState, ControllerEvidence, Leftover, NamespaceState, ResourceType, Workload,
};

fn t(s: &str) -> Timestamp {
    s.parse::<Timestamp>().expect("time")
}

/// Finalizers of every kind the classifier knows: dead (no controller), alive (a ready
/// Deployment mentions it), built-in.
const FINALIZERS: &[&str] = &[
    "gone-operator.io/cleanup",
    "vanished.example.com/protect",
    "alive-operator.io/cleanup",
    "kubernetes.io/pvc-protection",
    "foregroundDeletion",
];

fn finalizers() -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence(FINALIZERS, 0..=3)
        .prop_map(|f| f.into_iter().map(str::to_owned).collect())
}

fn evidence() -> ControllerEvidence {
    ControllerEvidence {
        workloads: Ok(vec![Workload {
            kind: "Deployment".into(),
            namespace: "ops".into(),
            name: "alive-operator".into(),
            labels: vec![],
            images: vec![],
            ready: 1,
            desired: 1,
        }]),
        leases: Ok(vec![]),
    }
}

/// (namespace metadata.finalizers, leftovers as (core group?, finalizers, being deleted?)).
type NamespaceSpec = (Vec<String>, Vec<(bool, Vec<String>, bool)>);

fn namespace_spec() -> impl Strategy<Value = NamespaceSpec> {
    (
        finalizers(),
        prop::collection::vec((any::<bool>(), finalizers(), any::<bool>()), 0..5),
    )
}

fn diagnosis(index: usize, spec: &NamespaceSpec, named: &[String]) -> crate::diagnose::Diagnosis {
    let name = format!("ns{index}");
    let ns = NamespaceState {
        name: name.clone(),
        uid: format!("uid-{name}"),
        resource_version: "7".into(),
        phase: "Terminating".into(),
        created: None,
        deletion_timestamp: Some(t("2024-05-01T10:00:00Z")),
        spec_finalizers: vec!["kubernetes".into()],
        metadata_finalizers: spec.0.clone(),
        conditions: vec![],
        labels: std::collections::BTreeMap::new(),
    };
    let leftovers = spec
        .1
        .iter()
        .enumerate()
        .map(|(i, (core, finalizers, deleting))| Leftover {
            resource: ResourceType {
                group: if *core {
                    String::new()
                } else {
                    "example.com".into()
                },
                version: "v1".into(),
                kind: if *core { "ConfigMap" } else { "Widget" }.into(),
                plural: if *core { "configmaps" } else { "widgets" }.into(),
            },
            namespace: name.clone(),
            name: format!("obj{i}"),
            uid: format!("uid-{name}-{i}"),
            resource_version: "7".into(),
            created: None,
            deletion_timestamp: deleting.then(|| t("2024-05-01T10:00:01Z")),
            finalizers: finalizers.clone(),
            labels: std::collections::BTreeMap::new(),
        })
        .collect();
    let evidence = evidence();
    diagnose(&Inputs {
        namespace: &ns,
        api_services: Ok(&[]),
        discovery_failures: &[],
        leftovers,
        unsearched: vec![],
        evidence: &evidence,
        controller_manager_lease: None,
        named_finalizers: named,
        now: t("2024-05-01T12:00:00Z"),
    })
}

fn broken_api(i: usize) -> ApiServiceState {
    ApiServiceState {
        name: format!("v1.broken{i}.example.com"),
        uid: format!("api-{i}"),
        resource_version: "7".into(),
        group: format!("broken{i}.example.com"),
        version: "v1".into(),
        service: Some(firstaid::k8s::ServiceRef::new(
            Some("ops"),
            Some("nothing"),
            None,
        )),
        available: Some(false),
        reason: "MissingEndpoints".into(),
        message: String::new(),
    }
}

proptest! {
    /// Least destructive first: APIService deletes (the only cluster-wide steps, all high risk)
    /// come first; every step on the namespace itself — `/finalize` and its own finalizers —
    /// comes after every step on an object inside it; `/finalize` only with --force-finalize.
    #[test]
    fn namespace_steps_come_last_and_cluster_wide_ones_are_marked(
        specs in prop::collection::vec(namespace_spec(), 1..4),
        broken in 0usize..3,
        force_finalize in any::<bool>(),
        name_one in any::<bool>(),
    ) {
        let named: Vec<String> = if name_one { vec!["alive-operator.io/cleanup".into()] } else { vec![] };
        let diagnoses: Vec<_> = specs.iter().enumerate().map(|(i, s)| diagnosis(i, s, &named)).collect();
        let unavailable: Vec<_> = (0..broken).map(broken_api).collect();
        let options = FixOptions { force_finalize, named_finalizers: named.clone() };
        let plan = plan(&diagnoses, &unavailable, &options);
        let ordered = plan.ordered();

        for step in &ordered {
            let is_api = step.target.kind == "APIService";
            prop_assert_eq!(step.cluster_wide, is_api, "{}", step.target.display());
            if is_api {
                prop_assert_eq!(step.risk, Risk::High);
                prop_assert_eq!(step.phase, PHASE_API_SERVICES);
            }
            if matches!(step.action, Action::FinalizeNamespace { .. }) {
                prop_assert!(force_finalize, "/finalize without --force-finalize");
            }
        }
        prop_assert_eq!(ordered.iter().filter(|s| s.cluster_wide).count(), broken);
        let last_inner = ordered.iter().rposition(|s| s.target.kind != "Namespace");
        let first_namespace = ordered.iter().position(|s| s.target.kind == "Namespace");
        if let (Some(inner), Some(ns)) = (last_inner, first_namespace) {
            prop_assert!(inner < ns, "a namespace step runs before an object inside it");
        }
        // Within the namespace steps, /finalize precedes dropping metadata.finalizers.
        for d in &diagnoses {
            let on_ns: Vec<&Action> = ordered
                .iter()
                .filter(|s| s.target.kind == "Namespace" && s.target.name == d.namespace.name)
                .map(|s| &s.action)
                .collect();
            if let Some(finalize) = on_ns.iter().position(|a| matches!(a, Action::FinalizeNamespace { .. })) {
                prop_assert_eq!(finalize, 0);
            }
        }
    }

    /// Without --force-finalize, a finalizer is removed only if it is dead or the user named it:
    /// never a built-in one, never one whose controller is running.
    #[test]
    fn only_dead_or_named_finalizers_are_removed(
        specs in prop::collection::vec(namespace_spec(), 1..4),
        name_one in any::<bool>(),
    ) {
        let named: Vec<String> = if name_one { vec!["alive-operator.io/cleanup".into()] } else { vec![] };
        let diagnoses: Vec<_> = specs.iter().enumerate().map(|(i, s)| diagnosis(i, s, &named)).collect();
        let options = FixOptions { force_finalize: false, named_finalizers: named.clone() };
        let plan = plan(&diagnoses, &[], &options);
        let evidence = evidence();
        for step in plan.ordered() {
            let Action::RemoveFinalizers { finalizers } = &step.action else {
                prop_assert!(false, "unexpected action {:?}", step.action);
                continue;
            };
            prop_assert!(!finalizers.is_empty());
            for f in finalizers {
                let state = crate::finalizers::classify(f, &step.target.group, &evidence, t("2024-05-01T12:00:00Z")).state;
                prop_assert!(
                    state == FinalizerState::Dead || named.contains(f),
                    "{} ({:?}) removed from {}", f, state, step.target.display()
                );
            }
        }
    }
}
