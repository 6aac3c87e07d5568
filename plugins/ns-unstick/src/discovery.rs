//! Which namespaced resource types exist (built-in, CRDs, aggregated APIs), so every one of them
//! can be searched for leftovers.
//!
//! Aggregated discovery answers for the whole cluster in two requests (`/api` and `/apis`); legacy
//! discovery needs one request per group version — 150 for a cluster with 100 CRDs — so it is
//! only the fallback for servers without it. A group version whose APIService is down shows up as
//! `Stale` (aggregated) or as an error (legacy): it is reported by name and the search continues
//! with everything that answered, as the namespace controller itself does.

use std::collections::BTreeSet;

use firstaid::concurrency::{Cancel, bounded, with_retry};
use firstaid::k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;
use firstaid::kube::Client;
use firstaid::kube::core::discovery::v2::{ACCEPT_AGGREGATED_DISCOVERY_V2, APIGroupDiscoveryList};
use firstaid::{Error, Result};
use serde_json::Value;

use crate::model::{DiscoveryFailure, ResourceType};

/// What discovery found: listable namespaced types, and the group versions that did not answer.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    pub types: Vec<ResourceType>,
    /// Listable cluster-scoped types (for `--all`, and objects named as `TYPE/NAME`).
    pub cluster_types: Vec<ResourceType>,
    pub failures: Vec<DiscoveryFailure>,
}

impl Discovered {
    /// Adds `ty` unless the same group/resource was already seen in a preferred version.
    fn add(&mut self, seen: &mut BTreeSet<(String, String)>, ty: ResourceType, namespaced: bool) {
        if seen.insert((ty.group.clone(), ty.plural.clone())) {
            if namespaced {
                self.types.push(ty);
            } else {
                self.cluster_types.push(ty);
            }
        }
    }
}

/// Reads an aggregated discovery document (`/api` or `/apis`). Versions are listed in preference
/// order; a resource served in several versions is searched in its most preferred one.
pub fn parse_aggregated(list: &APIGroupDiscoveryList, into: &mut Discovered) {
    let mut seen = BTreeSet::new();
    for group in &list.items {
        let group_name = group
            .metadata
            .as_ref()
            .and_then(|m| m.name.clone())
            .unwrap_or_default();
        for version in &group.versions {
            let version_name = version.version.clone().unwrap_or_default();
            if version.freshness.as_deref() == Some("Stale") {
                into.failures.push(DiscoveryFailure {
                    group_version: join_gv(&group_name, &version_name),
                    reason: "stale discovery: the server backing this API did not answer (see its APIService)".into(),
                });
                continue;
            }
            for r in &version.resources {
                let Some(plural) = r.resource.clone() else {
                    continue;
                };
                if !r.verbs.iter().any(|v| v == "list") {
                    continue;
                }
                let kind = r
                    .response_kind
                    .as_ref()
                    .and_then(|k| k.kind.clone())
                    .unwrap_or_else(|| plural.clone());
                into.add(
                    &mut seen,
                    ResourceType {
                        group: group_name.clone(),
                        version: version_name.clone(),
                        kind,
                        plural,
                    },
                    r.scope.as_deref() == Some("Namespaced"),
                );
            }
        }
    }
}

/// Reads one legacy `APIResourceList` (`/api/v1`, `/apis/GROUP/VERSION`).
pub fn parse_legacy(
    group: &str,
    version: &str,
    list: &APIResourceList,
    seen: &mut BTreeSet<(String, String)>,
    into: &mut Discovered,
) {
    for r in &list.resources {
        if r.name.contains('/') || !r.verbs.iter().any(|v| v == "list") {
            continue;
        }
        into.add(
            seen,
            ResourceType {
                group: group.to_owned(),
                version: version.to_owned(),
                kind: r.kind.clone(),
                plural: r.name.clone(),
            },
            r.namespaced,
        );
    }
}

fn join_gv(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    }
}

/// Every namespaced, listable resource type. Only failure to reach the server at all is an error.
pub async fn discover(client: &Client, concurrency: usize, cancel: &Cancel) -> Result<Discovered> {
    match aggregated(client).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => legacy(client, concurrency, cancel).await,
        Err(e) => Err(e),
    }
}

/// `None` when the server does not serve aggregated discovery.
async fn aggregated(client: &Client) -> Result<Option<Discovered>> {
    let (core, apis) = futures::join!(
        aggregated_doc(client, "/api"),
        aggregated_doc(client, "/apis")
    );
    let (Some(core), Some(apis)) = (core?, apis?) else {
        return Ok(None);
    };
    let mut found = Discovered::default();
    parse_aggregated(&core, &mut found);
    let core_types = found.types.len();
    parse_aggregated(&apis, &mut found);
    if core_types == 0 {
        return Ok(None);
    }
    Ok(Some(found))
}

