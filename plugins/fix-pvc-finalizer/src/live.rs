//! The lists the safety guard re-checks against, kept current while the fix runs.
//!
//! Between the diagnosis and the change there is a confirmation prompt, and a person can take
//! minutes to answer it. The guard must not judge "is a pod using this claim?" on a list from
//! before the prompt, so while the Applier runs, watches on pods, nodes, claims, volumes and
//! attachments — started from resourceVersions read *before* the lists, so no change is missed —
//! fold every change into these lists. A watch that fails is recorded; the guard then falls back
//! to the last state it saw and the run says so.

use std::sync::Mutex;

use firstaid::k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};
use firstaid::k8s_openapi::api::storage::v1::VolumeAttachment;
use firstaid::kube::Resource;
use firstaid::kube::api::{Api, WatchEvent, WatchParams};
use firstaid::{Kube, Result};
use futures::{StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;

use crate::fetch::{resource_version, scoped};
use crate::inventory::{Index, Inventory};

/// Where each kind's watch starts.
#[derive(Debug, Clone, Default)]
pub struct Versions {
    pods: String,
    nodes: String,
    claims: String,
    volumes: String,
    attachments: String,
}

impl Versions {
    /// Read before the lists: a watch from here replays anything the lists might have missed.
    pub async fn read(kube: &Kube, namespace: Option<&str>) -> Result<Self> {
        let apis = Apis::new(kube, namespace);
        let (pods, nodes, claims, volumes, attachments) = futures::try_join!(
            resource_version(&apis.pods),
            resource_version(&apis.nodes),
            resource_version(&apis.claims),
            resource_version(&apis.volumes),
            resource_version(&apis.attachments),
        )?;
        Ok(Versions {
            pods,
            nodes,
            claims,
            volumes,
            attachments,
        })
    }
}

struct Apis {
    pods: Api<Pod>,
    nodes: Api<Node>,
    claims: Api<PersistentVolumeClaim>,
    volumes: Api<PersistentVolume>,
    attachments: Api<VolumeAttachment>,
}

impl Apis {
    fn new(kube: &Kube, namespace: Option<&str>) -> Self {
        Apis {
            pods: scoped(kube, namespace),
            nodes: Api::all(kube.client.clone()),
            claims: scoped(kube, namespace),
            volumes: Api::all(kube.client.clone()),
            attachments: Api::all(kube.client.clone()),
        }
    }
}

#[derive(Debug, Default)]
pub struct Live {
    inventory: Mutex<Inventory>,
    /// Why a watch stopped, if one did.
    broken: Mutex<Vec<String>>,
}

impl Live {
    pub fn new(inventory: Inventory) -> Self {
        Live {
            inventory: Mutex::new(inventory),
            broken: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` over an index of the current state.
    pub fn with_index<R>(&self, f: impl FnOnce(&Index) -> R) -> R {
        let guard = self
            .inventory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&Index::new(&guard))
    }

    /// Watches that could not keep the state current.
    pub fn broken(&self) -> Vec<String> {
        self.broken.lock().map(|b| b.clone()).unwrap_or_default()
    }

    /// Follows every kind until dropped (never returns).
    pub async fn follow(&self, kube: &Kube, namespace: Option<&str>, versions: &Versions) {
        let apis = Apis::new(kube, namespace);
        futures::join!(
            self.follow_kind(&apis.pods, &versions.pods, |i| &mut i.pods),
            self.follow_kind(&apis.nodes, &versions.nodes, |i| &mut i.nodes),
            self.follow_kind(&apis.claims, &versions.claims, |i| &mut i.claims),
            self.follow_kind(&apis.volumes, &versions.volumes, |i| &mut i.volumes),
            self.follow_kind(&apis.attachments, &versions.attachments, |i| {
                &mut i.attachments
            }),
        );
    }

    async fn follow_kind<K>(
        &self,
        api: &Api<K>,
        version: &str,
        slot: fn(&mut Inventory) -> &mut Vec<K>,
    ) where
        K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug + Send + 'static,
    {
        let mut version = version.to_owned();
        let problem = loop {
            let params = WatchParams::default().timeout(290);
            let stream = match api.watch(&params, &version).await {
                Ok(stream) => stream,
                Err(e) => break e.to_string(),
            };
            let mut stream = stream.boxed();
            let ended = loop {
                match stream.try_next().await {
                    Ok(Some(WatchEvent::Bookmark(b))) => {
                        version = b.metadata.resource_version;
                    }
                    Ok(Some(WatchEvent::Error(status))) => break Some(status.message),
                    Ok(Some(event)) => {
                        if let Some(rv) = self.apply(event, slot) {
                            version = rv;
                        }
                    }
                    Ok(None) => break None,
                    Err(e) => break Some(e.to_string()),
                }
            };
            if let Some(problem) = ended {
                break problem;
            }
        };
        if let Ok(mut broken) = self.broken.lock() {
            broken.push(format!("watching {}: {problem}", K::plural(&())));
        }
        futures::future::pending::<()>().await;
    }

    /// Folds one event into the lists; returns the object's resourceVersion.
    fn apply<K: Resource>(
        &self,
        event: WatchEvent<K>,
        slot: fn(&mut Inventory) -> &mut Vec<K>,
    ) -> Option<String> {
        let mut inventory = self
            .inventory
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let list = slot(&mut inventory);
        let (object, deleted) = match event {
            WatchEvent::Added(o) | WatchEvent::Modified(o) => (o, false),
            WatchEvent::Deleted(o) => (o, true),
            WatchEvent::Bookmark(_) | WatchEvent::Error(_) => return None,
        };
        let version = object.meta().resource_version.clone();
        let uid = object.meta().uid.clone();
        let position = list.iter().position(|x| x.meta().uid == uid);
        match (position, deleted) {
            (Some(i), true) => {
                list.swap_remove(i);
            }
            (Some(i), false) => list[i] = object,
            (None, false) => list.push(object),
            (None, true) => {}
        }
        version
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::*;

    #[test]
    fn events_fold_into_the_lists() {
        let live = Live::new(Inventory::default());
        let p = pod("demo", "web-0", Some("n1"), "Running").with_claim("d", "data");
        live.apply(WatchEvent::Added(p.clone()), |i| &mut i.pods);
        live.with_index(|index| assert_eq!(index.inv.pods.len(), 1));
        let mut moved = p.clone();
        moved.spec.get_or_insert_with(Default::default).node_name = Some("n2".into());
        live.apply(WatchEvent::Modified(moved), |i| &mut i.pods);
        live.with_index(|index| {
            assert_eq!(
                index.inv.pods[0]
                    .spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_deref()),
                Some("n2")
            );
        });
        live.apply(WatchEvent::Deleted(p), |i| &mut i.pods);
        live.with_index(|index| assert!(index.inv.pods.is_empty()));
    }
}
