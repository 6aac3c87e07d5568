//! A VolumeAttachment that cannot detach (the FAQ on stale VolumeAttachments): its node,
//! whether that node still exists, the detach error, the volume and claim behind it, and the pods elsewhere that wait for
//! the volume (FailedMount / Multi-Attach events).

use firstaid::k8s::Timestamp;
use firstaid::k8s_openapi::api::storage::v1::VolumeAttachment;

use super::{
    Finding, Kind, WaitingPod, attachment_info, describe_event, events, refusal_advice,
    volume_info, waiting_pod_objects,
};
use crate::facts::PodFacts;
use crate::inventory::{Index, name_of, namespace_of};
use crate::safety::{Decision, Overrides, attachment_rule};
use firstaid::k8s::NodePresence;

pub(super) fn finding(
    va: &VolumeAttachment,
    index: &Index,
    overrides: Overrides,
    now: Timestamp,
) -> Finding {
    let decision = attachment_rule(va, index, overrides);
    let a = attachment_info(va, index);
    let status = if a.terminating {
        "Terminating"
    } else if a.node_state == NodePresence::Missing {
        "Orphaned"
    } else if a.attached {
        "Attached"
    } else {
        "Detached"
    };
    let mut f = Finding::new(
        Kind::VolumeAttachment,
        &va.metadata,
        status.into(),
        decision.clone(),
    );
    f.evidence.push(format!(
        "attacher {}, node {} ({}), status.attached={}",
        a.attacher,
        a.node,
        a.node_state.describe(),
        a.attached
    ));
    if let Some(err) = &a.detach_error {
        let when = err
            .time
            .map(|t| format!(" since {}", firstaid::k8s::age(Some(t), now)))
            .unwrap_or_default();
        f.evidence
            .push(format!("detachError{when}: {}", err.message));
    }
    let pv = va
        .spec
        .source
        .persistent_volume_name
        .as_deref()
        .and_then(|n| index.volume(n));
    match (va.spec.source.persistent_volume_name.as_deref(), pv) {
        (Some(_), Some(pv)) => {
            let info = volume_info(pv);
            let claim = index
                .bound_claim(pv)
                .map(|c| format!("{}/{}", namespace_of(&c.metadata), name_of(&c.metadata)));
            f.evidence.push(format!(
                "volume persistentvolume {} (backend volume {}){}",
                info.name,
                info.backend_name(),
                claim
                    .as_deref()
                    .map(|c| format!(", bound to claim {c}"))
                    .unwrap_or_default()
            ));
            f.claim = claim;
            f.volume = Some(info);
        }
        (Some(name), None) => f.evidence.push(format!(
            "volume persistentvolume {name}, which no longer exists"
        )),
        (None, _) => f
            .evidence
            .push("inline volume (no PersistentVolume)".into()),
    }
    for (pod, claim_use) in waiting_pod_objects(va, index) {
        let facts = PodFacts::of(pod);
        let claim = Some(claim_use)
            .filter(|u| {
                f.claim
                    .as_deref()
                    .is_some_and(|c| c.ends_with(&format!("/{}", u.claim)))
            })
            .map(|u| u.claim)
            .unwrap_or_default();
        let evs = events(index, pod.metadata.uid.as_deref());
        let place = facts
            .node
            .as_deref()
            .map(|n| format!(" on node {n}"))
            .unwrap_or_default();
        f.evidence.push(format!(
            "pod {}/{} ({}{place}) waits for this volume",
            facts.namespace, facts.name, facts.status
        ));
        for e in evs.iter().take(3) {
            f.evidence.push(format!("  {}", describe_event(e, now)));
        }
        f.waiting_pods.push(WaitingPod {
            pod: facts,
            claim,
            events: evs,
        });
    }
    let backend = f.volume.as_ref().map_or_else(
        || "the volume".to_owned(),
        |v| format!("backend volume {}", v.backend_name()),
    );
    match &decision {
        Decision::Release {
            finalizers,
            delete_first,
            ..
        } => {
            f.summary = if a.node_state == NodePresence::Missing {
                format!(
                    "node {} does not exist: nothing can detach the volume",
                    a.node
                )
            } else {
                format!("node {} exists, --force-attached given", a.node)
            };
            f.warnings.push(format!(
                "before confirming, check in your storage backend's console that {backend} is really detached from {} (state \"available\"): removing the finalizer only tells Kubernetes it is",
                a.node
            ));
            if *delete_first {
                f.advice.push("--fix deletes the attachment, then".into());
            }
            if !finalizers.is_empty() {
                f.advice
                    .push(format!("--fix removes finalizer {}", finalizers.join(", ")));
            }
            if !f.waiting_pods.is_empty() {
                f.advice.push(
                    "the attach/detach controller then attaches the volume to the waiting pod's node; expect the pod Running within about 5 minutes".into(),
                );
            }
        }
        Decision::Refuse { .. } => {
            f.summary = format!(
                "node {} still exists ({}): its attacher should detach",
                a.node,
                a.node_state.describe()
            );
            f.advice.push(format!(
                "find out why the attacher ({}) does not detach: its controller logs and the detachError above; if the node is gone for good, delete the Node object (kubectl delete node {}) and rerun",
                a.attacher, a.node
            ));
        }
        Decision::Leave { reason } => f.summary.clone_from(reason),
    }
    f.advice.extend(refusal_advice(&decision));
    f
}
