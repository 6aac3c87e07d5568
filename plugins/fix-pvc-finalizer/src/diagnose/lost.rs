//! A claim in phase Lost: what was lost with its volume, who still uses the claim, and how to get
//! a working claim back. The volume object is gone, so its reclaim policy — whether the backend
//! disk was deleted with it — is read from what outlives it: the volume controller's events about
//! it (they name the volume, not its uid), else the StorageClass the claim was provisioned from.

use firstaid::k8s::Timestamp;
use firstaid::k8s_openapi::api::core::v1::{PersistentVolumeClaim, PersistentVolumeClaimSpec};
use serde::Serialize;
use serde_json::json;

use super::claim::holder_advice;
use super::{Finding, Kind, describe_event, event_info, events};
use crate::inventory::{Index, name_of, namespace_of};
use crate::safety::lost::{LOST, still_uses};
use crate::safety::{Decision, Holder, holders};

/// Set on a claim when dynamic provisioning started for it (current and beta spellings).
const PROVISIONER_ANNOTATIONS: [&str; 2] = [
    "volume.kubernetes.io/storage-provisioner",
    "volume.beta.kubernetes.io/storage-provisioner",
];

/// What the volume controller's events about a volume say its reclaim policy was.
fn policy_of_event(reason: &str) -> Option<&'static str> {
    match reason {
        "VolumeDelete" | "VolumeFailedDelete" => Some("Delete"),
        "VolumeRecycled" | "VolumeFailedRecycle" | "RecyclerPod" => Some("Recycle"),
        _ => None,
    }
}

/// The volume a Lost claim was bound to, and what became of its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LostVolume {
    /// `spec.volumeName`: the deleted PersistentVolume (dynamically provisioned disks are named
    /// after it in the storage backend).
    pub volume: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reclaim_policy: Option<String>,
    /// Where the reclaim policy was read: the event or StorageClass it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reclaim_policy_from: Option<String>,
    /// The command that creates a fresh claim like this one (a new, empty volume).
    pub recreate: String,
}

pub fn lost_volume(claim: &PersistentVolumeClaim, index: &Index, now: Timestamp) -> LostVolume {
    let volume = claim
        .spec
        .as_ref()
        .and_then(|s| s.volume_name.clone())
        .unwrap_or_default();
    let (reclaim_policy, reclaim_policy_from) = policy(claim, &volume, index, now).unzip();
    LostVolume {
        volume,
        reclaim_policy,
        reclaim_policy_from,
        recreate: recreate_command(claim),
    }
}

/// The reclaim policy and where it was read: the newest event that implies one, else the
/// StorageClass of a dynamically provisioned claim (the policy it gave the volume, unless someone
/// changed it on the volume later).
fn policy(
    claim: &PersistentVolumeClaim,
    volume: &str,
    index: &Index,
    now: Timestamp,
) -> Option<(String, String)> {
    let from_events = index.volume_events(volume).into_iter().find_map(|e| {
        let policy = policy_of_event(e.reason.as_deref()?)?;
        Some((
            policy.to_owned(),
            format!(
                "event on persistentvolume {volume}: {}",
                describe_event(&event_info(e), now)
            ),
        ))
    });
    from_events.or_else(|| {
        let annotations = claim.metadata.annotations.as_ref()?;
        PROVISIONER_ANNOTATIONS
            .iter()
            .find(|a| annotations.contains_key(**a))?;
        let class = claim.spec.as_ref()?.storage_class_name.as_deref()?;
        let sc = index
            .inv
            .storage_classes
            .iter()
            .find(|sc| name_of(&sc.metadata) == class)?;
        Some((
            sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
            format!(
                "storageclass {class}, which provisioned it (unless changed on the volume since)"
            ),
        ))
    })
}

/// `echo '<claim>' | kubectl create -f -`: the claim's name, labels and spec without the volume
/// it was bound to, so the cluster provisions (or binds) a new one.
pub fn recreate_command(claim: &PersistentVolumeClaim) -> String {
    let spec = claim.spec.clone().map(|s| PersistentVolumeClaimSpec {
        volume_name: None,
        ..s
    });
    let mut metadata = json!({
        "name": name_of(&claim.metadata),
        "namespace": namespace_of(&claim.metadata),
    });
    if let Some(labels) = claim.metadata.labels.as_ref().filter(|l| !l.is_empty()) {
        metadata["labels"] = json!(labels);
    }
    let manifest = json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": metadata,
        "spec": spec,
    });
    // Single quotes around the JSON: only a `'` inside it needs escaping for the shell.
    let quoted = manifest.to_string().replace('\'', r"'\''");
    format!("echo '{quoted}' | kubectl create -f -")
}

