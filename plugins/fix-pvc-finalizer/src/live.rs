//! The lists the safety guard re-checks against, kept current while the fix runs.
//!
//! Between the diagnosis and the change there is a confirmation prompt, and a person can take
//! minutes to answer it. The guard must not judge "is a pod using this claim?" on a list from
//! before the prompt, so while the Applier runs, watches on pods, nodes, claims, volumes and
//! attachments — started from resourceVersions read *before* the lists, so no change is missed —
//! fold every change into these lists (the shared [`Refreshed`] and its watch feed). A watch that
//! fails is recorded; the guard then falls back to the last state it saw and the run says so.

use firstaid::k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};
use firstaid::k8s_openapi::api::storage::v1::VolumeAttachment;
use firstaid::kube::api::Api;
use firstaid::refreshed::Refreshed;
use firstaid::refreshed::watch::into_list;
use firstaid::{Kube, Result};

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

/// The lists the guard reads, kept current by watches from `versions` (read before the lists);
/// without `versions` (a client dry run, which sends nothing) they stay as read.
pub fn follow(
    kube: &Kube,
    namespace: Option<&str>,
    inventory: Inventory,
    versions: Option<Versions>,
) -> Refreshed<Inventory> {
    let apis = Apis::new(kube, namespace);
    Refreshed::following(inventory, move |updates| async move {
        let Some(v) = versions else { return };
        futures::join!(
            into_list(&updates, &apis.pods, &v.pods, |i| &mut i.pods),
            into_list(&updates, &apis.nodes, &v.nodes, |i| &mut i.nodes),
            into_list(&updates, &apis.claims, &v.claims, |i| &mut i.claims),
            into_list(&updates, &apis.volumes, &v.volumes, |i| &mut i.volumes),
            into_list(&updates, &apis.attachments, &v.attachments, |i| {
                &mut i.attachments
            }),
        );
    })
}

/// Runs `f` over an index of the lists as they are now.
pub fn with_index<R>(live: &Refreshed<Inventory>, f: impl FnOnce(&Index) -> R) -> R {
    live.with(|inventory| f(&Index::new(inventory)))
}
