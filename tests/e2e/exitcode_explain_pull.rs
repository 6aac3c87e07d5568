//! `kubectl exitcode-explain` on containers that never started: image pulls and missing
//! configuration, against a real API server through real kubectl.
//!
//! As in the crash tests, each test plays the kubelet: the waiting state goes through the status
//! subresource, the `Failed to pull image` events through the events API, in the runtimes' own
//! words; ServiceAccounts, Secrets and node conditions are real objects.

use firstaid_e2e::{cluster, unique};
use serde_json::{Value, json};

use crate::exitcode_explain::{evidence, node_with_arch, pod_with, report};

const BACK_OFF: &str = "Back-off pulling image";

fn waiting(reason: &str, message: &str) -> Value {
    json!({"restartCount": 0, "state": {"waiting": {"reason": reason, "message": message}}})
}

/// A pod whose container `app` waits in `reason`, with `image` and pod-level `spec` extras.
fn stuck(ns: &str, name: &str, node: &str, image: &str, spec: &Value, reason: &str, message: &str) {
    let message = if message == BACK_OFF {
        format!("Back-off pulling image \"{image}\"")
    } else {
        message.to_owned()
    };
    pod_with(
        ns,
        name,
        node,
        spec,
        json!({"image": image}),
        waiting(reason, &message),
    );
}

/// The kubelet's `Failed` event about container `app` of pod `name`.
fn failed_event(ns: &str, name: &str, node: &str, message: &str) {
    let uid = cluster().get("pod", Some(ns), name).expect("pod")["metadata"]["uid"]
        .as_str()
        .expect("uid")
        .to_owned();
    let now = firstaid_e2e::now_rfc3339();
    cluster().create(
        &json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": unique(&format!("{name}-failed")), "namespace": ns},
            "involvedObject": {"kind": "Pod", "apiVersion": "v1", "namespace": ns, "name": name,
                               "uid": uid, "fieldPath": "spec.containers{app}"},
            "reason": "Failed", "type": "Warning", "count": 5,
            "message": message, "firstTimestamp": now, "lastTimestamp": now,
            "source": {"component": "kubelet", "host": node}
        })
        .to_string(),
    );
}

const RATE_LIMIT: &str = "failed to pull and unpack image \"docker.io/library/nginx:1.25\": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/nginx/manifests/sha256:0d17b565: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit";

