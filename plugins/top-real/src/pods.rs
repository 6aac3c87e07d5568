//! Diagnose for `top-real pods`: usage against requests and limits, per pod or per container,
//! and the two things an operator wants flagged before the pager goes off: a container close to
//! its memory limit (the kernel OOM-kills it at 100 %) and pods with no limits at all (they can
//! eat the node's allocatable and get their neighbours evicted: the FAQ on evicted pods).
//!
//! Pure functions over fetched objects.

use std::collections::{BTreeMap, HashMap};

use firstaid::k8s::Timestamp;
use serde::Serialize;

use crate::kinds::{self, PodMetrics};
use crate::other::Amounts;
use crate::resources::{Bounds, Effective, Role, other_totals, percent, pod_totals};
use crate::shape::{Sample, millis, pod_shape, units};

/// Memory usage at or above this share of the limit is flagged as an OOMKill risk.
pub const NEAR_LIMIT_PERCENT: f64 = 90.0;

/// Usage against request and limit for one resource. CPU in millicores, memory in bytes.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    /// From metrics.k8s.io; null without metrics.
    pub usage: Option<i64>,
    /// Effective request (for a pod: the scheduler's sum, with init containers and overhead).
    pub requests: i64,
    /// Null when unlimited (some container sets no limit).
    pub limits: Option<i64>,
    pub usage_percent_of_requests: Option<f64>,
    pub usage_percent_of_limits: Option<f64>,
}

impl Figures {
    fn new(usage: Option<i64>, requests: i64, limits: Option<i64>) -> Self {
        Figures {
            usage,
            requests,
            limits,
            usage_percent_of_requests: usage.and_then(|u| percent(u, requests)),
            usage_percent_of_limits: usage.and_then(|u| percent(u, limits?)),
        }
    }

    fn from_effective(usage: Option<i64>, e: Effective) -> Self {
        Figures::new(usage, e.request, (!e.unlimited).then_some(e.limit))
    }
}

/// Something worth a look, machine-readable in JSON (`kind`) and explained in the table.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind")]
pub enum Flag {
    /// Memory usage ≥ 90 % of the container's limit: the kernel kills it at 100 % (OOMKilled).
    NearMemoryLimit { container: String, percent: f64 },
    /// No container has a CPU or memory limit.
    NoLimits,
    /// Some container has no memory limit.
    NoMemoryLimit { containers: Vec<String> },
    /// Some container has no CPU limit.
    NoCpuLimit { containers: Vec<String> },
    /// Memory usage above the request: first in line for eviction under node memory pressure.
    MemoryAboveRequest,
}

impl Flag {
    pub fn text(&self) -> String {
        match self {
            Flag::NearMemoryLimit { container, percent } => {
                format!(
                    "OOM risk: {container} at {}% of memory limit",
                    percent.floor()
                )
            }
            Flag::NoLimits => "no limits".to_owned(),
            Flag::NoMemoryLimit { containers } => {
                format!("no memory limit ({})", containers.join(","))
            }
            Flag::NoCpuLimit { containers } => format!("no cpu limit ({})", containers.join(",")),
            Flag::MemoryAboveRequest => "memory above request".to_owned(),
        }
    }
}

/// One running container.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ContainerReport {
    pub name: String,
    /// `app` or `sidecar`.
    pub role: &'static str,
    pub cpu_millicores: Figures,
    pub memory_bytes: Figures,
    /// Other resources it requests or limits (ephemeral-storage, hugepages-*, nvidia.com/gpu…).
    pub other_resources: BTreeMap<String, Amounts>,
}

/// One pod in `kubectl top-real pods -o json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PodReport {
    pub namespace: String,
    pub name: String,
    pub node: Option<String>,
    pub phase: Option<String>,
    pub cpu_millicores: Figures,
    pub memory_bytes: Figures,
    pub containers: Vec<ContainerReport>,
    /// Other resources it requests or limits, by the scheduler's rule (no usage: metrics.k8s.io
    /// reports CPU and memory only).
    pub other_resources: BTreeMap<String, Amounts>,
    pub flags: Vec<Flag>,
    pub metrics: Option<Sample>,
}

