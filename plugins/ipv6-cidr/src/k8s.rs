//! Kubernetes' own rules for service and pod ranges, as data, with where each comes from
//! (kubernetes v1.34 sources) so the numbers can be re-checked on every release.
//!
//! - kube-apiserver `validateClusterIPFlags` (cmd/kube-apiserver/app/options/validation.go):
//!   `--service-cluster-ip-range` may have at most 20 host bits ("for 128-bit addresses, the mask
//!   must be >= 108"; /12 for IPv4) — unless BOTH feature gates `MultiCIDRServiceAllocator` and
//!   `DisableAllocatorDualWrite` are on, i.e. the IPAddress/ServiceCIDR allocator alone is used.
//!   `MultiCIDRServiceAllocator`: alpha 1.27, beta (off) 1.31, GA (on) 1.33, locked on 1.34.
//!   `DisableAllocatorDualWrite`: alpha 1.31, beta (off) 1.33, GA (on) 1.34. So by default the cap
//!   applies up to 1.33 and is gone from 1.34; 1.31–1.33 can lift it by enabling both gates.
//! - The IPAddress allocator (pkg/registry/core/service/ipallocator/ipallocator.go) refuses IPv6
//!   ranges shorter than /64 and never hands out the network address (nor IPv4's broadcast).
//! - ServiceCIDR objects (networking.k8s.io/v1 from 1.33, v1beta1 1.31–1.32): at most two CIDRs,
//!   one per family, in canonical form (no host bits set).
//! - kube-controller-manager node IPAM (pkg/controller/nodeipam/ipam/cidrset/cidr_set.go): for an
//!   IPv6 cluster CIDR the node mask may be at most 16 bits longer than the cluster mask; the
//!   node mask may not be shorter than the cluster mask; defaults /24 (IPv4) and /64 (IPv6).
//! - `--service-cluster-ip-range` and `--cluster-cidr` take at most two ranges of different
//!   families (dual-stack).

use serde::Serialize;

use crate::cidr::Family;

/// Host bits kube-apiserver's legacy (bitmap) allocator accepts in a service range.
pub const LEGACY_SERVICE_MAX_HOST_BITS: u8 = 20;
/// Shortest IPv6 service prefix the IPAddress allocator accepts.
pub const IPADDRESS_ALLOCATOR_MIN_IPV6_PREFIX: u8 = 64;
/// Largest node-mask minus cluster-mask difference node IPAM accepts for IPv6.
pub const NODE_MASK_MAX_DIFF_IPV6: u8 = 16;
/// kube-controller-manager's `--node-cidr-mask-size-ipv4/-ipv6` defaults.
pub const DEFAULT_NODE_MASK_IPV4: u8 = 24;
pub const DEFAULT_NODE_MASK_IPV6: u8 = 64;
/// The kubelet's default `--max-pods`.
pub const DEFAULT_MAX_PODS: u32 = 110;
/// kubeadm (and most installers) put the cluster DNS Service at the 10th address of the range.
pub const DNS_SERVICE_INDEX: u128 = 10;
/// First release where the 20-bit cap is gone by default.
pub const CAP_LIFTED_BY_DEFAULT: (u32, u32) = (1, 34);
/// First release where enabling both gates lifts the cap.
pub const CAP_LIFTABLE_WITH_GATES: (u32, u32) = (1, 31);

/// Which Service IP allocator kube-apiserver runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Allocator {
    /// The bitmap allocator (or dual write with it): at most 20 host bits.
    Legacy,
    /// IPAddress objects only (ServiceCIDR API): IPv6 prefix at least /64, no 20-bit cap.
    Ipaddress,
}

/// The allocator a release runs with default feature gates.
pub fn default_allocator(version: (u32, u32)) -> Allocator {
    if version >= CAP_LIFTED_BY_DEFAULT {
        Allocator::Ipaddress
    } else {
        Allocator::Legacy
    }
}

/// Parses `1.34`, `v1.34.4`, `1.29+` (as `/version` and users write it) into (major, minor).
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let text = text.trim().trim_start_matches('v');
    let mut parts = text.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor_text: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((major, minor_text.parse().ok()?))
}

/// clap value parser for `--kube-version`.
pub fn version_arg(text: &str) -> Result<(u32, u32), String> {
    parse_version(text).ok_or_else(|| format!("{text:?} is not a Kubernetes version like 1.34"))
}

/// The smallest prefix (largest range) a service range may have under an allocator.
pub fn min_service_prefix(family: Family, allocator: Allocator) -> u8 {
    match (allocator, family) {
        (Allocator::Legacy, _) => family.bits() - LEGACY_SERVICE_MAX_HOST_BITS,
        (Allocator::Ipaddress, Family::Ipv6) => IPADDRESS_ALLOCATOR_MIN_IPV6_PREFIX,
        (Allocator::Ipaddress, Family::Ipv4) => 0,
    }
}

pub fn default_node_mask(family: Family) -> u8 {
    match family {
        Family::Ipv4 => DEFAULT_NODE_MASK_IPV4,
        Family::Ipv6 => DEFAULT_NODE_MASK_IPV6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_allocators() {
        assert_eq!(parse_version("v1.34.4"), Some((1, 34)));
        assert_eq!(parse_version("1.29+"), Some((1, 29)));
        assert_eq!(parse_version("1"), None);
        assert_eq!(default_allocator((1, 33)), Allocator::Legacy);
        assert_eq!(default_allocator((1, 34)), Allocator::Ipaddress);
        assert_eq!(min_service_prefix(Family::Ipv6, Allocator::Legacy), 108);
        assert_eq!(min_service_prefix(Family::Ipv4, Allocator::Legacy), 12);
        assert_eq!(min_service_prefix(Family::Ipv6, Allocator::Ipaddress), 64);
    }
}
