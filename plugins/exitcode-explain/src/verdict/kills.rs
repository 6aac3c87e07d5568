//! The rules for containers that were killed: lost by the kubelet, OOM-killed (container or
//! node), killed by probes, SIGKILLed, stopped, or ended by another signal.

use super::{EVENT_SLACK_SECONDS, Inputs, Kind, Verdict, termination_field, when};
use crate::facts::{EventFacts, Termination};
use crate::{advice, explain};

pub(super) fn container_lost(inputs: Inputs<'_>, t: &Termination) -> Verdict {
    let mut evidence = vec![format!(
        "{}.reason = ContainerStatusUnknown, exitCode {}: the kubelet sets 137 itself when it cannot find the container",
        termination_field(t, inputs),
        t.exit_code
    )];
    if let Some(m) = &t.message {
        evidence.push(format!("message: {m}"));
    }
    let node = inputs.pod.node.as_deref().unwrap_or("<node>");
    Verdict {
        kind: Kind::ContainerLost,
        summary: "Not an OOM: the kubelet lost track of the container (node or runtime restart, node lost, or pod deleted while the node was unreachable) and reported 137 itself".into(),
        evidence,
        next: vec![
            format!("kubectl get node {node}   # NotReady or recently rebooted?"),
            format!("kubectl get events -n default --field-selector involvedObject.kind=Node,involvedObject.name={node}"),
            "on the node: journalctl -u kubelet -u containerd --since -2h   # runtime or kubelet restarts".into(),
        ],
    }
}

pub(super) fn oom(inputs: Inputs<'_>, t: &Termination) -> Verdict {
    let c = inputs.container;
    let mut evidence = vec![format!(
        "{}.reason = OOMKilled, exitCode {}",
        termination_field(t, inputs),
        t.exit_code
    )];
    if t.exit_code == 0 {
        evidence.push("exitCode 0 despite OOMKilled: a process in the container (not PID 1) was OOM-killed and PID 1 exited cleanly; it is still an OOM".into());
    }
    let node_evidence = node_oom_evidence(inputs, t);
    let limited = c.memory_limit.is_some() || inputs.pod.memory_limit.is_some();
    evidence.push(match (&c.memory_limit, &c.memory_request) {
        (Some(l), Some(r)) => format!("resources.limits.memory = {l}, requests.memory = {r}"),
        (Some(l), None) => format!("resources.limits.memory = {l}"),
        (None, _) => "no memory limit on the container".into(),
    });
    if let Some(l) = &inputs.pod.memory_limit {
        evidence.push(format!("pod-level spec.resources.limits.memory = {l}"));
    }
    if let Some(usage) = inputs.usage {
        evidence.push(advice::usage_line(usage, c.memory_limit.as_deref()));
    }
    if !node_evidence.is_empty() || !limited {
        evidence.extend(node_evidence);
        let node = inputs.pod.node.as_deref().unwrap_or("<node>");
        return Verdict {
            kind: Kind::NodeOom,
            summary: if limited {
                "OOM-killed by the node's OOM killer: the node ran out of memory (not only this container's limit)".into()
            } else {
                "OOM-killed with no memory limit: the node ran out of memory and the kernel chose this container".into()
            },
            evidence,
            next: vec![
                format!("kubectl describe node {node} | grep -A8 Conditions"),
                format!("kubectl get pods -A --field-selector spec.nodeName={node} -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name,MEM_LIMIT:.spec.containers[*].resources.limits.memory"),
                format!("kubectl top node {node}   # needs metrics-server"),
                "give every container a memory limit, and requests = limits for what must not die (Guaranteed QoS is killed last)".into(),
            ],
        };
    }
    let limit = c
        .memory_limit
        .as_deref()
        .or(inputs.pod.memory_limit.as_deref())
        .unwrap_or("");
    Verdict {
        kind: Kind::MemoryLimitOom,
        summary: format!("OOM-killed: the container reached its memory limit ({limit})"),
        evidence,
        next: advice::raise_memory(inputs.pod, c, limit),
    }
}

