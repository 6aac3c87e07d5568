//! The list view's one-line reason, read from the namespace's own status alone.

use firstaid::k8s::Timestamp;

use super::CONTROLLER_GRACE_SECONDS;
use crate::model::{ApiServiceState, NamespaceState};

/// A one-line reason from the namespace's own status (cheap: no search), for the list view.
pub fn quick_reason(
    ns: &NamespaceState,
    unavailable: &[&ApiServiceState],
    now: Timestamp,
) -> String {
    if let Some(a) = unavailable.first() {
        return format!(
            "blocked by unavailable APIService {}{}",
            a.name,
            if a.reason.is_empty() {
                String::new()
            } else {
                format!(" ({})", a.reason)
            }
        );
    }
    for type_ in [
        "NamespaceDeletionDiscoveryFailure",
        "NamespaceDeletionContentFailure",
        "NamespaceFinalizersRemaining",
        "NamespaceContentRemaining",
        "NamespaceDeletionGroupVersionParsingFailure",
    ] {
        if let Some(c) = ns.condition(type_).filter(|c| c.status == "True") {
            return format!("{}: {}", c.reason, c.message);
        }
    }
    let since = ns
        .deletion_timestamp
        .map(|t| firstaid::k8s::time::seconds_between(t, now));
    if ns.conditions.is_empty() && since.is_some_and(|s| s > CONTROLLER_GRACE_SECONDS) {
        return "no status conditions: the namespace controller is not processing it".into();
    }
    if ns.spec_finalizers.is_empty() && !ns.metadata_finalizers.is_empty() {
        return format!(
            "metadata.finalizers remain: {}",
            ns.metadata_finalizers.join(", ")
        );
    }
    "content removed; the namespace controller is finishing".into()
}
