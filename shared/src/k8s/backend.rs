//! Whether the Service behind an APIService (or an admission webhook) can answer: the Service is
//! missing, has no ready endpoint, or has one; and the APIService's own `Available` condition.
//!
//! kube-apiserver proxies aggregated APIs and calls webhooks through such a Service; when it has
//! no ready endpoint every call fails, which blocks namespace deletion (discovery) or every write
//! the webhook intercepts.

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
use kube::Client;
use kube::api::{Api, ListParams};
use serde::{Serialize, Serializer};

use crate::Result;

/// The Service an APIService or a webhook points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRef {
    pub namespace: String,
    pub name: String,
    /// The Service port called; 443 when the reference leaves it out (the API's default).
    pub port: i32,
}

impl ServiceRef {
    pub fn new(namespace: Option<&str>, name: Option<&str>, port: Option<i32>) -> Self {
        ServiceRef {
            namespace: namespace.unwrap_or_default().to_owned(),
            name: name.unwrap_or_default().to_owned(),
            port: port.unwrap_or(443),
        }
    }

    /// `namespace/name`, without the port.
    pub fn qualified(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

impl std::fmt::Display for ServiceRef {
    /// `namespace/name:port`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}:{}", self.namespace, self.name, self.port)
    }
}

impl Serialize for ServiceRef {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Can the Service answer?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum Backend {
    /// No Service by that name.
    ServiceMissing,
    /// An `ExternalName` Service: resolved through DNS, it has no endpoints to count.
    ExternalName,
    /// The Service exists but no EndpointSlice lists a ready endpoint: no pod behind it is ready.
    NoReadyEndpoints,
    /// At least one ready endpoint.
    Ready { endpoints: usize },
}

impl Backend {
    /// From what a compact reader knows: whether the Service exists, whether it is an
    /// `ExternalName` one, and how many ready endpoints its EndpointSlices list.
    pub fn from_parts(exists: bool, external_name: bool, ready_endpoints: usize) -> Self {
        match (exists, external_name, ready_endpoints) {
            (false, _, _) => Backend::ServiceMissing,
            (true, true, _) => Backend::ExternalName,
            (true, false, 0) => Backend::NoReadyEndpoints,
            (true, false, n) => Backend::Ready { endpoints: n },
        }
    }

    /// `slices` are the EndpointSlices labelled `kubernetes.io/service-name` with the Service's name.
    pub fn of(service: Option<&Service>, slices: &[EndpointSlice]) -> Self {
        let external = service
            .and_then(|s| s.spec.as_ref())
            .and_then(|s| s.type_.as_deref())
            == Some("ExternalName");
        Backend::from_parts(service.is_some(), external, ready_endpoints(slices))
    }

    /// Reads the Service and its EndpointSlices.
    pub async fn read(client: &Client, service: &ServiceRef) -> Result<Self> {
        let services: Api<Service> = Api::namespaced(client.clone(), &service.namespace);
        let Some(svc) = services.get_opt(&service.name).await? else {
            return Ok(Backend::ServiceMissing);
        };
        let slices: Api<EndpointSlice> = Api::namespaced(client.clone(), &service.namespace);
        let selector = format!("kubernetes.io/service-name={}", service.name);
        let list = slices
            .list(&ListParams::default().labels(&selector))
            .await?;
        Ok(Backend::of(Some(&svc), &list.items))
    }

    pub fn can_answer(self) -> bool {
        matches!(self, Backend::Ready { .. } | Backend::ExternalName)
    }

    /// A phrase for the report: "Service kube-system/metrics-server has no ready endpoints".
    pub fn describe(self, service: &ServiceRef) -> String {
        let svc = service.qualified();
        match self {
            Backend::ServiceMissing => format!("Service {svc} does not exist"),
            Backend::ExternalName => format!("Service {svc} is an ExternalName (not checked)"),
            Backend::NoReadyEndpoints => {
                format!("Service {svc} has no ready endpoints (no pod behind it is ready)")
            }
            Backend::Ready { endpoints } => {
                format!("Service {svc} has {endpoints} ready endpoint(s)")
            }
        }
    }
}

/// Endpoints counted ready: an unset `ready` means ready, as the EndpointSlice API defines it.
pub fn ready_endpoints(slices: &[EndpointSlice]) -> usize {
    slices
        .iter()
        .flat_map(|s| &s.endpoints)
        .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) != Some(false))
        .count()
}

/// An APIService and its `Available` condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiServiceState {
    pub name: String,
    pub uid: String,
    /// What a plan's digest binds a change of the APIService to (not shown).
    #[serde(skip)]
    pub resource_version: String,
    pub group: String,
    pub version: String,
    /// The backing Service (`namespace/name:port`); `None` for APIs kube-apiserver serves itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceRef>,
    /// The `Available` condition's status; `None` when the condition is missing.
    pub available: Option<bool>,
    pub reason: String,
    pub message: String,
}

