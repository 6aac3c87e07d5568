//! `kubectl exitcode-explain` against a real API server, through real kubectl.
//!
//! No kubelet runs, so each test plays the kubelet: it creates a pod bound to a fake node
//! (`nodeName`), writes the container statuses a crash would leave through the status
//! subresource, records events through the events APIs (core/v1 and events.k8s.io/v1, as kubelets
//! of different ages do), and checks the verdict the plugin reaches from all of it.

use std::time::{Duration, SystemTime};

use firstaid_e2e::{cluster, rfc3339, unique};
use serde_json::{Value, json};

/// Start and end of the crashed run: a few minutes ago, 3m38s long (the FAQ's crashed run).
fn run_window() -> (String, String) {
    let finished = SystemTime::now() - Duration::from_secs(60);
    let started = finished - Duration::from_secs(218);
    (rfc3339(started), rfc3339(finished))
}

/// A node with `kubernetes.io/arch`, as a kubelet would label it.
pub(crate) fn node_with_arch(arch: &str) -> String {
    let c = cluster();
    let node = c.create_node("exitcode");
    c.kubectl_ok(&[
        "label",
        "node",
        &node,
        &format!("kubernetes.io/arch={arch}"),
    ]);
    node
}

/// Creates pod `name` (container `app`, given image/command/limit/probe) on `node` and writes
/// `status` for container `app` through the status subresource; returns the pod's uid.
pub(crate) fn crashed_pod(
    ns: &str,
    name: &str,
    node: &str,
    container: Value,
    status: Value,
) -> String {
    pod_with(ns, name, node, &json!({}), container, status)
}

/// [`crashed_pod`] with more pod-level `spec` fields (serviceAccountName, imagePullSecrets, …).
#[allow(clippy::needless_pass_by_value)] // `json!(..)` reads best inline
pub(crate) fn pod_with(
    ns: &str,
    name: &str,
    node: &str,
    spec: &Value,
    container: Value,
    status: Value,
) -> String {
    let c = cluster();
    let mut spec_container = json!({"name": "app", "image": "registry.example.com/app:1.0"});
    if let (Some(base), Some(extra)) = (spec_container.as_object_mut(), container.as_object()) {
        base.extend(extra.clone());
    }
    let mut pod_spec = json!({"nodeName": node, "containers": [spec_container]});
    if let (Some(base), Some(extra)) = (pod_spec.as_object_mut(), spec.as_object()) {
        base.extend(extra.clone());
    }
    c.apply(
        &json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": {"suite": "exitcode-explain", "ns": ns}},
            "spec": pod_spec
        })
        .to_string(),
    );
    let mut container_status = json!({"name": "app", "image": spec_container_image(&container), "imageID": "", "ready": false, "restartCount": 3});
    if let (Some(base), Some(extra)) = (container_status.as_object_mut(), status.as_object()) {
        base.extend(extra.clone());
    }
    c.set_status(
        "pod",
        Some(ns),
        name,
        json!({"phase": "Running", "containerStatuses": [container_status]}),
    );
    c.get("pod", Some(ns), name).expect("pod exists")["metadata"]["uid"]
        .as_str()
        .expect("uid")
        .to_owned()
}

fn spec_container_image(container: &Value) -> String {
    container["image"]
        .as_str()
        .unwrap_or("registry.example.com/app:1.0")
        .to_owned()
}

#[allow(clippy::needless_pass_by_value)]
fn crash_loop(last: Value) -> Value {
    json!({
        "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container=app"}},
        "lastState": {"terminated": last}
    })
}

/// Runs the plugin with `-o json` and returns the one container report.
pub(crate) fn report(ns: &str, pod: &str) -> Value {
    let out = cluster().kubectl_ok(&[
        "exitcode-explain",
        &format!("pod/{pod}"),
        "-n",
        ns,
        "-o",
        "json",
    ]);
    let doc: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    assert_eq!(doc["kind"], "ContainerExitReport", "{doc}");
    let items = doc["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{doc}");
    items[0].clone()
}

pub(crate) fn evidence(report: &Value) -> String {
    report["verdict"]["evidence"].to_string()
}

