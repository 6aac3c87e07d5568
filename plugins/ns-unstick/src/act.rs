//! The fix, as one plan ordered least destructive first:
//!
//! 1. delete unavailable APIServices (cluster-wide — one dead aggregated API blocks every
//!    namespace deletion; labelled as such, and skipped if it became Available again);
//! 2. remove dead finalizers from leftover objects — only those, each with a JSON-patch `test` of
//!    the current list;
//! 3. only with `--force-finalize`: `PUT …/finalize` dropping `spec.finalizers`, after listing every
//!    object that would be orphaned;
//! 4. the namespace's own `metadata.finalizers` (dead ones; all of them with `--force-finalize`).
//!
//! The shared applier backs up, dry-runs, applies with conflict detection and re-asks [`guard`] on
//! the freshly read object; a phase runs only if the previous one succeeded.

use firstaid::Error;
use firstaid::guard::{Guard, Metadata};
use firstaid::plan::{Action, Plan, Risk, Step, Target};
use firstaid::refreshed::Refreshed;
use serde_json::Value;

use crate::diagnose::{Blocker, Cause, Diagnosis};
use crate::finalizers::{classify, removable};
use crate::model::{ApiServiceState, ControllerEvidence, Leftover};
use firstaid::k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;

/// What the user allowed.
#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    pub force_finalize: bool,
    /// `--remove-finalizer`: remove these even though they are not known to be dead.
    pub named_finalizers: Vec<String>,
}

pub const PHASE_API_SERVICES: u8 = 1;
pub const PHASE_LEFTOVERS: u8 = 2;
pub const PHASE_FINALIZE: u8 = 3;
pub const PHASE_NAMESPACE_FINALIZERS: u8 = 4;

/// A uid or resourceVersion as read; empty when the list did not carry one (a fixture).
pub fn known(value: &str) -> Option<String> {
    Some(value.to_owned()).filter(|v| !v.is_empty())
}

fn api_service_target(a: &ApiServiceState) -> Target {
    Target {
        group: "apiregistration.k8s.io".into(),
        version: "v1".into(),
        kind: "APIService".into(),
        plural: "apiservices".into(),
        namespace: None,
        name: a.name.clone(),
        uid: known(&a.uid),
        resource_version: known(&a.resource_version),
    }
}

/// The target for an object left in a namespace.
pub fn leftover_target(l: &Leftover) -> Target {
    let ty = &l.resource;
    Target {
        group: ty.group.clone(),
        version: ty.version.clone(),
        kind: ty.kind.clone(),
        plural: ty.plural.clone(),
        namespace: Some(l.namespace.clone()).filter(|n| !n.is_empty()),
        name: l.name.clone(),
        uid: known(&l.uid),
        resource_version: known(&l.resource_version),
    }
}

pub fn namespace_target(d: &Diagnosis) -> Target {
    Target {
        group: String::new(),
        version: "v1".into(),
        kind: "Namespace".into(),
        plural: "namespaces".into(),
        namespace: None,
        name: d.namespace.name.clone(),
        uid: known(&d.namespace.uid),
        resource_version: known(&d.namespace.resource_version),
    }
}

/// Builds the plan for the diagnosed (Terminating) namespaces.
pub fn plan(
    diagnoses: &[Diagnosis],
    unavailable: &[ApiServiceState],
    options: &FixOptions,
) -> Plan {
    let mut plan = Plan::default();
    let stuck: Vec<&Diagnosis> = diagnoses
        .iter()
        .filter(|d| d.namespace.is_terminating())
        .collect();
    if stuck.is_empty() {
        return plan;
    }
    let named = &options.named_finalizers;

    for a in unavailable {
        let blocked: Vec<&str> = stuck.iter().map(|d| d.namespace.name.as_str()).collect();
        plan.push(
            Step::new(
                api_service_target(a),
                Action::Delete {
                    grace_period_seconds: None,
                },
                format!(
                    "not Available ({}): its API {} cannot be discovered, which blocks deletion of every namespace ({})",
                    if a.reason.is_empty() { "no status" } else { a.reason.as_str() },
                    a.group_version(),
                    blocked.join(", ")
                ),
            )
            .risk(Risk::High)
            .cluster_wide()
            .phase(PHASE_API_SERVICES),
        );
        plan.warnings.push(format!(
            "deleting APIService {} removes the {} API from the whole cluster until its owner re-creates it; to keep it, repair its backend (Service {}) instead",
            a.name,
            a.group_version(),
            a.service.as_ref().map_or_else(|| "?".into(), ToString::to_string)
        ));
    }

    for d in &stuck {
        for l in &d.leftovers {
            let remove = l.removable(named);
            if remove.is_empty() {
                continue;
            }
            let evidence: Vec<String> = l
                .finalizer_verdicts
                .iter()
                .filter(|v| remove.contains(&v.name))
                .map(|v| {
                    if named.contains(&v.name) {
                        format!("{}: named with --remove-finalizer", v.name)
                    } else {
                        format!("{}: {}", v.name, v.evidence)
                    }
                })
                .collect();
            let target = leftover_target(&l.object);
            plan.push(
                Step::new(
                    target,
                    Action::RemoveFinalizers { finalizers: remove },
                    evidence.join("; "),
                )
                .risk(Risk::Medium)
                .phase(PHASE_LEFTOVERS),
            );
        }
    }

    if options.force_finalize {
        for d in &stuck {
            if d.namespace.spec_finalizers.is_empty() {
                continue;
            }
            let orphans = d.would_orphan(named);
            let reason = if orphans.is_empty() {
                "last resort (--force-finalize): nothing left to orphan".to_owned()
            } else {
                format!(
                    "last resort (--force-finalize): orphans {} object(s)",
                    orphans.len()
                )
            };
            plan.push(
                Step::new(
                    namespace_target(d),
                    Action::FinalizeNamespace {
                        finalizers: d.namespace.spec_finalizers.clone(),
                    },
                    reason,
                )
                .risk(Risk::High)
                .phase(PHASE_FINALIZE),
            );
            if !orphans.is_empty() {
                let orphan_names: Vec<String> =
                    orphans.iter().map(|o| o.object.display()).collect();
                plan.warnings.push(format!(
                    "finalizing namespace {ns} leaves these {n} object(s) in etcd; they reappear if a namespace named {ns} is created again: {list}",
                    ns = d.namespace.name,
                    n = orphan_names.len(),
                    list = orphan_names.join(", ")
                ));
            }
            if !d.unsearched.is_empty() || !d.blocking_api_services.is_empty() {
                plan.warnings.push(format!(
                    "namespace {} could not be searched completely (unavailable APIs or unlistable types); objects there would be orphaned too",
                    d.namespace.name
                ));
            }
        }
    }

    for d in &stuck {
        let remove: Vec<String> = d
            .namespace_finalizers
            .iter()
            .filter(|v| options.force_finalize || removable(v, named))
            .map(|v| v.name.clone())
            .collect();
        if remove.is_empty() {
            continue;
        }
        plan.push(
            Step::new(
                namespace_target(d),
                Action::RemoveFinalizers { finalizers: remove },
                if options.force_finalize {
                    "metadata.finalizers on the namespace (--force-finalize)".to_owned()
                } else {
                    "dead metadata.finalizers on the namespace".to_owned()
                },
            )
            .risk(if options.force_finalize {
                Risk::High
            } else {
                Risk::Medium
            })
            .phase(PHASE_NAMESPACE_FINALIZERS),
        );
    }
    plan
}

