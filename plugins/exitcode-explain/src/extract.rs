//! From fetched Kubernetes objects to [`crate::facts`]: which fields mean what, in one place.
//!
//! Pure conversions, no I/O. Missing fields become "unknown", never a panic: pods written by old
//! kubelets, by other tools, or by hand through the status subresource can lack any of them.

use std::collections::BTreeMap;

use firstaid::k8s::time::{event_first_seen, event_last_seen};
use firstaid::k8s::{NodeState, Owner};
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateTerminated, ContainerStatus, EphemeralContainer,
    Event, Node, Pod, Probe, ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::facts::{
    ContainerFacts, ContainerType, EventFacts, NodeFacts, PodFacts, ProbeFacts, PullSecrets, State,
    Termination,
};

/// Every container of the pod (init and sidecar, regular, ephemeral), spec joined with status.
pub fn containers(pod: &Pod) -> Vec<ContainerFacts> {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let statuses = |list: Option<&Vec<ContainerStatus>>| -> BTreeMap<String, ContainerStatus> {
        list.into_iter()
            .flatten()
            .map(|s| (s.name.clone(), s.clone()))
            .collect()
    };
    let init_status = statuses(status.and_then(|s| s.init_container_statuses.as_ref()));
    let main_status = statuses(status.and_then(|s| s.container_statuses.as_ref()));
    let eph_status = statuses(status.and_then(|s| s.ephemeral_container_statuses.as_ref()));

    let mut out = Vec::new();
    for c in spec
        .and_then(|s| s.init_containers.as_ref())
        .into_iter()
        .flatten()
    {
        let kind = if c.restart_policy.as_deref() == Some("Always") {
            ContainerType::Sidecar
        } else {
            ContainerType::Init
        };
        out.push(container(c, kind, init_status.get(&c.name)));
    }
    for c in spec.map(|s| &s.containers).into_iter().flatten() {
        out.push(container(
            c,
            ContainerType::Regular,
            main_status.get(&c.name),
        ));
    }
    for c in spec
        .and_then(|s| s.ephemeral_containers.as_ref())
        .into_iter()
        .flatten()
    {
        out.push(ephemeral(c, eph_status.get(&c.name)));
    }
    out
}

fn container(
    c: &Container,
    kind: ContainerType,
    status: Option<&ContainerStatus>,
) -> ContainerFacts {
    let (memory_limit, memory_request) = memory(c.resources.as_ref());
    let (state, last_state, restart_count) = observed(status);
    ContainerFacts {
        name: c.name.clone(),
        kind,
        image: status
            .map(|s| s.image.clone())
            .filter(|i| !i.is_empty())
            .or_else(|| c.image.clone())
            .unwrap_or_default(),
        image_pull_policy: c.image_pull_policy.clone(),
        command: c.command.clone().unwrap_or_default(),
        args: c.args.clone().unwrap_or_default(),
        memory_limit,
        memory_request,
        liveness: c.liveness_probe.as_ref().map(probe),
        startup: c.startup_probe.as_ref().map(probe),
        ports: c
            .ports
            .iter()
            .flatten()
            .map(|p| {
                (
                    p.container_port,
                    p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                )
            })
            .collect(),
        state,
        last_state,
        restart_count,
    }
}

fn ephemeral(c: &EphemeralContainer, status: Option<&ContainerStatus>) -> ContainerFacts {
    let (state, last_state, restart_count) = observed(status);
    ContainerFacts {
        name: c.name.clone(),
        kind: ContainerType::Ephemeral,
        image: c.image.clone().unwrap_or_default(),
        image_pull_policy: c.image_pull_policy.clone(),
        command: c.command.clone().unwrap_or_default(),
        args: c.args.clone().unwrap_or_default(),
        memory_limit: None,
        memory_request: None,
        liveness: None,
        startup: None,
        ports: Vec::new(),
        state,
        last_state,
        restart_count,
    }
}

