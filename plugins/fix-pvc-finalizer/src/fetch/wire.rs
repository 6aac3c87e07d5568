//! The pod as the volume diagnosis reads it through the shared reader ([`firstaid::read`]):
//! identity, deletion, owner, node, the volumes that name a claim, and what kubectl's STATUS
//! column is made of — with the tag numbers of k8s.io/api core/v1 `generated.proto`, decoded
//! into a k8s-openapi `Pod` carrying just those fields. Containers, env, other volumes and
//! managedFields, nearly all of a pod on the wire, are skipped unread.

use firstaid::k8s_openapi::api::core::v1 as api;
use firstaid::read::meta::{list, text};
use firstaid::read::pod;
use prost::Message;

/// What the inventory decodes each pod of a page as.
pub type Pod = pod::Pod<PodSpec, PodStatus>;

#[derive(Clone, PartialEq, Message)]
pub struct PodSpec {
    #[prost(message, repeated, tag = "1")]
    volumes: Vec<Volume>,
    #[prost(string, optional, tag = "10")]
    node_name: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct Volume {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    /// `VolumeSource`, inlined in JSON.
    #[prost(message, optional, tag = "2")]
    source: Option<VolumeSource>,
}

#[derive(Clone, PartialEq, Message)]
struct VolumeSource {
    #[prost(message, optional, tag = "10")]
    persistent_volume_claim: Option<ClaimSource>,
    /// Only its presence matters: the claim it makes is named after the pod and the volume.
    #[prost(message, optional, tag = "29")]
    ephemeral: Option<Present>,
}

#[derive(Clone, PartialEq, Message)]
struct ClaimSource {
    #[prost(string, optional, tag = "1")]
    claim_name: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct Present {}

#[derive(Clone, PartialEq, Message)]
pub struct PodStatus {
    #[prost(string, optional, tag = "1")]
    phase: Option<String>,
    #[prost(string, optional, tag = "4")]
    reason: Option<String>,
    #[prost(message, repeated, tag = "8")]
    container_statuses: Vec<ContainerStatus>,
}

#[derive(Clone, PartialEq, Message)]
struct ContainerStatus {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(message, optional, tag = "2")]
    state: Option<ContainerState>,
}

#[derive(Clone, PartialEq, Message)]
struct ContainerState {
    #[prost(message, optional, tag = "1")]
    waiting: Option<Waiting>,
}

#[derive(Clone, PartialEq, Message)]
struct Waiting {
    #[prost(string, optional, tag = "1")]
    reason: Option<String>,
}

impl From<Volume> for api::Volume {
    fn from(v: Volume) -> Self {
        let source = v.source.unwrap_or_default();
        api::Volume {
            name: v.name.unwrap_or_default(),
            persistent_volume_claim: source.persistent_volume_claim.map(|c| {
                api::PersistentVolumeClaimVolumeSource {
                    claim_name: c.claim_name.unwrap_or_default(),
                    read_only: None,
                }
            }),
            ephemeral: source
                .ephemeral
                .map(|_| api::EphemeralVolumeSource::default()),
            ..api::Volume::default()
        }
    }
}

impl From<ContainerStatus> for api::ContainerStatus {
    fn from(s: ContainerStatus) -> Self {
        api::ContainerStatus {
            name: s.name.unwrap_or_default(),
            state: s.state.map(|st| api::ContainerState {
                waiting: st.waiting.map(|w| api::ContainerStateWaiting {
                    reason: text(w.reason),
                    message: None,
                }),
                ..api::ContainerState::default()
            }),
            ..api::ContainerStatus::default()
        }
    }
}

impl From<PodSpec> for api::PodSpec {
    fn from(spec: PodSpec) -> Self {
        api::PodSpec {
            volumes: list(spec.volumes),
            node_name: text(spec.node_name),
            ..api::PodSpec::default()
        }
    }
}

impl From<PodStatus> for api::PodStatus {
    fn from(status: PodStatus) -> Self {
        api::PodStatus {
            phase: text(status.phase),
            reason: text(status.reason),
            container_statuses: list(status.container_statuses),
            ..api::PodStatus::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::PodFacts;
    use crate::inventory::claims_of;
    use firstaid::read::Projection;
    use firstaid::read::meta::{Meta, OwnerRef, Time};

    #[allow(clippy::unnecessary_wraps)] // fills the optional fields of wire messages
    fn s(v: &str) -> Option<String> {
        Some(v.into())
    }

    /// What the API server writes for the JSON pod below (empty strings included, as Go's
    /// protobuf encoder writes them), plus an undeclared spec field (containers = 2) to skip.
    fn wire_pod() -> Vec<u8> {
        let volume = |name: &str, source: VolumeSource| Volume {
            name: s(name),
            source: Some(source),
        };
        let spec = PodSpec {
            volumes: vec![
                volume(
                    "data",
                    VolumeSource {
                        persistent_volume_claim: Some(ClaimSource {
                            claim_name: s("data-web-0"),
                        }),
                        ephemeral: None,
                    },
                ),
                volume("config", VolumeSource::default()),
                volume(
                    "scratch",
                    VolumeSource {
                        persistent_volume_claim: None,
                        ephemeral: Some(Present {}),
                    },
                ),
            ],
            node_name: s("n1"),
        };
        let mut spec_bytes = spec.encode_to_vec();
        prost::encoding::bytes::encode(2, &b"containers".to_vec(), &mut spec_bytes);
        let pod = Pod {
            metadata: Some(Meta {
                name: s("web-0"),
                namespace: s("demo"),
                uid: s("p1"),
                deletion_timestamp: Some(Time {
                    seconds: Some(1_767_225_600),
                    nanos: None,
                }),
                deletion_grace_period_seconds: Some(30),
                owner_references: vec![OwnerRef {
                    kind: s("StatefulSet"),
                    name: s("web"),
                    uid: s("s1"),
                    api_version: s("apps/v1"),
                    controller: Some(true),
                }],
                ..Meta::default()
            }),
            spec: None,
            status: Some(PodStatus {
                phase: s("Pending"),
                reason: s(""),
                container_statuses: vec![ContainerStatus {
                    name: s("app"),
                    state: Some(ContainerState {
                        waiting: Some(Waiting {
                            reason: s("ContainerCreating"),
                        }),
                    }),
                }],
            }),
        };
        let mut bytes = pod.encode_to_vec();
        prost::encoding::bytes::encode(2, &spec_bytes, &mut bytes);
        bytes
    }

    #[test]
    fn protobuf_pods_give_the_diagnosis_what_json_pods_give() {
        let from_wire = Pod::decode(&*wire_pod()).expect("decode").item();
        let from_json: api::Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web-0", "namespace": "demo", "uid": "p1",
                "deletionTimestamp": "2026-01-01T00:00:00Z", "deletionGracePeriodSeconds": 30,
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet",
                                     "name": "web", "uid": "s1", "controller": true}]},
            "spec": {"nodeName": "n1", "containers": [{"name": "app", "image": "nginx"}],
                "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data-web-0"}},
                            {"name": "config", "configMap": {"name": "cfg"}},
                            {"name": "scratch", "ephemeral": {"volumeClaimTemplate": {
                                "spec": {"accessModes": ["ReadWriteOnce"]}}}}]},
            "status": {"phase": "Pending", "containerStatuses": [{"name": "app", "image": "nginx",
                "imageID": "", "ready": false, "restartCount": 0,
                "state": {"waiting": {"reason": "ContainerCreating"}}}]}
        }))
        .expect("json pod");
        assert_eq!(PodFacts::of(&from_wire), PodFacts::of(&from_json));
        assert_eq!(claims_of(&from_wire), claims_of(&from_json));
        assert_eq!(from_wire.metadata, from_json.metadata);
    }
}
