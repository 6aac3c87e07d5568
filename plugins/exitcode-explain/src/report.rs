//! Pod mode's result: one report per container that has something to explain, and the stable
//! `ContainerExitReport` document they make up.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::advice;
use crate::backoff::{self, BackOff};
use crate::code;
use crate::explain::{self, CodeMeaning};
use crate::facts::{ContainerFacts, ContainerType, NodeFacts, PodFacts, State, Termination, Usage};
use crate::pull;
use crate::pull_causes::{self, PullCause};
use crate::verdict::{self, Inputs, Kind, Verdict};

/// The container's current state, flattened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateSummary {
    /// running | waiting | terminated | unknown
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The termination being explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TerminationReport {
    /// `state` (terminated now) or `lastState` (the previous run).
    pub source: &'static str,
    /// As the status reports it (int32).
    pub exit_code: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ran_for_seconds: Option<u64>,
}

/// One container's report: an item of the `ContainerExitReport` document.
///
/// ```text
/// apiVersion: firstaid.dev/v1
/// kind: ContainerExitReport
/// items:
/// - namespace, pod, node?, container, image: string
///   containerType: init|sidecar|regular|ephemeral
///   state: {state: running|waiting|terminated|unknown, reason?, message?}
///   restartCount: int
///   termination?: {source: state|lastState, exitCode, signal?, reason?, message?,
///                  startedAt?, finishedAt?, ranForSeconds?}
///   meaning?: {exitCode (0-255), category, name, meaning, causes, signal?}
///   backOff?: {delaySeconds, stage (1-6), capped, source: kubelet|restartCount}
///   pull?: {cause: <PullCause>|null, registry}
///   verdict: {kind, summary, evidence: [string], next: [string]}
/// pullGroups?: [{registry, cause, pods: ["namespace/name"], next: [string]}]  (scans only)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerReport {
    pub namespace: String,
    pub pod: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub container: String,
    pub container_type: ContainerType,
    pub image: String,
    pub state: StateSummary,
    pub restart_count: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination: Option<TerminationReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<CodeMeaning>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub back_off: Option<BackOff>,
    /// Set when the container waits for an image it cannot pull.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull: Option<PullFailure>,
    pub verdict: Verdict,
}

/// Why a container's image does not pull, and from where: the key pods are grouped by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PullFailure {
    /// The registry host the node contacts (`registry-1.docker.io` for Docker Hub).
    pub registry: String,
    /// `null` when no message named the cause.
    pub cause: Option<PullCause>,
}

/// Pods of a scan that cannot pull from the same registry for the same cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PullGroup {
    #[serde(flatten)]
    pub failure: PullFailure,
    /// `namespace/name`, each once, in scan order.
    pub pods: Vec<String>,
    /// The first pod's next steps (the same fix serves them all).
    pub next: Vec<String>,
}

impl PullGroup {
    /// "37 pods can't pull from registry-1.docker.io: rate limit".
    pub fn headline(&self) -> String {
        let cause = self
            .failure
            .cause
            .map_or("cause not recorded", PullCause::label);
        format!(
            "{} pods can't pull from {}: {cause}",
            self.pods.len(),
            self.failure.registry
        )
    }
}

/// Groups of two or more pods failing to pull the same way, largest first.
pub fn pull_groups(reports: &[ContainerReport]) -> Vec<PullGroup> {
    let mut groups: BTreeMap<&PullFailure, PullGroup> = BTreeMap::new();
    for r in reports {
        let Some(failure) = &r.pull else { continue };
        let group = groups.entry(failure).or_insert_with(|| PullGroup {
            failure: failure.clone(),
            pods: Vec::new(),
            next: r.verdict.next.clone(),
        });
        let pod = format!("{}/{}", r.namespace, r.pod);
        if !group.pods.contains(&pod) {
            group.pods.push(pod);
        }
    }
    let mut out: Vec<PullGroup> = groups.into_values().filter(|g| g.pods.len() > 1).collect();
    out.sort_by_key(|g| std::cmp::Reverse(g.pods.len()));
    out
}

impl ContainerReport {
    /// Whether a scan lists it: it exited non-zero, restarted, was OOM-killed or lost, or never
    /// started because of an error.
    pub fn noteworthy(&self) -> bool {
        self.restart_count > 0
            || self.termination.as_ref().is_some_and(|t| t.exit_code != 0)
            || !matches!(self.verdict.kind, Kind::Completed)
    }
}

