//! Fault: one aggregated API is down, so API discovery is only partly answered.
//!
//! An APIService backed by a Service with no endpoints (the apiserver never dials anything: there
//! is nowhere to dial) makes `/apis/metrics.k8s.io/v1beta1` fail while every other group answers.
//! `tests/e2e/ns_unstick.rs::unavailable_apiservice_is_the_cause_and_deleting_it_frees_the_namespace`
//! already covers the case where that APIService is *the* cause (and the fix that deletes it); here
//! the namespace is stuck for another reason, and the question is whether the rest of the answer
//! still comes: the diagnosis still finds the real culprit in the groups that did answer, names the
//! group it could not search, and completion still lists the stuck namespace.

use std::time::Duration;

use firstaid_e2e::{Cluster, ClusterOptions, DEAD_METRICS_APISERVICE, unique, wait_until};
use serde_json::json;

use super::{Record, code, json_of, stderr, stdout};

#[test]
fn ns_unstick_and_completion_answer_around_a_dead_aggregated_api() {
    let mut record = Record::new("partial discovery failure", "ns-unstick + completion");
    let c = Cluster::start(ClusterOptions::default()).expect("private cluster");
    c.apply(DEAD_METRICS_APISERVICE);
    wait_until(
        Duration::from_secs(60),
        "the APIService reported unavailable",
        || {
            c.get("apiservice", None, "v1beta1.metrics.k8s.io")
                .is_some_and(|a| {
                    a["status"]["conditions"].as_array().is_some_and(|cs| {
                        cs.iter()
                            .any(|c| c["type"] == "Available" && c["status"] == "False")
                    })
                })
        },
    );
    let ns = c.create_namespace("partial");
    let hold = format!("{}.io/hold", unique("gone-operator"));
    c.apply(
        &json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "held", "namespace": ns, "finalizers": [hold]}})
        .to_string(),
    );
    c.kubectl_ok(&["delete", "namespace", &ns, "--wait=false"]);

    // The diagnosis: the held ConfigMap is found, the dead group named, exit 0.
    let out = c.kubectl(&["ns-unstick", &ns, "-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = json_of(&out);
    let leftovers = doc["namespaces"][0]["leftovers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        leftovers
            .iter()
            .any(|l| l["name"] == "held" && l["finalizers"][0]["name"] == hold.as_str()),
        "the real culprit is still found: {doc}"
    );
    assert!(
        doc["discoveryFailures"].as_array().is_some_and(|f| f
            .iter()
            .any(|f| f["groupVersion"] == "metrics.k8s.io/v1beta1")),
        "the failed group is named: {doc}"
    );
    let searched = doc["searchedTypes"].as_u64().unwrap_or(0);
    assert!(searched > 20, "the other groups were searched ({searched})");
    let human = c.kubectl(&["ns-unstick", &ns]);
    assert_eq!(code(&human), 0, "{}", stderr(&human));
    assert!(
        stderr(&human).contains("metrics.k8s.io/v1beta1"),
        "the human view names the group too: {}",
        stderr(&human)
    );
    assert!(stdout(&human).contains("held"), "{}", stdout(&human));

    // Completion still lists the stuck namespace, silently.
    let (values, _) = crate::completion::complete(&c, &["ns-unstick", ""]);
    assert!(values.contains(&ns), "{ns} not in {values:?}");
    record.data_lost = Some(0);
    record.note(format!(
        "diagnosis found the held ConfigMap across {searched} searched types and named metrics.k8s.io/v1beta1; completion listed the namespace"
    ));
    c.kubectl_ok(&[
        "patch",
        "configmap",
        "held",
        "-n",
        &ns,
        "--type=json",
        "-p",
        r#"[{"op": "remove", "path": "/metadata/finalizers"}]"#,
    ]);
}
