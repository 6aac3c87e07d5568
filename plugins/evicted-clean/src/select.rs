//! Which failed pods are records that can go, and the few facts about each that the report needs.
//!
//! The FAQ's `grep Evicted` matches pod *names*; here a pod qualifies only by its status: phase
//! Failed (asked of the server with a field selector) and a record-only reason (checked here —
//! there is no field selector for `status.reason`). A pod is reduced to a small [`FailedPod`] as
//! soon as its page arrives, so 50,000 listed pods never sit in memory at once.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use firstaid::k8s_openapi::api::core::v1::Pod;
use serde::Serialize;

use crate::cli::Phase;

/// `status.reason` values the kubelet leaves on a pod it refused or stopped: the pod is only a
/// record (its containers are gone, it uses no resources), and its controller already made a
/// replacement. `Evicted` is node-pressure eviction; the others are admission failures
/// (`OutOf*`, `NodeAffinity`, `UnexpectedAdmissionError`: the FAQ on pods the kubelet rejected),
/// graceful node shutdown (`Terminated`, `NodeShutdown`) and containers lost with their node
/// (`ContainerStatusUnknown`).
pub const RECORD_ONLY_REASONS: [&str; 12] = [
    "Evicted",
    "UnexpectedAdmissionError",
    "OutOfmemory",
    "OutOfcpu",
    "OutOfpods",
    "OutOfephemeral-storage",
    "NodeAffinity",
    "NodeName",
    "Terminated",
    "NodeShutdown",
    "ContainerStatusUnknown",
    "Preempting",
];

/// What to select; built from the command line.
#[derive(Debug, Clone)]
pub struct Criteria {
    pub reasons: BTreeSet<String>,
    pub phases: BTreeSet<Phase>,
    pub older_than: Option<Duration>,
}

impl Criteria {
    /// `--reason` adds to `Evicted`; `all` adds every record-only reason. `--phase` defaults to Failed.
    pub fn new(extra_reasons: &[String], phases: &[Phase], older_than: Option<Duration>) -> Self {
        let mut reasons: BTreeSet<String> = BTreeSet::from(["Evicted".to_owned()]);
        for reason in extra_reasons {
            let reason = reason.trim();
            if reason.eq_ignore_ascii_case("all") {
                reasons.extend(RECORD_ONLY_REASONS.iter().map(|r| (*r).to_owned()));
            } else if !reason.is_empty() {
                reasons.insert(reason.to_owned());
            }
        }
        let mut phases: BTreeSet<Phase> = phases.iter().copied().collect();
        if phases.is_empty() {
            phases.insert(Phase::Failed);
        }
        Criteria {
            reasons,
            phases,
            older_than,
        }
    }

    /// The server-side field selector for the phases (there is no OR: both phases are asked as
    /// "neither Running nor Pending" and the rest is filtered here).
    pub fn phase_field_selector(&self) -> &'static str {
        match (
            self.phases.contains(&Phase::Failed),
            self.phases.contains(&Phase::Succeeded),
        ) {
            (true, false) => "status.phase=Failed",
            (false, true) => "status.phase=Succeeded",
            _ => "status.phase!=Running,status.phase!=Pending",
        }
    }
}

/// The controller that owns a pod, as the user knows it (a ReplicaSet's Deployment).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    pub kind: Arc<str>,
    pub name: Arc<str>,
}

impl Owner {
    pub fn display(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }
}

/// One selected pod, reduced to what the report and the delete need.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedPod {
    pub namespace: Arc<str>,
    pub name: String,
    #[serde(skip)]
    pub uid: String,
    /// As listed: the delete's precondition, so a pod changed since is re-read, not deleted blind.
    #[serde(skip)]
    pub resource_version: String,
    pub phase: &'static str,
    pub reason: Arc<str>,
    /// Shared between pods with the same message (pods evicted in one pressure episode often are).
    pub message: Arc<str>,
    /// The first sentence of the message, which is what pods evicted for the same cause share.
    pub cause: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<Arc<str>>,
    /// `None`: a bare pod, which nothing recreates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// When the pod stopped (Unix seconds), as best the status tells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_at: Option<i64>,
    /// The eviction message says a container used more than it requested (the scheduler places
    /// by requests, the kubelet evicts by usage: the replacement may land right back).
    pub over_request: bool,
    /// An earlier delete was accepted but never finished ([`Deletion::Unfinished`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unfinished_delete: bool,
}

