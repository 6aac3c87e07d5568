//! Why a container died: one pure function from a container's status and spec, the pod's events
//! and the node's facts to a verdict with the evidence behind it.
//!
//! The exit code alone misleads (kubectl-oomd calls every 137 an OOM); the rules below combine
//! every signal a pod carries, most specific first:
//!
//! 1. `ContainerStatusUnknown` — the kubelet lost the container and wrote 137 itself: not an OOM.
//! 2. `OOMKilled` (whatever the code, even 0) — an OOM; node-level when the node recorded a
//!    SystemOOM or memory pressure at the time, or when nothing in the pod had a memory limit.
//! 3. `DeadlineExceeded` — the pod's activeDeadlineSeconds ended it.
//! 4. `exec format error` anywhere — the image was built for another CPU architecture.
//! 5. 137/143/0 with liveness or startup probe failures at the time — the kubelet killed it.
//! 6. 137 — node OOM (node evidence), grace period exceeded (a stop was recorded), else an
//!    external SIGKILL. 143 — a requested stop.
//! 7. Other 128+N — the signal (139 = segfault).
//! 8. 127/126/StartError messages — command not found / not executable / runtime start failure.
//! 9. Port conflicts, 255 (out of range), 0 (completed, or no foreground process), else the
//!    application's own error.
//!
//! A container that never started is explained from its waiting reason: image pulls by
//! [`crate::pull`], missing ConfigMaps and Secrets by [`crate::config_error`].

use k8s_openapi::jiff::Timestamp;
use serde::Serialize;

use crate::advice;
use crate::arch;
use crate::code;
use crate::explain::{self, Category};
use crate::facts::{
    ContainerFacts, ContainerType, EventFacts, NodeFacts, PodFacts, State, Termination, Usage,
};

/// How far (seconds) an event may lie outside a container's run and still count as evidence.
const EVENT_SLACK_SECONDS: i64 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Kind {
    ContainerLost,
    MemoryLimitOom,
    NodeOom,
    DeadlineExceeded,
    ArchMismatch,
    ProbeKill,
    GracePeriodExceeded,
    ExternalKill,
    GracefulStop,
    Segfault,
    KilledBySignal,
    CommandNotFound,
    NotExecutable,
    StartFailure,
    PortConflict,
    OutOfRange,
    NoForegroundProcess,
    Completed,
    AppError,
    NotStarted,
    PullUnauthorized,
    ImageNotFound,
    RegistryNotResolved,
    RegistryUnreachable,
    PullTimeout,
    PullRateLimited,
    RegistryCertUntrusted,
    ImageDiskFull,
    InvalidImageName,
    ImageNeverPull,
    ImagePullFailed,
    ConfigMissing,
}

impl Kind {
    /// Short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Kind::ContainerLost => "container lost (not OOM)",
            Kind::MemoryLimitOom => "OOM: memory limit",
            Kind::NodeOom => "OOM: node out of memory",
            Kind::DeadlineExceeded => "pod deadline exceeded",
            Kind::ArchMismatch => "wrong CPU architecture",
            Kind::ProbeKill => "killed by probe",
            Kind::GracePeriodExceeded => "ignored SIGTERM",
            Kind::ExternalKill => "external SIGKILL",
            Kind::GracefulStop => "stopped (SIGTERM)",
            Kind::Segfault => "segfault",
            Kind::KilledBySignal => "killed by signal",
            Kind::CommandNotFound => "command not found",
            Kind::NotExecutable => "not executable",
            Kind::StartFailure => "runtime could not start",
            Kind::PortConflict => "port in use",
            Kind::OutOfRange => "exit(-1)/out of range",
            Kind::NoForegroundProcess => "no foreground process",
            Kind::Completed => "completed",
            Kind::AppError => "application error",
            Kind::NotStarted => "never started",
            Kind::PullUnauthorized => "pull: not authorized",
            Kind::ImageNotFound => "pull: image not found",
            Kind::RegistryNotResolved => "pull: registry DNS",
            Kind::RegistryUnreachable => "pull: registry unreachable",
            Kind::PullTimeout => "pull: timed out",
            Kind::PullRateLimited => "pull: rate limit",
            Kind::RegistryCertUntrusted => "pull: untrusted CA",
            Kind::ImageDiskFull => "pull: node disk full",
            Kind::InvalidImageName => "invalid image name",
            Kind::ImageNeverPull => "image not on node (Never)",
            Kind::ImagePullFailed => "pull failed",
            Kind::ConfigMissing => "missing config",
        }
    }
}

/// The conclusion for one container, with what it rests on and what to do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub kind: Kind,
    pub summary: String,
    pub evidence: Vec<String>,
    pub next: Vec<String>,
}

/// Everything known about one container, borrowed for the rules.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub pod: &'a PodFacts,
    pub container: &'a ContainerFacts,
    pub node: Option<&'a NodeFacts>,
    pub usage: Option<Usage>,
}