/// The body of the `ContainerExitReport` document.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document<'a> {
    pub items: &'a [ContainerReport],
    #[serde(skip_serializing_if = "<[PullGroup]>::is_empty")]
    pub pull_groups: &'a [PullGroup],
}

/// Waiting reasons that are a normal step of starting, not a failure.
const STARTING: [&str; 2] = ["ContainerCreating", "PodInitializing"];

/// The report for one container, or `None` when it has nothing to explain (running, never
/// terminated; or still being created).
pub fn container_report(
    pod: &PodFacts,
    c: &ContainerFacts,
    node: Option<&NodeFacts>,
    usage: Option<Usage>,
) -> Option<ContainerReport> {
    let inputs = Inputs {
        pod,
        container: c,
        node,
        usage,
    };
    let (termination, source): (Option<&Termination>, &'static str) = match &c.state {
        State::Terminated(t) => (Some(t), "state"),
        _ => (c.last_state.as_ref(), "lastState"),
    };
    let waiting = match &c.state {
        State::Waiting { reason, message } => Some((reason.as_deref(), message.as_deref())),
        _ => None,
    };
    let verdict = match (termination, waiting) {
        (Some(t), _) => verdict::terminated(inputs, t),
        (None, Some((Some(reason), message))) if !STARTING.contains(&reason) => {
            verdict::never_started(inputs, reason, message)
        }
        _ => return None,
    };
    let waiting_message = waiting.and_then(|(_, m)| m);
    let pull = waiting
        .and_then(|(reason, _)| reason)
        .filter(|r| termination.is_none() && pull::REASONS.contains(r))
        .map(|_| PullFailure {
            registry: pull_causes::registry_host(&c.image),
            cause: pull::cause(verdict.kind),
        });
    Some(ContainerReport {
        namespace: pod.namespace.clone(),
        pod: pod.name.clone(),
        node: pod.node.clone(),
        container: c.name.clone(),
        container_type: c.kind,
        image: c.image.clone(),
        state: state_summary(&c.state),
        restart_count: c.restart_count,
        meaning: termination.map(|t| explain::meaning(code::fold(i64::from(t.exit_code)))),
        back_off: backoff::stage(
            c.restart_count,
            waiting_message,
            &restart_policy(pod, c),
            termination.map(|t| t.exit_code),
        ),
        termination: termination.map(|t| TerminationReport {
            source,
            exit_code: t.exit_code,
            signal: t.signal,
            reason: t.reason.clone(),
            message: t.message.clone(),
            started_at: t.started_at.map(|t| t.to_string()),
            finished_at: t.finished_at.map(|t| t.to_string()),
            ran_for_seconds: advice::ran_for_seconds(t),
        }),
        pull,
        verdict,
    })
}

/// Sidecars restart whatever the pod's policy; init containers follow it except that `Always`
/// means `OnFailure` for them; ephemeral containers never restart.
fn restart_policy(pod: &PodFacts, c: &ContainerFacts) -> String {
    match c.kind {
        ContainerType::Sidecar => "Always".into(),
        ContainerType::Ephemeral => "Never".into(),
        ContainerType::Init if pod.restart_policy == "Always" => "OnFailure".into(),
        _ => pod.restart_policy.clone(),
    }
}

fn state_summary(state: &State) -> StateSummary {
    match state {
        State::Running { .. } => StateSummary {
            state: "running",
            reason: None,
            message: None,
        },
        State::Waiting { reason, message } => StateSummary {
            state: "waiting",
            reason: reason.clone(),
            message: message.clone(),
        },
        State::Terminated(t) => StateSummary {
            state: "terminated",
            reason: t.reason.clone(),
            message: None,
        },
        State::Unknown => StateSummary {
            state: "unknown",
            reason: None,
            message: None,
        },
    }
}

/// Reports for every container of a pod that has something to explain (`only` restricts to one
/// container by name).
pub fn pod_reports(
    pod: &PodFacts,
    containers: &[ContainerFacts],
    node: Option<&NodeFacts>,
    usage: &BTreeMap<String, Usage>,
    only: Option<&str>,
) -> Vec<ContainerReport> {
    containers
        .iter()
        .filter(|c| only.is_none_or(|name| c.name == name))
        .filter_map(|c| container_report(pod, c, node, usage.get(&c.name).copied()))
        .collect()
}

#[cfg(test)]
mod tests;
