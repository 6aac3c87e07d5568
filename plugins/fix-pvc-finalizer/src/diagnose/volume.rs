//! A volume stuck Terminating: the claim it is still bound to, the nodes it may still be attached
//! to, and the backend volume that its reclaim policy or provisioner finalizer would delete.

use firstaid::k8s::Timestamp;
use firstaid::k8s_openapi::api::core::v1::PersistentVolume;

use super::{Finding, Kind, attachment_info, refusal_advice, status_of, volume_info};
use crate::finalizers::{Family, family};
use crate::inventory::{Index, name_of, namespace_of};
use crate::safety::{Decision, Overrides, volume_rule};

pub(super) fn finding(
    pv: &PersistentVolume,
    index: &Index,
    overrides: Overrides,
    now: Timestamp,
) -> Finding {
    let decision = volume_rule(pv, index, overrides);
    let info = volume_info(pv);
    let mut f = Finding::new(
        Kind::PersistentVolume,
        &pv.metadata,
        status_of(&pv.metadata, info.phase.as_deref()),
        decision.clone(),
    );
    let claim_ref = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
    let bound = index.bound_claim(pv);
    if let Some(r) = claim_ref {
        let key = format!(
            "{}/{}",
            r.namespace.as_deref().unwrap_or_default(),
            r.name.as_deref().unwrap_or_default()
        );
        let state = match bound {
            Some(c) if c.metadata.deletion_timestamp.is_some() => {
                "exists and is Terminating itself"
            }
            Some(_) => "exists",
            None => "is gone",
        };
        f.evidence
            .push(format!("claimRef {key}: the claim {state}"));
        f.claim = Some(key);
    } else {
        f.evidence
            .push("no claimRef: not bound to any claim".into());
    }
    f.evidence.push(format!(
        "phase {}, reclaimPolicy {}{}",
        info.phase.as_deref().unwrap_or("-"),
        info.reclaim_policy.as_deref().unwrap_or("-"),
        info.driver
            .as_deref()
            .map(|d| format!(", CSI driver {d}, volumeHandle {}", info.backend_name()))
            .unwrap_or_default()
    ));
    if bound.is_none() && info.phase.as_deref() == Some("Bound") {
        f.evidence.push(
            "still phase Bound although its claim is gone: the PV controller (persistentvolume-binder) has not run — is kube-controller-manager up?".into(),
        );
    }
    for va in index.attachments_of(name_of(&pv.metadata)) {
        let a = attachment_info(va, index);
        f.evidence.push(a.describe(now));
        f.attachments.push(a);
    }
    match &decision {
        Decision::Release { finalizers, .. } => {
            f.summary = match bound {
                Some(c) => format!(
                    "bound to claim {}/{} that this fix releases first",
                    namespace_of(&c.metadata),
                    name_of(&c.metadata)
                ),
                None if claim_ref.is_some() => {
                    "its claim is gone; nothing holds it any more".into()
                }
                None => "not bound; nothing holds it".into(),
            };
            if info.deletes_backend() {
                f.warnings.push(
                    info.delete_warning("by its provisioner when this volume goes (or left behind if the provisioner is gone)"),
                );
            }
            for cleanup in finalizers
                .iter()
                .filter(|x| family(x) == Family::BackendCleanup)
            {
                f.warnings.push(format!(
                    "removing {cleanup} stops Kubernetes from deleting the backend volume {}: it stays in your storage backend (and keeps costing) until you delete it there",
                    info.backend_name()
                ));
            }
            f.advice
                .push(format!("--fix removes finalizer {}", finalizers.join(", ")));
        }
        Decision::Refuse { message, .. } => {
            f.summary.clone_from(message);
            f.advice.push(
                "fix the claim or attachment that still holds it first (rerun this tool on it); the volume's protection then goes by itself".into(),
            );
        }
        Decision::Leave { reason } => f.summary.clone_from(reason),
    }
    f.advice.extend(refusal_advice(&decision));
    f.volume = Some(info);
    f
}
