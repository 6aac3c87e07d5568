//! `kubectl fix-pvc-finalizer` against a real control plane, through real kubectl: the FAQ's
//! stuck states (claim/volume Terminating, the stale VolumeAttachment of a deleted node) reproduced for
//! real, and the cluster's end state asserted.
//!
//! The shared cluster runs the PV binder and the PVC/PV protection controllers, so static volumes
//! bind for real and a claim is released by its controller once no pod uses it. No kubelet and no
//! attach/detach controller run: pods bound to a node stay as written (deleting one needs
//! `--grace-period=0 --force`), and VolumeAttachments keep the status we give them. States that
//! need the controllers *off* (a finalizer nobody removes) use a private cluster.

use std::process::Output;
use std::time::Duration;

use firstaid_e2e::{Cluster, ClusterOptions, backups, cluster, now_rfc3339, unique, wait_until};
use serde_json::{Value, json};

const PLUGIN: &str = "fix-pvc-finalizer";

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub(crate) fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub(crate) fn run(c: &Cluster, args: &[&str]) -> Output {
    let mut full = vec![PLUGIN];
    full.extend_from_slice(args);
    c.kubectl(&full)
}

pub(crate) fn expect_code(out: &Output, want: i32, what: &str) {
    assert_eq!(
        code(out),
        want,
        "{what}: exit {}\nstdout:\n{}\nstderr:\n{}",
        code(out),
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// A static CSI volume (no provisioner, nothing attaches it for real).
pub(crate) fn static_volume(c: &Cluster, name: &str, reclaim: &str, claim: Option<(&str, &str)>) {
    let mut spec = json!({
        "capacity": {"storage": "1Gi"},
        "accessModes": ["ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": reclaim,
        "storageClassName": "",
        "csi": {"driver": "csi-qingcloud", "volumeHandle": format!("vol-{name}")},
    });
    if let Some((ns, claim)) = claim {
        spec["claimRef"] = json!({"kind": "PersistentVolumeClaim", "apiVersion": "v1", "namespace": ns, "name": claim});
    }
    c.apply(
        &json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name}, "spec": spec})
            .to_string(),
    );
}

pub(crate) fn claim(c: &Cluster, ns: &str, name: &str, volume: Option<&str>) {
    let mut spec = json!({
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": "",
        "resources": {"requests": {"storage": "1Gi"}},
    });
    if let Some(v) = volume {
        spec["volumeName"] = json!(v);
    }
    c.apply(
        &json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": name, "namespace": ns}, "spec": spec})
        .to_string(),
    );
}

