//! Fault: the user lacks permissions — read-only (`view`), or unable to list some resource types.
//!
//! For each destructive plugin, in a private cluster without a controller manager (so the stuck
//! states stay stuck): the diagnosis degrades instead of dying, every Forbidden names the verb
//! and the resource, and `--fix --yes` is refused BEFORE anything changes (the Applier's
//! SelfSubjectAccessReview preflight): exit 7, the cluster unchanged, and no backup written of a
//! change that did not happen.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use firstaid_e2e::{Cluster, ClusterOptions, backups, cluster, unique, wait_until};
use serde_json::{Value, json};

use super::{Record, code, evicted_pods, pod_names, stderr, stdout};

fn refused_before_changing(out: &Output, backup_dir: &Path, verb: &str, resource: &str) {
    let err = stderr(out);
    assert_eq!(code(out), 7, "{}\n{err}", stdout(out));
    assert!(
        err.contains(&format!("cannot {verb} resource \"{resource}\"")),
        "the refusal names verb and resource: {err}"
    );
    assert!(
        err.contains("nothing was changed"),
        "the refusal says nothing changed: {err}"
    );
    assert_eq!(
        backups::files(backup_dir).len(),
        0,
        "no backup of a change that did not happen"
    );
}

/// Every "forbidden"/"cannot" line in `text` names a verb and a resource.
fn forbidden_lines_are_specific(text: &str) {
    for line in text
        .lines()
        .filter(|l| l.to_lowercase().contains("forbidden") || l.contains("cannot "))
    {
        assert!(
            line.contains("cannot ") && line.contains("resource"),
            "a Forbidden without verb and resource: {line}"
        );
    }
}

fn finalizers(obj: &Value) -> Value {
    obj["metadata"]["finalizers"].clone()
}

