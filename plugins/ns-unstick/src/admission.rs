//! What admission webhooks do to a stuck namespace: which of them intercept the deletes the
//! namespace controller sends and the patches a fix would send, and — for one that fails closed
//! with nobody behind it — the verdict that replaces "wait": nothing is deleted until the webhook
//! is repaired or removed.

use std::collections::{BTreeMap, HashMap};

use firstaid::guard::Guard;
use firstaid::plan::{Action, Plan, Risk, Step, Target};
use firstaid::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::act::known;
use crate::diagnose::{Blocker, Cause, Diagnosis, list_some};
use crate::webhooks::{Intercepts, Request, Webhook, address_of, named_in};

/// Runs before every other phase: while the webhook stands, the later requests are rejected.
pub const PHASE_WEBHOOKS: u8 = 0;

/// The override that deletes a dead webhook's configuration.
pub const OVERRIDE: &str = "--delete-dead-webhooks";

/// A webhook that intercepts requests on what is left in a namespace.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookFinding {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// Fails closed and its backend is gone: every intercepted request is rejected.
    pub rejects_all: bool,
    /// Objects whose DELETE (the namespace controller's) it intercepts: `kind/name`.
    pub intercepts_delete: Vec<String>,
    /// Objects whose UPDATE (a finalizer patch, the namespace's finalize) it intercepts.
    pub intercepts_update: Vec<String>,
    /// It has `matchConditions`, which are not evaluated: it may skip some of these requests.
    pub match_conditions_not_evaluated: bool,
    /// The namespace's `NamespaceDeletionContentFailure` condition quotes it.
    pub named_by_namespace_controller: bool,
}

/// One object a request may be sent for, with the labels the selectors look at.
struct Object<'a> {
    display: String,
    target: Target,
    labels: &'a BTreeMap<String, String>,
    deleting: bool,
}

/// What admission sees for `operation` on `t` (its `subresource`, or `""`).
fn request<'a>(
    t: &'a Target,
    operation: &'a str,
    subresource: &'a str,
    object_labels: &'a BTreeMap<String, String>,
    namespace_labels: Option<&'a BTreeMap<String, String>>,
) -> Request<'a> {
    Request {
        operation,
        group: &t.group,
        version: &t.version,
        resource: &t.plural,
        subresource,
        namespace: t.namespace.as_deref().unwrap_or_default(),
        namespace_labels,
        object_labels,
    }
}

fn objects(d: &Diagnosis) -> Vec<Object<'_>> {
    let mut all: Vec<Object<'_>> = d
        .leftovers
        .iter()
        .map(|l| Object {
            display: l.object.display(),
            target: crate::act::leftover_target(&l.object),
            labels: &l.object.labels,
            deleting: l.object.deletion_timestamp.is_some(),
        })
        .collect();
    all.push(Object {
        display: format!("namespace/{}", d.namespace.name),
        target: crate::act::namespace_target(d),
        labels: &d.namespace.labels,
        deleting: true,
    });
    all
}

/// Every webhook that intercepts a DELETE of an object not yet deleted, or an UPDATE of any
/// object (or of the namespace and its `finalize` subresource).
pub fn findings(d: &Diagnosis, webhooks: &[Webhook]) -> Vec<WebhookFinding> {
    let objects = objects(d);
    let quoted = d
        .namespace
        .condition("NamespaceDeletionContentFailure")
        .filter(|c| c.status == "True")
        .and_then(|c| named_in(&c.message));
    let ns_labels = Some(&d.namespace.labels);
    webhooks
        .iter()
        .filter_map(|w| {
            let mut conditional = false;
            let mut hit = |r: Request<'_>| match w.intercepts(&r) {
                Intercepts::No => false,
                Intercepts::Yes => true,
                Intercepts::UnlessMatchConditions => {
                    conditional = true;
                    true
                }
            };
            let mut deletes = Vec::new();
            let mut updates = Vec::new();
            for o in &objects {
                let is_namespace = o.target.kind == "Namespace";
                if !o.deleting && hit(request(&o.target, "DELETE", "", o.labels, ns_labels)) {
                    deletes.push(o.display.clone());
                }
                let finalize = is_namespace
                    && hit(request(
                        &o.target, "UPDATE", "finalize", o.labels, ns_labels,
                    ));
                if hit(request(&o.target, "UPDATE", "", o.labels, ns_labels)) || finalize {
                    updates.push(o.display.clone());
                }
            }
            let named = quoted == Some(w.name.as_str());
            (named || !deletes.is_empty() || !updates.is_empty()).then(|| WebhookFinding {
                webhook: w.clone(),
                rejects_all: w.rejects_all(),
                intercepts_delete: deletes,
                intercepts_update: updates,
                match_conditions_not_evaluated: conditional,
                named_by_namespace_controller: named,
            })
        })
        .collect()
}