/// What the kubelet reports of a container: its state, how it last ended and how often it
/// restarted; unknown without a status.
fn observed(status: Option<&ContainerStatus>) -> (State, Option<Termination>, i32) {
    (
        status.map_or(State::Unknown, |s| state(s.state.as_ref())),
        status
            .and_then(|s| s.last_state.as_ref())
            .and_then(|s| s.terminated.as_ref())
            .map(termination),
        status.map_or(0, |s| s.restart_count),
    )
}

fn memory(resources: Option<&ResourceRequirements>) -> (Option<String>, Option<String>) {
    let get = |map: Option<
        &BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    >| { map.and_then(|m| m.get("memory")).map(|q| q.0.clone()) };
    (
        get(resources.and_then(|r| r.limits.as_ref())),
        get(resources.and_then(|r| r.requests.as_ref())),
    )
}

fn state(state: Option<&ContainerState>) -> State {
    let Some(state) = state else {
        return State::Unknown;
    };
    if let Some(t) = &state.terminated {
        State::Terminated(termination(t))
    } else if let Some(w) = &state.waiting {
        State::Waiting {
            reason: w.reason.clone(),
            message: w.message.clone(),
        }
    } else if let Some(r) = &state.running {
        State::Running {
            started_at: r.started_at.as_ref().map(|t| t.0),
        }
    } else {
        State::Unknown
    }
}

fn termination(t: &ContainerStateTerminated) -> Termination {
    Termination {
        exit_code: t.exit_code,
        signal: t.signal.filter(|s| *s != 0),
        reason: t.reason.clone().filter(|r| !r.is_empty()),
        message: t.message.clone().filter(|m| !m.trim().is_empty()),
        started_at: t.started_at.as_ref().map(|t| t.0),
        finished_at: t.finished_at.as_ref().map(|t| t.0),
    }
}

fn probe(p: &Probe) -> ProbeFacts {
    let port = |p: &IntOrString| match p {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    };
    let action = if let Some(h) = &p.http_get {
        format!(
            "http-get {}://{}:{}{}",
            h.scheme.as_deref().unwrap_or("HTTP").to_lowercase(),
            h.host.as_deref().unwrap_or(""),
            port(&h.port),
            h.path.as_deref().unwrap_or("/")
        )
    } else if let Some(e) = &p.exec {
        format!("exec [{}]", e.command.clone().unwrap_or_default().join(" "))
    } else if let Some(t) = &p.tcp_socket {
        format!(
            "tcp-socket {}:{}",
            t.host.as_deref().unwrap_or(""),
            port(&t.port)
        )
    } else if let Some(g) = &p.grpc {
        format!("grpc :{}", g.port)
    } else {
        "unknown".into()
    };
    // The API server's defaults, so a probe read from an un-defaulted object still says the truth.
    ProbeFacts {
        action,
        initial_delay_seconds: p.initial_delay_seconds.unwrap_or(0),
        timeout_seconds: p.timeout_seconds.unwrap_or(1),
        period_seconds: p.period_seconds.unwrap_or(10),
        failure_threshold: p.failure_threshold.unwrap_or(3),
    }
}

/// The pod-level facts; `events` are the pod's events (already fetched for this pod).
pub fn pod(pod: &Pod, events: &[Event]) -> PodFacts {
    PodFacts {
        events: pod_events(pod.metadata.uid.as_deref(), events),
        ..pod_without_events(pod)
    }
}

/// The events of the pod with this uid: events of an earlier pod with the same name carry its
/// uid, and are not evidence for this one.
pub fn pod_events(uid: Option<&str>, events: &[Event]) -> Vec<EventFacts> {
    events
        .iter()
        .filter(|e| {
            let event_uid = e.involved_object.uid.as_deref().unwrap_or("");
            event_uid.is_empty() || uid.is_none_or(|u| u == event_uid)
        })
        .map(event)
        .collect()
}

