use super::*;
use serde_json::json;

fn pod(value: serde_json::Value) -> Pod {
    serde_json::from_value(value).expect("pod fixture")
}

fn evicted(name: &str) -> serde_json::Value {
    json!({
        "metadata": {"name": name, "namespace": "shop", "uid": format!("uid-{name}"),
            "creationTimestamp": "2024-06-21T10:00:00Z",
            "labels": {"pod-template-hash": "5f8f5b5585"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5f8f5b5585", "uid": "rs", "controller": true}]},
        "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "x"}]},
        "status": {"phase": "Failed", "reason": "Evicted",
            "message": "The node was low on resource: memory. Threshold quantity: 100Mi, available: 60Mi. Container app was using 1Gi, request is 0, has larger consumption of memory.",
            "conditions": [{"type": "DisruptionTarget", "status": "True", "lastTransitionTime": "2024-06-21T12:00:00Z"}]}
    })
}

const NOW: i64 = 1_718_971_200 + 3600; // 2024-06-21T13:00:00Z

#[test]
fn selects_evicted_pods_by_status_not_name() {
    let c = Criteria::new(&[], &[], None);
    let mut s = Interner::default();
    let p = select(&pod(evicted("web-5f8f5b5585-abcde")), &c, NOW, &mut s).expect("selected");
    assert_eq!(p.reason.as_ref(), "Evicted");
    assert_eq!(p.cause.as_ref(), "The node was low on resource: memory.");
    assert_eq!(
        p.owner.as_ref().map(Owner::display).as_deref(),
        Some("Deployment/web")
    );
    assert_eq!(p.failed_at, Some(1_718_971_200));
    assert!(p.over_request);

    // A running pod whose name contains "Evicted" (the FAQ's grep would delete it).
    let mut running = evicted("Evicted-lookalike");
    running["status"] = json!({"phase": "Running"});
    assert!(select(&pod(running), &c, NOW, &mut s).is_none());

    // A Failed pod with another reason needs --reason.
    let mut oom = evicted("x");
    oom["status"]["reason"] = json!("UnexpectedAdmissionError");
    assert!(select(&pod(oom.clone()), &c, NOW, &mut s).is_none());
    let wide = Criteria::new(&["all".into()], &[], None);
    assert!(select(&pod(oom), &wide, NOW, &mut s).is_some());
}

#[test]
fn older_than_uses_the_failure_time() {
    let mut s = Interner::default();
    let young = Criteria::new(&[], &[], Some(Duration::from_secs(30 * 60)));
    assert!(select(&pod(evicted("a")), &young, NOW, &mut s).is_some());
    let old = Criteria::new(&[], &[], Some(Duration::from_secs(2 * 3600)));
    assert!(select(&pod(evicted("a")), &old, NOW, &mut s).is_none());
}

#[test]
fn succeeded_pods_only_with_the_phase_flag() {
    let mut s = Interner::default();
    let done =
        json!({"metadata": {"name": "job-x", "namespace": "ci"}, "status": {"phase": "Succeeded"}});
    assert!(
        select(
            &pod(done.clone()),
            &Criteria::new(&[], &[], None),
            NOW,
            &mut s
        )
        .is_none()
    );
    let both = Criteria::new(&[], &[Phase::Failed, Phase::Succeeded], None);
    let p = select(&pod(done), &both, NOW, &mut s).expect("selected");
    assert!(p.owner.is_none());
    assert_eq!(
        both.phase_field_selector(),
        "status.phase!=Running,status.phase!=Pending"
    );
    assert_eq!(
        Criteria::new(&[], &[], None).phase_field_selector(),
        "status.phase=Failed"
    );
}

#[test]
fn pods_being_deleted_are_not_records_to_delete() {
    let c = Criteria::new(&[], &[], None);
    let mut s = Interner::default();
    // A grace period still running, or finalizers pending: someone else's deletion.
    let mut p = evicted("a");
    p["metadata"]["deletionTimestamp"] = json!("2024-06-21T12:30:00Z");
    p["metadata"]["deletionGracePeriodSeconds"] = json!(30);
    assert_eq!(deletion_state(&pod(p.clone())), Deletion::InProgress);
    assert!(select(&pod(p), &c, NOW, &mut s).is_none());
    let mut p = evicted("a");
    p["metadata"]["deletionTimestamp"] = json!("2024-06-21T12:30:00Z");
    p["metadata"]["deletionGracePeriodSeconds"] = json!(0);
    p["metadata"]["finalizers"] = json!(["example.com/keep"]);
    assert_eq!(deletion_state(&pod(p.clone())), Deletion::InProgress);
    assert!(select(&pod(p), &c, NOW, &mut s).is_none());
}

/// What an API server crash between the two writes of a delete leaves behind (seen in the
/// apiserver-restart fault test): grace period 0, no finalizers, still stored. Nothing else
/// will finish it, so it is selected — and flagged — rather than silently skipped.
#[test]
fn a_delete_that_never_finished_is_selected_and_flagged() {
    let c = Criteria::new(&[], &[], None);
    let mut s = Interner::default();
    let mut p = evicted("a");
    p["metadata"]["deletionTimestamp"] = json!("2024-06-21T12:30:00Z");
    p["metadata"]["deletionGracePeriodSeconds"] = json!(0);
    assert_eq!(deletion_state(&pod(p.clone())), Deletion::Unfinished);
    let selected = select(&pod(p), &c, NOW, &mut s).expect("selected");
    assert!(selected.unfinished_delete);
    let json = serde_json::to_value(&selected).expect("json");
    assert_eq!(json["unfinishedDelete"], true);
    let plain = select(&pod(evicted("b")), &c, NOW, &mut s).expect("selected");
    assert!(!plain.unfinished_delete);
    assert!(
        serde_json::to_value(&plain).expect("json")["unfinishedDelete"].is_null(),
        "only present when true"
    );
}

#[test]
fn owners_other_than_replicasets_show_as_is() {
    let mut s = Interner::default();
    let mut p = evicted("a");
    p["metadata"]["ownerReferences"][0]["kind"] = json!("StatefulSet");
    p["metadata"]["ownerReferences"][0]["name"] = json!("db");
    let owner = owner_of(&pod(p), &mut s).expect("owner");
    assert_eq!(owner.display(), "StatefulSet/db");
    // A ReplicaSet whose name does not end in the hash stays a ReplicaSet.
    let mut p = evicted("a");
    p["metadata"]["labels"] = json!({});
    assert_eq!(
        owner_of(&pod(p), &mut s).expect("owner").display(),
        "ReplicaSet/web-5f8f5b5585"
    );
}

#[test]
fn causes_and_classes() {
    assert_eq!(
        cause_of(
            "Evicted",
            "Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. "
        ),
        "Pod ephemeral local storage usage exceeds the total limit of containers 1Gi."
    );
    assert_eq!(cause_of("Evicted", ""), "Evicted");
    assert_eq!(
        classify("Evicted", "The node was low on resource: memory."),
        CauseClass::NodePressure
    );
    assert_eq!(
        classify("Evicted", "The node had condition: [DiskPressure]."),
        CauseClass::NodePressure
    );
    assert_eq!(
        classify(
            "Evicted",
            "Usage of EmptyDir volume \"cache\" exceeds the limit \"1Gi\"."
        ),
        CauseClass::OwnStorageLimit
    );
    assert_eq!(
        classify(
            "UnexpectedAdmissionError",
            "Pod Update Plugin resources failed due to failed to write checkpoint file \"kubelet_internal_checkpoint\": open /var/lib/kubelet/device-plugins/.xxxxx: read-only file system, which is unexpected."
        ),
        CauseClass::Admission
    );
    assert_eq!(
        classify(
            "Terminated",
            "Pod was terminated in response to imminent node shutdown."
        ),
        CauseClass::NodeShutdown
    );
}
