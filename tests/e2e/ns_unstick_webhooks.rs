//! `kubectl ns-unstick` and admission webhooks that fail closed with nobody behind them: the
//! namespace controller's deletes rejected for real, the diagnosis naming the webhook, the fix
//! refused through it and allowed with `--delete-dead-webhooks` (the configuration backed up).

use std::time::Duration;

use firstaid_e2e::{Cluster, backups, cluster, unique, wait_until};
use serde_json::Value;

use crate::ns_unstick::{
    code, delete_held_namespace, fix_and_wait, held_widget, json_of, stderr, stdout, widget_crd,
};

/// A ValidatingWebhookConfiguration with one `failurePolicy: Fail` webhook on `operations` of
/// `group`/`resource`, only in namespace `ns`, whose Service does not exist. Returns
/// (configuration name, webhook name).
fn dead_webhook(
    c: &Cluster,
    ns: &str,
    operations: &str,
    group: &str,
    resource: &str,
) -> (String, String) {
    let config = unique("nsu-dead-hook");
    let hook = format!("{config}.hooks.example.com");
    c.apply(&format!(
        r#"{{"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
            "metadata": {{"name": "{config}"}},
            "webhooks": [{{"name": "{hook}", "admissionReviewVersions": ["v1"], "sideEffects": "None",
              "failurePolicy": "Fail", "timeoutSeconds": 2,
              "clientConfig": {{"service": {{"namespace": "default", "name": "{config}", "port": 443}}}},
              "namespaceSelector": {{"matchLabels": {{"kubernetes.io/metadata.name": "{ns}"}}}},
              "rules": [{{"operations": [{operations}], "apiGroups": ["{group}"], "apiVersions": ["*"],
                "resources": ["{resource}"]}}]}}]}}"#
    ));
    (config, hook)
}

/// `--fix --delete-dead-webhooks`: the configuration and the namespace go; returns the backup.
fn fix_with_override(c: &Cluster, ns: &str, config: &str) -> Vec<Value> {
    let backup_dir = tempfile::tempdir().expect("tempdir");
    let out = fix_and_wait(c, ns, backup_dir.path(), &["--delete-dead-webhooks"]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(!c.exists("validatingwebhookconfiguration", None, config));
    assert!(!c.exists("namespace", None, ns));
    backups::objects(backup_dir.path())
}

fn condition_true(c: &Cluster, ns: &str, type_: &str) -> Option<Value> {
    let namespace = c.get("namespace", None, ns)?;
    namespace["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|x| x["type"] == type_ && x["status"] == "True")
        .cloned()
}

#[test]
fn dead_webhook_rejecting_deletes_is_named_and_removed_only_with_its_override() {
    let c = cluster();
    let ns = c.create_namespace("nsu-hooked");
    c.kubectl_ok(&["create", "configmap", "settings", "-n", &ns]);
    let (config, hook) = dead_webhook(c, &ns, r#""DELETE""#, "", "configmaps");
    c.kubectl_ok(&["delete", "namespace", &ns, "--wait=false"]);
    wait_until(
        Duration::from_secs(90),
        "NamespaceDeletionContentFailure quoting the webhook",
        || {
            condition_true(c, &ns, "NamespaceDeletionContentFailure")
                .is_some_and(|x| x["message"].as_str().is_some_and(|m| m.contains(&hook)))
        },
    );

    let doc = json_of(&c.kubectl(&["ns-unstick", &ns, "-o", "json"]));
    let diag = &doc["namespaces"][0];
    assert_eq!(diag["blockers"][0]["cause"], "admissionWebhook", "{diag}");
    let detail = diag["blockers"][0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(&hook) && detail.contains(&config),
        "{detail}"
    );
    assert!(
        detail.contains("does not exist") && detail.contains("configmap/settings"),
        "{detail}"
    );
    let finding = &diag["webhooks"][0];
    assert_eq!(finding["name"], hook.as_str(), "{diag}");
    assert_eq!(finding["rejectsAll"], true);
    assert_eq!(finding["namedByNamespaceController"], true);
    let human = c.kubectl_ok(&["ns-unstick", &ns]);
    assert!(human.contains(&hook) && human.contains(&config), "{human}");
    assert!(
        !human.contains("wait: the namespace controller deletes them"),
        "{human}"
    );

    // --fix has nothing it may do without the override: refused, naming it; nothing changed.
    let out = c.kubectl(&["ns-unstick", &ns, "--fix", "--yes"]);
    assert_eq!(code(&out), 4, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("--delete-dead-webhooks"),
        "{}",
        stderr(&out)
    );
    assert!(c.exists("validatingwebhookconfiguration", None, &config));

    let saved = fix_with_override(c, &ns, &config);
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert_eq!(saved[0]["kind"], "ValidatingWebhookConfiguration");
    assert_eq!(saved[0]["webhooks"][0]["name"], hook.as_str());
}

#[test]
fn a_fix_through_a_dead_update_webhook_is_refused_then_allowed_with_the_override() {
    let c = cluster();
    let group = widget_crd(c);
    let finalizer = format!("{group}/cleanup");
    let ns = c.create_namespace("nsu-patch-hook");
    held_widget(c, &group, &ns, "w1");
    let (config, hook) = dead_webhook(c, &ns, r#""UPDATE""#, &group, "widgets");
    delete_held_namespace(c, &group, &ns);

    let out = c.kubectl(&["ns-unstick", &ns, "--fix", "--yes"]);
    assert_eq!(code(&out), 4, "{}\n{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&hook) && err.contains("--delete-dead-webhooks"),
        "{err}"
    );
    assert!(err.contains(&format!("widget.{group}/w1")), "{err}");
    let w = c
        .get(&format!("widgets.{group}"), Some(&ns), "w1")
        .expect("still there");
    assert_eq!(w["metadata"]["finalizers"][0], finalizer.as_str());
    assert!(c.exists("validatingwebhookconfiguration", None, &config));

    let kinds: Vec<String> = fix_with_override(c, &ns, &config)
        .iter()
        .map(|o| o["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        kinds.contains(&"ValidatingWebhookConfiguration".to_owned())
            && kinds.contains(&"Widget".to_owned()),
        "{kinds:?}"
    );
    c.kubectl_ok(&["delete", "crd", &format!("widgets.{group}"), "--wait=false"]);
}
