use super::*;
use crate::finalizers::{PV_PROTECTION, PVC_PROTECTION};
use crate::fixtures::*;
use crate::inventory::Inventory;

fn refused_with(d: &Decision, flag: &str, needle: &str) {
    match d {
        Decision::Refuse {
            message,
            override_flag,
        } => {
            assert_eq!(override_flag.as_deref(), Some(flag));
            assert!(message.contains(needle), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn holder_classification() {
    let p = |phase: &str| PodFacts::of(&pod("d", "p", Some("n1"), phase));
    assert_eq!(
        HolderKind::classify(&p("Running"), NodePresence::Ready),
        HolderKind::Active
    );
    assert_eq!(
        HolderKind::classify(&p("Running"), NodePresence::NotReady),
        HolderKind::Active
    );
    assert_eq!(
        HolderKind::classify(&p("Succeeded"), NodePresence::Ready),
        HolderKind::Finished
    );
    assert_eq!(
        HolderKind::classify(&p("Running"), NodePresence::Missing),
        HolderKind::OnVanishedNode
    );
    let unscheduled = PodFacts::of(&pod("d", "p", None, "Pending"));
    assert_eq!(
        HolderKind::classify(&unscheduled, NodePresence::Missing),
        HolderKind::Unscheduled
    );
    let graceful = PodFacts::of(&pod("d", "p", Some("n1"), "Running").deleted(Some(30)));
    assert_eq!(
        HolderKind::classify(&graceful, NodePresence::Ready),
        HolderKind::Terminating
    );
    let forced = PodFacts::of(&pod("d", "p", Some("n1"), "Running").deleted(Some(0)));
    assert_eq!(
        HolderKind::classify(&forced, NodePresence::Ready),
        HolderKind::ShutDown
    );
}

#[test]
fn claim_used_by_a_running_pod_is_refused_unless_forced() {
    let inv = Inventory {
        claims: vec![claim("demo", "data").terminating(&[PVC_PROTECTION])],
        pods: vec![
            pod("demo", "web-0", Some("n1"), "Running")
                .with_claim("data", "data")
                .into(),
        ],
        nodes: vec![node("n1", true)],
        ..Inventory::default()
    };
    let index = Index::new(&inv);
    let d = claim_rule(&inv.claims[0], &index, Overrides::default());
    refused_with(
        &d,
        FORCE_IN_USE,
        "pod demo/web-0 (Running on node n1, Ready)",
    );
    let forced = claim_rule(
        &inv.claims[0],
        &index,
        Overrides {
            force_in_use: true,
            ..Overrides::default()
        },
    );
    assert!(matches!(forced, Decision::Release { .. }));
}

#[test]
fn finished_and_unscheduled_pods_do_not_block() {
    let inv = Inventory {
        claims: vec![claim("demo", "data").terminating(&[PVC_PROTECTION, "example.com/keep"])],
        pods: vec![
            pod("demo", "job-1", Some("n1"), "Succeeded")
                .with_claim("data", "data")
                .into(),
            pod("demo", "evicted", Some("n1"), "Failed")
                .with_reason("Evicted")
                .with_claim("data", "data")
                .into(),
            pod("demo", "pending", None, "Pending")
                .with_claim("data", "data")
                .into(),
        ],
        nodes: vec![node("n1", true)],
        ..Inventory::default()
    };
    let index = Index::new(&inv);
    assert_eq!(
        claim_rule(&inv.claims[0], &index, Overrides::default()),
        Decision::Release {
            finalizers: vec![PVC_PROTECTION.into()],
            delete_first: false,
            force_delete_pods: vec![],
        }
    );
}

#[test]
fn pods_on_vanished_nodes_are_force_deleted_first() {
    let inv = Inventory {
        claims: vec![claim("demo", "data").terminating(&[PVC_PROTECTION])],
        pods: vec![
            pod("demo", "web-0", Some("gone"), "Running")
                .with_claim("data", "data")
                .into(),
        ],
        ..Inventory::default()
    };
    let index = Index::new(&inv);
    let Decision::Release {
        force_delete_pods, ..
    } = claim_rule(&inv.claims[0], &index, Overrides::default())
    else {
        panic!("expected release")
    };
    assert_eq!(force_delete_pods.len(), 1);
    assert_eq!(force_delete_pods[0].name, "web-0");
    assert_eq!(stranded_pod_rule(&inv.pods[0], &index), None);
}

#[test]
fn stranded_pod_rule_stops_when_the_node_returns() {
    let p = pod("demo", "web-0", Some("n1"), "Running");
    let inv = Inventory {
        nodes: vec![node("n1", false)],
        ..Inventory::default()
    };
    let reason = stranded_pod_rule(&p, &Index::new(&inv)).expect("refused");
    assert!(reason.contains("exists again"), "{reason}");
}

#[test]
fn live_claims_and_other_finalizers_are_left_alone() {
    let inv = Inventory {
        claims: vec![
            claim("demo", "live").with_finalizers(&[PVC_PROTECTION]),
            claim("demo", "snap")
                .terminating(&["snapshot.storage.kubernetes.io/pvc-as-source-protection"]),
        ],
        ..Inventory::default()
    };
    let index = Index::new(&inv);
    for c in &inv.claims {
        assert!(matches!(
            claim_rule(c, &index, Overrides::default()),
            Decision::Leave { .. }
        ));
    }
}

#[test]
fn volume_bound_to_a_live_claim_is_refused() {
    let inv = Inventory {
        claims: vec![claim("demo", "data").with_uid("c1").bound_to("pv1")],
        volumes: vec![
            volume("pv1")
                .claimed_by("demo", "data", Some("c1"))
                .terminating(&[PV_PROTECTION]),
        ],
        ..Inventory::default()
    };
    let index = Index::new(&inv);
    refused_with(
        &volume_rule(&inv.volumes[0], &index, Overrides::default()),
        FORCE_IN_USE,
        "still bound to persistentvolumeclaim demo/data",
    );
}

#[test]
fn volume_whose_claim_is_gone_is_released_with_all_storage_finalizers() {
    let inv = Inventory {
        volumes: vec![
            volume("pv1")
                .claimed_by("demo", "data", Some("c1"))
                .terminating(&[
                    PV_PROTECTION,
                    crate::finalizers::PROVISIONER,
                    "example.com/other",
                ]),
        ],
        ..Inventory::default()
    };
    let index = Index::new(&inv);
    assert_eq!(
        volume_rule(&inv.volumes[0], &index, Overrides::default()),
        Decision::Release {
            finalizers: vec![PV_PROTECTION.into(), crate::finalizers::PROVISIONER.into()],
            delete_first: false,
            force_delete_pods: vec![],
        }
    );
}

#[test]
fn volume_released_by_the_same_plan_does_not_block() {
    // The claim is stuck only on its protection with no pod: the plan releases it first.
    let inv = Inventory {
        claims: vec![
            claim("demo", "data")
                .with_uid("c1")
                .bound_to("pv1")
                .terminating(&[PVC_PROTECTION]),
        ],
        volumes: vec![
            volume("pv1")
                .claimed_by("demo", "data", Some("c1"))
                .terminating(&[PV_PROTECTION]),
        ],
        ..Inventory::default()
    };
    let index = Index::new(&inv);
    assert!(matches!(
        volume_rule(&inv.volumes[0], &index, Overrides::default()),
        Decision::Release { .. }
    ));
}

#[test]
fn attachments_follow_their_node() {
    let gone = attachment("csi-8b2e", "csi-qingcloud", "i-5n8osu8t", "pv1").terminating();
    let live_node = attachment("csi-1", "csi-qingcloud", "n1", "pv2").terminating();
    let orphan = attachment("csi-2", "csi-qingcloud", "i-gone", "pv3");
    let inv = Inventory {
        nodes: vec![node("n1", true)],
        ..Inventory::default()
    };
    let index = Index::new(&inv);
    assert_eq!(
        attachment_rule(&gone, &index, Overrides::default()),
        Decision::Release {
            finalizers: vec!["external-attacher/csi-qingcloud".into()],
            delete_first: false,
            force_delete_pods: vec![],
        }
    );
    refused_with(
        &attachment_rule(&live_node, &index, Overrides::default()),
        FORCE_ATTACHED,
        "node n1 still exists (Ready)",
    );
    assert!(matches!(
        attachment_rule(
            &live_node,
            &index,
            Overrides {
                force_attached: true,
                ..Overrides::default()
            }
        ),
        Decision::Release { .. }
    ));
    assert!(matches!(
        attachment_rule(&orphan, &index, Overrides::default()),
        Decision::Release {
            delete_first: true,
            ..
        }
    ));
}

#[test]
fn volume_attached_to_a_live_node_is_refused() {
    let inv = Inventory {
        volumes: vec![volume("pv1").terminating(&[PV_PROTECTION])],
        attachments: vec![attachment("csi-1", "csi-x", "n1", "pv1")],
        nodes: vec![node("n1", true)],
        ..Inventory::default()
    };
    let index = Index::new(&inv);
    refused_with(
        &volume_rule(&inv.volumes[0], &index, Overrides::default()),
        FORCE_ATTACHED,
        "node n1 (volumeattachment csi-1)",
    );
}
