//! A plan: the changes a fix would make, each with its reason and risk, shown before anything is
//! changed. Plugins build plans from their diagnosis; [`crate::apply`] carries them out.

use kube::Resource;
use kube::discovery::ApiResource;
use serde::Serialize;

use crate::output::{Cell, Column, Table, Tone};

mod digest;
mod outline;
#[cfg(test)]
mod tests;

pub use digest::Digest;
pub use outline::{LIST_STEPS_UP_TO, Outline};

/// The object a step changes. Enough to build a request for any resource, built-in or custom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// The resource name in URLs (`persistentvolumeclaims`).
    pub plural: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    /// When set, the step applies only to this incarnation of the object: a recreated object with
    /// the same name is left alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// The version the diagnosis read, for the plan's [`Digest`] (the request itself re-reads
    /// and is conditional on what it reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_version: Option<String>,
}

impl Target {
    /// The target for a typed object (`Pod`, `PersistentVolumeClaim`, …).
    pub fn of<K: Resource<DynamicType = ()>>(obj: &K) -> Self {
        let meta = obj.meta();
        Target {
            group: K::group(&()).into_owned(),
            version: K::version(&()).into_owned(),
            kind: K::kind(&()).into_owned(),
            plural: K::plural(&()).into_owned(),
            namespace: meta.namespace.clone(),
            name: meta.name.clone().unwrap_or_default(),
            uid: meta.uid.clone(),
            resource_version: meta.resource_version.clone(),
        }
    }

    /// The target for an object of a discovered resource type.
    pub fn from_api_resource(
        ar: &ApiResource,
        namespace: Option<&str>,
        name: &str,
        uid: Option<&str>,
    ) -> Self {
        Target {
            group: ar.group.clone(),
            version: ar.version.clone(),
            kind: ar.kind.clone(),
            plural: ar.plural.clone(),
            namespace: namespace.map(str::to_owned),
            name: name.to_owned(),
            uid: uid.map(str::to_owned),
            resource_version: None,
        }
    }

    pub fn api_resource(&self) -> ApiResource {
        let api_version = if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        };
        ApiResource {
            group: self.group.clone(),
            version: self.version.clone(),
            api_version,
            kind: self.kind.clone(),
            plural: self.plural.clone(),
        }
    }

    /// What `kubectl get -o name` prints: `kind/name` in the core group, `kind.group/name` elsewhere.
    pub fn display(&self) -> String {
        let kind = self.kind.to_lowercase();
        if self.group.is_empty() {
            format!("{kind}/{}", self.name)
        } else {
            format!("{kind}.{}/{}", self.group, self.name)
        }
    }

    /// `resource` (and `resource.group`) as RBAC names it, for permission messages.
    pub fn rbac_resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

/// The change a step makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Action {
    /// Remove exactly these entries from `metadata.finalizers` (JSON patch guarded by a `test` of
    /// the current list, so a concurrent change is never overwritten).
    RemoveFinalizers { finalizers: Vec<String> },
    /// Delete the object. `grace_period_seconds: Some(0)` is a force delete.
    #[serde(rename_all = "camelCase")]
    Delete { grace_period_seconds: Option<u32> },
    /// Remove these entries from a namespace's `spec.finalizers` through `PUT …/finalize`.
    FinalizeNamespace { finalizers: Vec<String> },
}