#[test]
fn read_only_and_partial_users_are_refused_before_any_change() {
    let mut record = Record::new("RBAC: read-only / partial user", "3 destructive plugins");
    let c = Cluster::start(ClusterOptions {
        controller_manager: false,
        ..ClusterOptions::default()
    })
    .expect("private cluster");
    let ns = c.create_namespace("rbac");
    let pods = evicted_pods(&c, &ns, "ev", 3);
    c.apply(
        &json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": ns},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "",
                "resources": {"requests": {"storage": "1Gi"}}}})
        .to_string(),
    );
    c.kubectl_ok(&["delete", "pvc", "data", "-n", &ns, "--wait=false"]);
    let stuck_ns = c.create_namespace("rbac-stuck");
    c.kubectl_ok(&["delete", "namespace", &stuck_ns, "--wait=false"]);
    let pvc_before = c.get("pvc", Some(&ns), "data").expect("pvc");
    let ns_before = c.get("namespace", None, &stuck_ns).expect("namespace");

    // `view` is an aggregated ClusterRole, empty without the controller manager's aggregation
    // controller: copy its rules from the shared cluster, where that controller runs.
    let viewer = unique("viewer");
    let viewer_cfg = c.add_user(&viewer);
    let view = cluster().get("clusterrole", None, "view").expect("view");
    c.apply(
        &json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "view-rules"}, "rules": view["rules"]})
        .to_string(),
    );
    c.kubectl_ok(&[
        "create",
        "clusterrolebinding",
        &viewer,
        "--clusterrole=view-rules",
        &format!("--user={viewer}"),
    ]);
    // Reads pods and claims in one namespace; nothing else (no nodes, volumes, events).
    let partial = unique("partial");
    let partial_cfg = c.add_user(&partial);
    c.grant(
        &ns,
        &partial,
        "pods-and-claims",
        "get,list,watch",
        "pods,persistentvolumeclaims",
    );

    // RBAC bindings reach the authorizer through an informer: wait until both users see theirs.
    for cfg in [&viewer_cfg, &partial_cfg] {
        wait_until(
            Duration::from_secs(30),
            "the RBAC bindings in effect",
            || {
                c.kubectl_as(cfg, &["auth", "can-i", "list", "pods", "-n", &ns])
                    .status
                    .success()
            },
        );
    }
    let mut checked = Vec::new();
    for (who, cfg) in [("view", &viewer_cfg), ("partial", &partial_cfg)] {
        // evicted-clean: the report degrades (no node facts), the fix is refused up front.
        let out = c.kubectl_as(cfg, &["evicted-clean", "-n", &ns]);
        assert_eq!(code(&out), 0, "{who}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("3 evicted pods"),
            "{who}: {}",
            stdout(&out)
        );
        assert!(
            stderr(&out).contains("cannot list resource \"nodes\""),
            "{who}: {}",
            stderr(&out)
        );
        forbidden_lines_are_specific(&stderr(&out));
        let backup_root = tempfile::tempdir().expect("tempdir");
        let dir = backup_root.path().to_string_lossy().into_owned();
        let out = c.kubectl_as(
            cfg,
            &[
                "evicted-clean",
                "-n",
                &ns,
                "--fix",
                "--yes",
                "--backup-dir",
                &dir,
            ],
        );
        refused_before_changing(&out, backup_root.path(), "delete", "pods");
        assert_eq!(
            pod_names(&c, &ns).len(),
            pods.len(),
            "{who}: pods unchanged"
        );
        checked.push(format!("{who}/evicted-clean"));

        // fix-pvc-finalizer: same.
        let out = c.kubectl_as(cfg, &["fix-pvc-finalizer", "-n", &ns]);
        let err = stderr(&out);
        forbidden_lines_are_specific(&err);
        if code(&out) == 0 {
            assert!(stdout(&out).contains("data"), "{who}: {}", stdout(&out));
        } else {
            assert_eq!(code(&out), 7, "{who}: {err}");
        }
        let backup_root = tempfile::tempdir().expect("tempdir");
        let dir = backup_root.path().to_string_lossy().into_owned();
        let out = c.kubectl_as(
            cfg,
            &[
                "fix-pvc-finalizer",
                "-n",
                &ns,
                "data",
                "--fix",
                "--yes",
                "--backup-dir",
                &dir,
            ],
        );
        // It reads volumes (cluster-scoped, not in `view`) before it can plan, so both users are
        // stopped at the diagnosis — still exit 7, named, nothing changed, nothing backed up.
        assert_eq!(code(&out), 7, "{who}: {}", stderr(&out));
        assert!(stderr(&out).contains("cannot "), "{who}: {}", stderr(&out));
        assert_eq!(backups::files(backup_root.path()).len(), 0);
        forbidden_lines_are_specific(&stderr(&out));
        let pvc = c.get("pvc", Some(&ns), "data").expect("pvc still there");
        assert_eq!(
            finalizers(&pvc),
            finalizers(&pvc_before),
            "{who}: pvc unchanged"
        );
        checked.push(format!("{who}/fix-pvc-finalizer"));

        // ns-unstick: the only fix without a namespace controller is --force-finalize.
        let out = c.kubectl_as(cfg, &["ns-unstick", &stuck_ns]);
        forbidden_lines_are_specific(&stderr(&out));
        if who == "view" {
            assert_eq!(code(&out), 0, "{who}: {}", stderr(&out));
        } else {
            assert_eq!(
                code(&out),
                7,
                "{who} may not read namespaces: {}",
                stderr(&out)
            );
            assert!(stderr(&out).contains("cannot get resource \"namespaces\""));
        }
        let backup_root = tempfile::tempdir().expect("tempdir");
        let dir = backup_root.path().to_string_lossy().into_owned();
        let out = c.kubectl_as(
            cfg,
            &[
                "ns-unstick",
                &stuck_ns,
                "--force-finalize",
                "--yes",
                "--backup-dir",
                &dir,
            ],
        );
        if who == "view" {
            refused_before_changing(&out, backup_root.path(), "update", "namespaces/finalize");
        } else {
            assert_eq!(code(&out), 7, "{who}: {}", stderr(&out));
            assert_eq!(backups::files(backup_root.path()).len(), 0);
        }
        let ns_now = c
            .get("namespace", None, &stuck_ns)
            .expect("namespace still there");
        assert_eq!(
            ns_now["spec"], ns_before["spec"],
            "{who}: namespace unchanged"
        );
        checked.push(format!("{who}/ns-unstick"));
    }
    record.data_lost = Some(0);
    record.note(format!(
        "{}: diagnoses degraded with named Forbidden, every --fix refused with exit 7 before any change or backup",
        checked.join(", ")
    ));
}
