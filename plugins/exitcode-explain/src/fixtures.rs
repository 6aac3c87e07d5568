//! Fixtures shared by several modules' tests.

use crate::facts::PodFacts;

/// Pod `shop/web-1` of Deployment `web` on `node-a`.
pub fn pod() -> PodFacts {
    PodFacts {
        namespace: "shop".into(),
        name: "web-1".into(),
        node: Some("node-a".into()),
        restart_policy: "Always".into(),
        owner: Some(("Deployment".into(), "web".into())),
        ..PodFacts::default()
    }
}