#[test]
fn oomkilled_137_is_the_memory_limit_with_back_off() {
    let c = cluster();
    let ns = c.create_namespace("exit-oom");
    let node = node_with_arch("amd64");
    let (started, finished) = run_window();
    crashed_pod(
        &ns,
        "helm-install",
        &node,
        json!({"resources": {"limits": {"cpu": "50m", "memory": "120Mi"}, "requests": {"cpu": "50m", "memory": "120Mi"}}}),
        crash_loop(
            json!({"exitCode": 137, "reason": "OOMKilled", "startedAt": started, "finishedAt": finished}),
        ),
    );
    let r = report(&ns, "helm-install");
    assert_eq!(r["verdict"]["kind"], "memoryLimitOom", "{r}");
    assert!(
        evidence(&r).contains("resources.limits.memory = 120Mi"),
        "{r}"
    );
    assert_eq!(r["termination"]["exitCode"], 137);
    assert_eq!(r["termination"]["ranForSeconds"], 218);
    assert_eq!(r["backOff"]["delaySeconds"], 40);
    assert_eq!(r["backOff"]["source"], "kubelet");
    assert_eq!(r["meaning"]["signal"]["name"], "SIGKILL");
    assert!(r["verdict"]["next"].to_string().contains("240Mi"), "{r}");

    // The terminal layout says the same in words.
    let text = c.kubectl_ok(&["exitcode-explain", "pod/helm-install", "-n", &ns]);
    assert!(
        text.contains("OOM-killed: the container reached its memory limit (120Mi)"),
        "{text}"
    );
    assert!(text.contains("back-off 40s (stage 3/6"), "{text}");
    assert!(text.contains("(3m38s)"), "{text}");
}

#[test]
fn error_137_with_liveness_failures_is_a_probe_kill() {
    let c = cluster();
    let ns = c.create_namespace("exit-probe");
    let node = node_with_arch("amd64");
    let (started, finished) = run_window();
    let uid = crashed_pod(
        &ns,
        "web",
        &node,
        json!({"livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 5, "failureThreshold": 3}}),
        crash_loop(
            json!({"exitCode": 137, "reason": "Error", "startedAt": started, "finishedAt": finished}),
        ),
    );
    // A modern kubelet's event, through events.k8s.io/v1 ...
    let micro = format!("{}.000000Z", finished.trim_end_matches('Z'));
    c.create(
        &json!({
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": unique("web-unhealthy"), "namespace": ns},
            "eventTime": micro, "reportingController": "kubelet", "reportingInstance": node,
            "action": "Probe", "reason": "Unhealthy", "type": "Warning",
            "note": "Liveness probe failed: Get \"http://127.0.0.1:8080/healthz\": context deadline exceeded",
            "regarding": {"kind": "Pod", "apiVersion": "v1", "namespace": ns, "name": "web", "uid": uid, "fieldPath": "spec.containers{app}"}
        })
        .to_string(),
    );
    // ... and the Killing event through core/v1, the way older kubelets write them.
    c.create(
        &json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": unique("web-killing"), "namespace": ns},
            "involvedObject": {"kind": "Pod", "apiVersion": "v1", "namespace": ns, "name": "web", "uid": uid, "fieldPath": "spec.containers{app}"},
            "reason": "Killing", "type": "Normal", "count": 1,
            "message": "Container app failed liveness probe, will be restarted",
            "firstTimestamp": finished, "lastTimestamp": finished,
            "source": {"component": "kubelet", "host": node}
        })
        .to_string(),
    );
    let r = report(&ns, "web");
    assert_eq!(r["verdict"]["kind"], "probeKill", "{r}");
    let ev = evidence(&r);
    assert!(ev.contains("Liveness probe failed"), "{r}");
    assert!(
        ev.contains("failed liveness probe, will be restarted"),
        "{r}"
    );
    assert!(
        ev.contains(
            "livenessProbe: http-get http://:8080/healthz delay=0s timeout=1s period=5s #failure=3"
        ),
        "{r}"
    );
}

#[test]
fn error_137_with_a_node_system_oom_is_a_node_oom() {
    let c = cluster();
    let ns = c.create_namespace("exit-nodeoom");
    let node = node_with_arch("amd64");
    let (started, finished) = run_window();
    crashed_pod(
        &ns,
        "batch",
        &node,
        json!({"resources": {"limits": {"memory": "2Gi"}}}),
        crash_loop(
            json!({"exitCode": 137, "reason": "Error", "startedAt": started, "finishedAt": finished}),
        ),
    );
    // The kubelet records SystemOOM on the Node, in namespace default.
    c.create(
        &json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": unique("node-oom"), "namespace": "default"},
            "involvedObject": {"kind": "Node", "name": node, "uid": node},
            "reason": "SystemOOM", "type": "Warning", "count": 1,
            "message": "System OOM encountered, victim process: batch-worker, pid: 4242",
            "firstTimestamp": finished, "lastTimestamp": finished,
            "source": {"component": "kubelet", "host": node}
        })
        .to_string(),
    );
    let r = report(&ns, "batch");
    assert_eq!(r["verdict"]["kind"], "nodeOom", "{r}");
    assert!(evidence(&r).contains("victim process: batch-worker"), "{r}");
}

