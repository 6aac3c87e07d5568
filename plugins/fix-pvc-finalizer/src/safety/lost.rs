//! The rule for a claim in phase Lost: its PersistentVolume was deleted while the claim was bound,
//! so the claim can never be mounted again and protects no data of its own. Deleting it is safe
//! once no pod that runs, or could still start, names it. A pod that does is named and the fix
//! refused with no override: deleting the claim under it would only leave the claim Terminating
//! until the pod goes (its protection finalizer waits for that), so the pod is what to deal with.

use firstaid::k8s_openapi::api::core::v1::PersistentVolumeClaim;

use super::{Decision, Family, Holder, HolderKind, finalizers, holders, of_families};
use crate::inventory::{Index, name_of, namespace_of};

/// `status.phase` of a claim whose volume is gone.
pub const LOST: &str = "Lost";

pub fn is_lost(claim: &PersistentVolumeClaim) -> bool {
    claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some(LOST)
}

/// Whether this pod still counts on the claim: anything but a pod that has finished or was
/// already force-deleted.
pub fn still_uses(h: &Holder) -> bool {
    !matches!(h.kind, HolderKind::Finished | HolderKind::ShutDown)
}

/// A Lost claim not being deleted: delete it (then drop its protection finalizer, which guards
/// nothing once no pod uses it) — unless a pod still uses it, or its volume is back.
pub fn rule(claim: &PersistentVolumeClaim, index: &Index) -> Decision {
    let (ns, name) = (namespace_of(&claim.metadata), name_of(&claim.metadata));
    if let Some(pv) = index.volume_of(claim)
        && index
            .bound_claim(pv)
            .is_some_and(|c| c.metadata.uid == claim.metadata.uid)
    {
        return Decision::Leave {
            reason: format!(
                "persistentvolume {} exists again and names this claim: the volume controller binds them again",
                name_of(&pv.metadata)
            ),
        };
    }
    let users: Vec<String> = holders(claim, index)
        .iter()
        .filter(|h| still_uses(h))
        .map(Holder::describe)
        .collect();
    if !users.is_empty() {
        return Decision::Refuse {
            message: format!(
                "persistentvolumeclaim {ns}/{name} is Lost but still used by {}: delete that pod first (its data is gone with the volume either way), then run --fix again",
                users.join(", ")
            ),
            override_flag: None,
        };
    }
    Decision::Release {
        finalizers: of_families(&finalizers(&claim.metadata), &[Family::ClaimProtection]),
        delete_first: true,
        force_delete_pods: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finalizers::PVC_PROTECTION;
    use crate::fixtures::*;
    use crate::inventory::Inventory;

    fn rule_for(inv: &Inventory) -> Decision {
        rule(&inv.claims[0], &Index::new(inv))
    }

    #[test]
    fn an_unused_lost_claim_is_deleted_then_released() {
        let inv = Inventory {
            claims: vec![
                claim("db", "data")
                    .lost("pv-gone")
                    .with_finalizers(&[PVC_PROTECTION]),
            ],
            pods: vec![
                pod("db", "job-1", Some("n1"), "Succeeded")
                    .with_claim("d", "data")
                    .into(),
                pod("db", "other", Some("n1"), "Running")
                    .with_claim("d", "other")
                    .into(),
            ],
            nodes: vec![node("n1", true)],
            ..Inventory::default()
        };
        assert_eq!(
            rule_for(&inv),
            Decision::Release {
                finalizers: vec![PVC_PROTECTION.into()],
                delete_first: true,
                force_delete_pods: vec![],
            }
        );
    }

    #[test]
    fn a_pod_using_a_lost_claim_is_named_and_nothing_overrides_it() {
        for user in [
            pod("db", "mysql-0", Some("n1"), "Running"),
            pod("db", "mysql-0", None, "Pending"),
            pod("db", "mysql-0", Some("gone"), "Running"),
        ] {
            let inv = Inventory {
                claims: vec![claim("db", "data").lost("pv-gone")],
                pods: vec![user.with_claim("d", "data").into()],
                nodes: vec![node("n1", true)],
                ..Inventory::default()
            };
            match rule_for(&inv) {
                Decision::Refuse {
                    message,
                    override_flag,
                } => {
                    assert!(message.contains("pod db/mysql-0"), "{message}");
                    assert!(message.contains("delete that pod first"), "{message}");
                    assert_eq!(override_flag, None);
                }
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_volume_that_is_back_is_left_to_the_controller() {
        let inv = Inventory {
            claims: vec![claim("db", "data").with_uid("c1").lost("pv1")],
            volumes: vec![volume("pv1").claimed_by("db", "data", Some("c1"))],
            ..Inventory::default()
        };
        assert!(matches!(rule_for(&inv), Decision::Leave { .. }));
    }
}
