//! `kubectl ns-unstick --all`: everything stuck in Terminating cluster-wide, grouped by cause,
//! each with the command that explains and fixes it. Pure: the objects come from one
//! metadata-only list per type (`scan_run`).
//!
//! An object inside a Terminating namespace, or a custom resource of a Terminating CRD, is
//! counted under that namespace or CRD rather than listed again: fixing the namespace or CRD is
//! the one command that deals with it.

use std::collections::{BTreeMap, BTreeSet};

use firstaid::k8s::Timestamp;
use serde::Serialize;

use crate::diagnose::{LeftoverFinding, quick_reason};
use crate::model::{ApiServiceState, Leftover, NamespaceState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Group {
    Namespaces,
    CustomResourceDefinitions,
    Storage,
    DeadFinalizers,
    WaitingOnControllers,
    BeingDeleted,
    Orphans,
}

impl Group {
    pub fn title(self) -> &'static str {
        match self {
            Group::Namespaces => "Namespaces stuck Terminating",
            Group::CustomResourceDefinitions => {
                "CustomResourceDefinitions waiting on their custom resources"
            }
            Group::Storage => "Storage objects (claims, volumes, attachments) being deleted",
            Group::DeadFinalizers => "Objects held by finalizers nobody removes",
            Group::WaitingOnControllers => {
                "Objects waiting on a controller to remove its finalizer"
            }
            Group::BeingDeleted => "Objects being deleted without finalizers",
            Group::Orphans => {
                "Objects whose namespace no longer exists (they reappear if it is created again)"
            }
        }
    }
}

/// One stuck object and what to run about it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub group: Group,
    /// `namespace/kind.group/name`, or `kind.group/name` when cluster-scoped.
    pub object: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Timestamp>,
    pub detail: String,
    pub command: String,
}

fn qualified_name(o: &Leftover) -> String {
    if o.namespace.is_empty() {
        o.display()
    } else {
        format!("{}/{}", o.namespace, o.display())
    }
}

fn in_namespace(o: &Leftover) -> String {
    if o.namespace.is_empty() {
        String::new()
    } else {
        format!(" -n {}", o.namespace)
    }
}

/// `plural.group` of the CRD that defines `o`'s type.
fn crd_name(o: &Leftover) -> String {
    format!("{}.{}", o.resource.plural, o.resource.group)
}

fn storage_command(o: &Leftover) -> Option<String> {
    match (o.resource.group.as_str(), o.resource.plural.as_str()) {
        ("", "persistentvolumeclaims") => Some(format!(
            "kubectl fix-pvc-finalizer {} -n {}",
            o.name, o.namespace
        )),
        ("", "persistentvolumes") => Some(format!("kubectl fix-pvc-finalizer pv/{}", o.name)),
        ("storage.k8s.io", "volumeattachments") => Some(format!(
            "kubectl fix-pvc-finalizer volumeattachment/{}",
            o.name
        )),
        _ => None,
    }
}

fn finalizer_item(f: &LeftoverFinding) -> Item {
    let o = &f.object;
    let dead = f.removable(&[]);
    let (group, detail) = if !dead.is_empty() {
        (Group::DeadFinalizers, format!("dead: {}", dead.join(", ")))
    } else if f.finalizer_verdicts.is_empty() {
        (
            Group::BeingDeleted,
            "no finalizers: should be gone shortly".to_owned(),
        )
    } else {
        let owners: Vec<String> = f
            .finalizer_verdicts
            .iter()
            .map(|v| format!("{} → {}", v.name, v.owner))
            .collect();
        (Group::WaitingOnControllers, owners.join(", "))
    };
    Item {
        group,
        object: qualified_name(o),
        deletion_timestamp: o.deletion_timestamp,
        detail,
        command: format!("kubectl ns-unstick {}{}", o.display(), in_namespace(o)),
    }
}

