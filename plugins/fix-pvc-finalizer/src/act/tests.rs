use super::*;
use crate::diagnose::{Scope, diagnose, select};
use crate::finalizers::{PV_PROTECTION, PVC_PROTECTION};
use crate::fixtures::*;
use crate::inventory::Inventory;

fn findings(inv: &Inventory, o: Overrides) -> Vec<Finding> {
    let index = Index::new(inv);
    let subjects = select(
        &index,
        &Scope {
            namespace: None,
            named: &[],
        },
    )
    .expect("select");
    diagnose(&index, &subjects, o, firstaid::k8s::Timestamp::now())
}

/// `(phase, object, action)` of each step, in the order they run.
fn steps(plan: &Plan) -> Vec<(u8, String, String)> {
    plan.ordered()
        .iter()
        .map(|s| (s.phase, s.target.display(), s.action.describe()))
        .collect()
}

/// The guard lets `step` through on `inv`, and stops it once a pod on a live node uses the claim.
fn stopped_by_a_late_pod(step: &Step, current: &Value, mut inv: Inventory, phase: &str) {
    assert_eq!(
        recheck(step, current, &Index::new(&inv), Overrides::default()),
        None
    );
    // Between the diagnosis and the apply, a pod was bound to a live node with that claim.
    inv.pods.push(
        pod("db", "late", Some("n1"), phase)
            .with_claim("d", "data")
            .into(),
    );
    let reason =
        recheck(step, current, &Index::new(&inv), Overrides::default()).expect("must stop");
    assert!(reason.contains("pod db/late"), "{reason}");
}

#[test]
fn plan_orders_force_deletes_then_claims_then_volumes() {
    let inv = Inventory {
        claims: vec![
            claim("db", "data")
                .with_uid("c1")
                .bound_to("pv1")
                .terminating(&[PVC_PROTECTION]),
        ],
        volumes: vec![
            volume("pv1")
                .claimed_by("db", "data", Some("c1"))
                .terminating(&[PV_PROTECTION]),
        ],
        attachments: vec![attachment("csi-1", "csi-x", "gone-node", "pv1")],
        pods: vec![
            pod("db", "mysql-0", Some("gone-node"), "Running")
                .with_claim("d", "data")
                .into(),
        ],
        ..Inventory::default()
    };
    let f = findings(&inv, Overrides::default());
    let index = Index::new(&inv);
    let plan = plan(&f, &index);
    assert_eq!(
        steps(&plan),
        [
            (
                0,
                "pod/mysql-0".into(),
                "force delete (grace period 0)".into()
            ),
            (
                0,
                "volumeattachment.storage.k8s.io/csi-1".into(),
                "delete".into()
            ),
            (
                1,
                "persistentvolumeclaim/data".into(),
                format!("remove finalizer {PVC_PROTECTION}")
            ),
            (
                1,
                "volumeattachment.storage.k8s.io/csi-1".into(),
                "remove finalizer external-attacher/csi-x".into()
            ),
            (
                2,
                "persistentvolume/pv1".into(),
                format!("remove finalizer {PV_PROTECTION}")
            ),
        ]
    );
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("force-deleting pod mysql-0"))
    );
    assert!(plan.warnings.iter().any(|w| w.contains("really detached")));
}

#[test]
fn refused_objects_are_not_planned() {
    let inv = Inventory {
        claims: vec![claim("db", "data").terminating(&[PVC_PROTECTION])],
        pods: vec![
            pod("db", "mysql-0", Some("n1"), "Running")
                .with_claim("d", "data")
                .into(),
        ],
        nodes: vec![node("n1", true)],
        ..Inventory::default()
    };
    let f = findings(&inv, Overrides::default());
    assert!(plan(&f, &Index::new(&inv)).is_empty());
    let r = refusals(&f);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].override_flag.as_deref(), Some("--force-in-use"));
    assert_eq!(r[0].object, "db/persistentvolumeclaim/data");
    let forced = findings(
        &inv,
        Overrides {
            force_in_use: true,
            ..Overrides::default()
        },
    );
    let plan = plan(&forced, &Index::new(&inv));
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(plan.steps[0].risk, Risk::High);
}

#[test]
fn guard_stops_a_step_when_a_pod_starts_using_the_claim() {
    let stuck = claim("db", "data").terminating(&[PVC_PROTECTION]);
    let inv = Inventory {
        claims: vec![stuck.clone()],
        nodes: vec![node("n1", true)],
        ..Inventory::default()
    };
    let f = findings(&inv, Overrides::default());
    let plan = plan(&f, &Index::new(&inv));
    assert_eq!(plan.steps.len(), 1);
    let current = serde_json::to_value(&stuck).expect("json");
    stopped_by_a_late_pod(&plan.steps[0], &current, inv, "Pending");
}

#[test]
fn guard_stops_an_attachment_step_when_the_node_returns() {
    let va = attachment("csi-1", "csi-x", "n1", "pv1").terminating();
    let mut inv = Inventory {
        attachments: vec![va.clone()],
        ..Inventory::default()
    };
    let plan = plan(&findings(&inv, Overrides::default()), &Index::new(&inv));
    assert_eq!(plan.steps.len(), 1);
    let current = serde_json::to_value(&va).expect("json");
    inv.nodes.push(node("n1", false));
    let reason = recheck(
        &plan.steps[0],
        &current,
        &Index::new(&inv),
        Overrides::default(),
    )
    .expect("must stop");
    assert!(reason.contains("node n1 still exists"), "{reason}");
}

#[test]
fn a_lost_claim_is_deleted_then_released_and_a_late_pod_stops_it() {
    let lost = claim("db", "data")
        .lost("pv-gone")
        .with_finalizers(&[PVC_PROTECTION]);
    let inv = Inventory {
        claims: vec![lost.clone()],
        nodes: vec![node("n1", true)],
        ..Inventory::default()
    };
    let plan = plan(&findings(&inv, Overrides::default()), &Index::new(&inv));
    assert_eq!(
        steps(&plan),
        [
            (0, "persistentvolumeclaim/data".into(), "delete".into()),
            (
                1,
                "persistentvolumeclaim/data".into(),
                format!("remove finalizer {PVC_PROTECTION}")
            ),
        ]
    );
    // The digest binds the delete to the version of the claim that was diagnosed.
    assert_eq!(plan.steps[0].target.resource_version.as_deref(), Some("1"));
    let current = serde_json::to_value(&lost).expect("json");
    stopped_by_a_late_pod(&plan.steps[0], &current, inv, "Running");
}
