//! Any object stuck in Terminating, named as `TYPE/NAME` (`-n` for a namespaced one): what holds
//! it — its finalizers with the same liveness evidence as a namespace's leftovers — and, for a
//! CustomResourceDefinition (`crd/NAME`), the custom resources its deletion waits on: the API
//! server's `customresourcecleanup` finalizer deletes every instance and stays until they are all
//! gone, so an instance held by a dead finalizer holds the CRD.

use firstaid::plan::{Action, Plan, Risk, Step};
use firstaid::{Error, Result};
use serde::Serialize;
use serde_json::Value;

use crate::act::{PHASE_LEFTOVERS, PHASE_NAMESPACE_FINALIZERS, leftover_target};
use crate::diagnose::{Blocker, Cause, LeftoverFinding, held_by_finalizers};
use crate::discovery::Discovered;
use crate::model::ResourceType;

/// The CRD's own finalizer, held by the API server until every instance is gone.
pub const CRD_CLEANUP: &str = "customresourcecleanup.apiextensions.k8s.io";

/// `TYPE/NAME` as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub type_: String,
    pub name: String,
}

impl ObjectRef {
    /// `None` for a plain namespace name (namespace names never contain `/`).
    pub fn parse(arg: &str) -> Option<ObjectRef> {
        let (type_, name) = arg.split_once('/')?;
        Some(ObjectRef {
            type_: type_.to_lowercase(),
            name: name.to_owned(),
        })
    }
}

/// The discovered type `type_` names — plural, kind or `crd`, optionally `.group`-qualified —
/// and whether it is namespaced.
pub fn resolve<'a>(type_: &str, discovered: &'a Discovered) -> Result<(&'a ResourceType, bool)> {
    let type_ = match type_ {
        "crd" | "crds" => "customresourcedefinitions.apiextensions.k8s.io",
        other => other,
    };
    let matches = |t: &ResourceType| {
        let names = [t.plural.clone(), t.kind.to_lowercase()];
        names
            .iter()
            .any(|n| type_ == n || (!t.group.is_empty() && type_ == format!("{n}.{}", t.group)))
    };
    let namespaced = discovered.types.iter().map(|t| (t, true));
    let cluster = discovered.cluster_types.iter().map(|t| (t, false));
    // Core types first, as kubectl resolves `configmap` to the core group.
    let mut found: Vec<(&ResourceType, bool)> = namespaced
        .chain(cluster)
        .filter(|(t, _)| matches(t))
        .collect();
    found.sort_by_key(|(t, _)| !t.group.is_empty());
    found.into_iter().next().ok_or_else(|| {
        Error::Usage(format!(
            "the server doesn't have a resource type \"{type_}\""
        ))
    })
}

/// The instance type a CRD defines, from its `spec` (the storage version, which is served).
pub fn instance_type(crd_spec: &Value) -> Option<(ResourceType, bool)> {
    let versions = crd_spec["versions"].as_array()?;
    let version = versions
        .iter()
        .find(|v| v["storage"] == true)
        .or_else(|| versions.iter().find(|v| v["served"] == true))?;
    Some((
        ResourceType {
            group: crd_spec["group"].as_str()?.to_owned(),
            version: version["name"].as_str()?.to_owned(),
            kind: crd_spec["names"]["kind"].as_str()?.to_owned(),
            plural: crd_spec["names"]["plural"].as_str()?.to_owned(),
        },
        crd_spec["scope"] == "Namespaced",
    ))
}

/// What holds one object.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectDiagnosis {
    #[serde(flatten)]
    pub object: LeftoverFinding,
    /// For a CRD: its custom resources still in the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instances: Option<Vec<LeftoverFinding>>,
    /// Most important first; empty when nothing was found blocking.
    pub blockers: Vec<Blocker>,
}

pub fn diagnose(
    object: LeftoverFinding,
    instances: Option<Vec<LeftoverFinding>>,
    named: &[String],
) -> ObjectDiagnosis {
    let mut blockers = Vec::new();
    if object.object.deletion_timestamp.is_none() {
        blockers.push(Blocker {
            cause: Cause::NotTerminating,
            detail: format!("{} is not being deleted", object.object.display()),
            fix: "nothing to do".into(),
        });
    } else {
        let waiting_on_instances = instances.as_ref().is_some_and(|i| !i.is_empty());
        if let Some(instances) = instances.as_deref() {
            let bare = held_by_finalizers(instances, named, &mut blockers);
            if !bare.is_empty() {
                blockers.push(Blocker {
                    cause: Cause::ContentBeingDeleted,
                    detail: format!(
                        "{} custom resource(s) without finalizers still being deleted by the API server's CRD finalizer: {}",
                        bare.len(),
                        bare.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
                    ),
                    fix: "wait: they go without anyone's help".into(),
                });
            }
        }
        let mut own = object.clone();
        if waiting_on_instances {
            // Its own cleanup finalizer is waiting on exactly the instances above.
            own.finalizer_verdicts.retain(|v| v.name != CRD_CLEANUP);
        }
        held_by_finalizers(std::slice::from_ref(&own), named, &mut blockers);
    }
    ObjectDiagnosis {
        object,
        instances,
        blockers,
    }
}

