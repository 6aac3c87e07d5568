//! The objects a diagnosis looks at, and the lookups that connect them: pod → claim (including
//! generic ephemeral volumes, whose claim is `<pod>-<volume>`) → volume → attachment → node.
//!
//! Built once from one list per kind, so resolving thousands of claims costs hash lookups instead
//! of a request per object. [`Index`] borrows the lists; the same lookups serve the diagnosis and,
//! on freshly watched lists, the safety re-check right before each change.

use std::collections::HashMap;
use std::ops::Deref;

use firstaid::k8s::{NodePresence, NodeState};
use firstaid::k8s_openapi::api::core::v1::{
    Event, Node, PersistentVolume, PersistentVolumeClaim, Pod,
};
use firstaid::k8s_openapi::api::storage::v1::{StorageClass, VolumeAttachment};

/// Everything fetched for one run.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub claims: Vec<PersistentVolumeClaim>,
    pub volumes: Vec<PersistentVolume>,
    pub attachments: Vec<VolumeAttachment>,
    /// Only pods whose volumes name a claim, and pods named on the command line.
    pub pods: Vec<ClaimingPod>,
    pub nodes: Vec<Node>,
    pub storage_classes: Vec<StorageClass>,
    /// Warning events of the objects involved (fetched after the first diagnosis pass).
    pub events: Vec<Event>,
}

/// A pod as the diagnosis keeps it: k8s-openapi's pod without its volumes, and the claims those
/// volumes name. A volume struct takes 2.7 KB whatever it holds, so thousands of kept pods' volumes
/// were most of a run's memory; nothing but [`claims_of`] reads them. Boxed, so that growing a list
/// of thousands moves pointers, not kilobyte-sized pods.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimingPod {
    pub pod: Box<Pod>,
    pub claims: Vec<ClaimUse>,
}

impl From<Pod> for ClaimingPod {
    fn from(mut pod: Pod) -> Self {
        let claims = claims_of(&pod);
        if let Some(spec) = pod.spec.as_mut() {
            spec.volumes = None;
        }
        ClaimingPod {
            pod: Box::new(pod),
            claims,
        }
    }
}

impl Deref for ClaimingPod {
    type Target = Pod;

    fn deref(&self) -> &Pod {
        &self.pod
    }
}

impl firstaid::refreshed::watch::Entry<Pod> for ClaimingPod {
    fn metadata(&self) -> &firstaid::kube::api::ObjectMeta {
        &self.pod.metadata
    }
}

/// How a pod refers to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimSource {
    /// `volumes[].persistentVolumeClaim.claimName`.
    Direct,
    /// `volumes[].ephemeral`: the claim `<pod>-<volume>` created for (and owned by) the pod.
    Ephemeral,
}

/// One pod volume that names a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimUse {
    pub volume: String,
    pub claim: String,
    pub source: ClaimSource,
}

/// The claims a pod's volumes name, in spec order.
pub fn claims_of(pod: &Pod) -> Vec<ClaimUse> {
    let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
    let volumes = pod.spec.as_ref().and_then(|s| s.volumes.as_ref());
    volumes
        .into_iter()
        .flatten()
        .filter_map(|v| {
            if let Some(pvc) = &v.persistent_volume_claim {
                Some(ClaimUse {
                    volume: v.name.clone(),
                    claim: pvc.claim_name.clone(),
                    source: ClaimSource::Direct,
                })
            } else {
                v.ephemeral.as_ref().map(|_| ClaimUse {
                    volume: v.name.clone(),
                    claim: format!("{pod_name}-{}", v.name),
                    source: ClaimSource::Ephemeral,
                })
            }
        })
        .collect()
}

/// Whether `claim` is really the ephemeral claim of `pod`: the name alone could be a
/// same-named claim someone else made, which the pod would refuse to use.
pub fn is_ephemeral_claim_of(claim: &PersistentVolumeClaim, pod: &Pod) -> bool {
    let Some(pod_uid) = pod.metadata.uid.as_deref() else {
        return false;
    };
    claim
        .metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true) && o.uid == pod_uid)
}

