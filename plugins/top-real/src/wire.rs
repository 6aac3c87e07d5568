//! Pods read through the shared reader ([`firstaid::read`]) as Kubernetes protobuf, decoded into
//! the same slim [`kinds::Pod`] the JSON path produces.
//!
//! The messages below declare only the fields top-real reads, with the tag numbers of k8s.io/api
//! core/v1 `generated.proto` (v1.34; tags never change once released), so prost skips everything
//! else — managedFields, env, volumes, status — without allocating.

use std::collections::BTreeMap;

use firstaid::read::Projection;
use firstaid::read::meta::{NameMeta, Quantity, Requirements, quantity_texts};
use prost::Message;

use crate::kinds;

/// Its own envelope rather than [`firstaid::read::pod::Pod`], which reads a pod into
/// k8s-openapi's `Pod`: this one reads it into the slimmer [`kinds::Pod`].
#[derive(Clone, PartialEq, Message)]
pub struct Pod {
    #[prost(message, optional, tag = "1")]
    metadata: Option<NameMeta>,
    #[prost(message, optional, tag = "2")]
    spec: Option<PodSpec>,
    #[prost(message, optional, tag = "3")]
    status: Option<PodStatus>,
}

#[derive(Clone, PartialEq, Message)]
struct PodSpec {
    #[prost(message, repeated, tag = "2")]
    containers: Vec<Container>,
    #[prost(string, optional, tag = "10")]
    node_name: Option<String>,
    #[prost(message, repeated, tag = "20")]
    init_containers: Vec<Container>,
    #[prost(btree_map = "string, message", tag = "32")]
    overhead: BTreeMap<String, Quantity>,
    #[prost(message, optional, tag = "40")]
    resources: Option<Requirements>,
}

#[derive(Clone, PartialEq, Message)]
struct Container {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(message, optional, tag = "8")]
    resources: Option<Requirements>,
    #[prost(string, optional, tag = "24")]
    restart_policy: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct PodStatus {
    #[prost(string, optional, tag = "1")]
    phase: Option<String>,
}

fn requirements(r: Requirements) -> kinds::Requirements {
    kinds::Requirements {
        requests: quantity_texts(r.requests),
        limits: quantity_texts(r.limits),
    }
}

impl From<Container> for kinds::Container {
    fn from(c: Container) -> Self {
        kinds::Container {
            name: c.name.unwrap_or_default(),
            resources: c.resources.map(requirements).unwrap_or_default(),
            restart_policy: c.restart_policy,
        }
    }
}

impl Projection for Pod {
    type Item = kinds::Pod;
    type Json = kinds::Pod;

    fn item(self) -> kinds::Pod {
        let spec = self.spec.unwrap_or_default();
        kinds::Pod {
            metadata: self.metadata.unwrap_or_default().into(),
            spec: kinds::PodSpec {
                node_name: spec.node_name,
                containers: spec.containers.into_iter().map(Into::into).collect(),
                init_containers: spec.init_containers.into_iter().map(Into::into).collect(),
                overhead: (!spec.overhead.is_empty()).then(|| quantity_texts(spec.overhead)),
                resources: spec.resources.map(requirements),
            },
            status: kinds::PodStatus {
                phase: self.status.and_then(|s| s.phase),
            },
        }
    }

    fn from_json(json: kinds::Pod) -> kinds::Pod {
        json
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity {
            string: Some(s.into()),
        }
    }

    /// A pod as the API server writes it, with a field we do not declare (managedFields = 17 at
    /// the top level) which must be skipped.
    fn pod_bytes() -> Vec<u8> {
        let sidecar = Container {
            name: Some("proxy".into()),
            resources: Some(Requirements {
                requests: [("cpu".to_owned(), q("100m"))].into(),
                limits: BTreeMap::new(),
            }),
            restart_policy: Some("Always".into()),
        };
        let app = Container {
            name: Some("app".into()),
            resources: Some(Requirements {
                requests: [
                    ("cpu".to_owned(), q("250m")),
                    ("memory".to_owned(), q("64Mi")),
                ]
                .into(),
                limits: [("memory".to_owned(), q("128Mi"))].into(),
            }),
            restart_policy: None,
        };
        let pod = Pod {
            metadata: Some(NameMeta {
                name: Some("web-1".into()),
                namespace: Some("shop".into()),
            }),
            spec: Some(PodSpec {
                containers: vec![app],
                node_name: Some("node-a".into()),
                init_containers: vec![sidecar],
                overhead: [("cpu".to_owned(), q("50m"))].into(),
                resources: None,
            }),
            status: Some(PodStatus {
                phase: Some("Running".into()),
            }),
        };
        let mut bytes = pod.encode_to_vec();
        prost::encoding::bytes::encode(17, &b"ignored".to_vec(), &mut bytes);
        bytes
    }

    #[test]
    fn protobuf_pods_become_the_same_slim_pods_as_json() {
        let pod = Pod::decode(&*pod_bytes()).expect("decode").item();
        let from_json: kinds::Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web-1", "namespace": "shop"},
            "spec": {"nodeName": "node-a",
                     "initContainers": [{"name": "proxy", "restartPolicy": "Always",
                                         "resources": {"requests": {"cpu": "100m"}}}],
                     "containers": [{"name": "app", "resources": {
                         "requests": {"cpu": "250m", "memory": "64Mi"},
                         "limits": {"memory": "128Mi"}}}],
                     "overhead": {"cpu": "50m"}},
            "status": {"phase": "Running"}
        }))
        .expect("json pod");
        assert_eq!(
            serde_json::to_value(&pod).expect("value"),
            serde_json::to_value(&from_json).expect("value")
        );
    }
}
