//! The checks: Kubernetes' rules ([`crate::k8s`]), a vendor profile ([`crate::profiles`]) and
//! plain network sense (overlaps, address classes) applied to a cluster's ranges.
//!
//! Pure: ranges in, findings out. `check` feeds it command-line ranges, `cluster` the ranges read
//! from the API server, so both report the same problems in the same words.

use std::fmt;

use serde::Serialize;

use crate::cidr::{self, Cidr, Family};
use crate::class::{self, Usage};
use crate::k8s::{self, Allocator};
use crate::profiles::{Profile, Role};

mod nodes;
pub use nodes::{NodeAllocation, check_nodes};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// One range of the cluster and where it was found.
#[derive(Debug, Clone)]
pub struct Range {
    pub role: Role,
    pub cidr: Cidr,
    /// `argument`, `ServiceCIDR/kubernetes`, `node/worker-1`, …
    pub source: String,
}

/// A problem (or a fact worth knowing) about one range or a pair of ranges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable identifier of the rule, for scripts: `service-range-too-large`, `overlap`, …
    pub rule: &'static str,
    /// The range the finding is about, as the cluster or the user wrote it.
    pub cidr: String,
    pub source: String,
    pub message: String,
}

/// What the checks need to know beyond the ranges.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Kubernetes minor version, when known (decides the service allocator's limits).
    pub version: Option<(u32, u32)>,
    /// Overrides the allocator derived from `version` (clusters with non-default feature gates).
    pub allocator: Option<Allocator>,
    /// `--node-cidr-mask-size-ipv4/-ipv6` of kube-controller-manager, when not the defaults.
    pub node_mask_v4: Option<u8>,
    pub node_mask_v6: Option<u8>,
    /// The kubelet's `--max-pods`.
    pub max_pods: Option<u32>,
    pub profile: Option<&'static Profile>,
}

impl Settings {
    fn allocator(&self) -> Option<Allocator> {
        self.allocator
            .or_else(|| self.version.map(k8s::default_allocator))
    }

    fn node_mask(&self, family: Family) -> u8 {
        match family {
            Family::Ipv4 => self.node_mask_v4,
            Family::Ipv6 => self.node_mask_v6,
        }
        .unwrap_or_else(|| k8s::default_node_mask(family))
    }
}

struct Out<'a> {
    findings: Vec<Finding>,
    range: Option<&'a Range>,
}

impl Out<'_> {
    fn push(&mut self, severity: Severity, rule: &'static str, message: String) {
        let (cidr, source) = self.range.map_or_else(
            || (String::new(), String::new()),
            |r| (shown(&r.cidr), r.source.clone()),
        );
        self.findings.push(Finding {
            severity,
            rule,
            cidr,
            source,
            message,
        });
    }
}

/// The CIDR as typed (host bits and all), compressed.
fn shown(c: &Cidr) -> String {
    format!("{}/{}", c.addr, c.net.prefix_len())
}

/// Runs every check over `ranges` and returns the findings, errors first.
pub fn check(ranges: &[Range], settings: &Settings) -> Vec<Finding> {
    let mut out = Out {
        findings: Vec::new(),
        range: None,
    };
    for range in ranges {
        out.range = Some(range);
        check_canonical(&mut out, range);
        check_class(&mut out, range);
        match range.role {
            Role::Service => check_service_size(&mut out, range, settings),
            Role::Pod => check_pod_range(&mut out, range, settings),
            Role::Node => {}
        }
        check_profile(&mut out, range, settings);
    }
    out.range = None;
    check_families(&mut out, ranges);
    check_overlaps(&mut out, ranges);
    let mut findings = out.findings;
    findings.sort_by_key(|f| f.severity);
    findings
}

fn check_canonical(out: &mut Out, range: &Range) {
    if !range.cidr.host_bits_set() {
        return;
    }
    let (severity, why) = match range.role {
        Role::Node => (
            Severity::Info,
            "an interface address; the subnet is what matters here",
        ),
        _ => (
            Severity::Error,
            "ServiceCIDR objects and Node podCIDRs must be in canonical form, and flags silently drop the host bits",
        ),
    };
    out.push(
        severity,
        "host-bits-set",
        format!(
            "host bits are set; the network is {} ({why})",
            range.cidr.net
        ),
    );
}

