//! Who is supposed to remove a finalizer, and is anyone there to do it?
//!
//! A finalizer is a promise that some controller will clean up and then remove it. Removing it by
//! hand is safe only when that controller is gone for good — otherwise its cleanup (a cloud load
//! balancer, a bucket, a DNS record) is skipped. So each finalizer is classified with the evidence
//! behind the verdict: built-in ones name the Kubernetes controller that owns them; for an
//! operator's finalizer we look for its controller in the cluster (workloads whose name, labels or
//! images mention the finalizer's domain; leader-election Leases named after it) and say exactly
//! what we looked at, so "dead" is a finding, not a guess.

use firstaid::k8s::Timestamp;
use firstaid::k8s::finalizers::builtin;
use serde::Serialize;

use crate::model::{ControllerEvidence, LeaseInfo, Workload};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FinalizerState {
    /// Owned by a Kubernetes controller; it removes the finalizer once its condition holds.
    Builtin,
    /// A controller that plausibly handles it is running.
    Alive,
    /// No running controller for it was found: nobody will remove it.
    Dead,
    /// Could not tell (the places controllers run could not be read).
    Unknown,
}

/// The verdict on one finalizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FinalizerVerdict {
    pub name: String,
    pub state: FinalizerState,
    /// Who removes it (`kube-controller-manager: pvc-protection controller`, `operator for example.com`).
    pub owner: String,
    /// What the verdict rests on, in words.
    pub evidence: String,
}

/// Domain labels too generic to identify a controller.
const GENERIC: &[&str] = &[
    "io",
    "com",
    "org",
    "net",
    "dev",
    "sh",
    "cloud",
    "k8s",
    "x-k8s",
    "kubernetes",
    "finalizer",
    "finalizers",
    "resources-finalizer",
    "cleanup",
    "protection",
    "operator",
    "controller",
    "www",
    "invalid",
    "local",
    "internal",
];

/// The words that would appear in the name, labels or image of a finalizer's controller:
/// `resources-finalizer.argocd.argoproj.io` → `argocd`, `argoproj`; `example.com/cleanup` →
/// `example`. Words shorter than three characters are dropped (they match everything).
pub fn domain_words(finalizer: &str) -> Vec<String> {
    let domain = finalizer.split_once('/').map_or(finalizer, |(d, _)| d);
    let mut words: Vec<String> = Vec::new();
    for part in domain.split('.') {
        let raw = part.to_lowercase();
        if GENERIC.contains(&raw.as_str()) {
            continue;
        }
        let part = raw.trim_end_matches("-finalizer").to_owned();
        if part.len() >= 3 && !GENERIC.contains(&part.as_str()) && !words.contains(&part) {
            words.push(part);
        }
    }
    words
}

/// The domain of a finalizer (`example.com` for `example.com/cleanup`).
pub fn domain(finalizer: &str) -> &str {
    finalizer.split_once('/').map_or(finalizer, |(d, _)| d)
}

