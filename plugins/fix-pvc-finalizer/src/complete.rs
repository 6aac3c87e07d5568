//! `kubectl fix-pvc-finalizer <TAB>`: what is stuck — claims in the namespace that are being
//! deleted (bare names), volumes being deleted (`pv/NAME`), and VolumeAttachments being deleted
//! or left behind by a node that no longer exists (`volumeattachment/NAME`). Four metadata-sized
//! lists, concurrently.

use std::collections::HashSet;

use firstaid::completion::{CompletionRequest, is_deleting, names};
use firstaid::k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim};
use firstaid::k8s_openapi::api::storage::v1::VolumeAttachment;
use firstaid::kube::Api;
use firstaid::kube::api::ListParams;
use firstaid::{Kube, Result};

pub async fn complete(kube: Kube, request: CompletionRequest) -> Result<Vec<String>> {
    if request.flag.is_some() {
        return Ok(Vec::new());
    }
    let claims = Api::<PersistentVolumeClaim>::namespaced(kube.client.clone(), &kube.namespace);
    let volumes = Api::<PersistentVolume>::all(kube.client.clone());
    let attachments = Api::<VolumeAttachment>::all(kube.client.clone());
    let nodes = Api::<Node>::all(kube.client.clone());
    let page = ListParams::default().limit(500);
    let (claims, volumes, attachments, nodes) = tokio::join!(
        names(&claims, is_deleting),
        names(&volumes, is_deleting),
        attachments.list(&page),
        names(&nodes, |_| true),
    );
    let nodes: HashSet<String> = nodes?.into_iter().collect();
    let stale = attachments?.items.into_iter().filter(|va| {
        va.metadata.deletion_timestamp.is_some() || !nodes.contains(&va.spec.node_name)
    });
    let mut out = claims?;
    out.extend(volumes?.into_iter().map(|name| format!("pv/{name}")));
    out.extend(
        stale
            .filter_map(|va| va.metadata.name)
            .map(|name| format!("volumeattachment/{name}")),
    );
    Ok(out)
}