#[test]
fn container_status_unknown_137_is_not_an_oom() {
    let c = cluster();
    let ns = c.create_namespace("exit-lost");
    let node = node_with_arch("amd64");
    crashed_pod(
        &ns,
        "lost",
        &node,
        json!({"resources": {"limits": {"memory": "256Mi"}}}),
        json!({"restartCount": 0, "state": {"terminated": {"exitCode": 137, "reason": "ContainerStatusUnknown",
            "message": "The container could not be located when the pod was terminated"}}}),
    );
    let r = report(&ns, "lost");
    assert_eq!(r["verdict"]["kind"], "containerLost", "{r}");
    assert!(
        r["verdict"]["summary"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Not an OOM"),
        "{r}"
    );
    assert_eq!(r["termination"]["source"], "state");
}

#[test]
fn exit_127_is_command_not_found_and_shows_the_command() {
    let c = cluster();
    let ns = c.create_namespace("exit-127");
    let node = node_with_arch("amd64");
    let (started, finished) = run_window();
    crashed_pod(
        &ns,
        "runner",
        &node,
        json!({"command": ["/bin/bash", "/tmp/test.sh"]}),
        crash_loop(
            json!({"exitCode": 127, "reason": "Error", "startedAt": started, "finishedAt": finished,
            "message": "/bin/bash: /tmp/test.sh: No such file or directory"}),
        ),
    );
    let r = report(&ns, "runner");
    assert_eq!(r["verdict"]["kind"], "commandNotFound", "{r}");
    assert!(
        evidence(&r).contains(r#"command: [\"/bin/bash\", \"/tmp/test.sh\"]"#),
        "{r}"
    );
}

#[test]
fn exit_1_on_an_arm64_node_with_an_amd64_image_is_an_arch_mismatch() {
    let c = cluster();
    let ns = c.create_namespace("exit-arch");
    let node = node_with_arch("arm64");
    let (started, finished) = run_window();
    crashed_pod(
        &ns,
        "api",
        &node,
        json!({"image": "registry.example.com/api:2.3-amd64"}),
        crash_loop(
            json!({"exitCode": 1, "reason": "Error", "startedAt": started, "finishedAt": finished,
            "message": "exec /usr/local/bin/api: exec format error"}),
        ),
    );
    let r = report(&ns, "api");
    assert_eq!(r["verdict"]["kind"], "archMismatch", "{r}");
    assert_eq!(
        r["verdict"]["summary"], "Wrong CPU architecture: an amd64 image on an arm64 node",
        "{r}"
    );
    let ev = evidence(&r);
    assert!(
        ev.contains("kubernetes.io/arch = arm64") && ev.contains("its name says amd64"),
        "{r}"
    );
    assert!(ev.contains("exec format error"), "{r}");
}

#[test]
fn scans_list_every_failed_container_and_skip_healthy_ones() {
    let c = cluster();
    let ns = c.create_namespace("exit-scan");
    let node = node_with_arch("amd64");
    let (started, finished) = run_window();
    crashed_pod(
        &ns,
        "oom",
        &node,
        json!({"resources": {"limits": {"memory": "64Mi"}}}),
        crash_loop(
            json!({"exitCode": 137, "reason": "OOMKilled", "startedAt": started, "finishedAt": finished}),
        ),
    );
    crashed_pod(
        &ns,
        "segv",
        &node,
        json!({}),
        crash_loop(
            json!({"exitCode": 139, "reason": "Error", "startedAt": started, "finishedAt": finished}),
        ),
    );
    crashed_pod(
        &ns,
        "healthy",
        &node,
        json!({}),
        json!({"restartCount": 0, "ready": true, "state": {"running": {"startedAt": started}}}),
    );

    let table = c.kubectl_ok(&["exitcode-explain", "-n", &ns]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("POD") && lines[0].contains("EXIT") && lines[0].contains("VERDICT"),
        "{table}"
    );
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        table.contains("oom") && table.contains("OOM: memory limit"),
        "{table}"
    );
    assert!(
        table.contains("segv") && table.contains("segfault"),
        "{table}"
    );
    assert!(!table.contains("healthy"), "{table}");

    // -A with a label selector finds the same two, with their namespace.
    let doc: Value = serde_json::from_str(&c.kubectl_ok(&[
        "exitcode-explain",
        "-A",
        "-l",
        &format!("ns={ns}"),
        "-o",
        "json",
    ]))
    .expect("JSON");
    let pods: Vec<&str> = doc["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["pod"].as_str())
        .collect();
    assert_eq!(pods, ["oom", "segv"], "{doc}");
    assert_eq!(
        c.kubectl_ok(&["exitcode-explain", "-n", &ns, "-o", "name"]),
        "pod/oom\npod/segv\n"
    );

    // A healthy pod asked for by name: nothing to explain, said plainly, success.
    let out = c.kubectl(&["exitcode-explain", "pod/healthy", "-n", &ns]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no container has terminated, restarted or failed to start"),
        "{out:?}"
    );
}

#[test]
fn bad_input_gets_clear_messages_and_exit_codes() {
    let c = cluster();
    let ns = c.create_namespace("exit-bad");
    let cases: [(&[&str], i32, &str); 5] = [
        (
            &["exitcode-explain", "abc"],
            2,
            "\"abc\" is not an exit code",
        ),
        (&["exitcode-explain", ""], 2, "empty exit code"),
        (
            &["exitcode-explain", "--signal", "SIGFOO"],
            2,
            "unknown signal \"SIGFOO\"",
        ),
        (
            &["exitcode-explain", "deploy/web"],
            2,
            "only pods can be explained",
        ),
        (
            &["exitcode-explain", "pod/nope", "-n", &ns],
            3,
            "Error from server (NotFound): pods \"nope\" not found",
        ),
    ];
    for (args, code, message) in cases {
        let out = c.kubectl(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // Huge numbers are folded exactly, not refused.
    let out = c.kubectl_ok(&["exitcode-explain", "--", "-18446744073709551617"]);
    assert!(
        out.starts_with("-18446744073709551617 → 255: Exit status out of range"),
        "{out}"
    );
}

#[test]
fn number_mode_needs_no_cluster_at_all() {
    let c = cluster();
    let mut cmd = c.command(&["exitcode-explain", "137"]);
    cmd.env("KUBECONFIG", "/nonexistent/kubeconfig");
    let out = cmd.output().expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("137: Killed (SIGKILL)"));
    for (code, shown) in [
        ("-1", "255"),
        ("300", "44"),
        ("-300", "212"),
        ("256", "0"),
        ("-256", "0"),
    ] {
        let doc: Value =
            serde_json::from_str(&c.kubectl_ok(&["exitcode-explain", "-o", "json", "--", code]))
                .expect("JSON");
        assert_eq!(doc["exitCode"].to_string(), shown, "{code}: {doc}");
    }
}

#[test]
fn a_user_who_cannot_read_nodes_or_events_still_gets_a_verdict() {
    let c = cluster();
    let ns = c.create_namespace("exit-rbac");
    let node = node_with_arch("amd64");
    let (started, finished) = run_window();
    crashed_pod(
        &ns,
        "app",
        &node,
        json!({"resources": {"limits": {"memory": "64Mi"}}}),
        crash_loop(
            json!({"exitCode": 137, "reason": "OOMKilled", "startedAt": started, "finishedAt": finished}),
        ),
    );
    let user = unique("exit-viewer");
    let kubeconfig = c.add_user(&user);
    c.grant(&ns, &user, "pod-reader", "get,list", "pods");
    let out = c.kubectl_as(&kubeconfig, &["exitcode-explain", "pod/app", "-n", &ns]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("OOM-killed"),
        "{out:?}"
    );
    assert!(
        stderr.contains(&format!("could not read node {node}: forbidden by RBAC")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "could not read events in namespace {ns}: forbidden by RBAC"
        )),
        "{stderr}"
    );

    // Without the right to read the pod itself: exit 7, kubectl's wording.
    let other = c.create_namespace("exit-rbac-other");
    let out = c.kubectl_as(&kubeconfig, &["exitcode-explain", "pod/app", "-n", &other]);
    assert_eq!(out.status.code(), Some(7), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Error from server (Forbidden)"),
        "{out:?}"
    );
}