/// Classifies one finalizer found on an object of API group `group`.
pub fn classify(
    finalizer: &str,
    group: &str,
    evidence: &ControllerEvidence,
    now: Timestamp,
) -> FinalizerVerdict {
    if let Some(b) = builtin(finalizer) {
        return FinalizerVerdict {
            name: finalizer.to_owned(),
            state: FinalizerState::Builtin,
            owner: b.remover.into_owned(),
            evidence: format!("built-in: removed {}", b.when),
        };
    }
    let mut words = domain_words(finalizer);
    // The object's own API group names its operator too (a finalizer `cleanup` on a
    // `widgets.acme.io` object belongs to the acme operator).
    for w in domain_words(group) {
        if !words.contains(&w) {
            words.push(w);
        }
    }
    let owner = if domain(finalizer).contains('.') {
        format!("operator for {}", domain(finalizer))
    } else if group.is_empty() {
        "a custom controller".to_owned()
    } else {
        format!("operator for {group}")
    };
    let verdict = |state, evidence: String| FinalizerVerdict {
        name: finalizer.to_owned(),
        state,
        owner: owner.clone(),
        evidence,
    };
    if words.is_empty() {
        return verdict(
            FinalizerState::Unknown,
            format!("{finalizer:?} names no domain to look for its controller by"),
        );
    }
    let quoted = words
        .iter()
        .map(|w| format!("{w:?}"))
        .collect::<Vec<_>>()
        .join(", ");

    let (workloads, leases) = match (&evidence.workloads, &evidence.leases) {
        (Ok(w), Ok(l)) => (w, l),
        (Err(e), _) | (_, Err(e)) => {
            return verdict(
                FinalizerState::Unknown,
                format!("could not look for its controller: {e}"),
            );
        }
    };
    let matching_workloads: Vec<&Workload> = workloads
        .iter()
        .filter(|w| workload_mentions(w, &words))
        .collect();
    let matching_leases: Vec<&LeaseInfo> = leases
        .iter()
        .filter(|l| mentions(&l.name, &words))
        .collect();

    if let Some(w) = matching_workloads.iter().find(|w| w.ready > 0) {
        return verdict(
            FinalizerState::Alive,
            format!(
                "{} {}/{} mentions {quoted} and has {}/{} ready",
                w.kind, w.namespace, w.name, w.ready, w.desired
            ),
        );
    }
    if let Some(l) = matching_leases.iter().find(|l| l.is_fresh(now)) {
        return verdict(
            FinalizerState::Alive,
            format!(
                "Lease {}/{} is held{} and renewed recently",
                l.namespace,
                l.name,
                l.holder
                    .as_deref()
                    .map(|h| format!(" by {h}"))
                    .unwrap_or_default()
            ),
        );
    }
    if let Some(w) = matching_workloads.first() {
        return verdict(
            FinalizerState::Dead,
            format!(
                "its controller is not running: {} {}/{} mentions {quoted} but has {}/{} ready (repairing it would let it clean up)",
                w.kind, w.namespace, w.name, w.ready, w.desired
            ),
        );
    }
    let stale = matching_leases
        .first()
        .map(|l| {
            format!(
                "; Lease {}/{} has not been renewed since {}",
                l.namespace,
                l.name,
                l.renewed
                    .map_or_else(|| "ever".to_owned(), |r| r.to_string())
            )
        })
        .unwrap_or_default();
    verdict(
        FinalizerState::Dead,
        format!(
            "no Deployment, StatefulSet or DaemonSet among {} in the cluster mentions {quoted} in its name, labels or images, and no fresh Lease among {} is named after it{stale} (a controller running outside the cluster would not be seen)",
            workloads.len(),
            leases.len()
        ),
    )
}

fn mentions(text: &str, words: &[String]) -> bool {
    let text = text.to_lowercase();
    words.iter().any(|w| text.contains(w.as_str()))
}

fn workload_mentions(w: &Workload, words: &[String]) -> bool {
    mentions(&w.name, words)
        || w.labels.iter().any(|l| mentions(l, words))
        || w.images.iter().any(|i| mentions(i, words))
}

