//! Which claims, volumes and attachments a run looks at: those stuck in the scope, and what the
//! objects named on the command line lead to (pod → claim → volume → attachment).

use firstaid::k8s::NodePresence;
use firstaid::k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use firstaid::k8s_openapi::api::storage::v1::VolumeAttachment;
use firstaid::{Error, Result};

use crate::inventory::{Index, name_of, namespace_of};
use crate::safety::lost::is_lost;
use crate::select::Named;

/// What to look at: the namespace (`None` = all) and any objects named on the command line.
#[derive(Debug, Clone)]
pub struct Scope<'s> {
    pub namespace: Option<&'s str>,
    pub named: &'s [Named],
}

/// The objects a diagnosis covers.
#[derive(Debug, Default)]
pub struct Subjects<'a> {
    pub claims: Vec<&'a PersistentVolumeClaim>,
    pub volumes: Vec<&'a PersistentVolume>,
    pub attachments: Vec<&'a VolumeAttachment>,
}

impl<'a> Subjects<'a> {
    fn add_claim(&mut self, c: &'a PersistentVolumeClaim) {
        if !self.claims.iter().any(|x| std::ptr::eq(*x, c)) {
            self.claims.push(c);
        }
    }
    fn add_volume(&mut self, v: &'a PersistentVolume) {
        if !self.volumes.iter().any(|x| std::ptr::eq(*x, v)) {
            self.volumes.push(v);
        }
    }
    fn add_attachment(&mut self, a: &'a VolumeAttachment) {
        if !self.attachments.iter().any(|x| std::ptr::eq(*x, a)) {
            self.attachments.push(a);
        }
    }

    /// Everything related to a claim that is stuck too (or, with `all`, everything related).
    fn follow_claim(&mut self, index: &Index<'a>, c: &'a PersistentVolumeClaim, all: bool) {
        self.add_claim(c);
        if let Some(pv) = index.volume_of(c) {
            self.follow_volume(index, pv, all);
        }
    }

    fn follow_volume(&mut self, index: &Index<'a>, pv: &'a PersistentVolume, all: bool) {
        if all || volume_is_stuck(pv) {
            self.add_volume(pv);
        }
        for va in index.attachments_of(name_of(&pv.metadata)) {
            if all || attachment_is_stuck(va, index) {
                self.add_attachment(va);
            }
        }
    }
}

fn is_stuck(meta: &firstaid::kube::api::ObjectMeta) -> bool {
    meta.deletion_timestamp.is_some() && meta.finalizers.as_ref().is_some_and(|f| !f.is_empty())
}

fn claim_is_stuck(c: &PersistentVolumeClaim) -> bool {
    is_stuck(&c.metadata)
}

fn volume_is_stuck(pv: &PersistentVolume) -> bool {
    is_stuck(&pv.metadata)
}

/// Stuck deleting, or pointing at a node that no longer exists.
fn attachment_is_stuck(va: &VolumeAttachment, index: &Index) -> bool {
    is_stuck(&va.metadata) || index.node(&va.spec.node_name) == NodePresence::Missing
}

/// The namespace a cluster-scoped volume serves: its claim's.
fn volume_namespace(pv: &PersistentVolume) -> Option<&str> {
    pv.spec.as_ref()?.claim_ref.as_ref()?.namespace.as_deref()
}

/// Picks the objects to diagnose; a named object that does not exist is an error (exit 3).
pub fn select<'a>(index: &Index<'a>, scope: &Scope) -> Result<Subjects<'a>> {
    let mut s = Subjects::default();
    let inv = index.inv;
    let ns = scope.namespace;
    if scope.named.is_empty() {
        let in_scope = |n: Option<&str>| ns.is_none() || n == ns;
        for c in inv
            .claims
            .iter()
            .filter(|c| claim_is_stuck(c) || is_lost(c))
        {
            if in_scope(c.metadata.namespace.as_deref()) {
                s.add_claim(c);
            }
        }
        for pv in inv.volumes.iter().filter(|v| volume_is_stuck(v)) {
            if in_scope(volume_namespace(pv)) {
                s.add_volume(pv);
            }
        }
        for va in &inv.attachments {
            let pv_ns = va
                .spec
                .source
                .persistent_volume_name
                .as_deref()
                .and_then(|pv| index.volume(pv))
                .and_then(volume_namespace);
            if attachment_is_stuck(va, index) && in_scope(pv_ns) {
                s.add_attachment(va);
            }
        }
        return Ok(s);
    }
    let namespaced = |kind: &str| {
        ns.ok_or_else(|| {
            Error::Usage(format!(
                "a {kind} cannot be named across all namespaces: drop -A and use -n NAMESPACE"
            ))
        })
    };
    for named in scope.named {
        match named {
            Named::Claim(name) => {
                let ns = namespaced("persistentvolumeclaim")?;
                let c = index
                    .claim(ns, name)
                    .ok_or_else(|| Error::not_found("persistentvolumeclaims", name))?;
                s.follow_claim(index, c, false);
            }
            Named::Volume(name) => {
                let pv = index
                    .volume(name)
                    .ok_or_else(|| Error::not_found("persistentvolumes", name))?;
                s.add_volume(pv);
                if let Some(c) = index.bound_claim(pv).filter(|c| claim_is_stuck(c)) {
                    s.add_claim(c);
                }
                s.follow_volume(index, pv, false);
            }
            Named::Attachment(name) => {
                let va = inv
                    .attachments
                    .iter()
                    .find(|va| name_of(&va.metadata) == name)
                    .ok_or_else(|| Error::not_found("volumeattachments.storage.k8s.io", name))?;
                s.add_attachment(va);
                if let Some(pv) = va
                    .spec
                    .source
                    .persistent_volume_name
                    .as_deref()
                    .and_then(|pv| index.volume(pv))
                    .filter(|pv| volume_is_stuck(pv))
                {
                    s.add_volume(pv);
                }
            }
            Named::Pod(name) => {
                let ns = namespaced("pod")?;
                let pod = inv
                    .pods
                    .iter()
                    .find(|p| namespace_of(&p.metadata) == ns && name_of(&p.metadata) == name)
                    .ok_or_else(|| Error::not_found("pods", name))?;
                for claim_use in &pod.claims {
                    if let Some(c) = index.claim(ns, &claim_use.claim) {
                        s.follow_claim(index, c, true);
                    }
                }
            }
        }
    }
    Ok(s)
}
