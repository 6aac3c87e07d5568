//! `kubectl top-real` on every resource the scheduler counts: a GPU node's `nvidia.com/gpu` and
//! `ephemeral-storage`, written into the Node's status as a device plugin and the kubelet would,
//! and pods requesting them, against a real API server through real kubectl.

use firstaid_e2e::{cluster, unique};
use serde_json::{Value, json};

use crate::top_real::{cell, create_node, json_of, pod, stderr, stdout};

/// A node with 4 GPUs and 90Gi allocatable ephemeral storage, and two pods asking for 3 GPUs
/// and 5Gi of storage between them — 3Gi of it by an init container, which the scheduler
/// counts because it is larger than the app container's 1Gi.
fn gpu_node() -> (String, String) {
    let c = cluster();
    let node = unique("gpu");
    create_node(
        c,
        &node,
        &json!({"cpu": "8", "memory": "32Gi", "pods": "110", "nvidia.com/gpu": "4",
                "ephemeral-storage": "100Gi", "hugepages-2Mi": "0"}),
        &json!({"cpu": "7910m", "memory": "30Gi", "pods": "110", "nvidia.com/gpu": "4",
                "ephemeral-storage": "90Gi", "hugepages-2Mi": "0"}),
    );
    let ns = c.create_namespace("top-gpu");
    c.apply(&pod(&ns, "train", &node, &json!({"app": "train"}), &json!({"containers": [
        {"name": "train", "image": "registry.invalid/train:1", "resources": {
            "requests": {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "2", "ephemeral-storage": "2Gi"},
            "limits": {"nvidia.com/gpu": "2", "ephemeral-storage": "4Gi"}}}]})));
    c.apply(&pod(
        &ns,
        "infer",
        &node,
        &json!({"app": "infer"}),
        &json!({
        "initContainers": [{"name": "fetch-model", "image": "registry.invalid/fetch:1",
            "resources": {"requests": {"ephemeral-storage": "3Gi"}}}],
        "containers": [{"name": "infer", "image": "registry.invalid/infer:1", "resources": {
            "requests": {"nvidia.com/gpu": "1", "ephemeral-storage": "1Gi"},
            "limits": {"nvidia.com/gpu": "1"}}}]}),
    ));
    (node, ns)
}

#[test]
fn a_gpu_nodes_gpus_and_ephemeral_storage_in_table_and_json() {
    let c = cluster();
    let (node, ns) = gpu_node();

    let out = c.kubectl(&["top-real", "nodes", &node]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert_eq!(cell(&table, &node, "NVIDIA.COM/GPU ALLOC"), "4", "{table}");
    assert_eq!(
        cell(&table, &node, "NVIDIA.COM/GPU REQ"),
        "3 (75%)",
        "{table}"
    );
    assert_eq!(
        cell(&table, &node, "NVIDIA.COM/GPU LIM"),
        "3 (75%)",
        "{table}"
    );
    assert_eq!(
        cell(&table, &node, "EPHEMERAL-STORAGE ALLOC"),
        "90Gi",
        "{table}"
    );
    assert_eq!(
        cell(&table, &node, "EPHEMERAL-STORAGE REQ"),
        "5120Mi (5%)",
        "{table}"
    );
    assert_eq!(
        cell(&table, &node, "EPHEMERAL-STORAGE LIM"),
        "4096Mi (4%)",
        "{table}"
    );
    assert!(
        !table.contains("HUGEPAGES-2MI"),
        "zero everywhere: not in the table: {table}"
    );
    assert!(
        stderr(&out)
            .contains("ephemeral-storage, nvidia.com/gpu: requests, limits and allocatable only"),
        "{}",
        stderr(&out)
    );

    // -o wide shows every resource present, capacity included.
    let wide = c.kubectl_ok(&["top-real", "nodes", &node, "-o", "wide"]);
    assert_eq!(cell(&wide, &node, "HUGEPAGES-2MI ALLOC"), "0", "{wide}");
    assert_eq!(
        cell(&wide, &node, "EPHEMERAL-STORAGE CAP"),
        "100Gi",
        "{wide}"
    );

    // --resources chooses.
    let only_gpu = c.kubectl_ok(&["top-real", "nodes", &node, "--resources", "nvidia.com/gpu"]);
    assert!(
        only_gpu.contains("NVIDIA.COM/GPU REQ") && !only_gpu.contains("EPHEMERAL"),
        "{only_gpu}"
    );
    let hidden = c.kubectl_ok(&["top-real", "nodes", &node, "--resources", "none"]);
    assert!(!hidden.contains("NVIDIA"), "{hidden}");

    let doc = json_of(&c.kubectl(&["top-real", "nodes", &node, "-o", "json"]));
    let other = &doc["items"][0]["otherResources"];
    assert_eq!(other["nvidia.com/gpu"]["allocatable"], 4, "{doc}");
    assert_eq!(other["nvidia.com/gpu"]["requests"], 3, "{doc}");
    assert_eq!(other["nvidia.com/gpu"]["usage"], Value::Null, "{doc}");
    assert_eq!(other["ephemeral-storage"]["requests"], 5_i64 << 30, "{doc}");
    assert_eq!(
        other["ephemeral-storage"]["capacity"],
        100_i64 << 30,
        "{doc}"
    );
    assert_eq!(other["hugepages-2Mi"]["allocatable"], 0, "{doc}");

    // The pods' own share, by the scheduler's rule (the init container's 3Gi wins over 1Gi).
    let pod_table = c.kubectl_ok(&["top-real", "pods", "-n", &ns]);
    assert_eq!(
        cell(&pod_table, "train", "NVIDIA.COM/GPU REQ/LIM"),
        "2/2",
        "{pod_table}"
    );
    assert_eq!(
        cell(&pod_table, "infer", "EPHEMERAL-STORAGE REQ/LIM"),
        "3072Mi/-",
        "{pod_table}"
    );
    let doc = json_of(&c.kubectl(&["top-real", "pods", "-n", &ns, "-o", "json"]));
    let infer = doc["items"]
        .as_array()
        .and_then(|items| items.iter().find(|p| p["name"] == "infer"))
        .expect("infer pod");
    assert_eq!(
        infer["otherResources"]["ephemeral-storage"]["requests"],
        3_i64 << 30,
        "{doc}"
    );
    assert_eq!(
        infer["otherResources"]["nvidia.com/gpu"]["limits"], 1,
        "{doc}"
    );
}
