//! The test cluster itself works: the pinned version, namespace finalization with and without the
//! controller manager, and every plugin reachable through kubectl's plugin mechanism.

use std::time::Duration;

use firstaid_e2e::{Cluster, ClusterOptions, PLUGINS, cluster, plugin_bin_dir, wait_until};
use serde_json::Value;

fn phase(ns: &Value) -> &str {
    ns["status"]["phase"].as_str().unwrap_or_default()
}

#[test]
fn apiserver_reports_the_pinned_version() {
    let version: Value =
        serde_json::from_str(&cluster().kubectl_ok(&["get", "--raw", "/version"])).expect("JSON");
    assert_eq!(version["gitVersion"], "v1.34.4", "{version}");
    assert!(cluster().api_url().starts_with("https://127.0.0.1:"));
}

#[test]
fn deleted_namespace_terminates_then_disappears() {
    let c = cluster();
    let ns = c.create_namespace("smoke");
    // A finalizer we control holds the namespace in Terminating long enough to observe it.
    c.apply(&format!(
        r#"{{"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {{"name": "hold", "namespace": "{ns}", "finalizers": ["firstaid.test/hold"]}}}}"#
    ));
    c.kubectl_ok(&["delete", "namespace", &ns, "--wait=false"]);
    wait_until(
        Duration::from_secs(30),
        "the namespace to be Terminating with the held ConfigMap marked for deletion",
        || {
            let ns_obj = c.get("namespace", None, &ns).expect("namespace exists");
            let cm = c
                .get("configmap", Some(&ns), "hold")
                .expect("held ConfigMap exists");
            phase(&ns_obj) == "Terminating" && cm["metadata"]["deletionTimestamp"].is_string()
        },
    );
    c.kubectl_ok(&[
        "patch",
        "configmap",
        "hold",
        "-n",
        &ns,
        "--type=json",
        "-p",
        r#"[{"op": "remove", "path": "/metadata/finalizers"}]"#,
    ]);
    wait_until(Duration::from_secs(60), "the namespace to be gone", || {
        !c.exists("namespace", None, &ns)
    });
}

#[test]
fn every_plugin_runs_through_kubectl() {
    let c = cluster();
    for (plugin, bin) in PLUGINS {
        assert!(plugin_bin_dir().join(bin).is_file(), "{bin} not built");
        let out = c.kubectl(&[plugin, "--help"]);
        assert!(
            out.status.success(),
            "kubectl {plugin} --help failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn without_controller_manager_a_deleted_namespace_stays_terminating() {
    let c = Cluster::start(ClusterOptions {
        controller_manager: false,
        ..ClusterOptions::default()
    })
    .expect("private cluster starts");
    assert!(!c.has_controller_manager());
    let ns = c.create_namespace("stuck");
    assert!(
        c.exists("serviceaccount", Some(&ns), "default"),
        "create_namespace makes the default ServiceAccount when no controller does"
    );
    c.kubectl_ok(&["delete", "namespace", &ns, "--wait=false"]);
    let check = || {
        let obj = c
            .get("namespace", None, &ns)
            .expect("namespace still exists");
        assert_eq!(phase(&obj), "Terminating", "{obj}");
        assert_eq!(
            obj["spec"]["finalizers"],
            serde_json::json!(["kubernetes"]),
            "{obj}"
        );
    };
    check();
    std::thread::sleep(Duration::from_secs(2));
    check();
}

/// Without a usable kubeconfig every plugin that talks to a cluster says, through kubectl, which
/// file it looked at and what is wrong with it: missing or empty is "no cluster" (exit 8), a YAML
/// error names the file and the line (exit 1). Quoted once, never `'"path"'`.
#[test]
fn a_missing_empty_or_broken_kubeconfig_is_explained() {
    let c = cluster();
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing");
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").expect("write");
    let broken = dir.path().join("broken");
    std::fs::write(
        &broken,
        "apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: https://x\n",
    )
    .expect("write");
    let run = |args: &[&str], kubeconfig: &std::path::Path| {
        let out = c
            .command(args)
            .env("KUBECONFIG", kubeconfig)
            .output()
            .expect("kubectl runs");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains("'\""), "doubled quotes: {stderr}");
        (out.status.code(), stderr)
    };
    for args in [
        &["ns-unstick"][..],
        &["fix-pvc-finalizer"],
        &["evicted-clean"],
        &["top-real"],
        &["exitcode-explain", "-A"],
        &["ipv6-cidr", "cluster"],
    ] {
        let (code, said) = run(args, &missing);
        let expected = format!(
            "error: no kubeconfig: none of the files in $KUBECONFIG exist (\"{}\")",
            missing.display()
        );
        assert_eq!(code, Some(8), "{args:?}: {said}");
        assert!(said.starts_with(&expected), "{args:?}: {said}");
        assert!(
            said.contains("hint: choose a kubeconfig with --kubeconfig PATH"),
            "{said}"
        );

        let (code, said) = run(args, &empty);
        assert_eq!(code, Some(8), "{args:?}: {said}");
        assert!(
            said.starts_with("error: invalid configuration: no configuration has been provided"),
            "{args:?}: {said}"
        );

        let (code, said) = run(args, &broken);
        assert_eq!(code, Some(1), "{args:?}: {said}");
        let expected = format!(
            "error: error loading kubeconfig: \"{}\": line 4",
            broken.display()
        );
        assert!(said.starts_with(&expected), "{args:?}: {said}");
    }
    let flag = missing.to_string_lossy().into_owned();
    let (code, said) = run(&["ns-unstick", "--kubeconfig", &flag], c.kubeconfig());
    assert_eq!(code, Some(8), "{said}");
    assert!(
        said.starts_with(&format!(
            "error: no kubeconfig: \"{flag}\" (given with --kubeconfig) does not exist"
        )),
        "{said}"
    );
}
