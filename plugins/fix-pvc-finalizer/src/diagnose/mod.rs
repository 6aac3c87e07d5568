//! Diagnosis: which claims, volumes and attachments are stuck, what each finalizer is waiting for,
//! with the evidence, and what to do. Pure functions over an [`Index`]; no I/O.
//!
//! Every finding carries the [`Decision`] of the matching safety rule, so the table, the JSON
//! document and the plan can never disagree about what is safe.

mod attachment;
mod claim;
mod lost;
mod subjects;
mod volume;

pub use lost::lost_volumes;
pub use subjects::{Scope, Subjects, select};

use std::fmt::Write as _;

use firstaid::k8s::Timestamp;
use firstaid::k8s_openapi::api::core::v1::{Event, PersistentVolume};
use firstaid::k8s_openapi::api::storage::v1::VolumeAttachment;
use serde::Serialize;

use crate::facts::PodFacts;
use crate::finalizers::removed_by;
use crate::inventory::{ClaimUse, Index, name_of, namespace_of};
use crate::safety::{Decision, Holder, Overrides};
use firstaid::k8s::NodePresence;
use firstaid::k8s::age;

/// The kinds this tool unsticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Kind {
    PersistentVolumeClaim,
    PersistentVolume,
    VolumeAttachment,
}

impl Kind {
    pub fn short(self) -> &'static str {
        match self {
            Kind::PersistentVolumeClaim => "persistentvolumeclaim",
            Kind::PersistentVolume => "persistentvolume",
            Kind::VolumeAttachment => "volumeattachment.storage.k8s.io",
        }
    }
}

/// One finalizer on the object, who is supposed to remove it, and whether `--fix` would.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FinalizerInfo {
    pub name: String,
    pub removed_by: String,
    pub fix_removes: bool,
}

/// The PV behind a claim or attachment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeInfo {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reclaim_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    /// The backend volume's id (`spec.csi.volumeHandle`), what the storage console shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_handle: Option<String>,
}

/// A VolumeAttachment of a volume.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentInfo {
    pub name: String,
    pub attacher: String,
    pub node: String,
    pub node_state: NodePresence,
    pub attached: bool,
    pub terminating: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detach_error: Option<ErrorInfo>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Timestamp>,
}

/// A warning event, as `kubectl describe` shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventInfo {
    pub reason: String,
    pub message: String,
    pub count: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Timestamp>,
}

/// A pod that waits for a volume (FailedMount, Multi-Attach) somewhere else.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitingPod {
    #[serde(flatten)]
    pub pod: PodFacts,
    pub claim: String,
    pub events: Vec<EventInfo>,
}

/// Everything known about one stuck (or named) object.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Terminating, Orphaned (attachment whose node is gone), or the object's phase.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Timestamp>,
    pub finalizers: Vec<FinalizerInfo>,
    /// One line: why it is stuck.
    pub summary: String,
    pub decision: Decision,
    /// Claims: every pod whose volumes name it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pods: Vec<Holder>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<VolumeInfo>,
    /// Volumes and attachments: the claim (`namespace/name`) the volume is bound to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentInfo>,
    /// Attachments and volumes: pods elsewhere that wait for this volume.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waiting_pods: Vec<WaitingPod>,
    /// A claim in phase Lost: the volume it lost and how to re-create the claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost: Option<lost::LostVolume>,
    pub evidence: Vec<String>,
    pub advice: Vec<String>,
    /// Said before confirming a fix of this object.
    pub warnings: Vec<String>,
}

impl Finding {
    fn new(
        kind: Kind,
        meta: &firstaid::kube::api::ObjectMeta,
        status: String,
        decision: Decision,
    ) -> Self {
        let removing: &[String] = match &decision {
            Decision::Release { finalizers, .. } => finalizers,
            _ => &[],
        };
        Finding {
            kind,
            namespace: meta.namespace.clone(),
            name: meta.name.clone().unwrap_or_default(),
            uid: meta.uid.clone(),
            status,
            deletion_timestamp: meta.deletion_timestamp.as_ref().map(|t| t.0),
            finalizers: meta
                .finalizers
                .iter()
                .flatten()
                .map(|f| FinalizerInfo {
                    name: f.clone(),
                    removed_by: removed_by(f),
                    fix_removes: removing.contains(f),
                })
                .collect(),
            summary: String::new(),
            decision,
            pods: Vec::new(),
            volume: None,
            claim: None,
            attachments: Vec::new(),
            waiting_pods: Vec::new(),
            lost: None,
            evidence: Vec::new(),
            advice: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// `namespace/kind/name` or `kind/name`.
    pub fn object(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}/{}", self.kind.short(), self.name),
            None => format!("{}/{}", self.kind.short(), self.name),
        }
    }
}

/// Findings for the selected objects, claims first, then volumes, then attachments.
pub fn diagnose(
    index: &Index,
    subjects: &Subjects,
    overrides: Overrides,
    now: Timestamp,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    for c in &subjects.claims {
        findings.push(claim::finding(c, index, overrides, now));
    }
    for pv in &subjects.volumes {
        findings.push(volume::finding(pv, index, overrides, now));
    }
    for va in &subjects.attachments {
        findings.push(attachment::finding(va, index, overrides, now));
    }
    findings.sort_by(|a, b| (a.kind, &a.namespace, &a.name).cmp(&(b.kind, &b.namespace, &b.name)));
    findings
}

