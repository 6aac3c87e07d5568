//! Nodes' allocated pod ranges checked against each other and the cluster's ranges.

use ipnet::IpNet;

use super::{Finding, Range, Severity};
use crate::cidr::{self, Cidr, Family};
use crate::profiles::Role;

/// A node's allocated pod ranges (`spec.podCIDRs`).
#[derive(Debug, Clone)]
pub struct NodeAllocation {
    pub node: String,
    pub cidrs: Vec<Cidr>,
}

/// Checks nodes' `spec.podCIDRs` against each other and the cluster's ranges: no two nodes share
/// addresses, none overlaps a service range, at most one per family, one mask per family.
/// Sorting makes the pairwise overlap check O(n log n) for clusters of thousands of nodes.
pub fn check_nodes(nodes: &[NodeAllocation], ranges: &[Range]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut finding = |severity, rule, node: &str, cidr: String, message: String| {
        findings.push(Finding {
            severity,
            rule,
            cidr,
            source: format!("node/{node}"),
            message,
        });
    };
    let mut all: Vec<(IpNet, &str)> = Vec::new();
    for node in nodes {
        if node.cidrs.len() > 2
            || (node.cidrs.len() == 2 && node.cidrs[0].family() == node.cidrs[1].family())
        {
            let list: Vec<String> = node.cidrs.iter().map(|c| c.net.to_string()).collect();
            finding(
                Severity::Error,
                "dual-stack-pair",
                &node.node,
                list.join(","),
                "podCIDRs must hold at most one range per family".into(),
            );
        }
        for c in &node.cidrs {
            all.push((c.net, node.node.as_str()));
            for range in ranges.iter().filter(|r| r.role != Role::Pod) {
                if cidr::overlaps(&c.net, &range.cidr.net) {
                    finding(
                        Severity::Error,
                        "overlap",
                        &node.node,
                        c.net.to_string(),
                        format!(
                            "pod range overlaps {} range {} ({})",
                            range.role.name(),
                            range.cidr.net,
                            range.source
                        ),
                    );
                }
            }
            let outside_pod_ranges = ranges
                .iter()
                .filter(|r| r.role == Role::Pod && r.cidr.family() == c.family())
                .all(|r| !r.cidr.net.contains(&c.net));
            let has_pod_range = ranges
                .iter()
                .any(|r| r.role == Role::Pod && r.cidr.family() == c.family());
            if has_pod_range && outside_pod_ranges {
                finding(
                    Severity::Error,
                    "outside-cluster-cidr",
                    &node.node,
                    c.net.to_string(),
                    "pod range is outside every cluster pod CIDR".into(),
                );
            }
        }
    }
    // Pairwise overlap between nodes: sort by (family, start) and compare neighbours' ends.
    all.sort_by_key(|(net, _)| {
        (
            Family::of_net(net),
            cidr::to_u128(net.network()),
            net.prefix_len(),
        )
    });
    let mut widest: Option<(IpNet, &str)> = None;
    for &(net, node) in &all {
        if let Some((prev, prev_node)) = widest
            && Family::of_net(&prev) == Family::of_net(&net)
            && prev.contains(&net.network())
        {
            finding(
                Severity::Error,
                "overlap",
                node,
                net.to_string(),
                format!(
                    "pod range overlaps node/{prev_node}'s {prev}: two nodes would hand out the same pod IPs"
                ),
            );
        }
        let extends = widest.is_none_or(|(prev, _)| {
            Family::of_net(&prev) != Family::of_net(&net)
                || cidr::to_u128(net.broadcast()) > cidr::to_u128(prev.broadcast())
        });
        if extends {
            widest = Some((net, node));
        }
    }
    // One node mask per family.
    for family in [Family::Ipv4, Family::Ipv6] {
        let mut masks: Vec<u8> = all
            .iter()
            .filter(|(n, _)| Family::of_net(n) == family)
            .map(|(n, _)| n.prefix_len())
            .collect();
        masks.sort_unstable();
        masks.dedup();
        if masks.len() > 1 {
            let list: Vec<String> = masks.iter().map(|m| format!("/{m}")).collect();
            finding(
                Severity::Warning,
                "mixed-node-masks",
                "*",
                String::new(),
                format!(
                    "{} pod ranges of nodes use several masks ({}): node IPAM hands out one size; these were set by hand or by another IPAM",
                    family.name(),
                    list.join(", ")
                ),
            );
        }
    }
    let families_per_node: Vec<usize> = nodes.iter().map(|n| n.cidrs.len()).collect();
    if families_per_node.contains(&1) && families_per_node.contains(&2) {
        finding(
            Severity::Warning,
            "dual-stack-partial",
            "*",
            String::new(),
            "some nodes have a dual-stack pair of pod ranges and some only one family: pods on single-stack nodes get no address of the other family".into(),
        );
    }
    findings.sort_by_key(|f| f.severity);
    findings
}
