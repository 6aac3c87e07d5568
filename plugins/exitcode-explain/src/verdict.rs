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

mod exits;
mod kills;

use exits::{app_error, clean_exit, out_of_range, port_conflict, start_problem};
use kills::{container_lost, graceful_stop, killed_by_signal, oom, probe_kill, sigkill};

use crate::advice;
use crate::arch;
use crate::code;
use crate::explain::{self, Category};
use crate::facts::{ContainerFacts, EventFacts, NodeFacts, PodFacts, State, Termination, Usage};

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
