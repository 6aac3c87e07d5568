//! The reads: namespaces, APIServices, every object left in a namespace, and where controllers
//! run. All concurrent, paginated, retried on 429; a read that is forbidden or fails is reported
//! as a gap in the diagnosis rather than ending it.

use firstaid::concurrency::{Cancel, bounded, with_retry};
use firstaid::k8s::Timestamp;
use firstaid::k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use firstaid::k8s_openapi::api::coordination::v1::Lease;
use firstaid::k8s_openapi::api::core::v1::{Namespace, PodSpec};
use firstaid::k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use firstaid::k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
use firstaid::kube::api::{Api, ApiResource, DynamicObject, ListParams};
use firstaid::kube::{Client, ResourceExt};
use firstaid::{Error, Kube, Result, pager};

use crate::diagnose::Unsearched;
use crate::model::{
    ApiServiceState, Condition, ControllerEvidence, LeaseInfo, Leftover, NamespaceState,
    ResourceType, Workload,
};

fn time(t: Option<&Time>) -> Option<Timestamp> {
    t.map(|t| t.0)
}

pub fn namespace_state(ns: &Namespace) -> NamespaceState {
    let status = ns.status.as_ref();
    NamespaceState {
        name: ns.name_any(),
        uid: ns.metadata.uid.clone().unwrap_or_default(),
        resource_version: ns.metadata.resource_version.clone().unwrap_or_default(),
        phase: status
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Active".into()),
        created: time(ns.metadata.creation_timestamp.as_ref()),
        deletion_timestamp: time(ns.metadata.deletion_timestamp.as_ref()),
        spec_finalizers: ns
            .spec
            .as_ref()
            .and_then(|s| s.finalizers.clone())
            .unwrap_or_default(),
        metadata_finalizers: ns.metadata.finalizers.clone().unwrap_or_default(),
        conditions: status
            .and_then(|s| s.conditions.as_ref())
            .map(|cs| {
                cs.iter()
                    .map(|c| Condition {
                        type_: c.type_.clone(),
                        status: c.status.clone(),
                        reason: c.reason.clone().unwrap_or_default(),
                        message: c.message.clone().unwrap_or_default(),
                        last_transition: time(c.last_transition_time.as_ref()),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        labels: ns.metadata.labels.clone().unwrap_or_default(),
    }
}

fn leftover(ty: &ResourceType, meta: &ObjectMeta) -> Leftover {
    Leftover {
        resource: ty.clone(),
        namespace: meta.namespace.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        resource_version: meta.resource_version.clone().unwrap_or_default(),
        created: time(meta.creation_timestamp.as_ref()),
        deletion_timestamp: time(meta.deletion_timestamp.as_ref()),
        finalizers: meta.finalizers.clone().unwrap_or_default(),
        labels: meta.labels.clone().unwrap_or_default(),
    }
}

fn labels(meta: &ObjectMeta) -> Vec<String> {
    meta.labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
}

fn images(spec: Option<&PodSpec>) -> Vec<String> {
    spec.into_iter()
        .flat_map(|s| {
            s.containers
                .iter()
                .chain(s.init_containers.iter().flatten())
        })
        .filter_map(|c| c.image.clone())
        .collect()
}

pub fn deployment_workload(d: &Deployment) -> Workload {
    Workload {
        kind: "Deployment".into(),
        namespace: d.namespace().unwrap_or_default(),
        name: d.name_any(),
        labels: labels(&d.metadata),
        images: images(d.spec.as_ref().and_then(|s| s.template.spec.as_ref())),
        ready: d
            .status
            .as_ref()
            .and_then(|s| s.ready_replicas)
            .unwrap_or(0),
        desired: d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
    }
}

pub fn statefulset_workload(s: &StatefulSet) -> Workload {
    Workload {
        kind: "StatefulSet".into(),
        namespace: s.namespace().unwrap_or_default(),
        name: s.name_any(),
        labels: labels(&s.metadata),
        images: images(s.spec.as_ref().and_then(|s| s.template.spec.as_ref())),
        ready: s
            .status
            .as_ref()
            .and_then(|s| s.ready_replicas)
            .unwrap_or(0),
        desired: s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
    }
}

pub fn daemonset_workload(d: &DaemonSet) -> Workload {
    let status = d.status.as_ref();
    Workload {
        kind: "DaemonSet".into(),
        namespace: d.namespace().unwrap_or_default(),
        name: d.name_any(),
        labels: labels(&d.metadata),
        images: images(d.spec.as_ref().and_then(|s| s.template.spec.as_ref())),
        ready: status.map_or(0, |s| s.number_ready),
        desired: status.map_or(0, |s| s.desired_number_scheduled),
    }
}

pub fn lease_info(l: &Lease) -> LeaseInfo {
    let spec = l.spec.as_ref();
    LeaseInfo {
        namespace: l.namespace().unwrap_or_default(),
        name: l.name_any(),
        holder: spec.and_then(|s| s.holder_identity.clone()),
        renewed: spec.and_then(|s| s.renew_time.as_ref()).map(|t| t.0),
        duration_seconds: spec.and_then(|s| s.lease_duration_seconds),
    }
}

/// A namespace by name; a missing one is exit code 3, kubectl's wording.
pub async fn namespace(client: &Client, name: &str) -> Result<NamespaceState> {
    let api: Api<Namespace> = Api::all(client.clone());
    match with_retry(|| async { api.get(name).await.map_err(Error::from) }).await {
        Ok(ns) => Ok(namespace_state(&ns)),
        Err(e) if e.is_not_found() => Err(Error::not_found("namespaces", name)),
        Err(e) => Err(e),
    }
}

pub async fn namespaces(client: &Client) -> Result<Vec<NamespaceState>> {
    let api: Api<Namespace> = Api::all(client.clone());
    let all = pager::list_all(&api, &ListParams::default()).await?;
    Ok(all.iter().map(namespace_state).collect())
}

pub async fn api_services(client: &Client) -> Result<Vec<ApiServiceState>> {
    let api: Api<APIService> = Api::all(client.clone());
    let all = pager::list_all(&api, &ListParams::default()).await?;
    Ok(all.iter().map(ApiServiceState::of).collect())
}

/// `kube-system/kube-controller-manager`'s leader Lease; `None` when absent or unreadable (a
/// managed control plane hides it, and a single instance may run without leader election).
pub async fn controller_manager_lease(client: &Client) -> Option<LeaseInfo> {
    let api: Api<Lease> = Api::namespaced(client.clone(), "kube-system");
    with_retry(|| async {
        api.get_opt("kube-controller-manager")
            .await
            .map_err(Error::from)
    })
    .await
    .ok()
    .flatten()
    .map(|l| lease_info(&l))
}

fn api_resource(ty: &ResourceType) -> ApiResource {
    ApiResource {
        group: ty.group.clone(),
        version: ty.version.clone(),
        api_version: if ty.group.is_empty() {
            ty.version.clone()
        } else {
            format!("{}/{}", ty.group, ty.version)
        },
        kind: ty.kind.clone(),
        plural: ty.plural.clone(),
    }
}

/// One object's metadata; `None` when it does not exist.
pub async fn object_metadata(
    client: &Client,
    namespace: Option<&str>,
    ty: &ResourceType,
    name: &str,
) -> Result<Option<Leftover>> {
    let ar = api_resource(ty);
    let api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        None => Api::all_with(client.clone(), &ar),
    };
    let found =
        with_retry(|| async { api.get_metadata_opt(name).await.map_err(Error::from) }).await?;
    Ok(found.map(|o| leftover(ty, &o.metadata)))
}

/// Metadata of every object of one type in `namespace` (`None`: all namespaces, or a
/// cluster-scoped type), page by page.
pub async fn list_metadata(
    client: &Client,
    namespace: Option<&str>,
    ty: &ResourceType,
) -> Result<Vec<Leftover>> {
    let ar = api_resource(ty);
    let api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
        None => Api::all_with(client.clone(), &ar),
    };
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut params = ListParams::default().limit(pager::PAGE_SIZE);
        params.continue_token.clone_from(&token);
        let page =
            with_retry(|| async { api.list_metadata(&params).await.map_err(Error::from) }).await?;
        out.extend(page.items.iter().map(|o| leftover(ty, &o.metadata)));
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(out);
        }
    }
}

