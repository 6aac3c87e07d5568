//! The reads: one paginated list per kind, all at once, each retried on 429 by the shared pager;
//! then warning events, only in the namespaces of the objects involved.

use firstaid::k8s_openapi::NamespaceResourceScope;
use firstaid::k8s_openapi::api::core::v1::{
    Event, Node, PersistentVolume, PersistentVolumeClaim, Pod,
};
use firstaid::k8s_openapi::api::storage::v1::{StorageClass, VolumeAttachment};
use firstaid::kube::Resource;
use firstaid::kube::api::{Api, ListParams};
use firstaid::pager::list_all;
use firstaid::{Kube, Result, read};
use serde::de::DeserializeOwned;

use crate::inventory::{ClaimingPod, Inventory, name_of};
use crate::select::Named;

/// Above this many namespaces, one cluster-wide event list is cheaper than one per namespace.
const EVENT_NAMESPACES_LIMIT: usize = 16;

/// A namespaced kind in one namespace, or across all of them.
pub fn scoped<K>(kube: &Kube, namespace: Option<&str>) -> Api<K>
where
    K: Resource<DynamicType = (), Scope = NamespaceResourceScope>,
{
    match namespace {
        Some(ns) => Api::namespaced(kube.client.clone(), ns),
        None => Api::all(kube.client.clone()),
    }
}

/// `namespace` scopes claims and pods; volumes, attachments, nodes and classes are cluster-wide.
///
/// Claims, volumes, attachments and nodes are kept whole but for their managedFields. Pods, the
/// biggest list, are read through the compact [`wire::Pod`] projection, and only those
/// whose volumes name a claim are kept (and any pod `named` on the command line): no diagnosis
/// looks at any other pod, so memory follows the claims, not the cluster's pods.
pub async fn inventory(kube: &Kube, namespace: Option<&str>, named: &[Named]) -> Result<Inventory> {
    let all = ListParams::default();
    let (claims_api, pods_api) = (scoped(kube, namespace), scoped(kube, namespace));
    let client = &kube.client;
    let (volumes_api, attachments_api, nodes_api, classes_api) = (
        Api::all(client.clone()),
        Api::all(client.clone()),
        Api::all(client.clone()),
        Api::all(client.clone()),
    );
    let pods = async {
        let mut pods = Vec::new();
        read::for_each_page::<wire::Pod, Pod>(&pods_api, &all, |page| {
            pods.extend(page.into_iter().map(ClaimingPod::from).filter(|p| {
                !p.claims.is_empty()
                    || named
                        .iter()
                        .any(|n| matches!(n, Named::Pod(name) if name == name_of(&p.metadata)))
            }));
            Ok(())
        })
        .await?;
        Ok(pods)
    };
    let (claims, volumes, attachments, pods, nodes, storage_classes) = futures::try_join!(
        read::list_lean::<PersistentVolumeClaim>(&claims_api, &all),
        read::list_lean::<PersistentVolume>(&volumes_api, &all),
        read::list_lean::<VolumeAttachment>(&attachments_api, &all),
        pods,
        read::list_lean::<Node>(&nodes_api, &all),
        optional(list_all::<StorageClass>(&classes_api, &all)),
    )?;
    Ok(Inventory {
        claims,
        volumes,
        attachments,
        pods,
        nodes,
        storage_classes,
        events: Vec::new(),
    })
}

/// Lists that only add detail: a 403 leaves them empty instead of failing the diagnosis.
async fn optional<K>(list: impl Future<Output = Result<Vec<K>>>) -> Result<Vec<K>> {
    match list.await {
        Err(e) if e.is_forbidden() => Ok(Vec::new()),
        other => other,
    }
}

/// Warning events in these namespaces, and every event about these (deleted) volumes, once each.
pub async fn events(kube: &Kube, namespaces: &[String], volumes: &[String]) -> Result<Vec<Event>> {
    let (mut events, about_volumes) = futures::try_join!(
        warning_events(kube, namespaces),
        volume_events(kube, volumes)
    )?;
    let seen: std::collections::HashSet<Option<String>> =
        events.iter().map(|e| e.metadata.uid.clone()).collect();
    events.extend(
        about_volumes
            .into_iter()
            .filter(|e| !seen.contains(&e.metadata.uid)),
    );
    Ok(events)
}

/// Every event about the PersistentVolumes of these names, Normal ones included: the volume
/// controller's reclaim events (VolumeDelete, VolumeRecycled, …) are what is left to tell what
/// became of a deleted volume's data. Selected by name, as its uid is gone with it.
async fn volume_events(kube: &Kube, names: &[String]) -> Result<Vec<Event>> {
    let api: Api<Event> = Api::all(kube.client.clone());
    let lists = futures::future::try_join_all(names.iter().map(|name| {
        let params = ListParams::default().fields(&format!(
            "involvedObject.kind=PersistentVolume,involvedObject.name={name}"
        ));
        let api = &api;
        async move { optional(list_all::<Event>(api, &params)).await }
    }))
    .await?;
    Ok(lists.into_iter().flatten().collect())
}

/// Warning events in these namespaces (FailedMount, FailedAttachVolume, …).
async fn warning_events(kube: &Kube, namespaces: &[String]) -> Result<Vec<Event>> {
    let params = ListParams::default().fields("type=Warning");
    if namespaces.is_empty() {
        return Ok(Vec::new());
    }
    if namespaces.len() > EVENT_NAMESPACES_LIMIT {
        return optional(list_all::<Event>(&Api::all(kube.client.clone()), &params)).await;
    }
    let apis: Vec<Api<Event>> = namespaces
        .iter()
        .map(|ns| Api::namespaced(kube.client.clone(), ns))
        .collect();
    let lists = futures::future::try_join_all(
        apis.iter()
            .map(|api| optional(list_all::<Event>(api, &params))),
    )
    .await?;
    Ok(lists.into_iter().flatten().collect())
}

/// The current resourceVersion of a list, read before the full list so that a watch started from
/// it replays every change made since (see `live.rs`).
pub async fn resource_version<K>(api: &Api<K>) -> Result<String>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    let params = ListParams::default().limit(1);
    let list = firstaid::concurrency::with_retry(|| async {
        api.list_metadata(&params)
            .await
            .map_err(firstaid::Error::from)
    })
    .await?;
    Ok(list.metadata.resource_version.unwrap_or_default())
}

mod wire;

#[cfg(test)]
mod tests;