/// The fix's safety rule, asked again on the freshly read object right before each request (and
/// after every conflict's re-read), with the operators' controllers as they are by then.
pub struct Recheck<'a> {
    /// Workloads and Leases, read again in the background while the plan waits and runs.
    pub evidence: &'a Refreshed<ControllerEvidence>,
    /// `--remove-finalizer`: removed whatever their state.
    pub named: &'a [String],
    /// `--force-finalize`: the namespace's own finalizers go whatever their state.
    pub force_finalize: bool,
}

impl Recheck<'_> {
    /// `Some(reason)` leaves the step undone.
    pub fn check(&self, step: &Step, current: &Value) -> Option<String> {
        if step.target.kind == "APIService" {
            firstaid::guard::check(&StillUnavailable, step, current)
        } else {
            firstaid::guard::check(self, step, current)
        }
    }
}

impl Guard for Recheck<'_> {
    type View = Metadata;

    fn check(&self, step: &Step, current: &Metadata) -> Option<String> {
        let kind = step.target.kind.as_str();
        if kind == "Namespace" && current.metadata.deletion_timestamp.is_none() {
            return Some("the namespace is no longer being deleted".into());
        }
        let Action::RemoveFinalizers { finalizers } = &step.action else {
            return None;
        };
        if kind == "Namespace" && self.force_finalize {
            return None;
        }
        // Namespaces' own finalizers were judged without a group, leftovers' with theirs.
        let group = if kind == "Namespace" {
            ""
        } else {
            step.target.group.as_str()
        };
        let now = firstaid::k8s::time::now();
        self.evidence.with(|evidence| {
            finalizers
                .iter()
                .map(|f| classify(f, group, evidence, now))
                .find(|verdict| !removable(verdict, self.named))
                .map(|verdict| {
                    format!(
                        "finalizer {} no longer looks dead ({}); left in place",
                        verdict.name, verdict.evidence
                    )
                })
        })
    }
}

/// An unavailable APIService is deleted only while it is still unavailable.
struct StillUnavailable;

impl Guard for StillUnavailable {
    type View = APIService;

    fn check(&self, _: &Step, current: &APIService) -> Option<String> {
        (ApiServiceState::of(current).available == Some(true))
            .then(|| "the APIService is Available again; nothing to delete".into())
    }
}

/// What `--fix` says when the plan is empty and nothing blocks: waiting is the fix.
pub const NOTHING_BUT_WAIT: &str =
    "Nothing to fix: the namespace controller is still working; wait (or rerun with --wait).";

/// Why `--fix` found nothing it may do on its own, naming the override that would — or `None`
/// when nothing blocks and waiting is the fix.
pub fn refusal<'a>(mut blockers: impl Iterator<Item = &'a Blocker>) -> Option<Error> {
    let first = blockers.find(|b| {
        !matches!(
            b.cause,
            Cause::NotTerminating | Cause::Finishing | Cause::ContentBeingDeleted
        )
    })?;
    let override_flag = match first.cause {
        Cause::WaitingOnControllers => "--remove-finalizer NAME (or --force-finalize)",
        Cause::AdmissionWebhook => crate::admission::OVERRIDE,
        _ => "--force-finalize",
    };
    Some(Error::Unsafe {
        message: format!(
            "nothing here is safe to fix automatically: {}",
            first.detail
        ),
        override_flag: override_flag.into(),
    })
}

#[cfg(test)]
pub(crate) mod tests;