#[test]
fn pull_failures_name_their_cause_with_evidence() {
    let c = cluster();
    let ns = c.create_namespace("exit-pull");
    let node = node_with_arch("amd64");
    c.set_status(
        "node",
        None,
        &node,
        json!({
            "nodeInfo": {"containerRuntimeVersion": "containerd://1.7.13", "architecture": "amd64",
                         "machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": "",
                         "osImage": "", "kubeletVersion": "", "kubeProxyVersion": "", "operatingSystem": "linux"},
            "conditions": [
                {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "fake node",
                 "lastHeartbeatTime": firstaid_e2e::now_rfc3339(), "lastTransitionTime": firstaid_e2e::now_rfc3339()},
                {"type": "DiskPressure", "status": "True", "reason": "KubeletHasDiskPressure",
                 "message": "kubelet has disk pressure",
                 "lastHeartbeatTime": firstaid_e2e::now_rfc3339(), "lastTransitionTime": firstaid_e2e::now_rfc3339()}
            ]
        }),
    );

    // Docker Hub's rate limit, known only from the event once the kubelet backs off.
    stuck(
        &ns,
        "limited",
        &node,
        "nginx:1.25",
        &json!({}),
        "ImagePullBackOff",
        BACK_OFF,
    );
    failed_event(
        &ns,
        "limited",
        &node,
        &format!("Failed to pull image \"nginx:1.25\": {RATE_LIMIT}"),
    );
    let r = report(&ns, "limited");
    assert_eq!(r["verdict"]["kind"], "pullRateLimited", "{r}");
    assert_eq!(r["pull"]["registry"], "registry-1.docker.io", "{r}");
    assert!(evidence(&r).contains("toomanyrequests"), "{r}");

    // A private CA: where containerd (the node's runtime) reads it.
    stuck(
        &ns,
        "private-ca",
        &node,
        "harbor.example.com/app/web:1.0",
        &json!({}),
        "ImagePullBackOff",
        BACK_OFF,
    );
    failed_event(
        &ns,
        "private-ca",
        &node,
        "Failed to pull image \"harbor.example.com/app/web:1.0\": rpc error: code = Unknown desc = failed to pull and unpack image \"harbor.example.com/app/web:1.0\": failed to resolve reference \"harbor.example.com/app/web:1.0\": failed to do request: Head \"https://harbor.example.com/v2/app/web/manifests/1.0\": tls: failed to verify certificate: x509: certificate signed by unknown authority",
    );
    let r = report(&ns, "private-ca");
    assert_eq!(r["verdict"]["kind"], "registryCertUntrusted", "{r}");
    let next = r["verdict"]["next"].to_string();
    assert!(
        next.contains("/etc/containerd/certs.d/harbor.example.com/hosts.toml"),
        "{r}"
    );
    assert!(
        !next.contains("/etc/docker/certs.d"),
        "only the node's runtime: {r}"
    );

    // Straight from the waiting message: a tag that does not exist, a full image disk
    // (confirmed by the node's DiskPressure), a registry the node cannot resolve (the FAQ's).
    let cases = [
        (
            "missing-tag",
            "docker.io/library/nginx:1.99.99",
            "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:1.99.99\": failed to resolve reference \"docker.io/library/nginx:1.99.99\": docker.io/library/nginx:1.99.99: not found",
            "imageNotFound",
            "docker manifest inspect docker.io/library/nginx:1.99.99".to_owned(),
        ),
        (
            "disk-full",
            "postgres:16",
            "failed to pull and unpack image \"docker.io/library/postgres:16\": failed to extract layer sha256:5d6b: write /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/48/fs/x: no space left on device: unknown",
            "imageDiskFull",
            format!("node {node} condition DiskPressure=True"),
        ),
        (
            "no-dns",
            "registry.internal:5000/app:1.0",
            "Error response from daemon: Get https://registry.internal:5000/v2/: dial tcp: lookup registry.internal: no such host",
            "registryNotResolved",
            "getent hosts registry.internal ".to_owned(),
        ),
    ];
    for (name, image, message, kind, shown) in cases {
        stuck(&ns, name, &node, image, &json!({}), "ErrImagePull", message);
        let r = report(&ns, name);
        assert_eq!(r["verdict"]["kind"], kind, "{r}");
        assert!(r["verdict"].to_string().contains(&shown), "{shown}: {r}");
    }

    // The terminal layout says it in words.
    let text = c.kubectl_ok(&["exitcode-explain", "pod/limited", "-n", &ns]);
    assert!(
        text.contains("Rate limited: registry-1.docker.io refused more anonymous pulls"),
        "{text}"
    );
}

#[test]
fn unauthorized_pulls_name_the_pull_secrets_and_whether_they_exist() {
    let c = cluster();
    let ns = c.create_namespace("exit-auth");
    let node = node_with_arch("amd64");
    c.apply(
        &json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "builder", "namespace": ns},
        "imagePullSecrets": [{"name": "old-cred"}]})
        .to_string(),
    );
    c.apply(&json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
        "metadata": {"name": "regcred", "namespace": ns},
        "stringData": {".dockerconfigjson": "{\"auths\":{\"registry.example.com\":{\"auth\":\"c2VjcmV0LXZhbHVl\"}}}"}}).to_string());
    stuck(
        &ns,
        "private",
        &node,
        "registry.example.com/team/app:1.0",
        &json!({"serviceAccountName": "builder", "imagePullSecrets": [{"name": "regcred"}]}),
        "ErrImagePull",
        "failed to pull and unpack image \"registry.example.com/team/app:1.0\": failed to resolve reference \"registry.example.com/team/app:1.0\": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized",
    );
    let r = report(&ns, "private");
    assert_eq!(r["verdict"]["kind"], "pullUnauthorized", "{r}");
    let ev = evidence(&r);
    assert!(
        ev.contains("pod spec.imagePullSecrets: regcred (exists)"),
        "{r}"
    );
    assert!(
        ev.contains("serviceAccount builder imagePullSecrets: old-cred (missing)"),
        "{r}"
    );
    assert!(
        r["verdict"]["summary"]
            .to_string()
            .contains("old-cred does not exist"),
        "{r}"
    );
    // Names only: the secret's data never reaches the output.
    let text = c.kubectl_ok(&["exitcode-explain", "pod/private", "-n", &ns, "-o", "yaml"]);
    assert!(
        !text.contains("c2VjcmV0LXZhbHVl") && !text.contains("dockerconfigjson\":"),
        "{text}"
    );
}

