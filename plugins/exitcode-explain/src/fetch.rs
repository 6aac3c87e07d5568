//! The reads pod mode makes, concurrently, each retried on 429.
//!
//! Only the pod itself is required. Events, the node, the node's SystemOOM events and metrics are
//! evidence: when RBAC hides one (many users cannot read nodes) or it does not exist (no
//! metrics-server), the verdict is reached from what remains and a note says what was not checked.

use std::collections::{BTreeMap, BTreeSet};

use firstaid::concurrency::{Cancel, bounded, with_retry};
use firstaid::kube::Client;
use firstaid::kube::api::{Api, ApiResource, DynamicObject, ListParams};
use firstaid::{Error, Exit, Result, pager, read};
use k8s_openapi::api::core::v1::{Event, Node, Pod};

use crate::extract;
use crate::facts::{ContainerFacts, NodeFacts, PodFacts, Usage};

/// Requests in flight at once during a scan.
const SCAN_CONCURRENCY: usize = 16;

#[path = "fetch_wire.rs"]
mod wire;

mod scan_events;
use scan_events::ScanEvents;

/// Everything known about one pod, ready for the verdicts.
#[derive(Debug, Clone)]
pub struct PodEvidence {
    pub pod: PodFacts,
    pub containers: Vec<ContainerFacts>,
    pub node: Option<NodeFacts>,
    pub usage: BTreeMap<String, Usage>,
}

/// Evidence that could not be read, said once each.
#[derive(Debug, Default)]
pub struct Notes(BTreeSet<String>);

impl Notes {
    fn add(&mut self, note: String) {
        self.0.insert(note);
    }

    pub fn into_iter(self) -> impl Iterator<Item = String> {
        self.0.into_iter()
    }
}

/// Why a piece of evidence is missing, as a short phrase (`forbidden`, `not found`, …).
pub(crate) fn why(err: &Error) -> String {
    match err.status() {
        Some(s) if s.code == 403 => "forbidden by RBAC".into(),
        Some(s) if s.code == 404 => "not found".into(),
        _ => err.to_string(),
    }
}

/// Errors that end the command rather than just losing one piece of evidence.
pub(crate) fn fatal(err: &Error) -> bool {
    matches!(err.exit(), Exit::Unreachable | Exit::Interrupted)
}

/// `pod/NAME`: the pod, then its events, node and (for OOM kills) metrics at once.
pub async fn one_pod(
    client: &Client,
    namespace: &str,
    name: &str,
    notes: &mut Notes,
) -> Result<PodEvidence> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let pod = with_retry(|| async { pods.get_opt(name).await.map_err(Error::from) })
        .await?
        .ok_or_else(|| Error::not_found("pods", name))?;
    let node_name = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    let oom = has_oom(&pod);
    let (events, node, usage) = futures::join!(
        pod_events(client, namespace, name),
        node_evidence(client, node_name.as_deref()),
        async {
            if oom {
                pod_usage(client, namespace, name).await
            } else {
                BTreeMap::new()
            }
        }
    );
    let events = keep(events, notes, || format!("events in namespace {namespace}"))?;
    let node = keep_node(node, notes)?;
    Ok(PodEvidence {
        containers: extract::containers(&pod),
        pod: extract::pod(&pod, &events),
        node,
        usage,
    })
}