/// The finding for a Lost claim that is not being deleted.
pub(super) fn finding(claim: &PersistentVolumeClaim, index: &Index, now: Timestamp) -> Finding {
    let decision = crate::safety::lost::rule(claim, index);
    let mut f = Finding::new(
        Kind::PersistentVolumeClaim,
        &claim.metadata,
        LOST.into(),
        decision,
    );
    let lost = lost_volume(claim, index, now);
    let volume = &lost.volume;
    f.evidence.push(format!(
        "phase Lost: persistentvolume {volume}, which the claim was bound to, no longer exists — the claim can never be mounted again"
    ));
    for e in events(index, claim.metadata.uid.as_deref()) {
        f.evidence.push(describe_event(&e, now));
    }
    f.evidence.push(match (&lost.reclaim_policy, &lost.reclaim_policy_from) {
        (Some(policy), Some(from)) => format!(
            "the volume's reclaimPolicy was {policy} (from {from}): {}",
            data_fate(policy, volume)
        ),
        _ => format!(
            "the volume's reclaimPolicy is no longer known (no event about it, no StorageClass to go by): look for backend volume {volume} in your storage before deciding anything"
        ),
    });
    f.pods = holders(claim, index);
    for h in &f.pods {
        f.evidence
            .push(format!("{}: still names the claim", h.describe()));
    }
    f.summary = format!("Lost: persistentvolume {volume} no longer exists");
    match &f.decision {
        Decision::Refuse { .. } => {
            let users: Vec<&Holder> = f.pods.iter().filter(|h| still_uses(h)).collect();
            let who: Vec<String> = users.iter().map(|h| h.describe()).collect();
            f.summary = format!("{}; still used by {}", f.summary, who.join(", "));
            f.advice.extend(users.into_iter().map(holder_advice));
        }
        Decision::Release { finalizers, .. } => {
            let then = if finalizers.is_empty() {
                String::new()
            } else {
                format!(", then removes finalizer {}", finalizers.join(", "))
            };
            f.advice.push(format!(
                "no pod uses it: --fix deletes the claim (backed up first){then}"
            ));
        }
        Decision::Leave { reason } => f.summary.clone_from(reason),
    }
    f.advice.push(format!(
        "re-creating the claim is your call: a new claim gets a new, empty volume (a StatefulSet re-creates its own claim when its pod is re-created). Once this one is gone: {}",
        lost.recreate
    ));
    if lost.reclaim_policy.as_deref() != Some("Delete") {
        f.advice.push(format!(
            "to get the old data back instead, if backend volume {volume} still exists: create a PersistentVolume for it (same driver and volume handle) with spec.claimRef naming this claim, before deleting the claim"
        ));
    }
    f.lost = Some(lost);
    f
}

fn data_fate(policy: &str, volume: &str) -> String {
    match policy {
        "Delete" => format!(
            "the backend volume {volume} was to be deleted with it, and its data is most likely gone"
        ),
        "Recycle" => {
            format!("the backend volume {volume} was scrubbed for reuse: its data is gone")
        }
        _ => format!("the backend volume {volume} should still exist, with its data"),
    }
}

