//! The namespace controller's deletion conditions, in plain words.

use serde::Serialize;

use crate::model::Condition;

/// A status condition with what it means in plain words.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExplainedCondition {
    #[serde(flatten)]
    pub condition: Condition,
    /// Set for conditions that are True (a problem).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// What a True namespace-deletion condition means.
pub fn explain(condition: &Condition) -> Option<String> {
    if condition.status != "True" {
        return None;
    }
    let text = match condition.type_.as_str() {
        "NamespaceDeletionDiscoveryFailure" => {
            "the namespace controller could not discover every API group (usually an aggregated API whose APIService is down), so it cannot prove the namespace is empty and will not finish deleting it"
        }
        "NamespaceDeletionGroupVersionParsingFailure" => {
            "discovery returned an API group version the namespace controller could not parse; it will not finish until discovery is clean"
        }
        "NamespaceDeletionContentFailure" => {
            "the namespace controller tried to delete objects in the namespace and the server refused some of the deletes (a webhook, a quota on deletes, or a broken API)"
        }
        "NamespaceContentRemaining" => {
            "objects are still in the namespace: they are being deleted, or held by finalizers"
        }
        "NamespaceFinalizersRemaining" => {
            "objects in the namespace carry finalizers that their controllers have not removed yet"
        }
        _ => return None,
    };
    Some(text.to_owned())
}
