//! The safety rules: when may a finalizer go, and when must the plugin refuse.
//!
//! Each rule is a pure function of the object and an [`Index`] of what else exists, and each is
//! asked twice: when the plan is made, and again by the Applier's guard on the object read fresh
//! right before the change, against lists kept current by watches (see `live.rs`). So a pod that
//! starts using a claim, or a node that comes back, between the diagnosis and the confirmation
//! stops the step instead of being overwritten by a stale plan.

use firstaid::k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
use firstaid::k8s_openapi::api::storage::v1::VolumeAttachment;
use serde::Serialize;

use crate::facts::PodFacts;
use crate::finalizers::{Family, family};
use crate::inventory::{Index, name_of, namespace_of};
use firstaid::k8s::NodePresence;

pub mod lost;

pub const FORCE_IN_USE: &str = "--force-in-use";
pub const FORCE_ATTACHED: &str = "--force-attached";

#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides {
    pub force_in_use: bool,
    pub force_attached: bool,
}

/// How a pod that names a claim relates to the claim's protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum HolderKind {
    /// Scheduled on an existing node and not finished: it uses the volume (or is about to).
    Active,
    /// Being deleted gracefully on an existing node: its containers may still be writing.
    Terminating,
    /// Completed or Failed (Evicted): no container runs, but the controller still counts it
    /// until the pod object is deleted.
    Finished,
    /// Deleted with grace period 0: only waiting for garbage collection.
    ShutDown,
    /// Bound to a node whose Node object is gone: nothing will ever confirm it stopped.
    OnVanishedNode,
    /// Not scheduled: the protection controller ignores it (and the scheduler will not place a
    /// pod on a claim that is being deleted).
    Unscheduled,
}

impl HolderKind {
    pub fn classify(pod: &PodFacts, node: NodePresence) -> Self {
        if pod.node.is_none() {
            HolderKind::Unscheduled
        } else if pod.shut_down {
            HolderKind::ShutDown
        } else if node == NodePresence::Missing {
            HolderKind::OnVanishedNode
        } else if pod.finished() {
            HolderKind::Finished
        } else if pod.terminating {
            HolderKind::Terminating
        } else {
            HolderKind::Active
        }
    }

    /// Whether the PVC-protection controller keeps the finalizer because of this pod.
    pub fn holds_finalizer(self) -> bool {
        !matches!(self, HolderKind::Unscheduled)
    }

    /// Whether removing the finalizer under this pod could take a volume away from running code.
    pub fn blocks_removal(self) -> bool {
        matches!(self, HolderKind::Active | HolderKind::Terminating)
    }
}

/// A pod naming a claim, with what that means.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    #[serde(flatten)]
    pub pod: PodFacts,
    pub volume: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_state: Option<NodePresence>,
    pub kind: HolderKind,
}

impl Holder {
    /// `pod demo/web-0 (Running on node n1, Ready)`.
    pub fn describe(&self) -> String {
        let place = match (&self.pod.node, self.node_state) {
            (Some(node), Some(state)) => format!(" on node {node}, {}", state.describe()),
            _ => ", not scheduled".into(),
        };
        format!(
            "pod {}/{} ({}{place})",
            self.pod.namespace, self.pod.name, self.pod.status
        )
    }
}

pub fn holders(claim: &PersistentVolumeClaim, index: &Index) -> Vec<Holder> {
    index
        .users_of(claim)
        .into_iter()
        .map(|(pod, claim_use)| holder(pod, claim_use.volume, index))
        .collect()
}

fn holder(pod: &Pod, volume: String, index: &Index) -> Holder {
    let facts = PodFacts::of(pod);
    let node_state = facts.node.as_deref().map(|n| index.node(n));
    let kind = HolderKind::classify(&facts, node_state.unwrap_or(NodePresence::Missing));
    Holder {
        pod: facts,
        volume,
        node_state,
        kind,
    }
}

/// What the plugin may do about one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "camelCase")]
pub enum Decision {
    /// Remove these finalizers; first delete the object (when it is not being deleted yet) and
    /// force-delete these pods stranded on vanished nodes.
    #[serde(rename_all = "camelCase")]
    Release {
        finalizers: Vec<String>,
        delete_first: bool,
        force_delete_pods: Vec<PodFacts>,
    },
    /// Unsafe: something still depends on the protection. `override_flag` waives it; `None`
    /// when nothing should (the message says what to do first).
    #[serde(rename_all = "camelCase")]
    Refuse {
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        override_flag: Option<String>,
    },
    /// Nothing for this tool to remove.
    Leave { reason: String },
}

impl Decision {
    fn release(finalizers: Vec<String>) -> Self {
        Decision::Release {
            finalizers,
            delete_first: false,
            force_delete_pods: Vec::new(),
        }
    }
}

fn finalizers(meta: &firstaid::kube::api::ObjectMeta) -> Vec<String> {
    meta.finalizers.clone().unwrap_or_default()
}

fn of_families(list: &[String], families: &[Family]) -> Vec<String> {
    list.iter()
        .filter(|f| families.contains(&family(f)))
        .cloned()
        .collect()
}

fn leave_others(list: &[String]) -> Decision {
    if list.is_empty() {
        Decision::Leave {
            reason: "no finalizers left: the deletion should complete on its own".into(),
        }
    } else {
        Decision::Leave {
            reason: format!(
                "only finalizers this tool does not own are left ({}): ask the controller that owns them",
                list.join(", ")
            ),
        }
    }
}