/// A scan: pods in scope (paginated, read through the compact [`wire::Pod`] projection),
/// keeping those with something to explain, then their events and nodes with bounded
/// concurrency.
pub async fn scan(
    client: &Client,
    namespace: Option<&str>,
    selector: Option<&str>,
    cancel: &Cancel,
    notes: &mut Notes,
) -> Result<Vec<PodEvidence>> {
    let api: Api<Pod> = match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    let mut params = ListParams::default();
    if let Some(selector) = selector {
        params = params.labels(selector);
    }
    let mut pods = Vec::new();
    read::for_each_page::<wire::Pod, _>(&api, &params, |page| {
        pods.extend(page.iter().filter(|p| worth_a_look(p)).map(Scanned::of));
        Ok(())
    })
    .await?;

    // The nodes and the events depend only on the pods: read at once, one round trip saved.
    let node_names: BTreeSet<String> = pods.iter().filter_map(|p| p.pod.node.clone()).collect();
    let node_reads = bounded(node_names, SCAN_CONCURRENCY, cancel, |name| async move {
        node_evidence(client, Some(&name)).await
    });
    let (node_results, events) =
        futures::join!(node_reads, ScanEvents::read(client, &pods, cancel));
    let mut node_facts: BTreeMap<String, NodeFacts> = BTreeMap::new();
    for (name, result) in node_results {
        cancel.check()?;
        if let Some(node) = result.map(|r| keep_node(r, notes)).transpose()?.flatten() {
            node_facts.insert(name, node);
        }
    }
    let mut events = events.kept(notes)?;
    let mut out = Vec::new();
    for Scanned {
        uid,
        mut pod,
        containers,
    } in pods
    {
        cancel.check()?;
        let Some(events) = events.take(&pod, notes)? else {
            continue;
        };
        pod.events = extract::pod_events(uid.as_deref(), &events);
        let node = pod.node.as_ref().and_then(|n| node_facts.get(n)).cloned();
        out.push(PodEvidence {
            pod,
            containers,
            node,
            usage: BTreeMap::new(),
        });
    }
    out.sort_by(|a, b| (&a.pod.namespace, &a.pod.name).cmp(&(&b.pod.namespace, &b.pod.name)));
    Ok(out)
}

/// A scanned pod, reduced to its facts as soon as its page is decoded: the k8s-openapi pod (its
/// containers' structs are most of its memory) is dropped with the page, so a scan holds the
/// facts of the pods it explains, not their specs.
struct Scanned {
    uid: Option<String>,
    /// Without events: they are read after all the pods.
    pod: PodFacts,
    containers: Vec<ContainerFacts>,
}

impl Scanned {
    fn of(pod: &Pod) -> Self {
        Scanned {
            uid: pod.metadata.uid.clone(),
            pod: extract::pod_without_events(pod),
            containers: extract::containers(pod),
        }
    }
}

fn namespace_and_name(pod: &PodFacts) -> (String, String) {
    (pod.namespace.clone(), pod.name.clone())
}

/// Keeps a piece of evidence, or notes why it is missing (ending the command only when the
/// server is gone).
fn keep<T: Default>(
    result: Result<T>,
    notes: &mut Notes,
    what: impl FnOnce() -> String,
) -> Result<T> {
    match result {
        Ok(v) => Ok(v),
        Err(e) if fatal(&e) => Err(e),
        Err(e) => {
            notes.add(format!(
                "could not read {}: {}; verdicts use the pod status only",
                what(),
                why(&e)
            ));
            Ok(T::default())
        }
    }
}

type NodeResult = (Option<String>, Result<Option<Node>>, Result<Vec<Event>>);

fn keep_node(result: NodeResult, notes: &mut Notes) -> Result<Option<NodeFacts>> {
    let (name, node, ooms) = result;
    let Some(name) = name else { return Ok(None) };
    let node = match node {
        Ok(Some(node)) => node,
        Ok(None) => {
            notes.add(format!(
                "node {name} no longer exists; node-level OOM and architecture not checked"
            ));
            return Ok(None);
        }
        Err(e) if fatal(&e) => return Err(e),
        Err(e) => {
            notes.add(format!(
                "could not read node {name}: {}; node-level OOM and architecture not checked",
                why(&e)
            ));
            return Ok(None);
        }
    };
    let ooms = match ooms {
        Ok(events) => events,
        Err(e) if fatal(&e) => return Err(e),
        Err(e) => {
            notes.add(format!(
                "could not read SystemOOM events of node {name}: {}",
                why(&e)
            ));
            Vec::new()
        }
    };
    Ok(Some(extract::node(&node, &ooms)))
}

