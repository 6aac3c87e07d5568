//! The arithmetic behind every number top-real prints, on plain integers (millicores, bytes).
//!
//! Why a module of its own: the FAQ's whole point (on `kubectl top` above 100 %) is that the *same* usage reads as
//! 109 % or 59.9 % depending on the denominator, and that requests are counted the way the
//! scheduler counts them, not as a naive sum of containers. Getting those rules right once, here,
//! with no Kubernetes types in the way, lets the tests assert the FAQ's figures exactly.
//!
//! Percentages shown next to allocatable are truncated like `kubectl top` and `kubectl describe
//! node` truncate them (1605m of 3920m is `40%`, not 41 %), so users can compare our numbers with
//! the ones they already know; we compute them in integers so 29 of 100 is 29 %, not kubectl's
//! float-rounded 28 %.

/// What a container is to the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A regular container (`spec.containers`).
    App,
    /// An init container that runs to completion before the app containers start.
    Init,
    /// A restartable init container (`restartPolicy: Always`): starts before later init
    /// containers and keeps running next to the app containers.
    Sidecar,
}

/// One resource (CPU in millicores, or memory in bytes) of one container; `None` = not set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bounds {
    pub request: Option<i64>,
    pub limit: Option<i64>,
}

impl Bounds {
    pub fn new(request: Option<i64>, limit: Option<i64>) -> Self {
        Bounds { request, limit }
    }
}

/// A container's CPU and memory settings, in the order the pod spec lists it (init containers
/// first, in their start order, then the app containers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Container {
    pub name: String,
    pub role: Role,
    pub cpu: Bounds,
    pub memory: Bounds,
    /// Every other resource it requests or limits (ephemeral-storage, hugepages-*, extended
    /// resources), in bytes or units; empty for most containers.
    pub other: Vec<(String, Bounds)>,
}

impl Container {
    fn other(&self, name: &str) -> Bounds {
        self.other
            .iter()
            .find(|(n, _)| n == name)
            .map_or_else(Bounds::default, |(_, b)| *b)
    }
}

/// What the scheduler reads from a pod spec, as plain numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodShape {
    pub containers: Vec<Container>,
    /// `spec.overhead` (RuntimeClass overhead): cpu millicores, memory bytes.
    pub overhead_cpu: Option<i64>,
    pub overhead_memory: Option<i64>,
    /// Pod-level `spec.resources` (PodLevelResources), which win over the containers' sum.
    pub pod_cpu: Bounds,
    pub pod_memory: Bounds,
}

/// A pod's effective request and limit for one resource.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Effective {
    /// What the scheduler reserves on the node.
    pub request: i64,
    /// The limits as `kubectl describe node` sums them (unset limits count as 0).
    pub limit: i64,
    /// Some container has no limit (and there is no pod-level limit): the pod may use the node's
    /// whole allocatable.
    pub unlimited: bool,
}

/// A pod's effective CPU (millicores) and memory (bytes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PodTotals {
    pub cpu: Effective,
    pub memory: Effective,
}

/// The scheduler's rule (k8s.io/component-helpers `PodRequests`/`PodLimits`): the larger of
/// (app containers + sidecars) and (each init container + the sidecars started before it), plus
/// pod overhead; pod-level resources replace the container aggregate where set.
pub fn pod_totals(pod: &PodShape) -> PodTotals {
    PodTotals {
        cpu: effective(pod, |c| c.cpu, pod.pod_cpu, pod.overhead_cpu),
        memory: effective(pod, |c| c.memory, pod.pod_memory, pod.overhead_memory),
    }
}

fn effective(
    pod: &PodShape,
    pick: impl Fn(&Container) -> Bounds,
    pod_level: Bounds,
    overhead: Option<i64>,
) -> Effective {
    let request = pod_level
        .request
        .unwrap_or_else(|| aggregate(&pod.containers, |c| pick(c).request));
    let any_limit = pod.containers.iter().any(|c| pick(c).limit.is_some());
    let (limit, limit_set) = match pod_level.limit {
        Some(limit) => (limit, true),
        None => (aggregate(&pod.containers, |c| pick(c).limit), any_limit),
    };
    let unlimited = pod_level.limit.is_none()
        && (pod.containers.is_empty() || pod.containers.iter().any(|c| pick(c).limit.is_none()));
    let overhead = overhead.unwrap_or(0);
    Effective {
        request: request.saturating_add(overhead),
        // Overhead is added to a limit only when some limit exists, as PodLimits does.
        limit: if limit_set {
            limit.saturating_add(overhead)
        } else {
            limit
        },
        unlimited,
    }
}

