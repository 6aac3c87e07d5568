//! The FAQ's other volume failures, shown when found (no finalizer is involved, so `--fix` never
//! acts on them): Multi-Attach of a ReadWriteOnce volume (the FAQ on Multi-Attach errors), a volume pinned to a zone
//! with no schedulable node (the FAQs on volume node affinity conflicts and unschedulable pods), and a claim Pending because there is no
//! (default) StorageClass (the FAQ on Pending claims).

use std::collections::BTreeSet;

use firstaid::k8s_openapi::api::core::v1::{
    Node, NodeSelector, NodeSelectorRequirement, PersistentVolume, PersistentVolumeClaim,
};
use serde::Serialize;

use crate::facts::PodFacts;
use crate::inventory::{Index, name_of, namespace_of};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ProblemKind {
    MultiAttach,
    NodeAffinityConflict,
    NoDefaultStorageClass,
    MissingStorageClass,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    pub kind: ProblemKind,
    pub namespace: String,
    pub claim: String,
    pub message: String,
    pub advice: String,
}

const DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";
const DEFAULT_CLASS_BETA: &str = "storageclass.beta.kubernetes.io/is-default-class";

/// Problems of the claims in scope (`None` = all namespaces).
pub fn find(index: &Index, namespace: Option<&str>) -> Vec<Problem> {
    let has_default_class = index.inv.storage_classes.iter().any(|sc| {
        sc.metadata.annotations.as_ref().is_some_and(|a| {
            [DEFAULT_CLASS, DEFAULT_CLASS_BETA]
                .iter()
                .any(|k| a.get(*k).is_some_and(|v| v == "true"))
        })
    });
    let mut problems = Vec::new();
    for claim in &index.inv.claims {
        if namespace.is_some_and(|ns| ns != namespace_of(&claim.metadata)) {
            continue;
        }
        problems.extend(multi_attach(claim, index));
        if let Some(pv) = index.volume_of(claim) {
            problems.extend(affinity_conflict(claim, pv, &index.inv.nodes));
        }
        problems.extend(pending_class(claim, index, has_default_class));
    }
    problems
}

fn problem(
    kind: ProblemKind,
    claim: &PersistentVolumeClaim,
    message: String,
    advice: &str,
) -> Problem {
    Problem {
        kind,
        namespace: namespace_of(&claim.metadata).to_owned(),
        claim: name_of(&claim.metadata).to_owned(),
        message,
        advice: advice.to_owned(),
    }
}

fn single_node_only(claim: &PersistentVolumeClaim) -> bool {
    let modes = claim
        .spec
        .as_ref()
        .and_then(|s| s.access_modes.clone())
        .unwrap_or_default();
    !modes.is_empty()
        && modes
            .iter()
            .all(|m| m == "ReadWriteOnce" || m == "ReadWriteOncePod")
}

/// A ReadWriteOnce claim used by live pods on more than one node, or Multi-Attach events.
fn multi_attach(claim: &PersistentVolumeClaim, index: &Index) -> Option<Problem> {
    if !single_node_only(claim) {
        return None;
    }
    let users: Vec<PodFacts> = index
        .users_of(claim)
        .into_iter()
        .map(|(p, _)| PodFacts::of(p))
        .filter(|p| !p.finished() && !p.terminating)
        .collect();
    let nodes: BTreeSet<&str> = users.iter().filter_map(|p| p.node.as_deref()).collect();
    let event = index
        .users_of(claim)
        .into_iter()
        .flat_map(|(p, _)| index.events_of(p.metadata.uid.as_deref()))
        .find_map(|e| {
            e.message
                .as_deref()
                .filter(|m| m.contains("Multi-Attach error"))
                .map(str::to_owned)
        });
    if nodes.len() < 2 && event.is_none() {
        return None;
    }
    let message = match event {
        Some(m) => m,
        None => format!(
            "ReadWriteOnce volume used by pods on {} nodes ({}): it attaches to one node at a time",
            nodes.len(),
            nodes.into_iter().collect::<Vec<_>>().join(", ")
        ),
    };
    Some(problem(
        ProblemKind::MultiAttach,
        claim,
        message,
        "a ReadWriteOnce volume attaches to one node at a time: run one replica (replicas=1), keep the pods on one node, or use ReadWriteMany storage (file storage); no finalizer is involved",
    ))
}

