//! Why usage is missing, in words that point at the right culprit.
//!
//! The FAQ's answer on `kubectl top` errors blames `ServiceUnavailable … (get nodes.metrics.k8s.io)`
//! on the network between the user and the master; its answer on metrics-server blames the same
//! message on the metrics APIService. When every
//! other call works, it is the APIService, and its `Available` condition says why. So on a
//! metrics failure we read `apiservices/v1beta1.metrics.k8s.io` and explain from it, and still
//! show everything the API server itself knows.

use firstaid::Error;
use serde::Serialize;

/// The APIService that serves metrics.k8s.io (metrics-server, prometheus-adapter, …).
pub const APISERVICE: &str = "v1beta1.metrics.k8s.io";

/// Whether usage could be read, and if not, why. Part of every JSON document.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct MetricsInfo {
    pub available: bool,
    /// `APIServiceNotFound`, `APIServiceUnavailable`, `Forbidden` or `MetricsError`; null when available.
    pub reason: Option<String>,
    /// A sentence for humans; null when available.
    pub message: Option<String>,
}

impl MetricsInfo {
    pub fn available() -> Self {
        MetricsInfo {
            available: true,
            ..MetricsInfo::default()
        }
    }
}

/// What `GET apiservices/v1beta1.metrics.k8s.io` told us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiServiceState {
    Absent,
    /// Exists, with its `Available` condition.
    Present(Box<firstaid::k8s::ApiServiceState>),
    /// Could not be read (e.g. RBAC); the text says why.
    Unknown(String),
}

/// Turns a failed metrics call (`error`, on `resource` like `nodes.metrics.k8s.io`) and the
/// APIService's state into the explanation shown instead of usage.
pub fn explain(error: &Error, resource: &str, apiservice: &ApiServiceState) -> MetricsInfo {
    let code = error.status().map(|s| s.code);
    let unavailable = |reason: &str, message: String| MetricsInfo {
        available: false,
        reason: Some(reason.to_owned()),
        message: Some(message),
    };
    if code == Some(403) {
        return unavailable(
            "Forbidden",
            format!(
                "usage not shown: you may not list {resource} ({error}); ask for `list` on that resource, or run with a user who has it"
            ),
        );
    }
    match apiservice {
        ApiServiceState::Absent => unavailable(
            "APIServiceNotFound",
            format!(
                "usage not shown: the metrics API is not installed (APIService {APISERVICE} does not exist), so `kubectl top` fails here too; install metrics-server to get usage"
            ),
        ),
        ApiServiceState::Present(state) if state.available == Some(true) => unavailable(
            "MetricsError",
            format!(
                "usage not shown: reading {resource} failed although APIService {APISERVICE} reports Available: {error}"
            ),
        ),
        ApiServiceState::Present(state) => {
            let backend = state.service.as_ref().map_or_else(String::new, |s| {
                format!(" (backed by Service {})", s.qualified())
            });
            let why = state.why();
            unavailable(
                "APIServiceUnavailable",
                format!(
                    "usage not shown: APIService {APISERVICE}{backend} is not Available ({why}). This is why `kubectl top` fails with \"ServiceUnavailable … (get {resource})\": the metrics server is down or unreachable from the API server, not the network between you and the cluster"
                ),
            )
        }
        ApiServiceState::Unknown(why) => unavailable(
            "MetricsError",
            format!(
                "usage not shown: reading {resource} failed ({error}); APIService {APISERVICE} could not be checked: {why}"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use firstaid::k8s::ServiceRef;
    use firstaid::kube::core::Status;

    fn present(
        available: Option<bool>,
        reason: &str,
        message: &str,
        service: Option<ServiceRef>,
    ) -> ApiServiceState {
        ApiServiceState::Present(Box::new(firstaid::k8s::ApiServiceState {
            name: APISERVICE.into(),
            uid: String::new(),
            resource_version: String::new(),
            group: "metrics.k8s.io".into(),
            version: "v1beta1".into(),
            service,
            available,
            reason: reason.into(),
            message: message.into(),
        }))
    }

    fn status(code: u16, reason: &str, message: &str) -> Error {
        Error::Api(Box::new(Status::failure(message, reason).with_code(code)))
    }

    #[test]
    fn unavailable_apiservice_is_named_not_the_network() {
        let err = status(
            503,
            "ServiceUnavailable",
            "the server is currently unable to handle the request (get nodes.metrics.k8s.io)",
        );
        let state = present(
            Some(false),
            "FailedDiscoveryCheck",
            "failing or missing response from https://10.0.0.1:443/apis/metrics.k8s.io/v1beta1",
            Some(ServiceRef::new(
                Some("kube-system"),
                Some("metrics-server"),
                None,
            )),
        );
        let info = explain(&err, "nodes.metrics.k8s.io", &state);
        assert!(!info.available);
        assert_eq!(info.reason.as_deref(), Some("APIServiceUnavailable"));
        let msg = info.message.unwrap_or_default();
        assert!(msg.contains("v1beta1.metrics.k8s.io (backed by Service kube-system/metrics-server) is not Available (FailedDiscoveryCheck: failing or missing response"), "{msg}");
        assert!(
            msg.contains("ServiceUnavailable … (get nodes.metrics.k8s.io)"),
            "{msg}"
        );
        assert!(msg.contains("not the network"), "{msg}");
    }

    #[test]
    fn absent_forbidden_and_odd_cases() {
        let not_found = status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        );
        let info = explain(&not_found, "nodes.metrics.k8s.io", &ApiServiceState::Absent);
        assert_eq!(info.reason.as_deref(), Some("APIServiceNotFound"));
        assert!(
            info.message
                .unwrap_or_default()
                .contains("install metrics-server")
        );

        let forbidden = status(403, "Forbidden", "nodes.metrics.k8s.io is forbidden");
        let info = explain(&forbidden, "nodes.metrics.k8s.io", &ApiServiceState::Absent);
        assert_eq!(info.reason.as_deref(), Some("Forbidden"));

        let boom = status(500, "InternalError", "boom");
        let available = present(Some(true), "Passed", "all checks passed", None);
        let info = explain(&boom, "pods.metrics.k8s.io", &available);
        assert_eq!(info.reason.as_deref(), Some("MetricsError"));
        let info = explain(
            &boom,
            "pods.metrics.k8s.io",
            &ApiServiceState::Unknown("forbidden".into()),
        );
        assert!(
            info.message
                .unwrap_or_default()
                .contains("could not be checked: forbidden")
        );
        assert!(MetricsInfo::available().available);
    }
}
