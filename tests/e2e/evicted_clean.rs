//! `kubectl evicted-clean` against the real test cluster, through real kubectl.
//!
//! There is no kubelet, so evictions are reproduced the way the kubelet records them: pods are
//! created bound to a node (`spec.nodeName`), then their status is written through the status
//! subresource (phase Failed, reason Evicted, the kubelet's message). With no kubelet, a deleted
//! pod bound to a node stays Terminating for ever — exactly the FAQ's stuck state. Owned pods
//! point at a real (empty) ReplicaSet, because the garbage collector would delete pods whose
//! owner does not exist.

use std::process::Output;
use std::time::{Duration, SystemTime};

use firstaid_e2e::{Cluster, backups, cluster, rfc3339, unique};
use serde_json::{Value, json};

const MEMORY: &str = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 52Mi. Container app was using 1Gi, request is 0, has larger consumption of memory.";

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An empty ReplicaSet to own pods (no ReplicaSet controller runs here); returns its uid.
fn replicaset(c: &Cluster, ns: &str, name: &str) -> String {
    c.apply(
        &json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": 0, "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "app", "image": "registry.invalid/app"}]}}}
        })
        .to_string(),
    );
    c.get("replicaset", Some(ns), name).expect("replicaset")["metadata"]["uid"]
        .as_str()
        .expect("uid")
        .to_owned()
}

/// Pods bound to `node`, owned by `owner` (name, uid) when given, created in one request.
fn pods(
    c: &Cluster,
    ns: &str,
    names: &[&str],
    node: &str,
    owner: Option<(&str, &str)>,
    label: &str,
) {
    let items: Vec<Value> = names
        .iter()
        .map(|name| {
            let mut meta = json!({"name": name, "namespace": ns, "labels": {"firstaid-test": label}});
            if let Some((owner, uid)) = owner {
                meta["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "name": owner, "uid": uid, "controller": true}]);
            }
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                "spec": {"nodeName": node, "containers": [{"name": "app", "image": "registry.invalid/app"}]}})
        })
        .collect();
    c.create(&json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string());
}

fn set_failed(c: &Cluster, ns: &str, name: &str, reason: &str, message: &str) {
    c.set_status(
        "pod",
        Some(ns),
        name,
        json!({"phase": "Failed", "reason": reason, "message": message}),
    );
}

fn set_running(c: &Cluster, ns: &str, name: &str) {
    c.set_status("pod", Some(ns), name, json!({"phase": "Running"}));
}

fn exists(c: &Cluster, ns: &str, pod: &str) -> bool {
    c.exists("pod", Some(ns), pod)
}