pub(super) fn node_oom_evidence(inputs: Inputs<'_>, t: &Termination) -> Vec<String> {
    let Some(node) = inputs.node else {
        return Vec::new();
    };
    let mut evidence: Vec<String> = node
        .system_ooms
        .iter()
        .filter(|e| e.near(t.started_at, t.finished_at, EVENT_SLACK_SECONDS))
        .map(|e| {
            format!(
                "node {} event SystemOOM{}: {}",
                node.name,
                when(e),
                e.message
            )
        })
        .collect();
    if let Some(p) = &node.memory_pressure
        && p.status == "True"
        && p.since.zip(t.finished_at).is_none_or(|(since, finished)| {
            since.as_second() <= finished.as_second() + EVENT_SLACK_SECONDS
        })
    {
        evidence.push(format!(
            "node {} condition MemoryPressure=True{}",
            node.name,
            p.since.map(|s| format!(" since {s}")).unwrap_or_default()
        ));
    }
    evidence
}
pub(super) fn probe_kill(inputs: Inputs<'_>, t: &Termination, code: u8) -> Option<Verdict> {
    let c = inputs.container;
    let failures: Vec<&EventFacts> = inputs
        .events()
        .filter(|e| e.near(t.started_at, t.finished_at, EVENT_SLACK_SECONDS))
        .filter(|e| {
            let m = e.message.to_ascii_lowercase();
            (e.reason == "Unhealthy"
                && (m.starts_with("liveness probe") || m.starts_with("startup probe")))
                || (e.reason == "Killing"
                    && (m.contains("failed liveness probe") || m.contains("failed startup probe")))
        })
        .collect();
    if failures.is_empty() {
        return None;
    }
    let startup = failures
        .iter()
        .any(|e| e.message.to_ascii_lowercase().contains("startup probe"));
    let which = if startup { "startup" } else { "liveness" };
    let mut evidence: Vec<String> = failures
        .iter()
        .map(|e| format!("event {}{}: {}", e.reason, when(e), e.message))
        .collect();
    let probe = if startup { &c.startup } else { &c.liveness };
    if let Some(p) = probe {
        evidence.push(format!("{which}Probe: {}", p.describe()));
    }
    evidence.push(match code {
        137 => "exit 137: it did not stop within the grace period after SIGTERM, so the kubelet sent SIGKILL".into(),
        143 => "exit 143: it stopped on the kubelet's SIGTERM".into(),
        _ => "exit 0: it stopped cleanly on the kubelet's SIGTERM".into(),
    });
    Some(Verdict {
        kind: Kind::ProbeKill,
        summary: format!(
            "Killed by the kubelet: the {which} probe failed past its failureThreshold"
        ),
        evidence,
        next: vec![
            format!(
                "kubectl get events -n {} --field-selector involvedObject.name={},reason=Unhealthy",
                inputs.pod.namespace, inputs.pod.name
            ),
            advice::logs(inputs.pod, c),
            if startup {
                "give slow starts more time: raise the startupProbe's failureThreshold × periodSeconds".into()
            } else {
                "if the app is just slow (GC pauses, thread or connection pool exhausted, slow disk), raise timeoutSeconds/failureThreshold, or add a startupProbe for slow starts".into()
            },
        ],
    })
}