impl Inputs<'_> {
    pub(crate) fn events(&self) -> impl Iterator<Item = &EventFacts> {
        self.pod
            .events
            .iter()
            .filter(|e| e.concerns(&self.container.name))
    }
}

/// The verdict for a container that terminated (`t` is its current or last termination).
pub fn terminated(inputs: Inputs<'_>, t: &Termination) -> Verdict {
    let code = code::fold(i64::from(t.exit_code));
    let signal = t
        .signal
        .filter(|s| *s > 0)
        .or_else(|| code.checked_sub(128).filter(|n| *n > 0).map(i32::from));
    let mut v = if t.reason_is("ContainerStatusUnknown") {
        container_lost(inputs, t)
    } else if t.reason_is("OOMKilled") {
        oom(inputs, t)
    } else if t.reason_is("DeadlineExceeded")
        || inputs.pod.reason.as_deref() == Some("DeadlineExceeded")
    {
        deadline(inputs)
    } else if let Some(found) = find_message(inputs, t, &["exec format error"]) {
        arch_mismatch(inputs, Some(found))
    } else if let Some(v) = matches!(code, 137 | 143 | 0)
        .then(|| probe_kill(inputs, t, code))
        .flatten()
    {
        v
    } else if code == 137 || signal == Some(9) {
        sigkill(inputs, t)
    } else if code == 143 || signal == Some(15) {
        graceful_stop(inputs, t)
    } else if explain::meaning(code).category == Category::Signal {
        killed_by_signal(inputs, code)
    } else if let Some(v) = start_problem(inputs, t, code) {
        v
    } else if let Some(v) = port_conflict(inputs, t) {
        v
    } else if code == 255 {
        out_of_range(inputs, t)
    } else if code == 0 {
        clean_exit(inputs)
    } else {
        app_error(inputs, t, code)
    };
    if let Some(reason) = &inputs.pod.reason {
        let message = inputs.pod.message.as_deref().unwrap_or("");
        v.evidence.push(
            format!("pod status: {reason}: {message}")
                .trim_end_matches([':', ' '])
                .to_owned(),
        );
    }
    v
}

/// The verdict for a container that never started (waiting, no termination recorded).
pub fn never_started(inputs: Inputs<'_>, reason: &str, message: Option<&str>) -> Verdict {
    let t = Termination {
        message: message.map(str::to_owned),
        ..Termination::default()
    };
    if let Some(found) = find_message(inputs, &t, &["exec format error"]) {
        return arch_mismatch(inputs, Some(found));
    }
    let runtime_error = matches!(
        reason,
        "CreateContainerError" | "RunContainerError" | "StartError" | "ContainerCannotRun"
    );
    if let Some(v) = runtime_error
        .then(|| start_problem(inputs, &t, 0))
        .flatten()
        .filter(|v| v.kind != Kind::StartFailure)
    {
        return v;
    }
    if crate::pull::REASONS.contains(&reason) {
        return crate::pull::verdict(inputs, reason, message);
    }
    if reason == "CreateContainerConfigError" {
        return crate::config_error::verdict(inputs, message);
    }
    let summary = match reason {
        "CreateContainerError" | "RunContainerError" => {
            "Never started: the runtime could not create or run the container".to_owned()
        }
        other => format!("Never started: {other}"),
    };
    let mut evidence = vec![format!("state.waiting.reason = {reason}")];
    if let Some(m) = message {
        evidence.push(format!("state.waiting.message: {m}"));
    }
    Verdict {
        kind: Kind::NotStarted,
        summary,
        evidence,
        next: vec![advice::describe(inputs.pod), advice::events(inputs.pod)],
    }
}

fn termination_field(t: &Termination, inputs: Inputs<'_>) -> String {
    let source = match &inputs.container.state {
        State::Terminated(current) if current == t => "state",
        _ => "lastState",
    };
    format!("{source}.terminated")
}