/// Only Failed/Evicted pods go, selected by status (a Running pod named "evicted-…" and a
/// Failed pod with another reason stay), only in the namespace asked for, bare pods only when
/// named by their flag; the report explains before anything changes.
#[test]
fn deletes_evicted_records_by_status_in_the_namespace_asked() {
    let c = cluster();
    let (shop, other) = (
        c.create_namespace("ec-shop"),
        c.create_namespace("ec-other"),
    );
    let node = c.create_node("ec-node");
    let label = unique("t8");
    let uid = replicaset(c, &shop, "web-5f8f5b5585");
    pods(
        c,
        &shop,
        &["web-5f8f5b5585-a", "web-5f8f5b5585-b"],
        &node,
        Some(("web-5f8f5b5585", &uid)),
        &label,
    );
    pods(
        c,
        &shop,
        &["evicted-lookalike", "crashed", "bare-evicted"],
        &node,
        None,
        &label,
    );
    let other_uid = replicaset(c, &other, "api-6d4cf56db6");
    pods(
        c,
        &other,
        &["api-6d4cf56db6-x"],
        &node,
        Some(("api-6d4cf56db6", &other_uid)),
        &label,
    );
    for p in ["web-5f8f5b5585-a", "web-5f8f5b5585-b", "bare-evicted"] {
        set_failed(c, &shop, p, "Evicted", MEMORY);
    }
    set_failed(c, &other, "api-6d4cf56db6-x", "Evicted", MEMORY);
    set_running(c, &shop, "evicted-lookalike");
    set_failed(c, &shop, "crashed", "Error", "container exited 1");

    // Report only: explains, changes nothing.
    let out = c.kubectl(&["evicted-clean", "-n", &shop]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("3 evicted pods"), "{stdout}");
    assert!(stdout.contains("ReplicaSet/web-5f8f5b5585"), "{stdout}");
    assert!(
        stdout.contains("(bare pod)") && stdout.contains("bare-evicted"),
        "{stdout}"
    );
    assert!(
        stdout.contains("The node was low on resource: memory."),
        "{stdout}"
    );
    assert!(stdout.contains("more than they requested"), "{stdout}");
    assert!(
        !stdout.contains("evicted-lookalike") && !stdout.contains("crashed"),
        "{stdout}"
    );
    assert!(exists(c, &shop, "web-5f8f5b5585-a"));

    // --fix: owned evicted pods in shop go; everything else stays.
    let out = c.kubectl(&["evicted-clean", "-n", &shop, "--fix", "--yes"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("2 done"), "{stderr}");
    assert!(stderr.contains("--include-bare-pods"), "{stderr}");
    assert!(!exists(c, &shop, "web-5f8f5b5585-a") && !exists(c, &shop, "web-5f8f5b5585-b"));
    for kept in ["evicted-lookalike", "crashed", "bare-evicted"] {
        assert!(exists(c, &shop, kept), "{kept} must stay");
    }
    assert!(
        exists(c, &other, "api-6d4cf56db6-x"),
        "another namespace is untouched"
    );

    // The backup of what was deleted is there (staged while listing: gzip'd JSON lines).
    let backup_dir = c.dir().join("state/firstaid/backups/evicted-clean");
    let saved: Vec<String> = backups::files(&backup_dir)
        .iter()
        .map(|p| backups::text(p))
        .collect();
    assert!(
        saved.iter().any(|s| s.contains("web-5f8f5b5585-a")),
        "backups in {}",
        backup_dir.display()
    );

    // Bare pods only with their flag.
    c.kubectl_ok(&[
        "evicted-clean",
        "-n",
        &shop,
        "--fix",
        "--include-bare-pods",
        "--yes",
    ]);
    assert!(!exists(c, &shop, "bare-evicted"));
    assert!(exists(c, &shop, "evicted-lookalike") && exists(c, &shop, "crashed"));

    // --reason widens to other record-only failures; -A with a label keeps to this test's pods.
    set_failed(
        c,
        &shop,
        "crashed",
        "UnexpectedAdmissionError",
        "Pod Update Plugin resources failed due to failed to write checkpoint file \"kubelet_internal_checkpoint\": open /var/lib/kubelet/device-plugins/.xxxxx: read-only file system, which is unexpected.",
    );
    let sel = format!("firstaid-test={label}");
    let out = c.kubectl(&[
        "evicted-clean",
        "-A",
        "-l",
        &sel,
        "--reason",
        "UnexpectedAdmissionError",
        "-o",
        "json",
    ]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).expect("json");
    let names: Vec<&str> = doc["pods"]
        .as_array()
        .expect("pods")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"crashed") && names.contains(&"api-6d4cf56db6-x"),
        "{names:?}"
    );
    assert!(
        doc["notes"].to_string().contains("drain"),
        "{}",
        doc["notes"]
    );
    c.kubectl_ok(&[
        "evicted-clean",
        "-A",
        "-l",
        &sel,
        "--reason",
        "all",
        "--fix",
        "--yes",
        "--include-bare-pods",
    ]);
    assert!(!exists(c, &shop, "crashed") && !exists(c, &other, "api-6d4cf56db6-x"));
    assert!(exists(c, &shop, "evicted-lookalike"));
}

