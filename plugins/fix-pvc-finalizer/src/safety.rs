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
mod tests {
    use super::*;
    use crate::finalizers::{PV_PROTECTION, PVC_PROTECTION};
    use crate::fixtures::*;
    use crate::inventory::Inventory;

    fn refused_with(d: &Decision, flag: &str, needle: &str) {
        match d {
            Decision::Refuse {
                message,
                override_flag,
            } => {
                assert_eq!(override_flag.as_deref(), Some(flag));
                assert!(message.contains(needle), "{message}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn holder_classification() {
        let p = |phase: &str| PodFacts::of(&pod("d", "p", Some("n1"), phase));
        assert_eq!(
            HolderKind::classify(&p("Running"), NodePresence::Ready),
            HolderKind::Active
        );
        assert_eq!(
            HolderKind::classify(&p("Running"), NodePresence::NotReady),
            HolderKind::Active
        );
        assert_eq!(
            HolderKind::classify(&p("Succeeded"), NodePresence::Ready),
            HolderKind::Finished
        );
        assert_eq!(
            HolderKind::classify(&p("Running"), NodePresence::Missing),
            HolderKind::OnVanishedNode
        );
        let unscheduled = PodFacts::of(&pod("d", "p", None, "Pending"));
        assert_eq!(
            HolderKind::classify(&unscheduled, NodePresence::Missing),
            HolderKind::Unscheduled
        );
        let graceful = PodFacts::of(&pod("d", "p", Some("n1"), "Running").deleted(Some(30)));
        assert_eq!(
            HolderKind::classify(&graceful, NodePresence::Ready),
            HolderKind::Terminating
        );
        let forced = PodFacts::of(&pod("d", "p", Some("n1"), "Running").deleted(Some(0)));
        assert_eq!(
            HolderKind::classify(&forced, NodePresence::Ready),
            HolderKind::ShutDown
        );
    }

    #[test]
    fn claim_used_by_a_running_pod_is_refused_unless_forced() {
        let inv = Inventory {
            claims: vec![claim("demo", "data").terminating(&[PVC_PROTECTION])],
            pods: vec![
                pod("demo", "web-0", Some("n1"), "Running")
                    .with_claim("data", "data")
                    .into(),
            ],
            nodes: vec![node("n1", true)],
            ..Inventory::default()
        };
        let index = Index::new(&inv);
        let d = claim_rule(&inv.claims[0], &index, Overrides::default());
        refused_with(
            &d,
            FORCE_IN_USE,
            "pod demo/web-0 (Running on node n1, Ready)",
        );
        let forced = claim_rule(
            &inv.claims[0],
            &index,
            Overrides {
                force_in_use: true,
                ..Overrides::default()
            },
        );
        assert!(matches!(forced, Decision::Release { .. }));
    }

    #[test]
    fn finished_and_unscheduled_pods_do_not_block() {
        let inv = Inventory {
            claims: vec![claim("demo", "data").terminating(&[PVC_PROTECTION, "example.com/keep"])],
            pods: vec![
                pod("demo", "job-1", Some("n1"), "Succeeded")
                    .with_claim("data", "data")
                    .into(),
                pod("demo", "evicted", Some("n1"), "Failed")
                    .with_reason("Evicted")
                    .with_claim("data", "data")
                    .into(),
                pod("demo", "pending", None, "Pending")
                    .with_claim("data", "data")
                    .into(),
            ],
            nodes: vec![node("n1", true)],
            ..Inventory::default()
        };
        let index = Index::new(&inv);
        assert_eq!(
            claim_rule(&inv.claims[0], &index, Overrides::default()),
            Decision::Release {
                finalizers: vec![PVC_PROTECTION.into()],
                delete_first: false,
                force_delete_pods: vec![],
            }
        );
    }

    #[test]
    fn pods_on_vanished_nodes_are_force_deleted_first() {
        let inv = Inventory {
            claims: vec![claim("demo", "data").terminating(&[PVC_PROTECTION])],
            pods: vec![
                pod("demo", "web-0", Some("gone"), "Running")
                    .with_claim("data", "data")
                    .into(),
            ],
            ..Inventory::default()
        };
        let index = Index::new(&inv);
        let Decision::Release {
            force_delete_pods, ..
        } = claim_rule(&inv.claims[0], &index, Overrides::default())
        else {
            panic!("expected release")
        };
        assert_eq!(force_delete_pods.len(), 1);
        assert_eq!(force_delete_pods[0].name, "web-0");
        assert_eq!(stranded_pod_rule(&inv.pods[0], &index), None);
    }

    #[test]
    fn stranded_pod_rule_stops_when_the_node_returns() {
        let p = pod("demo", "web-0", Some("n1"), "Running");
        let inv = Inventory {
            nodes: vec![node("n1", false)],
            ..Inventory::default()
        };
        let reason = stranded_pod_rule(&p, &Index::new(&inv)).expect("refused");
        assert!(reason.contains("exists again"), "{reason}");
    }

    #[test]
    fn live_claims_and_other_finalizers_are_left_alone() {
        let inv = Inventory {
            claims: vec![
                claim("demo", "live").with_finalizers(&[PVC_PROTECTION]),
                claim("demo", "snap")
                    .terminating(&["snapshot.storage.kubernetes.io/pvc-as-source-protection"]),
            ],
            ..Inventory::default()
        };
        let index = Index::new(&inv);
        for c in &inv.claims {
            assert!(matches!(
                claim_rule(c, &index, Overrides::default()),
                Decision::Leave { .. }
            ));
        }
    }

    #[test]
    fn volume_bound_to_a_live_claim_is_refused() {
        let inv = Inventory {
            claims: vec![claim("demo", "data").with_uid("c1").bound_to("pv1")],
            volumes: vec![
                volume("pv1")
                    .claimed_by("demo", "data", Some("c1"))
                    .terminating(&[PV_PROTECTION]),
            ],
            ..Inventory::default()
        };
        let index = Index::new(&inv);
        refused_with(
            &volume_rule(&inv.volumes[0], &index, Overrides::default()),
            FORCE_IN_USE,
            "still bound to persistentvolumeclaim demo/data",
        );
    }

    #[test]
    fn volume_whose_claim_is_gone_is_released_with_all_storage_finalizers() {
        let inv = Inventory {
            volumes: vec![
                volume("pv1")
                    .claimed_by("demo", "data", Some("c1"))
                    .terminating(&[
                        PV_PROTECTION,
                        crate::finalizers::PROVISIONER,
                        "example.com/other",
                    ]),
            ],
            ..Inventory::default()
        };
        let index = Index::new(&inv);
        assert_eq!(
            volume_rule(&inv.volumes[0], &index, Overrides::default()),
            Decision::Release {
                finalizers: vec![PV_PROTECTION.into(), crate::finalizers::PROVISIONER.into()],
                delete_first: false,
                force_delete_pods: vec![],
            }
        );
    }

    #[test]
    fn volume_released_by_the_same_plan_does_not_block() {
        // The claim is stuck only on its protection with no pod: the plan releases it first.
        let inv = Inventory {
            claims: vec![
                claim("demo", "data")
                    .with_uid("c1")
                    .bound_to("pv1")
                    .terminating(&[PVC_PROTECTION]),
            ],
            volumes: vec![
                volume("pv1")
                    .claimed_by("demo", "data", Some("c1"))
                    .terminating(&[PV_PROTECTION]),
            ],
            ..Inventory::default()
        };
        let index = Index::new(&inv);
        assert!(matches!(
            volume_rule(&inv.volumes[0], &index, Overrides::default()),
            Decision::Release { .. }
        ));
    }

    #[test]
    fn attachments_follow_their_node() {
        let gone = attachment("csi-8b2e", "csi-qingcloud", "i-5n8osu8t", "pv1").terminating();
        let live_node = attachment("csi-1", "csi-qingcloud", "n1", "pv2").terminating();
        let orphan = attachment("csi-2", "csi-qingcloud", "i-gone", "pv3");
        let inv = Inventory {
            nodes: vec![node("n1", true)],
            ..Inventory::default()
        };
        let index = Index::new(&inv);
        assert_eq!(
            attachment_rule(&gone, &index, Overrides::default()),
            Decision::Release {
                finalizers: vec!["external-attacher/csi-qingcloud".into()],
                delete_first: false,
                force_delete_pods: vec![],
            }
        );
        refused_with(
            &attachment_rule(&live_node, &index, Overrides::default()),
            FORCE_ATTACHED,
            "node n1 still exists (Ready)",
        );
        assert!(matches!(
            attachment_rule(
                &live_node,
                &index,
                Overrides {
                    force_attached: true,
                    ..Overrides::default()
                }
            ),
            Decision::Release { .. }
        ));
        assert!(matches!(
            attachment_rule(&orphan, &index, Overrides::default()),
            Decision::Release {
                delete_first: true,
                ..
            }
        ));
    }

    #[test]
    fn volume_attached_to_a_live_node_is_refused() {
        let inv = Inventory {
            volumes: vec![volume("pv1").terminating(&[PV_PROTECTION])],
            attachments: vec![attachment("csi-1", "csi-x", "n1", "pv1")],
            nodes: vec![node("n1", true)],
            ..Inventory::default()
        };
        let index = Index::new(&inv);
        refused_with(
            &volume_rule(&inv.volumes[0], &index, Overrides::default()),
            FORCE_ATTACHED,
            "node n1 (volumeattachment csi-1)",
        );
    }
}
