//! Verdicts on fixtures: one per case the FAQs on exit codes, OOM kills and probe kills name.

use super::*;
use crate::facts::{EventFacts, ProbeFacts};
use crate::fixtures::pod;
use crate::pull_causes::PullCause;
use firstaid::k8s::NodeCondition;
use k8s_openapi::jiff::Timestamp;

#[allow(clippy::unnecessary_wraps)] // every timestamp field is an Option
fn ts(text: &str) -> Option<Timestamp> {
    Some(text.parse().expect("timestamp"))
}

fn terminated(code: i32, reason: &str) -> Termination {
    Termination {
        exit_code: code,
        reason: Some(reason.into()),
        started_at: ts("2023-01-28T09:01:33Z"),
        finished_at: ts("2023-01-28T09:05:11Z"),
        ..Termination::default()
    }
}

/// A regular container that crashed once with `last` and is back-off waiting.
fn crashed(last: Termination) -> ContainerFacts {
    ContainerFacts {
        name: "app".into(),
        kind: ContainerType::Regular,
        image: "registry/app:1.2".into(),
        image_pull_policy: None,
        command: vec!["/bin/bash".into(), "/tmp/test.sh".into()],
        args: Vec::new(),
        memory_limit: Some("120Mi".into()),
        memory_request: Some("120Mi".into()),
        liveness: Some(ProbeFacts {
            action: "http-get http://:8080/healthz".into(),
            initial_delay_seconds: 0,
            timeout_seconds: 1,
            period_seconds: 10,
            failure_threshold: 3,
        }),
        startup: None,
        ports: vec![(80, "TCP".into())],
        state: State::Waiting {
            reason: Some("CrashLoopBackOff".into()),
            message: Some("back-off 10s restarting failed container=app pod=web-1_shop(u1)".into()),
        },
        last_state: Some(last),
        restart_count: 1,
    }
}

fn node() -> NodeFacts {
    NodeFacts {
        name: "node-a".into(),
        arch: Some("amd64".into()),
        memory_pressure: Some(NodeCondition {
            type_: "MemoryPressure".into(),
            status: "False".into(),
            since: ts("2023-01-01T00:00:00Z"),
            message: None,
        }),
        system_ooms: Vec::new(),
        disk_pressure: None,
        runtime: Some("containerd://1.7.13".into()),
    }
}

fn event(reason: &str, message: &str, at: &str) -> EventFacts {
    EventFacts {
        reason: reason.into(),
        message: message.into(),
        warning: reason != "Killing",
        count: 3,
        first: ts(at),
        last: ts(at),
        field_path: Some("spec.containers{app}".into()),
    }
}

fn report(pod: &PodFacts, c: &ContainerFacts, node: Option<&NodeFacts>) -> ContainerReport {
    container_report(pod, c, node, None).expect("a report")
}

fn has(list: &[String], needle: &str) -> bool {
    list.iter().any(|l| l.contains(needle))
}

#[test]
fn oomkilled_137_is_the_memory_limit() {
    let r = report(
        &pod(),
        &crashed(terminated(137, "OOMKilled")),
        Some(&node()),
    );
    assert_eq!(r.verdict.kind, Kind::MemoryLimitOom);
    assert!(r.verdict.summary.contains("120Mi"));
    assert!(has(&r.verdict.evidence, "resources.limits.memory = 120Mi"));
    assert!(has(
        &r.verdict.next,
        "kubectl set resources deployment/web -n shop -c app --limits=memory=240Mi"
    ));
    let t = r.termination.as_ref().expect("termination");
    assert_eq!((t.source, t.exit_code), ("lastState", 137));
    assert_eq!(r.meaning.as_ref().map(|m| m.exit_code), Some(137));
}

#[test]
fn oom_usage_is_shown_when_metrics_exist() {
    let usage = Usage {
        memory_bytes: 118.0 * 1024.0 * 1024.0,
    };
    let r = container_report(
        &pod(),
        &crashed(terminated(137, "OOMKilled")),
        Some(&node()),
        Some(usage),
    )
    .expect("report");
    assert!(has(
        &r.verdict.evidence,
        "memory in use now: 118Mi (98% of the limit"
    ));
}

#[test]
fn oomkilled_with_exit_0_is_still_an_oom() {
    let r = report(&pod(), &crashed(terminated(0, "OOMKilled")), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::MemoryLimitOom);
    assert!(has(&r.verdict.evidence, "exitCode 0 despite OOMKilled"));
    assert!(r.noteworthy());
}