/// Whether `--fix` may remove this finalizer: only dead ones, or ones the user named.
pub fn removable(verdict: &FinalizerVerdict, named: &[String]) -> bool {
    verdict.state == FinalizerState::Dead || named.iter().any(|n| n == &verdict.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2024-05-01T12:00:00Z".parse::<Timestamp>().expect("time")
    }

    fn workload(name: &str, image: &str, ready: i32) -> Workload {
        Workload {
            kind: "Deployment".into(),
            namespace: "ops".into(),
            name: name.into(),
            labels: vec!["app.kubernetes.io/name=thing".into()],
            images: vec![image.into()],
            ready,
            desired: 1,
        }
    }

    fn evidence(workloads: Vec<Workload>, leases: Vec<LeaseInfo>) -> ControllerEvidence {
        ControllerEvidence {
            workloads: Ok(workloads),
            leases: Ok(leases),
        }
    }

    #[test]
    fn words_come_from_the_domain() {
        assert_eq!(
            domain_words("resources-finalizer.argocd.argoproj.io"),
            ["argocd", "argoproj"]
        );
        assert_eq!(domain_words("example.com/cleanup"), ["example"]);
        assert_eq!(domain_words("finalizer.cert-manager.io"), ["cert-manager"]);
        assert!(domain_words("kubernetes.io/x").is_empty());
    }

    #[test]
    fn builtins_name_their_controller() {
        let v = classify(
            "kubernetes.io/pvc-protection",
            "",
            &evidence(vec![], vec![]),
            now(),
        );
        assert_eq!(v.state, FinalizerState::Builtin);
        assert!(v.owner.contains("pvc-protection controller"));
        assert!(!removable(&v, &[]));
        assert!(removable(&v, &["kubernetes.io/pvc-protection".into()]));
    }

    #[test]
    fn no_controller_anywhere_is_dead_with_evidence() {
        let v = classify(
            "widgets.example.com/cleanup",
            "example.com",
            &evidence(
                vec![workload("coredns", "registry.k8s.io/coredns:v1", 2)],
                vec![],
            ),
            now(),
        );
        assert_eq!(v.state, FinalizerState::Dead);
        assert!(v.evidence.contains("among 1"), "{}", v.evidence);
        assert!(v.evidence.contains("\"widgets\""), "{}", v.evidence);
        assert_eq!(v.owner, "operator for widgets.example.com");
        assert!(removable(&v, &[]));
    }

    #[test]
    fn a_ready_workload_mentioning_the_domain_is_alive() {
        let v = classify(
            "example.com/cleanup",
            "example.com",
            &evidence(
                vec![workload(
                    "manager",
                    "ghcr.io/example/widget-operator:1.2",
                    1,
                )],
                vec![],
            ),
            now(),
        );
        assert_eq!(v.state, FinalizerState::Alive);
        assert!(v.evidence.contains("ops/manager"), "{}", v.evidence);
        assert!(!removable(&v, &[]));
    }

    #[test]
    fn a_scaled_down_controller_is_dead_but_named() {
        let v = classify(
            "example.com/cleanup",
            "example.com",
            &evidence(vec![workload("example-operator", "x", 0)], vec![]),
            now(),
        );
        assert_eq!(v.state, FinalizerState::Dead);
        assert!(v.evidence.contains("0/1 ready"), "{}", v.evidence);
    }

    #[test]
    fn leases_count_only_when_fresh() {
        let lease = |renewed: &str| LeaseInfo {
            namespace: "ops".into(),
            name: "example-leader".into(),
            holder: Some("pod-1".into()),
            renewed: Some(renewed.parse::<Timestamp>().expect("time")),
            duration_seconds: Some(15),
        };
        let fresh = classify(
            "example.com/cleanup",
            "",
            &evidence(vec![], vec![lease("2024-05-01T11:59:50Z")]),
            now(),
        );
        assert_eq!(fresh.state, FinalizerState::Alive);
        let stale = classify(
            "example.com/cleanup",
            "",
            &evidence(vec![], vec![lease("2024-04-01T00:00:00Z")]),
            now(),
        );
        assert_eq!(stale.state, FinalizerState::Dead);
        assert!(
            stale.evidence.contains("not been renewed"),
            "{}",
            stale.evidence
        );
    }

    #[test]
    fn unreadable_evidence_is_unknown() {
        let v = classify(
            "example.com/cleanup",
            "",
            &ControllerEvidence {
                workloads: Err("deployments.apps is forbidden".into()),
                leases: Ok(vec![]),
            },
            now(),
        );
        assert_eq!(v.state, FinalizerState::Unknown);
        assert!(!removable(&v, &[]));
        let bare = classify("x", "", &evidence(vec![], vec![]), now());
        assert_eq!(bare.state, FinalizerState::Unknown);
    }
}
