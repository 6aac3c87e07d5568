//! Builders for the objects the unit tests feed the diagnosis: the FAQ's broken states, written
//! the way they look in `kubectl get -o yaml`.

use firstaid::k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateWaiting, ContainerStatus, EphemeralVolumeSource, Event, Node,
    NodeCondition, NodeStatus, ObjectReference, PersistentVolume, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PersistentVolumeClaimTemplate, PersistentVolumeClaimVolumeSource,
    PersistentVolumeSpec, Pod, PodSpec, PodStatus, Volume,
};
use firstaid::k8s_openapi::api::storage::v1::{
    VolumeAttachment, VolumeAttachmentSource, VolumeAttachmentSpec, VolumeAttachmentStatus,
    VolumeError,
};
use firstaid::k8s_openapi::apimachinery::pkg::apis::meta::v1::{OwnerReference, Time};
use firstaid::kube::api::ObjectMeta;

/// A Kubernetes timestamp `ago` before now.
pub fn ago(seconds: i64) -> Time {
    let now = firstaid::k8s::Timestamp::now().as_second();
    Time(firstaid::k8s::Timestamp::from_second(now - seconds).expect("valid time"))
}

fn meta(namespace: Option<&str>, name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: namespace.map(Into::into),
        uid: Some(format!("uid-{}-{name}", namespace.unwrap_or("cluster"))),
        resource_version: Some("1".into()),
        creation_timestamp: Some(ago(44 * 3600)),
        ..ObjectMeta::default()
    }
}

fn deleted(meta: &mut ObjectMeta, finalizers: &[&str]) {
    meta.deletion_timestamp = Some(ago(30 * 60));
    meta.finalizers = Some(finalizers.iter().map(|f| (*f).to_owned()).collect());
}

pub fn pod(namespace: &str, name: &str, node: Option<&str>, phase: &str) -> Pod {
    Pod {
        metadata: meta(Some(namespace), name),
        spec: Some(PodSpec {
            node_name: node.map(Into::into),
            ..PodSpec::default()
        }),
        status: Some(PodStatus {
            phase: Some(phase.into()),
            ..PodStatus::default()
        }),
    }
}

pub trait PodExt: Sized {
    fn with_claim(self, volume: &str, claim: &str) -> Self;
    fn with_ephemeral(self, volume: &str) -> Self;
    fn with_reason(self, reason: &str) -> Self;
    fn waiting(self, reason: &str) -> Self;
    fn deleted(self, grace: Option<i64>) -> Self;
}

impl PodExt for Pod {
    fn with_claim(mut self, volume: &str, claim: &str) -> Self {
        let spec = self.spec.get_or_insert_with(PodSpec::default);
        spec.volumes.get_or_insert_with(Vec::new).push(Volume {
            name: volume.into(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim.into(),
                read_only: None,
            }),
            ..Volume::default()
        });
        self
    }
    fn with_ephemeral(mut self, volume: &str) -> Self {
        let spec = self.spec.get_or_insert_with(PodSpec::default);
        spec.volumes.get_or_insert_with(Vec::new).push(Volume {
            name: volume.into(),
            ephemeral: Some(EphemeralVolumeSource {
                volume_claim_template: Some(PersistentVolumeClaimTemplate {
                    metadata: None,
                    spec: PersistentVolumeClaimSpec::default(),
                }),
            }),
            ..Volume::default()
        });
        self
    }
    fn with_reason(mut self, reason: &str) -> Self {
        self.status.get_or_insert_with(PodStatus::default).reason = Some(reason.into());
        self
    }
    fn waiting(mut self, reason: &str) -> Self {
        self.status
            .get_or_insert_with(PodStatus::default)
            .container_statuses = Some(vec![ContainerStatus {
            name: "app".into(),
            state: Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some(reason.into()),
                    message: None,
                }),
                ..ContainerState::default()
            }),
            ..ContainerStatus::default()
        }]);
        self
    }
    fn deleted(mut self, grace: Option<i64>) -> Self {
        self.metadata.deletion_timestamp = Some(ago(0));
        self.metadata.deletion_grace_period_seconds = grace;
        self
    }
}

pub fn claim(namespace: &str, name: &str) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: meta(Some(namespace), name),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            ..PersistentVolumeClaimSpec::default()
        }),
        status: None,
    }
}

pub trait ClaimExt: Sized {
    fn with_uid(self, uid: &str) -> Self;
    fn with_finalizers(self, finalizers: &[&str]) -> Self;
    fn terminating(self, finalizers: &[&str]) -> Self;
    fn bound_to(self, pv: &str) -> Self;
    fn owned_by(self, pod: &Pod) -> Self;
    fn pending(self, storage_class: Option<&str>) -> Self;
    /// Bound to `pv` once, now in phase Lost (the volume was deleted).
    fn lost(self, pv: &str) -> Self;
}