/// A volume whose `spec.nodeAffinity` no existing schedulable node satisfies.
fn affinity_conflict(
    claim: &PersistentVolumeClaim,
    pv: &PersistentVolume,
    nodes: &[Node],
) -> Option<Problem> {
    let required = pv
        .spec
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required
        .as_ref()?;
    let schedulable = nodes.iter().filter(|n| {
        !n.spec
            .as_ref()
            .and_then(|s| s.unschedulable)
            .unwrap_or(false)
    });
    if schedulable.clone().any(|n| selector_matches(required, n)) {
        return None;
    }
    Some(problem(
        ProblemKind::NodeAffinityConflict,
        claim,
        format!(
            "persistentvolume {} is pinned to {} and no schedulable node matches: pods using it fail with \"volume node affinity conflict\"",
            name_of(&pv.metadata),
            describe_selector(required)
        ),
        "add a node where the volume lives (e.g. in that zone) — deleting the claim instead loses its data",
    ))
}

fn pending_class(
    claim: &PersistentVolumeClaim,
    index: &Index,
    has_default: bool,
) -> Option<Problem> {
    let phase = claim.status.as_ref().and_then(|s| s.phase.as_deref());
    let spec = claim.spec.as_ref()?;
    if phase != Some("Pending") || spec.volume_name.as_deref().is_some_and(|v| !v.is_empty()) {
        return None;
    }
    match spec.storage_class_name.as_deref() {
        None if !has_default => Some(problem(
            ProblemKind::NoDefaultStorageClass,
            claim,
            "Pending without storageClassName, and the cluster has no default StorageClass".into(),
            "mark a StorageClass as default (annotation storageclass.kubernetes.io/is-default-class=\"true\") or set spec.storageClassName",
        )),
        Some(class)
            if !class.is_empty()
                && !index
                    .inv
                    .storage_classes
                    .iter()
                    .any(|sc| name_of(&sc.metadata) == class) =>
        {
            Some(problem(
                ProblemKind::MissingStorageClass,
                claim,
                format!("Pending on StorageClass {class}, which does not exist"),
                "create that StorageClass (or recreate the claim with an existing one)",
            ))
        }
        _ => None,
    }
}

/// Node selector terms are ORed; the expressions of a term are ANDed.
pub fn selector_matches(selector: &NodeSelector, node: &Node) -> bool {
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let name = name_of(&node.metadata);
    selector.node_selector_terms.iter().any(|term| {
        let exprs = term.match_expressions.iter().flatten();
        let fields = term.match_fields.iter().flatten();
        let mut any = false;
        let ok_labels = exprs.into_iter().all(|r| {
            any = true;
            requirement_matches(r, labels.get(&r.key).map(String::as_str))
        });
        let ok_fields = fields.into_iter().all(|r| {
            any = true;
            r.key == "metadata.name" && requirement_matches(r, Some(name))
        });
        any && ok_labels && ok_fields
    })
}

fn requirement_matches(r: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values = r.values.clone().unwrap_or_default();
    let number = |s: &str| s.parse::<i64>().ok();
    match (r.operator.as_str(), value) {
        ("In", Some(v)) => values.iter().any(|x| x == v),
        ("NotIn", Some(v)) => !values.iter().any(|x| x == v),
        ("NotIn" | "DoesNotExist", None) | ("Exists", Some(_)) => true,
        ("Gt", Some(v)) => {
            matches!((number(v), values.first().and_then(|x| number(x))), (Some(a), Some(b)) if a > b)
        }
        ("Lt", Some(v)) => {
            matches!((number(v), values.first().and_then(|x| number(x))), (Some(a), Some(b)) if a < b)
        }
        _ => false,
    }
}