pub fn name_of(meta: &firstaid::kube::api::ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or_default()
}

pub fn namespace_of(meta: &firstaid::kube::api::ObjectMeta) -> &str {
    meta.namespace.as_deref().unwrap_or_default()
}

/// Lookups over an [`Inventory`].
#[derive(Debug)]
pub struct Index<'a> {
    pub inv: &'a Inventory,
    claims: HashMap<(&'a str, &'a str), &'a PersistentVolumeClaim>,
    volumes: HashMap<&'a str, &'a PersistentVolume>,
    attachments_by_volume: HashMap<&'a str, Vec<&'a VolumeAttachment>>,
    users: HashMap<(&'a str, String), Vec<(&'a Pod, ClaimUse)>>,
    nodes: HashMap<&'a str, NodePresence>,
    events: HashMap<&'a str, Vec<&'a Event>>,
    /// Events about PersistentVolumes by name: a deleted volume's uid is known nowhere else.
    volume_events: HashMap<&'a str, Vec<&'a Event>>,
}

impl<'a> Index<'a> {
    pub fn new(inv: &'a Inventory) -> Self {
        let claims = inv
            .claims
            .iter()
            .map(|c| ((namespace_of(&c.metadata), name_of(&c.metadata)), c))
            .collect();
        let volumes = inv
            .volumes
            .iter()
            .map(|v| (name_of(&v.metadata), v))
            .collect();
        let mut attachments_by_volume: HashMap<&str, Vec<&VolumeAttachment>> = HashMap::new();
        for va in &inv.attachments {
            if let Some(pv) = va.spec.source.persistent_volume_name.as_deref() {
                attachments_by_volume.entry(pv).or_default().push(va);
            }
        }
        let mut users: HashMap<(&str, String), Vec<(&Pod, ClaimUse)>> = HashMap::new();
        for pod in &inv.pods {
            for claim_use in &pod.claims {
                users
                    .entry((namespace_of(&pod.metadata), claim_use.claim.clone()))
                    .or_default()
                    .push((&*pod.pod, claim_use.clone()));
            }
        }
        let nodes = inv
            .nodes
            .iter()
            .map(|n| {
                (
                    name_of(&n.metadata),
                    NodePresence::of(Some(&NodeState::of(n))),
                )
            })
            .collect();
        let mut events: HashMap<&str, Vec<&Event>> = HashMap::new();
        let mut volume_events: HashMap<&str, Vec<&Event>> = HashMap::new();
        for event in &inv.events {
            let about = &event.involved_object;
            if let Some(uid) = about.uid.as_deref() {
                events.entry(uid).or_default().push(event);
            }
            if let (Some("PersistentVolume"), Some(name)) =
                (about.kind.as_deref(), about.name.as_deref())
            {
                volume_events.entry(name).or_default().push(event);
            }
        }
        Index {
            inv,
            claims,
            volumes,
            attachments_by_volume,
            users,
            nodes,
            events,
            volume_events,
        }
    }

