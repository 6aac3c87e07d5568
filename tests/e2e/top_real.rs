//! `kubectl top-real` against a real API server, through real kubectl.
//!
//! Node objects carry the FAQ's numbers (`kubectl top` above 100 %: capacity 4030180Ki / allocatable
//! 2213604Ki; unschedulable pods: 3920m / 6180752Ki allocatable) and pods are bound to them with requests and limits. Usage
//! comes from `tests/cluster/cmd/fake-metrics`, the one stand-in: a loopback HTTPS server
//! registered as APIService `v1beta1.metrics.k8s.io` through an ExternalName Service pointing
//! at localhost, so every metrics request goes through kube-apiserver's aggregation layer (and
//! `kubectl top` itself sees the same numbers). Tests that register or break that APIService use
//! a private cluster; the shared cluster has no metrics API, which is the "absent" case of the FAQ on an unavailable metrics API.

use std::time::Duration;

use firstaid_e2e::fake_metrics::{FakeMetrics, apiservice_available};
use firstaid_e2e::{Cluster, ClusterOptions, cluster, unique, wait_until};
use serde_json::{Value, json};

// --- fixtures ----------------------------------------------------------------------------

pub(crate) fn create_node(c: &Cluster, name: &str, capacity: &Value, allocatable: &Value) {
    c.apply(&json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}}).to_string());
    c.set_status(
        "node",
        None,
        name,
        json!({
            "capacity": capacity,
            "allocatable": allocatable,
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "fake node", "lastHeartbeatTime": firstaid_e2e::now_rfc3339(),
                            "lastTransitionTime": firstaid_e2e::now_rfc3339()}],
        }),
    );
}

fn resources(req: (&str, &str), lim: (&str, &str)) -> Value {
    json!({"requests": {"cpu": req.0, "memory": req.1}, "limits": {"cpu": lim.0, "memory": lim.1}})
}

fn container(name: &str, res: &Value) -> Value {
    json!({"name": name, "image": "registry.invalid/app:1", "resources": res})
}

pub(crate) fn pod(ns: &str, name: &str, node: &str, labels: &Value, spec: &Value) -> String {
    let mut spec = spec.clone();
    spec["nodeName"] = json!(node);
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "namespace": ns, "labels": labels}, "spec": spec})
    .to_string()
}