fn check_class(out: &mut Out, range: &Range) {
    let class = class::classify(&range.cidr.net);
    let role = range.role.name();
    let (severity, advice) = match class.usage {
        Usage::Private => return,
        Usage::Unusable => (Severity::Error, "cannot carry cluster traffic"),
        Usage::Documentation => (
            Severity::Warning,
            "reserved for documentation; never used on real networks",
        ),
        Usage::Global => (
            Severity::Warning,
            "publicly routable: it hides real hosts with these addresses unless you own the block; a ULA (fd00::/8) or RFC 1918 range is the usual choice",
        ),
        Usage::Special => (Severity::Warning, "special-purpose range"),
    };
    out.push(
        severity,
        "address-class",
        format!(
            "{role} range is {} ({}): {advice}",
            class.name, class.reference
        ),
    );
}

fn check_service_size(out: &mut Out, range: &Range, settings: &Settings) {
    let net = &range.cidr.net;
    let family = Family::of_net(net);
    let prefix = net.prefix_len();
    let usable = cidr::service_usable(net);
    if usable == 0 {
        out.push(
            Severity::Error,
            "service-range-too-small",
            format!(
                "/{prefix} leaves no address for Services (the network address is never allocated)"
            ),
        );
        return;
    }
    if usable < k8s::DNS_SERVICE_INDEX {
        out.push(
            Severity::Warning,
            "service-range-too-small",
            format!(
                "only {usable} allocatable addresses; kubeadm and most installers put the cluster DNS Service at the 10th"
            ),
        );
    }
    let legacy_min = k8s::min_service_prefix(family, Allocator::Legacy);
    let ipaddress_min = k8s::min_service_prefix(family, Allocator::Ipaddress);
    let legacy_msg = || {
        format!(
            "/{prefix} has {} host bits; kube-apiserver's legacy allocator allows at most {} (\"for {}-bit addresses, the mask must be >= {legacy_min}\")",
            cidr::host_bits(net),
            k8s::LEGACY_SERVICE_MAX_HOST_BITS,
            family.bits()
        )
    };
    if prefix < ipaddress_min {
        out.push(
            Severity::Error,
            "service-range-too-large",
            format!(
                "/{prefix} is larger than any Kubernetes allocator accepts (the IPAddress allocator needs IPv6 /{ipaddress_min} or longer; the legacy one /{legacy_min})"
            ),
        );
        return;
    }
    if prefix >= legacy_min {
        return;
    }
    let (major, minor) = k8s::CAP_LIFTED_BY_DEFAULT;
    let (gmajor, gminor) = k8s::CAP_LIFTABLE_WITH_GATES;
    match settings.allocator() {
        Some(Allocator::Legacy) => out.push(
            Severity::Error,
            "service-range-too-large",
            format!(
                "{}; use /{legacy_min} or longer, or run {major}.{minor}+ (or {gmajor}.{gminor}+ with feature gates MultiCIDRServiceAllocator and DisableAllocatorDualWrite on)",
                legacy_msg()
            ),
        ),
        Some(Allocator::Ipaddress) => out.push(
            Severity::Info,
            "service-range-large",
            format!(
                "/{prefix} is accepted only because the IPAddress allocator is in use ({major}.{minor}+ default); older kube-apiservers refuse to start with it"
            ),
        ),
        None => out.push(
            Severity::Warning,
            "service-range-too-large",
            format!(
                "{}: kube-apiserver up to {major}.{} refuses to start with it unless feature gates MultiCIDRServiceAllocator and DisableAllocatorDualWrite are on ({gmajor}.{gminor}+); {major}.{minor}+ accepts it. Pass --kube-version to decide",
                legacy_msg(),
                minor - 1
            ),
        ),
    }
}