/// Every object of every type in `namespace`, listed concurrently. Objects served by two groups
/// (core `events` and `events.k8s.io`) are reported once.
pub async fn leftovers(
    client: &Client,
    namespace: &str,
    types: &[ResourceType],
    concurrency: usize,
    cancel: &Cancel,
) -> (Vec<Leftover>, Vec<Unsearched>) {
    let results = bounded(
        types.iter().cloned().enumerate(),
        concurrency,
        cancel,
        |(_, ty)| async move { list_metadata(client, Some(namespace), &ty).await },
    )
    .await;
    let mut ordered = results;
    ordered.sort_by_key(|((i, _), _)| *i);
    gather(ordered.into_iter().map(|((_, ty), result)| (ty, result)))
}

/// The objects of per-type lists ([`list_metadata`] run by [`bounded`]), each once: objects
/// served by two groups (core `events` and `events.k8s.io`) are listed twice. With them, the
/// types that could not be searched and why.
pub fn gather(
    lists: impl IntoIterator<Item = (ResourceType, Option<Result<Vec<Leftover>>>)>,
) -> (Vec<Leftover>, Vec<Unsearched>) {
    let mut found: Vec<Leftover> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut unsearched = Vec::new();
    for (ty, result) in lists {
        match result {
            Some(Ok(objects)) => {
                found.extend(objects.into_iter().filter(|o| seen.insert(o.uid.clone())));
            }
            // The type went away between discovery and the list (a CRD being deleted).
            Some(Err(e)) if e.is_not_found() => {}
            Some(Err(e)) => unsearched.push(Unsearched {
                resource: ty,
                reason: e.to_string(),
            }),
            None => unsearched.push(Unsearched {
                resource: ty,
                reason: "not searched: interrupted".into(),
            }),
        }
    }
    (found, unsearched)
}