impl ClaimExt for PersistentVolumeClaim {
    fn with_uid(mut self, uid: &str) -> Self {
        self.metadata.uid = Some(uid.into());
        self
    }
    fn with_finalizers(mut self, finalizers: &[&str]) -> Self {
        self.metadata.finalizers = Some(finalizers.iter().map(|f| (*f).to_owned()).collect());
        self
    }
    fn terminating(mut self, finalizers: &[&str]) -> Self {
        deleted(&mut self.metadata, finalizers);
        self
    }
    fn bound_to(mut self, pv: &str) -> Self {
        self.spec
            .get_or_insert_with(PersistentVolumeClaimSpec::default)
            .volume_name = Some(pv.into());
        self.status = Some(
            firstaid::k8s_openapi::api::core::v1::PersistentVolumeClaimStatus {
                phase: Some("Bound".into()),
                ..Default::default()
            },
        );
        self
    }
    fn owned_by(mut self, pod: &Pod) -> Self {
        self.metadata.owner_references = Some(vec![OwnerReference {
            api_version: "v1".into(),
            kind: "Pod".into(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }]);
        self
    }
    fn lost(self, pv: &str) -> Self {
        let mut c = self.bound_to(pv);
        if let Some(status) = c.status.as_mut() {
            status.phase = Some("Lost".into());
        }
        c
    }
    fn pending(mut self, storage_class: Option<&str>) -> Self {
        self.spec
            .get_or_insert_with(PersistentVolumeClaimSpec::default)
            .storage_class_name = storage_class.map(Into::into);
        self.status = Some(
            firstaid::k8s_openapi::api::core::v1::PersistentVolumeClaimStatus {
                phase: Some("Pending".into()),
                ..Default::default()
            },
        );
        self
    }
}

pub fn volume(name: &str) -> PersistentVolume {
    PersistentVolume {
        metadata: meta(None, name),
        spec: Some(PersistentVolumeSpec {
            persistent_volume_reclaim_policy: Some("Retain".into()),
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            ..PersistentVolumeSpec::default()
        }),
        status: None,
    }
}

pub trait VolumeExt: Sized {
    fn claimed_by(self, namespace: &str, claim: &str, uid: Option<&str>) -> Self;
    fn terminating(self, finalizers: &[&str]) -> Self;
    fn reclaim(self, policy: &str) -> Self;
    fn phase(self, phase: &str) -> Self;
}

impl VolumeExt for PersistentVolume {
    fn claimed_by(mut self, namespace: &str, claim: &str, uid: Option<&str>) -> Self {
        self.spec
            .get_or_insert_with(PersistentVolumeSpec::default)
            .claim_ref = Some(ObjectReference {
            kind: Some("PersistentVolumeClaim".into()),
            namespace: Some(namespace.into()),
            name: Some(claim.into()),
            uid: uid.map(Into::into),
            ..ObjectReference::default()
        });
        self
    }
    fn terminating(mut self, finalizers: &[&str]) -> Self {
        deleted(&mut self.metadata, finalizers);
        self
    }
    fn reclaim(mut self, policy: &str) -> Self {
        self.spec
            .get_or_insert_with(PersistentVolumeSpec::default)
            .persistent_volume_reclaim_policy = Some(policy.into());
        self
    }
    fn phase(mut self, phase: &str) -> Self {
        self.status = Some(
            firstaid::k8s_openapi::api::core::v1::PersistentVolumeStatus {
                phase: Some(phase.into()),
                ..Default::default()
            },
        );
        self
    }
}

pub fn attachment(name: &str, attacher: &str, node: &str, pv: &str) -> VolumeAttachment {
    let mut metadata = meta(None, name);
    metadata.finalizers = Some(vec![format!("external-attacher/{attacher}")]);
    VolumeAttachment {
        metadata,
        spec: VolumeAttachmentSpec {
            attacher: attacher.into(),
            node_name: node.into(),
            source: VolumeAttachmentSource {
                persistent_volume_name: Some(pv.into()),
                ..VolumeAttachmentSource::default()
            },
        },
        status: Some(VolumeAttachmentStatus {
            attached: true,
            ..VolumeAttachmentStatus::default()
        }),
    }
}

pub trait AttachmentExt: Sized {
    fn terminating(self) -> Self;
    fn detach_error(self, message: &str) -> Self;
}

impl AttachmentExt for VolumeAttachment {
    fn terminating(mut self) -> Self {
        self.metadata.deletion_timestamp = Some(ago(22 * 3600));
        self.metadata.deletion_grace_period_seconds = Some(0);
        self
    }
    fn detach_error(mut self, message: &str) -> Self {
        self.status
            .get_or_insert_with(VolumeAttachmentStatus::default)
            .detach_error = Some(VolumeError {
            message: Some(message.into()),
            time: Some(ago(22 * 3600)),
            error_code: None,
        });
        self
    }
}

pub fn node(name: &str, ready: bool) -> Node {
    Node {
        metadata: meta(None, name),
        spec: None,
        status: Some(NodeStatus {
            conditions: Some(vec![NodeCondition {
                type_: "Ready".into(),
                status: if ready { "True" } else { "Unknown" }.into(),
                ..NodeCondition::default()
            }]),
            ..NodeStatus::default()
        }),
    }
}

pub fn event(about: &Pod, reason: &str, message: &str, count: i32) -> Event {
    Event {
        metadata: meta(
            about.metadata.namespace.as_deref(),
            &format!(
                "{}.{reason}",
                about.metadata.name.as_deref().unwrap_or_default()
            ),
        ),
        involved_object: ObjectReference {
            kind: Some("Pod".into()),
            namespace: about.metadata.namespace.clone(),
            name: about.metadata.name.clone(),
            uid: about.metadata.uid.clone(),
            ..ObjectReference::default()
        },
        reason: Some(reason.into()),
        message: Some(message.into()),
        count: Some(count),
        type_: Some("Warning".into()),
        last_timestamp: Some(ago(51)),
        ..Event::default()
    }
}

/// An event the volume controller recorded about PersistentVolume `pv` (in `default`, where
/// events of cluster-scoped objects go).
pub fn volume_event(pv: &str, reason: &str, message: &str) -> Event {
    Event {
        metadata: meta(Some("default"), &format!("{pv}.{reason}")),
        involved_object: ObjectReference {
            kind: Some("PersistentVolume".into()),
            name: Some(pv.into()),
            uid: Some(format!("uid-{pv}")),
            ..ObjectReference::default()
        },
        reason: Some(reason.into()),
        message: Some(message.into()),
        count: Some(1),
        type_: Some("Warning".into()),
        last_timestamp: Some(ago(600)),
        ..Event::default()
    }
}
