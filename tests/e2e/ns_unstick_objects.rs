//! `kubectl ns-unstick TYPE/NAME` and `--all` against a real apiserver: a CRD stuck on a custom
//! resource with a dead finalizer is explained and fixed; `--all` finds a stuck namespace, CRD,
//! cluster-scoped custom object and PVC, each with the command that deals with it.

use std::time::Duration;

use firstaid_e2e::{backups, cluster, unique, wait_until};
use serde_json::Value;

use crate::ns_unstick::{
    code, crd_without_controller, held_widget, json_of, stderr, stdout, wait_terminating,
    widget_crd,
};

fn deleting(object: Option<Value>) -> bool {
    object.is_some_and(|o| o["metadata"]["deletionTimestamp"].is_string())
}

#[test]
fn crd_stuck_on_an_instance_with_a_dead_finalizer_is_explained_and_fixed() {
    let c = cluster();
    let group = widget_crd(c);
    let crd = format!("widgets.{group}");
    let ns = c.create_namespace("nsu-crd");
    held_widget(c, &group, &ns, "w1");
    c.kubectl_ok(&["delete", "crd", &crd, "--wait=false"]);
    wait_until(
        Duration::from_secs(30),
        "the CRD to delete its instance",
        || deleting(c.get(&crd, Some(&ns), "w1")),
    );

    let target = format!("crd/{crd}");
    let doc = json_of(&c.kubectl(&["ns-unstick", &target, "-o", "json"]));
    assert_eq!(doc["kind"], "ObjectDiagnosis", "{doc}");
    let object = &doc["objects"][0];
    assert_eq!(object["name"], crd.as_str());
    assert_eq!(
        object["finalizers"][0]["name"],
        "customresourcecleanup.apiextensions.k8s.io"
    );
    let instance = &object["instances"][0];
    assert_eq!(instance["name"], "w1", "{object}");
    assert_eq!(instance["namespace"], ns.as_str());
    assert_eq!(instance["finalizers"][0]["state"], "dead", "{instance}");
    assert_eq!(object["blockers"][0]["cause"], "deadFinalizers", "{object}");
    let human = c.kubectl_ok(&["ns-unstick", &target]);
    assert!(
        human.contains(&format!("widget.{group}/w1")) && human.contains("dead"),
        "{human}"
    );

    let backup_dir = tempfile::tempdir().expect("tempdir");
    let dir = backup_dir.path().to_string_lossy().into_owned();
    let out = c.kubectl(&[
        "ns-unstick",
        &target,
        "--fix",
        "--yes",
        "--backup-dir",
        &dir,
    ]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    wait_until(Duration::from_secs(60), "the CRD to be gone", || {
        !c.exists("crd", None, &crd)
    });
    let saved = backups::objects(backup_dir.path());
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0]["kind"], "Widget");
    assert_eq!(
        saved[0]["metadata"]["finalizers"][0],
        format!("{group}/cleanup")
    );
    c.kubectl_ok(&["delete", "namespace", &ns, "--wait=false"]);
}