pub(crate) fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The table row of `name`, split on runs of 3+ spaces into cells.
fn row(table: &str, name: &str) -> Vec<String> {
    let line = table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no row for {name} in:\n{table}"));
    line.split("   ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

fn header(table: &str) -> Vec<String> {
    row(table, "NAME")
}

pub(crate) fn cell(table: &str, name: &str, column: &str) -> String {
    let head = header(table);
    let i = head
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {head:?}"));
    row(table, name)[i].clone()
}

pub(crate) fn json_of(out: &std::process::Output) -> Value {
    assert!(out.status.success(), "failed: {}", stderr(out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

/// The node of the FAQ on unschedulable pods: 3920m / 6180752Ki allocatable, and two pods whose effective requests
/// and limits add up to the FAQ's `1605m/6530m` and `2625Mi/5612Mi` only when init containers
/// and sidecars are counted the way the scheduler counts them (a naive container sum gives
/// 2105m), plus a Succeeded pod that must not count.
fn node_with_requests_and_limits(c: &Cluster, node: &str) -> String {
    create_node(
        c,
        node,
        &json!({"cpu": "4", "memory": "7614352Ki", "ephemeral-storage": "61607776Ki", "pods": "40"}),
        &json!({"cpu": "3920m", "memory": "6180752Ki", "ephemeral-storage": "56777726268", "pods": "40"}),
    );
    let ns = c.create_namespace("top-real");
    c.apply(&pod(
        &ns,
        "api",
        node,
        &json!({"app": "api"}),
        &json!({"containers": [container("api", &resources(("1", "2Gi"), ("4", "4Gi")))]}),
    ));
    let mut proxy = container("proxy", &resources(("100m", "77Mi"), ("500m", "216Mi")));
    proxy["restartPolicy"] = json!("Always");
    let migrate = container("migrate", &resources(("605m", "200Mi"), ("605m", "200Mi")));
    let web = container("web", &resources(("400m", "500Mi"), ("2030m", "1300Mi")));
    c.apply(&pod(
        &ns,
        "web",
        node,
        &json!({"app": "web"}),
        &json!({"initContainers": [migrate, proxy], "containers": [web]}),
    ));
    c.apply(&pod(
        &ns,
        "done",
        node,
        &json!({"app": "batch"}),
        &json!({"restartPolicy": "Never", "containers": [container("job", &resources(("2", "2Gi"), ("2", "2Gi")))]}),
    ));
    c.set_status("pod", Some(&ns), "done", json!({"phase": "Succeeded"}));
    ns
}

// --- tests on the shared cluster (no metrics API: the "absent" case) --------------------

#[test]
fn requests_and_limits_without_a_metrics_api() {
    let c = cluster();
    let node = unique("t15");
    node_with_requests_and_limits(c, &node);

    let out = c.kubectl(&["top-real", "nodes", &node]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert_eq!(cell(&table, &node, "CPU REQ"), "1605m (40%)", "{table}");
    assert_eq!(cell(&table, &node, "CPU LIM"), "6530m (166%)", "{table}");
    assert_eq!(cell(&table, &node, "MEM REQ"), "2625Mi (43%)", "{table}");
    assert_eq!(cell(&table, &node, "MEM LIM"), "5612Mi (92%)", "{table}");
    assert_eq!(cell(&table, &node, "PODS"), "2/40", "{table}");
    assert_eq!(cell(&table, &node, "CPU"), "-", "{table}");
    let err = stderr(&out);
    assert!(
        err.contains("APIService v1beta1.metrics.k8s.io does not exist"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{node} cpu limits 166%")),
        "overcommit flagged: {err}"
    );

    let wide = c.kubectl_ok(&["top-real", "nodes", &node, "-o", "wide", "--no-headers"]);
    for expected in ["4000m", "3920m", "80m", "7436Mi", "6036Mi", "1400Mi"] {
        assert!(wide.contains(expected), "{expected} in {wide}");
    }

    let doc = json_of(&c.kubectl(&["top-real", "nodes", &node, "-o", "json"]));
    assert_eq!(doc["kind"], "NodeUsage");
    assert_eq!(doc["metrics"]["available"], false);
    assert_eq!(doc["metrics"]["reason"], "APIServiceNotFound");
    let item = &doc["items"][0];
    assert_eq!(item["cpuMillicores"]["requests"], 1605);
    assert_eq!(item["cpuMillicores"]["limits"], 6530);
    assert_eq!(item["cpuMillicores"]["overcommitted"], true);
    assert_eq!(item["memoryBytes"]["requests"], 2625_i64 * 1024 * 1024);
    assert_eq!(item["memoryBytes"]["limits"], 5612_i64 * 1024 * 1024);
    assert_eq!(item["memoryBytes"]["allocatable"], 6_180_752_i64 * 1024);
    assert_eq!(item["memoryBytes"]["usage"], Value::Null);
    assert_eq!(item["pods"]["count"], 2);

    let yaml = c.kubectl_ok(&["top-real", "nodes", &node, "-o", "yaml"]);
    assert!(
        yaml.contains("kind: NodeUsage") && yaml.contains("requests: 1605"),
        "{yaml}"
    );
}

#[test]
fn pods_view_without_metrics_shows_requests_limits_and_missing_limits() {
    let c = cluster();
    let node = unique("t15p");
    let ns = node_with_requests_and_limits(c, &node);
    c.apply(&pod(
        &ns,
        "free",
        &node,
        &json!({"app": "free"}),
        &json!({"containers": [{"name": "c", "image": "x"}]}),
    ));

    let out = c.kubectl(&["top-real", "pods", "-n", &ns]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert_eq!(cell(&table, "web", "CPU REQ"), "605m", "{table}");
    assert_eq!(cell(&table, "web", "CPU LIM"), "2530m", "{table}");
    assert_eq!(cell(&table, "web", "MEM REQ"), "577Mi", "{table}");
    assert_eq!(cell(&table, "free", "NOTES"), "no limits", "{table}");
    assert!(
        !table.contains("done"),
        "terminated pods are not shown: {table}"
    );
    assert!(stderr(&out).contains("APIService v1beta1.metrics.k8s.io does not exist"));

    let table = c.kubectl_ok(&[
        "top-real",
        "pods",
        "-n",
        &ns,
        "-l",
        "app=web",
        "--containers",
    ]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "header + proxy + web: {table}");
    assert!(
        lines[1].contains("proxy") && lines[2].contains("web"),
        "{table}"
    );

    let out = c.kubectl(&["top-real", "pods", "-n", &ns, "nope"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains(r#"pods "nope" not found"#));
}

#[test]
fn bad_input_and_rbac_errors() {
    let c = cluster();
    let out = c.kubectl(&["top-real", "deployments"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("use `nodes` or `pods`"));
    let out = c.kubectl(&["top-real", "--sort-by", "colour"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("mem%alloc"), "{}", stderr(&out));
    let out = c.kubectl(&["top-real", "nodes", &unique("absent")]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));

    let user = unique("viewer");
    let kubeconfig = c.add_user(&user);
    let out = c.kubectl_as(&kubeconfig, &["top-real"]);
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(r#"cannot list resource "nodes""#),
        "{}",
        stderr(&out)
    );

    // Allowed nodes and pods but not metrics: everything else still shows, and says why.
    let role = unique("top-real-reader");
    c.kubectl_ok(&[
        "create",
        "clusterrole",
        &role,
        "--verb=get,list",
        "--resource=nodes,pods",
    ]);
    c.kubectl_ok(&[
        "create",
        "clusterrolebinding",
        &role,
        "--clusterrole",
        &role,
        "--user",
        &user,
    ]);
    let node = unique("rbac");
    create_node(
        c,
        &node,
        &json!({"cpu": "2", "memory": "4Gi", "pods": "10"}),
        &json!({"cpu": "2", "memory": "4Gi", "pods": "10"}),
    );
    let doc = json_of(&c.kubectl_as(&kubeconfig, &["top-real", "nodes", &node, "-o", "json"]));
    // With no metrics API at all the group is unknown, so RBAC decides first.
    assert_eq!(doc["metrics"]["reason"], "Forbidden", "{doc}");
    assert_eq!(doc["items"][0]["cpuMillicores"]["allocatable"], 2000);
    c.kubectl_ok(&["delete", "clusterrolebinding", &role]);
    c.kubectl_ok(&["delete", "clusterrole", &role]);
}

// --- through the aggregation layer (private cluster: it registers and breaks the APIService) --

#[test]
fn usage_through_the_aggregation_layer() {
    let c = Cluster::start(ClusterOptions {
        controller_manager: false,
        ..ClusterOptions::default()
    })
    .expect("private cluster starts");
    let metrics = FakeMetrics::start(c.dir());

    // The FAQ on `kubectl top` above 100 %: the prose's capacity, and the describe dump's (Appendix A erratum).
    let faq = "192.168.0.243";
    let dump = "192.168.0.243-dump";
    create_node(
        &c,
        faq,
        &json!({"cpu": "2", "memory": "4030180Ki", "pods": "40"}),
        &json!({"cpu": "1960m", "memory": "2213604Ki", "pods": "40"}),
    );
    create_node(
        &c,
        dump,
        &json!({"cpu": "2", "memory": "3494556Ki", "pods": "40"}),
        &json!({"cpu": "1960m", "memory": "2213604Ki", "pods": "40"}),
    );
    let ns = c.create_namespace("shop");
    c.apply(&pod(
        &ns,
        "web",
        faq,
        &json!({"app": "web"}),
        &json!({"containers": [
            container("app", &resources(("250m", "256Mi"), ("500m", "512Mi"))),
            container("log", &resources(("10m", "16Mi"), ("50m", "32Mi"))),
        ]}),
    ));
    c.apply(&pod(
        &ns,
        "cache",
        faq,
        &json!({"app": "cache"}),
        &json!({"containers": [
            container("redis", &resources(("100m", "128Mi"), ("1", "1Gi"))),
        ]}),
    ));
    let node_usage = json!({"usage": {"cpu": "78528126n", "memory": "2413824Ki"},
                            "timestamp": firstaid_e2e::now_rfc3339(), "window": "1m0.177s"});
    let mut faq_metrics = node_usage.clone();
    faq_metrics["metadata"] = json!({"name": faq});
    let mut dump_metrics = node_usage;
    dump_metrics["metadata"] = json!({"name": dump});
    metrics.serve(&json!({
        "nodes": [faq_metrics, dump_metrics],
        "pods": [
            {"metadata": {"name": "web", "namespace": ns, "labels": {"app": "web"}},
             "containers": [{"name": "app", "usage": {"cpu": "300m", "memory": "476Mi"}},
                            {"name": "log", "usage": {"cpu": "1m", "memory": "8Mi"}}]},
            {"metadata": {"name": "cache", "namespace": ns, "labels": {"app": "cache"}},
             "containers": [{"name": "redis", "usage": {"cpu": "20m", "memory": "100Mi"}}]},
        ]
    }));
    metrics.register(&c);
    wait_until(
        Duration::from_secs(60),
        "the metrics APIService to be Available",
        || apiservice_available(&c).as_deref() == Some("True"),
    );

    // The FAQ's broken view, reproduced with kubectl itself.
    let top = c.kubectl_ok(&["top", "node", faq]);
    let top_row = row(&top, faq);
    assert_eq!(top_row[1..], ["79m", "4%", "2357Mi", "109%"], "{top}");

    let out = c.kubectl(&["top-real"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert_eq!(cell(&table, faq, "CPU"), "79m");
    assert_eq!(cell(&table, faq, "CPU%ALLOC"), "4%");
    assert_eq!(cell(&table, faq, "MEMORY"), "2357Mi");
    assert_eq!(cell(&table, faq, "MEM%ALLOC"), "109%");
    assert_eq!(cell(&table, faq, "MEM%CAP"), "59.9%");
    assert_eq!(cell(&table, dump, "MEM%CAP"), "69.1%");
    assert_eq!(cell(&table, faq, "CPU REQ"), "360m (18%)");
    assert_eq!(cell(&table, faq, "PODS"), "2/40");
    let notes = stderr(&out);
    assert!(notes.contains("2357Mi is 109% of allocatable"), "{notes}");
    assert!(notes.contains("59.9% of capacity"), "{notes}");
    assert!(notes.contains("kubernetes/kubernetes#86499"), "{notes}");
    assert!(notes.contains("averaged over 1m"), "{notes}");

    let doc = json_of(&c.kubectl(&["top-real", "nodes", faq, "-o", "json"]));
    assert_eq!(doc["metrics"]["available"], true);
    let mem = &doc["items"][0]["memoryBytes"];
    assert_eq!(mem["usage"], 2_413_824_i64 * 1024);
    assert_eq!(mem["reserved"], 1_816_576_i64 * 1024);
    let alloc = mem["usagePercentOfAllocatable"]
        .as_f64()
        .unwrap_or_default();
    let cap = mem["usagePercentOfCapacity"].as_f64().unwrap_or_default();
    assert!(
        (alloc - 109.04).abs() < 0.01 && (cap - 59.89).abs() < 0.01,
        "{mem}"
    );
    let window = doc["items"][0]["metrics"]["windowSeconds"]
        .as_f64()
        .unwrap_or_default();
    assert!((window - 60.177).abs() < 1e-6, "{doc}");

    // Sorting by the "real" figure puts the dump's smaller capacity first.
    let sorted = c.kubectl_ok(&["top-real", "--sort-by", "mem%cap", "--no-headers"]);
    assert!(
        sorted.lines().next().is_some_and(|l| l.starts_with(dump)),
        "{sorted}"
    );

    // Pods: usage vs requests and limits, the OOM risk flagged.
    let out = c.kubectl(&["top-real", "pods", "-n", &ns, "--sort-by", "mem%lim"]);
    let table = stdout(&out);
    assert!(
        table.lines().nth(1).is_some_and(|l| l.starts_with("web")),
        "{table}"
    );
    assert_eq!(cell(&table, "web", "MEMORY"), "484Mi");
    assert_eq!(cell(&table, "web", "MEM%LIM"), "88%");
    assert_eq!(
        cell(&table, "web", "NOTES"),
        "OOM risk: app at 92% of memory limit; memory above request"
    );
    assert!(
        stderr(&out).contains(&format!("{ns}/web container app (92%)")),
        "{}",
        stderr(&out)
    );
    let containers = c.kubectl_ok(&["top-real", "pods", "-n", &ns, "web", "--containers"]);
    let app = containers
        .lines()
        .find(|l| l.contains(" app "))
        .unwrap_or_default();
    assert!(
        app.contains("476Mi") && app.contains("92%") && app.contains("OOM risk"),
        "{containers}"
    );
    let doc = json_of(&c.kubectl(&["top-real", "pods", "-A", "-l", "app=web", "-o", "json"]));
    assert_eq!(doc["items"].as_array().map(Vec::len), Some(1), "{doc}");
    assert_eq!(doc["items"][0]["flags"][0]["kind"], "NearMemoryLimit");
    assert_eq!(doc["items"][0]["cpuMillicores"]["usage"], 301);

    // The FAQs on an unavailable metrics API: the metrics server stops answering; the aggregator marks the
    // APIService unavailable, kubectl top fails, top-real shows the rest and names the cause.
    metrics.serve(&json!({"fail": 503}));
    wait_until(
        Duration::from_secs(60),
        "the metrics APIService to be unavailable",
        || apiservice_available(&c).as_deref() == Some("False"),
    );
    let top = c.kubectl(&["top", "node"]);
    assert!(!top.status.success());
    let out = c.kubectl(&["top-real", "-o", "wide"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (table, err) = (stdout(&out), stderr(&out));
    assert!(err.contains("v1beta1.metrics.k8s.io (backed by Service kube-system/fake-metrics) is not Available (FailedDiscoveryCheck"), "{err}");
    assert!(err.contains("not the network"), "{err}");
    assert_eq!(cell(&table, faq, "MEMORY"), "-");
    assert_eq!(cell(&table, faq, "MEM ALLOC"), "2162Mi");
    assert_eq!(cell(&table, faq, "CPU REQ"), "360m (18%)");
    let doc = json_of(&c.kubectl(&["top-real", "pods", "-A", "-o", "json"]));
    assert_eq!(doc["metrics"]["reason"], "APIServiceUnavailable");
    assert_eq!(doc["items"].as_array().map(Vec::len), Some(2));

    // The APIService removed altogether.
    c.kubectl_ok(&["delete", "apiservice", "v1beta1.metrics.k8s.io"]);
    let doc = json_of(&c.kubectl(&["top-real", "-o", "json"]));
    assert_eq!(doc["metrics"]["reason"], "APIServiceNotFound", "{doc}");
    assert_eq!(doc["items"].as_array().map(Vec::len), Some(2));
}
