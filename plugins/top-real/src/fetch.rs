//! The few reads, all at once: one paginated list of nodes, one paginated list of non-terminated
//! pods (folded into per-node sums page by page), one metrics list. Never a request per node:
//! on 1,000 nodes that is what makes kubectl-view-allocations-style tools slow.

use firstaid::concurrency::{with_retry, with_throttle_retry};
use firstaid::k8s_openapi::api::core::v1::Node;
use firstaid::k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
use firstaid::kube::api::ListParams;
use firstaid::kube::{Api, Client};
use firstaid::{Error, Kube, Result, pager, read};

use crate::kinds::{NodeMetrics, Pod, PodMetrics};
use crate::metrics::{APISERVICE, ApiServiceState, MetricsInfo, explain};
use crate::nodes::NodeLoads;
use crate::wire;

/// Pods the kubelet still runs (or will): what counts against a node.
pub const NON_TERMINATED: &str = "status.phase!=Succeeded,status.phase!=Failed";

/// Metrics, or why there are none.
pub type Metrics<T> = std::result::Result<Vec<T>, MetricsInfo>;

pub struct NodeData {
    pub nodes: Vec<Node>,
    pub loads: NodeLoads,
    pub metrics: Metrics<NodeMetrics>,
}

fn params(selector: Option<&str>) -> ListParams {
    let mut lp = ListParams::default();
    if let Some(s) = selector {
        lp = lp.labels(s);
    }
    lp
}

pub async fn nodes(kube: &Kube, names: &[String], selector: Option<&str>) -> Result<NodeData> {
    let node_api: Api<Node> = Api::all(kube.client.clone());
    let metrics_api: Api<NodeMetrics> = Api::all(kube.client.clone());

    let nodes = async {
        if names.is_empty() {
            return pager::list_all(&node_api, &params(selector)).await;
        }
        let gets = names.iter().map(|name| {
            let api = &node_api;
            async move {
                with_retry(|| async { api.get_opt(name).await.map_err(Error::from) })
                    .await?
                    .ok_or_else(|| Error::not_found("nodes", name))
            }
        });
        futures::future::try_join_all(gets).await
    };
    let loads = async {
        let mut loads = NodeLoads::default();
        let lp = ListParams::default().fields(NON_TERMINATED);
        for_each_pod_page(&kube.client, None, &lp, |page| {
            for p in &page {
                loads.add(p);
            }
            Ok(())
        })
        .await?;
        Ok::<_, Error>(loads)
    };
    let metrics = async {
        let lp = if names.is_empty() {
            params(selector)
        } else {
            ListParams::default()
        };
        match list_metrics(&metrics_api, &lp).await {
            Ok(items) => Ok(items),
            Err(e) => Err(explain_failure(kube, &e, "nodes.metrics.k8s.io").await),
        }
    };
    let (nodes, loads, metrics) = futures::join!(nodes, loads, metrics);
    Ok(NodeData {
        nodes: nodes?,
        loads: loads?,
        metrics,
    })
}

pub struct PodData {
    pub pods: Vec<Pod>,
    pub metrics: Metrics<PodMetrics>,
}

/// Pods in `namespace` (all when `None`); `names` empty means all non-terminated ones.
pub async fn pods(
    kube: &Kube,
    namespace: Option<&str>,
    names: &[String],
    selector: Option<&str>,
) -> Result<PodData> {
    let metrics_api: Api<PodMetrics> = match namespace {
        Some(ns) => Api::namespaced(kube.client.clone(), ns),
        None => Api::all(kube.client.clone()),
    };
    let pods = async {
        let mut lp = params(selector);
        if names.is_empty() {
            lp = lp.fields(NON_TERMINATED);
        }
        let mut pods = Vec::new();
        for_each_pod_page(&kube.client, namespace, &lp, |page| {
            pods.extend(page);
            Ok(())
        })
        .await?;
        if !names.is_empty() {
            pods.retain(|p| p.metadata.name.as_ref().is_some_and(|n| names.contains(n)));
            if let Some(missing) = names
                .iter()
                .find(|n| !pods.iter().any(|p| p.metadata.name.as_ref() == Some(n)))
            {
                return Err(Error::not_found("pods", missing));
            }
        }
        Ok(pods)
    };
    let metrics = async {
        let lp = params(selector);
        match list_metrics(&metrics_api, &lp).await {
            Ok(items) => Ok(items),
            Err(e) => Err(explain_failure(kube, &e, "pods.metrics.k8s.io").await),
        }
    };
    let (pods, metrics) = futures::join!(pods, metrics);
    Ok(PodData {
        pods: pods?,
        metrics,
    })
}