#[test]
fn exit_137_with_liveness_failures_is_a_probe_kill() {
    let mut p = pod();
    p.events = vec![
        event(
            "Unhealthy",
            "Liveness probe failed: Get \"http://10.1.2.3:8080/healthz\": context deadline exceeded",
            "2023-01-28T09:04:50Z",
        ),
        event(
            "Killing",
            "Container app failed liveness probe, will be restarted",
            "2023-01-28T09:04:41Z",
        ),
    ];
    let r = report(&p, &crashed(terminated(137, "Error")), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::ProbeKill);
    assert!(r.verdict.summary.contains("liveness probe"));
    assert!(has(
        &r.verdict.evidence,
        "livenessProbe: http-get http://:8080/healthz delay=0s timeout=1s period=10s #failure=3"
    ));
    assert!(has(&r.verdict.evidence, "Liveness probe failed"));
}

#[test]
fn probe_failures_of_another_container_or_time_do_not_count() {
    let mut p = pod();
    let mut other = event(
        "Unhealthy",
        "Liveness probe failed: timeout",
        "2023-01-28T09:04:50Z",
    );
    other.field_path = Some("spec.containers{sidecar}".into());
    let stale = event(
        "Unhealthy",
        "Liveness probe failed: timeout",
        "2023-01-28T07:00:00Z",
    );
    p.events = vec![other, stale];
    let r = report(&p, &crashed(terminated(137, "Error")), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::ExternalKill);
}

#[test]
fn exit_137_error_without_events_is_an_external_kill() {
    let r = report(&pod(), &crashed(terminated(137, "Error")), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::ExternalKill);
    assert!(has(&r.verdict.evidence, "not OOMKilled"));
    assert!(has(
        &r.verdict.evidence,
        "no SystemOOM event or MemoryPressure on node node-a"
    ));
}

#[test]
fn exit_137_with_a_node_system_oom_is_a_node_oom() {
    let mut n = node();
    n.system_ooms = vec![EventFacts {
        reason: "SystemOOM".into(),
        message: "System OOM encountered, victim process: java, pid: 4242".into(),
        warning: true,
        count: 1,
        first: ts("2023-01-28T09:05:10Z"),
        last: ts("2023-01-28T09:05:10Z"),
        field_path: None,
    }];
    let r = report(&pod(), &crashed(terminated(137, "Error")), Some(&n));
    assert_eq!(r.verdict.kind, Kind::NodeOom);
    assert!(has(&r.verdict.evidence, "victim process: java"));
}

#[test]
fn oomkilled_under_node_memory_pressure_is_a_node_oom() {
    let mut n = node();
    n.memory_pressure = Some(NodeCondition {
        type_: "MemoryPressure".into(),
        status: "True".into(),
        since: ts("2023-01-28T09:03:00Z"),
        message: Some("kubelet has insufficient memory available".into()),
    });
    let r = report(&pod(), &crashed(terminated(137, "OOMKilled")), Some(&n));
    assert_eq!(r.verdict.kind, Kind::NodeOom);
    assert!(has(
        &r.verdict.evidence,
        "MemoryPressure=True since 2023-01-28T09:03:00Z"
    ));
}

#[test]
fn oomkilled_without_any_limit_is_a_node_oom() {
    let mut c = crashed(terminated(137, "OOMKilled"));
    c.memory_limit = None;
    let r = report(&pod(), &c, None);
    assert_eq!(r.verdict.kind, Kind::NodeOom);
    assert!(r.verdict.summary.contains("no memory limit"));
    // A pod-level limit is a limit too.
    let mut p = pod();
    p.memory_limit = Some("1Gi".into());
    assert_eq!(report(&p, &c, None).verdict.kind, Kind::MemoryLimitOom);
}

#[test]
fn container_status_unknown_137_is_not_an_oom() {
    let mut t = terminated(137, "ContainerStatusUnknown");
    t.message = Some("The container could not be located when the pod was terminated".into());
    let r = report(&pod(), &crashed(t), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::ContainerLost);
    assert!(r.verdict.summary.starts_with("Not an OOM"));
    assert!(has(&r.verdict.evidence, "could not be located"));
}

#[test]
fn a_stop_that_outlived_the_grace_period_is_not_an_oom() {
    let mut p = pod();
    p.deleting = true;
    p.grace_period_seconds = Some(30);
    p.events = vec![event(
        "Killing",
        "Stopping container app",
        "2023-01-28T09:04:40Z",
    )];
    let r = report(&p, &crashed(terminated(137, "Error")), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::GracePeriodExceeded);
    assert!(r.verdict.summary.contains("30s grace period"));
}