/// The pod's effective request and limit of every resource besides CPU and memory, by the same
/// rule ([`pod_totals`]); pod-level resources and overhead cover only CPU and memory.
pub fn other_totals(pod: &PodShape) -> Vec<(String, Effective)> {
    let mut names: Vec<&str> = pod
        .containers
        .iter()
        .flat_map(|c| c.other.iter().map(|(n, _)| n.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let mut totals = effective(pod, |c| c.other(name), Bounds::default(), None);
            // A container that does not ask for hugepages or a device gets none, so only
            // ephemeral-storage is open-ended where a limit is missing.
            totals.unlimited &= name == "ephemeral-storage";
            (name.to_owned(), totals)
        })
        .collect()
}

/// max(Σ app + Σ sidecars, max over init containers of (its value + sidecars started before it));
/// a sidecar's own "init peak" is the running sum of sidecars including itself.
fn aggregate(containers: &[Container], value: impl Fn(&Container) -> Option<i64>) -> i64 {
    let mut running = 0i64;
    let mut sidecars = 0i64;
    let mut init_peak = 0i64;
    for c in containers {
        let v = value(c).unwrap_or(0);
        match c.role {
            Role::App => running = running.saturating_add(v),
            Role::Sidecar => {
                running = running.saturating_add(v);
                sidecars = sidecars.saturating_add(v);
                init_peak = init_peak.max(sidecars);
            }
            Role::Init => init_peak = init_peak.max(v.saturating_add(sidecars)),
        }
    }
    running.max(init_peak)
}

/// `part / whole` in percent, unrounded; `None` when `whole` is not positive.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// `part / whole` in whole percent, truncated the way kubectl prints it (`40%` for 40.94 %).
pub fn percent_truncated(part: i64, whole: i64) -> Option<i64> {
    // Saturating: 2^63 bytes of 1 byte is more percent than an i64 holds.
    (whole > 0).then(|| {
        let exact = i128::from(part) * 100 / i128::from(whole);
        i64::try_from(exact).unwrap_or(if exact < 0 { i64::MIN } else { i64::MAX })
    })
}

/// One resource of one node: everything the node table shows about it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeResource {
    /// From metrics.k8s.io; `None` when metrics are missing.
    pub usage: Option<i64>,
    pub capacity: i64,
    pub allocatable: i64,
    /// Sum of the effective requests of the node's non-terminated pods.
    pub requests: i64,
    pub limits: i64,
}

