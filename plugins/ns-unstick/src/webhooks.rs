//! Admission webhooks as the API server applies them: which requests a webhook intercepts (its
//! rules, scope and selectors), and whether its backend can answer. Pure: the configurations are
//! read in `fetch_webhooks`, so this is tested on hand-written fixtures.
//!
//! A webhook with `failurePolicy: Fail` whose Service is missing or has no ready endpoints makes
//! the server reject every request it intercepts — the namespace controller's deletes and the
//! finalizer patch a fix would send alike. Its URL is never called: the backend state comes from
//! the Service and its EndpointSlices, and a `url` backend is reported as not probed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use firstaid::k8s::{Backend as ServiceBackend, ServiceRef};

use crate::labels::Selector;

/// One webhook of a Validating- or MutatingWebhookConfiguration, with its backend's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// `ValidatingWebhookConfiguration` or `MutatingWebhookConfiguration`.
    pub configuration_kind: String,
    pub configuration: String,
    pub configuration_uid: String,
    /// What the plan's digest binds a deletion of the configuration to (not shown).
    #[serde(skip)]
    pub configuration_resource_version: String,
    /// The webhook's own name (`webhooks[].name`), which the server's errors quote.
    pub name: String,
    pub spec: WebhookSpec,
    pub backend: Backend,
}

/// The parts of `webhooks[]` that decide what is intercepted (field names as in the API).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WebhookSpec {
    pub rules: Vec<Rule>,
    /// `Fail` (the default) or `Ignore`.
    pub failure_policy: Option<String>,
    pub namespace_selector: Option<Selector>,
    pub object_selector: Option<Selector>,
    /// `Equivalent` (the default: a rule for one version also catches the others) or `Exact`.
    pub match_policy: Option<String>,
    pub match_conditions: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Rule {
    pub operations: Vec<String>,
    pub api_groups: Vec<String>,
    pub api_versions: Vec<String>,
    pub resources: Vec<String>,
    /// `Cluster`, `Namespaced` or `*` (the default).
    pub scope: Option<String>,
}

/// Where the webhook's calls go and whether anything is there to answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Backend {
    /// `clientConfig.service`, and what its Service and EndpointSlices show.
    Service {
        service: ServiceRef,
        #[serde(flatten)]
        state: ServiceBackend,
    },
    /// The Service or its endpoints could not be read.
    Unread { service: ServiceRef, reason: String },
    /// `clientConfig.url`: never called, so its reachability is unknown.
    Url { url: String },
}

impl Backend {
    /// The Service is missing or has no ready endpoint: every call fails.
    pub fn is_dead(&self) -> bool {
        matches!(self, Backend::Service { state, .. } if !state.can_answer())
    }

    /// `namespace/name:port` or the URL: what identifies the backend.
    pub fn address(&self) -> String {
        match self {
            Backend::Service { service, .. } | Backend::Unread { service, .. } => {
                service.to_string()
            }
            Backend::Url { url } => url.clone(),
        }
    }

    /// In words, for the diagnosis.
    pub fn describe(&self) -> String {
        match self {
            Backend::Url { url } => {
                format!("url {url} (not probed: firstaid never calls webhooks)")
            }
            Backend::Service { service, state } => state.describe(service),
            Backend::Unread { service, reason } => {
                format!("Service {service} could not be read ({reason})")
            }
        }
    }
}

/// A request the API server would admit: what the namespace controller or a fix sends.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// `DELETE` or `UPDATE` (a finalizer patch is an UPDATE to admission).
    pub operation: &'a str,
    pub group: &'a str,
    pub version: &'a str,
    pub resource: &'a str,
    pub subresource: &'a str,
    /// Empty for cluster-scoped objects.
    pub namespace: &'a str,
    /// The labels of the object's namespace (of the object itself for a Namespace); `None` when
    /// unknown.
    pub namespace_labels: Option<&'a BTreeMap<String, String>>,
    pub object_labels: &'a BTreeMap<String, String>,
}

/// Whether a webhook is called for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Intercepts {
    No,
    Yes,
    /// The rules and selectors match, but `matchConditions` (CEL) decide, and they are not
    /// evaluated here.
    UnlessMatchConditions,
}

impl Webhook {
    /// `failurePolicy` is `Fail` (also when unset: the v1 default).
    pub fn fails_closed(&self) -> bool {
        self.spec.failure_policy.as_deref() != Some("Ignore")
    }

    /// Fails closed and nothing can answer: it rejects every request it intercepts.
    pub fn rejects_all(&self) -> bool {
        self.fails_closed() && self.backend.is_dead()
    }

