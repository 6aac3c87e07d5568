//! Fixtures the unit tests of several modules share.

use crate::plan::{Action, Step, Target};

/// Pod `ns/NAME`, without uid or resourceVersion.
pub fn pod_target(name: &str) -> Target {
    Target {
        group: String::new(),
        version: "v1".into(),
        kind: "Pod".into(),
        plural: "pods".into(),
        namespace: Some("ns".into()),
        name: name.into(),
        uid: None,
        resource_version: None,
    }
}

/// Deleting `target`.
pub fn delete(target: Target) -> Step {
    let delete = Action::Delete {
        grace_period_seconds: None,
    };
    Step::new(target, delete, "x")
}

/// A step deleting pod `ns/p` (uid `u1`, resourceVersion 7).
pub fn pod_delete_step() -> Step {
    delete(Target {
        uid: Some("u1".into()),
        resource_version: Some("7".into()),
        ..pod_target("p")
    })
}