fn check_pod_range(out: &mut Out, range: &Range, settings: &Settings) {
    let net = &range.cidr.net;
    let family = Family::of_net(net);
    let node_mask = settings.node_mask(family);
    let prefix = net.prefix_len();
    let flag = match family {
        Family::Ipv4 => "--node-cidr-mask-size-ipv4",
        Family::Ipv6 => "--node-cidr-mask-size-ipv6",
    };
    if node_mask < prefix {
        out.push(
            Severity::Error,
            "node-mask-shorter-than-cluster",
            format!(
                "node mask /{node_mask} ({flag}) is shorter than the cluster CIDR /{prefix}: kube-controller-manager refuses to start (\"mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size\")"
            ),
        );
        return;
    }
    let diff = node_mask - prefix;
    if family == Family::Ipv6 && diff > k8s::NODE_MASK_MAX_DIFF_IPV6 {
        out.push(
            Severity::Error,
            "node-mask-too-long",
            format!(
                "node mask /{node_mask} is {diff} bits longer than the cluster CIDR /{prefix}; node IPAM allows at most {} for IPv6 (\"the node CIDR size is too big\"): use a cluster CIDR of /{} or longer, or {flag}={}",
                k8s::NODE_MASK_MAX_DIFF_IPV6,
                node_mask - k8s::NODE_MASK_MAX_DIFF_IPV6,
                prefix + k8s::NODE_MASK_MAX_DIFF_IPV6
            ),
        );
        return;
    }
    let nodes = cidr::grouped(&cidr::pow2_decimal(diff));
    let per_node_bits = family.bits() - node_mask;
    let per_node = cidr::pow2_decimal(per_node_bits);
    let max_pods = settings.max_pods.unwrap_or(k8s::DEFAULT_MAX_PODS);
    let per_node_small = per_node_bits < 64 && (1u128 << per_node_bits) < u128::from(max_pods) + 2;
    if per_node_small {
        out.push(
            Severity::Warning,
            "pods-per-node",
            format!(
                "node ranges /{node_mask} hold {per_node} addresses, fewer than --max-pods {max_pods} needs; nodes will run out of pod IPs"
            ),
        );
    }
    out.push(
        Severity::Info,
        "node-capacity",
        format!(
            "room for {nodes} nodes of /{node_mask} ({} addresses each)",
            cidr::grouped(&per_node)
        ),
    );
}

fn check_profile(out: &mut Out, range: &Range, settings: &Settings) {
    let Some(profile) = settings.profile else {
        return;
    };
    let family = Family::of_net(&range.cidr.net);
    let Some(rule) = profile.rule(range.role, family) else {
        return;
    };
    if !rule.allows(&range.cidr.net) {
        out.push(
            Severity::Error,
            "profile",
            format!(
                "{} ({}) requires {} {} ranges {}: {}",
                profile.name,
                profile.vendor,
                family.name(),
                range.role.name(),
                rule.describe(),
                rule.why
            ),
        );
    }
}

/// At most two ranges per role and source, of different families (a dual-stack pair): a flag, a
/// ServiceCIDR object and a node's podCIDRs each hold one range per family.
fn check_families<'a>(out: &mut Out<'a>, ranges: &'a [Range]) {
    let mut groups: Vec<(Role, &str)> =
        ranges.iter().map(|r| (r.role, r.source.as_str())).collect();
    groups.sort_unstable();
    groups.dedup();
    for (role, source) in groups {
        if role == Role::Node {
            continue;
        }
        let group: Vec<&Range> = ranges
            .iter()
            .filter(|r| r.role == role && r.source == source)
            .collect();
        if group.len() > 2 {
            out.range = group.get(2).copied();
            out.push(
                Severity::Error,
                "dual-stack-pair",
                format!("at most two {} ranges, one IPv4 and one IPv6", role.name()),
            );
        } else if let [a, b] = group.as_slice()
            && a.cidr.family() == b.cidr.family()
        {
            out.range = Some(b);
            out.push(
                Severity::Error,
                "dual-stack-pair",
                format!(
                    "two {} {} ranges; a dual-stack pair needs one of each family",
                    a.cidr.family().name(),
                    role.name()
                ),
            );
        }
    }
    out.range = None;
}

/// Service, pod and node ranges must not share addresses (service ranges may overlap each
/// other: the ServiceCIDR API allows it).
fn check_overlaps<'a>(out: &mut Out<'a>, ranges: &'a [Range]) {
    for (i, a) in ranges.iter().enumerate() {
        for b in &ranges[i + 1..] {
            if !cidr::overlaps(&a.cidr.net, &b.cidr.net) {
                continue;
            }
            if a.role == Role::Service && b.role == Role::Service {
                continue;
            }
            out.range = Some(b);
            out.push(
                Severity::Error,
                "overlap",
                format!(
                    "{} range {} overlaps {} range {} ({}): packets to one are routed to the other",
                    b.role.name(),
                    b.cidr.net,
                    a.role.name(),
                    a.cidr.net,
                    a.source
                ),
            );
        }
    }
    out.range = None;
}

#[cfg(test)]
mod tests;
