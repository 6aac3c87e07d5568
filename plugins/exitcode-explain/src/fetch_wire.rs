//! The pod as a scan reads it through the shared reader ([`firstaid::read`]): only the fields
//! [`crate::extract`] and the scan's filter look at, with the tag numbers of k8s.io/api core/v1
//! `generated.proto`, decoded into a k8s-openapi `Pod` carrying just those fields. Env, volumes,
//! mounts, conditions and managedFields — most of a pod on the wire — are skipped unread.

use std::collections::BTreeMap;

use firstaid::read::meta::{Requirements, Time, list, number, text};
use firstaid::read::pod;
use k8s_openapi::api::core::v1 as api;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString as ApiIntOrString;
use prost::Message;

/// What a scan decodes each pod of a page as.
pub type Pod = pod::Pod<PodSpec, PodStatus>;

#[derive(Clone, PartialEq, Message)]
pub struct PodSpec {
    #[prost(message, repeated, tag = "2")]
    containers: Vec<Container>,
    #[prost(string, optional, tag = "3")]
    restart_policy: Option<String>,
    #[prost(int64, optional, tag = "4")]
    termination_grace_period_seconds: Option<i64>,
    #[prost(int64, optional, tag = "5")]
    active_deadline_seconds: Option<i64>,
    #[prost(btree_map = "string, string", tag = "7")]
    node_selector: BTreeMap<String, String>,
    #[prost(string, optional, tag = "8")]
    service_account_name: Option<String>,
    #[prost(string, optional, tag = "10")]
    node_name: Option<String>,
    #[prost(message, repeated, tag = "15")]
    image_pull_secrets: Vec<LocalObjectReference>,
    #[prost(message, repeated, tag = "20")]
    init_containers: Vec<Container>,
    #[prost(message, repeated, tag = "34")]
    ephemeral_containers: Vec<EphemeralContainer>,
    #[prost(message, optional, tag = "40")]
    resources: Option<Requirements>,
}

#[derive(Clone, PartialEq, Message)]
struct Container {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(string, optional, tag = "2")]
    image: Option<String>,
    #[prost(string, repeated, tag = "3")]
    command: Vec<String>,
    #[prost(string, repeated, tag = "4")]
    args: Vec<String>,
    #[prost(message, repeated, tag = "6")]
    ports: Vec<Port>,
    #[prost(message, optional, tag = "8")]
    resources: Option<Requirements>,
    #[prost(message, optional, tag = "10")]
    liveness_probe: Option<Probe>,
    #[prost(string, optional, tag = "14")]
    image_pull_policy: Option<String>,
    #[prost(message, optional, tag = "22")]
    startup_probe: Option<Probe>,
    #[prost(string, optional, tag = "24")]
    restart_policy: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct LocalObjectReference {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
}

/// An ephemeral container's fields sit in an embedded `EphemeralContainerCommon`, whose tags
/// are the Container ones.
#[derive(Clone, PartialEq, Message)]
struct EphemeralContainer {
    #[prost(message, optional, tag = "1")]
    common: Option<Container>,
}