impl NodeResource {
    /// capacity − allocatable: kube-reserved + system-reserved + the hard eviction threshold.
    pub fn reserved(&self) -> i64 {
        self.capacity.saturating_sub(self.allocatable)
    }
    /// Usage against the whole machine: the "real" figure.
    pub fn usage_of_capacity(&self) -> Option<f64> {
        percent(self.usage?, self.capacity)
    }
    /// Usage against allocatable: what `kubectl top node` shows.
    pub fn usage_of_allocatable(&self) -> Option<f64> {
        percent(self.usage?, self.allocatable)
    }
    pub fn requests_of_allocatable(&self) -> Option<f64> {
        percent(self.requests, self.allocatable)
    }
    pub fn limits_of_allocatable(&self) -> Option<f64> {
        percent(self.limits, self.allocatable)
    }
    /// Limits promise more than the node can give (`describe node`'s "overcommitted").
    pub fn overcommitted(&self) -> bool {
        self.allocatable > 0 && self.limits > self.allocatable
    }
    /// Usage above allocatable: `kubectl top` shows more than 100 %.
    pub fn over_allocatable(&self) -> bool {
        self.usage
            .is_some_and(|u| self.allocatable > 0 && u > self.allocatable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use firstaid::quantity::{milli_value, value};

    fn q(text: &str) -> i64 {
        value(text).expect("quantity")
    }
    fn m(text: &str) -> i64 {
        milli_value(text).expect("quantity")
    }

    /// The FAQ's `kubectl top` example, with the prose's capacity 4030180Ki.
    fn t14(capacity: &str) -> (NodeResource, NodeResource) {
        let cpu = NodeResource {
            usage: Some(m("78528126n")),
            capacity: m("2"),
            allocatable: m("1960m"),
            ..NodeResource::default()
        };
        let memory = NodeResource {
            usage: Some(q("2413824Ki")),
            capacity: q(capacity),
            allocatable: q("2213604Ki"),
            ..NodeResource::default()
        };
        (cpu, memory)
    }

    #[test]
    fn memory_over_100_percent_of_allocatable_is_59_9_of_capacity() {
        let (cpu, memory) = t14("4030180Ki");
        assert_eq!(cpu.usage, Some(79));
        assert_eq!(
            percent_truncated(cpu.usage.unwrap_or(0), cpu.allocatable),
            Some(4)
        );
        assert_eq!(
            percent_truncated(memory.usage.unwrap_or(0), memory.allocatable),
            Some(109)
        );
        assert_eq!(
            format!("{:.1}", memory.usage_of_capacity().unwrap_or(0.0)),
            "59.9"
        );
        assert!(memory.over_allocatable());
        assert_eq!(memory.reserved(), 1_816_576 * 1024);
        // The describe dump's own capacity (Appendix A erratum) gives 69.1 %.
        let (_, dump) = t14("3494556Ki");
        assert_eq!(
            format!("{:.1}", dump.usage_of_capacity().unwrap_or(0.0)),
            "69.1"
        );
        assert_eq!(dump.reserved(), 1_280_952 * 1024);
    }

    #[test]
    fn requests_and_limits_truncate_against_allocatable() {
        let cpu = NodeResource {
            capacity: m("4"),
            allocatable: m("3920m"),
            requests: m("1605m"),
            limits: m("6530m"),
            usage: None,
        };
        let memory = NodeResource {
            capacity: q("7614352Ki"),
            allocatable: q("6180752Ki"),
            requests: q("2625Mi"),
            limits: q("5612Mi"),
            usage: None,
        };
        assert_eq!(percent_truncated(cpu.requests, cpu.allocatable), Some(40));
        assert_eq!(percent_truncated(cpu.limits, cpu.allocatable), Some(166));
        assert_eq!(
            percent_truncated(memory.requests, memory.allocatable),
            Some(43)
        );
        assert_eq!(
            percent_truncated(memory.limits, memory.allocatable),
            Some(92)
        );
        assert!(cpu.overcommitted());
        assert!(!memory.overcommitted());
        assert_eq!(cpu.usage_of_capacity(), None);
    }

    #[test]
    fn other_resources_follow_the_same_rule_and_only_storage_is_open_ended() {
        let mut init = c("fetch", Role::Init, (None, None), None);
        init.other = vec![(
            "ephemeral-storage".into(),
            Bounds::new(Some(q("3Gi")), None),
        )];
        let mut app = c("infer", Role::App, (None, None), None);
        app.other = vec![
            ("nvidia.com/gpu".into(), Bounds::new(Some(1), Some(1))),
            (
                "ephemeral-storage".into(),
                Bounds::new(Some(q("1Gi")), None),
            ),
        ];
        let pod = PodShape {
            containers: vec![init, app],
            ..PodShape::default()
        };
        let totals = other_totals(&pod);
        let (storage, gpu) = (&totals[0], &totals[1]);
        assert_eq!(storage.0, "ephemeral-storage");
        assert_eq!((storage.1.request, storage.1.unlimited), (q("3Gi"), true));
        assert_eq!(gpu.0, "nvidia.com/gpu");
        assert_eq!((gpu.1.request, gpu.1.limit, gpu.1.unlimited), (1, 1, false));
        assert!(other_totals(&PodShape::default()).is_empty());
    }

    #[test]
    fn integer_percent_does_not_drift_and_zero_is_none() {
        assert_eq!(percent_truncated(29, 100), Some(29));
        assert_eq!(percent_truncated(1, 0), None);
        assert_eq!(percent(1, 0), None);
        assert_eq!(percent_truncated(1960, 1960), Some(100));
    }

    fn c(name: &str, role: Role, cpu: (Option<i64>, Option<i64>), mem: Option<i64>) -> Container {
        Container {
            name: name.into(),
            role,
            cpu: Bounds::new(cpu.0, cpu.1),
            memory: Bounds::new(mem, mem),
            other: Vec::new(),
        }
    }

    #[test]
    fn plain_containers_sum() {
        let pod = PodShape {
            containers: vec![
                c("a", Role::App, (Some(100), Some(200)), Some(64)),
                c("b", Role::App, (Some(50), Some(100)), Some(32)),
            ],
            ..PodShape::default()
        };
        let t = pod_totals(&pod);
        assert_eq!(
            (t.cpu.request, t.cpu.limit, t.cpu.unlimited),
            (150, 300, false)
        );
        assert_eq!((t.memory.request, t.memory.limit), (96, 96));
    }

    #[test]
    fn a_big_init_container_dominates_the_app_sum() {
        let pod = PodShape {
            containers: vec![
                c("migrate", Role::Init, (Some(2000), Some(2000)), Some(1024)),
                c("app", Role::App, (Some(500), Some(1000)), Some(256)),
            ],
            ..PodShape::default()
        };
        let t = pod_totals(&pod);
        assert_eq!((t.cpu.request, t.cpu.limit), (2000, 2000));
        assert_eq!(t.memory.request, 1024);
    }

    #[test]
    fn sidecars_add_to_the_app_sum_and_to_later_init_containers() {
        // KEP-753's example: sidecar 100m, then an init container 1000m that runs while the
        // sidecar does, then an app container 500m.
        let pod = PodShape {
            containers: vec![
                c("proxy", Role::Sidecar, (Some(100), None), Some(50)),
                c("init", Role::Init, (Some(1000), Some(1000)), Some(10)),
                c("app", Role::App, (Some(500), Some(500)), Some(100)),
            ],
            ..PodShape::default()
        };
        let t = pod_totals(&pod);
        // init phase: 1000 + 100 = 1100 > steady state 500 + 100 = 600.
        assert_eq!(t.cpu.request, 1100);
        // memory: steady 150 > init 10 + 50.
        assert_eq!(t.memory.request, 150);
        // The sidecar has no CPU limit: the pod is unlimited, the sum counts it as 0.
        assert!(t.cpu.unlimited);
        assert_eq!(t.cpu.limit, 1000);
        // An init container before the sidecar does not see it.
        let pod = PodShape {
            containers: vec![
                c("init", Role::Init, (Some(600), Some(600)), None),
                c("proxy", Role::Sidecar, (Some(100), Some(100)), None),
                c("app", Role::App, (Some(450), Some(450)), None),
            ],
            ..PodShape::default()
        };
        assert_eq!(pod_totals(&pod).cpu.request, 600);
    }

    #[test]
    fn overhead_is_added_to_requests_and_only_to_set_limits() {
        let pod = PodShape {
            containers: vec![c("app", Role::App, (Some(100), None), Some(64))],
            overhead_cpu: Some(250),
            overhead_memory: Some(120),
            ..PodShape::default()
        };
        let t = pod_totals(&pod);
        assert_eq!((t.cpu.request, t.cpu.limit), (350, 0));
        assert_eq!((t.memory.request, t.memory.limit), (184, 184));
    }

    #[test]
    fn pod_level_resources_win_over_the_containers() {
        let pod = PodShape {
            containers: vec![c("app", Role::App, (Some(100), None), None)],
            pod_cpu: Bounds::new(Some(1000), Some(2000)),
            ..PodShape::default()
        };
        let t = pod_totals(&pod);
        assert_eq!(
            (t.cpu.request, t.cpu.limit, t.cpu.unlimited),
            (1000, 2000, false)
        );
        assert!(t.memory.unlimited);
    }

    #[test]
    fn a_pod_with_no_containers_counts_nothing() {
        let t = pod_totals(&PodShape::default());
        assert_eq!((t.cpu.request, t.memory.limit), (0, 0));
    }
}
