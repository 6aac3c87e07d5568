//! The protobuf projection must give the diagnosis exactly what the JSON pod gives it.

use firstaid::read::Projection;
use firstaid::read::meta::Meta;
use serde_json::json;

use super::*;
use crate::extract;

#[allow(clippy::unnecessary_wraps)] // fills the optional fields of wire messages
fn s(v: &str) -> Option<String> {
    Some(v.into())
}

#[allow(clippy::unnecessary_wraps)] // fills the optional fields of wire messages
fn port(n: i32) -> Option<IntOrString> {
    Some(IntOrString {
        kind: Some(0),
        int_val: Some(n),
        str_val: s(""),
    })
}

#[allow(clippy::unnecessary_wraps)] // fills the optional fields of wire messages
fn at(seconds: i64) -> Option<Time> {
    Some(Time {
        seconds: Some(seconds),
        nanos: None,
    })
}

/// What a v1.34 API server writes for the JSON pod below, empty strings, zero numbers and
/// zero times included (Go's protobuf encoder writes those where JSON leaves them out), plus a
/// field the projection does not declare (env = 7 in a container) which must be skipped.
fn wire_pod() -> Vec<u8> {
    let probe = Probe {
        handler: Some(ProbeHandler {
            http_get: Some(HttpGet {
                path: s(""),
                port: port(8080),
                host: s(""),
                scheme: s("HTTP"),
            }),
            ..ProbeHandler::default()
        }),
        initial_delay_seconds: Some(0),
        timeout_seconds: Some(1),
        period_seconds: Some(5),
        failure_threshold: Some(3),
    };
    let app = Container {
        name: s("app"),
        image: s("registry/app:1.2"),
        command: vec!["/app/server".into()],
        args: vec!["--port=80".into()],
        ports: vec![Port {
            container_port: Some(80),
            protocol: s("TCP"),
        }],
        resources: Some(Requirements {
            limits: [(
                "memory".into(),
                firstaid::read::meta::Quantity { string: s("120Mi") },
            )]
            .into(),
            requests: BTreeMap::new(),
        }),
        liveness_probe: Some(probe),
        startup_probe: None,
        image_pull_policy: s("IfNotPresent"),
        restart_policy: None,
    };
    let proxy = Container {
        name: s("proxy"),
        image: s("envoy"),
        restart_policy: s("Always"),
        ..Container::default()
    };
    let debugger = EphemeralContainer {
        common: Some(Container {
            name: s("debug"),
            image: s("busybox"),
            ..Container::default()
        }),
    };
    let crashed = ContainerStatus {
        name: s("app"),
        state: Some(ContainerState {
            waiting: Some(Waiting {
                reason: s("CrashLoopBackOff"),
                message: s("back-off 1m20s restarting failed container=app"),
            }),
            ..ContainerState::default()
        }),
        last_state: Some(ContainerState {
            terminated: Some(Terminated {
                exit_code: Some(137),
                signal: Some(0),
                reason: s("OOMKilled"),
                message: s(""),
                started_at: at(1_767_225_600),
                finished_at: at(1_767_225_818),
            }),
            ..ContainerState::default()
        }),
        restart_count: Some(4),
        image: s("registry/app:1.2"),
    };
    let sidecar = ContainerStatus {
        name: s("proxy"),
        state: Some(ContainerState {
            running: Some(Running {
                started_at: Some(Time::default()),
            }),
            ..ContainerState::default()
        }),
        last_state: Some(ContainerState::default()),
        restart_count: Some(0),
        image: s("envoy"),
    };
    let pod = Pod {
        metadata: Some(Meta {
            name: s("web-7d4fc654bb-tc9gw"),
            namespace: s("shop"),
            uid: s("u1"),
            labels: [("pod-template-hash".into(), "7d4fc654bb".into())].into(),
            ..Meta::default()
        }),
        spec: Some(PodSpec {
            containers: vec![app],
            restart_policy: s("Always"),
            termination_grace_period_seconds: Some(30),
            active_deadline_seconds: None,
            node_selector: [("kubernetes.io/arch".into(), "arm64".into())].into(),
            service_account_name: s("builder"),
            node_name: s("node-a"),
            image_pull_secrets: vec![LocalObjectReference { name: s("regcred") }],
            init_containers: vec![proxy],
            ephemeral_containers: vec![debugger],
            resources: None,
        }),
        status: Some(PodStatus {
            phase: s("Running"),
            message: s(""),
            reason: s(""),
            container_statuses: vec![crashed],
            init_container_statuses: vec![sidecar],
            ephemeral_container_statuses: vec![],
        }),
    };
    let mut bytes = pod.encode_to_vec();
    prost::encoding::bytes::encode(17, &b"managed fields".to_vec(), &mut bytes);
    bytes
}

