//! The reads `cluster` makes, concurrently: the server version, ServiceCIDR objects (v1 from 1.33,
//! v1beta1 on 1.31–1.32, absent before), the `kubernetes` Service's ClusterIPs and the nodes'
//! `spec.podCIDRs` (paginated). Results are plain strings, so the diagnosis needs no Kubernetes
//! types and is tested on fixtures.

use firstaid::concurrency::with_retry;
use firstaid::k8s_openapi::api::core::v1::{Node, Service};
use firstaid::kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use firstaid::{Error, Kube, Result, pager};
use serde::Serialize;

/// What the cluster says about its ranges.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterData {
    /// `gitVersion` of the API server.
    pub version: Option<String>,
    /// The ServiceCIDR API version served (`networking.k8s.io/v1`), if any.
    pub service_cidr_api: Option<String>,
    pub service_cidrs: Vec<ServiceCidrObject>,
    /// ClusterIPs of `default/kubernetes`.
    pub kubernetes_service_ips: Vec<String>,
    pub nodes: Vec<NodeRanges>,
    /// What could not be read, and why (forbidden, not served).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceCidrObject {
    pub name: String,
    pub cidrs: Vec<String>,
    /// The `Ready` condition's status and message, when not true.
    pub not_ready: Option<String>,
    pub terminating: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeRanges {
    pub name: String,
    pub pod_cidrs: Vec<String>,
}

pub async fn fetch(kube: &Kube) -> Result<ClusterData> {
    let client = &kube.client;
    let version = async {
        with_retry(|| async { client.apiserver_version().await.map_err(Error::from) }).await
    };
    let (version, service_cidrs, kubernetes, nodes) = futures::join!(
        version,
        service_cidrs(kube),
        kubernetes_service(kube),
        nodes(kube)
    );
    let mut data = ClusterData {
        version: Some(version?.git_version),
        nodes: nodes?,
        ..ClusterData::default()
    };
    match service_cidrs {
        Ok(Some((api, objects))) => {
            data.service_cidr_api = Some(api);
            data.service_cidrs = objects;
        }
        Ok(None) => data.notes.push(
            "the server has no ServiceCIDR API (networking.k8s.io/v1 from 1.33, v1beta1 on 1.31–1.32): service ranges come from --service-cidr".into(),
        ),
        Err(e) if e.is_forbidden() => data
            .notes
            .push(format!("cannot list servicecidrs: {e}; pass --service-cidr to check them")),
        Err(e) => return Err(e),
    }
    match kubernetes {
        Ok(ips) => data.kubernetes_service_ips = ips,
        Err(e) if e.is_forbidden() => data
            .notes
            .push(format!("cannot get services/kubernetes in default: {e}")),
        Err(e) => return Err(e),
    }
    Ok(data)
}

/// ServiceCIDRs from the newest served version; `None` when neither is served.
async fn service_cidrs(kube: &Kube) -> Result<Option<(String, Vec<ServiceCidrObject>)>> {
    for version in ["v1", "v1beta1"] {
        let gvk = GroupVersionKind::gvk("networking.k8s.io", version, "ServiceCIDR");
        let resource = ApiResource::from_gvk_with_plural(&gvk, "servicecidrs");
        let api: Api<DynamicObject> = Api::all_with(kube.client.clone(), &resource);
        match pager::list_all(&api, &ListParams::default()).await {
            Ok(list) => {
                let objects = list.iter().map(service_cidr_object).collect();
                return Ok(Some((format!("networking.k8s.io/{version}"), objects)));
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

fn service_cidr_object(object: &DynamicObject) -> ServiceCidrObject {
    let strings = |value: Option<&serde_json::Value>| -> Vec<String> {
        value
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let cidrs = strings(object.data.pointer("/spec/cidrs"));
    let not_ready = object
        .data
        .pointer("/status/conditions")
        .and_then(serde_json::Value::as_array)
        .and_then(|conditions| {
            conditions
                .iter()
                .find(|c| c.get("type").and_then(|t| t.as_str()) == Some("Ready"))
        })
        .and_then(|ready| {
            let status = ready
                .get("status")
                .and_then(|s| s.as_str())
                .unwrap_or("Unknown");
            (status != "True").then(|| {
                let message = ready.get("message").and_then(|m| m.as_str()).unwrap_or("");
                format!("Ready={status} {message}").trim().to_owned()
            })
        });
    ServiceCidrObject {
        name: object.metadata.name.clone().unwrap_or_default(),
        cidrs,
        not_ready,
        terminating: object.metadata.deletion_timestamp.is_some(),
    }
}

async fn kubernetes_service(kube: &Kube) -> Result<Vec<String>> {
    let api: Api<Service> = Api::namespaced(kube.client.clone(), "default");
    let service =
        with_retry(|| async { api.get_opt("kubernetes").await.map_err(Error::from) }).await?;
    Ok(service
        .and_then(|s| s.spec)
        .map(|spec| {
            spec.cluster_ips
                .unwrap_or_else(|| spec.cluster_ip.into_iter().collect())
        })
        .unwrap_or_default())
}

async fn nodes(kube: &Kube) -> Result<Vec<NodeRanges>> {
    let api: Api<Node> = Api::all(kube.client.clone());
    let mut nodes = Vec::new();
    pager::for_each_page(&api, &ListParams::default(), |page| {
        nodes.extend(page.into_iter().map(|node| {
            let spec = node.spec.unwrap_or_default();
            NodeRanges {
                name: node.metadata.name.unwrap_or_default(),
                pod_cidrs: spec
                    .pod_cidrs
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| spec.pod_cidr.into_iter().collect()),
            }
        }));
        Ok(())
    })
    .await?;
    Ok(nodes)
}