async fn aggregated_doc(client: &Client, path: &str) -> Result<Option<APIGroupDiscoveryList>> {
    let value: Value = with_retry(|| async {
        let request = http::Request::get(path)
            .header(http::header::ACCEPT, ACCEPT_AGGREGATED_DISCOVERY_V2)
            .body(Vec::new())
            .map_err(|e| Error::Other(e.to_string()))?;
        client.request::<Value>(request).await.map_err(Error::from)
    })
    .await?;
    // A server without aggregated discovery answers with the legacy APIVersions/APIGroupList.
    if value.get("kind").and_then(Value::as_str) != Some("APIGroupDiscoveryList") {
        return Ok(None);
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(|e| Error::Other(format!("unexpected discovery document at {path}: {e}")))
}

async fn legacy(client: &Client, concurrency: usize, cancel: &Cancel) -> Result<Discovered> {
    let core =
        with_retry(|| async { client.list_core_api_versions().await.map_err(Error::from) }).await?;
    let groups =
        with_retry(|| async { client.list_api_groups().await.map_err(Error::from) }).await?;
    let mut gvs: Vec<(String, String)> = core
        .versions
        .iter()
        .map(|v| (String::new(), v.clone()))
        .collect();
    for g in &groups.groups {
        // Preferred version first, like the namespace controller's ServerPreferredResources.
        let preferred = g.preferred_version.as_ref().map(|p| p.version.clone());
        let mut versions: Vec<String> = g.versions.iter().map(|v| v.version.clone()).collect();
        if let Some(p) = preferred {
            versions.retain(|v| v != &p);
            versions.insert(0, p);
        }
        gvs.extend(versions.into_iter().map(|v| (g.name.clone(), v)));
    }
    let answers = bounded(
        gvs.clone(),
        concurrency,
        cancel,
        |(group, version)| async move {
            with_retry(|| async {
                if group.is_empty() {
                    client.list_core_api_resources(&version).await
                } else {
                    client
                        .list_api_group_resources(&join_gv(&group, &version))
                        .await
                }
                .map_err(Error::from)
            })
            .await
        },
    )
    .await;
    let mut by_gv: std::collections::HashMap<(String, String), Option<Result<APIResourceList>>> =
        answers.into_iter().collect();
    let mut found = Discovered::default();
    let mut seen = BTreeSet::new();
    for gv in gvs {
        match by_gv.remove(&gv).flatten() {
            Some(Ok(list)) => parse_legacy(&gv.0, &gv.1, &list, &mut seen, &mut found),
            Some(Err(e)) => found.failures.push(DiscoveryFailure {
                group_version: join_gv(&gv.0, &gv.1),
                reason: e.to_string(),
            }),
            None => found.failures.push(DiscoveryFailure {
                group_version: join_gv(&gv.0, &gv.1),
                reason: "not read: interrupted".into(),
            }),
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn aggregated_keeps_namespaced_listable_preferred_and_reports_stale() {
        let doc: APIGroupDiscoveryList = serde_json::from_value(json!({
            "kind": "APIGroupDiscoveryList",
            "items": [
                {"metadata": {"name": "example.com"}, "versions": [
                    {"version": "v2", "resources": [
                        {"resource": "widgets", "scope": "Namespaced", "verbs": ["get", "list"],
                         "responseKind": {"group": "example.com", "version": "v2", "kind": "Widget"}}
                    ]},
                    {"version": "v1", "resources": [
                        {"resource": "widgets", "scope": "Namespaced", "verbs": ["list"],
                         "responseKind": {"kind": "Widget"}},
                        {"resource": "gadgets", "scope": "Namespaced", "verbs": ["list"],
                         "responseKind": {"kind": "Gadget"}}
                    ]}
                ]},
                {"metadata": {"name": "rbac.authorization.k8s.io"}, "versions": [
                    {"version": "v1", "resources": [
                        {"resource": "clusterroles", "scope": "Cluster", "verbs": ["list"]},
                        {"resource": "roles", "scope": "Namespaced", "verbs": ["list"], "responseKind": {"kind": "Role"}}
                    ]}
                ]},
                {"metadata": {"name": "authorization.k8s.io"}, "versions": [
                    {"version": "v1", "resources": [
                        {"resource": "localsubjectaccessreviews", "scope": "Namespaced", "verbs": ["create"]}
                    ]}
                ]},
                {"metadata": {"name": "metrics.k8s.io"}, "versions": [
                    {"version": "v1beta1", "freshness": "Stale"}
                ]}
            ]
        }))
        .expect("doc");
        let mut found = Discovered::default();
        parse_aggregated(&doc, &mut found);
        let names: Vec<String> = found
            .types
            .iter()
            .map(|t| format!("{}/{}", t.qualified(), t.version))
            .collect();
        assert_eq!(
            names,
            [
                "widgets.example.com/v2",
                "gadgets.example.com/v1",
                "roles.rbac.authorization.k8s.io/v1"
            ]
        );
        assert_eq!(found.failures.len(), 1);
        assert_eq!(found.failures[0].group_version, "metrics.k8s.io/v1beta1");
        assert_eq!(found.cluster_types.len(), 1);
        assert_eq!(found.cluster_types[0].plural, "clusterroles");
    }

    #[test]
    fn legacy_skips_subresources_and_cluster_scope() {
        let list: APIResourceList = serde_json::from_value(json!({
            "groupVersion": "v1",
            "resources": [
                {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "verbs": ["list", "get"]},
                {"name": "pods/status", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]},
                {"name": "nodes", "singularName": "node", "namespaced": false, "kind": "Node", "verbs": ["list"]},
                {"name": "bindings", "singularName": "binding", "namespaced": true, "kind": "Binding", "verbs": ["create"]}
            ]
        }))
        .expect("list");
        let mut found = Discovered::default();
        parse_legacy("", "v1", &list, &mut BTreeSet::new(), &mut found);
        assert_eq!(found.types.len(), 1);
        assert_eq!(found.types[0].kind, "Pod");
        assert_eq!(found.cluster_types.len(), 1);
        assert_eq!(found.cluster_types[0].kind, "Node");
        assert_eq!(found.types[0].qualified(), "pods");
    }
}