/// A claim being deleted may lose `kubernetes.io/pvc-protection` when no pod that is running or
/// could still run uses it. Pods on vanished nodes are force-deleted first. A claim not being
/// deleted is left alone, unless it is Lost ([`lost::rule`]).
pub fn claim_rule(claim: &PersistentVolumeClaim, index: &Index, o: Overrides) -> Decision {
    if claim.metadata.deletion_timestamp.is_none() {
        if lost::is_lost(claim) {
            return lost::rule(claim, index);
        }
        return Decision::Leave {
            reason: "not being deleted: its protection is doing its job".into(),
        };
    }
    let list = finalizers(&claim.metadata);
    let removable = of_families(&list, &[Family::ClaimProtection]);
    if removable.is_empty() {
        return leave_others(&list);
    }
    let holders = holders(claim, index);
    let blocking: Vec<&Holder> = holders.iter().filter(|h| h.kind.blocks_removal()).collect();
    if !blocking.is_empty() && !o.force_in_use {
        let who: Vec<String> = blocking.iter().map(|h| h.describe()).collect();
        return Decision::Refuse {
            message: format!(
                "persistentvolumeclaim {}/{} is still used by {}",
                namespace_of(&claim.metadata),
                name_of(&claim.metadata),
                who.join(", ")
            ),
            override_flag: Some(FORCE_IN_USE.into()),
        };
    }
    Decision::Release {
        finalizers: removable,
        delete_first: false,
        force_delete_pods: holders
            .into_iter()
            .filter(|h| h.kind == HolderKind::OnVanishedNode)
            .map(|h| h.pod)
            .collect(),
    }
}

/// A volume being deleted may lose its protection, attacher and cleanup finalizers when no claim
/// is bound to it (other than one this plan releases) and no node can still have it attached.
pub fn volume_rule(pv: &PersistentVolume, index: &Index, o: Overrides) -> Decision {
    if pv.metadata.deletion_timestamp.is_none() {
        return Decision::Leave {
            reason: "not being deleted: its protection is doing its job".into(),
        };
    }
    let list = finalizers(&pv.metadata);
    let removable = of_families(
        &list,
        &[
            Family::VolumeProtection,
            Family::Attacher,
            Family::BackendCleanup,
        ],
    );
    if removable.is_empty() {
        return leave_others(&list);
    }
    if let Some(claim) = index.bound_claim(pv)
        && !o.force_in_use
        && !matches!(
            claim_rule(claim, index, Overrides::default()),
            Decision::Release { .. }
        )
    {
        let state = if claim.metadata.deletion_timestamp.is_some() {
            "which is itself stuck Terminating and may not be released yet"
        } else {
            "which still exists"
        };
        return Decision::Refuse {
            message: format!(
                "persistentvolume {} is still bound to persistentvolumeclaim {}/{}, {state}",
                name_of(&pv.metadata),
                namespace_of(&claim.metadata),
                name_of(&claim.metadata)
            ),
            override_flag: Some(FORCE_IN_USE.into()),
        };
    }
    if !o.force_attached {
        let attached: Vec<String> = index
            .attachments_of(name_of(&pv.metadata))
            .iter()
            .filter(|va| !matches!(attachment_rule(va, index, o), Decision::Release { .. }))
            .map(|va| {
                format!(
                    "node {} (volumeattachment {})",
                    va.spec.node_name,
                    name_of(&va.metadata)
                )
            })
            .collect();
        if !attached.is_empty() {
            return Decision::Refuse {
                message: format!(
                    "persistentvolume {} may still be attached to {}",
                    name_of(&pv.metadata),
                    attached.join(", ")
                ),
                override_flag: Some(FORCE_ATTACHED.into()),
            };
        }
    }
    Decision::release(removable)
}

/// An attachment may lose its attacher finalizer (and be deleted, if it is not yet) only when its
/// node is gone: while the node exists, the attacher can still detach — and should.
pub fn attachment_rule(va: &VolumeAttachment, index: &Index, o: Overrides) -> Decision {
    let node = index.node(&va.spec.node_name);
    let terminating = va.metadata.deletion_timestamp.is_some();
    let list = finalizers(&va.metadata);
    let removable = of_families(&list, &[Family::Attacher]);
    if node != NodePresence::Missing {
        if !terminating {
            return Decision::Leave {
                reason: format!(
                    "attached to node {} which exists ({}): nothing is stuck",
                    va.spec.node_name,
                    node.describe()
                ),
            };
        }
        if !o.force_attached && !removable.is_empty() {
            return Decision::Refuse {
                message: format!(
                    "volumeattachment {}: node {} still exists ({}), so the attacher can still detach the volume",
                    name_of(&va.metadata),
                    va.spec.node_name,
                    node.describe()
                ),
                override_flag: Some(FORCE_ATTACHED.into()),
            };
        }
    }
    if terminating && removable.is_empty() {
        return leave_others(&list);
    }
    Decision::Release {
        finalizers: removable,
        delete_first: !terminating,
        force_delete_pods: Vec::new(),
    }
}

/// A pod may be force-deleted only while it is bound to a node whose Node object is gone.
pub fn stranded_pod_rule(pod: &Pod, index: &Index) -> Option<String> {
    let facts = PodFacts::of(pod);
    match facts.node.as_deref() {
        None => Some("the pod is not bound to a node".into()),
        Some(node) if index.node(node) != NodePresence::Missing => Some(format!(
            "node {node} exists again: the kubelet can stop the pod itself"
        )),
        Some(_) if facts.shut_down => Some("already force-deleted".into()),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests;
