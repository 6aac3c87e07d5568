//! Why a namespace is stuck in Terminating: pure functions from what was fetched to findings with
//! their evidence and a verdict naming the least destructive fix.
//!
//! The namespace controller finishes a namespace only when discovery succeeded for every API
//! group, every object is gone, and then it drops `spec.finalizers: [kubernetes]`. So the causes,
//! in the order they are checked, are: an aggregated API that is down (blocks every namespace in
//! the cluster), objects held by finalizers, objects nobody deleted (controller not running), and
//! finally finalizers on the namespace itself.

mod condition;
mod held;
mod quick;

pub use condition::{ExplainedCondition, explain};
pub use held::held_by_finalizers;
pub use quick::quick_reason;

use std::fmt::Write as _;

use firstaid::k8s::Timestamp;
use serde::Serialize;

use crate::finalizers::{FinalizerVerdict, classify, removable};
use crate::model::{
    ApiServiceState, ControllerEvidence, DiscoveryFailure, LeaseInfo, Leftover, NamespaceState,
    ResourceType,
};

/// How long after deletion a namespace without any status condition means the namespace
/// controller is not processing it: it writes its conditions on its first pass, which it schedules
/// 5 s after the deletion, so 30 s leaves room for a busy controller.
pub const CONTROLLER_GRACE_SECONDS: i64 = 30;

/// A leftover object and the verdict on each of its finalizers.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeftoverFinding {
    #[serde(flatten)]
    pub object: Leftover,
    #[serde(rename = "finalizers")]
    pub finalizer_verdicts: Vec<FinalizerVerdict>,
}

impl LeftoverFinding {
    /// The object with a verdict on each of its finalizers.
    pub fn of(l: &Leftover, evidence: &ControllerEvidence, now: Timestamp) -> Self {
        LeftoverFinding {
            object: l.clone(),
            finalizer_verdicts: l
                .finalizers
                .iter()
                .map(|f| classify(f, &l.resource.group, evidence, now))
                .collect(),
        }
    }

    /// Finalizers `--fix` would remove from this object.
    pub fn removable(&self, named: &[String]) -> Vec<String> {
        self.finalizer_verdicts
            .iter()
            .filter(|v| removable(v, named))
            .map(|v| v.name.clone())
            .collect()
    }
}

/// A resource type that could not be searched (forbidden, or the list failed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unsearched {
    pub resource: ResourceType,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Cause {
    NotTerminating,
    UnavailableApiService,
    DiscoveryFailure,
    ContentDeletionFailure,
    /// A fail-closed admission webhook with a dead backend rejects the deletes or patches.
    AdmissionWebhook,
    DeadFinalizers,
    WaitingOnControllers,
    NamespaceControllerNotRunning,
    ContentBeingDeleted,
    NamespaceFinalizers,
    Unsearched,
    Finishing,
}

/// One thing that keeps the namespace from going away, and what to do about it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Blocker {
    pub cause: Cause,
    pub detail: String,
    pub fix: String,
}

/// Everything found about one namespace.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnosis {
    pub namespace: NamespaceState,
    pub conditions: Vec<ExplainedCondition>,
    /// Names of unavailable APIServices (they block this and every other namespace).
    pub blocking_api_services: Vec<String>,
    pub leftovers: Vec<LeftoverFinding>,
    pub unsearched: Vec<Unsearched>,
    /// Verdicts on the namespace's own `metadata.finalizers`.
    pub namespace_finalizers: Vec<FinalizerVerdict>,
    /// Admission webhooks that intercept the deletes or patches this namespace needs
    /// (filled in by `admission::amend`).
    pub webhooks: Vec<crate::admission::WebhookFinding>,
    /// Whether the namespace controller appears to be processing this namespace, and why we think so.
    pub namespace_controller: String,
    /// What blocks deletion, most important first; empty when nothing does.
    pub blockers: Vec<Blocker>,
}

impl Diagnosis {
    /// One line for the list view.
    pub fn summary(&self) -> String {
        self.blockers
            .first()
            .map_or_else(|| "nothing found blocking".to_owned(), |b| b.detail.clone())
    }

    /// Objects that would stay in etcd if the namespace were finalized now: everything not
    /// already on its way out once `--fix` removes its dead finalizers.
    pub fn would_orphan(&self, named: &[String]) -> Vec<&LeftoverFinding> {
        self.leftovers
            .iter()
            .filter(|l| {
                let removing = l.removable(named);
                let all_go = l.object.finalizers.iter().all(|f| removing.contains(f));
                !(l.object.deletion_timestamp.is_some() && all_go)
            })
            .collect()
    }
}

