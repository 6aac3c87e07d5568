use super::*;
use crate::act::tests::{diag, leftover, ns};
use crate::model::Condition;
use crate::webhooks::fixtures::dead;

const REJECTED: &str = r#"Failed to delete all resource types, 1 remaining: Internal error occurred: failed calling webhook "deny.hooks.io": failed to call webhook: Post "https://gone.hooks.svc:443/?timeout=10s": service "gone" not found"#;

fn blocked_namespace() -> Diagnosis {
    let mut n = ns(&[]);
    n.conditions = vec![Condition {
        type_: "NamespaceDeletionContentFailure".into(),
        status: "True".into(),
        reason: "ContentDeletionFailed".into(),
        message: REJECTED.into(),
        last_transition: None,
    }];
    diag(&n, vec![leftover("settings", "", &[], false)])
}

fn causes(d: &Diagnosis) -> Vec<Cause> {
    d.blockers.iter().map(|b| b.cause).collect()
}

#[test]
fn a_dead_webhook_rejecting_deletes_replaces_the_wait_verdict() {
    let mut d = blocked_namespace();
    assert!(causes(&d).contains(&Cause::ContentBeingDeleted));
    amend(
        &mut d,
        &[dead("deny.hooks.io", &["DELETE"], &["configmaps"])],
    );
    assert_eq!(causes(&d), [Cause::AdmissionWebhook]);
    let detail = &d.blockers[0].detail;
    assert!(
        detail.contains("\"deny.hooks.io\"") && detail.contains("deny.hooks.io-config"),
        "{detail}"
    );
    assert!(
        detail.contains("does not exist") && detail.contains("configmap/settings"),
        "{detail}"
    );
    assert!(d.blockers[0].fix.contains(OVERRIDE));
    assert!(d.webhooks[0].named_by_namespace_controller);
}

#[test]
fn a_live_or_ignored_webhook_is_listed_but_blocks_nothing() {
    let mut d = blocked_namespace();
    let mut ignored = dead("deny.hooks.io", &["DELETE"], &["configmaps"]);
    ignored.spec.failure_policy = Some("Ignore".into());
    amend(
        &mut d,
        &[ignored, dead("other", &["CREATE"], &["configmaps"])],
    );
    assert_eq!(d.webhooks.len(), 1);
    assert!(!d.webhooks[0].rejects_all);
    assert!(causes(&d).contains(&Cause::ContentDeletionFailure));
}

#[test]
fn a_fix_through_a_dead_update_webhook_is_refused_unless_overridden() {
    let n = ns(&[]);
    let d = diag(
        &n,
        vec![leftover(
            "w1",
            "example.com",
            &["example.com/cleanup"],
            true,
        )],
    );
    let mut hook = dead("guard.hooks.io", &["UPDATE"], &["widgets"]);
    hook.spec.rules[0].api_groups = vec!["*".into()];
    let hooks = [hook];
    let mut diagnoses = vec![d];
    amend(&mut diagnoses[0], &hooks);
    let mut plan = crate::act::plan(&diagnoses, &[], &crate::act::FixOptions::default());
    assert_eq!(plan.steps.len(), 1);
    let labels = Labels::of_namespaces(&diagnoses);
    let refused = gate(
        &mut plan,
        &labels,
        &hooks,
        namespace_blockers(&diagnoses),
        false,
    )
    .expect_err("refused");
    assert_eq!(refused.exit(), firstaid::Exit::Unsafe);
    let text = refused.to_string();
    assert!(
        text.contains("guard.hooks.io") && text.contains(OVERRIDE),
        "{text}"
    );
    assert!(text.contains("widget.example.com/w1"), "{text}");
    gate(
        &mut plan,
        &labels,
        &hooks,
        namespace_blockers(&diagnoses),
        true,
    )
    .expect("allowed");
    let first = plan.ordered()[0].clone();
    assert_eq!(
        first.target.display(),
        "validatingwebhookconfiguration.admissionregistration.k8s.io/guard.hooks.io-config"
    );
    assert_eq!(first.target.plural, "validatingwebhookconfigurations");
    assert!(matches!(first.action, Action::Delete { .. }));
    let current = serde_json::json!({"webhooks": [{"name": "guard.hooks.io",
            "clientConfig": {"service": {"namespace": "hooks", "name": "gone"}}}]});
    assert_eq!(guard(&first, &current, &hooks), None);
    let repointed = serde_json::json!({"webhooks": [{"name": "guard.hooks.io",
            "clientConfig": {"service": {"namespace": "hooks", "name": "new"}}}]});
    assert!(guard(&first, &repointed, &hooks).is_some());
}