#[test]
fn all_lists_every_stuck_object_grouped_with_its_command() {
    let c = cluster();
    // A namespace held by a dead finalizer.
    let ns_group = widget_crd(c);
    let stuck_ns = c.create_namespace("nsu-all-ns");
    held_widget(c, &ns_group, &stuck_ns, "w1");
    c.kubectl_ok(&["delete", "namespace", &stuck_ns, "--wait=false"]);
    wait_terminating(c, &stuck_ns);
    // A CRD held by one of its instances.
    let crd_group = widget_crd(c);
    let crd = format!("widgets.{crd_group}");
    let active = c.create_namespace("nsu-all-active");
    held_widget(c, &crd_group, &active, "w2");
    c.kubectl_ok(&["delete", "crd", &crd, "--wait=false"]);
    // A cluster-scoped custom object and a PVC, both held by finalizers nobody removes.
    let thing_group = crd_without_controller(c, "Thing", "Cluster");
    let thing = unique("nsu-thing");
    c.apply(&format!(
        r#"{{"apiVersion": "{thing_group}/v1", "kind": "Thing",
            "metadata": {{"name": "{thing}", "finalizers": ["{thing_group}/cleanup"]}}}}"#
    ));
    c.kubectl_ok(&[
        "delete",
        &format!("things.{thing_group}"),
        &thing,
        "--wait=false",
    ]);
    c.apply(&format!(
        r#"{{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {{"name": "data", "namespace": "{active}", "finalizers": ["{thing_group}/hold"]}},
            "spec": {{"accessModes": ["ReadWriteOnce"], "resources": {{"requests": {{"storage": "1Gi"}}}}}}}}"#
    ));
    c.kubectl_ok(&["delete", "pvc", "data", "-n", &active, "--wait=false"]);
    wait_until(
        Duration::from_secs(30),
        "the CRD's instance and the PVC to be deleting",
        || {
            deleting(c.get(&crd, Some(&active), "w2"))
                && deleting(c.get("pvc", Some(&active), "data"))
        },
    );

    let doc = json_of(&c.kubectl(&["ns-unstick", "--all", "-o", "json"]));
    assert_eq!(doc["kind"], "StuckObjectList", "{doc}");
    let items = doc["items"].as_array().expect("items");
    let find = |object: &str| {
        items
            .iter()
            .find(|i| i["object"] == object)
            .unwrap_or_else(|| panic!("{object} not listed: {doc}"))
    };
    let namespace = find(&format!("namespace/{stuck_ns}"));
    assert_eq!(namespace["group"], "namespaces");
    assert_eq!(
        namespace["command"],
        format!("kubectl ns-unstick {stuck_ns}")
    );
    let definition = find(&format!(
        "customresourcedefinition.apiextensions.k8s.io/{crd}"
    ));
    assert_eq!(definition["group"], "customResourceDefinitions");
    assert_eq!(
        definition["command"],
        format!("kubectl ns-unstick crd/{crd}")
    );
    let claim = find(&format!("{active}/persistentvolumeclaim/data"));
    assert_eq!(claim["group"], "storage");
    assert_eq!(
        claim["command"],
        format!("kubectl fix-pvc-finalizer data -n {active}")
    );
    let object = find(&format!("thing.{thing_group}/{thing}"));
    assert_eq!(object["group"], "deadFinalizers", "{object}");
    let command = object["command"].as_str().expect("command").to_owned();
    assert_eq!(
        command,
        format!("kubectl ns-unstick thing.{thing_group}/{thing}")
    );
    // Objects inside the stuck namespace or of the stuck CRD are not listed again.
    assert!(
        !items.iter().any(|i| i["object"]
            .as_str()
            .is_some_and(|o| o.ends_with("/w1") || o.ends_with("/w2"))),
        "{doc}"
    );
    let human = c.kubectl_ok(&["ns-unstick", "--all"]);
    assert!(
        human.contains("Namespaces stuck Terminating") && human.contains(&command),
        "{human}"
    );

    // The command it gives for the cluster-scoped object fixes it.
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    let out = c.kubectl(&[args.as_slice(), &["--fix", "--yes"]].concat());
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    wait_until(Duration::from_secs(30), "the thing to be gone", || {
        !c.exists(&format!("things.{thing_group}"), None, &thing)
    });

    for (ns, target) in [
        (&stuck_ns, format!("widgets.{ns_group}/w1")),
        (&active, format!("{crd}/w2")),
    ] {
        c.kubectl(&[
            "patch",
            &target,
            "-n",
            ns,
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":null}}"#,
        ]);
    }
    c.kubectl(&[
        "patch",
        "pvc",
        "data",
        "-n",
        &active,
        "--type=merge",
        "-p",
        r#"{"metadata":{"finalizers":null}}"#,
    ]);
    c.kubectl_ok(&["delete", "namespace", &active, "--wait=false"]);
}