fn container_lost(inputs: Inputs<'_>, t: &Termination) -> Verdict {
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

fn oom(inputs: Inputs<'_>, t: &Termination) -> Verdict {
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

fn node_oom_evidence(inputs: Inputs<'_>, t: &Termination) -> Vec<String> {
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

pub(crate) fn when(e: &EventFacts) -> String {
    let count = if e.count > 1 {
        format!(" ×{}", e.count)
    } else {
        String::new()
    };
    let at = e.last.map(|t| format!(" at {t}")).unwrap_or_default();
    format!("{count}{at}")
}

fn deadline(inputs: Inputs<'_>) -> Verdict {
    let limit = inputs
        .pod
        .active_deadline_seconds
        .map(|s| format!(" ({s}s)"))
        .unwrap_or_default();
    Verdict {
        kind: Kind::DeadlineExceeded,
        summary: format!("Stopped because the pod's activeDeadlineSeconds{limit} passed"),
        evidence: vec!["reason DeadlineExceeded".into()],
        next: vec![
            "raise spec.activeDeadlineSeconds (or the Job's) if the work legitimately takes longer"
                .into(),
            advice::logs(inputs.pod, inputs.container),
        ],
    }
}

pub(crate) fn arch_mismatch(inputs: Inputs<'_>, found: Option<String>) -> Verdict {
    let c = inputs.container;
    let node_arch = inputs
        .node
        .and_then(|n| n.arch.as_deref())
        .map(arch::normalise);
    let image_arch = arch::image_arch_hint(&c.image);
    let mut evidence = Vec::new();
    if let Some(found) = found {
        evidence.push(found);
    }
    let node_name = inputs.pod.node.as_deref().unwrap_or("<node>");
    evidence.push(match &node_arch {
        Some(a) => format!("node {node_name}: kubernetes.io/arch = {a}"),
        None => format!("node {node_name}: architecture unknown (node not readable)"),
    });
    evidence.push(match image_arch {
        Some(a) => format!("image {}: its name says {a}", c.image),
        None => format!(
            "image {}: the API does not say which architecture it was built for",
            c.image
        ),
    });
    let summary = match (image_arch, &node_arch) {
        (Some(i), Some(n)) if i != n => {
            format!(
                "Wrong CPU architecture: {} {i} image on {} {n} node",
                article(i),
                article(n)
            )
        }
        (_, Some(n)) => {
            format!("Wrong CPU architecture: the image has no {n} build (exec format error)")
        }
        _ => "Wrong CPU architecture: the binary was built for another CPU (exec format error)"
            .into(),
    };
    Verdict {
        kind: Kind::ArchMismatch,
        summary,
        evidence,
        next: vec![
            format!(
                "docker manifest inspect {} | grep architecture   # which platforms the image has",
                c.image
            ),
            "kubectl get nodes -L kubernetes.io/arch".into(),
            format!(
                "use a multi-arch image or the tag for {}, or pin the pod with nodeSelector kubernetes.io/arch: {}",
                node_arch.as_deref().unwrap_or("the node's architecture"),
                image_arch.unwrap_or("<image arch>")
            ),
        ],
    }
}

/// "an amd64", "a riscv64".
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn probe_kill(inputs: Inputs<'_>, t: &Termination, code: u8) -> Option<Verdict> {
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

fn sigkill(inputs: Inputs<'_>, t: &Termination) -> Verdict {
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

fn graceful_stop(inputs: Inputs<'_>, t: &Termination) -> Verdict {
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

fn killed_by_signal(inputs: Inputs<'_>, code: u8) -> Verdict {
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

/// 126/127/128/125 and the runtime's start errors, read from their messages when present.
fn start_problem(inputs: Inputs<'_>, t: &Termination, code: u8) -> Option<Verdict> {
    let c = inputs.container;
    let not_found = find_message(
        inputs,
        t,
        &[
            "executable file not found",
            "no such file or directory",
            "not found",
        ],
    );
    let denied = find_message(inputs, t, &["permission denied"]);
    let start_reason = t.reason_is("StartError") || t.reason_is("ContainerCannotRun");
    let command = advice::command_line(c);
    let kind = if denied.is_some() || code == 126 {
        Kind::NotExecutable
    } else if not_found.is_some() && (start_reason || matches!(code, 127 | 128 | 0)) || code == 127
    {
        Kind::CommandNotFound
    } else if start_reason || matches!(code, 125 | 128) {
        Kind::StartFailure
    } else {
        return None;
    };
    let mut evidence = vec![format!(
        "exitCode {}{}",
        t.exit_code,
        t.reason
            .as_ref()
            .map(|r| format!(", reason {r}"))
            .unwrap_or_default()
    )];
    evidence.extend(denied.or(not_found));
    if kind == Kind::StartFailure
        && let Some(m) = &t.message
    {
        evidence.push(format!("message: {m}"));
    }
    evidence.push(format!("command: {command}"));
    let summary = match kind {
        Kind::NotExecutable => {
            "The command exists but cannot be executed (not executable, permission denied, or a noexec mount)"
        }
        Kind::CommandNotFound => {
            "Command or file not found in the image: check command/args and the image's PATH"
        }
        _ => "The container runtime could not start the container",
    };
    Some(Verdict {
        kind,
        summary: summary.into(),
        evidence,
        next: vec![
            advice::inspect_image(inputs.pod, c),
            advice::logs(inputs.pod, c),
            advice::describe(inputs.pod),
        ],
    })
}

fn port_conflict(inputs: Inputs<'_>, t: &Termination) -> Option<Verdict> {
    let found = find_message(inputs, t, &["address already in use", "address in use"]);
    let c = inputs.container;
    found.map(|found| Verdict {
        kind: Kind::PortConflict,
        summary: "Port already in use: another container in the same pod (they share one network namespace) or another process listens on it".into(),
        evidence: vec![found, format!("ports declared by {}: {}", c.name, advice::ports(c))],
        next: vec![
            advice::logs(inputs.pod, c),
            format!(
                "kubectl get pod {} -n {} -o jsonpath='{{range .spec.containers[*]}}{{.name}}: {{.ports[*].containerPort}}{{\"\\n\"}}{{end}}'",
                inputs.pod.name, inputs.pod.namespace
            ),
        ],
    })
}

fn out_of_range(inputs: Inputs<'_>, t: &Termination) -> Verdict {
    let mut evidence = vec![format!("{}: exitCode 255", termination_field(t, inputs))];
    if let Some(ran) = advice::ran_for(t) {
        evidence.push(format!("ran {ran}"));
    }
    if let Some(m) = &t.message {
        evidence.push(format!("termination message: {m}"));
    }
    Verdict {
        kind: Kind::OutOfRange,
        summary: "255: exit status out of range (often exit(-1)); the code cannot say why, the previous logs can".into(),
        evidence,
        next: vec![advice::logs(inputs.pod, inputs.container)],
    }
}

fn clean_exit(inputs: Inputs<'_>) -> Verdict {
    let c = inputs.container;
    let restarted = inputs.pod.restart_policy == "Always"
        && matches!(c.kind, ContainerType::Regular | ContainerType::Sidecar);
    if restarted {
        return Verdict {
            kind: Kind::NoForegroundProcess,
            summary: "Exited 0, but restartPolicy Always restarts it: the command does not keep a foreground process running".into(),
            evidence: vec![
                "exitCode 0 with restartPolicy Always".into(),
                format!("command: {}", advice::command_line(c)),
                format!("restartCount {}", c.restart_count),
            ],
            next: vec![
                "run the service in the foreground (e.g. nginx -g 'daemon off;'), not a shell or a script that backgrounds it".into(),
                "if it is a one-off task, run it as a Job (restartPolicy OnFailure/Never)".into(),
            ],
        };
    }
    Verdict {
        kind: Kind::Completed,
        summary: "Completed successfully".into(),
        evidence: Vec::new(),
        next: Vec::new(),
    }
}

fn app_error(inputs: Inputs<'_>, t: &Termination, code: u8) -> Verdict {
    let c = inputs.container;
    let meaning = explain::meaning(code);
    let mut evidence = vec![format!(
        "{}: exitCode {}{}",
        termination_field(t, inputs),
        t.exit_code,
        t.reason
            .as_ref()
            .map(|r| format!(", reason {r}"))
            .unwrap_or_default()
    )];
    if i64::from(t.exit_code) != i64::from(code) {
        evidence.push(format!("{} folds to {code} (mod 256)", t.exit_code));
    }
    if let Some(m) = &t.message {
        evidence.push(format!("termination message: {m}"));
    }
    // An image whose name says another architecture than the node's is worth a line even
    // without "exec format error" (the message may only be in the logs).
    let node_arch = inputs
        .node
        .and_then(|n| n.arch.as_deref())
        .map(arch::normalise);
    if let (Some(image_arch), Some(node_arch)) = (arch::image_arch_hint(&c.image), node_arch)
        && image_arch != node_arch
    {
        let mut v = arch_mismatch(inputs, None);
        v.evidence.insert(0, evidence.remove(0));
        v.summary = format!(
            "{} (likely: the image name says {image_arch}; confirm with the logs)",
            v.summary
        );
        return v;
    }
    Verdict {
        kind: Kind::AppError,
        summary: format!(
            "The application exited with {code} ({}); the code alone does not say why, its logs do",
            meaning.name
        ),
        evidence,
        next: vec![advice::logs(inputs.pod, c), advice::describe(inputs.pod)],
    }
}

/// The first message (termination, waiting, or a warning event about the container) containing
/// one of `needles`, quoted with where it came from.
fn find_message(inputs: Inputs<'_>, t: &Termination, needles: &[&str]) -> Option<String> {
    let hit = |text: &str| {
        let lower = text.to_ascii_lowercase();
        needles.iter().any(|n| lower.contains(n))
    };
    if let Some(m) = t.message.as_deref().filter(|m| hit(m)) {
        return Some(format!("termination message: {}", m.trim()));
    }
    if let State::Waiting {
        message: Some(m), ..
    } = &inputs.container.state
        && hit(m)
    {
        return Some(format!("state.waiting.message: {}", m.trim()));
    }
    inputs
        .events()
        .filter(|e| e.warning && hit(&e.message))
        .max_by_key(|e| e.last.map(Timestamp::as_second))
        .map(|e| format!("event {}{}: {}", e.reason, when(e), e.message.trim()))
}