/// An owned (Deployment `web`) or bare evicted pod in namespace `shop` on node `n1`: the fixture
/// the unit tests of the modules that act on selected pods share.
#[cfg(test)]
pub fn evicted_fixture(s: &mut Interner, name: &str, owned: bool) -> FailedPod {
    FailedPod {
        namespace: s.get("shop"),
        name: name.to_owned(),
        uid: format!("uid-{name}"),
        phase: "Failed",
        reason: s.get("Evicted"),
        resource_version: "42".into(),
        message: s.get(""),
        cause: s.get("The node was low on resource: memory."),
        node: Some(s.get("n1")),
        owner: owned.then(|| Owner {
            kind: s.get("Deployment"),
            name: s.get("web"),
        }),
        failed_at: None,
        over_request: false,
        unfinished_delete: false,
    }
}

/// Shares equal strings (namespaces, nodes, owners, causes) between pods.
#[derive(Debug, Default)]
pub struct Interner(HashSet<Arc<str>>);

impl Interner {
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.0.insert(shared.clone());
        shared
    }
}

/// The pod as a [`FailedPod`] if it matches; `now` in Unix seconds.
pub fn select(
    pod: &Pod,
    criteria: &Criteria,
    now: i64,
    strings: &mut Interner,
) -> Option<FailedPod> {
    let status = pod.status.as_ref()?;
    let phase = match status.phase.as_deref()? {
        "Failed" if criteria.phases.contains(&Phase::Failed) => "Failed",
        "Succeeded" if criteria.phases.contains(&Phase::Succeeded) => "Succeeded",
        _ => return None,
    };
    let reason = status.reason.as_deref().unwrap_or("");
    if phase == "Failed" && !criteria.reasons.contains(reason) {
        return None;
    }
    let unfinished_delete = match deletion_state(pod) {
        Deletion::None => false,
        Deletion::Unfinished => true,
        // Someone else's deletion in progress: the kubelet's or a finalizer's business (or
        // --stuck-terminating's), not a record to delete.
        Deletion::InProgress => return None,
    };
    let failed_at = failed_at(pod);
    if let Some(min_age) = criteria.older_than {
        let age = failed_at.map_or(0, |t| now - t);
        if age < i64::try_from(min_age.as_secs()).unwrap_or(i64::MAX) {
            return None;
        }
    }
    let message = strings.get(status.message.as_deref().unwrap_or_default());
    let cause = strings.get(&cause_of(reason, &message));
    Some(FailedPod {
        namespace: strings.get(pod.metadata.namespace.as_deref().unwrap_or("")),
        name: pod.metadata.name.clone().unwrap_or_default(),
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        resource_version: pod.metadata.resource_version.clone().unwrap_or_default(),
        phase,
        reason: strings.get(reason),
        over_request: uses_more_than_requested(&message),
        message,
        cause,
        node: pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_deref())
            .map(|n| strings.get(n)),
        owner: owner_of(pod, strings),
        failed_at,
        unfinished_delete,
    })
}

/// Where a pod is in its deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// Not being deleted.
    None,
    /// Deleted with grace period 0 and no finalizers, yet still stored: the API server writes a
    /// delete in two steps (set `deletionTimestamp` and `deletionGracePeriodSeconds: 0`, then
    /// remove the object) and stopped between them — a crash or a lost etcd connection. Nothing
    /// else finishes it (a terminal pod has no kubelet work left; pod GC only collects pods of
    /// deleted or out-of-service nodes). Another DELETE does: the server recognises a stored
    /// grace period of 0 and removes the object at once (k8s.io/apiserver
    /// `rest.BeforeDelete`, "the deletion operation happens in two phases"). Terminal pods always
    /// get grace period 0 (`podStrategy.CheckGracefulDelete`), so every interrupted delete of an
    /// evicted pod looks like this.
    Unfinished,
    /// Being deleted with a grace period still running, or waiting on finalizers.
    InProgress,
}

pub fn deletion_state(pod: &Pod) -> Deletion {
    let meta = &pod.metadata;
    if meta.deletion_timestamp.is_none() {
        return Deletion::None;
    }
    let grace_over = meta.deletion_grace_period_seconds.unwrap_or(0) == 0;
    let finalizers = meta.finalizers.as_ref().is_some_and(|f| !f.is_empty());
    if grace_over && !finalizers {
        Deletion::Unfinished
    } else {
        Deletion::InProgress
    }
}

