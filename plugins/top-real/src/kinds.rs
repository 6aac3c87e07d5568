//! Slim wire types: only the fields top-real reads.
//!
//! Why not k8s-openapi's `Pod`: a 30,000-pod cluster sends ~100 MB of pod JSON, most of it
//! managedFields, status and env we never look at. Deserialising into these small structs lets
//! serde skip the rest without allocating, which is what keeps a full-cluster run under the
//! issue's 2 s and 150 MB. The metrics.k8s.io types are not in k8s-openapi at all.

use std::collections::BTreeMap;

use firstaid::k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use firstaid::k8s_openapi::{self, ClusterResourceScope, NamespaceResourceScope};
use serde::{Deserialize, Deserializer, Serialize};

/// Resource name → quantity text (`{"cpu": "100m", "memory": "64Mi"}`).
pub type ResourceMap = BTreeMap<String, String>;

/// Only name, namespace and labels of an object's metadata (managedFields and annotations are
/// skipped unread).
fn slim_meta<'de, D: Deserializer<'de>>(d: D) -> Result<ObjectMeta, D::Error> {
    #[derive(Deserialize)]
    struct Slim {
        name: Option<String>,
        namespace: Option<String>,
    }
    let slim = Slim::deserialize(d)?;
    Ok(ObjectMeta {
        name: slim.name,
        namespace: slim.namespace,
        ..ObjectMeta::default()
    })
}

#[derive(Deserialize, Serialize, Clone, Debug, Default)]
pub struct Pod {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PodSpec,
    #[serde(default)]
    pub status: PodStatus,
}

#[derive(Deserialize, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    pub node_name: Option<String>,
    #[serde(default)]
    pub containers: Vec<Container>,
    #[serde(default)]
    pub init_containers: Vec<Container>,
    pub overhead: Option<ResourceMap>,
    /// Pod-level resources (PodLevelResources).
    pub resources: Option<Requirements>,
}

#[derive(Deserialize, Serialize, Clone, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub resources: Requirements,
    /// `Always` on an init container makes it a sidecar.
    pub restart_policy: Option<String>,
}

#[derive(Deserialize, Serialize, Clone, Debug, Default)]
pub struct Requirements {
    #[serde(default)]
    pub requests: ResourceMap,
    #[serde(default)]
    pub limits: ResourceMap,
}

#[derive(Deserialize, Serialize, Clone, Debug, Default)]
pub struct PodStatus {
    pub phase: Option<String>,
}

impl k8s_openapi::Resource for Pod {
    const API_VERSION: &'static str = "v1";
    const GROUP: &'static str = "";
    const KIND: &'static str = "Pod";
    const VERSION: &'static str = "v1";
    const URL_PATH_SEGMENT: &'static str = "pods";
    type Scope = NamespaceResourceScope;
}

impl k8s_openapi::Metadata for Pod {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

/// `metrics.k8s.io/v1beta1` NodeMetrics.
#[derive(Deserialize, Serialize, Clone, Debug, Default)]
pub struct NodeMetrics {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    /// When the sample was taken (RFC 3339).
    pub timestamp: Option<String>,
    /// The sample's window (a Go duration: `1m0.177s`, `20s`).
    pub window: Option<String>,
    #[serde(default)]
    pub usage: ResourceMap,
}

/// `metrics.k8s.io/v1beta1` PodMetrics.
#[derive(Deserialize, Serialize, Clone, Debug, Default)]
pub struct PodMetrics {
    #[serde(deserialize_with = "slim_meta", default)]
    pub metadata: ObjectMeta,
    pub timestamp: Option<String>,
    pub window: Option<String>,
    #[serde(default)]
    pub containers: Vec<ContainerMetrics>,
}

#[derive(Deserialize, Serialize, Clone, Debug, Default)]
pub struct ContainerMetrics {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub usage: ResourceMap,
}

macro_rules! metrics_resource {
    ($ty:ty, $kind:literal, $plural:literal, $scope:ty) => {
        impl k8s_openapi::Resource for $ty {
            const API_VERSION: &'static str = "metrics.k8s.io/v1beta1";
            const GROUP: &'static str = "metrics.k8s.io";
            const KIND: &'static str = $kind;
            const VERSION: &'static str = "v1beta1";
            const URL_PATH_SEGMENT: &'static str = $plural;
            type Scope = $scope;
        }
        impl k8s_openapi::Metadata for $ty {
            type Ty = ObjectMeta;
            fn metadata(&self) -> &ObjectMeta {
                &self.metadata
            }
            fn metadata_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata
            }
        }
    };
}

metrics_resource!(NodeMetrics, "NodeMetrics", "nodes", ClusterResourceScope);
metrics_resource!(PodMetrics, "PodMetrics", "pods", NamespaceResourceScope);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_deserialise_without_the_fields_we_skip() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "n", "managedFields": [{"manager": "x"}],
                         "annotations": {"a": "b"}},
            "spec": {"nodeName": "node-1",
                     "initContainers": [{"name": "proxy", "restartPolicy": "Always",
                                         "resources": {"requests": {"cpu": "100m"}}}],
                     "containers": [{"name": "app", "image": "x",
                                     "resources": {"limits": {"memory": "64Mi"}}}],
                     "overhead": {"cpu": "250m"}},
            "status": {"phase": "Running", "conditions": []}
        }))
        .expect("pod");
        assert_eq!(pod.metadata.name.as_deref(), Some("p"));
        assert!(pod.metadata.managed_fields.is_none());
        assert_eq!(
            pod.spec.init_containers[0].restart_policy.as_deref(),
            Some("Always")
        );
        assert_eq!(pod.spec.containers[0].resources.limits["memory"], "64Mi");
    }

    #[test]
    fn node_metrics_from_the_faq() {
        let m: NodeMetrics = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "192.168.0.243", "creationTimestamp": "2023-08-15T14:10:05Z"},
            "timestamp": "2023-08-15T14:09:38Z", "window": "1m0.177s",
            "usage": {"cpu": "78528126n", "memory": "2413824Ki"}
        }))
        .expect("metrics");
        assert_eq!(m.usage["memory"], "2413824Ki");
        assert_eq!(m.window.as_deref(), Some("1m0.177s"));
    }
}
