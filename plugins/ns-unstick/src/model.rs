//! Plain data the diagnosis works on, converted from API objects in `fetch` so the diagnosis is
//! pure, testable on hand-written fixtures and free of Kubernetes client types.

use std::collections::BTreeMap;

pub use firstaid::k8s::ApiServiceState;
use firstaid::k8s::Timestamp;
use serde::Serialize;

/// A namespaced resource type that supports `list`, from discovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceType {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// The URL name (`persistentvolumeclaims`).
    pub plural: String,
}

impl ResourceType {
    /// `plural` in the core group, `plural.group` elsewhere (what RBAC and `kubectl get` take).
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

/// An API group version that discovery could not read (its APIService is down, or the server
/// answered with an error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveryFailure {
    /// `group/version` (`metrics.k8s.io/v1beta1`), or `v1` for the core group.
    pub group_version: String,
    pub reason: String,
}

/// One status condition of a namespace, as the namespace controller wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_transition: Option<Timestamp>,
}

/// The parts of a Namespace the diagnosis needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceState {
    pub name: String,
    pub uid: String,
    /// What the plan's digest binds a change of the namespace to (not shown).
    #[serde(skip)]
    pub resource_version: String,
    pub phase: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    /// `metadata.deletionTimestamp`: when the namespace was deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Timestamp>,
    /// `spec.finalizers` (normally `[kubernetes]`, removed by the namespace controller).
    pub spec_finalizers: Vec<String>,
    /// `metadata.finalizers` (set by other controllers, or by a foreground delete).
    pub metadata_finalizers: Vec<String>,
    pub conditions: Vec<Condition>,
    /// What admission webhooks' namespace selectors look at.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

impl NamespaceState {
    pub fn is_terminating(&self) -> bool {
        self.deletion_timestamp.is_some() || self.phase == "Terminating"
    }

    pub fn condition(&self, type_: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.type_ == type_)
    }
}

/// An object still in a Terminating namespace (metadata only: never Secret data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Leftover {
    pub resource: ResourceType,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    /// What the plan's digest binds a change of the object to (not shown).
    #[serde(skip)]
    pub resource_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Timestamp>,
    pub finalizers: Vec<String>,
    /// What admission webhooks' object selectors look at.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

impl Leftover {
    /// `kind/name` or `kind.group/name`, as `kubectl get -o name` prints it.
    pub fn display(&self) -> String {
        let kind = self.resource.kind.to_lowercase();
        if self.resource.group.is_empty() {
            format!("{kind}/{}", self.name)
        } else {
            format!("{kind}.{}/{}", self.resource.group, self.name)
        }
    }
}

/// A Deployment, StatefulSet or DaemonSet: where an operator's controller usually runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Workload {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// `key=value` for every label.
    pub labels: Vec<String>,
    pub images: Vec<String>,
    pub ready: i32,
    pub desired: i32,
}

/// A coordination Lease: controllers with leader election renew one while they run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaseInfo {
    pub namespace: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewed: Option<Timestamp>,
    pub duration_seconds: Option<i32>,
}

impl LeaseInfo {
    /// Renewed within twice its duration (or five minutes when it names none).
    pub fn is_fresh(&self, now: Timestamp) -> bool {
        let window = self
            .duration_seconds
            .map_or(300, |d| i64::from(d.max(1)) * 2);
        self.renewed
            .is_some_and(|r| firstaid::k8s::time::seconds_between(r, now) <= window)
    }
}

/// Where controllers could be running, read once for the whole diagnosis. A field is `Err` with
/// the reason when it could not be read (then nothing is concluded from its absence).
#[derive(Debug, Clone)]
pub struct ControllerEvidence {
    pub workloads: Result<Vec<Workload>, String>,
    pub leases: Result<Vec<LeaseInfo>, String>,
}
