//! From fetched wire objects to the plain numbers [`crate::resources`] works on.
//!
//! Kept apart from the arithmetic so that module stays free of Kubernetes types, and apart from
//! fetch so the conversion is unit-tested on fixtures.

use std::time::Duration;

use firstaid::k8s::Timestamp;
use firstaid::quantity;

use crate::kinds::{self, ResourceMap};
use crate::resources::{Bounds, Container, PodShape, Role};

/// CPU millicores of `map[name]`, `None` when unset. The API server validated these quantities,
/// so an unparseable one (never seen in practice) is treated as unset rather than failing the run.
pub fn millis(map: &ResourceMap, name: &str) -> Option<i64> {
    map.get(name).and_then(|q| quantity::milli_value(q).ok())
}

/// Bytes (or a plain count, for `pods`) of `map[name]`, `None` when unset.
pub fn units(map: &ResourceMap, name: &str) -> Option<i64> {
    map.get(name).and_then(|q| quantity::value(q).ok())
}

/// CPU, memory and pods: the resources every node and pod view shows in its own columns.
pub const BASE: [&str; 3] = ["cpu", "memory", "pods"];

fn container(c: &kinds::Container, role: Role) -> Container {
    let r = &c.resources;
    let mut other: Vec<(String, Bounds)> = Vec::new();
    for name in r.requests.keys().chain(r.limits.keys()) {
        if !BASE.contains(&name.as_str()) && !other.iter().any(|(n, _)| n == name) {
            let bounds = Bounds::new(units(&r.requests, name), units(&r.limits, name));
            other.push((name.clone(), bounds));
        }
    }
    Container {
        name: c.name.clone(),
        role,
        cpu: Bounds::new(millis(&r.requests, "cpu"), millis(&r.limits, "cpu")),
        memory: Bounds::new(units(&r.requests, "memory"), units(&r.limits, "memory")),
        other,
    }
}

/// The scheduler's view of a pod spec.
pub fn pod_shape(pod: &kinds::Pod) -> PodShape {
    let spec = &pod.spec;
    let init = spec.init_containers.iter().map(|c| {
        let role = if c.restart_policy.as_deref() == Some("Always") {
            Role::Sidecar
        } else {
            Role::Init
        };
        container(c, role)
    });
    let app = spec.containers.iter().map(|c| container(c, Role::App));
    let empty = ResourceMap::new();
    let overhead = spec.overhead.as_ref().unwrap_or(&empty);
    let (pod_requests, pod_limits) = spec
        .resources
        .as_ref()
        .map_or((&empty, &empty), |r| (&r.requests, &r.limits));
    PodShape {
        containers: init.chain(app).collect(),
        overhead_cpu: millis(overhead, "cpu"),
        overhead_memory: units(overhead, "memory"),
        pod_cpu: Bounds::new(millis(pod_requests, "cpu"), millis(pod_limits, "cpu")),
        pod_memory: Bounds::new(units(pod_requests, "memory"), units(pod_limits, "memory")),
    }
}

/// A Go duration as metrics-server writes the sample window (`1m0.177s`, `20s`, `1.5h`).
pub fn go_duration(text: &str) -> Option<Duration> {
    let mut rest = text.trim();
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !c.is_ascii_digit() && c != '.')?;
        let number: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" | "μs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += number * seconds;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).ok()
}

/// A metrics sample's timing, for "how fresh is this usage?".
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    /// When the sample was taken.
    pub timestamp: Option<Timestamp>,
    /// The averaging window in seconds.
    pub window_seconds: Option<f64>,
    /// How old the sample was when top-real read it, in seconds.
    pub age_seconds: Option<i64>,
}

impl Sample {
    pub fn new(timestamp: Option<&str>, window: Option<&str>, now: Timestamp) -> Self {
        let timestamp = timestamp.and_then(|t| t.parse::<Timestamp>().ok());
        Sample {
            timestamp,
            window_seconds: window.and_then(go_duration).map(|d| d.as_secs_f64()),
            age_seconds: timestamp.map(|t| firstaid::k8s::time::seconds_between(t, now).max(0)),
        }
    }
}

/// A metrics window (`1m0.177s` → `1m`, `90s` → `1m30s`), read like the Go durations
/// metrics-server reports; ages are [`firstaid::k8s::time::human_seconds`].
pub fn short_duration(seconds: f64) -> String {
    let whole = seconds.round() as i64;
    match whole {
        ..60 => format!("{whole}s"),
        60..3600 if whole % 60 == 0 => format!("{}m", whole / 60),
        60..3600 => format!("{}m{}s", whole / 60, whole % 60),
        3600..86400 => format!("{}h{}m", whole / 3600, whole % 3600 / 60),
        _ => format!("{}d{}h", whole / 86400, whole % 86400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        let d = go_duration("1m0.177s").expect("duration");
        assert!((d.as_secs_f64() - 60.177).abs() < 1e-9);
        assert_eq!(go_duration("20s"), Some(Duration::from_secs(20)));
        assert_eq!(go_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(go_duration("0"), Some(Duration::ZERO));
        for bad in ["", "s", "1x", "1m-3s"] {
            assert_eq!(go_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn sample_age_and_window() {
        let now = "2023-08-15T14:10:00Z".parse::<Timestamp>().expect("time");
        let s = Sample::new(Some("2023-08-15T14:09:38Z"), Some("1m0.177s"), now);
        assert_eq!(s.age_seconds, Some(22));
        assert_eq!(short_duration(s.window_seconds.unwrap_or(0.0)), "1m");
        assert_eq!(short_duration(90.0), "1m30s");
        assert_eq!(short_duration(4000.0), "1h6m");
        let s = Sample::new(Some("garbage"), None, now);
        assert_eq!(
            (s.timestamp, s.age_seconds, s.window_seconds),
            (None, None, None)
        );
    }

    #[test]
    fn pod_shape_marks_sidecars_and_reads_overhead() {
        let pod: kinds::Pod = serde_json::from_value(serde_json::json!({
            "spec": {
                "initContainers": [
                    {"name": "setup", "resources": {"requests": {"cpu": "1"}}},
                    {"name": "proxy", "restartPolicy": "Always",
                     "resources": {"requests": {"cpu": "100m", "memory": "32Mi"}}}],
                "containers": [{"name": "app", "resources": {
                    "requests": {"cpu": "250m", "memory": "64Mi"},
                    "limits": {"cpu": "1", "memory": "128Mi"}}}],
                "overhead": {"cpu": "50m", "memory": "10Mi"},
                "resources": {"limits": {"memory": "1Gi"}}
            }
        }))
        .expect("pod");
        let shape = pod_shape(&pod);
        let roles: Vec<Role> = shape.containers.iter().map(|c| c.role).collect();
        assert_eq!(roles, [Role::Init, Role::Sidecar, Role::App]);
        assert_eq!(shape.containers[2].memory.limit, Some(128 * 1024 * 1024));
        assert_eq!(shape.overhead_cpu, Some(50));
        assert_eq!(shape.pod_memory.limit, Some(1024 * 1024 * 1024));
        let totals = crate::resources::pod_totals(&shape);
        assert_eq!(totals.cpu.request, 1050); // init 1000 > 100 + 250, plus 50 overhead
    }
}