/// `kubectl top-real pods -o json|yaml`: `{apiVersion: firstaid.dev/v1, kind: PodUsage,
/// metrics: {available, reason, message}, items: [PodReport…]}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodUsage {
    pub metrics: crate::metrics::MetricsInfo,
    pub items: Vec<PodReport>,
}

/// Everything shown about one pod; `metrics` is its PodMetrics, if any.
pub fn report(pod: &kinds::Pod, metrics: Option<&PodMetrics>, now: Timestamp) -> PodReport {
    let shape = pod_shape(pod);
    let totals = pod_totals(&shape);
    let usage_of: HashMap<&str, &kinds::ResourceMap> = metrics
        .map(|m| {
            m.containers
                .iter()
                .map(|c| (c.name.as_str(), &c.usage))
                .collect()
        })
        .unwrap_or_default();
    let sum = |pick: fn(&kinds::ResourceMap) -> Option<i64>| -> Option<i64> {
        // Saturating, like every sum of server-sent quantities (see resources.rs).
        metrics.map(|_| {
            usage_of
                .values()
                .filter_map(|u| pick(u))
                .fold(0i64, i64::saturating_add)
        })
    };
    let cpu_usage = sum(|u| millis(u, "cpu"));
    let memory_usage = sum(|u| units(u, "memory"));

    let running: Vec<_> = shape
        .containers
        .iter()
        .filter(|c| c.role != Role::Init)
        .collect();
    let containers: Vec<ContainerReport> = running
        .iter()
        .map(|c| {
            let usage = usage_of.get(c.name.as_str());
            ContainerReport {
                name: c.name.clone(),
                role: if c.role == Role::Sidecar {
                    "sidecar"
                } else {
                    "app"
                },
                cpu_millicores: Figures::new(
                    usage.and_then(|u| millis(u, "cpu")),
                    c.cpu.request.unwrap_or(0),
                    c.cpu.limit,
                ),
                memory_bytes: Figures::new(
                    usage.and_then(|u| units(u, "memory")),
                    c.memory.request.unwrap_or(0),
                    c.memory.limit,
                ),
                other_resources: c
                    .other
                    .iter()
                    .map(|(name, b): &(String, Bounds)| {
                        let amounts = Amounts {
                            requests: b.request.unwrap_or(0),
                            limits: b.limit,
                        };
                        (name.clone(), amounts)
                    })
                    .collect(),
            }
        })
        .collect();

    let mut flags = Vec::new();
    for c in &containers {
        if let Some(p) = c.memory_bytes.usage_percent_of_limits
            && p >= NEAR_LIMIT_PERCENT
        {
            flags.push(Flag::NearMemoryLimit {
                container: c.name.clone(),
                percent: p,
            });
        }
    }
    let no_memory: Vec<String> = running
        .iter()
        .filter(|c| c.memory.limit.is_none())
        .map(|c| c.name.clone())
        .collect();
    let no_cpu: Vec<String> = running
        .iter()
        .filter(|c| c.cpu.limit.is_none())
        .map(|c| c.name.clone())
        .collect();
    if totals.memory.unlimited
        && totals.cpu.unlimited
        && no_memory.len() == running.len()
        && no_cpu.len() == running.len()
    {
        flags.push(Flag::NoLimits);
    } else {
        if totals.memory.unlimited && !no_memory.is_empty() {
            flags.push(Flag::NoMemoryLimit {
                containers: no_memory,
            });
        }
        if totals.cpu.unlimited && !no_cpu.is_empty() {
            flags.push(Flag::NoCpuLimit { containers: no_cpu });
        }
    }
    if totals.memory.request > 0 && memory_usage.is_some_and(|u| u > totals.memory.request) {
        flags.push(Flag::MemoryAboveRequest);
    }

    PodReport {
        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
        name: pod.metadata.name.clone().unwrap_or_default(),
        node: pod.spec.node_name.clone(),
        phase: pod.status.phase.clone(),
        cpu_millicores: Figures::from_effective(cpu_usage, totals.cpu),
        memory_bytes: Figures::from_effective(memory_usage, totals.memory),
        containers,
        other_resources: other_totals(&shape)
            .into_iter()
            .map(|(name, e)| (name, e.into()))
            .collect(),
        flags,
        metrics: metrics.map(|m| Sample::new(m.timestamp.as_deref(), m.window.as_deref(), now)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::tests::now;

    #[allow(clippy::needless_pass_by_value)] // json!(..) inline reads best
    fn pod(containers: serde_json::Value) -> kinds::Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"nodeName": "n1", "containers": containers},
            "status": {"phase": "Running"}
        }))
        .expect("pod")
    }

    fn metrics(pairs: &[(&str, &str, &str)]) -> PodMetrics {
        let containers: Vec<_> = pairs
            .iter()
            .map(|(n, c, m)| serde_json::json!({"name": n, "usage": {"cpu": c, "memory": m}}))
            .collect();
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "namespace": "shop"},
            "timestamp": "2023-08-15T14:09:50Z", "window": "30s",
            "containers": containers
        }))
        .expect("metrics")
    }

    #[test]
    fn container_near_its_memory_limit_is_an_oom_risk() {
        let p = pod(serde_json::json!([
            {"name": "app", "resources": {"requests": {"cpu": "250m", "memory": "256Mi"},
                                          "limits": {"cpu": "500m", "memory": "512Mi"}}},
            {"name": "log", "resources": {"requests": {"cpu": "10m", "memory": "16Mi"},
                                          "limits": {"cpu": "50m", "memory": "32Mi"}}}
        ]));
        let r = report(
            &p,
            Some(&metrics(&[("app", "300m", "476Mi"), ("log", "1m", "8Mi")])),
            now(),
        );
        assert_eq!(r.cpu_millicores.usage, Some(301));
        assert_eq!(r.cpu_millicores.requests, 260);
        assert_eq!(r.cpu_millicores.limits, Some(550));
        assert_eq!(r.memory_bytes.usage, Some(484 * 1024 * 1024));
        let app = &r.containers[0];
        let pct = app.memory_bytes.usage_percent_of_limits.unwrap_or(0.0);
        assert!((pct - 92.97).abs() < 0.01, "{pct}");
        assert_eq!(
            r.flags,
            [
                Flag::NearMemoryLimit {
                    container: "app".into(),
                    percent: pct
                },
                Flag::MemoryAboveRequest
            ]
        );
        assert_eq!(r.flags[0].text(), "OOM risk: app at 92% of memory limit");
        assert_eq!(r.metrics.and_then(|s| s.age_seconds), Some(10));
    }

    /// Per-container usage summed with `+` overflowed for two containers at `7Ei` each.
    #[test]
    fn huge_usage_saturates_instead_of_overflowing() {
        let p = pod(serde_json::json!([{"name": "a"}, {"name": "b"}]));
        let usage = metrics(&[("a", "9223372036854775807m", "7Ei"), ("b", "1", "7Ei")]);
        let r = report(&p, Some(&usage), now());
        assert_eq!(r.memory_bytes.usage, Some(i64::MAX));
        assert_eq!(r.cpu_millicores.usage, Some(i64::MAX));
    }

    #[test]
    fn pods_without_limits_are_flagged() {
        let p = pod(serde_json::json!([{"name": "app"}]));
        let r = report(&p, None, now());
        assert_eq!(r.flags, [Flag::NoLimits]);
        assert_eq!(r.cpu_millicores.limits, None);
        assert_eq!(r.memory_bytes.usage, None);

        let p = pod(serde_json::json!([
            {"name": "app", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}},
            {"name": "debug", "resources": {"limits": {"cpu": "100m"}}}
        ]));
        let r = report(&p, Some(&metrics(&[("app", "1m", "1Mi")])), now());
        assert_eq!(
            r.flags,
            [Flag::NoMemoryLimit {
                containers: vec!["debug".into()]
            }]
        );
        assert_eq!(r.containers[1].memory_bytes.usage, None);
    }
}
