//! The reads: nodes once, pods a page at a time.
//!
//! Pods are streamed (`limit`/`continue`, `--chunk-size` a page, 500 by default) with the phase
//! asked of the server, and each page is reduced to the few pods that match before the next is
//! read, so memory follows the number of *selected* pods, not the cluster's size. The full object
//! of a pod that will be deleted is written to the run's staged backup as its page arrives and
//! dropped; what stays is its uid and resourceVersion (the delete's preconditions, which saves a
//! GET per pod) in the small [`FailedPod`].

use std::collections::HashMap;

use firstaid::k8s_openapi::api::core::v1::{Node, Pod};
use firstaid::kube::api::{Api, ListParams};
use firstaid::{Error, Kube, Printer, Result, Staged, pager};
use serde_json::Value;

use crate::nodes::NodeFacts;
use crate::select::{Criteria, FailedPod, Interner, select};
use crate::stuck::{NodeIndex, StuckPod, stuck};
use crate::verify::Check;

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

/// Nodes, or `None` and a warning when the user may not list them (a namespace-scoped user can
/// still clean their own evicted pods; only the node explanation is lost).
pub async fn nodes_or_warn(kube: &Kube, printer: &mut Printer) -> Result<Option<NodeIndex>> {
    match nodes(kube).await {
        Ok(index) => Ok(Some(index)),
        Err(e) if e.is_forbidden() => {
            printer.warn(&format!(
                "cannot list nodes ({e}); the report leaves out node pressure and eviction facts"
            ))?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

fn pods_api(kube: &Kube, scope: Option<&str>) -> Api<Pod> {
    match scope {
        Some(ns) => Api::namespaced(kube.client.clone(), ns),
        None => Api::all(kube.client.clone()),
    }
}

/// Which pods to list: the server-side selectors, and the page size.
#[derive(Debug, Clone, Copy, Default)]
pub struct Listing<'a> {
    pub node: Option<&'a str>,
    pub labels: Option<&'a str>,
    /// Objects per page; `0` asks for the whole list at once (kubectl's `--chunk-size=0`).
    pub chunk_size: u32,
}

impl<'a> Listing<'a> {
    /// The listing the user's selection flags ask for.
    pub fn of(select: &'a crate::cli::SelectArgs) -> Self {
        Listing {
            node: select.node.as_deref(),
            labels: select.selector.as_deref(),
            chunk_size: select.chunk_size,
        }
    }

    fn params(&self, field_selector: Option<&str>) -> ListParams {
        let mut fields: Vec<String> = field_selector.into_iter().map(str::to_owned).collect();
        if let Some(node) = self.node {
            fields.push(format!("spec.nodeName={node}"));
        }
        ListParams {
            field_selector: (!fields.is_empty()).then(|| fields.join(",")),
            label_selector: self.labels.map(str::to_owned),
            // `None` would be the pager's default page; `Some(0)` is "no limit" to the server.
            limit: Some(self.chunk_size),
            ..ListParams::default()
        }
    }
}

/// The selected failed pods.
#[derive(Debug, Default)]
pub struct Failed {
    pub listed: usize,
    pub pods: Vec<FailedPod>,
}

/// Lists and selects; each pod `to_delete` wants is saved, in full, to `backup` as its page
/// arrives.
pub async fn failed_pods(
    kube: &Kube,
    scope: Option<&str>,
    criteria: &Criteria,
    listing: Listing<'_>,
    to_delete: impl Fn(&FailedPod) -> bool,
    backup: Option<&Staged>,
) -> Result<Failed> {
    let api = pods_api(kube, scope);
    let params = listing.params(Some(criteria.phase_field_selector()));
    let now = now();
    let mut strings = Interner::default();
    let mut out = Failed::default();
    pager::for_each_page(&api, &params, |page| {
        out.listed += page.len();
        for pod in page {
            let Some(selected) = select(&pod, criteria, now, &mut strings) else {
                continue;
            };
            if let Some(backup) = backup
                && to_delete(&selected)
            {
                backup.save(&backup_object(&pod)?)?;
            }
            out.pods.push(selected);
        }
        Ok(())
    })
    .await?;
    out.pods.shrink_to_fit();
    Ok(out)
}

/// The list after the fix, fed to `check` (see [`crate::verify`]): same scope, selectors and
/// page size as the first one.
pub async fn recheck(
    kube: &Kube,
    scope: Option<&str>,
    criteria: &Criteria,
    listing: Listing<'_>,
    include_bare: bool,
    check: &mut Check<'_>,
) -> Result<()> {
    let api = pods_api(kube, scope);
    let params = listing.params(Some(criteria.phase_field_selector()));
    let now = now();
    let mut strings = Interner::default();
    pager::for_each_page(&api, &params, |page| {
        for pod in page {
            let would_delete = select(&pod, criteria, now, &mut strings)
                .is_some_and(|p| crate::act::deletes(&p, include_bare));
            let meta = &pod.metadata;
            check.pod(
                meta.namespace.as_deref().unwrap_or_default(),
                meta.name.as_deref().unwrap_or_default(),
                meta.uid.as_deref().unwrap_or_default(),
                would_delete,
            );
        }
        Ok(())
    })
    .await
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
    listing: Listing<'_>,
) -> Result<Stuck> {
    let api = pods_api(kube, scope);
    let params = listing.params(None);
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

#[cfg(test)]
mod tests {
    use super::*;
    use firstaid::backup::Backup;
    use serde_json::json;

    fn evicted_pod(i: usize) -> Pod {
        serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("web-5f8f5b5585-{i:05}"), "namespace": "shop", "uid": format!("uid-{i}"),
                "resourceVersion": "12345", "labels": {"app": "web", "pod-template-hash": "5f8f5b5585"},
                "managedFields": [{"manager": "kubelet", "operation": "Update", "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:status": {"f:phase": {}, "f:reason": {}, "f:message": {}}}}],
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5f8f5b5585", "uid": "rs", "controller": true}]},
            "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "registry.invalid/web:1"}]},
            "status": {"phase": "Failed", "reason": "Evicted",
                "message": "The node was low on resource: memory. Threshold quantity: 100Mi, available: 52Mi. Container app was using 1Gi, request is 0, has larger consumption of memory."}
        }))
        .expect("pod")
    }

    #[test]
    fn backups_leave_out_managed_fields_only() {
        let value = backup_object(&evicted_pod(1)).expect("value");
        assert!(value["metadata"].get("managedFields").is_none());
        assert_eq!(value["metadata"]["resourceVersion"], "12345");
        assert_eq!(value["kind"], "Pod");
        assert_eq!(value["status"]["reason"], "Evicted");
    }

    /// What the bulk backup costs per pod (run with `--ignored --nocapture`; the numbers are in
    /// the plugin's README note on why the backup stays on by default).
    #[test]
    #[ignore = "timing, not a check"]
    #[allow(clippy::print_stderr)]
    fn backup_cost_of_5000_pods() {
        let root = std::env::temp_dir().join(format!("evicted-clean-bench-{}", std::process::id()));
        let objects: Vec<Value> = (0..5000)
            .map(|i| backup_object(&evicted_pod(i)).expect("value"))
            .collect();
        let started = std::time::Instant::now();
        let backup = Backup::create(Some(&root), "bench", objects.len()).expect("backup");
        for object in &objects {
            backup.save(object).expect("save");
        }
        backup.finish().expect("finish");
        let elapsed = started.elapsed();
        let size = std::fs::metadata(backup.dir().join("objects.jsonl.gz")).map_or(0, |m| m.len());
        eprintln!(
            "backup of 5000 pods: {:.1} ms ({:.1} µs/pod), {size} bytes gzip'd",
            elapsed.as_secs_f64() * 1e3,
            elapsed.as_secs_f64() * 1e6 / 5000.0
        );
        let _ = std::fs::remove_dir_all(root);
    }
}