    pub fn claim(&self, namespace: &str, name: &str) -> Option<&'a PersistentVolumeClaim> {
        self.claims.get(&(namespace, name)).copied()
    }

    pub fn volume(&self, name: &str) -> Option<&'a PersistentVolume> {
        self.volumes.get(name).copied()
    }

    /// Whether node `name` exists and is Ready.
    pub fn node(&self, name: &str) -> NodePresence {
        self.nodes
            .get(name)
            .copied()
            .unwrap_or(NodePresence::Missing)
    }

    /// VolumeAttachments whose source is this PV.
    pub fn attachments_of(&self, volume: &str) -> &[&'a VolumeAttachment] {
        self.attachments_by_volume
            .get(volume)
            .map_or(&[], Vec::as_slice)
    }

    /// Pods whose volumes name this claim (an ephemeral volume only when the claim is the pod's own).
    pub fn users_of(&self, claim: &PersistentVolumeClaim) -> Vec<(&'a Pod, ClaimUse)> {
        let key = (
            namespace_of(&claim.metadata),
            name_of(&claim.metadata).to_owned(),
        );
        self.users
            .get(&key)
            .into_iter()
            .flatten()
            .filter(|(pod, u)| u.source == ClaimSource::Direct || is_ephemeral_claim_of(claim, pod))
            .cloned()
            .collect()
    }

    /// The claim a PV is bound to, when that claim still exists (same uid when the PV recorded one).
    pub fn bound_claim(&self, pv: &PersistentVolume) -> Option<&'a PersistentVolumeClaim> {
        let claim_ref = pv.spec.as_ref()?.claim_ref.as_ref()?;
        let claim = self.claim(claim_ref.namespace.as_deref()?, claim_ref.name.as_deref()?)?;
        match (claim_ref.uid.as_deref(), claim.metadata.uid.as_deref()) {
            (Some(want), Some(have)) if want != have => None,
            _ => Some(claim),
        }
    }

    /// The PV a claim is bound to (by `spec.volumeName`), when it exists.
    pub fn volume_of(&self, claim: &PersistentVolumeClaim) -> Option<&'a PersistentVolume> {
        self.volume(claim.spec.as_ref()?.volume_name.as_deref()?)
    }

    /// Warning events about the object with this uid, newest first.
    pub fn events_of(&self, uid: Option<&str>) -> Vec<&'a Event> {
        newest_first(uid.and_then(|u| self.events.get(u)))
    }

    /// Events about the PersistentVolume of this name (of any incarnation), newest first.
    pub fn volume_events(&self, name: &str) -> Vec<&'a Event> {
        newest_first(self.volume_events.get(name))
    }
}

fn newest_first<'a>(events: Option<&Vec<&'a Event>>) -> Vec<&'a Event> {
    let mut events = events.cloned().unwrap_or_default();
    events.sort_by_key(|e| std::cmp::Reverse(firstaid::k8s::time::event_last_seen(e)));
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::*;

    #[test]
    fn pods_resolve_to_claims_including_ephemeral_ones() {
        let pod = pod("demo", "web-0", Some("n1"), "Running")
            .with_claim("data", "data-web-0")
            .with_ephemeral("scratch");
        let uses = claims_of(&pod);
        assert_eq!(uses.len(), 2);
        assert_eq!(uses[0].claim, "data-web-0");
        assert_eq!(uses[1].claim, "web-0-scratch");
        assert_eq!(uses[1].source, ClaimSource::Ephemeral);
    }

    #[test]
    fn ephemeral_claims_count_only_when_owned_by_the_pod() {
        let p = pod("demo", "web-0", Some("n1"), "Running").with_ephemeral("scratch");
        let owned = claim("demo", "web-0-scratch").owned_by(&p);
        let foreign = claim("demo", "web-0-scratch");
        let inv = Inventory {
            pods: vec![p.into()],
            ..Inventory::default()
        };
        let index = Index::new(&inv);
        assert_eq!(index.users_of(&owned).len(), 1);
        assert!(index.users_of(&foreign).is_empty());
    }

    #[test]
    fn bound_claim_requires_matching_uid() {
        let c = claim("demo", "data").with_uid("c1");
        let inv = Inventory {
            claims: vec![c],
            ..Inventory::default()
        };
        let index = Index::new(&inv);
        let same = volume("pv1").claimed_by("demo", "data", Some("c1"));
        let other = volume("pv1").claimed_by("demo", "data", Some("old-uid"));
        assert!(index.bound_claim(&same).is_some());
        assert!(index.bound_claim(&other).is_none());
    }
}