/// Deployments, StatefulSets, DaemonSets and Leases of the whole cluster, read once, only when a
/// custom finalizer needs its controller looked for.
pub async fn controller_evidence(kube: &Kube) -> ControllerEvidence {
    let client = &kube.client;
    let all = ListParams::default();
    let (deployments, statefulsets, daemonsets, lease_api) = (
        Api::<Deployment>::all(client.clone()),
        Api::<StatefulSet>::all(client.clone()),
        Api::<DaemonSet>::all(client.clone()),
        Api::<Lease>::all(client.clone()),
    );
    let (deploys, stss, dss, leases) = futures::join!(
        pager::list_all(&deployments, &all),
        pager::list_all(&statefulsets, &all),
        pager::list_all(&daemonsets, &all),
        pager::list_all(&lease_api, &all),
    );
    let workloads = (|| -> Result<Vec<Workload>> {
        let mut all: Vec<Workload> = deploys?.iter().map(deployment_workload).collect();
        all.extend(stss?.iter().map(statefulset_workload));
        all.extend(dss?.iter().map(daemonset_workload));
        Ok(all)
    })()
    .map_err(|e| e.to_string());
    ControllerEvidence {
        workloads,
        leases: leases
            .map(|ls| ls.iter().map(lease_info).collect())
            .map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use firstaid::kube::client::Body;
    use http::{Request, Response};
    use serde_json::json;
    use tower_test::mock;

    fn ty(group: &str, kind: &str, plural: &str) -> ResourceType {
        ResourceType {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
            plural: plural.into(),
        }
    }

    fn meta_list(items: &[(&str, &str, &[&str])], continue_: Option<&str>) -> Vec<u8> {
        let items: Vec<_> = items
            .iter()
            .map(|(name, uid, finalizers)| {
                json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata",
                       "metadata": {"name": name, "namespace": "rdbms", "uid": uid,
                                    "finalizers": finalizers,
                                    "deletionTimestamp": "2019-10-14T12:30:27Z"}})
            })
            .collect();
        serde_json::to_vec(
            &json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadataList",
            "metadata": {"continue": continue_.unwrap_or("")}, "items": items}),
        )
        .expect("json")
    }

    /// Metadata-only, paginated lists; the same object seen through two groups counted once; a
    /// forbidden type reported, not fatal.
    #[tokio::test]
    async fn lists_metadata_only_paginated_and_reports_forbidden_types() {
        let (service, mut handle) = mock::pair::<Request<Body>, Response<Body>>();
        let server = tokio::spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..5 {
                let (request, send) = handle.next_request().await.expect("a request");
                let uri = request.uri().to_string();
                let accept = request
                    .headers()
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                assert!(accept.contains("as=PartialObjectMetadataList"), "{accept}");
                assert_eq!(request.method(), http::Method::GET);
                let (status, body) = if uri.starts_with("/api/v1/namespaces/rdbms/events?")
                    || uri.starts_with("/apis/events.k8s.io/v1/namespaces/rdbms/events?")
                {
                    (200, meta_list(&[("e1", "uid-e1", &[])], None))
                } else if uri.starts_with("/apis/example.com/v1/namespaces/rdbms/widgets?") {
                    assert!(uri.contains("limit=500"), "{uri}");
                    if uri.contains("continue=page2") {
                        (200, meta_list(&[("w2", "uid-w2", &[])], None))
                    } else {
                        (
                            200,
                            meta_list(&[("w1", "uid-w1", &["example.com/cleanup"])], Some("page2")),
                        )
                    }
                } else if uri.starts_with("/api/v1/namespaces/rdbms/secrets?") {
                    let status = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                        "reason": "Forbidden", "code": 403,
                        "message": "secrets is forbidden: User \"bob\" cannot list resource \"secrets\" in API group \"\" in the namespace \"rdbms\""});
                    (403, serde_json::to_vec(&status).expect("json"))
                } else {
                    panic!("unexpected request {uri}")
                };
                seen.push(uri);
                send.send_response(
                    Response::builder()
                        .status(status)
                        .body(Body::from(body))
                        .expect("response"),
                );
            }
            seen
        });
        let client = Client::new(service, "default");
        let types = [
            ty("", "Event", "events"),
            ty("example.com", "Widget", "widgets"),
            ty("", "Secret", "secrets"),
            ty("events.k8s.io", "Event", "events"),
        ];
        let (found, unsearched) = leftovers(&client, "rdbms", &types, 1, &Cancel::default()).await;
        let names: Vec<&str> = found.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["e1", "w1", "w2"]);
        assert_eq!(found[1].finalizers, ["example.com/cleanup"]);
        assert!(found[1].deletion_timestamp.is_some());
        assert_eq!(unsearched.len(), 1);
        assert_eq!(unsearched[0].resource.plural, "secrets");
        assert!(
            unsearched[0]
                .reason
                .contains("cannot list resource \"secrets\"")
        );
        let seen = server.await.expect("server");
        assert_eq!(seen.len(), 5, "{seen:?}");
    }
}