    /// `validatingwebhookconfiguration.admissionregistration.k8s.io/NAME`.
    pub fn configuration_display(&self) -> String {
        format!(
            "{}.admissionregistration.k8s.io/{}",
            self.configuration_kind.to_lowercase(),
            self.configuration
        )
    }

    pub fn intercepts(&self, request: &Request<'_>) -> Intercepts {
        let exact = self.spec.match_policy.as_deref() == Some("Exact");
        if !self.spec.rules.iter().any(|r| r.matches(request, exact)) {
            return Intercepts::No;
        }
        if !self.namespace_selected(request)
            || !selects(self.spec.object_selector.as_ref(), request.object_labels)
        {
            return Intercepts::No;
        }
        if self.spec.match_conditions.is_empty() {
            Intercepts::Yes
        } else {
            Intercepts::UnlessMatchConditions
        }
    }

    /// The namespace selector applies to namespaced objects and to Namespaces themselves; an
    /// unknown namespace's labels are assumed to match (the cautious answer).
    fn namespace_selected(&self, request: &Request<'_>) -> bool {
        let is_namespace = request.group.is_empty() && request.resource == "namespaces";
        if request.namespace.is_empty() && !is_namespace {
            return true;
        }
        request
            .namespace_labels
            .is_none_or(|labels| selects(self.spec.namespace_selector.as_ref(), labels))
    }
}

fn selects(selector: Option<&Selector>, labels: &BTreeMap<String, String>) -> bool {
    selector.is_none_or(|s| s.matches(labels))
}

fn listed(values: &[String], value: &str) -> bool {
    values.iter().any(|v| v == "*" || v == value)
}

impl Rule {
    /// Versions count only under `matchPolicy: Exact`; otherwise the server converts the request
    /// to a version the rule names (same group and resource assumed equivalent).
    pub fn matches(&self, request: &Request<'_>, exact_version: bool) -> bool {
        listed(&self.operations, request.operation)
            && listed(&self.api_groups, request.group)
            && (!exact_version || listed(&self.api_versions, request.version))
            && self.resources.iter().any(|r| resource_matches(r, request))
            && self.scope_matches(request)
    }

    fn scope_matches(&self, request: &Request<'_>) -> bool {
        match self.scope.as_deref() {
            Some("Cluster") => request.namespace.is_empty(),
            Some("Namespaced") => !request.namespace.is_empty(),
            _ => true,
        }
    }
}

/// `*` is every resource but no subresource, `*/*` everything, `pods/*` every subresource of
/// pods, `*/status` that subresource of every resource.
fn resource_matches(pattern: &str, request: &Request<'_>) -> bool {
    if pattern == "*/*" {
        return true;
    }
    let (resource, sub) = pattern.split_once('/').unwrap_or((pattern, ""));
    let resource_ok = resource == "*" || resource == request.resource;
    let sub_ok = if sub.is_empty() {
        request.subresource.is_empty()
    } else {
        !request.subresource.is_empty() && (sub == "*" || sub == request.subresource)
    };
    resource_ok && sub_ok
}

/// The Service a webhook's `clientConfig` calls, if it names one.
pub fn service_of(client_config: &serde_json::Value) -> Option<ServiceRef> {
    let service = client_config["service"].as_object()?;
    let port = service
        .get("port")
        .and_then(serde_json::Value::as_i64)
        .and_then(|p| i32::try_from(p).ok());
    Some(ServiceRef::new(
        service.get("namespace").and_then(serde_json::Value::as_str),
        service.get("name").and_then(serde_json::Value::as_str),
        port,
    ))
}

/// A webhook's `clientConfig` as [`Backend::address`] names it.
pub fn address_of(client_config: &serde_json::Value) -> String {
    service_of(client_config).map_or_else(
        || client_config["url"].as_str().unwrap_or_default().to_owned(),
        |s| s.to_string(),
    )
}

/// The webhook named in a server error (`failed calling webhook "deny.example.com": …`).
pub fn named_in(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("calling webhook \"")?;
    rest.split_once('"').map(|(name, _)| name)
}

#[cfg(test)]
pub mod fixtures {
    use super::*;