fn json_pod() -> api::Pod {
    serde_json::from_value(json!({
        "metadata": {"name": "web-7d4fc654bb-tc9gw", "namespace": "shop", "uid": "u1",
            "labels": {"pod-template-hash": "7d4fc654bb"}},
        "spec": {
            "nodeName": "node-a", "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
            "nodeSelector": {"kubernetes.io/arch": "arm64"},
            "serviceAccountName": "builder", "imagePullSecrets": [{"name": "regcred"}],
            "initContainers": [{"name": "proxy", "image": "envoy", "restartPolicy": "Always",
                                "resources": {}}],
            "containers": [{"name": "app", "image": "registry/app:1.2",
                "command": ["/app/server"], "args": ["--port=80"], "imagePullPolicy": "IfNotPresent",
                "env": [{"name": "A", "value": "b"}],
                "resources": {"limits": {"memory": "120Mi"}},
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "livenessProbe": {"httpGet": {"port": 8080, "scheme": "HTTP"},
                                  "timeoutSeconds": 1, "periodSeconds": 5, "failureThreshold": 3}}],
            "ephemeralContainers": [{"name": "debug", "image": "busybox"}]
        },
        "status": {"phase": "Running",
            "initContainerStatuses": [{"name": "proxy", "image": "envoy", "imageID": "",
                "ready": true, "restartCount": 0, "state": {"running": {}}, "lastState": {}}],
            "containerStatuses": [{"name": "app", "image": "registry/app:1.2", "imageID": "",
                "ready": false, "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff",
                    "message": "back-off 1m20s restarting failed container=app"}},
                "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                    "startedAt": "2026-01-01T00:00:00Z", "finishedAt": "2026-01-01T00:03:38Z"}}}]}
    }))
    .expect("json pod")
}

#[test]
fn protobuf_pods_give_the_diagnosis_what_json_pods_give() {
    let from_wire = Pod::decode(&*wire_pod()).expect("decode").item();
    let from_json = json_pod();
    assert_eq!(
        extract::containers(&from_wire),
        extract::containers(&from_json)
    );
    assert_eq!(extract::pod(&from_wire, &[]), extract::pod(&from_json, &[]));
    assert_eq!(
        crate::fetch::worth_a_look(&from_wire),
        crate::fetch::worth_a_look(&from_json)
    );
}

#[test]
fn string_ports_and_other_probe_kinds_are_read() {
    let named = IntOrString {
        kind: Some(1),
        int_val: Some(0),
        str_val: s("http"),
    };
    assert_eq!(
        ApiIntOrString::from(named),
        ApiIntOrString::String("http".into())
    );
    let exec = Probe {
        handler: Some(ProbeHandler {
            exec: Some(Exec {
                command: vec!["cat".into(), "/tmp/ready".into()],
            }),
            ..ProbeHandler::default()
        }),
        ..Probe::default()
    };
    let probe = api::Probe::from(exec);
    assert_eq!(
        probe.exec.and_then(|e| e.command),
        Some(vec!["cat".to_owned(), "/tmp/ready".to_owned()])
    );
    assert_eq!(probe.period_seconds, None);
}