/// Namespaces whose warning events the findings need (cluster-scoped objects' events are
/// recorded in `default`).
pub fn event_namespaces(subjects: &Subjects, index: &Index) -> Vec<String> {
    let mut namespaces: Vec<String> = subjects
        .claims
        .iter()
        .map(|c| namespace_of(&c.metadata).to_owned())
        .collect();
    for va in &subjects.attachments {
        for (pod, _) in waiting_pod_objects(va, index) {
            namespaces.push(namespace_of(&pod.metadata).to_owned());
        }
    }
    if !subjects.volumes.is_empty() || !subjects.attachments.is_empty() {
        namespaces.push("default".into());
    }
    namespaces.sort();
    namespaces.dedup();
    namespaces
}

/// Pods that use the claim bound to the attachment's volume but are not on the attachment's node.
fn waiting_pod_objects<'a>(
    va: &VolumeAttachment,
    index: &Index<'a>,
) -> Vec<(&'a firstaid::k8s_openapi::api::core::v1::Pod, ClaimUse)> {
    let Some(pv) = va
        .spec
        .source
        .persistent_volume_name
        .as_deref()
        .and_then(|pv| index.volume(pv))
    else {
        return Vec::new();
    };
    let Some(claim) = index.bound_claim(pv) else {
        return Vec::new();
    };
    index
        .users_of(claim)
        .into_iter()
        .filter(|(pod, _)| {
            let facts = PodFacts::of(pod);
            !facts.finished() && facts.node.as_deref() != Some(va.spec.node_name.as_str())
        })
        .collect()
}

fn events(index: &Index, uid: Option<&str>) -> Vec<EventInfo> {
    index.events_of(uid).into_iter().map(event_info).collect()
}

fn event_info(e: &Event) -> EventInfo {
    EventInfo {
        reason: e.reason.clone().unwrap_or_default(),
        message: e.message.clone().unwrap_or_default(),
        count: e.count.unwrap_or(1),
        last_seen: firstaid::k8s::time::event_last_seen(e),
    }
}

/// `FailedMount (x604 over 22h, last 51s ago): Unable to mount …`
fn describe_event(e: &EventInfo, now: Timestamp) -> String {
    let when = e
        .last_seen
        .map(|t| format!(", last {} ago", age(Some(t), now)))
        .unwrap_or_default();
    format!("{} (x{}{when}): {}", e.reason, e.count, e.message)
}

fn volume_info(pv: &PersistentVolume) -> VolumeInfo {
    let spec = pv.spec.as_ref();
    let csi = spec.and_then(|s| s.csi.as_ref());
    VolumeInfo {
        name: name_of(&pv.metadata).to_owned(),
        phase: pv.status.as_ref().and_then(|s| s.phase.clone()),
        reclaim_policy: spec.and_then(|s| s.persistent_volume_reclaim_policy.clone()),
        storage_class: spec.and_then(|s| s.storage_class_name.clone()),
        driver: csi.map(|c| c.driver.clone()),
        volume_handle: csi.map(|c| c.volume_handle.clone()),
    }
}

impl VolumeInfo {
    /// What the storage backend calls it: the CSI handle when known, else the PV name (which is
    /// what dynamically provisioned disks are named after).
    pub fn backend_name(&self) -> &str {
        self.volume_handle.as_deref().unwrap_or(&self.name)
    }

    pub fn deletes_backend(&self) -> bool {
        self.reclaim_policy.as_deref() == Some("Delete")
    }

    /// The loud warning for a volume whose backend goes with it; `when` completes
    /// "the backend volume X is DELETED …".
    pub fn delete_warning(&self, when: &str) -> String {
        format!(
            "persistentvolume {} has reclaimPolicy Delete: the backend volume {} is DELETED {when}, and its data with it. To keep the data, first run: kubectl patch pv {} -p '{{\"spec\":{{\"persistentVolumeReclaimPolicy\":\"Retain\"}}}}'",
            self.name,
            self.backend_name(),
            self.name
        )
    }
}

fn attachment_info(va: &VolumeAttachment, index: &Index) -> AttachmentInfo {
    let status = va.status.as_ref();
    AttachmentInfo {
        name: name_of(&va.metadata).to_owned(),
        attacher: va.spec.attacher.clone(),
        node: va.spec.node_name.clone(),
        node_state: index.node(&va.spec.node_name),
        attached: status.is_some_and(|s| s.attached),
        terminating: va.metadata.deletion_timestamp.is_some(),
        detach_error: status
            .and_then(|s| s.detach_error.as_ref())
            .map(|e| ErrorInfo {
                message: e.message.clone().unwrap_or_default(),
                time: e.time.as_ref().map(|t| t.0),
            }),
    }
}

impl AttachmentInfo {
    pub fn describe(&self, now: Timestamp) -> String {
        let mut text = format!(
            "volumeattachment {}: node {} ({}), attached={}",
            self.name,
            self.node,
            self.node_state.describe(),
            self.attached
        );
        if self.terminating {
            text.push_str(", Terminating");
        }
        if let Some(err) = &self.detach_error {
            let when = err
                .time
                .map(|t| format!(" ({} ago)", age(Some(t), now)))
                .unwrap_or_default();
            let _ = write!(text, ", detachError{when}: {}", err.message);
        }
        text
    }
}

fn status_of(meta: &firstaid::kube::api::ObjectMeta, phase: Option<&str>) -> String {
    if meta.deletion_timestamp.is_some() {
        "Terminating".into()
    } else {
        phase.unwrap_or("-").to_owned()
    }
}

/// Advice for a refusal: what the override would do.
fn refusal_advice(decision: &Decision) -> Option<String> {
    match decision {
        Decision::Refuse {
            override_flag: Some(override_flag),
            ..
        } => Some(format!(
            "--fix refuses this; {override_flag} would remove the finalizer anyway — only if you accept the consequences above"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
