//! The reads: nodes once, pods a page at a time.
//!
//! Pods are streamed (`limit`/`continue`, 500 a page) with the phase asked of the server, and each
//! page is reduced to the few pods that match before the next is read, so memory follows the
//! number of *selected* pods, not the cluster's size. The full object is kept only for pods that
//! will be deleted: it is their backup and its uid + resourceVersion are the delete's
//! preconditions, which saves a GET per pod.

use std::collections::HashMap;

use firstaid::k8s_openapi::api::core::v1::{Node, Pod};
use firstaid::kube::api::{Api, ListParams};
use firstaid::{Error, Kube, Result, pager};
use serde_json::Value;

use crate::nodes::NodeFacts;
use crate::select::{Criteria, FailedPod, Interner, select};
use crate::stuck::{NodeIndex, StuckPod, stuck};

/// Now, in Unix seconds.
pub fn now() -> i64 {
    firstaid::k8s_openapi::jiff::Timestamp::now().as_second()
}

/// Every node, by name.
pub async fn nodes(kube: &Kube) -> Result<NodeIndex> {
    let api: Api<Node> = Api::all(kube.client.clone());
    let mut index = HashMap::new();
    pager::for_each_page(&api, &ListParams::default(), |page| {
        for node in page {
            let facts = NodeFacts::from_node(&node);
            index.insert(facts.name.clone(), facts);
        }
        Ok(())
    })
    .await?;
    Ok(index)
}

fn pods_api(kube: &Kube, scope: Option<&str>) -> Api<Pod> {
    match scope {
        Some(ns) => Api::namespaced(kube.client.clone(), ns),
        None => Api::all(kube.client.clone()),
    }
}

fn params(field_selector: Option<&str>, node: Option<&str>, labels: Option<&str>) -> ListParams {
    let mut fields: Vec<String> = field_selector.into_iter().map(str::to_owned).collect();
    if let Some(node) = node {
        fields.push(format!("spec.nodeName={node}"));
    }
    ListParams {
        field_selector: (!fields.is_empty()).then(|| fields.join(",")),
        label_selector: labels.map(str::to_owned),
        ..ListParams::default()
    }
}

/// The selected failed pods, and the full object of each one `keep_object` wants (same order;
/// `None` for the others).
#[derive(Debug, Default)]
pub struct Failed {
    pub listed: usize,
    pub pods: Vec<FailedPod>,
    pub objects: Vec<Option<Value>>,
}

pub async fn failed_pods(
    kube: &Kube,
    scope: Option<&str>,
    criteria: &Criteria,
    node: Option<&str>,
    labels: Option<&str>,
    keep_object: impl Fn(&FailedPod) -> bool,
) -> Result<Failed> {
    let api = pods_api(kube, scope);
    let params = params(Some(criteria.phase_field_selector()), node, labels);
    let now = now();
    let mut strings = Interner::default();
    let mut out = Failed::default();
    pager::for_each_page(&api, &params, |page| {
        out.listed += page.len();
        for pod in page {
            let Some(selected) = select(&pod, criteria, now, &mut strings) else {
                continue;
            };
            let object = if keep_object(&selected) {
                Some(backup_object(&pod)?)
            } else {
                None
            };
            out.pods.push(selected);
            out.objects.push(object);
        }
        Ok(())
    })
    .await?;
    Ok(out)
}

/// The pod as it will be backed up: everything but `managedFields` (server bookkeeping, often
/// half the object, and not needed to recreate it).
pub fn backup_object(pod: &Pod) -> Result<Value> {
    let mut value = serde_json::to_value(pod).map_err(|e| Error::Other(e.to_string()))?;
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    Ok(value)
}

/// Pods past their deletion deadline, and the full object of those a force delete is offered for.
#[derive(Debug, Default)]
pub struct Stuck {
    pub listed: usize,
    pub pods: Vec<StuckPod>,
    pub objects: Vec<Option<Value>>,
}

/// There is no field selector for "being deleted": every pod in scope is read, page by page, and
/// only the stuck ones kept.
pub async fn stuck_pods(
    kube: &Kube,
    scope: Option<&str>,
    nodes: &NodeIndex,
    not_ready_for: Option<std::time::Duration>,
    older_than: Option<std::time::Duration>,
    node: Option<&str>,
    labels: Option<&str>,
) -> Result<Stuck> {
    let api = pods_api(kube, scope);
    let params = params(None, node, labels);
    let now = now();
    let mut strings = Interner::default();
    let mut out = Stuck::default();
    pager::for_each_page(&api, &params, |page| {
        out.listed += page.len();
        for pod in page {
            let Some(found) = stuck(&pod, nodes, not_ready_for, older_than, now, &mut strings)
            else {
                continue;
            };
            let object = if found.verdict.force_delete() {
                Some(backup_object(&pod)?)
            } else {
                None
            };
            out.pods.push(found);
            out.objects.push(object);
        }
        Ok(())
    })
    .await?;
    Ok(out)
}