#[test]
fn a_scan_groups_pods_that_cannot_pull_the_same_way() {
    let c = cluster();
    let ns = c.create_namespace("exit-group");
    let node = node_with_arch("amd64");
    for name in ["web-1", "web-2", "web-3"] {
        stuck(
            &ns,
            name,
            &node,
            "nginx:1.25",
            &json!({}),
            "ImagePullBackOff",
            BACK_OFF,
        );
        failed_event(
            &ns,
            name,
            &node,
            &format!("Failed to pull image \"nginx:1.25\": {RATE_LIMIT}"),
        );
    }
    stuck(
        &ns,
        "typo",
        &node,
        "Nginx:1.25",
        &json!({}),
        "InvalidImageName",
        "Failed to apply default image tag \"Nginx:1.25\": couldn't parse image reference \"Nginx:1.25\": invalid reference format: repository name must be lowercase",
    );

    let table = c.kubectl_ok(&["exitcode-explain", "-n", &ns]);
    assert!(
        table.contains("3 pods can't pull from registry-1.docker.io: rate limit"),
        "{table}"
    );
    assert!(
        table.contains("typo") && table.contains("invalid image name"),
        "{table}"
    );
    assert!(
        !table.lines().any(|l| l.starts_with("web-")),
        "grouped pods are one line: {table}"
    );

    let doc: Value =
        serde_json::from_str(&c.kubectl_ok(&["exitcode-explain", "-n", &ns, "-o", "json"]))
            .expect("JSON");
    assert_eq!(doc["items"].as_array().map(Vec::len), Some(4), "{doc}");
    let group = &doc["pullGroups"][0];
    assert_eq!(group["cause"], "rateLimited", "{doc}");
    assert_eq!(group["pods"].as_array().map(Vec::len), Some(3), "{doc}");
}

#[test]
fn create_container_config_error_names_the_missing_key() {
    let c = cluster();
    let ns = c.create_namespace("exit-config");
    let node = node_with_arch("amd64");
    c.apply(
        &json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "app-config", "namespace": ns}, "data": {"LOG_LEVEL": "info"}})
        .to_string(),
    );
    pod_with(
        &ns,
        "web",
        &node,
        &json!({}),
        json!({"env": [{"name": "DB_URL", "valueFrom": {"configMapKeyRef": {"name": "app-config", "key": "DB_URL"}}}]}),
        waiting(
            "CreateContainerConfigError",
            &format!("couldn't find key DB_URL in ConfigMap {ns}/app-config"),
        ),
    );
    let r = report(&ns, "web");
    assert_eq!(r["verdict"]["kind"], "configMissing", "{r}");
    assert_eq!(
        r["verdict"]["summary"], "Never started: configmap \"app-config\" has no key \"DB_URL\"",
        "{r}"
    );
    assert!(
        r["verdict"]["next"]
            .to_string()
            .contains(&format!("kubectl get configmap app-config -n {ns}")),
        "{r}"
    );

    pod_with(
        &ns,
        "api",
        &node,
        &json!({}),
        json!({}),
        waiting(
            "CreateContainerConfigError",
            "secret \"db-credentials\" not found",
        ),
    );
    let r = report(&ns, "api");
    assert_eq!(
        r["verdict"]["summary"],
        format!("Never started: secret \"db-credentials\" does not exist in namespace {ns}"),
        "{r}"
    );
}
