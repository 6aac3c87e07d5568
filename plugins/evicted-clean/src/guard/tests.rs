use super::*;
use serde_json::json;

fn pod(value: &serde_json::Value) -> PodView {
    serde_json::from_value(value.clone()).expect("pod view")
}

#[test]
fn still_selected_rechecks_phase_and_reason() {
    let c = Criteria::new(&[], &[], None);
    let evicted_pod = json!({"status": {"phase": "Failed", "reason": "Evicted"}});
    assert_eq!(evicted(&c, &evicted_pod), None);
    assert!(evicted(&c, &json!({"status": {"phase": "Running"}})).is_some());
    let errored = json!({"status": {"phase": "Failed", "reason": "Error"}});
    assert!(evicted(&c, &errored).is_some());
}

#[test]
fn a_force_delete_is_refused_when_the_node_came_back() {
    let stuck = pod(&json!({
        "metadata": {"deletionTimestamp": "2024-01-01T00:00:00Z"},
        "spec": {"nodeName": "n1"}
    }));
    let mut nodes = NodeIndex::new();
    assert_eq!(force_delete_refusal(&nodes, None, 0, &stuck), None);
    let mut back = NodeFacts::assumed_ready("n1".into());
    back.ready_since = Some(0);
    nodes.insert("n1".into(), back);
    let why = force_delete_refusal(&nodes, None, 0, &stuck).expect("refused");
    assert!(why.contains("Ready"), "{why}");
    let not_deleting = pod(&json!({"metadata": {}, "spec": {"nodeName": "n1"}}));
    assert!(force_delete_refusal(&NodeIndex::new(), None, 0, &not_deleting).is_some());
}