/// What was fetched for one namespace.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    pub namespace: &'a NamespaceState,
    /// `Err` when APIServices could not be listed.
    pub api_services: Result<&'a [ApiServiceState], &'a str>,
    pub discovery_failures: &'a [DiscoveryFailure],
    pub leftovers: Vec<Leftover>,
    pub unsearched: Vec<Unsearched>,
    pub evidence: &'a ControllerEvidence,
    /// `kube-system/kube-controller-manager`'s leader-election Lease, when it exists.
    pub controller_manager_lease: Option<&'a LeaseInfo>,
    /// Finalizers the user asked to remove regardless (`--remove-finalizer`).
    pub named_finalizers: &'a [String],
    pub now: Timestamp,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

pub(crate) fn list_some(items: &[String], max: usize) -> String {
    let mut text = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        let _ = write!(text, " and {} more", items.len() - max);
    }
    text
}

/// Whether the namespace controller processes this namespace, with the reason.
fn controller_running(inputs: &Inputs<'_>) -> (Option<bool>, String) {
    let ns = inputs.namespace;
    if let Some(lease) = inputs.controller_manager_lease
        && lease.is_fresh(inputs.now)
    {
        return (
            Some(true),
            "kube-controller-manager holds its leader Lease (renewed recently)".into(),
        );
    }
    let since = ns
        .deletion_timestamp
        .map(|t| firstaid::k8s::time::seconds_between(t, inputs.now));
    if !ns.conditions.is_empty() {
        return (
            Some(true),
            "the namespace controller has written its deletion conditions".into(),
        );
    }
    match since {
        Some(s) if s > CONTROLLER_GRACE_SECONDS => (
            Some(false),
            format!(
                "the namespace has no status conditions {s}s after deletion; the namespace controller writes them on its first pass, so kube-controller-manager (or its namespace controller) is not running"
            ),
        ),
        _ => (
            None,
            "deleted moments ago; the namespace controller has not reported yet".into(),
        ),
    }
}

pub fn diagnose(inputs: &Inputs<'_>) -> Diagnosis {
    let ns = inputs.namespace;
    let conditions: Vec<ExplainedCondition> = ns
        .conditions
        .iter()
        .map(|c| ExplainedCondition {
            condition: c.clone(),
            explanation: explain(c),
        })
        .collect();
    let unavailable: Vec<&ApiServiceState> = inputs
        .api_services
        .map(|all| all.iter().filter(|a| a.is_unavailable()).collect())
        .unwrap_or_default();
    let leftovers: Vec<LeftoverFinding> = inputs
        .leftovers
        .iter()
        .map(|l| LeftoverFinding::of(l, inputs.evidence, inputs.now))
        .collect();
    let namespace_finalizers: Vec<FinalizerVerdict> = ns
        .metadata_finalizers
        .iter()
        .map(|f| classify(f, "", inputs.evidence, inputs.now))
        .collect();
    let (running, controller_reason) = controller_running(inputs);
    let mut diagnosis = Diagnosis {
        namespace: ns.clone(),
        conditions,
        blocking_api_services: unavailable.iter().map(|a| a.name.clone()).collect(),
        leftovers,
        unsearched: inputs.unsearched.clone(),
        namespace_finalizers,
        webhooks: Vec::new(),
        namespace_controller: controller_reason,
        blockers: Vec::new(),
    };
    diagnosis.blockers = blockers(inputs, &diagnosis, &unavailable, running);
    diagnosis
}