/// Every stuck object (`stuck`: those with a deletionTimestamp) and orphan, grouped.
pub fn items(
    namespaces: &[NamespaceState],
    unavailable: &[&ApiServiceState],
    stuck: &[LeftoverFinding],
    orphans: &[Leftover],
    now: Timestamp,
) -> Vec<Item> {
    let terminating: BTreeSet<&str> = namespaces
        .iter()
        .filter(|n| n.is_terminating())
        .map(|n| n.name.as_str())
        .collect();
    let deleted_crds: BTreeSet<&str> = stuck
        .iter()
        .filter(|f| {
            f.object.resource.plural == "customresourcedefinitions"
                && f.object.resource.group == "apiextensions.k8s.io"
        })
        .map(|f| f.object.name.as_str())
        .collect();
    let mut inside: BTreeMap<String, Vec<&LeftoverFinding>> = BTreeMap::new();
    let mut out = Vec::new();
    for f in stuck {
        let o = &f.object;
        if terminating.contains(o.namespace.as_str()) {
            inside.entry(o.namespace.clone()).or_default().push(f);
        } else if deleted_crds.contains(crd_name(o).as_str()) {
            inside.entry(crd_name(o)).or_default().push(f);
        } else if deleted_crds.contains(o.name.as_str())
            && o.resource.plural == "customresourcedefinitions"
        {
            // Listed below with its instances.
        } else if let Some(command) = storage_command(o) {
            out.push(Item {
                group: Group::Storage,
                object: qualified_name(o),
                deletion_timestamp: o.deletion_timestamp,
                detail: format!("finalizers: {}", o.finalizers.join(", ")),
                command,
            });
        } else {
            out.push(finalizer_item(f));
        }
    }
    let held = |key: &str| -> String {
        let objects = inside.get(key).map(Vec::as_slice).unwrap_or_default();
        let finalizers: BTreeSet<&str> = objects
            .iter()
            .flat_map(|f| &f.object.finalizers)
            .map(String::as_str)
            .collect();
        format!(
            "{} object(s) being deleted{}",
            objects.len(),
            if finalizers.is_empty() {
                String::new()
            } else {
                format!(
                    ", finalizers: {}",
                    finalizers.into_iter().collect::<Vec<_>>().join(", ")
                )
            }
        )
    };
    for ns in namespaces.iter().filter(|n| n.is_terminating()) {
        out.push(Item {
            group: Group::Namespaces,
            object: format!("namespace/{}", ns.name),
            deletion_timestamp: ns.deletion_timestamp,
            detail: format!("{}; {}", quick_reason(ns, unavailable, now), held(&ns.name)),
            command: format!("kubectl ns-unstick {}", ns.name),
        });
    }
    for crd in &deleted_crds {
        let deleted = stuck
            .iter()
            .find(|f| f.object.name == *crd)
            .and_then(|f| f.object.deletion_timestamp);
        out.push(Item {
            group: Group::CustomResourceDefinitions,
            object: format!("customresourcedefinition.apiextensions.k8s.io/{crd}"),
            deletion_timestamp: deleted,
            detail: held(crd),
            command: format!("kubectl ns-unstick crd/{crd}"),
        });
    }
    out.extend(orphans.iter().map(|o| Item {
        group: Group::Orphans,
        object: qualified_name(o),
        deletion_timestamp: o.deletion_timestamp,
        detail: format!("namespace {} does not exist", o.namespace),
        command: format!("kubectl delete {}{}", o.display(), in_namespace(o)),
    }));
    out.sort_by(|a, b| (a.group, &a.object).cmp(&(b.group, &b.object)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::act::tests::{finding, leftover, ns};

    fn with(mut l: Leftover, namespace: &str, group: &str, kind: &str, plural: &str) -> Leftover {
        l.namespace = namespace.into();
        l.resource.group = group.into();
        l.resource.kind = kind.into();
        l.resource.plural = plural.into();
        l
    }

    #[test]
    fn stuck_objects_are_grouped_by_cause_with_their_command() {
        let namespaces = [ns(&[])];
        let crd = with(
            leftover(
                "gadgets.example.com",
                "",
                &["customresourcecleanup.apiextensions.k8s.io"],
                true,
            ),
            "",
            "apiextensions.k8s.io",
            "CustomResourceDefinition",
            "customresourcedefinitions",
        );
        let gadget = with(
            leftover("g1", "", &["example.com/cleanup"], true),
            "other",
            "example.com",
            "Gadget",
            "gadgets",
        );
        let in_ns = leftover("w1", "example.com", &["example.com/cleanup"], true);
        let pvc = with(
            leftover("data", "", &["kubernetes.io/pvc-protection"], true),
            "shop",
            "",
            "PersistentVolumeClaim",
            "persistentvolumeclaims",
        );
        let cluster_thing = with(
            leftover("big", "", &["example.com/cleanup"], true),
            "",
            "example.com",
            "Cluster",
            "clusters",
        );
        let stuck: Vec<LeftoverFinding> = [crd, gadget, in_ns, pvc, cluster_thing]
            .into_iter()
            .map(|l| finding(&l))
            .collect();
        let orphan = with(
            leftover("ghost", "", &[], false),
            "gone",
            "",
            "ConfigMap",
            "configmaps",
        );
        let items = items(&namespaces, &[], &stuck, &[orphan], Timestamp::now());
        let rows: Vec<(Group, &str, &str)> = items
            .iter()
            .map(|i| (i.group, i.object.as_str(), i.command.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    Group::Namespaces,
                    "namespace/rdbms",
                    "kubectl ns-unstick rdbms"
                ),
                (
                    Group::CustomResourceDefinitions,
                    "customresourcedefinition.apiextensions.k8s.io/gadgets.example.com",
                    "kubectl ns-unstick crd/gadgets.example.com"
                ),
                (
                    Group::Storage,
                    "shop/persistentvolumeclaim/data",
                    "kubectl fix-pvc-finalizer data -n shop"
                ),
                (
                    Group::DeadFinalizers,
                    "cluster.example.com/big",
                    "kubectl ns-unstick cluster.example.com/big"
                ),
                (
                    Group::Orphans,
                    "gone/configmap/ghost",
                    "kubectl delete configmap/ghost -n gone"
                ),
            ]
        );
        assert!(
            items[0]
                .detail
                .contains("1 object(s) being deleted, finalizers: example.com/cleanup"),
            "{}",
            items[0].detail
        );
        assert!(
            items[1].detail.starts_with("1 object(s)"),
            "{}",
            items[1].detail
        );
    }
}