/// A pod's facts before its events are read (a scan reads them after all its pods).
pub fn pod_without_events(pod: &Pod) -> PodFacts {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    PodFacts {
        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
        name: pod.metadata.name.clone().unwrap_or_default(),
        node: spec
            .and_then(|s| s.node_name.clone())
            .filter(|n| !n.is_empty()),
        phase: status.and_then(|s| s.phase.clone()),
        reason: status.and_then(|s| s.reason.clone()),
        message: status.and_then(|s| s.message.clone()),
        restart_policy: spec
            .and_then(|s| s.restart_policy.clone())
            .unwrap_or_else(|| "Always".into()),
        deleting: pod.metadata.deletion_timestamp.is_some(),
        grace_period_seconds: spec.and_then(|s| s.termination_grace_period_seconds),
        active_deadline_seconds: spec.and_then(|s| s.active_deadline_seconds),
        memory_limit: memory(spec.and_then(|s| s.resources.as_ref())).0,
        owner: owner(pod),
        arch_selector: spec
            .and_then(|s| s.node_selector.as_ref())
            .and_then(|m| m.get("kubernetes.io/arch").cloned()),
        events: Vec::new(),
        pull_secrets: PullSecrets {
            service_account: spec
                .and_then(|s| s.service_account_name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "default".into()),
            pod: spec
                .and_then(|s| s.image_pull_secrets.as_ref())
                .into_iter()
                .flatten()
                .map(|r| r.name.clone())
                .filter(|n| !n.is_empty())
                .collect(),
            ..PullSecrets::default()
        },
    }
}

fn owner(pod: &Pod) -> Option<(String, String)> {
    Owner::of_pod(pod).map(|o| (o.kind.to_owned(), o.name.to_owned()))
}

pub fn event(e: &Event) -> EventFacts {
    EventFacts {
        reason: e.reason.clone().unwrap_or_default(),
        message: e.message.clone().unwrap_or_default(),
        warning: e.type_.as_deref() == Some("Warning"),
        count: e
            .count
            .or_else(|| e.series.as_ref().and_then(|s| s.count))
            .unwrap_or(1),
        first: event_first_seen(e),
        last: event_last_seen(e),
        field_path: e.involved_object.field_path.clone(),
    }
}

