//! top-real: `kubectl top-real` over N pods on N/30 nodes (run with `--objects 30000` for 1,000
//! nodes and 30,000 pods), against `kubectl top node` and the peer kubectl-view-allocations
//! (crates.io; scripts/bench installs it) in the same run.
//!
//! Nodes carry capacity/allocatable/Ready status; pods are bound with `nodeName` and carry requests
//! and limits (every tenth with an init container and a sidecar, so the scheduler rules are
//! exercised). Usage comes from the fake metrics server through the real aggregation layer, one
//! NodeMetrics per node: `kubectl top node` needs it to work at all. top-real reads far more
//! (every pod); the `floor:` rows time the server serving just those pods to curl, which is as
//! fast as any pod-reading tool can be.

use std::time::Duration;

use firstaid_e2e::fake_metrics::{FakeMetrics, apiservice_available};
use firstaid_e2e::wait_until;
use serde_json::json;

use crate::harness::{Bench, Scenario};

pub const SCENARIO: Scenario = Scenario {
    name: "top-real",
    about: "kubectl top-real over N pods on N/30 nodes vs kubectl top node",
    run,
};

const PODS_PER_NODE: usize = 30;
const NAMESPACES: usize = 10;
/// top-real's pod field selector (plugins/top-real/src/fetch.rs).
const NON_TERMINATED: &str = "status.phase!=Succeeded,status.phase!=Failed";
const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";

fn urlencoded(s: &str) -> String {
    s.replace('!', "%21")
        .replace('=', "%3D")
        .replace(',', "%2C")
}

fn run(b: &mut Bench) -> anyhow::Result<()> {
    let nodes = (b.objects / PODS_PER_NODE).max(1);
    let node_name = |i: usize| format!("bench-node-{i:05}");
    b.seed(nodes, |i| {
        let resources = json!({"cpu": "16", "memory": "64Gi", "pods": "110"});
        json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": node_name(i), "labels": {"kubernetes.io/hostname": node_name(i)}},
            "status": {
                "capacity": resources,
                "allocatable": {"cpu": "15890m", "memory": "62Gi", "pods": "110"},
                "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                "message": "bench node", "lastHeartbeatTime": firstaid_e2e::now_rfc3339(),
                                "lastTransitionTime": firstaid_e2e::now_rfc3339()}],
            },
        })
    })?;
    let namespaces: Vec<String> = (0..NAMESPACES)
        .map(|_| b.cluster.create_namespace("bench-top"))
        .collect();
    let container = |name: &str, cpu: &str, mem: &str| {
        json!({"name": name, "image": "registry.invalid/app:1", "resources": {
            "requests": {"cpu": cpu, "memory": mem},
            "limits": {"cpu": cpu, "memory": mem}}})
    };
    b.seed(b.objects, |i| {
        let mut spec = json!({
            "nodeName": node_name(i % nodes),
            "containers": [container("app", "100m", "128Mi")],
        });
        if i % 10 == 0 {
            let mut sidecar = container("proxy", "50m", "64Mi");
            sidecar["restartPolicy"] = json!("Always");
            spec["initContainers"] = json!([container("migrate", "500m", "256Mi"), sidecar]);
        }
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("pod-{i:06}"), "namespace": namespaces[i % NAMESPACES],
                         "labels": {"app": format!("app-{}", i % 50)}},
            "spec": spec,
        })
    })?;

    let metrics = FakeMetrics::start(b.cluster.dir());
    let node_metrics: Vec<_> = (0..nodes)
        .map(|i| {
            json!({"metadata": {"name": node_name(i)}, "window": "20s",
                   "usage": {"cpu": format!("{}m", 500 + i % 3000), "memory": format!("{}Mi", 4096 + i % 20000)}})
        })
        .collect();
    metrics.serve(&json!({"nodes": node_metrics, "pods": []}));
    metrics.register(&b.cluster);
    wait_until(
        Duration::from_secs(60),
        "the metrics APIService to be Available",
        || apiservice_available(&b.cluster).as_deref() == Some("True"),
    );

    let ours = b.measure("kubectl-top_real (nodes, all pods read)", || {
        b.plugin("top-real", &[])
    })?;
    let json = b.measure("kubectl-top_real -o json", || {
        b.plugin("top-real", &["-o", "json"])
    })?;
    let base = b.measure("kubectl top node", || b.kubectl(&["top", "node"]))?;
    // The peer: requests, limits and allocatable per node from every pod, the same reads as ours.
    let peer = match b.peer("kubectl-view-allocations") {
        Some(bin) => Some(
            b.measure("peer: kubectl-view-allocations -g resource -g node", || {
                b.peer_command(&bin, &["--group-by", "resource", "--group-by", "node"])
            })?,
        ),
        None => None,
    };
    // The floor: the server's time to serve the same pods with nothing decoded, in one response
    // (consistent, and resourceVersion=0 straight from the watch cache). No tool that reads every
    // pod can finish faster than this; `kubectl top node` reads no pods at all.
    let pods = format!("/api/v1/pods?fieldSelector={}", urlencoded(NON_TERMINATED));
    let rv0 = format!("{pods}&resourceVersion=0");
    for (label, path, accept) in [
        ("floor: curl pods, one list, protobuf", &pods, PROTOBUF),
        (
            "floor: curl pods, resourceVersion=0, protobuf",
            &rv0,
            PROTOBUF,
        ),
        (
            "floor: curl pods, resourceVersion=0, json",
            &rv0,
            "application/json",
        ),
    ] {
        b.measure(label, || b.curl(path, accept))?;
    }
    b.ratio(&ours, &base);
    b.ratio(&json, &base);
    if let Some(peer) = &peer {
        b.ratio(&ours, peer);
    }
    b.no_peers("kube-capacity (Go) is not served by the Go module proxy here, so it has no row");
    Ok(())
}
