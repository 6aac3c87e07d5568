//! Unit tests of plans, and property tests of their ordering and tables: the applier runs steps
//! in [`Plan::ordered`] order, one phase after the other, so a wrong order would run a
//! destructive step before the gentler ones meant to make it unnecessary.

use super::*;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kube::api::ObjectMeta;

#[test]
fn targets_from_typed_objects() {
    let pvc = PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some("data".into()),
            namespace: Some("db".into()),
            uid: Some("u1".into()),
            ..ObjectMeta::default()
        },
        ..PersistentVolumeClaim::default()
    };
    let t = Target::of(&pvc);
    assert_eq!(
        (t.kind.as_str(), t.plural.as_str(), t.version.as_str()),
        ("PersistentVolumeClaim", "persistentvolumeclaims", "v1")
    );
    assert_eq!(t.display(), "persistentvolumeclaim/data");
    assert_eq!(t.api_resource().api_version, "v1");
}

#[test]
fn custom_resources_display_with_group() {
    let ar = ApiResource {
        group: "example.com".into(),
        version: "v1".into(),
        api_version: "example.com/v1".into(),
        kind: "Widget".into(),
        plural: "widgets".into(),
    };
    let t = Target::from_api_resource(&ar, Some("ns"), "w", None);
    assert_eq!(t.display(), "widget.example.com/w");
    assert_eq!(t.rbac_resource(), "widgets.example.com");
}

#[test]
fn plan_orders_by_phase_stably() {
    let ar = ApiResource::erase::<PersistentVolumeClaim>(&());
    let t = |n: &str| Target::from_api_resource(&ar, Some("ns"), n, None);
    let mut plan = Plan::default();
    plan.push(
        Step::new(
            t("c"),
            Action::Delete {
                grace_period_seconds: None,
            },
            "x",
        )
        .phase(2),
    );
    plan.push(
        Step::new(
            t("a"),
            Action::Delete {
                grace_period_seconds: None,
            },
            "x",
        )
        .phase(1),
    );
    plan.push(
        Step::new(
            t("b"),
            Action::Delete {
                grace_period_seconds: None,
            },
            "x",
        )
        .phase(1),
    );
    let names: Vec<&str> = plan
        .ordered()
        .iter()
        .map(|s| s.target.name.as_str())
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    let text = plan.table().render(false, true, None, false);
    assert!(text.starts_with("#   OBJECT"), "{text}");
    let grouped = plan.grouped_table().render(false, true, None, false);
    assert_eq!(grouped.lines().count(), 2, "{grouped}");
    assert!(
        grouped.contains("ns                3   delete"),
        "{grouped}"
    );
}

use proptest::prelude::*;

fn target(i: usize, namespaced: bool) -> Target {
    Target {
        group: String::new(),
        version: "v1".into(),
        kind: "ConfigMap".into(),
        plural: "configmaps".into(),
        namespace: namespaced.then(|| "ns".to_owned()),
        name: format!("obj-{i}"),
        uid: None,
        resource_version: None,
    }
}

/// (phase, cluster-wide, risk, namespaced) per step; the step's index is its name.
fn steps() -> impl Strategy<Value = Vec<(u8, bool, u8, bool)>> {
    prop::collection::vec((0..5u8, any::<bool>(), 0..3u8, any::<bool>()), 0..40)
}

fn plan_of(specs: &[(u8, bool, u8, bool)]) -> Plan {
    let mut plan = Plan::default();
    for (i, &(phase, cluster_wide, risk, namespaced)) in specs.iter().enumerate() {
        let mut step = Step::new(
            target(i, namespaced),
            Action::Delete {
                grace_period_seconds: None,
            },
            format!("reason {}", i % 3),
        )
        .phase(phase)
        .risk([Risk::Low, Risk::Medium, Risk::High][usize::from(risk)]);
        if cluster_wide {
            step = step.cluster_wide();
        }
        plan.push(step);
    }
    plan
}

fn index(step: &Step) -> usize {
    step.target
        .name
        .trim_start_matches("obj-")
        .parse()
        .expect("generated name")
}

proptest! {
    /// Phases never go backwards, and within a phase the plugin's order is kept.
    #[test]
    fn ordered_is_a_stable_sort_by_phase(specs in steps()) {
        let plan = plan_of(&specs);
        let ordered = plan.ordered();
        prop_assert_eq!(ordered.len(), specs.len());
        for pair in ordered.windows(2) {
            prop_assert!(pair[0].phase <= pair[1].phase);
            if pair[0].phase == pair[1].phase {
                prop_assert!(index(pair[0]) < index(pair[1]), "not stable within phase {}", pair[0].phase);
            }
        }
        // A permutation: every step exactly once.
        let mut seen: Vec<usize> = ordered.iter().map(|s| index(s)).collect();
        seen.sort_unstable();
        prop_assert_eq!(seen, (0..specs.len()).collect::<Vec<_>>());
    }

    /// Ordering does not depend on how the plugin interleaved phases: pushing the same steps
    /// phase by phase gives the same order.
    #[test]
    fn ordered_ignores_interleaving(specs in steps()) {
        let plan = plan_of(&specs);
        let mut by_phase: Vec<(usize, (u8, bool, u8, bool))> = specs.iter().copied().enumerate().collect();
        by_phase.sort_by_key(|(_, s)| s.0);
        let expected: Vec<usize> = by_phase.iter().map(|(i, _)| *i).collect();
        let got: Vec<usize> = plan.ordered().iter().map(|s| index(s)).collect();
        prop_assert_eq!(got, expected);
    }

    /// The confirmation table shows every step once, numbered in execution order, and marks
    /// exactly the cluster-wide ones as such; the grouped table accounts for every step.
    #[test]
    fn tables_show_every_step_and_mark_cluster_wide(specs in steps()) {
        let plan = plan_of(&specs);
        let rendered = plan.table().render(false, true, None, false);
        let rows: Vec<&str> = rendered.lines().skip(1).collect();
        prop_assert_eq!(rows.len(), specs.len());
        for (row, step) in rows.iter().zip(plan.ordered()) {
            let name = format!("configmap/{} ", step.target.name);
            prop_assert!(row.contains(&name), "{} not in {:?}", name, row);
            prop_assert_eq!(row.contains("(cluster-wide)"), step.cluster_wide, "{}", row);
        }
        let grouped = plan.grouped_table().render(false, true, None, false);
        let counted: usize = grouped
            .lines()
            .skip(1)
            .map(|line| {
                line.split_whitespace()
                    .nth(1)
                    .and_then(|n| n.parse::<usize>().ok())
                    .expect("objects column")
            })
            .sum();
        prop_assert_eq!(counted, specs.len());
        let marked = grouped.lines().filter(|l| l.contains("(cluster-wide)")).count();
        prop_assert_eq!(marked > 0, specs.iter().any(|s| s.1));
    }
}

/// The applier tells the user when backups are redacted; it learns that from the outline.
#[test]
fn outline_counts_the_secrets_a_plan_changes() {
    let mut plan = plan_of(&[(0, false, 0, true); 3]);
    for step in plan.steps.iter_mut().take(2) {
        step.target.kind = "Secret".into();
        step.target.plural = "secrets".into();
    }
    assert_eq!(plan.outline().secrets, 2);
    let note = crate::backup::secrets_note(2);
    assert!(
        note.contains("2 Secret(s)") && note.contains("REDACTED-BY-FIRSTAID"),
        "{note}"
    );
}