/// The owner as the user created it ([`firstaid::k8s::Owner`]), its strings shared between pods.
pub fn owner_of(pod: &Pod, strings: &mut Interner) -> Option<Owner> {
    firstaid::k8s::Owner::of_pod(pod).map(|o| Owner {
        kind: strings.get(o.kind),
        name: strings.get(o.name),
    })
}

/// When the pod stopped: the latest condition transition or container finish, else its start,
/// else its creation (Unix seconds).
pub fn failed_at(pod: &Pod) -> Option<i64> {
    let status = pod.status.as_ref();
    let transitions = status
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|c| c.last_transition_time.as_ref().map(|t| t.0.as_second()));
    let finishes = status
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|c| {
            c.state
                .as_ref()?
                .terminated
                .as_ref()?
                .finished_at
                .as_ref()
                .map(|t| t.0.as_second())
        });
    transitions.chain(finishes).max().or_else(|| {
        status
            .and_then(|s| s.start_time.as_ref())
            .or(pod.metadata.creation_timestamp.as_ref())
            .map(|t| t.0.as_second())
    })
}

/// What pods evicted for the same reason share: the message's first sentence
/// ("The node was low on resource: memory."), without per-pod details such as usage figures.
pub fn cause_of(reason: &str, message: &str) -> String {
    let message = message.trim();
    if message.is_empty() {
        return if reason.is_empty() {
            "(no message)".into()
        } else {
            reason.to_owned()
        };
    }
    let first = match message.find(". ") {
        Some(end) => &message[..=end],
        None => message,
    };
    let first: String = first.chars().take(160).collect();
    first.trim().to_owned()
}

/// The kubelet's eviction message ends with "Container app was using 1Gi, request is 0, has
/// larger consumption of memory." — the FAQ's usage-vs-requests mismatch.
pub fn uses_more_than_requested(message: &str) -> bool {
    message.contains(", request is ") && message.contains("was using")
}

/// What kind of problem an eviction message points at, for the advice printed with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CauseClass {
    /// The node ran short of a resource (kubelet eviction signal crossed a threshold).
    NodePressure,
    /// The pod exceeded its own ephemeral-storage or emptyDir limit (not the node's fault).
    OwnStorageLimit,
    /// Graceful node shutdown.
    NodeShutdown,
    /// The kubelet refused the pod at admission (OutOf*, NodeAffinity, device plugin error).
    Admission,
    /// Preempted by a higher-priority pod.
    Preemption,
    Other,
}

pub fn classify(reason: &str, message: &str) -> CauseClass {
    let m = message.to_ascii_lowercase();
    if m.contains("low on resource") || m.contains("had condition") {
        CauseClass::NodePressure
    } else if m.contains("ephemeral local storage")
        || m.contains("local ephemeral storage limit")
        || m.contains("usage of emptydir volume")
    {
        CauseClass::OwnStorageLimit
    } else if m.contains("node shutdown") || reason == "NodeShutdown" || reason == "Terminated" {
        CauseClass::NodeShutdown
    } else if reason == "Preempting" || m.contains("preempt") {
        CauseClass::Preemption
    } else if reason.starts_with("OutOf")
        || reason == "NodeAffinity"
        || reason == "NodeName"
        || reason == "UnexpectedAdmissionError"
    {
        CauseClass::Admission
    } else {
        CauseClass::Other
    }
}

impl CauseClass {
    /// One line of what to do, from the FAQ answers on evicted pods, pods the kubelet rejected and
    /// pods lost with their node.
    pub fn advice(self) -> &'static str {
        match self {
            CauseClass::NodePressure => {
                "node resource pressure: see the node table; set requests near real usage so the scheduler stops placing pods where the kubelet will evict them"
            }
            CauseClass::OwnStorageLimit => {
                "the pod outgrew its own ephemeral-storage/emptyDir limit: raise the limit or write less to local disk (logs!)"
            }
            CauseClass::NodeShutdown => {
                "graceful node shutdown: the records are harmless; nothing to fix on the workload"
            }
            CauseClass::Admission => {
                "the kubelet refused the pod at admission: records only; if one node keeps doing it, kubectl drain NODE, fix it (e.g. read-only filesystem), kubectl uncordon NODE"
            }
            CauseClass::Preemption => {
                "preempted for a higher-priority pod: check priority classes and cluster capacity"
            }
            CauseClass::Other => "see the message",
        }
    }
}

#[cfg(test)]
mod tests;
