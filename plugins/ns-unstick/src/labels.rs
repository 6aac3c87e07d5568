//! Label selectors (`matchLabels`, `matchExpressions`) evaluated as the API server does, for a
//! webhook's namespace and object selectors.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Selector {
    pub match_labels: BTreeMap<String, String>,
    pub match_expressions: Vec<Requirement>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Requirement {
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: String,
    pub values: Vec<String>,
}

impl Selector {
    /// Every label and every expression must hold; the empty selector selects everything. An
    /// unknown operator selects nothing, as the server rejects such a selector.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| r.matches(labels))
    }
}

impl Requirement {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.key);
        match self.operator.as_str() {
            "In" => value.is_some_and(|v| self.values.contains(v)),
            "NotIn" => value.is_none_or(|v| !self.values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    }
}

/// Labels from `key, value` pairs, for fixtures.
#[cfg(test)]
pub fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn selector(value: serde_json::Value) -> Selector {
        serde_json::from_value(value).expect("selector")
    }

    #[test]
    fn empty_selects_everything() {
        assert!(Selector::default().matches(&labels(&[])));
    }

    #[test]
    fn labels_and_expressions_all_hold() {
        let s = selector(json!({
            "matchLabels": {"team": "shop"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["web", "api"]},
                {"key": "legacy", "operator": "DoesNotExist"},
                {"key": "env", "operator": "NotIn", "values": ["prod"]}
            ]
        }));
        assert!(s.matches(&labels(&[("team", "shop"), ("tier", "web")])));
        assert!(!s.matches(&labels(&[("team", "shop"), ("tier", "db")])));
        assert!(!s.matches(&labels(&[
            ("team", "shop"),
            ("tier", "web"),
            ("legacy", "1")
        ])));
        assert!(!s.matches(&labels(&[
            ("team", "shop"),
            ("tier", "web"),
            ("env", "prod")
        ])));
        assert!(!s.matches(&labels(&[("tier", "web")])));
        let exists = selector(json!({"matchExpressions": [{"key": "a", "operator": "Exists"}]}));
        assert!(exists.matches(&labels(&[("a", "")])));
        assert!(!exists.matches(&labels(&[])));
    }
}
