//! Fault: another writer changes the objects between the plan and its application.
//!
//! Made deterministic with the confirmation prompt: the plugin runs WITHOUT --yes under a
//! pseudo-terminal (`script`, see [`super::Pty`]), so it plans, prints the plan and waits for an
//! answer; while it waits, the test changes the planned objects; then it answers "y". What must
//! hold: nothing is overwritten blindly — each request is conditional (delete preconditions,
//! JSON-patch `test`), a conflict makes the plugin re-read and re-ask its safety rule, and the
//! other writer's change survives.

use std::time::Duration;

use firstaid_e2e::{backups, cluster, unique, wait_until};
use serde_json::json;

use super::{Pty, Record, evicted_pods, pod_names};

const PROMPT: &str = "Apply these";

#[test]
fn evicted_clean_replans_when_pods_change_after_the_prompt() {
    let mut record = Record::new("conflicting writer", "evicted-clean delete");
    let c = cluster();
    let ns = c.create_namespace("conflict-ec");
    let pods = evicted_pods(c, &ns, "ev", 4);
    let (replaced, relabelled, recovered, untouched) = (&pods[0], &pods[1], &pods[2], &pods[3]);
    let old_uid = c.get("pod", Some(&ns), replaced).expect("pod")["metadata"]["uid"].clone();

    let mut pty = Pty::kubectl(c, &["evicted-clean", "-n", &ns, "--fix"]);
    pty.expect(PROMPT, Duration::from_secs(60));

    // While the question is on screen: a new pod under the old name (different uid), a label
    // (resourceVersion moves on; still an evicted record), and a status that no longer matches.
    c.kubectl_ok(&[
        "delete",
        "pod",
        replaced,
        "-n",
        &ns,
        "--grace-period=0",
        "--force",
    ]);
    wait_until(Duration::from_secs(30), "the old pod gone", || {
        !c.exists("pod", Some(&ns), replaced)
    });
    let owner = c.get("replicaset", Some(&ns), "ev-rs").expect("rs");
    c.create(
        &json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": replaced, "namespace": ns, "labels": {"app": "ev", "incarnation": "2"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "ev-rs",
                    "uid": owner["metadata"]["uid"], "controller": true}]},
            "spec": {"nodeName": "reliability-node", "containers": [{"name": "app", "image": "registry.invalid/app"}]}})
        .to_string(),
    );
    c.set_status(
        "pod",
        Some(&ns),
        replaced,
        json!({"phase": "Failed", "reason": "Evicted", "message": "again"}),
    );
    c.kubectl_ok(&["label", "pod", relabelled, "-n", &ns, "touched=yes"]);
    c.set_status(
        "pod",
        Some(&ns),
        recovered,
        json!({"phase": "Failed", "reason": "OOMKilled", "message": "not an eviction after all"}),
    );

    pty.send("y");
    let (exit, seen) = pty.finish(Duration::from_secs(60));
    let left = pod_names(c, &ns);
    // The replacement and the no-longer-evicted pod stay; the relabelled one is re-read, still
    // qualifies, and goes; the untouched one goes.
    assert!(left.contains(replaced.as_str()), "{seen}");
    let now_uid = c.get("pod", Some(&ns), replaced).expect("pod")["metadata"]["uid"].clone();
    assert_ne!(now_uid, old_uid, "the replacement is the one left");
    assert!(left.contains(recovered.as_str()), "{seen}");
    assert!(!left.contains(relabelled.as_str()), "{seen}");
    assert!(!left.contains(untouched.as_str()), "{seen}");
    assert!(seen.contains("deleted and recreated"), "{seen}");
    assert!(seen.contains("OOMKilled"), "the skip says why: {seen}");
    // Skipped steps mean the goal was not fully reached: partial, with the reasons shown.
    assert_eq!(exit, 6, "{seen}");
    record.data_lost = Some(0);
    record.note("replaced pod skipped (uid), pod whose reason changed skipped, relabelled pod re-read and deleted; exit 6 with reasons");
}

/// ns-unstick reads each object right before patching it (no snapshot from the plan), so a change
/// made while the prompt waits is simply seen; the conflict window is the instant between that read
/// and the patch, where the JSON-patch `test` of the finalizer list guards. Kubernetes 1.34 refuses
/// to add a finalizer to an object already being deleted, so "another finalizer appears" cannot
/// happen to these objects; what can is the operator coming back and removing its own finalizer,
/// and anyone else changing the object.
#[test]
fn ns_unstick_acts_on_the_objects_as_they_are_after_the_prompt() {
    let mut record = Record::new("conflicting writer", "ns-unstick finalizer patch");
    let c = cluster();
    let ns = c.create_namespace("conflict-nsu");
    let dead = format!("{}.io/hold", unique("gone-operator"));
    for name in ["a", "b"] {
        c.apply(
            &json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": ns, "finalizers": [dead]}})
            .to_string(),
        );
    }
    c.kubectl_ok(&["delete", "namespace", &ns, "--wait=false"]);
    wait_until(Duration::from_secs(30), "both marked for deletion", || {
        c.get_json(&["configmaps", "-n", &ns])["items"]
            .as_array()
            .is_some_and(|i| {
                i.iter()
                    .filter(|o| o["metadata"]["deletionTimestamp"].is_string())
                    .count()
                    >= 2
            })
    });

    let backup_root = tempfile::tempdir().expect("tempdir");
    let dir = backup_root.path().to_string_lossy().into_owned();
    let mut pty = Pty::kubectl(c, &["ns-unstick", &ns, "--fix", "--backup-dir", &dir]);
    pty.expect(PROMPT, Duration::from_secs(60));
    // The operator wakes up and releases "a" itself; someone labels "b".
    c.kubectl_ok(&["label", "configmap", "b", "-n", &ns, "touched=yes"]);
    c.kubectl_ok(&[
        "patch",
        "configmap",
        "a",
        "-n",
        &ns,
        "--type=json",
        "-p",
        r#"[{"op": "remove", "path": "/metadata/finalizers"}]"#,
    ]);
    pty.send("y");
    let (exit, seen) = pty.finish(Duration::from_secs(60));
    assert_eq!(exit, 0, "{seen}");
    assert!(
        seen.contains("already done"),
        "a's finalizer was already gone: reported, not re-applied: {seen}"
    );
    assert!(!c.exists("configmap", Some(&ns), "b"), "{seen}");
    // The backup is of b as it was when changed: with the other writer's label.
    let saved = backups::objects(backup_root.path());
    let b = saved
        .iter()
        .find(|o| o["metadata"]["name"] == "b")
        .unwrap_or_else(|| panic!("b backed up: {saved:?}"));
    assert_eq!(b["metadata"]["labels"]["touched"], "yes", "{b}");
    assert!(
        saved.iter().all(|o| o["metadata"]["name"] != "a"),
        "nothing changed on a, so no backup of it"
    );
    record.data_lost = Some(0);
    record.note("finalizer released by its operator meanwhile: reported already done; relabelled object re-read, backed up with the new label, fixed; 1.34 forbids adding finalizers to deleting objects");
}