fn blocker(f: &WebhookFinding) -> Blocker {
    let w = &f.webhook;
    let mut what = Vec::new();
    if !f.intercepts_delete.is_empty() {
        what.push(format!(
            "DELETE of {} (the namespace controller's deletes)",
            list_some(&f.intercepts_delete, 5)
        ));
    }
    if !f.intercepts_update.is_empty() {
        what.push(format!(
            "UPDATE of {} (finalizer patches)",
            list_some(&f.intercepts_update, 5)
        ));
    }
    let quoted = if f.named_by_namespace_controller {
        "; the namespace controller's NamespaceDeletionContentFailure condition quotes it"
    } else {
        ""
    };
    let maybe = if f.match_conditions_not_evaluated {
        " (unless its matchConditions exclude them: CEL conditions are not evaluated here)"
    } else {
        ""
    };
    Blocker {
        cause: Cause::AdmissionWebhook,
        detail: format!(
            "admission webhook \"{}\" ({} {}, failurePolicy Fail) rejects every request it intercepts because its {}: it intercepts {}{maybe}{quoted}",
            w.name,
            w.configuration_kind,
            w.configuration,
            w.backend.describe(),
            if what.is_empty() {
                "requests in this namespace".to_owned()
            } else {
                what.join(" and ")
            },
        ),
        fix: format!(
            "repair its backend, or delete {} with --fix {OVERRIDE} (backed up first; every webhook in that configuration goes)",
            w.configuration_display()
        ),
    }
}

/// Records the webhooks on the diagnosis and rewrites the verdict where a dead one is the cause:
/// the generic content-failure blocker and the "wait, the controller retries" one no longer
/// apply while it rejects the deletes.
pub fn amend(d: &mut Diagnosis, webhooks: &[Webhook]) {
    if !d.namespace.is_terminating() {
        return;
    }
    d.webhooks = findings(d, webhooks);
    let dead: Vec<Blocker> = d
        .webhooks
        .iter()
        .filter(|f| f.rejects_all)
        .map(blocker)
        .collect();
    if dead.is_empty() {
        return;
    }
    let blocks_deletes = d.webhooks.iter().any(|f| {
        f.rejects_all && (f.named_by_namespace_controller || !f.intercepts_delete.is_empty())
    });
    if blocks_deletes {
        d.blockers.retain(|b| {
            !matches!(
                b.cause,
                Cause::ContentDeletionFailure | Cause::ContentBeingDeleted | Cause::Finishing
            )
        });
    }
    let at = d
        .blockers
        .iter()
        .position(|b| {
            !matches!(
                b.cause,
                Cause::UnavailableApiService | Cause::DiscoveryFailure
            )
        })
        .unwrap_or(d.blockers.len());
    d.blockers.splice(at..at, dead);
}

