//! `kubectl fix-pvc-finalizer -A` over N claims bound to N static volumes, 2.5·N pods (one per
//! claim holds it, Running on a Ready node; the rest use no volume) across 10 namespaces, with
//! N/10 claims deleted and stuck Terminating because their pod still runs (issue 4: N = 2,000 →
//! 2,000 PVCs/PVs, 200 stuck, 5,000 pods; run with `--objects 2000`).
//!
//! Compared with the FAQ's own pipeline in the same run: `kubectl get pvc -A -o json | jq …`
//! (the stuck claims and their finalizers) plus `kubectl get pods -A -o json | jq …` (which pod
//! names which claim) — what a person runs to find the holders by hand. The plugin does one
//! paginated list per kind (plus warning events of the 10 namespaces), never a request per object.

use std::process::Command;

use serde_json::json;

use crate::harness::{Bench, Scenario};

pub const SCENARIO: Scenario = Scenario {
    name: "fix-pvc-finalizer",
    about: "fix-pvc-finalizer -A vs kubectl get pvc|jq + get pods|jq (N PVC/PV, N/10 stuck, 2.5N pods)",
    run,
};

const NAMESPACES: usize = 10;
const NODES: usize = 10;

const STUCK_CLAIMS_JQ: &str = r#".items[] | select(.metadata.deletionTimestamp != null and ((.metadata.finalizers // []) | length) > 0) | "\(.metadata.namespace)/\(.metadata.name) \(.metadata.finalizers | join(","))""#;
const CLAIM_USERS_JQ: &str = r#".items[] | . as $p | (.spec.volumes // [])[] | select(.persistentVolumeClaim != null) | "\($p.metadata.namespace)/\(.persistentVolumeClaim.claimName) \($p.metadata.name) \($p.status.phase) \($p.spec.nodeName)""#;

fn run(b: &mut Bench) -> anyhow::Result<()> {
    let claims = b.objects;
    let pods = claims * 5 / 2;
    let stuck = (claims / 10).max(1);
    let namespaces: Vec<String> = (0..NAMESPACES)
        .map(|i| b.cluster.create_namespace(&format!("bench-pvc-{i}")))
        .collect();
    let ns_of = |i: usize| namespaces[i % NAMESPACES].clone();
    let nodes: Vec<String> = (0..NODES)
        .map(|_| b.cluster.create_node("bench-pvc-node"))
        .collect();
    b.seed(claims, |i| {
        json!({
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": format!("pv-{i:06}")},
            "spec": {
                "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "",
                "csi": {"driver": "bench.csi.example.com", "volumeHandle": format!("vol-{i:06}")},
                "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                             "namespace": ns_of(i), "name": format!("data-{i:06}")},
            },
        })
    })?;
    b.seed(claims, |i| {
        json!({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": format!("data-{i:06}"), "namespace": ns_of(i)},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "",
                     "volumeName": format!("pv-{i:06}"),
                     "resources": {"requests": {"storage": "1Gi"}}},
        })
    })?;
    b.seed(pods, |i| {
        let mut volumes = vec![];
        if i < claims {
            volumes.push(json!({"name": "data", "persistentVolumeClaim": {"claimName": format!("data-{i:06}")}}));
        }
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("app-{i:06}"), "namespace": ns_of(i),
                         "labels": {"app": "bench"}},
            "spec": {"nodeName": nodes[i % NODES],
                     "containers": [{"name": "app", "image": "nginx"}],
                     "volumes": volumes},
            "status": {"phase": "Running"},
        })
    })?;
    // Delete the first N/10 claims: their pods still run, so pvc-protection keeps them.
    for ns in &namespaces {
        let mut args = vec!["delete", "pvc", "-n", ns.as_str(), "--wait=false"];
        let names: Vec<String> = (0..stuck)
            .filter(|i| ns_of(*i) == *ns)
            .map(|i| format!("data-{i:06}"))
            .collect();
        if names.is_empty() {
            continue;
        }
        args.extend(names.iter().map(String::as_str));
        let out = b.kubectl(&args).output()?;
        anyhow::ensure!(
            out.status.success(),
            "deleting claims: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Sanity: the plugin sees every stuck claim, each held by its pod.
    let out = b
        .plugin("fix-pvc-finalizer", &["-A", "-o", "json"])
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "plugin failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let items = doc["items"].as_array().map_or(0, Vec::len);
    let refused = doc["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["decision"]["decision"] == "refuse")
        .count();
    println!(
        "  plugin found {items} stuck objects, {refused} refused because a pod holds them (expected {stuck})"
    );

    let ours = b.measure("kubectl-fix_pvc_finalizer -A", || {
        b.plugin("fix-pvc-finalizer", &["-A"])
    })?;
    let ours_json = b.measure("kubectl-fix_pvc_finalizer -A -o json", || {
        b.plugin("fix-pvc-finalizer", &["-A", "-o", "json"])
    })?;
    let pipeline = format!(
        "kubectl get pvc -A -o json | jq -r '{STUCK_CLAIMS_JQ}' && kubectl get pods -A -o json | jq -r '{CLAIM_USERS_JQ}'"
    );
    let baseline = b.measure("kubectl get pvc|jq + kubectl get pods|jq", || {
        shell(b, &pipeline)
    })?;
    b.ratio(&ours, &baseline);
    b.ratio(&ours_json, &baseline);
    b.no_peers("no peer plugin for stuck volumes is known to a registry this machine reaches");
    Ok(())
}

/// `bash -c PIPELINE` in kubectl's environment (kubeconfig, PATH).
fn shell(b: &Bench, pipeline: &str) -> Command {
    let mut cmd = b.kubectl_shell("bash", &["-o", "pipefail", "-c", pipeline]);
    cmd.env("PATH", kubectl_path(&b.kubectl(&[])));
    cmd
}

/// PATH with the directory of the kubectl the harness uses first.
fn kubectl_path(template: &Command) -> std::ffi::OsString {
    let dir = std::path::Path::new(template.get_program())
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let inherited = template
        .get_envs()
        .find(|(k, _)| *k == "PATH")
        .and_then(|(_, v)| v.map(std::ffi::OsStr::to_os_string))
        .or_else(|| std::env::var_os("PATH"))
        .unwrap_or_default();
    let mut dirs = vec![dir];
    dirs.extend(std::env::split_paths(&inherited));
    std::env::join_paths(dirs).unwrap_or(inherited)
}