#[derive(Clone, PartialEq, Message)]
struct Port {
    #[prost(int32, optional, tag = "3")]
    container_port: Option<i32>,
    #[prost(string, optional, tag = "4")]
    protocol: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct Probe {
    #[prost(message, optional, tag = "1")]
    handler: Option<ProbeHandler>,
    #[prost(int32, optional, tag = "2")]
    initial_delay_seconds: Option<i32>,
    #[prost(int32, optional, tag = "3")]
    timeout_seconds: Option<i32>,
    #[prost(int32, optional, tag = "4")]
    period_seconds: Option<i32>,
    #[prost(int32, optional, tag = "6")]
    failure_threshold: Option<i32>,
}

#[derive(Clone, PartialEq, Message)]
struct ProbeHandler {
    #[prost(message, optional, tag = "1")]
    exec: Option<Exec>,
    #[prost(message, optional, tag = "2")]
    http_get: Option<HttpGet>,
    #[prost(message, optional, tag = "3")]
    tcp_socket: Option<TcpSocket>,
    #[prost(message, optional, tag = "4")]
    grpc: Option<Grpc>,
}

#[derive(Clone, PartialEq, Message)]
struct Exec {
    #[prost(string, repeated, tag = "1")]
    command: Vec<String>,
}

#[derive(Clone, PartialEq, Message)]
struct HttpGet {
    #[prost(string, optional, tag = "1")]
    path: Option<String>,
    #[prost(message, optional, tag = "2")]
    port: Option<IntOrString>,
    #[prost(string, optional, tag = "3")]
    host: Option<String>,
    #[prost(string, optional, tag = "4")]
    scheme: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct TcpSocket {
    #[prost(message, optional, tag = "1")]
    port: Option<IntOrString>,
    #[prost(string, optional, tag = "2")]
    host: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct Grpc {
    #[prost(int32, optional, tag = "1")]
    port: Option<i32>,
    #[prost(string, optional, tag = "2")]
    service: Option<String>,
}

/// `intstr.IntOrString`: type 0 is the number, 1 the string.
#[derive(Clone, PartialEq, Message)]
struct IntOrString {
    #[prost(int64, optional, tag = "1")]
    kind: Option<i64>,
    #[prost(int32, optional, tag = "2")]
    int_val: Option<i32>,
    #[prost(string, optional, tag = "3")]
    str_val: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
pub struct PodStatus {
    #[prost(string, optional, tag = "1")]
    phase: Option<String>,
    #[prost(string, optional, tag = "3")]
    message: Option<String>,
    #[prost(string, optional, tag = "4")]
    reason: Option<String>,
    #[prost(message, repeated, tag = "8")]
    container_statuses: Vec<ContainerStatus>,
    #[prost(message, repeated, tag = "10")]
    init_container_statuses: Vec<ContainerStatus>,
    #[prost(message, repeated, tag = "13")]
    ephemeral_container_statuses: Vec<ContainerStatus>,
}

#[derive(Clone, PartialEq, Message)]
struct ContainerStatus {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(message, optional, tag = "2")]
    state: Option<ContainerState>,
    #[prost(message, optional, tag = "3")]
    last_state: Option<ContainerState>,
    #[prost(int32, optional, tag = "5")]
    restart_count: Option<i32>,
    #[prost(string, optional, tag = "6")]
    image: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct ContainerState {
    #[prost(message, optional, tag = "1")]
    waiting: Option<Waiting>,
    #[prost(message, optional, tag = "2")]
    running: Option<Running>,
    #[prost(message, optional, tag = "3")]
    terminated: Option<Terminated>,
}

#[derive(Clone, PartialEq, Message)]
struct Waiting {
    #[prost(string, optional, tag = "1")]
    reason: Option<String>,
    #[prost(string, optional, tag = "2")]
    message: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct Running {
    #[prost(message, optional, tag = "1")]
    started_at: Option<Time>,
}

#[derive(Clone, PartialEq, Message)]
struct Terminated {
    #[prost(int32, optional, tag = "1")]
    exit_code: Option<i32>,
    #[prost(int32, optional, tag = "2")]
    signal: Option<i32>,
    #[prost(string, optional, tag = "3")]
    reason: Option<String>,
    #[prost(string, optional, tag = "4")]
    message: Option<String>,
    #[prost(message, optional, tag = "5")]
    started_at: Option<Time>,
    #[prost(message, optional, tag = "6")]
    finished_at: Option<Time>,
}

fn time(t: Option<Time>) -> Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time> {
    t.and_then(Time::to_api)
}

impl From<IntOrString> for ApiIntOrString {
    fn from(p: IntOrString) -> Self {
        if p.kind == Some(1) {
            ApiIntOrString::String(p.str_val.unwrap_or_default())
        } else {
            ApiIntOrString::Int(p.int_val.unwrap_or(0))
        }
    }
}

impl From<LocalObjectReference> for api::LocalObjectReference {
    fn from(r: LocalObjectReference) -> Self {
        api::LocalObjectReference {
            name: r.name.unwrap_or_default(),
        }
    }
}

impl From<Probe> for api::Probe {
    fn from(p: Probe) -> Self {
        let handler = p.handler.unwrap_or_default();
        api::Probe {
            exec: handler.exec.map(|e| api::ExecAction {
                command: list(e.command),
            }),
            http_get: handler.http_get.map(|h| api::HTTPGetAction {
                path: text(h.path),
                port: h.port.unwrap_or_default().into(),
                host: text(h.host),
                scheme: text(h.scheme),
                http_headers: None,
            }),
            tcp_socket: handler.tcp_socket.map(|t| api::TCPSocketAction {
                port: t.port.unwrap_or_default().into(),
                host: text(t.host),
            }),
            grpc: handler.grpc.map(|g| api::GRPCAction {
                port: g.port.unwrap_or(0),
                service: g.service,
            }),
            initial_delay_seconds: number(p.initial_delay_seconds),
            timeout_seconds: number(p.timeout_seconds),
            period_seconds: number(p.period_seconds),
            failure_threshold: number(p.failure_threshold),
            ..api::Probe::default()
        }
    }
}

impl From<Port> for api::ContainerPort {
    fn from(p: Port) -> Self {
        api::ContainerPort {
            container_port: p.container_port.unwrap_or(0),
            protocol: text(p.protocol),
            ..api::ContainerPort::default()
        }
    }
}

impl From<Container> for api::Container {
    fn from(c: Container) -> Self {
        api::Container {
            name: c.name.unwrap_or_default(),
            image: text(c.image),
            command: list(c.command),
            args: list(c.args),
            ports: list(c.ports),
            resources: c.resources.map(Into::into),
            liveness_probe: c.liveness_probe.map(Into::into),
            startup_probe: c.startup_probe.map(Into::into),
            image_pull_policy: c.image_pull_policy,
            restart_policy: c.restart_policy,
            ..api::Container::default()
        }
    }
}

impl From<EphemeralContainer> for api::EphemeralContainer {
    fn from(e: EphemeralContainer) -> Self {
        let c = e.common.unwrap_or_default();
        api::EphemeralContainer {
            name: c.name.unwrap_or_default(),
            image: text(c.image),
            command: list(c.command),
            args: list(c.args),
            image_pull_policy: c.image_pull_policy,
            ..api::EphemeralContainer::default()
        }
    }
}

impl From<ContainerState> for api::ContainerState {
    fn from(s: ContainerState) -> Self {
        api::ContainerState {
            waiting: s.waiting.map(|w| api::ContainerStateWaiting {
                reason: text(w.reason),
                message: text(w.message),
            }),
            running: s.running.map(|r| api::ContainerStateRunning {
                started_at: time(r.started_at),
            }),
            terminated: s.terminated.map(|t| api::ContainerStateTerminated {
                exit_code: t.exit_code.unwrap_or(0),
                signal: number(t.signal),
                reason: text(t.reason),
                message: text(t.message),
                started_at: time(t.started_at),
                finished_at: time(t.finished_at),
                ..api::ContainerStateTerminated::default()
            }),
        }
    }
}

impl From<ContainerStatus> for api::ContainerStatus {
    fn from(s: ContainerStatus) -> Self {
        api::ContainerStatus {
            name: s.name.unwrap_or_default(),
            state: s.state.map(Into::into),
            last_state: s.last_state.map(Into::into),
            restart_count: s.restart_count.unwrap_or(0),
            image: s.image.unwrap_or_default(),
            ..api::ContainerStatus::default()
        }
    }
}

impl From<PodSpec> for api::PodSpec {
    fn from(spec: PodSpec) -> Self {
        api::PodSpec {
            containers: spec.containers.into_iter().map(Into::into).collect(),
            restart_policy: text(spec.restart_policy),
            termination_grace_period_seconds: spec.termination_grace_period_seconds,
            active_deadline_seconds: spec.active_deadline_seconds,
            node_selector: (!spec.node_selector.is_empty()).then_some(spec.node_selector),
            node_name: text(spec.node_name),
            service_account_name: text(spec.service_account_name),
            image_pull_secrets: list(spec.image_pull_secrets),
            init_containers: list(spec.init_containers),
            ephemeral_containers: list(spec.ephemeral_containers),
            resources: spec.resources.map(Into::into),
            ..api::PodSpec::default()
        }
    }
}

impl From<PodStatus> for api::PodStatus {
    fn from(status: PodStatus) -> Self {
        api::PodStatus {
            phase: text(status.phase),
            message: text(status.message),
            reason: text(status.reason),
            container_statuses: list(status.container_statuses),
            init_container_statuses: list(status.init_container_statuses),
            ephemeral_container_statuses: list(status.ephemeral_container_statuses),
            ..api::PodStatus::default()
        }
    }
}

#[cfg(test)]
#[path = "fetch_wire_tests.rs"]
mod tests;