/// The request a plan step sends, as admission sees it.
fn step_request<'a>(
    step: &'a Step,
    labels: &'a BTreeMap<String, String>,
    namespace_labels: Option<&'a BTreeMap<String, String>>,
) -> Request<'a> {
    let (operation, subresource) = match step.action {
        Action::Delete { .. } => ("DELETE", ""),
        Action::RemoveFinalizers { .. } => ("UPDATE", ""),
        Action::FinalizeNamespace { .. } => ("UPDATE", "finalize"),
    };
    request(
        &step.target,
        operation,
        subresource,
        labels,
        namespace_labels,
    )
}

/// The labels admission selectors see for each object a plan may touch.
#[derive(Debug, Default)]
pub struct Labels<'a> {
    /// By uid.
    pub objects: HashMap<&'a str, &'a BTreeMap<String, String>>,
    /// Namespaces' labels, by name; an unknown namespace is assumed to be selected.
    pub namespaces: HashMap<&'a str, &'a BTreeMap<String, String>>,
}

impl<'a> Labels<'a> {
    pub fn of_namespaces(diagnoses: &'a [Diagnosis]) -> Self {
        let mut labels = Labels::default();
        for d in diagnoses {
            labels
                .namespaces
                .insert(d.namespace.name.as_str(), &d.namespace.labels);
            for l in &d.leftovers {
                labels
                    .objects
                    .insert(l.object.uid.as_str(), &l.object.labels);
            }
        }
        labels
    }

    fn of(
        &self,
        t: &Target,
    ) -> (
        &'a BTreeMap<String, String>,
        Option<&'a BTreeMap<String, String>>,
    ) {
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        let namespace = if t.kind == "Namespace" && t.group.is_empty() {
            Some(t.name.as_str())
        } else {
            t.namespace.as_deref()
        };
        let ns_labels = namespace.and_then(|n| self.namespaces.get(n).copied());
        let object = t
            .uid
            .as_deref()
            .and_then(|u| self.objects.get(u).copied())
            .or(ns_labels.filter(|_| t.kind == "Namespace"))
            .unwrap_or(&EMPTY);
        (object, ns_labels)
    }
}

/// Dead fail-closed webhooks that would reject a step of `plan`, with the steps they reject.
fn rejecting<'a>(
    plan: &Plan,
    labels: &Labels<'_>,
    webhooks: &'a [Webhook],
) -> Vec<(&'a Webhook, Vec<String>)> {
    webhooks
        .iter()
        .filter(|w| w.rejects_all())
        .filter_map(|w| {
            let steps: Vec<String> = plan
                .steps
                .iter()
                .filter(|s| {
                    let (object, ns) = labels.of(&s.target);
                    w.intercepts(&step_request(s, object, ns)) != Intercepts::No
                })
                .map(|s| format!("{} ({})", s.target.display(), s.action.describe()))
                .collect();
            (!steps.is_empty()).then_some((w, steps))
        })
        .collect()
}

/// Dead webhooks found rejecting what the namespaces' deletion needs, with why.
pub fn namespace_blockers(diagnoses: &[Diagnosis]) -> Vec<(Webhook, String)> {
    diagnoses
        .iter()
        .flat_map(|d| {
            d.webhooks.iter().filter(|f| f.rejects_all).map(|f| {
                (
                    f.webhook.clone(),
                    format!(
                        "rejects requests the deletion of namespace {} needs",
                        d.namespace.name
                    ),
                )
            })
        })
        .collect()
}

fn delete_step(w: &Webhook, why: String) -> Step {
    Step::new(
        Target {
            group: "admissionregistration.k8s.io".into(),
            version: "v1".into(),
            kind: w.configuration_kind.clone(),
            plural: format!("{}s", w.configuration_kind.to_lowercase()),
            namespace: None,
            name: w.configuration.clone(),
            uid: known(&w.configuration_uid),
            resource_version: known(&w.configuration_resource_version),
        },
        Action::Delete {
            grace_period_seconds: None,
        },
        why,
    )
    .risk(Risk::High)
    .cluster_wide()
    .phase(PHASE_WEBHOOKS)
}