impl ApiServiceState {
    pub fn of(a: &APIService) -> Self {
        let spec = a.spec.as_ref();
        let available = a
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Available"));
        ApiServiceState {
            name: a.metadata.name.clone().unwrap_or_default(),
            uid: a.metadata.uid.clone().unwrap_or_default(),
            resource_version: a.metadata.resource_version.clone().unwrap_or_default(),
            group: spec.and_then(|s| s.group.clone()).unwrap_or_default(),
            version: spec.and_then(|s| s.version.clone()).unwrap_or_default(),
            service: spec.and_then(|s| s.service.as_ref()).map(|svc| {
                ServiceRef::new(svc.namespace.as_deref(), svc.name.as_deref(), svc.port)
            }),
            available: available.map(|c| c.status == "True"),
            reason: available.and_then(|c| c.reason.clone()).unwrap_or_default(),
            message: available
                .and_then(|c| c.message.clone())
                .unwrap_or_default(),
        }
    }

    /// `group/version`, or just `version` for the core group.
    pub fn group_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Not reported Available (False, Unknown or missing). Local APIServices are always served.
    pub fn is_unavailable(&self) -> bool {
        self.service.is_some() && self.available != Some(true)
    }

    /// Why it is not Available, from the condition's reason and message.
    pub fn why(&self) -> String {
        match (self.reason.is_empty(), self.message.is_empty()) {
            (true, true) => "no Available condition yet".to_owned(),
            (false, true) => self.reason.clone(),
            (true, false) => self.message.clone(),
            (false, false) => format!("{}: {}", self.reason, self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn slices(ready: &[Option<bool>]) -> Vec<EndpointSlice> {
        let endpoints: Vec<_> = ready
            .iter()
            .map(|r| json!({"addresses": ["10.0.0.1"], "conditions": {"ready": r}}))
            .collect();
        vec![
            serde_json::from_value(json!({"metadata": {"name": "s"}, "addressType": "IPv4",
                "endpoints": endpoints}))
            .expect("slice"),
        ]
    }

    fn service(type_: &str) -> Service {
        serde_json::from_value(json!({"metadata": {"name": "svc"}, "spec": {"type": type_}}))
            .expect("service")
    }

    #[test]
    fn backend_states() {
        assert_eq!(Backend::of(None, &[]), Backend::ServiceMissing);
        let svc = service("ClusterIP");
        assert_eq!(Backend::of(Some(&svc), &[]), Backend::NoReadyEndpoints);
        assert_eq!(
            Backend::of(Some(&svc), &slices(&[Some(false)])),
            Backend::NoReadyEndpoints
        );
        let ready = Backend::of(Some(&svc), &slices(&[Some(false), None, Some(true)]));
        assert_eq!(ready, Backend::Ready { endpoints: 2 });
        assert!(ready.can_answer());
        let external = Backend::of(Some(&service("ExternalName")), &[]);
        assert_eq!(external, Backend::ExternalName);
        let svc_ref = ServiceRef::new(Some("kube-system"), Some("metrics-server"), None);
        assert_eq!(svc_ref.to_string(), "kube-system/metrics-server:443");
        assert!(
            Backend::NoReadyEndpoints
                .describe(&svc_ref)
                .contains("kube-system/metrics-server has no ready endpoints")
        );
    }

    #[test]
    fn apiservice_availability() {
        let a: APIService = serde_json::from_value(json!({
            "metadata": {"name": "v1beta1.metrics.k8s.io", "uid": "u"},
            "spec": {"group": "metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": 100,
                     "versionPriority": 100,
                     "service": {"namespace": "kube-system", "name": "metrics-server"}},
            "status": {"conditions": [{"type": "Available", "status": "False",
                "reason": "FailedDiscoveryCheck", "message": "no response"}]}
        }))
        .expect("apiservice");
        let s = ApiServiceState::of(&a);
        assert!(s.is_unavailable());
        assert_eq!(s.group_version(), "metrics.k8s.io/v1beta1");
        assert_eq!(s.why(), "FailedDiscoveryCheck: no response");
        let json = serde_json::to_value(&s).expect("json");
        assert_eq!(json["service"], "kube-system/metrics-server:443");
        let local: APIService = serde_json::from_value(json!({"metadata": {"name": "v1."},
            "spec": {"version": "v1", "groupPriorityMinimum": 1, "versionPriority": 1}}))
        .expect("local");
        let local = ApiServiceState::of(&local);
        assert!(!local.is_unavailable() && local.service.is_none());
        assert_eq!(local.why(), "no Available condition yet");
    }
}
