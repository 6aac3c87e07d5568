//! `kubectl fix-pvc-finalizer` on claims in phase Lost, against the shared cluster's real volume
//! controller: a bound volume is deleted under its claim (its protection finalizer dropped, as
//! the FAQ's patch does), and the controller itself marks the claim Lost. A claim a pod still
//! uses is refused and kept; an unused one is backed up and deleted.

use std::time::Duration;

use firstaid_e2e::{Cluster, backups, cluster, now_rfc3339, unique, wait_until};
use serde_json::{Value, json};

use crate::fix_pvc_finalizer::{
    claim, expect_code, finalizers, force_delete_pod, pod_on, run, static_volume, text, wait_bound,
};

/// Binds `claim_name` to a new volume with reclaimPolicy Delete, records the volume controller's
/// failed delete of it, then deletes the volume: the controller marks the claim Lost.
fn lose(c: &Cluster, ns: &str, claim_name: &str) -> String {
    let pv = unique("pvc-lost");
    static_volume(c, &pv, "Delete", None);
    claim(c, ns, claim_name, Some(&pv));
    wait_bound(c, ns, claim_name);
    let uid = c.get("pv", None, &pv).expect("pv")["metadata"]["uid"].clone();
    c.apply(
        &json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": format!("{pv}.failed-delete"), "namespace": "default"},
            "involvedObject": {"apiVersion": "v1", "kind": "PersistentVolume", "name": pv, "uid": uid},
            "reason": "VolumeFailedDelete", "type": "Warning", "count": 3,
            "firstTimestamp": now_rfc3339(), "lastTimestamp": now_rfc3339(),
            "source": {"component": "persistentvolume-controller"},
            "message": format!("error getting deleter volume plugin for volume \"{pv}\": no deletable volume plugin matched")})
        .to_string(),
    );
    c.kubectl_ok(&["delete", "pv", &pv, "--wait=false"]);
    c.kubectl_ok(&[
        "patch",
        "pv",
        &pv,
        "--type=merge",
        "-p",
        r#"{"metadata":{"finalizers":null}}"#,
    ]);
    wait_until(
        Duration::from_secs(60),
        "the volume controller to mark the claim Lost",
        || {
            c.get("pvc", Some(ns), claim_name)
                .is_some_and(|p| p["status"]["phase"] == "Lost")
        },
    );
    pv
}

fn item<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["name"] == name))
        .unwrap_or_else(|| panic!("{name} not in {doc}"))
}

#[test]
fn lost_claims_are_explained_kept_while_used_and_deleted_when_not() {
    let c = cluster();
    let ns = c.create_namespace("pvc-lost");
    let node = c.create_node("pvc-lost-node");
    let used_pv = lose(c, &ns, "data-mysql-0");
    pod_on(c, &ns, "mysql-0", &node, "data-mysql-0");
    c.set_status("pod", Some(&ns), "mysql-0", json!({"phase": "Running"}));
    let free_pv = lose(c, &ns, "data-web-0");

    // The diagnosis: found without being named, with what was lost and who uses it.
    let out = run(c, &["-n", &ns]);
    expect_code(&out, 0, "diagnosis");
    let stdout = text(&out.stdout);
    for needle in [
        "persistentvolumeclaim/data-mysql-0".to_owned(),
        "persistentvolumeclaim/data-web-0".to_owned(),
        format!(
            "phase Lost: persistentvolume {used_pv}, which the claim was bound to, no longer exists"
        ),
        "ClaimLost".to_owned(),
        "the volume's reclaimPolicy was Delete (from event on persistentvolume".to_owned(),
        "VolumeFailedDelete (x3".to_owned(),
        format!("still used by pod {ns}/mysql-0 (Running on node {node}, Ready)"),
        "re-creating the claim is your call".to_owned(),
        "| kubectl create -f -".to_owned(),
    ] {
        assert!(stdout.contains(&needle), "missing {needle:?} in:\n{stdout}");
    }
    expect_code(&run(c, &["-n", &ns, "--exit-code"]), 11, "--exit-code");
    let doc: Value =
        serde_json::from_slice(&run(c, &["-n", &ns, "-o", "json"]).stdout).expect("JSON");
    let used = item(&doc, "data-mysql-0");
    assert_eq!(used["status"], "Lost", "{used}");
    assert_eq!(used["decision"]["decision"], "refuse", "{used}");
    assert!(used["decision"].get("overrideFlag").is_none(), "{used}");
    assert_eq!(used["lost"]["volume"], used_pv.as_str());
    assert_eq!(used["lost"]["reclaimPolicy"], "Delete");

    // In use: refused naming the pod, no override offered, the claim untouched.
    let out = run(c, &["-n", &ns, "data-mysql-0", "--fix", "--yes"]);
    expect_code(&out, 4, "a Lost claim a pod uses");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("pod {ns}/mysql-0")) && stderr.contains("delete that pod first"),
        "{stderr}"
    );
    assert!(!stderr.contains("override with"), "{stderr}");
    let kept = c.get("pvc", Some(&ns), "data-mysql-0").expect("kept");
    assert!(kept["metadata"]["deletionTimestamp"].is_null(), "{kept}");

    // Not in use: the plan, its digest, nothing changed by the dry run; then deleted, backed up.
    let out = run(c, &["-n", &ns, "data-web-0", "--dry-run", "-o", "json"]);
    expect_code(&out, 0, "dry run");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let steps: Vec<String> = doc["plan"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["action"]["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(steps, ["delete", "removeFinalizers"], "{doc}");
    let digest = doc["result"]["planDigest"]
        .as_str()
        .expect("digest")
        .to_owned();
    assert!(c.exists("pvc", Some(&ns), "data-web-0"));
    let backup_root = tempfile::tempdir().expect("tempdir");
    let dir = backup_root.path().to_string_lossy().into_owned();
    let out = run(
        c,
        &[
            "-n",
            &ns,
            "data-web-0",
            "--confirm-plan",
            &digest,
            "--backup-dir",
            &dir,
        ],
    );
    expect_code(&out, 0, "delete the unused Lost claim");
    wait_until(Duration::from_secs(30), "the Lost claim to be gone", || {
        !c.exists("pvc", Some(&ns), "data-web-0")
    });
    let saved = backups::objects(backup_root.path());
    let original = saved
        .iter()
        .find(|o| o["metadata"]["name"] == "data-web-0")
        .unwrap_or_else(|| panic!("no backup of the claim: {saved:?}"));
    assert_eq!(original["status"]["phase"], "Lost");
    assert_eq!(original["spec"]["volumeName"], free_pv.as_str());
    assert_eq!(finalizers(original), ["kubernetes.io/pvc-protection"]);
    // The other one is still there, still Lost.
    assert_eq!(
        c.get("pvc", Some(&ns), "data-mysql-0").expect("kept")["status"]["phase"],
        "Lost"
    );

    force_delete_pod(c, &ns, "mysql-0");
    c.kubectl_ok(&["delete", "node", &node]);
}