/// A pod already bound to `node` that mounts `claim` as volume `data`.
pub(crate) fn pod_on(c: &Cluster, ns: &str, name: &str, node: &str, claim: &str) {
    c.apply(
        &json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
                "spec": {"nodeName": node,
                         "containers": [{"name": "app", "image": "nginx"}],
                         "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim}}]}})
        .to_string(),
    );
}

/// No kubelet runs: a pod bound to a node is only gone with a force delete.
pub(crate) fn force_delete_pod(c: &Cluster, ns: &str, name: &str) {
    c.kubectl_ok(&[
        "delete",
        "pod",
        name,
        "-n",
        ns,
        "--grace-period=0",
        "--force",
    ]);
}

pub(crate) fn wait_bound(c: &Cluster, ns: &str, claim: &str) {
    wait_until(Duration::from_secs(60), "the claim to bind", || {
        c.get("pvc", Some(ns), claim)
            .is_some_and(|p| p["status"]["phase"] == "Bound")
    });
}

pub(crate) fn finalizers(obj: &Value) -> Vec<String> {
    obj["metadata"]["finalizers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// With the controllers on: a running pod holds the claim → diagnosed and refused; once the pod
/// is gone, the PVC-protection controller releases the claim by itself.
#[test]
fn claim_held_by_a_pod_is_refused_then_released_by_its_controller() {
    let c = cluster();
    let ns = c.create_namespace("pvc-held");
    let node = c.create_node("pvc-node");
    let pv = unique("pv-held");
    static_volume(c, &pv, "Retain", None);
    claim(c, &ns, "data-mysql-0", Some(&pv));
    wait_bound(c, &ns, "data-mysql-0");
    pod_on(c, &ns, "mysql-0", &node, "data-mysql-0");
    c.set_status("pod", Some(&ns), "mysql-0", json!({"phase": "Running"}));
    c.kubectl_ok(&["delete", "pvc", "data-mysql-0", "-n", &ns, "--wait=false"]);
    std::thread::sleep(Duration::from_secs(1));
    let pvc = c
        .get("pvc", Some(&ns), "data-mysql-0")
        .expect("still there");
    assert!(pvc["metadata"]["deletionTimestamp"].is_string(), "{pvc}");

    let out = run(c, &["-n", &ns]);
    expect_code(&out, 0, "diagnosis");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("persistentvolumeclaim/data-mysql-0"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("pod {ns}/mysql-0 (Running on node {node}, Ready)")),
        "{stdout}"
    );
    assert!(
        stdout.contains("refused (needs --force-in-use)"),
        "{stdout}"
    );
    assert!(stdout.contains("no further action needed"), "{stdout}");

    let json_out = run(c, &["-n", &ns, "-o", "json"]);
    expect_code(&json_out, 0, "json diagnosis");
    let doc: Value = serde_json::from_slice(&json_out.stdout).expect("JSON");
    assert_eq!(doc["kind"], "StuckVolumeReport");
    assert_eq!(doc["items"][0]["decision"]["decision"], "refuse");
    assert_eq!(doc["items"][0]["pods"][0]["kind"], "active");

    let out = run(c, &["-n", &ns, "data-mysql-0", "--fix", "--yes"]);
    expect_code(&out, 4, "fix refused while the pod runs");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--force-in-use") && stderr.contains("mysql-0"),
        "{stderr}"
    );
    let pvc = c
        .get("pvc", Some(&ns), "data-mysql-0")
        .expect("still there");
    assert_eq!(finalizers(&pvc), ["kubernetes.io/pvc-protection"]);

    force_delete_pod(c, &ns, "mysql-0");
    wait_until(
        Duration::from_secs(60),
        "the controller to release the claim",
        || !c.exists("pvc", Some(&ns), "data-mysql-0"),
    );
    let out = run(c, &["-n", &ns]);
    expect_code(&out, 0, "after release");
    assert!(
        text(&out.stderr).contains("No stuck"),
        "{}",
        text(&out.stderr)
    );
    let out = run(c, &["-n", &ns, "data-mysql-0"]);
    expect_code(&out, 3, "a named claim that is gone");
    c.kubectl_ok(&["delete", "pv", &pv, "--wait=false"]);
    c.kubectl_ok(&["delete", "node", &node]);
}

/// The attachment of a deleted node keeps `external-attacher/csi-qingcloud` with
/// `detachError: node "…" not found`; the StatefulSet pod on its new node waits in
/// ContainerCreating. The plugin follows pod → claim → volume → attachment and removes only that
/// finalizer; an attachment whose node exists is refused.
#[test]
fn stale_attachment_of_a_deleted_node_is_released() {
    let c = cluster();
    let ns = c.create_namespace("demo-project");
    let new_node = c.create_node("i-e5ri86tg");
    let gone_node = unique("i-5n8osu8t");
    let pv = unique("pvc-93e24c1d88d711e9");
    let claim_name = "nginx-neonsan-pvc-nginx-perf-7";
    static_volume(c, &pv, "Delete", None);
    claim(c, &ns, claim_name, Some(&pv));
    wait_bound(c, &ns, claim_name);
    pod_on(c, &ns, "nginx-perf-7", &new_node, claim_name);
    let pod = c.get("pod", Some(&ns), "nginx-perf-7").expect("pod");
    c.set_status(
        "pod",
        Some(&ns),
        "nginx-perf-7",
        json!({"phase": "Pending", "containerStatuses": [{
            "name": "app", "image": "nginx", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"waiting": {"reason": "ContainerCreating"}}}]}),
    );
    c.apply(
        &json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "nginx-perf-7.failedmount", "namespace": ns},
            "involvedObject": {"kind": "Pod", "namespace": ns, "name": "nginx-perf-7",
                               "uid": pod["metadata"]["uid"]},
            "reason": "FailedMount", "type": "Warning", "count": 604,
            "firstTimestamp": now_rfc3339(), "lastTimestamp": now_rfc3339(),
            "source": {"component": "kubelet", "host": new_node},
            "message": "Unable to mount volumes for pod \"nginx-perf-7\": timeout expired waiting for volumes to attach or mount for pod \"demo-project\"/\"nginx-perf-7\". list of unmounted volumes=[nginx-neonsan-pvc]"})
        .to_string(),
    );
    let va = unique("csi-8b2ed050e78ad6f3");
    let attachment = |name: &str, node: &str| {
        c.apply(
            &json!({"apiVersion": "storage.k8s.io/v1", "kind": "VolumeAttachment",
                "metadata": {"name": name, "finalizers": ["external-attacher/csi-qingcloud"]},
                "spec": {"attacher": "csi-qingcloud", "nodeName": node,
                         "source": {"persistentVolumeName": pv}}})
            .to_string(),
        );
        c.set_status(
            "volumeattachment",
            None,
            name,
            json!({"attached": true, "detachError": {
                "message": format!("node \"{node}\" not found"), "time": now_rfc3339()}}),
        );
        c.kubectl_ok(&["delete", "volumeattachment", name, "--wait=false"]);
    };
    attachment(&va, &gone_node);

    let out = run(c, &["-n", &ns, "pod/nginx-perf-7"]);
    expect_code(&out, 0, "chain from the pod");
    let stdout = text(&out.stdout);
    for needle in [
        format!("persistentvolumeclaim/{claim_name}"),
        format!("persistentvolume/{pv}"),
        format!("volumeattachment.storage.k8s.io/{va}"),
        format!("node {gone_node} does not exist"),
        "detachError since".to_owned(),
        "FailedMount (x604".to_owned(),
        format!(
            "pod {ns}/nginx-perf-7 (ContainerCreating on node {new_node}) waits for this volume"
        ),
        "reclaimPolicy Delete".to_owned(),
    ] {
        assert!(stdout.contains(&needle), "missing {needle:?} in:\n{stdout}");
    }

    let out = run(
        c,
        &[
            "-n",
            &ns,
            &format!("volumeattachment/{va}"),
            "--fix",
            "--yes",
        ],
    );
    expect_code(&out, 0, "fix");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("really detached"), "{stderr}");
    wait_until(Duration::from_secs(10), "the attachment to be gone", || {
        !c.exists("volumeattachment", None, &va)
    });
    // Only the attachment changed: the claim and the volume are untouched.
    assert!(c.exists("pvc", Some(&ns), claim_name));
    assert_eq!(
        c.get("pv", None, &pv).expect("pv")["status"]["phase"],
        "Bound"
    );

    // The same state with the node present: the attacher can still detach, so refuse.
    let live_node = c.create_node("i-5n8osu8t-alive");
    let va2 = unique("csi-live");
    attachment(&va2, &live_node);
    let out = run(c, &[&format!("volumeattachment/{va2}"), "--fix", "--yes"]);
    expect_code(&out, 4, "refused while the node exists");
    assert!(
        text(&out.stderr).contains("--force-attached"),
        "{}",
        text(&out.stderr)
    );
    let still = c.get("volumeattachment", None, &va2).expect("kept");
    assert_eq!(finalizers(&still), ["external-attacher/csi-qingcloud"]);

    // Tidy the cluster-wide objects of the shared cluster.
    c.kubectl_ok(&[
        "patch",
        "volumeattachment",
        &va2,
        "--type=merge",
        "-p",
        r#"{"metadata":{"finalizers":null}}"#,
    ]);
    force_delete_pod(c, &ns, "nginx-perf-7");
    c.kubectl_ok(&["delete", "node", &new_node, &live_node]);
}

