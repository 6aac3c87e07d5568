//! The facts a verdict is reached from, as plain data.
//!
//! The verdict logic reads these instead of Kubernetes types so its fixtures are a few readable
//! lines each, and so the rules can be read without knowing where in a Pod each field lives.
//! [`crate::extract`] fills them from the fetched objects.

use firstaid::k8s::{NodeCondition, Timestamp};

/// Where in the pod a container is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ContainerType {
    Init,
    /// An init container with `restartPolicy: Always` (native sidecar).
    Sidecar,
    Regular,
    Ephemeral,
}

impl ContainerType {
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerType::Init => "init",
            ContainerType::Sidecar => "sidecar",
            ContainerType::Regular => "regular",
            ContainerType::Ephemeral => "ephemeral",
        }
    }
}

/// A `terminated` container state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Termination {
    pub exit_code: i32,
    pub signal: Option<i32>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}

impl Termination {
    pub fn reason_is(&self, reason: &str) -> bool {
        self.reason.as_deref() == Some(reason)
    }
}

/// A container's current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Running {
        started_at: Option<Timestamp>,
    },
    Waiting {
        reason: Option<String>,
        message: Option<String>,
    },
    Terminated(Termination),
    /// No status reported yet.
    Unknown,
}

/// A probe, described the way `kubectl describe` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeFacts {
    /// `http-get http://:8080/healthz`, `exec [cat /tmp/ok]`, `tcp-socket :5432`, `grpc :9090`.
    pub action: String,
    pub initial_delay_seconds: i32,
    pub timeout_seconds: i32,
    pub period_seconds: i32,
    pub failure_threshold: i32,
}

impl ProbeFacts {
    pub fn describe(&self) -> String {
        format!(
            "{} delay={}s timeout={}s period={}s #failure={}",
            self.action,
            self.initial_delay_seconds,
            self.timeout_seconds,
            self.period_seconds,
            self.failure_threshold
        )
    }
}

/// One container: its spec and its status together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerFacts {
    pub name: String,
    pub kind: ContainerType,
    pub image: String,
    /// `imagePullPolicy` as set (the API server defaults it, so it is set on created pods).
    pub image_pull_policy: Option<String>,
    pub command: Vec<String>,
    pub args: Vec<String>,
    pub memory_limit: Option<String>,
    pub memory_request: Option<String>,
    pub liveness: Option<ProbeFacts>,
    pub startup: Option<ProbeFacts>,
    /// `containerPort/protocol`.
    pub ports: Vec<(i32, String)>,
    pub state: State,
    pub last_state: Option<Termination>,
    pub restart_count: i32,
}

/// An event about the pod (or the node), reduced to what the rules read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventFacts {
    pub reason: String,
    pub message: String,
    pub warning: bool,
    pub count: i32,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// `spec.containers{app}`: which container the event is about, if any.
    pub field_path: Option<String>,
}

impl EventFacts {
    /// Whether the event is about container `name` (or about the whole pod).
    pub fn concerns(&self, name: &str) -> bool {
        match &self.field_path {
            Some(path) if path.contains('{') => path.ends_with(&format!("{{{name}}}")),
            _ => true,
        }
    }

    /// Whether the event happened within `slack` seconds of the window `from..=to`. Events without
    /// timestamps are taken to match: better a shown event than a hidden one.
    pub fn near(&self, from: Option<Timestamp>, to: Option<Timestamp>, slack: i64) -> bool {
        let first = self.first.or(self.last);
        let last = self.last.or(self.first);
        let (Some(first), Some(last)) = (first, last) else {
            return true;
        };
        let starts_before_end = to.is_none_or(|to| first.as_second() <= to.as_second() + slack);
        let ends_after_start = from.is_none_or(|from| last.as_second() >= from.as_second() - slack);
        starts_before_end && ends_after_start
    }
}

/// The pod as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodFacts {
    pub namespace: String,
    pub name: String,
    pub node: Option<String>,
    pub phase: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    /// `Always` when unset, as the API server defaults it.
    pub restart_policy: String,
    pub deleting: bool,
    pub grace_period_seconds: Option<i64>,
    pub active_deadline_seconds: Option<i64>,
    /// Pod-level `spec.resources.limits.memory`.
    pub memory_limit: Option<String>,
    /// The controlling owner, `Deployment/web` style (a ReplicaSet is resolved to its Deployment
    /// when its name says so).
    pub owner: Option<(String, String)>,
    /// `kubernetes.io/arch` from the pod's nodeSelector, if it asks for one.
    pub arch_selector: Option<String>,
    pub events: Vec<EventFacts>,
    /// The pull secrets the kubelet would send, and whether they exist.
    pub pull_secrets: PullSecrets,
}

/// The registry credentials a pod can use: its own `imagePullSecrets` and its ServiceAccount's.
/// Only names and existence: a Secret's data is never read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PullSecrets {
    /// `spec.serviceAccountName` (`default` when unset).
    pub service_account: String,
    /// `spec.imagePullSecrets[].name`.
    pub pod: Vec<String>,
    /// The ServiceAccount's `imagePullSecrets[].name`; `None` when it was not read.
    pub service_account_secrets: Option<Vec<String>>,
    /// Secret name → whether it exists in the pod's namespace, for the names that were checked.
    pub exists: std::collections::BTreeMap<String, bool>,
    /// Why the ServiceAccount or the Secrets could not be read, if they could not.
    pub unreadable: Option<String>,
}

impl PullSecrets {
    /// Every referenced name, the pod's first, without repeats.
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let from_sa = self.service_account_secrets.iter().flatten();
        for name in self.pod.iter().chain(from_sa) {
            if !out.contains(&name.as_str()) {
                out.push(name);
            }
        }
        out
    }
}

/// The node the pod ran on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeFacts {
    pub name: String,
    /// `kubernetes.io/arch` label (or `status.nodeInfo.architecture`).
    pub arch: Option<String>,
    /// `status.conditions[type=MemoryPressure]`.
    pub memory_pressure: Option<NodeCondition>,
    /// `status.conditions[type=DiskPressure]`.
    pub disk_pressure: Option<NodeCondition>,
    /// `status.nodeInfo.containerRuntimeVersion` (`containerd://1.7.2`, `cri-o://1.30.1`).
    pub runtime: Option<String>,
    /// `SystemOOM` events the kubelet recorded for the node.
    pub system_ooms: Vec<EventFacts>,
}

/// Recent memory usage of a container from metrics.k8s.io, in bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    pub memory_bytes: f64,
}