fn blockers(
    inputs: &Inputs<'_>,
    d: &Diagnosis,
    unavailable: &[&ApiServiceState],
    running: Option<bool>,
) -> Vec<Blocker> {
    let ns = inputs.namespace;
    let named = inputs.named_finalizers;
    let mut out = Vec::new();
    if !ns.is_terminating() {
        out.push(Blocker {
            cause: Cause::NotTerminating,
            detail: format!("namespace {} is {}, not Terminating", ns.name, ns.phase),
            fix: "nothing to do".into(),
        });
        return out;
    }

    // 1. Aggregated APIs that are down: discovery fails for the whole cluster.
    for a in unavailable {
        out.push(Blocker {
            cause: Cause::UnavailableApiService,
            detail: format!(
                "APIService {}{} is not Available{}{}: discovery of {} fails, so no namespace in the cluster can finish deleting",
                a.name,
                a.service.as_ref().map(|s| format!(" (served by Service {s})")).unwrap_or_default(),
                if a.reason.is_empty() { String::new() } else { format!(" ({})", a.reason) },
                if a.message.is_empty() { String::new() } else { format!(": {}", a.message) },
                a.group_version()
            ),
            fix: format!(
                "repair its backend (are the Pods behind Service {} running and ready?), or delete the APIService with --fix (cluster-wide: the {} API disappears until its owner re-creates it)",
                a.service.as_ref().map_or_else(|| "?".into(), ToString::to_string),
                a.group_version()
            ),
        });
    }
    let discovery_failed = ns
        .condition("NamespaceDeletionDiscoveryFailure")
        .filter(|c| c.status == "True");
    if unavailable.is_empty() {
        if let Some(c) = discovery_failed {
            let why = match inputs.api_services {
                Err(e) => format!(" (APIServices could not be read: {e})"),
                Ok(_) => String::new(),
            };
            out.push(Blocker {
                cause: Cause::DiscoveryFailure,
                detail: format!(
                    "discovery fails for the namespace controller: {}{why}",
                    c.message
                ),
                fix:
                    "find the failing APIService (kubectl get apiservices) and repair or delete it"
                        .into(),
            });
        } else if !inputs.discovery_failures.is_empty() {
            let gvs: Vec<String> = inputs
                .discovery_failures
                .iter()
                .map(|f| f.group_version.clone())
                .collect();
            out.push(Blocker {
                cause: Cause::DiscoveryFailure,
                detail: format!("discovery fails for {}", list_some(&gvs, 5)),
                fix:
                    "find the failing APIService (kubectl get apiservices) and repair or delete it"
                        .into(),
            });
        }
    }
    if let Some(c) = ns
        .condition("NamespaceDeletionContentFailure")
        .filter(|c| c.status == "True")
    {
        out.push(Blocker {
            cause: Cause::ContentDeletionFailure,
            detail: format!("the namespace controller's deletes fail: {}", c.message),
            fix: "fix what rejects the deletes (an admission webhook whose backend is down is the usual cause)".into(),
        });
    }

    // 2. Objects held by finalizers.
    let bare = held_by_finalizers(&d.leftovers, named, &mut out);
    if !bare.is_empty() {
        if running == Some(false) {
            out.push(Blocker {
                cause: Cause::NamespaceControllerNotRunning,
                detail: format!(
                    "{} not deleted because the namespace controller is not running: {}",
                    plural(bare.len(), "object was", "objects were"),
                    list_some(&bare, 5)
                ),
                fix: "start kube-controller-manager; last resort: --force-finalize (orphans them in etcd)".into(),
            });
        } else {
            out.push(Blocker {
                cause: Cause::ContentBeingDeleted,
                detail: format!(
                    "{} still being deleted: {}",
                    plural(bare.len(), "object is", "objects are"),
                    list_some(&bare, 5)
                ),
                fix: "wait: the namespace controller deletes them and retries".into(),
            });
        }
    }
    if !d.unsearched.is_empty() {
        let types: Vec<String> = d
            .unsearched
            .iter()
            .map(|u| format!("{} ({})", u.resource.qualified(), u.reason))
            .collect();
        out.push(Blocker {
            cause: Cause::Unsearched,
            detail: format!(
                "{} could not be searched, so objects of them may remain: {}",
                plural(types.len(), "resource type", "resource types"),
                list_some(&types, 3)
            ),
            fix: "run with permission to list them (or as a cluster admin) for a complete answer"
                .into(),
        });
    }

    // 3. The namespace itself.
    let content_clear = out.iter().all(|b| b.cause == Cause::Unsearched);
    if content_clear && !ns.spec_finalizers.is_empty() {
        if running == Some(false) {
            out.push(Blocker {
                cause: Cause::NamespaceControllerNotRunning,
                detail: format!(
                    "the namespace is empty but still has spec.finalizers [{}]: {}",
                    ns.spec_finalizers.join(", "),
                    d.namespace_controller
                ),
                fix: "start kube-controller-manager; or finalize it with --force-finalize (safe here: nothing is left to orphan)".into(),
            });
        } else {
            out.push(Blocker {
                cause: Cause::Finishing,
                detail: format!(
                    "the namespace is empty; the namespace controller should drop spec.finalizers [{}] shortly",
                    ns.spec_finalizers.join(", ")
                ),
                fix: "wait; if it stays like this, --force-finalize finalizes it (nothing is left to orphan)".into(),
            });
        }
    }
    if !d.namespace_finalizers.is_empty() {
        let finalizer_names: Vec<String> = d
            .namespace_finalizers
            .iter()
            .map(|v| format!("{} → {}", v.name, v.owner))
            .collect();
        out.push(Blocker {
            cause: Cause::NamespaceFinalizers,
            detail: format!(
                "metadata.finalizers on the namespace: {}",
                finalizer_names.join(", ")
            ),
            fix: "--fix removes the dead ones; --force-finalize removes all of them".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests;