    /// A Fail webhook on `verbs` of `resources` in the core group, backed by a missing Service.
    pub fn dead(name: &str, verbs: &[&str], resources: &[&str]) -> Webhook {
        let strings = |s: &[&str]| s.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
        Webhook {
            configuration_kind: "ValidatingWebhookConfiguration".into(),
            configuration: format!("{name}-config"),
            configuration_uid: format!("uid-{name}"),
            configuration_resource_version: "1".into(),
            name: name.into(),
            spec: WebhookSpec {
                rules: vec![Rule {
                    operations: strings(verbs),
                    api_groups: vec![String::new()],
                    api_versions: vec!["v1".into()],
                    resources: strings(resources),
                    scope: None,
                }],
                ..WebhookSpec::default()
            },
            backend: Backend::Service {
                service: ServiceRef::new(Some("hooks"), Some("gone"), None),
                state: ServiceBackend::ServiceMissing,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::dead;
    use super::*;
    use crate::labels::labels;
    use serde_json::json;

    fn request<'a>(
        op: &'a str,
        resource: &'a str,
        sub: &'a str,
        ns: &'a BTreeMap<String, String>,
        obj: &'a BTreeMap<String, String>,
    ) -> Request<'a> {
        Request {
            operation: op,
            group: "",
            version: "v1",
            resource,
            subresource: sub,
            namespace: "shop",
            namespace_labels: Some(ns),
            object_labels: obj,
        }
    }

    #[test]
    fn rules_match_operations_resources_and_subresources() {
        let none = BTreeMap::new();
        let hook = dead("deny", &["DELETE"], &["configmaps"]);
        assert_eq!(
            hook.intercepts(&request("DELETE", "configmaps", "", &none, &none)),
            Intercepts::Yes
        );
        assert_eq!(
            hook.intercepts(&request("UPDATE", "configmaps", "", &none, &none)),
            Intercepts::No
        );
        assert_eq!(
            hook.intercepts(&request("DELETE", "secrets", "", &none, &none)),
            Intercepts::No
        );
        let star = dead("all", &["*"], &["*"]);
        assert_eq!(
            star.intercepts(&request("UPDATE", "secrets", "", &none, &none)),
            Intercepts::Yes
        );
        assert_eq!(
            star.intercepts(&request("UPDATE", "namespaces", "finalize", &none, &none)),
            Intercepts::No
        );
        let subs = dead("subs", &["UPDATE"], &["*/*"]);
        assert_eq!(
            subs.intercepts(&request("UPDATE", "namespaces", "finalize", &none, &none)),
            Intercepts::Yes
        );
        let status = dead("status", &["UPDATE"], &["pods/status"]);
        assert_eq!(
            status.intercepts(&request("UPDATE", "pods", "", &none, &none)),
            Intercepts::No
        );
    }

    #[test]
    fn scope_and_selectors_narrow_what_is_intercepted() {
        let mut hook = dead("deny", &["DELETE"], &["configmaps"]);
        hook.spec.rules[0].scope = Some("Cluster".into());
        let none = BTreeMap::new();
        assert_eq!(
            hook.intercepts(&request("DELETE", "configmaps", "", &none, &none)),
            Intercepts::No
        );
        hook.spec.rules[0].scope = Some("Namespaced".into());
        hook.spec.namespace_selector =
            serde_json::from_value(json!({"matchLabels": {"team": "shop"}})).ok();
        hook.spec.object_selector = serde_json::from_value(
            json!({"matchExpressions": [{"key": "keep", "operator": "DoesNotExist"}]}),
        )
        .ok();
        let shop = labels(&[("team", "shop")]);
        let kept = labels(&[("keep", "yes")]);
        assert_eq!(
            hook.intercepts(&request("DELETE", "configmaps", "", &shop, &none)),
            Intercepts::Yes
        );
        assert_eq!(
            hook.intercepts(&request("DELETE", "configmaps", "", &none, &none)),
            Intercepts::No
        );
        assert_eq!(
            hook.intercepts(&request("DELETE", "configmaps", "", &shop, &kept)),
            Intercepts::No
        );
        hook.spec.match_conditions = vec![json!({"name": "c", "expression": "true"})];
        assert_eq!(
            hook.intercepts(&request("DELETE", "configmaps", "", &shop, &none)),
            Intercepts::UnlessMatchConditions
        );
    }

    #[test]
    fn only_a_fail_webhook_with_a_dead_service_rejects_everything() {
        let mut hook = dead("deny", &["DELETE"], &["configmaps"]);
        assert!(hook.rejects_all());
        hook.spec.failure_policy = Some("Ignore".into());
        assert!(!hook.rejects_all());
        hook.spec.failure_policy = None;
        hook.backend = Backend::Url {
            url: "https://hooks.example.com".into(),
        };
        assert!(!hook.rejects_all());
        assert!(hook.backend.describe().contains("not probed"));
    }

    #[test]
    fn the_webhook_is_found_in_the_servers_message() {
        let message = r#"Failed to delete all resource types, 1 remaining: Internal error occurred: failed calling webhook "deny.example.com": failed to call webhook: Post "https://gone.hooks.svc:443/?timeout=10s": service "gone" not found"#;
        assert_eq!(named_in(message), Some("deny.example.com"));
        assert_eq!(named_in("quota exceeded"), None);
    }
}
