//! Typed guards: a plugin's safety rule, asked again on each object as it is right before the
//! request (see [`crate::apply::Guard`]), written over a typed view of that object instead of raw
//! JSON. The view is the plugin's own small struct declaring only the fields its rule reads (as
//! the list projections do), deserialized straight from the fresh read; an object that no longer
//! parses as the view is left alone, never changed on a guess.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::driver::GuardFn;
use crate::plan::Step;

/// A plugin's re-check of one step on the object's current state.
pub trait Guard: Sync {
    /// The fields of the object the rule reads.
    type View: DeserializeOwned;

    /// `Some(reason)` skips the step: it no longer applies to the object as it is now.
    fn check(&self, step: &Step, current: &Self::View) -> Option<String>;
}

/// The metadata most rules read (absent fields are empty).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Meta {
    pub name: String,
    pub namespace: Option<String>,
    pub uid: String,
    pub resource_version: String,
    /// RFC 3339, as the server sent it; `Some` while the object is being deleted.
    pub deletion_timestamp: Option<String>,
    pub finalizers: Vec<String>,
    pub labels: BTreeMap<String, String>,
}

/// An object's metadata alone: the view of a rule that reads nothing else.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Metadata {
    pub metadata: Meta,
}

/// A step that only finishes a deletion (removing finalizers, a force delete) runs only on an
/// object that is still being deleted.
#[derive(Debug, Clone, Copy, Default)]
pub struct StillDeleting;

impl Guard for StillDeleting {
    type View = Metadata;

    fn check(&self, _: &Step, current: &Metadata) -> Option<String> {
        current
            .metadata
            .deletion_timestamp
            .is_none()
            .then(|| "the object is no longer being deleted".into())
    }
}

/// Runs `guard` on `current` read as its view.
pub fn check<G: Guard + ?Sized>(guard: &G, step: &Step, current: &Value) -> Option<String> {
    match G::View::deserialize(current) {
        Ok(view) => guard.check(step, &view),
        Err(e) => Some(format!(
            "the object as read now does not have the expected shape ({e}), so it is left alone"
        )),
    }
}

/// `guard` in the form the [`crate::Applier`] calls.
pub fn boxed<'a, G: Guard + 'a>(guard: G) -> GuardFn<'a> {
    Box::new(move |step, current| check(&guard, step, current))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::pod_delete_step;
    use serde_json::json;

    #[derive(Deserialize)]
    struct View {
        #[serde(default)]
        metadata: Meta,
        spec: Spec,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Spec {
        node_name: String,
    }

    struct OnNode(&'static str);

    impl Guard for OnNode {
        type View = View;
        fn check(&self, _: &Step, current: &View) -> Option<String> {
            if current.metadata.deletion_timestamp.is_none() {
                return Some("no longer being deleted".into());
            }
            (current.spec.node_name != self.0).then(|| "moved".into())
        }
    }

    #[test]
    fn the_rule_sees_the_typed_view_and_a_shape_it_cannot_read_is_left_alone() {
        let guard = boxed(OnNode("n1"));
        let deleting = json!({"metadata": {"deletionTimestamp": "2024-01-01T00:00:00Z"}, "spec": {"nodeName": "n1"}});
        assert_eq!(guard(&pod_delete_step(), &deleting), None);
        let moved = json!({"metadata": {"deletionTimestamp": "2024-01-01T00:00:00Z"}, "spec": {"nodeName": "n2"}});
        assert_eq!(guard(&pod_delete_step(), &moved).as_deref(), Some("moved"));
        let alive = json!({"metadata": {}, "spec": {"nodeName": "n1"}});
        assert!(guard(&pod_delete_step(), &alive).is_some());
        let why =
            guard(&pod_delete_step(), &json!({"metadata": {}, "spec": {}})).expect("left alone");
        assert!(why.contains("nodeName"), "{why}");
    }
}