/// Without a controller manager nothing removes the protection finalizers: the states the FAQ's
/// patch is for. No TTY without --yes refuses; --dry-run=server changes nothing; --fix --yes
/// removes `kubernetes.io/pvc-protection` (backed up first) and a PV's `kubernetes.io/pv-protection`
/// once its claim is gone.
#[test]
fn without_controllers_claim_and_volume_finalizers_are_removed() {
    let c = Cluster::start(ClusterOptions {
        controller_manager: false,
        ..ClusterOptions::default()
    })
    .expect("private cluster starts");
    let ns = c.create_namespace("pvc-stuck");
    claim(&c, &ns, "data", None);
    assert_eq!(
        finalizers(&c.get("pvc", Some(&ns), "data").expect("pvc")),
        ["kubernetes.io/pvc-protection"]
    );
    c.kubectl_ok(&["delete", "pvc", "data", "-n", &ns, "--wait=false"]);

    let out = run(&c, &["-n", &ns]);
    expect_code(&out, 0, "diagnosis");
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("kube-controller-manager is down"),
        "{stdout}"
    );
    assert!(
        stdout.contains("remove kubernetes.io/pvc-protection"),
        "{stdout}"
    );

    let out = run(&c, &["-n", &ns, "--fix"]);
    expect_code(&out, 5, "no TTY and no --yes");
    let out = run(&c, &["-n", &ns, "--fix", "--dry-run=server"]);
    expect_code(&out, 0, "server dry run");
    let pvc = c
        .get("pvc", Some(&ns), "data")
        .expect("unchanged by the dry run");
    assert_eq!(finalizers(&pvc), ["kubernetes.io/pvc-protection"]);

    // For cron/alerting: a read-only run says through its exit code that something is stuck.
    expect_code(
        &run(&c, &["-n", &ns, "--exit-code"]),
        11,
        "--exit-code, stuck",
    );

    // A script reviews the plan, the claim changes, the reviewed digest no longer applies.
    let out = run(&c, &["-n", &ns, "data", "--dry-run", "-o", "json"]);
    expect_code(&out, 0, "plan");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let reviewed = doc["result"]["planDigest"]
        .as_str()
        .expect("digest")
        .to_owned();
    assert!(
        text(&out.stderr).contains(&format!("--confirm-plan {reviewed}")),
        "{}",
        text(&out.stderr)
    );
    c.kubectl_ok(&["label", "pvc", "data", "-n", &ns, "reviewed=no"]);
    let out = run(&c, &["-n", &ns, "data", "--confirm-plan", &reviewed]);
    expect_code(&out, 5, "digest of an older plan");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("the plan changed since"), "{stderr}");
    assert!(
        stderr.contains(
            "  - remove finalizer kubernetes.io/pvc-protection v1 persistentvolumeclaims"
        ) && stderr.contains(
            "  + remove finalizer kubernetes.io/pvc-protection v1 persistentvolumeclaims"
        ),
        "the changed claim is named on both sides: {stderr}"
    );
    let pvc = c.get("pvc", Some(&ns), "data").expect("unchanged");
    assert_eq!(finalizers(&pvc), ["kubernetes.io/pvc-protection"]);
    let out = run(&c, &["-n", &ns, "data", "--dry-run", "-o", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let current = doc["result"]["planDigest"]
        .as_str()
        .expect("digest")
        .to_owned();
    assert_ne!(current, reviewed);

    let backup_root = tempfile::tempdir().expect("tempdir");
    let dir = backup_root.path().to_string_lossy().into_owned();
    let out = run(
        &c,
        &[
            "-n",
            &ns,
            "data",
            "--confirm-plan",
            &current,
            "--backup-dir",
            &dir,
        ],
    );
    expect_code(&out, 0, "fix bound to the reviewed plan, no --yes");
    assert!(!c.exists("pvc", Some(&ns), "data"), "the claim is gone");
    expect_code(
        &run(&c, &["-n", &ns, "--exit-code"]),
        0,
        "--exit-code, nothing stuck",
    );
    assert!(text(&out.stdout).contains("gone"), "{}", text(&out.stdout));
    let saved: String = backups::files(backup_root.path())
        .iter()
        .map(|p| backups::text(p))
        .collect();
    assert!(
        saved.contains("kubernetes.io/pvc-protection") && saved.contains("\"data\""),
        "backup holds the original: {saved}"
    );

    // A volume whose claim is gone, stuck on pv-protection (no PV controller to release it).
    let pv = unique("pv-orphan");
    static_volume(&c, &pv, "Retain", Some((&ns, "gone-claim")));
    c.set_status("pv", None, &pv, json!({"phase": "Released"}));
    c.kubectl_ok(&["delete", "pv", &pv, "--wait=false"]);
    assert_eq!(
        finalizers(&c.get("pv", None, &pv).expect("pv")),
        ["kubernetes.io/pv-protection"]
    );
    let out = run(&c, &[&format!("pv/{pv}"), "--fix", "--yes", "-o", "json"]);
    expect_code(&out, 0, "pv fix");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["verification"][0]["gone"], true, "{doc}");
    assert!(!c.exists("pv", None, &pv));
}

/// RBAC: a user who may not list volumes gets kubectl's Forbidden wording and exit 7.
#[test]
fn forbidden_lists_exit_7() {
    let c = cluster();
    let ns = c.create_namespace("pvc-rbac");
    let user = unique("pvc-nobody");
    let kubeconfig = c.add_user(&user);
    let out = c.kubectl_as(&kubeconfig, &[PLUGIN, "-n", &ns]);
    expect_code(&out, 7, "forbidden");
    assert!(
        text(&out.stderr).contains("cannot list resource"),
        "{}",
        text(&out.stderr)
    );
    let out = run(c, &["-n", &ns, "deployment/web"]);
    expect_code(&out, 2, "unsupported kind");
}