/// Removes the dead (or `--remove-finalizer`-named) finalizers: from the instances first, then
/// from the object.
pub fn plan(diagnoses: &[ObjectDiagnosis], named: &[String]) -> Plan {
    let mut plan = Plan::default();
    for d in diagnoses
        .iter()
        .filter(|d| d.object.object.deletion_timestamp.is_some())
    {
        let instances = d.instances.iter().flatten().map(|i| (i, PHASE_LEFTOVERS));
        for (finding, phase) in instances.chain([(&d.object, PHASE_NAMESPACE_FINALIZERS)]) {
            let remove = finding.removable(named);
            if remove.is_empty() {
                continue;
            }
            let evidence: Vec<String> = finding
                .finalizer_verdicts
                .iter()
                .filter(|v| remove.contains(&v.name))
                .map(|v| format!("{}: {}", v.name, v.evidence))
                .collect();
            plan.push(
                Step::new(
                    leftover_target(&finding.object),
                    Action::RemoveFinalizers { finalizers: remove },
                    evidence.join("; "),
                )
                .risk(Risk::Medium)
                .phase(phase),
            );
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::act::tests::{finding, leftover};
    use serde_json::json;

    fn crd() -> LeftoverFinding {
        let mut l = leftover(
            "widgets.example.com",
            "apiextensions.k8s.io",
            &[CRD_CLEANUP],
            true,
        );
        l.namespace = String::new();
        l.resource.kind = "CustomResourceDefinition".into();
        l.resource.plural = "customresourcedefinitions".into();
        finding(&l)
    }

    #[test]
    fn a_crd_waits_on_an_instance_held_by_a_dead_finalizer() {
        let instance = finding(&leftover(
            "w1",
            "example.com",
            &["example.com/cleanup"],
            true,
        ));
        let d = diagnose(crd(), Some(vec![instance]), &[]);
        let causes: Vec<Cause> = d.blockers.iter().map(|b| b.cause).collect();
        assert_eq!(causes, [Cause::DeadFinalizers]);
        assert!(
            d.blockers[0]
                .detail
                .contains("widget.example.com/w1 (example.com/cleanup)")
        );
        let plan = plan(&[d], &[]);
        assert_eq!(plan.steps.len(), 1);
        assert_eq!(plan.steps[0].target.display(), "widget.example.com/w1");
        assert_eq!(plan.steps[0].target.namespace.as_deref(), Some("rdbms"));
    }

    #[test]
    fn a_crd_without_instances_waits_on_the_api_server() {
        let d = diagnose(crd(), Some(vec![]), &[]);
        assert_eq!(d.blockers[0].cause, Cause::WaitingOnControllers);
        assert!(d.blockers[0].detail.contains("CRD finalizer"));
        assert!(plan(&[d], &[]).is_empty());
    }

    #[test]
    fn types_resolve_like_kubectl() {
        let ty = |group: &str, kind: &str, plural: &str| ResourceType {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
            plural: plural.into(),
        };
        let discovered = Discovered {
            types: vec![
                ty("", "ConfigMap", "configmaps"),
                ty("example.com", "Widget", "widgets"),
            ],
            cluster_types: vec![ty(
                "apiextensions.k8s.io",
                "CustomResourceDefinition",
                "customresourcedefinitions",
            )],
            failures: vec![],
        };
        let (crd, namespaced) = resolve("crd", &discovered).expect("crd");
        assert!(!namespaced && crd.kind == "CustomResourceDefinition");
        assert_eq!(
            resolve("widget.example.com", &discovered)
                .expect("w")
                .0
                .plural,
            "widgets"
        );
        assert!(resolve("configmap", &discovered).expect("cm").1);
        assert!(resolve("gadgets", &discovered).is_err());
        assert_eq!(
            ObjectRef::parse("CRD/widgets.example.com").map(|r| r.type_),
            Some("crd".into())
        );
        assert_eq!(ObjectRef::parse("rdbms"), None);
    }

    #[test]
    fn the_instance_type_is_the_storage_version() {
        let spec = json!({"group": "example.com", "scope": "Cluster",
            "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [{"name": "v1beta1", "served": true, "storage": false},
                         {"name": "v1", "served": true, "storage": true}]});
        let (ty, namespaced) = instance_type(&spec).expect("type");
        assert_eq!((ty.version.as_str(), namespaced), ("v1", false));
    }
}