/// Pods page by page, pipelined, as protobuf ([`wire`]): the API server serves protobuf about
/// twice as fast as JSON, and serving is what a full-cluster run waits on.
///
/// Consistency: these are ordinary consistent paginated reads (served from the watch cache
/// snapshot by a v1.34 server). An exact snapshot is not needed for a usage report, but
/// `resourceVersion=0` would not help either: it makes the server ignore `limit` and send the
/// whole list (70 MB for 30,000 pods) in one response we would have to hold.
async fn for_each_pod_page(
    client: &Client,
    namespace: Option<&str>,
    lp: &ListParams,
    each: impl FnMut(Vec<Pod>) -> Result<()>,
) -> Result<()> {
    let api: Api<Pod> = match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    read::for_each_page::<wire::Pod, _>(&api, lp, each).await
}

/// Throttling (429) is retried; a 503 is not, although the aggregator attaches a Retry-After to
/// it: that 503 means the metrics server is down (see `with_throttle_retry`).
async fn list_metrics<K>(api: &Api<K>, lp: &ListParams) -> Result<Vec<K>>
where
    K: Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    with_throttle_retry(|| async { api.list(lp).await.map_err(Error::from) })
        .await
        .map(|list| list.items)
}

/// A metrics call failed: read the APIService to say why. A failure to reach the API server at
/// all is not a metrics problem, and surfaces through the other (failing) lists instead.
async fn explain_failure(kube: &Kube, error: &Error, resource: &str) -> MetricsInfo {
    let api: Api<APIService> = Api::all(kube.client.clone());
    let state = match api.get_opt(APISERVICE).await {
        Ok(None) => ApiServiceState::Absent,
        Ok(Some(svc)) => {
            ApiServiceState::Present(Box::new(firstaid::k8s::ApiServiceState::of(&svc)))
        }
        Err(e) => ApiServiceState::Unknown(Error::from(e).to_string()),
    };
    explain(error, resource, &state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use firstaid::kube::client::Body;
    use http::{Request, Response};

    /// Serves list requests from the mock until the client is dropped; returns the URIs seen.
    fn serve(
        mut handle: tower_test::mock::Handle<Request<Body>, Response<Body>>,
    ) -> tokio::task::JoinHandle<Vec<String>> {
        tokio::spawn(async move {
            let mut seen = Vec::new();
            while let Some((request, send)) = handle.next_request().await {
                let uri = request.uri().to_string();
                assert_eq!(request.method(), http::Method::GET, "{uri}");
                let body = if uri.starts_with("/api/v1/nodes?") {
                    serde_json::json!({"kind": "NodeList", "apiVersion": "v1", "metadata": {},
                        "items": [{"metadata": {"name": "n1"},
                                   "status": {"capacity": {"cpu": "2", "memory": "4030180Ki", "pods": "40"},
                                              "allocatable": {"cpu": "1960m", "memory": "2213604Ki", "pods": "40"}}}]})
                } else if uri.starts_with("/api/v1/pods?") {
                    serde_json::json!({"kind": "PodList", "apiVersion": "v1", "metadata": {},
                        "items": [{"metadata": {"name": "p", "namespace": "d"},
                                   "spec": {"nodeName": "n1", "containers": [{"name": "c",
                                       "resources": {"requests": {"cpu": "100m"}}}]}}]})
                } else if uri.starts_with("/apis/metrics.k8s.io/v1beta1/nodes") {
                    serde_json::json!({"kind": "NodeMetricsList", "apiVersion": "metrics.k8s.io/v1beta1",
                        "metadata": {}, "items": [{"metadata": {"name": "n1"},
                            "usage": {"cpu": "78528126n", "memory": "2413824Ki"}}]})
                } else {
                    panic!("unexpected request {uri}");
                };
                seen.push(uri);
                send.send_response(
                    Response::builder()
                        .body(Body::from(serde_json::to_vec(&body).expect("json")))
                        .expect("response"),
                );
            }
            seen
        })
    }

    #[tokio::test]
    async fn nodes_view_is_three_requests_not_one_per_node() {
        let (service, handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
        let server = serve(handle);
        let client = Client::new(service, "default");
        let kube = Kube::from_client(client, "default");
        let data = nodes(&kube, &[], None).await.expect("fetch");
        drop(kube);
        let mut seen = server.await.expect("server");
        seen.sort();
        assert_eq!(
            seen,
            [
                "/api/v1/nodes?&limit=500",
                "/api/v1/pods?&fieldSelector=status.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed&limit=500",
                "/apis/metrics.k8s.io/v1beta1/nodes?",
            ]
        );
        assert_eq!(data.nodes.len(), 1);
        assert_eq!(data.loads.get("n1").cpu_requests, 100);
        assert_eq!(data.metrics.expect("metrics").len(), 1);
    }
}