/// The deleted volume of each Lost claim, whose events tell what became of its data.
pub fn lost_volumes<'a>(
    claims: impl IntoIterator<Item = &'a PersistentVolumeClaim>,
) -> Vec<String> {
    let mut names: Vec<String> = claims
        .into_iter()
        .filter(|c| crate::safety::lost::is_lost(c))
        .filter_map(|c| c.spec.as_ref()?.volume_name.clone())
        .filter(|v| !v.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::{Scope, diagnose, select};
    use crate::finalizers::PVC_PROTECTION;
    use crate::fixtures::*;
    use crate::inventory::Inventory;
    use crate::safety::Overrides;
    use firstaid::k8s_openapi::api::storage::v1::StorageClass;

    /// Everything in scope, nothing named: a Lost claim is found without being asked for.
    fn findings(inv: &Inventory) -> Vec<Finding> {
        let index = Index::new(inv);
        let scope = Scope {
            namespace: Some("db"),
            named: &[],
        };
        let subjects = select(&index, &scope).expect("select");
        diagnose(&index, &subjects, Overrides::default(), Timestamp::now())
    }

    fn lost_claim() -> PersistentVolumeClaim {
        let mut c = claim("db", "data-mysql-0")
            .lost("pvc-4f1c2a7b")
            .with_finalizers(&[PVC_PROTECTION]);
        c.metadata.labels = Some([("app".to_owned(), "mysql".to_owned())].into());
        c
    }

    #[test]
    fn an_unused_lost_claim_says_what_was_lost_and_is_deleted() {
        let inv = Inventory {
            claims: vec![lost_claim()],
            events: vec![volume_event(
                "pvc-4f1c2a7b",
                "VolumeFailedDelete",
                "error deleting volume: disk is in use",
            )],
            ..Inventory::default()
        };
        let f = &findings(&inv)[0];
        assert_eq!(f.status, "Lost");
        assert!(
            f.summary
                .contains("persistentvolume pvc-4f1c2a7b no longer exists")
        );
        assert!(matches!(
            f.decision,
            Decision::Release {
                delete_first: true,
                ..
            }
        ));
        let lost = f.lost.as_ref().expect("lost");
        assert_eq!(lost.reclaim_policy.as_deref(), Some("Delete"));
        let from = lost.reclaim_policy_from.as_deref().unwrap_or_default();
        assert!(from.contains("VolumeFailedDelete"), "{from}");
        let evidence = f.evidence.join("\n");
        assert!(evidence.contains("most likely gone"), "{evidence}");
        let advice = f.advice.join("\n");
        assert!(advice.contains("--fix deletes the claim (backed up first), then removes finalizer kubernetes.io/pvc-protection"), "{advice}");
        assert!(advice.contains(&lost.recreate), "{advice}");
        assert!(!advice.contains("get the old data back"), "{advice}");
    }

    #[test]
    fn the_storage_class_tells_the_policy_when_no_event_does() {
        let mut c = lost_claim();
        c.metadata.annotations = Some(
            [(
                PROVISIONER_ANNOTATIONS[0].to_owned(),
                "ebs.csi.aws.com".to_owned(),
            )]
            .into(),
        );
        c.spec.as_mut().expect("spec").storage_class_name = Some("keep".into());
        let mut sc = StorageClass {
            provisioner: "ebs.csi.aws.com".into(),
            reclaim_policy: Some("Retain".into()),
            ..StorageClass::default()
        };
        sc.metadata.name = Some("keep".into());
        let inv = Inventory {
            claims: vec![c],
            storage_classes: vec![sc],
            ..Inventory::default()
        };
        let f = &findings(&inv)[0];
        let lost = f.lost.as_ref().expect("lost");
        assert_eq!(lost.reclaim_policy.as_deref(), Some("Retain"));
        assert!(f.evidence.join("\n").contains("should still exist"));
        assert!(f.advice.join("\n").contains("get the old data back"));
        // Without the provisioning annotation the class says nothing about this volume.
        let mut static_claim = inv.claims[0].clone();
        static_claim.metadata.annotations = None;
        let inv = Inventory {
            claims: vec![static_claim],
            ..inv
        };
        let f = &findings(&inv)[0];
        assert_eq!(f.lost.as_ref().expect("lost").reclaim_policy, None);
        assert!(f.evidence.join("\n").contains("no longer known"));
    }

    #[test]
    fn a_lost_claim_in_use_names_the_pod_and_has_no_override() {
        let inv = Inventory {
            claims: vec![lost_claim()],
            pods: vec![
                pod("db", "mysql-0", Some("n1"), "Running")
                    .with_claim("data", "data-mysql-0")
                    .into(),
            ],
            nodes: vec![node("n1", true)],
            ..Inventory::default()
        };
        let f = &findings(&inv)[0];
        assert!(matches!(
            f.decision,
            Decision::Refuse {
                override_flag: None,
                ..
            }
        ));
        assert!(
            f.summary
                .contains("still used by pod db/mysql-0 (Running on node n1, Ready)"),
            "{}",
            f.summary
        );
        assert!(
            f.advice[0].starts_with("delete pod mysql-0 in namespace db"),
            "{:?}",
            f.advice
        );
    }

    #[test]
    fn the_recreate_command_drops_the_lost_volume() {
        let command = recreate_command(&lost_claim());
        assert!(command.starts_with("echo '{") && command.ends_with("}' | kubectl create -f -"));
        let json = &command["echo '".len()..command.len() - "' | kubectl create -f -".len()];
        let manifest: serde_json::Value = serde_json::from_str(json).expect("JSON");
        assert_eq!(manifest["metadata"]["name"], "data-mysql-0");
        assert_eq!(manifest["metadata"]["labels"]["app"], "mysql");
        assert_eq!(manifest["spec"]["accessModes"][0], "ReadWriteOnce");
        assert!(manifest["spec"].get("volumeName").is_none(), "{manifest}");
        assert!(manifest.get("status").is_none());
    }
}