/// The pod's events: one field-selected (paginated) list, as `kubectl describe` reads them.
async fn pod_events(client: &Client, namespace: &str, name: &str) -> Result<Vec<Event>> {
    let api: Api<Event> = Api::namespaced(client.clone(), namespace);
    let params = ListParams::default().fields(&format!(
        "involvedObject.kind=Pod,involvedObject.name={name}"
    ));
    pager::list_all(&api, &params).await
}

/// The node and its SystemOOM events (which the kubelet records in namespace `default`).
async fn node_evidence(client: &Client, name: Option<&str>) -> NodeResult {
    let Some(name) = name else {
        return (None, Ok(None), Ok(Vec::new()));
    };
    let nodes: Api<Node> = Api::all(client.clone());
    let events: Api<Event> = Api::namespaced(client.clone(), "default");
    let params = ListParams::default().fields(&format!(
        "involvedObject.kind=Node,involvedObject.name={name},reason=SystemOOM"
    ));
    let (node, ooms) = futures::join!(
        with_retry(|| async { nodes.get_opt(name).await.map_err(Error::from) }),
        pager::list_all(&events, &params)
    );
    (Some(name.to_owned()), node, ooms)
}

/// Current memory use per container from metrics.k8s.io; empty when metrics are not served.
async fn pod_usage(client: &Client, namespace: &str, name: &str) -> BTreeMap<String, Usage> {
    let resource = ApiResource {
        group: "metrics.k8s.io".into(),
        version: "v1beta1".into(),
        api_version: "metrics.k8s.io/v1beta1".into(),
        kind: "PodMetrics".into(),
        plural: "pods".into(),
    };
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
    let Ok(metrics) = api.get(name).await else {
        return BTreeMap::new();
    };
    usage_from_metrics(&metrics.data)
}

/// `{"containers": [{"name": "app", "usage": {"memory": "118Mi"}}]}` → app: 118 Mi.
pub fn usage_from_metrics(data: &serde_json::Value) -> BTreeMap<String, Usage> {
    data.get("containers")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let name = c.get("name")?.as_str()?;
            let memory = c.get("usage")?.get("memory")?.as_str()?;
            let bytes = firstaid::quantity::parse(memory).ok()?;
            Some((
                name.to_owned(),
                Usage {
                    memory_bytes: bytes,
                },
            ))
        })
        .collect()
}

/// Whether any container status records an OOM kill (metrics are only worth a call then).
fn has_oom(pod: &Pod) -> bool {
    statuses(pod).any(|s| {
        [s.state.as_ref(), s.last_state.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|st| st.terminated.as_ref())
            .any(|t| t.reason.as_deref() == Some("OOMKilled"))
    })
}

fn statuses(pod: &Pod) -> impl Iterator<Item = &k8s_openapi::api::core::v1::ContainerStatus> {
    let status = pod.status.as_ref();
    [
        status.and_then(|s| s.init_container_statuses.as_ref()),
        status.and_then(|s| s.container_statuses.as_ref()),
        status.and_then(|s| s.ephemeral_container_statuses.as_ref()),
    ]
    .into_iter()
    .flatten()
    .flatten()
}

/// A quick filter before fetching a scanned pod's events: a container restarted, terminated
/// non-zero (or OOMKilled/lost), or waits on an error.
fn worth_a_look(pod: &Pod) -> bool {
    statuses(pod).any(|s| {
        s.restart_count > 0
            || [s.state.as_ref(), s.last_state.as_ref()]
                .into_iter()
                .flatten()
                .filter_map(|st| st.terminated.as_ref())
                .any(|t| {
                    t.exit_code != 0
                        || t.reason
                            .as_deref()
                            .is_some_and(|r| r == "OOMKilled" || r == "ContainerStatusUnknown")
                })
            || s.state
                .as_ref()
                .and_then(|st| st.waiting.as_ref())
                .and_then(|w| w.reason.as_deref())
                .is_some_and(|r| r != "ContainerCreating" && r != "PodInitializing")
    })
}

#[cfg(test)]
mod tests;