/// Before a fix: a dead fail-closed webhook that would reject one of its requests refuses the
/// fix (exit 4, naming it) unless `allow_delete` ([`OVERRIDE`]); with it, the configurations of
/// those webhooks — and of the `also` ones, found blocking the deletion itself — are deleted
/// first.
pub fn gate(
    plan: &mut Plan,
    labels: &Labels<'_>,
    webhooks: &[Webhook],
    also: Vec<(Webhook, String)>,
    allow_delete: bool,
) -> Result<()> {
    let mut reasons: BTreeMap<String, (Webhook, Vec<String>)> = BTreeMap::new();
    let mut add = |w: &Webhook, why: String| {
        reasons
            .entry(format!("{}/{}", w.configuration_kind, w.configuration))
            .or_insert_with(|| (w.clone(), Vec::new()))
            .1
            .push(why);
    };
    for (w, steps) in rejecting(plan, labels, webhooks) {
        add(w, format!("would reject {}", steps.join(", ")));
    }
    if !allow_delete {
        if let Some((w, why)) = reasons.values().next() {
            return Err(Error::Unsafe {
                message: format!(
                    "admission webhook \"{}\" ({} {}) fails closed and its {}: it {}",
                    w.name,
                    w.configuration_kind,
                    w.configuration,
                    w.backend.describe(),
                    why.join("; ")
                ),
                override_flag: format!(
                    "{OVERRIDE}, which deletes that webhook configuration (backed up first)"
                ),
            });
        }
        return Ok(());
    }
    for (w, why) in also {
        add(&w, why);
    }
    for (w, why) in reasons.into_values() {
        plan.warnings.push(format!(
            "deleting {} removes every webhook it defines, cluster-wide; its owner (a Helm chart, an operator) may re-create it",
            w.configuration_display()
        ));
        plan.steps.push(delete_step(
            &w,
            format!(
                "webhook \"{}\" fails closed and its {} ({OVERRIDE}): {}",
                w.name,
                w.backend.describe(),
                why.join("; ")
            ),
        ));
    }
    Ok(())
}

/// Re-checked on the fresh configuration right before it is deleted: only while it still holds
/// a fail-closed webhook with the same backend the diagnosis found dead.
/// A failed [`gate`] as the error the run ends with (exit 4 with its override).
pub fn refusal(gate: &Result<()>) -> Option<Error> {
    match gate {
        Err(Error::Unsafe {
            message,
            override_flag,
        }) => Some(Error::Unsafe {
            message: message.clone(),
            override_flag: override_flag.clone(),
        }),
        _ => None,
    }
}

/// What the webhook guard reads of a webhook configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfigurationView {
    pub webhooks: Vec<HookView>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HookView {
    pub name: String,
    pub failure_policy: Option<String>,
    /// Kept as sent: [`address_of`] names a Service or a URL the way the diagnosis did.
    pub client_config: Value,
}

/// A webhook configuration is deleted only while it still holds the dead fail-closed webhook the
/// diagnosis found (same name, still `Fail`, same backend).
pub struct StillDead<'a> {
    pub webhooks: &'a [Webhook],
}

impl Guard for StillDead<'_> {
    type View = ConfigurationView;

    fn check(&self, step: &Step, current: &ConfigurationView) -> Option<String> {
        let dead: Vec<&Webhook> = self
            .webhooks
            .iter()
            .filter(|w| w.rejects_all() && w.configuration == step.target.name)
            .collect();
        let still = current.webhooks.iter().any(|h| {
            let fails_closed = h.failure_policy.as_deref() != Some("Ignore");
            dead.iter().any(|w| {
                h.name == w.name
                    && fails_closed
                    && address_of(&h.client_config) == w.backend.address()
            })
        });
        (!still)
            .then(|| "the webhook configuration changed since the diagnosis; diagnose again".into())
    }
}

/// [`StillDead`] on the JSON the Applier read.
pub fn guard(step: &Step, current: &Value, webhooks: &[Webhook]) -> Option<String> {
    firstaid::guard::check(&StillDead { webhooks }, step, current)
}

#[cfg(test)]
mod tests;
