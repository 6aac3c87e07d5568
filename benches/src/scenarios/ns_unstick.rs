//! `kubectl ns-unstick NS` against the FAQ's own diagnosis (S2 §9.2): `kubectl api-resources
//! --verbs=list --namespaced -o name | xargs -n 1 kubectl get --show-kind --ignore-not-found -n NS`,
//! on a cluster with 120 CRDs (≥150 namespaced resource types with the built-ins) and a stuck
//! namespace holding a handful of custom resources whose finalizers nobody removes.
//! `--objects` is ignored: the population is the CRD count the issue asks for.

use std::time::Duration;

use firstaid_e2e::wait_until;
use serde_json::json;

use crate::harness::{Bench, Scenario};

pub const SCENARIO: Scenario = Scenario {
    name: "ns-unstick",
    about: "ns-unstick NS vs api-resources | xargs kubectl get (120 CRDs, stuck namespace)",
    run,
};

const CRDS: usize = 120;
const LEFTOVERS: usize = 5;

fn group(i: usize) -> String {
    format!("bench{i:03}.nsu.invalid")
}

/// How many of the bench's CRDs report `Established=True`. Read as JSON, not through a jsonpath
/// filter: kubectl's filter fails on a CRD whose `status.conditions` is not written yet, the very
/// race this wait is for; such a CRD simply counts as not established.
fn established_crds(b: &Bench) -> usize {
    let list = b.cluster.get_json(&["crd"]);
    let established = |crd: &serde_json::Value| {
        crd["status"]["conditions"]
            .as_array()
            .is_some_and(|conditions| {
                conditions
                    .iter()
                    .any(|c| c["type"] == "Established" && c["status"] == "True")
            })
    };
    list["items"].as_array().map_or(0, |items| {
        items
            .iter()
            .filter(|crd| {
                crd["spec"]["group"]
                    .as_str()
                    .is_some_and(|g| g.ends_with(".nsu.invalid"))
            })
            .filter(|crd| established(crd))
            .count()
    })
}

fn run(b: &mut Bench) -> anyhow::Result<()> {
    b.seed(CRDS, |i| {
        let g = group(i);
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": format!("gadgets.{g}")},
            "spec": {
                "group": g,
                "scope": "Namespaced",
                "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget", "listKind": "GadgetList"},
                "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]
            }
        })
    })?;
    let ns = b.cluster.create_namespace("bench-stuck");
    // Polled, not `kubectl wait --all`: that fails outright on a CRD whose status the server has
    // not written yet (`.status.conditions accessor error`), which happens on an idle machine.
    wait_until(
        Duration::from_secs(120),
        "every bench CRD to be Established",
        || established_crds(b) >= CRDS,
    );
    let types = b.cluster.kubectl_ok(&[
        "api-resources",
        "--verbs=list",
        "--namespaced",
        "-o",
        "name",
    ]);
    println!(
        "  {} namespaced listable resource types",
        types.lines().count()
    );
    anyhow::ensure!(
        types.lines().count() >= 150,
        "fewer than 150 namespaced types"
    );
    for i in 0..LEFTOVERS {
        let g = group(i * 7);
        b.cluster.apply(&json!({
            "apiVersion": format!("{g}/v1"),
            "kind": "Gadget",
            "metadata": {"name": format!("held-{i}"), "namespace": ns, "finalizers": [format!("{g}/cleanup")]}
        }).to_string());
    }
    b.cluster
        .kubectl_ok(&["delete", "namespace", &ns, "--wait=false"]);
    std::thread::sleep(Duration::from_secs(6));

    let ours = b.measure(&format!("kubectl-ns_unstick {ns}"), || {
        b.plugin("ns-unstick", &[&ns])
    })?;
    let pipeline = format!(
        "$KUBECTL api-resources --verbs=list --namespaced -o name | xargs -n 1 $KUBECTL get --show-kind --ignore-not-found -n {ns}"
    );
    let base = b.measure("api-resources | xargs -n 1 kubectl get (FAQ)", || {
        b.kubectl_shell("sh", &["-c", &pipeline])
    })?;
    b.ratio(&ours, &base);
    b.no_peers(
        "knsk is a bash script published only on GitHub, in no package registry, so it has no row",
    );
    super::ns_unstick_all::measure_all(b, &ns)
}
