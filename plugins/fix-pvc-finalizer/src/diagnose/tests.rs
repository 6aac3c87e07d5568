use super::*;
use crate::finalizers::{PV_PROTECTION, PVC_PROTECTION};
use crate::fixtures::*;
use crate::inventory::Inventory;
use crate::safety::FORCE_IN_USE;
use crate::select::Named;

const PV: &str = "pvc-93e24c1d88d711e9";
const VA: &str = "csi-8b2ed050e78ad6f3a5491af35c9351358856ae15cc874262ca0b78a1c332b883";

/// The FAQ's dead-node case: the node i-5n8osu8t was deleted; its VolumeAttachment cannot detach; the
/// StatefulSet pod, recreated on i-e5ri86tg, sits in ContainerCreating with FailedMount.
fn dead_node_attachment() -> Inventory {
    let pod = pod(
        "demo-project",
        "nginx-perf-7",
        Some("i-e5ri86tg"),
        "Pending",
    )
    .waiting("ContainerCreating")
    .with_claim("nginx-neonsan-pvc", "nginx-neonsan-pvc-nginx-perf-7");
    let failed_mount = event(
        &pod,
        "FailedMount",
        "Unable to mount volumes for pod \"nginx-perf-7_demo-project(087b3391-8990-11e9-9b03-525433ce642d)\": timeout expired waiting for volumes to attach or mount for pod \"demo-project\"/\"nginx-perf-7\". list of unmounted volumes=[nginx-neonsan-pvc]. list of unattached volumes=[nginx-neonsan-pvc default-token-znp5w]",
        604,
    );
    Inventory {
        claims: vec![
            claim("demo-project", "nginx-neonsan-pvc-nginx-perf-7")
                .with_uid("c1")
                .bound_to(PV),
        ],
        volumes: vec![
            volume(PV)
                .claimed_by("demo-project", "nginx-neonsan-pvc-nginx-perf-7", Some("c1"))
                .reclaim("Delete")
                .phase("Bound"),
        ],
        attachments: vec![
            attachment(VA, "csi-qingcloud", "i-5n8osu8t", PV)
                .terminating()
                .detach_error("node \"i-5n8osu8t\" not found"),
        ],
        pods: vec![pod.into()],
        nodes: vec![node("i-e5ri86tg", true)],
        events: vec![failed_mount],
        ..Inventory::default()
    }
}

fn run(inv: &Inventory, namespace: Option<&str>, named: &[Named]) -> Vec<Finding> {
    let index = Index::new(inv);
    let scope = Scope { namespace, named };
    let subjects = select(&index, &scope).expect("select");
    diagnose(
        &index,
        &subjects,
        Overrides::default(),
        firstaid::k8s::Timestamp::now(),
    )
}

#[test]
fn stale_attachment_resolves_pod_claim_volume_attachment() {
    let inv = dead_node_attachment();
    // Starting from the pod, as the FAQ does.
    let findings = run(
        &inv,
        Some("demo-project"),
        &[Named::Pod("nginx-perf-7".into())],
    );
    let kinds: Vec<Kind> = findings.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            Kind::PersistentVolumeClaim,
            Kind::PersistentVolume,
            Kind::VolumeAttachment
        ]
    );
    let va = &findings[2];
    assert_eq!(va.name, VA);
    assert_eq!(va.status, "Terminating");
    assert!(
        va.summary.contains("node i-5n8osu8t does not exist"),
        "{}",
        va.summary
    );
    assert_eq!(
        va.decision,
        Decision::Release {
            finalizers: vec!["external-attacher/csi-qingcloud".into()],
            delete_first: false,
            force_delete_pods: vec![],
        }
    );
    assert_eq!(
        va.claim.as_deref(),
        Some("demo-project/nginx-neonsan-pvc-nginx-perf-7")
    );
    assert_eq!(va.waiting_pods.len(), 1);
    assert_eq!(va.waiting_pods[0].events[0].count, 604);
    let text = va.evidence.join("\n");
    assert!(
        text.contains("detachError since 22h: node \"i-5n8osu8t\" not found"),
        "{text}"
    );
    assert!(text.contains("FailedMount (x604"), "{text}");
    assert!(
        va.warnings
            .iter()
            .any(|w| w.contains(&format!("backend volume {PV} is really detached"))),
        "{:?}",
        va.warnings
    );
    // The healthy claim and volume in the chain are shown but left alone.
    assert!(matches!(findings[0].decision, Decision::Leave { .. }));
    assert!(matches!(findings[1].decision, Decision::Leave { .. }));

    // The default listing finds only the attachment.
    let listed = run(&inv, Some("demo-project"), &[]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].kind, Kind::VolumeAttachment);
    // ... and not in another namespace.
    assert!(run(&inv, Some("other"), &[]).is_empty());
}

