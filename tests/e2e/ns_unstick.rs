//! `kubectl ns-unstick` against a real apiserver: each stuck state the FAQ on namespaces stuck
//! Terminating describes
//! is reproduced for real, the plugin runs through kubectl, and the cluster's end state is
//! asserted (namespace gone, APIService gone, orphans reappearing, nothing changed on refusal).

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use firstaid_e2e::{
    Cluster, ClusterOptions, DEAD_METRICS_APISERVICE, backups, cluster, unique, wait_until,
};
use serde_json::Value;

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub(crate) fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

pub(crate) fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON on stdout ({e}):\n{}\nstderr:\n{}",
            stdout(out),
            stderr(out)
        )
    })
}

pub(crate) fn wait_terminating(c: &Cluster, ns: &str) {
    wait_until(
        Duration::from_secs(30),
        "the namespace to be Terminating",
        || {
            c.get("namespace", None, ns)
                .is_some_and(|o| o["status"]["phase"] == "Terminating")
        },
    );
}

/// A CRD of `kind` (`scope`: Namespaced or Cluster) in a group of its own
/// (`nsu-<plural>-<unique>.io`): nothing in the cluster mentions that name, so no controller for
/// it can be found. Returns the group once the CRD is served.
pub(crate) fn crd_without_controller(c: &Cluster, kind: &str, scope: &str) -> String {
    let singular = kind.to_lowercase();
    let plural = format!("{singular}s");
    let group = format!("{}.io", unique(&format!("nsu-{plural}")));
    c.apply(&format!(
        r#"{{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {{"name": "{plural}.{group}"}},
            "spec": {{"group": "{group}", "scope": "{scope}",
              "names": {{"plural": "{plural}", "singular": "{singular}", "kind": "{kind}", "listKind": "{kind}List"}},
              "versions": [{{"name": "v1", "served": true, "storage": true,
                "schema": {{"openAPIV3Schema": {{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}}]}}}}"#
    ));
    wait_until(Duration::from_secs(30), "the CRD to be served", || {
        c.kubectl(&["get", &format!("{plural}.{group}"), "-A"])
            .status
            .success()
    });
    group
}

/// The namespaced `widgets.<group>` CRD (see [`crd_without_controller`]); returns the group.
pub(crate) fn widget_crd(c: &Cluster) -> String {
    crd_without_controller(c, "Widget", "Namespaced")
}

/// `kubectl ns-unstick NS --fix --yes --wait=90s` backing up into `backup_dir`, plus `extra`.
pub(crate) fn fix_and_wait(c: &Cluster, ns: &str, backup_dir: &Path, extra: &[&str]) -> Output {
    let dir = backup_dir.to_string_lossy();
    let mut args = vec![
        "ns-unstick",
        ns,
        "--fix",
        "--yes",
        "--wait=90s",
        "--backup-dir",
        &dir,
    ];
    args.extend_from_slice(extra);
    c.kubectl(&args)
}

/// A Widget `name` in `ns` held by `<group>/cleanup`, which nothing removes.
pub(crate) fn held_widget(c: &Cluster, group: &str, ns: &str, name: &str) {
    c.apply(&format!(
        r#"{{"apiVersion": "{group}/v1", "kind": "Widget",
            "metadata": {{"name": "{name}", "namespace": "{ns}", "finalizers": ["{group}/cleanup"]}}}}"#
    ));
}

/// Deletes `ns`, holding widget `w1`, and waits until the namespace controller has marked the
/// widget for deletion too.
pub(crate) fn delete_held_namespace(c: &Cluster, group: &str, ns: &str) {
    c.kubectl_ok(&["delete", "namespace", ns, "--wait=false"]);
    wait_until(
        Duration::from_secs(30),
        "the widget to be marked for deletion",
        || {
            c.get(&format!("widgets.{group}"), Some(ns), "w1")
                .is_some_and(|w| w["metadata"]["deletionTimestamp"].is_string())
        },
    );
}