/// The node's facts; `system_ooms` are its `SystemOOM` events.
pub fn node(node: &Node, system_ooms: &[Event]) -> NodeFacts {
    let labels = node.metadata.labels.as_ref();
    let status = node.status.as_ref();
    let state = NodeState::of(node);
    NodeFacts {
        name: node.metadata.name.clone().unwrap_or_default(),
        arch: labels
            .and_then(|l| l.get("kubernetes.io/arch").cloned())
            .or_else(|| {
                status
                    .and_then(|s| s.node_info.as_ref())
                    .map(|i| i.architecture.clone())
                    .filter(|a| !a.is_empty())
            }),
        memory_pressure: state.condition("MemoryPressure").cloned(),
        disk_pressure: state.condition("DiskPressure").cloned(),
        runtime: status
            .and_then(|s| s.node_info.as_ref())
            .map(|i| i.container_runtime_version.clone())
            .filter(|r| !r.is_empty()),
        system_ooms: system_ooms.iter().map(event).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod_fixture() -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": "web-7d4fc654bb-tc9gw", "namespace": "shop", "uid": "u1",
                "labels": {"pod-template-hash": "7d4fc654bb"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4fc654bb", "uid": "rs", "controller": true}]},
            "spec": {
                "nodeName": "node-a",
                "initContainers": [
                    {"name": "setup", "image": "busybox"},
                    {"name": "proxy", "image": "envoy", "restartPolicy": "Always"}
                ],
                "containers": [{"name": "app", "image": "registry/app:1.2",
                    "command": ["/app/server"], "args": ["--port=80"],
                    "resources": {"limits": {"memory": "120Mi"}, "requests": {"memory": "100Mi"}},
                    "ports": [{"containerPort": 80}],
                    "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 5}}],
                "ephemeralContainers": [{"name": "debugger", "image": "busybox"}]
            },
            "status": {
                "phase": "Running",
                "containerStatuses": [{"name": "app", "image": "registry/app:1.2", "imageID": "", "ready": false, "restartCount": 3,
                    "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s restarting failed container=app"}},
                    "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "signal": 0,
                        "startedAt": "2023-01-28T09:01:33Z", "finishedAt": "2023-01-28T09:05:11Z"}}}],
                "initContainerStatuses": [{"name": "setup", "image": "busybox", "imageID": "", "ready": true, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]
            }
        }))
        .expect("fixture")
    }

    #[test]
    fn joins_spec_and_status_for_every_container_kind() {
        let cs = containers(&pod_fixture());
        let kinds: Vec<(&str, ContainerType)> =
            cs.iter().map(|c| (c.name.as_str(), c.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("setup", ContainerType::Init),
                ("proxy", ContainerType::Sidecar),
                ("app", ContainerType::Regular),
                ("debugger", ContainerType::Ephemeral)
            ]
        );
        let app = &cs[2];
        assert_eq!(app.memory_limit.as_deref(), Some("120Mi"));
        assert_eq!(app.restart_count, 3);
        let last = app.last_state.as_ref().expect("last state");
        assert_eq!((last.exit_code, last.signal), (137, None));
        assert!(last.reason_is("OOMKilled"));
        assert_eq!(
            last.finished_at.map(|t| t.to_string()).as_deref(),
            Some("2023-01-28T09:05:11Z")
        );
        assert_eq!(
            app.liveness.as_ref().map(ProbeFacts::describe).as_deref(),
            Some("http-get http://:8080/healthz delay=0s timeout=1s period=5s #failure=3")
        );
        assert_eq!(app.ports, [(80, "TCP".to_owned())]);
        assert!(
            matches!(&app.state, State::Waiting { reason: Some(r), .. } if r == "CrashLoopBackOff")
        );
        // No status at all for the proxy and the debugger.
        assert_eq!(cs[1].state, State::Unknown);
    }

    #[test]
    fn pod_facts_resolve_the_deployment_and_drop_other_pods_events() {
        let events: Vec<Event> = serde_json::from_value(json!([
            {"metadata": {"name": "e1"}, "involvedObject": {"kind": "Pod", "name": "web-7d4fc654bb-tc9gw", "uid": "u1", "fieldPath": "spec.containers{app}"},
             "reason": "Unhealthy", "message": "Liveness probe failed: Get http://10.0.0.1:8080/healthz", "type": "Warning", "count": 4,
             "firstTimestamp": "2023-01-28T09:04:00Z", "lastTimestamp": "2023-01-28T09:05:00Z"},
            {"metadata": {"name": "e2"}, "involvedObject": {"kind": "Pod", "name": "web-7d4fc654bb-tc9gw", "uid": "old"},
             "reason": "Killing", "message": "old pod"}
        ]))
        .expect("events");
        let p = pod(&pod_fixture(), &events);
        assert_eq!(p.owner, Some(("Deployment".into(), "web".into())));
        assert_eq!(p.restart_policy, "Always");
        assert_eq!(p.events.len(), 1);
        let e = &p.events[0];
        assert!(e.warning && e.concerns("app") && !e.concerns("proxy"));
        assert_eq!(e.count, 4);
    }

    #[test]
    fn node_facts_read_arch_and_memory_pressure() {
        let n: Node = serde_json::from_value(json!({
            "metadata": {"name": "node-a", "labels": {"kubernetes.io/arch": "arm64"}},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "True", "lastTransitionTime": "2023-01-28T09:04:00Z"}]}
        }))
        .expect("node");
        let f = node(&n, &[]);
        assert_eq!(f.arch.as_deref(), Some("arm64"));
        assert_eq!(f.memory_pressure.map(|c| c.status).as_deref(), Some("True"));
    }
}