#[test]
fn an_attachment_whose_node_still_exists_is_not_stale() {
    let mut inv = dead_node_attachment();
    inv.nodes.push(node("i-5n8osu8t", true));
    let findings = run(&inv, None, &[Named::Attachment(VA.into())]);
    let va = findings
        .iter()
        .find(|f| f.kind == Kind::VolumeAttachment)
        .expect("va");
    assert!(matches!(va.decision, Decision::Refuse { .. }));
    assert!(va.summary.contains("still exists"), "{}", va.summary);
}

#[test]
fn claim_held_by_a_running_pod_names_the_pod() {
    let inv = Inventory {
        claims: vec![
            claim("db", "data-mysql-0")
                .with_uid("c1")
                .bound_to("pv1")
                .terminating(&[PVC_PROTECTION]),
        ],
        volumes: vec![
            volume("pv1")
                .claimed_by("db", "data-mysql-0", Some("c1"))
                .reclaim("Delete")
                .phase("Bound"),
        ],
        pods: vec![
            pod("db", "mysql-0", Some("n1"), "Running")
                .with_claim("data", "data-mysql-0")
                .into(),
        ],
        nodes: vec![node("n1", true)],
        ..Inventory::default()
    };
    let findings = run(&inv, Some("db"), &[]);
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f.status, "Terminating");
    assert!(
        f.summary
            .contains("pod db/mysql-0 (Running on node n1, Ready)"),
        "{}",
        f.summary
    );
    match &f.decision {
        Decision::Refuse { override_flag, .. } => {
            assert_eq!(override_flag.as_deref(), Some(FORCE_IN_USE));
        }
        other => panic!("expected refusal: {other:?}"),
    }
    let advice = f.advice.join("\n");
    assert!(
        advice.contains("kubectl delete pod -n db mysql-0"),
        "{advice}"
    );
    assert!(advice.contains("no further action needed"), "{advice}");
    assert!(
        f.warnings
            .iter()
            .any(|w| w.contains("reclaimPolicy Delete") && w.contains("Retain")),
        "{:?}",
        f.warnings
    );
}

#[test]
fn claim_with_no_pod_blames_the_controller_and_is_fixable() {
    let inv = Inventory {
        claims: vec![claim("db", "data").terminating(&[PVC_PROTECTION])],
        ..Inventory::default()
    };
    let f = &run(&inv, Some("db"), &[Named::Claim("data".into())])[0];
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("kube-controller-manager"))
    );
    assert!(f.finalizers[0].fix_removes);
    assert!(matches!(f.decision, Decision::Release { .. }));
}

#[test]
fn volume_stuck_after_its_claim_is_gone() {
    let inv = Inventory {
        volumes: vec![
            volume("pv1")
                .claimed_by("db", "data", Some("c-old"))
                .terminating(&[PV_PROTECTION])
                .phase("Bound"),
        ],
        ..Inventory::default()
    };
    let f = &run(&inv, None, &[])[0];
    assert_eq!(f.kind, Kind::PersistentVolume);
    assert!(f.evidence.iter().any(|e| e.contains("the claim is gone")));
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("persistentvolume-binder"))
    );
    assert!(matches!(f.decision, Decision::Release { .. }));
    // Namespaced listing follows the claimRef's namespace.
    assert_eq!(run(&inv, Some("db"), &[]).len(), 1);
    assert!(run(&inv, Some("web"), &[]).is_empty());
}

#[test]
fn named_objects_must_exist() {
    let inv = Inventory::default();
    let index = Index::new(&inv);
    for named in [
        Named::Claim("nope".into()),
        Named::Volume("nope".into()),
        Named::Attachment("nope".into()),
        Named::Pod("nope".into()),
    ] {
        let named = [named];
        let scope = Scope {
            namespace: Some("ns"),
            named: &named,
        };
        let err = select(&index, &scope).expect_err("not found");
        assert_eq!(err.exit(), firstaid::Exit::NotFound);
    }
    let named = [Named::Claim("x".into())];
    let err = select(
        &index,
        &Scope {
            namespace: None,
            named: &named,
        },
    )
    .expect_err("usage");
    assert_eq!(err.exit(), firstaid::Exit::Usage);
}

#[test]
fn event_namespaces_cover_pods_and_cluster_objects() {
    let inv = dead_node_attachment();
    let index = Index::new(&inv);
    let subjects = select(
        &index,
        &Scope {
            namespace: None,
            named: &[],
        },
    )
    .expect("select");
    assert_eq!(
        event_namespaces(&subjects, &index),
        ["default", "demo-project"]
    );
}