impl Action {
    /// The RBAC verb and subresource the action needs.
    pub fn verb(&self) -> (&'static str, Option<&'static str>) {
        match self {
            Action::RemoveFinalizers { .. } => ("patch", None),
            Action::Delete { .. } => ("delete", None),
            Action::FinalizeNamespace { .. } => ("update", Some("finalize")),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Action::RemoveFinalizers { finalizers } => {
                format!("remove finalizer {}", finalizers.join(", "))
            }
            Action::Delete {
                grace_period_seconds: Some(0),
            } => "force delete (grace period 0)".into(),
            Action::Delete {
                grace_period_seconds: Some(s),
            } => format!("delete (grace period {s}s)"),
            Action::Delete {
                grace_period_seconds: None,
            } => "delete".into(),
            Action::FinalizeNamespace { finalizers } => {
                format!("finalize: drop spec.finalizers {}", finalizers.join(", "))
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
}

impl Risk {
    fn tone(self) -> Tone {
        match self {
            Risk::Low => Tone::Good,
            Risk::Medium => Tone::Warn,
            Risk::High => Tone::Bad,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    pub target: Target,
    pub action: Action,
    pub reason: String,
    pub risk: Risk,
    /// Changes something that affects the whole cluster, not just the object's namespace.
    pub cluster_wide: bool,
    /// Steps run in phase order; steps of one phase may run concurrently.
    pub phase: u8,
    /// The object as the diagnosis read it (full JSON). When present, the first attempt uses it
    /// instead of a fresh GET — for bulk plans whose list is seconds old, where a GET per object
    /// would double the requests; the request's preconditions still catch any change since.
    ///
    /// Bulk plans keep only what the guard and the request read (see [`Step::listed`]).
    #[serde(skip)]
    pub snapshot: Option<serde_json::Value>,
    /// The object as listed is already in the run's backup ([`crate::backup::Staged`]): the
    /// Applier does not save `snapshot` again (it may be a compact extract, no backup), only
    /// versions it reads itself after a conflict.
    #[serde(skip)]
    pub backed_up: bool,
}

impl Step {
    pub fn new(target: Target, action: Action, reason: impl Into<String>) -> Self {
        Step {
            target,
            action,
            reason: reason.into(),
            risk: Risk::Low,
            cluster_wide: false,
            phase: 0,
            snapshot: None,
            backed_up: false,
        }
    }
    /// The resourceVersion the plan was made from: the target's, else the snapshot's.
    pub fn resource_version(&self) -> Option<&str> {
        self.target.resource_version.as_deref().or_else(|| {
            self.snapshot
                .as_ref()?
                .pointer("/metadata/resourceVersion")?
                .as_str()
        })
    }

    /// A copy without the object snapshot (for reports, which never print it).
    #[must_use]
    pub fn without_snapshot(&self) -> Self {
        Step {
            target: self.target.clone(),
            action: self.action.clone(),
            reason: self.reason.clone(),
            risk: self.risk,
            cluster_wide: self.cluster_wide,
            phase: self.phase,
            snapshot: None,
            backed_up: false,
        }
    }
    #[must_use]
    pub fn snapshot(mut self, object: serde_json::Value) -> Self {
        self.snapshot = Some(object);
        self
    }
    /// The object as listed, reduced to what the plugin's guard and the request need
    /// (`metadata.uid` and `metadata.resourceVersion` for a delete's preconditions, plus the
    /// fields the guard reads), for an object whose full form was already saved to the run's
    /// staged backup while listing.
    #[must_use]
    pub fn listed(mut self, compact: serde_json::Value) -> Self {
        self.snapshot = Some(compact);
        self.backed_up = true;
        self
    }
    #[must_use]
    pub fn risk(mut self, risk: Risk) -> Self {
        self.risk = risk;
        self
    }
    #[must_use]
    pub fn cluster_wide(mut self) -> Self {
        self.cluster_wide = true;
        self
    }
    #[must_use]
    pub fn phase(mut self, phase: u8) -> Self {
        self.phase = phase;
        self
    }
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub steps: Vec<Step>,
    /// Said before confirmation (e.g. "these 12 objects will be orphaned").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Send a server-side dry run before only the first step of each action type instead of
    /// before every step: for bulk plans (thousands of pod deletes) where a dry run per object
    /// would halve throughput and the first one proves admission and RBAC.
    #[serde(skip)]
    pub canary_dry_run: bool,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn push(&mut self, step: Step) {
        self.steps.push(step);
    }

    /// Steps sorted by phase (stable, so the plugin's order within a phase holds).
    pub fn ordered(&self) -> Vec<&Step> {
        let mut steps: Vec<&Step> = self.steps.iter().collect();
        steps.sort_by_key(|s| s.phase);
        steps
    }

    /// The steps in the order [`Plan::ordered`] gives, by value.
    pub fn into_ordered(mut self) -> std::vec::IntoIter<Step> {
        self.steps.sort_by_key(|s| s.phase);
        self.steps.into_iter()
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new(vec![
            Column::new("#").right(),
            Column::new("object"),
            Column::new("action"),
            Column::new("risk"),
            Column::new("reason").shrink(),
        ]);
        for (i, step) in self.ordered().into_iter().enumerate() {
            let risk = if step.cluster_wide {
                format!("{:?} (cluster-wide)", step.risk)
            } else {
                format!("{:?}", step.risk)
            };
            let object = match &step.target.namespace {
                Some(ns) => format!("{ns}/{}", step.target.display()),
                None => step.target.display(),
            };
            table.push(
                step.target.display(),
                vec![
                    (i + 1).to_string().into(),
                    object.into(),
                    step.action.describe().into(),
                    Cell::toned(risk.to_lowercase(), step.risk.tone()),
                    step.reason.clone().into(),
                ],
            );
        }
        table
    }
}