/// The streamed path at more than one page and more than a per-object plan: 60 evicted pods
/// listed 7 at a time. Declining leaves no backup behind; the fix deletes all 60 (and nothing
/// else), shows a grouped plan, and its backup holds every deleted pod, each exactly once.
#[test]
fn bulk_fix_pages_through_and_backs_up_every_deleted_pod() {
    let c = cluster();
    let ns = c.create_namespace("ec-bulk");
    let node = c.create_node("ec-bulk-node");
    let label = unique("bulk");
    let uid = replicaset(c, &ns, "web-7d9f8c6b4");
    let names: Vec<String> = (0..60).map(|i| format!("web-7d9f8c6b4-{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    pods(c, &ns, &refs, &node, Some(("web-7d9f8c6b4", &uid)), &label);
    pods(c, &ns, &["bare-evicted", "running"], &node, None, &label);
    for name in refs.iter().chain(&["bare-evicted"]) {
        set_failed(c, &ns, name, "Evicted", MEMORY);
    }
    set_running(c, &ns, "running");
    let backup_dir = c.dir().join(format!("bulk-backups-{label}"));
    let backup_arg = backup_dir.to_string_lossy().into_owned();
    let fix = |extra: &[&str]| {
        let mut args = vec![
            "evicted-clean",
            "-n",
            &ns,
            "--chunk-size",
            "7",
            "--fix",
            "--backup-dir",
            &backup_arg,
        ];
        args.extend_from_slice(extra);
        c.kubectl(&args)
    };

    // No terminal and no --yes: refused, nothing deleted, the staged backup removed.
    let out = fix(&[]);
    assert_eq!(out.status.code(), Some(5), "{:?}", text(&out));
    assert!(exists(c, &ns, "web-7d9f8c6b4-00"));
    assert!(
        backups::files(&backup_dir).is_empty(),
        "no backup of a fix that never ran: {:?}",
        backups::files(&backup_dir)
    );

    let out = fix(&["--yes"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("60 done"), "{stderr}");
    // Above 50 steps the plan is one row per namespace and reason, not 60 rows.
    let plan_rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("Evicted record; ReplicaSet/web-7d9f8c6b4"))
        .collect();
    assert_eq!(plan_rows.len(), 1, "{stdout}");
    assert!(
        plan_rows[0].starts_with(ns.as_str()) && plan_rows[0].contains(" 60 "),
        "{stdout}"
    );
    for name in &names {
        assert!(!exists(c, &ns, name), "{name} must be deleted");
    }
    assert!(exists(c, &ns, "bare-evicted") && exists(c, &ns, "running"));

    let files = backups::files(&backup_dir);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with("objects.jsonl.gz"), "{files:?}");
    let mut saved: Vec<String> = backups::text(&files[0])
        .lines()
        .map(|line| {
            let pod: Value = serde_json::from_str(line).expect("backup line is JSON");
            assert_eq!(pod["status"]["reason"], "Evicted", "the full object: {pod}");
            assert!(pod["metadata"].get("managedFields").is_none());
            pod["metadata"]["name"].as_str().expect("name").to_owned()
        })
        .collect();
    saved.sort();
    assert_eq!(
        saved, names,
        "every deleted pod backed up once, nothing else"
    );
}

/// The nodes involved are shown with their pressure conditions, taints, signals and remedy.
#[test]
fn report_explains_node_pressure() {
    let c = cluster();
    let ns = c.create_namespace("ec-pressure");
    let label = unique("t10");
    let mut nodes = Vec::new();
    for (condition, taint) in [
        ("MemoryPressure", "node.kubernetes.io/memory-pressure"),
        ("DiskPressure", "node.kubernetes.io/disk-pressure"),
        ("PIDPressure", "node.kubernetes.io/pid-pressure"),
    ] {
        let node = c.create_node("ec-pressure");
        c.kubectl_ok(&["taint", "node", &node, &format!("{taint}:NoSchedule")]);
        c.set_status("node", None, &node, json!({"conditions": [
            {"type": "Ready", "status": "True", "reason": "KubeletReady", "lastHeartbeatTime": firstaid_e2e::now_rfc3339(), "lastTransitionTime": firstaid_e2e::now_rfc3339()},
            {"type": condition, "status": "True", "reason": "KubeletHasPressure", "lastHeartbeatTime": firstaid_e2e::now_rfc3339(), "lastTransitionTime": firstaid_e2e::now_rfc3339()}]}));
        let pod = format!("victim-{}", nodes.len());
        pods(c, &ns, &[&pod], &node, None, &label);
        set_failed(
            c,
            &ns,
            &pod,
            "Evicted",
            &format!("The node had condition: [{condition}]. "),
        );
        nodes.push(node);
    }
    let out = c.kubectl(&["evicted-clean", "-n", &ns, "-o", "json"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(doc["kind"], "EvictedPodReport");
    assert_eq!(doc["apiVersion"], "firstaid.dev/v1");
    assert_eq!(doc["selected"], 3);
    let report_nodes = doc["nodes"].as_array().expect("nodes");
    let signals = |name: &str| -> Value {
        report_nodes
            .iter()
            .find(|n| n["name"] == name)
            .expect("node in report")["facts"]["pressures"][0]
            .clone()
    };
    assert_eq!(signals(&nodes[0])["signals"], json!(["memory.available"]));
    assert_eq!(
        signals(&nodes[1])["signals"],
        json!([
            "nodefs.available",
            "nodefs.inodesFree",
            "imagefs.available",
            "imagefs.inodesFree"
        ])
    );
    assert_eq!(signals(&nodes[2])["signals"], json!(["pid.available"]));
    assert!(
        signals(&nodes[2])["remedy"]
            .as_str()
            .expect("remedy")
            .contains("kernel.pid_max")
    );
    assert!(
        doc["notes"].to_string().contains("memory.available<100Mi"),
        "{}",
        doc["notes"]
    );

    let out = c.kubectl(&["evicted-clean", "-n", &ns]);
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("MemoryPressure")
            && stdout.contains("node.kubernetes.io/disk-pressure:NoSchedule"),
        "{stdout}"
    );
    assert!(stdout.contains("expand the node's disk"), "{stdout}");
    for node in &nodes {
        c.kubectl_ok(&["delete", "node", node]);
    }
}

/// No TTY and no --yes: refuse (exit 5) and change nothing; an RBAC-limited user is refused up
/// front naming the verb and resource (exit 7); with delete rights it works without node access.
#[test]
fn refuses_without_confirmation_or_permission() {
    let c = cluster();
    let ns = c.create_namespace("ec-rbac");
    let node = c.create_node("ec-rbac");
    let label = unique("rbac");
    let uid = replicaset(c, &ns, "web-1");
    pods(
        c,
        &ns,
        &["web-1-a", "web-1-b"],
        &node,
        Some(("web-1", &uid)),
        &label,
    );
    for p in ["web-1-a", "web-1-b"] {
        set_failed(c, &ns, p, "Evicted", MEMORY);
    }

    let out = c.kubectl(&["evicted-clean", "-n", &ns, "--fix"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("--yes"), "{stderr}");
    assert!(exists(c, &ns, "web-1-a"));

    let user = unique("ec-reader");
    let kubeconfig = c.add_user(&user);
    c.grant(&ns, &user, "pod-reader", "get,list", "pods");
    let out = c.kubectl_as(&kubeconfig, &["evicted-clean", "-n", &ns, "--fix", "--yes"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(7), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("cannot delete resource \"pods\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("cannot list nodes") || stderr.contains("nodes is forbidden"),
        "{stderr}"
    );
    assert!(exists(c, &ns, "web-1-a") && exists(c, &ns, "web-1-b"));

    c.kubectl_ok(&[
        "create",
        "role",
        "pod-cleaner",
        "-n",
        &ns,
        "--verb=delete",
        "--resource=pods",
    ]);
    c.kubectl_ok(&[
        "create",
        "rolebinding",
        "pod-cleaner",
        "-n",
        &ns,
        "--role=pod-cleaner",
        &format!("--user={user}"),
    ]);
    let out = c.kubectl_as(&kubeconfig, &["evicted-clean", "-n", &ns, "--fix", "--yes"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!exists(c, &ns, "web-1-a") && !exists(c, &ns, "web-1-b"));
}

/// Pods Terminating on a deleted node are force-deleted; on a NotReady node only with
/// --not-ready-for; on a Ready node never.
#[test]
fn stuck_terminating_pods_are_forced_only_off_dead_nodes() {
    let c = cluster();
    let ns = c.create_namespace("ec-stuck");
    let label = unique("t9");
    let (ready, down, deleted) = (
        c.create_node("ec-ready"),
        c.create_node("ec-down"),
        c.create_node("ec-gone"),
    );
    let two_hours_ago = rfc3339(SystemTime::now() - Duration::from_secs(7200));
    c.set_status(
        "node",
        None,
        &down,
        json!({"conditions": [{"type": "Ready", "status": "Unknown",
        "reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status.",
        "lastHeartbeatTime": two_hours_ago, "lastTransitionTime": two_hours_ago}]}),
    );
    pods(c, &ns, &["on-ready"], &ready, None, &label);
    pods(c, &ns, &["on-down"], &down, None, &label);
    pods(
        c,
        &ns,
        &["aos-apiserver-5f8f5b5585-s9l92"],
        &deleted,
        None,
        &label,
    );
    for p in ["on-ready", "on-down", "aos-apiserver-5f8f5b5585-s9l92"] {
        set_running(c, &ns, p);
        c.kubectl_ok(&[
            "delete",
            "pod",
            p,
            "-n",
            &ns,
            "--grace-period=1",
            "--wait=false",
        ]);
    }
    c.kubectl_ok(&["delete", "node", &deleted]);
    std::thread::sleep(Duration::from_secs(3));
    for p in ["on-ready", "on-down", "aos-apiserver-5f8f5b5585-s9l92"] {
        assert!(exists(c, &ns, p), "{p} is stuck Terminating (no kubelet)");
    }

    let stuck_terminating = |extra: &[&str]| -> (String, String) {
        let mut args = vec![
            "evicted-clean",
            "-n",
            &ns,
            "--stuck-terminating",
            "--older-than=1s",
        ];
        args.extend_from_slice(extra);
        let out = c.kubectl(&args);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        (stdout, stderr)
    };
    let (stdout, _) = stuck_terminating(&["-o", "json"]);
    let doc: Value = serde_json::from_str(&stdout).expect("json");
    let verdict = |name: &str| -> String {
        doc["stuck"]
            .as_array()
            .expect("stuck")
            .iter()
            .find(|p| p["name"] == name)
            .map(|p| p["verdict"]["type"].as_str().unwrap_or("").to_owned())
            .unwrap_or_default()
    };
    assert_eq!(
        verdict("aos-apiserver-5f8f5b5585-s9l92"),
        "forceDeleteNodeGone"
    );
    assert_eq!(verdict("on-down"), "waitForNode");
    assert_eq!(verdict("on-ready"), "nodeReady");

    let (_, stderr) = stuck_terminating(&["--fix", "--yes"]);
    assert!(
        stderr.contains("may continue to run on the cluster indefinitely"),
        "{stderr}"
    );
    assert!(!exists(c, &ns, "aos-apiserver-5f8f5b5585-s9l92"));
    assert!(exists(c, &ns, "on-down") && exists(c, &ns, "on-ready"));

    stuck_terminating(&["--not-ready-for=1h", "--fix", "--yes"]);
    assert!(!exists(c, &ns, "on-down"));
    assert!(
        exists(c, &ns, "on-ready"),
        "never force-deleted on a Ready node"
    );

    // Tidy up what only a kubelet would finish.
    c.kubectl_ok(&[
        "delete",
        "pod",
        "on-ready",
        "-n",
        &ns,
        "--grace-period=0",
        "--force",
    ]);
    c.kubectl_ok(&["delete", "node", &ready, &down]);
}