fn describe_selector(selector: &NodeSelector) -> String {
    let terms: Vec<String> = selector
        .node_selector_terms
        .iter()
        .map(|t| {
            t.match_expressions
                .iter()
                .flatten()
                .chain(t.match_fields.iter().flatten())
                .map(|r| {
                    format!(
                        "{} {} [{}]",
                        r.key,
                        r.operator,
                        r.values.clone().unwrap_or_default().join(",")
                    )
                })
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    terms.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::*;
    use crate::inventory::Inventory;
    use firstaid::k8s_openapi::api::core::v1::{NodeSelectorTerm, VolumeNodeAffinity};
    use firstaid::k8s_openapi::api::storage::v1::StorageClass;

    fn zone_pinned(pv: PersistentVolume, zone: &str) -> PersistentVolume {
        let mut pv = pv;
        pv.spec.get_or_insert_with(Default::default).node_affinity = Some(VolumeNodeAffinity {
            required: Some(NodeSelector {
                node_selector_terms: vec![NodeSelectorTerm {
                    match_expressions: Some(vec![NodeSelectorRequirement {
                        key: "failure-domain.beta.kubernetes.io/zone".into(),
                        operator: "In".into(),
                        values: Some(vec![zone.into()]),
                    }]),
                    match_fields: None,
                }],
            }),
        });
        pv
    }

    fn in_zone(mut n: Node, zone: &str) -> Node {
        n.metadata.labels = Some(
            [(
                "failure-domain.beta.kubernetes.io/zone".to_owned(),
                zone.to_owned(),
            )]
            .into_iter()
            .collect(),
        );
        n
    }

    #[test]
    fn prometheus_volume_in_a_zone_without_nodes() {
        // The FAQ on volume node affinity: the retained prometheus claim's disk is in AZ3; every node is in AZ1.
        let inv = Inventory {
            claims: vec![
                claim("monitoring", "pvc-prometheus-server-0")
                    .bound_to("pvc-c79e53b2-0e59-4730-a4aa-7664b4d2291e"),
            ],
            volumes: vec![zone_pinned(
                volume("pvc-c79e53b2-0e59-4730-a4aa-7664b4d2291e").reclaim("Delete"),
                "ap-southeast-1c",
            )],
            nodes: vec![in_zone(node("n1", true), "ap-southeast-1a")],
            ..Inventory::default()
        };
        let problems = find(&Index::new(&inv), None);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].kind, ProblemKind::NodeAffinityConflict);
        assert!(
            problems[0].message.contains("ap-southeast-1c"),
            "{}",
            problems[0].message
        );
        assert!(problems[0].advice.contains("add a node"));

        let fine = Inventory {
            nodes: vec![in_zone(node("n3", true), "ap-southeast-1c")],
            ..inv
        };
        assert!(find(&Index::new(&fine), None).is_empty());
    }

    #[test]
    fn rwo_claim_on_two_nodes_is_multi_attach() {
        let inv = Inventory {
            claims: vec![claim("demo", "data")],
            pods: vec![
                pod("demo", "testttt-7b774658cb-lc98h", Some("n1"), "Running")
                    .with_claim("d", "data")
                    .into(),
                pod("demo", "testttt-7b774658cb-x2", Some("n2"), "Pending")
                    .with_claim("d", "data")
                    .into(),
            ],
            ..Inventory::default()
        };
        let problems = find(&Index::new(&inv), Some("demo"));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].kind, ProblemKind::MultiAttach);
        assert!(problems[0].advice.contains("replicas=1"));
    }

    #[test]
    fn multi_attach_event_is_evidence_too() {
        let waiting = pod("demo", "testttt-2", Some("n2"), "Pending").with_claim("d", "data");
        let inv = Inventory {
            claims: vec![claim("demo", "data")],
            events: vec![event(
                &waiting,
                "FailedAttachVolume",
                "Multi-Attach error for volume \"pvc-62a7a7d9-9dc8-42a2-8366-0f5ef9db5b60\" Volume is already used by pod(s) testttt-7b774658cb-lc98h",
                3,
            )],
            pods: vec![waiting.into()],
            ..Inventory::default()
        };
        let problems = find(&Index::new(&inv), None);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.starts_with("Multi-Attach error"));
    }

    #[test]
    fn pending_claims_without_a_class() {
        let mut inv = Inventory {
            claims: vec![
                claim("ks", "openldap-pvc-openldap-0").pending(None),
                claim("ks", "minio").pending(Some("fast")),
            ],
            ..Inventory::default()
        };
        let kinds: Vec<ProblemKind> = find(&Index::new(&inv), None)
            .iter()
            .map(|p| p.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                ProblemKind::NoDefaultStorageClass,
                ProblemKind::MissingStorageClass
            ]
        );
        let mut sc = StorageClass {
            provisioner: "openebs.io/local".into(),
            ..StorageClass::default()
        };
        sc.metadata.name = Some("fast".into());
        sc.metadata.annotations = Some(
            [(DEFAULT_CLASS_BETA.to_owned(), "true".to_owned())]
                .into_iter()
                .collect(),
        );
        inv.storage_classes.push(sc);
        assert!(find(&Index::new(&inv), None).is_empty());
    }

    #[test]
    fn selector_operators() {
        let req = |op: &str, values: &[&str]| NodeSelectorRequirement {
            key: "k".into(),
            operator: op.into(),
            values: Some(values.iter().map(|v| (*v).to_owned()).collect()),
        };
        assert!(requirement_matches(&req("In", &["a"]), Some("a")));
        assert!(!requirement_matches(&req("In", &["a"]), None));
        assert!(requirement_matches(&req("NotIn", &["a"]), None));
        assert!(requirement_matches(&req("Exists", &[]), Some("x")));
        assert!(requirement_matches(&req("DoesNotExist", &[]), None));
        assert!(requirement_matches(&req("Gt", &["3"]), Some("5")));
        assert!(!requirement_matches(&req("Lt", &["3"]), Some("5")));
    }
}
