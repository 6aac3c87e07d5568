//! A claim stuck Terminating: which pod holds `kubernetes.io/pvc-protection`, on which node, and
//! what happens to the volume behind it once the claim goes.

use std::fmt::Write as _;

use firstaid::k8s::Timestamp;
use firstaid::k8s_openapi::api::core::v1::PersistentVolumeClaim;

use super::{Finding, Kind, attachment_info, refusal_advice, status_of, volume_info};
use crate::inventory::{Index, name_of, namespace_of};
use crate::safety::lost::is_lost;
use crate::safety::{Decision, Holder, HolderKind, Overrides, claim_rule, holders};
use firstaid::k8s::NodePresence;

fn meaning(h: &Holder) -> String {
    match h.kind {
        HolderKind::Active => "uses the claim; the protection holds until this pod is deleted".into(),
        HolderKind::Terminating => {
            "is shutting down; the protection goes once its kubelet confirms it stopped".into()
        }
        HolderKind::Finished => format!(
            "has finished, but still counts until the pod object is deleted (kubectl delete pod -n {} {})",
            h.pod.namespace, h.pod.name
        ),
        HolderKind::ShutDown => "was force-deleted and only awaits cleanup".into(),
        HolderKind::OnVanishedNode => {
            "its node no longer exists, so no kubelet will ever confirm it stopped: it needs a force delete".into()
        }
        HolderKind::Unscheduled => {
            "is not scheduled: it does not hold the claim (and cannot start on a claim being deleted)".into()
        }
    }
}

pub(super) fn holder_advice(h: &Holder) -> String {
    let owner = h
        .pod
        .owner
        .as_deref()
        .map(|o| format!(" (it belongs to {o}: scale that down or it comes back)"))
        .unwrap_or_default();
    let mut text = format!(
        "delete pod {} in namespace {}{owner}: kubectl delete pod -n {} {}",
        h.pod.name, h.pod.namespace, h.pod.namespace, h.pod.name
    );
    if h.node_state == Some(NodePresence::NotReady) {
        let _ = write!(
            text,
            "; its node {} is NotReady — if that machine is gone for good, delete the Node object (kubectl delete node {}) and rerun: the pod can then be force-deleted safely",
            h.pod.node.as_deref().unwrap_or_default(),
            h.pod.node.as_deref().unwrap_or_default()
        );
    }
    text
}

pub(super) fn finding(
    claim: &PersistentVolumeClaim,
    index: &Index,
    overrides: Overrides,
    now: Timestamp,
) -> Finding {
    if claim.metadata.deletion_timestamp.is_none() && is_lost(claim) {
        return super::lost::finding(claim, index, now);
    }
    let decision = claim_rule(claim, index, overrides);
    let phase = claim.status.as_ref().and_then(|s| s.phase.as_deref());
    let mut f = Finding::new(
        Kind::PersistentVolumeClaim,
        &claim.metadata,
        status_of(&claim.metadata, phase),
        decision.clone(),
    );
    f.pods = holders(claim, index);
    for h in &f.pods {
        f.evidence.push(format!("{}: {}", h.describe(), meaning(h)));
    }
    let holding: Vec<&Holder> = f.pods.iter().filter(|h| h.kind.holds_finalizer()).collect();
    let terminating = claim.metadata.deletion_timestamp.is_some();
    if terminating && holding.is_empty() && f.finalizers.iter().any(|x| x.fix_removes) {
        f.evidence.push(
            "no scheduled pod uses the claim, so the PVC-protection controller should already have removed its finalizer: kube-controller-manager is down, far behind, or runs without that controller".into(),
        );
    }
    if let Some(pv) = index.volume_of(claim) {
        let info = volume_info(pv);
        f.evidence.push(format!(
            "bound to persistentvolume {} (phase {}, reclaimPolicy {})",
            info.name,
            info.phase.as_deref().unwrap_or("-"),
            info.reclaim_policy.as_deref().unwrap_or("-")
        ));
        for va in index.attachments_of(name_of(&pv.metadata)) {
            let a = attachment_info(va, index);
            f.evidence.push(a.describe(now));
            f.attachments.push(a);
        }
        if terminating && info.deletes_backend() {
            f.warnings
                .push(info.delete_warning("once the claim is gone and the volume is released"));
        }
        f.volume = Some(info);
    } else if let Some(volume_name) = claim.spec.as_ref().and_then(|s| s.volume_name.as_deref()) {
        f.evidence.push(format!(
            "names persistentvolume {volume_name}, which does not exist"
        ));
    }
    let ns = namespace_of(&claim.metadata);
    let name = name_of(&claim.metadata);
    match &decision {
        Decision::Refuse { .. } => {
            let blocking: Vec<&Holder> =
                f.pods.iter().filter(|h| h.kind.blocks_removal()).collect();
            f.summary = format!(
                "held by {}",
                blocking
                    .iter()
                    .map(|h| h.describe())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for h in blocking {
                f.advice.push(holder_advice(h));
            }
            f.advice.push(
                "once no pod uses it, the PVC-protection controller removes the finalizer on its own — no further action needed".into(),
            );
        }
        Decision::Release {
            finalizers,
            force_delete_pods,
            ..
        } => {
            let stranded: Vec<String> = force_delete_pods
                .iter()
                .map(|p| {
                    format!(
                        "pod {} on vanished node {}",
                        p.name,
                        p.node.as_deref().unwrap_or_default()
                    )
                })
                .collect();
            let in_use: Vec<String> = f
                .pods
                .iter()
                .filter(|h| h.kind.blocks_removal())
                .map(Holder::describe)
                .collect();
            f.summary = if !in_use.is_empty() {
                format!(
                    "STILL IN USE by {} (--force-in-use given)",
                    in_use.join(", ")
                )
            } else if !stranded.is_empty() {
                format!("held by {}", stranded.join(", "))
            } else if holding.is_empty() {
                "no pod uses it, but the protection controller did not release it".into()
            } else {
                format!(
                    "held only by finished pod(s) {}",
                    holding
                        .iter()
                        .map(|h| h.pod.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            if !in_use.is_empty() {
                f.warnings.push(format!(
                    "persistentvolumeclaim {ns}/{name} is still used by {}: removing its protection deletes the claim under a running pod",
                    in_use.join(", ")
                ));
            }
            if !force_delete_pods.is_empty() {
                f.warnings.push(format!(
                    "force-deleting {} (grace period 0) skips the kubelet's confirmation that the containers stopped: make sure the machine behind the vanished node is really gone or powered off, or two copies may write to the same volume",
                    stranded.join(", ")
                ));
                f.advice
                    .push(format!("--fix force-deletes {}, then", stranded.join(", ")));
            }
            f.advice
                .push(format!("--fix removes finalizer {}", finalizers.join(", ")));
        }
        Decision::Leave { reason } => {
            f.summary.clone_from(reason);
        }
    }
    f.advice.extend(refusal_advice(&decision));
    f
}