pub(super) fn sigkill(inputs: Inputs<'_>, t: &Termination) -> Verdict {
    let field = termination_field(t, inputs);
    let reason = t.reason.as_deref().unwrap_or("none");
    let node_evidence = node_oom_evidence(inputs, t);
    if !node_evidence.is_empty() {
        let mut evidence = vec![format!("{field}: exitCode 137 (SIGKILL), reason {reason}")];
        evidence.extend(node_evidence);
        let node = inputs.pod.node.as_deref().unwrap_or("<node>");
        return Verdict {
            kind: Kind::NodeOom,
            summary: "Killed by the node's OOM killer: the node ran out of memory".into(),
            evidence,
            next: vec![
                format!("kubectl describe node {node} | grep -A8 Conditions"),
                format!("kubectl top node {node}   # needs metrics-server"),
                "give every container a memory limit, and requests = limits for what must not die"
                    .into(),
            ],
        };
    }
    let stops: Vec<String> = inputs
        .events()
        .filter(|e| {
            e.reason == "Killing" && e.near(t.started_at, t.finished_at, EVENT_SLACK_SECONDS)
        })
        .map(|e| format!("event Killing{}: {}", when(e), e.message))
        .collect();
    if !stops.is_empty() || inputs.pod.deleting {
        let grace = inputs.pod.grace_period_seconds.unwrap_or(30);
        let mut evidence = vec![format!("{field}: exitCode 137 (SIGKILL), reason {reason}")];
        evidence.extend(stops);
        if inputs.pod.deleting {
            evidence.push("the pod is being deleted".into());
        }
        evidence.push(format!("terminationGracePeriodSeconds = {grace}"));
        return Verdict {
            kind: Kind::GracePeriodExceeded,
            summary: format!("Asked to stop, did not exit within the {grace}s grace period, then SIGKILLed"),
            evidence,
            next: vec![
                "make PID 1 handle SIGTERM (exec-form ENTRYPOINT, or `exec` in the start script so the signal reaches the app)".into(),
                "raise terminationGracePeriodSeconds if shutdown legitimately takes longer".into(),
            ],
        };
    }
    let node = inputs.pod.node.as_deref().unwrap_or("<node>");
    Verdict {
        kind: Kind::ExternalKill,
        summary: "SIGKILL from outside, with no OOM, probe failure or stop recorded: most likely the node's OOM killer (events expire after 1h) or a kill -9".into(),
        evidence: vec![
            format!("{field}: exitCode 137 (SIGKILL), reason {reason} (not OOMKilled)"),
            "no liveness/startup probe failures or Killing events for this container around that time".into(),
            if inputs.node.is_some() {
                format!("no SystemOOM event or MemoryPressure on node {node}")
            } else {
                format!("node {node} not readable: node-level OOM not checked")
            },
        ],
        next: vec![
            "on the node: journalctl -k | grep -iE 'out of memory|killed process'   # kernel OOM kills leave a trace".into(),
            format!("kubectl get events -n default --field-selector involvedObject.kind=Node,involvedObject.name={node}"),
            advice::logs(inputs.pod, inputs.container),
        ],
    }
}

pub(super) fn graceful_stop(inputs: Inputs<'_>, t: &Termination) -> Verdict {
    let mut evidence = vec![format!(
        "{}: exitCode {} (SIGTERM)",
        termination_field(t, inputs),
        t.exit_code
    )];
    evidence.extend(
        inputs
            .events()
            .filter(|e| {
                e.reason == "Killing" && e.near(t.started_at, t.finished_at, EVENT_SLACK_SECONDS)
            })
            .map(|e| format!("event Killing{}: {}", when(e), e.message)),
    );
    if inputs.pod.deleting {
        evidence.push("the pod is being deleted".into());
    }
    let summary = if inputs.container.restart_count > 0
        && evidence.len() == 1
        && !inputs.pod.deleting
    {
        "Stopped on request (SIGTERM) and exited cleanly; it keeps happening without a recorded stop, so look for who sends it (a sidecar, a supervisor, the app itself)"
    } else {
        "Stopped on request (SIGTERM) and exited cleanly: deletion, eviction, rollout or scale-down; usually no fault"
    };
    Verdict {
        kind: Kind::GracefulStop,
        summary: summary.into(),
        evidence,
        next: vec![format!(
            "kubectl get events -n {} --field-selector involvedObject.name={},reason=Killing",
            inputs.pod.namespace, inputs.pod.name
        )],
    }
}

pub(super) fn killed_by_signal(inputs: Inputs<'_>, code: u8) -> Verdict {
    let meaning = explain::meaning(code);
    let signal = meaning.signal.clone();
    let name = signal
        .as_ref()
        .map_or("a signal", |s| s.name.as_str())
        .to_owned();
    let mut evidence = vec![format!("exitCode {code} = 128 + {}", code - 128)];
    if let Some(s) = &signal {
        evidence.push(format!(
            "{}: {} (default action {})",
            s.name,
            s.description,
            s.action.as_str()
        ));
    }
    let segfault = code == 139;
    let mut next = vec![advice::logs(inputs.pod, inputs.container)];
    if segfault || code == 132 {
        next.push(format!(
            "check the image matches the node's CPU and libc: kubectl get node {} -L kubernetes.io/arch",
            inputs.pod.node.as_deref().unwrap_or("<node>")
        ));
    }
    if code == 159 {
        next.push(
            "a seccomp profile blocked a syscall: check securityContext.seccompProfile".into(),
        );
    }
    Verdict {
        kind: if segfault {
            Kind::Segfault
        } else {
            Kind::KilledBySignal
        },
        summary: if segfault {
            "Crashed with a segmentation fault (SIGSEGV): invalid memory access in native code"
                .into()
        } else {
            format!("Killed by {name}: {}", meaning.meaning)
        },
        evidence,
        next,
    }
}
