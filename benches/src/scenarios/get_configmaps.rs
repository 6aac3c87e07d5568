//! The template scenario: N ConfigMaps in one namespace; full JSON listing compared with names
//! only. Copy this file for a plugin: seed what the plugin works on, `b.plugin(..)` against the
//! kubectl command a person would use instead.

use serde_json::json;

use crate::harness::{Bench, Scenario};

pub const SCENARIO: Scenario = Scenario {
    name: "get-configmaps",
    about: "kubectl get -o json vs -o name over N ConfigMaps (harness example)",
    run,
};

fn run(b: &mut Bench) -> anyhow::Result<()> {
    let ns = b.cluster.create_namespace("bench");
    b.seed(b.objects, |i| {
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": format!("cm-{i:06}"), "namespace": ns, "labels": {"bench": "yes"}},
            "data": {"key": "x".repeat(200)},
        })
    })?;
    let json_list = b.measure("kubectl get configmaps -o json", || {
        b.kubectl(&["get", "configmaps", "-n", &ns, "-o", "json"])
    })?;
    let names = b.measure("kubectl get configmaps -o name", || {
        b.kubectl(&["get", "configmaps", "-n", &ns, "-o", "name"])
    })?;
    b.ratio(&json_list, &names);
    Ok(())
}