#[test]
fn exit_143_is_a_graceful_stop() {
    let mut p = pod();
    p.events = vec![event(
        "Killing",
        "Stopping container app",
        "2023-01-28T09:05:00Z",
    )];
    let r = report(&p, &crashed(terminated(143, "Error")), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::GracefulStop);
    assert!(r.verdict.summary.contains("usually no fault"));
    assert!(has(&r.verdict.evidence, "Stopping container app"));
}

#[test]
fn exit_139_is_a_segfault_and_134_an_abort() {
    let r = report(&pod(), &crashed(terminated(139, "Error")), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::Segfault);
    assert_eq!(
        r.meaning
            .as_ref()
            .and_then(|m| m.signal.as_ref())
            .map(|s| s.number),
        Some(11)
    );
    let r = report(&pod(), &crashed(terminated(134, "Error")), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::KilledBySignal);
    assert!(r.verdict.summary.contains("SIGABRT"));
}

#[test]
fn exit_127_is_command_not_found_and_shows_the_command() {
    let mut t = terminated(127, "Error");
    t.message = Some("/bin/bash: /tmp/test.sh: No such file or directory".into());
    let r = report(&pod(), &crashed(t), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::CommandNotFound);
    assert!(has(
        &r.verdict.evidence,
        r#"command: ["/bin/bash", "/tmp/test.sh"]"#
    ));
    assert!(has(&r.verdict.evidence, "No such file or directory"));
}

#[test]
fn start_error_128_executable_not_found() {
    let mut t = terminated(128, "StartError");
    t.message = Some("failed to create containerd task: exec: \"/app/serve\": stat /app/serve: no such file or directory: unknown".into());
    let r = report(&pod(), &crashed(t), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::CommandNotFound);
    let mut t = terminated(128, "StartError");
    t.message =
        Some("failed to create shim task: OCI runtime create failed: mount failed: unknown".into());
    assert_eq!(
        report(&pod(), &crashed(t), Some(&node())).verdict.kind,
        Kind::StartFailure
    );
}

#[test]
fn exit_126_is_not_executable() {
    let r = report(&pod(), &crashed(terminated(126, "Error")), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::NotExecutable);
}

#[test]
fn exit_1_with_exec_format_error_compares_architectures() {
    let mut c = crashed(terminated(1, "Error"));
    c.image = "registry.example.com/app:1.2-amd64".into();
    let mut p = pod();
    p.events = vec![EventFacts {
        reason: "BackOff".into(),
        message: "exec /app/server: exec format error".into(),
        warning: true,
        ..EventFacts::default()
    }];
    let mut n = node();
    n.arch = Some("arm64".into());
    let r = report(&p, &c, Some(&n));
    assert_eq!(r.verdict.kind, Kind::ArchMismatch);
    assert_eq!(
        r.verdict.summary,
        "Wrong CPU architecture: an amd64 image on an arm64 node"
    );
    assert!(has(&r.verdict.evidence, "kubernetes.io/arch = arm64"));
    assert!(has(&r.verdict.evidence, "its name says amd64"));
    assert!(has(&r.verdict.evidence, "exec format error"));
}

#[test]
fn exit_1_with_an_image_named_for_another_arch_is_a_likely_mismatch() {
    let mut c = crashed(terminated(1, "Error"));
    c.image = "amd64/busybox:1.36".into();
    let mut n = node();
    n.arch = Some("arm64".into());
    let r = report(&pod(), &c, Some(&n));
    assert_eq!(r.verdict.kind, Kind::ArchMismatch);
    assert!(r.verdict.summary.contains("likely"));
    // Same image on an amd64 node: just an application error.
    let r = report(&pod(), &c, Some(&node()));
    assert_eq!(r.verdict.kind, Kind::AppError);
}

#[test]
fn port_conflict() {
    let mut t = terminated(1, "Error");
    t.message =
        Some("nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)".into());
    let r = report(&pod(), &crashed(t), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::PortConflict);
    assert!(has(&r.verdict.evidence, "80/TCP"));
}

#[test]
fn exit_255_ran_3m38s() {
    let r = report(&pod(), &crashed(terminated(255, "Error")), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::OutOfRange);
    assert!(r.verdict.summary.contains("exit(-1)"));
    assert!(has(&r.verdict.evidence, "ran 3m38s"));
    assert!(has(
        &r.verdict.next,
        "kubectl logs web-1 -n shop -c app --previous"
    ));
    assert_eq!(
        r.termination.as_ref().and_then(|t| t.ran_for_seconds),
        Some(218)
    );
}