/// A namespace being deleted, held by widget `w1` whose finalizer `<group>/cleanup` nobody
/// removes. Returns the widgets' group and the namespace.
fn namespace_held_by_a_dead_widget(c: &Cluster, prefix: &str) -> (String, String) {
    let group = widget_crd(c);
    let ns = c.create_namespace(prefix);
    held_widget(c, &group, &ns, "w1");
    delete_held_namespace(c, &group, &ns);
    (group, ns)
}

#[test]
fn dead_operator_finalizer_is_named_and_removed() {
    let c = cluster();
    let (group, ns) = namespace_held_by_a_dead_widget(c, "nsu-dead");
    let finalizer = format!("{group}/cleanup");

    // Diagnosis: the object, its finalizer, and why it is dead.
    let out = c.kubectl(&["ns-unstick", &ns, "-o", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let doc = json_of(&out);
    assert_eq!(doc["kind"], "NamespaceDiagnosis");
    let diag = &doc["namespaces"][0];
    let leftovers = diag["leftovers"].as_array().expect("leftovers");
    let widget = leftovers
        .iter()
        .find(|l| l["name"] == "w1")
        .unwrap_or_else(|| panic!("w1 not among leftovers: {diag}"));
    assert_eq!(widget["resource"]["group"], group.as_str());
    assert_eq!(widget["finalizers"][0]["name"], finalizer.as_str());
    assert_eq!(widget["finalizers"][0]["state"], "dead", "{widget}");
    assert!(
        widget["finalizers"][0]["evidence"]
            .as_str()
            .is_some_and(|e| e.contains("no Deployment")),
        "{widget}"
    );
    assert_eq!(diag["blockers"][0]["cause"], "deadFinalizers", "{diag}");
    let human = c.kubectl_ok(&["ns-unstick", &ns]);
    assert!(human.contains(&format!("widget.{group}/w1")), "{human}");
    assert!(human.contains("dead"), "{human}");

    // Without a TTY and without --yes nothing changes.
    let out = c.kubectl(&["ns-unstick", &ns, "--fix"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    let w = c
        .get(&format!("widgets.{group}"), Some(&ns), "w1")
        .expect("still there");
    assert_eq!(w["metadata"]["finalizers"][0], finalizer.as_str());

    // The fix removes exactly that finalizer, backs the object up, and the namespace goes.
    let backup_dir = tempfile::tempdir().expect("tempdir");
    let out = fix_and_wait(c, &ns, backup_dir.path(), &[]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("is gone"), "{}", stderr(&out));
    assert!(!c.exists("namespace", None, &ns));
    let saved = backups::objects(backup_dir.path());
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0]["metadata"]["name"], "w1");
    assert_eq!(saved[0]["metadata"]["finalizers"][0], finalizer.as_str());
    assert!(saved[0]["metadata"]["deletionTimestamp"].is_string());
    c.kubectl_ok(&["delete", "crd", &format!("widgets.{group}"), "--wait=false"]);
}

/// A script reviews the plan (`--dry-run -o json`), a leftover changes, and the reviewed digest no
/// longer applies: exit 5 naming the changed object, nothing changed. The fresh digest applies.
#[test]
fn a_leftover_changed_after_review_voids_the_reviewed_plan() {
    let c = cluster();
    let (group, ns) = namespace_held_by_a_dead_widget(c, "nsu-digest");
    let finalizer = format!("{group}/cleanup");
    let widgets = format!("widgets.{group}");
    let digest = |what: &str| {
        let out = c.kubectl(&["ns-unstick", &ns, "--dry-run", "-o", "json"]);
        assert_eq!(code(&out), 0, "{what}: {}", stderr(&out));
        json_of(&out)["result"]["planDigest"]
            .as_str()
            .unwrap_or_else(|| panic!("{what}: no planDigest in {}", stdout(&out)))
            .to_owned()
    };
    let reviewed = digest("plan");
    c.kubectl_ok(&["label", &widgets, "w1", "-n", &ns, "reviewed=no"]);

    let out = c.kubectl(&["ns-unstick", &ns, "--confirm-plan", &reviewed]);
    assert_eq!(code(&out), 5, "{}\n{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("the plan changed since"), "{err}");
    let step = format!("remove finalizer {finalizer} {group}/v1 widgets {ns}/w1");
    assert!(
        err.contains(&format!("  - {step}")) && err.contains(&format!("  + {step}")),
        "the changed widget is named on both sides: {err}"
    );
    let w = c.get(&widgets, Some(&ns), "w1").expect("untouched");
    assert_eq!(w["metadata"]["finalizers"][0], finalizer.as_str());
    assert!(c.exists("namespace", None, &ns));

    let current = digest("fresh plan");
    assert_ne!(current, reviewed);
    let out = c.kubectl(&["ns-unstick", &ns, "--confirm-plan", &current, "--wait=90s"]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(!c.exists("namespace", None, &ns));
    c.kubectl_ok(&["delete", "crd", &widgets, "--wait=false"]);
}

#[test]
fn unavailable_apiservice_is_the_cause_and_deleting_it_frees_the_namespace() {
    // A dead APIService blocks namespace deletion cluster-wide: private cluster.
    let c = Cluster::start(ClusterOptions::default()).expect("private cluster");
    // A Service with no endpoints: the availability controller reports it without dialling.
    c.apply(DEAD_METRICS_APISERVICE);
    c.kubectl_ok(&["create", "namespace", "rdbms"]);
    c.kubectl_ok(&["delete", "namespace", "rdbms", "--wait=false"]);
    wait_until(
        Duration::from_secs(60),
        "NamespaceDeletionDiscoveryFailure on rdbms",
        || {
            c.get("namespace", None, "rdbms").is_some_and(|o| {
                o["status"]["conditions"].as_array().is_some_and(|cs| {
                    cs.iter().any(|c| {
                        c["type"] == "NamespaceDeletionDiscoveryFailure" && c["status"] == "True"
                    })
                })
            })
        },
    );

    // The list view and the diagnosis both name the APIService.
    let list = c.kubectl_ok(&["ns-unstick"]);
    assert!(
        list.contains("rdbms") && list.contains("v1beta1.metrics.k8s.io"),
        "{list}"
    );
    let out = c.kubectl(&["ns-unstick", "rdbms", "-o", "json"]);
    let doc = json_of(&out);
    assert_eq!(
        doc["unavailableApiServices"][0]["name"], "v1beta1.metrics.k8s.io",
        "{doc}"
    );
    assert_eq!(
        doc["unavailableApiServices"][0]["service"],
        "metrics-backend/metrics-server:443"
    );
    let diag = &doc["namespaces"][0];
    assert_eq!(
        diag["blockers"][0]["cause"], "unavailableApiService",
        "{diag}"
    );
    assert!(
        doc["discoveryFailures"].as_array().is_some_and(|f| f
            .iter()
            .any(|f| f["groupVersion"] == "metrics.k8s.io/v1beta1")),
        "{doc}"
    );
    let human = c.kubectl_ok(&["ns-unstick", "rdbms"]);
    assert!(human.contains("EVERY namespace"), "{human}");

    // No TTY, no --yes: refused, nothing changed. Server dry run: accepted, nothing changed.
    let out = c.kubectl(&["ns-unstick", "rdbms", "--fix"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let out = c.kubectl(&["ns-unstick", "rdbms", "--fix", "--dry-run=server"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("cluster-wide"), "{}", stdout(&out));
    assert!(c.exists("apiservice", None, "v1beta1.metrics.k8s.io"));
    assert!(c.exists("namespace", None, "rdbms"));

    let backup_dir = tempfile::tempdir().expect("tempdir");
    let dir = backup_dir.path().to_string_lossy().into_owned();
    let out = c.kubectl(&[
        "ns-unstick",
        "rdbms",
        "--fix",
        "--yes",
        "--wait=150s",
        "--backup-dir",
        &dir,
    ]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(!c.exists("apiservice", None, "v1beta1.metrics.k8s.io"));
    assert!(!c.exists("namespace", None, "rdbms"));
    let saved = backups::objects(backup_dir.path());
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0]["kind"], "APIService");
    assert_eq!(saved[0]["spec"]["service"]["name"], "metrics-server");
}

#[test]
fn without_controller_manager_force_finalize_is_the_last_resort() {
    let c = Cluster::start(ClusterOptions {
        controller_manager: false,
        ..ClusterOptions::default()
    })
    .expect("private cluster");

    // An empty namespace stuck on spec.finalizers [kubernetes].
    c.kubectl_ok(&["create", "namespace", "rdbms"]);
    c.kubectl_ok(&["delete", "namespace", "rdbms", "--wait=false"]);
    wait_terminating(&c, "rdbms");
    // Once the namespace controller would have written its conditions, their absence is the
    // finding (it never will: there is no controller manager).
    let mut doc = Value::Null;
    wait_until(
        Duration::from_secs(90),
        "the diagnosis to find the namespace controller not running",
        || {
            doc = json_of(&c.kubectl(&["ns-unstick", "rdbms", "-o", "json"]));
            doc["namespaces"][0]["blockers"][0]["cause"] == "namespaceControllerNotRunning"
        },
    );
    let diag = &doc["namespaces"][0];
    assert!(
        diag["blockers"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("empty but still has spec.finalizers [kubernetes]")),
        "{diag}"
    );
    assert_eq!(diag["namespace"]["specFinalizers"][0], "kubernetes");
    assert_eq!(diag["leftovers"], serde_json::json!([]), "{diag}");
    // For cron/alerting: --exit-code turns "something is stuck" into exit 11, listing or named.
    for args in [
        &["ns-unstick", "--exit-code"][..],
        &["ns-unstick", "rdbms", "--exit-code"],
    ] {
        let out = c.kubectl(args);
        assert_eq!(code(&out), 11, "{args:?}: {}", stderr(&out));
    }
    assert_eq!(
        code(&c.kubectl(&["ns-unstick", "rdbms"])),
        0,
        "without --exit-code"
    );
    // --fix alone never finalizes.
    let out = c.kubectl(&["ns-unstick", "rdbms", "--fix", "--yes"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--force-finalize"),
        "{}",
        stderr(&out)
    );
    assert!(c.exists("namespace", None, "rdbms"));
    let out = c.kubectl(&[
        "ns-unstick",
        "rdbms",
        "--force-finalize",
        "--yes",
        "--wait=30s",
    ]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(!c.exists("namespace", None, "rdbms"));
    let out = c.kubectl(&["ns-unstick", "--exit-code"]);
    assert_eq!(code(&out), 0, "nothing Terminating: {}", stderr(&out));

    // With a leftover: the plan lists it as orphaned, and it really does come back.
    c.kubectl_ok(&["create", "namespace", "reused"]);
    c.kubectl_ok(&["create", "configmap", "survivor", "-n", "reused"]);
    c.kubectl_ok(&["delete", "namespace", "reused", "--wait=false"]);
    wait_terminating(&c, "reused");
    let human = c.kubectl_ok(&["ns-unstick", "reused"]);
    assert!(human.contains("configmap/survivor"), "{human}");
    let out = c.kubectl(&["ns-unstick", "reused", "--force-finalize"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("configmap/survivor") && stderr(&out).contains("reappear"),
        "{}",
        stderr(&out)
    );
    assert!(c.exists("namespace", None, "reused"));
    let out = c.kubectl(&[
        "ns-unstick",
        "reused",
        "--force-finalize",
        "--yes",
        "--wait=30s",
    ]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(!c.exists("namespace", None, "reused"));
    // Until then it is an orphan, which `--all` lists with the command that removes it.
    let doc = json_of(&c.kubectl(&["ns-unstick", "--all", "-o", "json"]));
    let orphan = doc["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["object"] == "reused/configmap/survivor")
        .unwrap_or_else(|| panic!("the orphan is not listed: {doc}"));
    assert_eq!(orphan["group"], "orphans", "{orphan}");
    assert_eq!(
        orphan["command"], "kubectl delete configmap/survivor -n reused",
        "{orphan}"
    );
    c.kubectl_ok(&["create", "namespace", "reused"]);
    assert!(
        c.exists("configmap", Some("reused"), "survivor"),
        "the orphan reappears with the namespace name, as the warning said"
    );
}

#[test]
fn bad_input_and_missing_permissions_are_reported() {
    let c = cluster();
    let missing = unique("nsu-missing");
    let out = c.kubectl(&["ns-unstick", &missing]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("namespaces \"{missing}\" not found")),
        "{}",
        stderr(&out)
    );

    // An Active namespace: said so, nothing done even with --fix --yes.
    let active = c.create_namespace("nsu-active");
    let out = c.kubectl(&["ns-unstick", &active, "--fix", "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("not Terminating"), "{}", stdout(&out));
    assert!(c.exists("namespace", None, &active));

    // A stuck namespace held by a finalizer nobody owns.
    let ns = c.create_namespace("nsu-rbac");
    let hold = format!("{}.io/hold", unique("nsu-hold"));
    c.apply(&format!(
        r#"{{"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {{"name": "held", "namespace": "{ns}", "finalizers": ["{hold}"]}}}}"#
    ));
    c.kubectl_ok(&["delete", "namespace", &ns, "--wait=false"]);
    wait_terminating(c, &ns);

    // No rights at all: kubectl's Forbidden, naming verb and resource.
    let nobody = c.add_user(&unique("nsu-nobody"));
    let out = c.kubectl_as(&nobody, &["ns-unstick", &ns]);
    assert_eq!(code(&out), 7, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot get resource \"namespaces\""),
        "{}",
        stderr(&out)
    );

    // Allowed to read namespaces and ConfigMaps only: the diagnosis continues and says what it
    // could not read.
    let viewer = unique("nsu-viewer");
    let kubeconfig = c.add_user(&viewer);
    c.kubectl_ok(&[
        "create",
        "clusterrole",
        &viewer,
        "--verb=get,list",
        "--resource=namespaces,configmaps",
    ]);
    c.kubectl_ok(&[
        "create",
        "clusterrolebinding",
        &viewer,
        &format!("--clusterrole={viewer}"),
        &format!("--user={viewer}"),
    ]);
    let out = c.kubectl_as(&kubeconfig, &["ns-unstick", &ns]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("could not read APIServices") && err.contains("apiservices"),
        "{err}"
    );
    assert!(
        stdout(&out).contains("could not be searched"),
        "{}",
        stdout(&out)
    );
    // And a fix it may not carry out is refused up front, naming the permission.
    let out = c.kubectl_as(
        &kubeconfig,
        &[
            "ns-unstick",
            &ns,
            "--fix",
            "--yes",
            "--remove-finalizer",
            &hold,
        ],
    );
    assert_eq!(code(&out), 7, "{}\n{}", stdout(&out), stderr(&out));

    // The admin's fix: the dead finalizer goes, and so does the namespace.
    let out = c.kubectl(&["ns-unstick", &ns, "--fix", "--yes", "--wait=90s"]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(!c.exists("namespace", None, &ns));
    c.kubectl_ok(&["delete", "clusterrolebinding", &viewer]);
    c.kubectl_ok(&["delete", "clusterrole", &viewer]);
    c.kubectl_ok(&["delete", "namespace", &active, "--wait=false"]);
}