#[test]
fn back_off_stage_from_the_kubelet_message() {
    let r = report(&pod(), &crashed(terminated(1, "Error")), Some(&node()));
    let b = r.back_off.expect("back-off");
    assert_eq!((b.delay_seconds, b.stage, b.source), (10, 1, "kubelet"));
    let mut c = crashed(terminated(1, "Error"));
    c.state = State::Running { started_at: None };
    c.restart_count = 4;
    let b = report(&pod(), &c, Some(&node()))
        .back_off
        .expect("back-off");
    assert_eq!(
        (b.delay_seconds, b.stage, b.source),
        (80, 4, "restartCount")
    );
}

#[test]
fn exit_0_with_restart_always_has_no_foreground_process() {
    let r = report(&pod(), &crashed(terminated(0, "Completed")), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::NoForegroundProcess);
    let mut init = crashed(terminated(0, "Completed"));
    init.kind = ContainerType::Init;
    init.state = State::Terminated(terminated(0, "Completed"));
    init.last_state = None;
    init.restart_count = 0;
    let r = report(&pod(), &init, Some(&node()));
    assert_eq!(r.verdict.kind, Kind::Completed);
    assert!(!r.noteworthy());
    assert_eq!(r.back_off, None);
}

#[test]
fn never_started_containers() {
    let mut c = crashed(terminated(1, "Error"));
    c.last_state = None;
    c.restart_count = 0;
    c.state = State::Waiting {
        reason: Some("ImagePullBackOff".into()),
        message: Some("Back-off pulling image \"registry/app:1.2\": not found".into()),
    };
    let r = report(&pod(), &c, Some(&node()));
    assert_eq!(r.verdict.kind, Kind::ImageNotFound);
    assert!(r.verdict.summary.contains("Image not found"));
    let pull = r.pull.as_ref().expect("a pull failure");
    assert_eq!(
        (pull.cause, pull.registry.as_str()),
        (Some(PullCause::NotFound), "registry-1.docker.io")
    );
    c.state = State::Waiting {
        reason: Some("RunContainerError".into()),
        message: Some("exec: \"serve\": executable file not found in $PATH".into()),
    };
    assert_eq!(
        report(&pod(), &c, Some(&node())).verdict.kind,
        Kind::CommandNotFound
    );
    c.state = State::Waiting {
        reason: Some("ContainerCreating".into()),
        message: None,
    };
    assert!(container_report(&pod(), &c, Some(&node()), None).is_none());
    c.state = State::Running { started_at: None };
    assert!(container_report(&pod(), &c, Some(&node()), None).is_none());
}

#[test]
fn deadline_exceeded() {
    let mut p = pod();
    p.reason = Some("DeadlineExceeded".into());
    p.message = Some("Pod was active on the node longer than the specified deadline".into());
    p.active_deadline_seconds = Some(60);
    let r = report(&p, &crashed(terminated(137, "Error")), Some(&node()));
    assert_eq!(r.verdict.kind, Kind::DeadlineExceeded);
    assert!(has(
        &r.verdict.evidence,
        "pod status: DeadlineExceeded: Pod was active"
    ));
}

#[test]
fn out_of_range_raw_codes_are_folded_for_the_meaning() {
    let r = report(&pod(), &crashed(terminated(-1, "Error")), Some(&node()));
    assert_eq!(r.meaning.as_ref().map(|m| m.exit_code), Some(255));
    assert_eq!(r.verdict.kind, Kind::OutOfRange);
}

#[test]
fn only_selects_one_container_and_json_is_camel_case() {
    let c = crashed(terminated(137, "OOMKilled"));
    let reports = pod_reports(
        &pod(),
        std::slice::from_ref(&c),
        Some(&node()),
        &BTreeMap::new(),
        Some("other"),
    );
    assert!(reports.is_empty());
    let reports = pod_reports(&pod(), &[c], Some(&node()), &BTreeMap::new(), None);
    let v = serde_json::to_value(Document {
        items: &reports,
        pull_groups: &[],
    })
    .expect("json");
    let item = &v["items"][0];
    assert_eq!(item["containerType"], "regular");
    assert_eq!(item["termination"]["source"], "lastState");
    assert_eq!(item["termination"]["finishedAt"], "2023-01-28T09:05:11Z");
    assert_eq!(item["verdict"]["kind"], "memoryLimitOom");
    assert_eq!(item["backOff"]["delaySeconds"], 10);
    assert_eq!(item["meaning"]["signal"]["name"], "SIGKILL");
}
