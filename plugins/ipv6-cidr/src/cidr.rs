//! The arithmetic of one CIDR: its network, first and last address, exact address counts, and
//! the textual forms people compare (RFC 5952 compressed, fully expanded, binary, reverse zone).
//!
//! Everything works on `std::net` and `ipnet` values, with addresses widened to `u128` so IPv4 and
//! IPv6 share one code path. A /0 holds 2^128 addresses, one more than `u128` can count, so counts
//! are carried as powers of two and printed exactly by [`pow2_decimal`].

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};

use crate::parse::{self, ParseError};

/// 2^128 in decimal: the address count of `::/0`, which no primitive integer holds.
const TWO_POW_128: &str = "340282366920938463463374607431768211456";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    pub fn of(addr: IpAddr) -> Self {
        if addr.is_ipv4() {
            Family::Ipv4
        } else {
            Family::Ipv6
        }
    }

    pub fn of_net(net: &IpNet) -> Self {
        Family::of(net.addr())
    }

    /// Address length in bits.
    pub fn bits(self) -> u8 {
        match self {
            Family::Ipv4 => 32,
            Family::Ipv6 => 128,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::Ipv4 => "IPv4",
            Family::Ipv6 => "IPv6",
        }
    }
}

/// An input as typed and the network it denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// The address as typed (may have host bits set).
    pub addr: IpAddr,
    /// The network: `addr` with the host bits cleared.
    pub net: IpNet,
    /// Whether a `/prefix` was typed (a bare address is a /32 or /128).
    pub explicit_prefix: bool,
}

impl Cidr {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let parsed = parse::parse(text)?;
        let family = Family::of(parsed.addr);
        let prefix = parsed.prefix.unwrap_or(family.bits());
        // The parser has checked the prefix against the family's length.
        let net = IpNet::new(parsed.addr, prefix)
            .map_err(|_| ParseError::PrefixTooLong {
                prefix: prefix.to_string(),
                max: family.bits(),
            })?
            .trunc();
        Ok(Cidr {
            addr: parsed.addr,
            net,
            explicit_prefix: parsed.prefix.is_some(),
        })
    }

    /// Whether the typed address had bits set past the prefix (`fc00::1/112`).
    pub fn host_bits_set(&self) -> bool {
        self.addr != self.net.network()
    }

    pub fn family(&self) -> Family {
        Family::of(self.addr)
    }
}

/// clap value parser for a CIDR argument (errors printed by clap, exit 2).
pub fn cidr_arg(text: &str) -> Result<Cidr, String> {
    Cidr::parse(text.trim()).map_err(|e| e.to_string())
}

pub fn to_u128(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

pub fn from_u128(family: Family, value: u128) -> IpAddr {
    match family {
        Family::Ipv4 => IpAddr::V4(Ipv4Addr::from(value as u32)),
        Family::Ipv6 => IpAddr::V6(Ipv6Addr::from(value)),
    }
}

/// Bits after the prefix.
pub fn host_bits(net: &IpNet) -> u8 {
    net.max_prefix_len() - net.prefix_len()
}

/// 2^k exactly, in decimal, for k ≤ 128.
pub fn pow2_decimal(k: u8) -> String {
    match k {
        0..=127 => (1u128 << k).to_string(),
        _ => TWO_POW_128.to_owned(),
    }
}

/// Addresses in the network, exactly.
pub fn address_count(net: &IpNet) -> String {
    pow2_decimal(host_bits(net))
}

/// Addresses Kubernetes' Service IP allocator can hand out: it never uses the network address,
/// nor the IPv4 broadcast address (`hostsPerNetwork` in kube-apiserver's ipallocator).
pub fn service_usable(net: &IpNet) -> u128 {
    let k = host_bits(net);
    let all_minus_one = if k >= 128 {
        u128::MAX
    } else {
        (1u128 << k) - 1
    };
    match net {
        IpNet::V4(_) => all_minus_one.saturating_sub(1),
        IpNet::V6(_) => all_minus_one,
    }
}

/// Compact decimal with thousands separators, for tables (`65,536`).
pub fn grouped(decimal: &str) -> String {
    let mut out = String::with_capacity(decimal.len() + decimal.len() / 3);
    for (i, c) in decimal.chars().enumerate() {
        if i > 0 && (decimal.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `ff01:0d28:03ee:0000:0000:0000:0000:0c23`: eight groups of four digits.
pub fn expanded(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(a) => a.to_string(),
        IpAddr::V6(a) => a
            .segments()
            .iter()
            .map(|g| format!("{g:04x}"))
            .collect::<Vec<_>>()
            .join(":"),
    }
}

/// RFC 5952 canonical text: lower case, leading zeros dropped, the longest run of two or more zero
/// groups (the first on a tie) as `::`. `std`'s `Display` implements exactly this.
pub fn compressed(addr: IpAddr) -> String {
    addr.to_string()
}

/// The address in binary, split at the prefix: (network bits, host bits), groups of 16 (IPv6) or 8
/// (IPv4) bits separated like the text form.
pub fn binary(addr: IpAddr, prefix: u8) -> (String, String) {
    let (bits, group, sep) = match addr {
        IpAddr::V4(_) => (32u8, 8u8, '.'),
        IpAddr::V6(_) => (128, 16, ':'),
    };
    let value = to_u128(addr);
    let mut network = String::new();
    let mut host = String::new();
    for i in 0..bits {
        if i > 0 && i % group == 0 {
            // A separator on the boundary closes the network part: `…0000:|0000…`.
            if i <= prefix { &mut network } else { &mut host }.push(sep);
        }
        let target = if i < prefix { &mut network } else { &mut host };
        let bit = (value >> (bits - 1 - i)) & 1;
        target.push(if bit == 1 { '1' } else { '0' });
    }
    (network, host)
}

/// The reverse-DNS zone delegating this network, when it falls on a nibble (IPv6) or octet (IPv4)
/// boundary: `fc00::/112` → `0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.f.ip6.arpa`.
pub fn reverse_zone(net: &IpNet) -> Option<String> {
    match net {
        IpNet::V6(n) => {
            if n.prefix_len() % 4 != 0 {
                return None;
            }
            let value = u128::from(n.network());
            let nibbles = usize::from(n.prefix_len() / 4);
            let mut labels: Vec<String> = (0..nibbles)
                .map(|i| format!("{:x}", (value >> (124 - 4 * i)) & 0xf))
                .collect();
            labels.reverse();
            labels.push("ip6.arpa".into());
            Some(labels.join("."))
        }
        IpNet::V4(n) => {
            if n.prefix_len() % 8 != 0 {
                return None;
            }
            let octets = n.network().octets();
            let mut labels: Vec<String> = octets[..usize::from(n.prefix_len() / 8)]
                .iter()
                .map(u8::to_string)
                .collect();
            labels.reverse();
            labels.push("in-addr.arpa".into());
            Some(labels.join("."))
        }
    }
}

/// The network `index` steps of size /`prefix` after `base` (no overflow checks: callers stay
/// inside a parent network).
pub fn nth_network(family: Family, base: u128, prefix: u8, index: u128) -> IpNet {
    let step_bits = u32::from(family.bits() - prefix);
    let offset = if step_bits >= 128 {
        0
    } else {
        index << step_bits
    };
    let addr = from_u128(family, base.wrapping_add(offset));
    match addr {
        IpAddr::V4(a) => IpNet::V4(Ipv4Net::new_assert(a, prefix)),
        IpAddr::V6(a) => IpNet::V6(Ipv6Net::new_assert(a, prefix)),
    }
}

/// Whether two networks share any address.
pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(b) || b.contains(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Cidr {
        Cidr::parse(text).expect(text)
    }

    #[test]
    fn faq_prefix_to_count_table() {
        // The FAQ's prefix-length to address-count table.
        let table = [
            (112, 65536),
            (113, 32768),
            (114, 16384),
            (115, 8192),
            (116, 4096),
            (117, 2048),
            (118, 1024),
            (119, 512),
            (120, 256),
        ];
        for (prefix, count) in table {
            let c = cidr(&format!("fc00::/{prefix}"));
            assert_eq!(address_count(&c.net), count.to_string(), "/{prefix}");
        }
        assert_eq!(host_bits(&cidr("fc00:d28::/32").net), 96);
    }

    #[test]
    fn huge_counts_are_exact() {
        assert_eq!(address_count(&cidr("::/0").net), TWO_POW_128);
        assert_eq!(address_count(&cidr("::/1").net), (1u128 << 127).to_string());
        assert_eq!(address_count(&cidr("0.0.0.0/0").net), "4294967296");
        assert_eq!(service_usable(&cidr("::/0").net), u128::MAX);
        assert_eq!(service_usable(&cidr("fd00:10:96::/108").net), (1 << 20) - 1);
        assert_eq!(service_usable(&cidr("10.96.0.0/16").net), 65534);
        assert_eq!(service_usable(&cidr("10.0.0.1/32").net), 0);
        assert_eq!(grouped("65536"), "65,536");
        assert_eq!(grouped("256"), "256");
    }

    #[test]
    fn host_bits_set_is_detected_and_normalised() {
        let c = cidr("fc00::1/112");
        assert!(c.host_bits_set());
        assert_eq!(c.net.to_string(), "fc00::/112");
        assert!(!cidr("fc00::/112").host_bits_set());
        assert!(!cidr("fc00::1").host_bits_set());
    }

    #[test]
    fn textual_forms() {
        let a = cidr("ff01:0d28:03ee:0000:0000:0000:0000:0c23").addr;
        assert_eq!(compressed(a), "ff01:d28:3ee::c23");
        assert_eq!(expanded(a), "ff01:0d28:03ee:0000:0000:0000:0000:0c23");
        assert_eq!(compressed(cidr("0:0:0:0:0:0:0:1").addr), "::1");
        assert_eq!(compressed(cidr("0:0:0:0:0:0:0:0").addr), "::");
        // RFC 5952 (IPv6 text form): a single zero group is not compressed, and of two equally long
        // zero runs the first is.
        assert_eq!(compressed(cidr("1:0:2:3:4:5:6:7").addr), "1:0:2:3:4:5:6:7");
        assert_eq!(compressed(cidr("1:0:0:2:0:0:3:4").addr), "1::2:0:0:3:4");
        let (net, host) = binary(cidr("fc12:3456::2000").addr, 115);
        assert!(net.starts_with("1111110000010010:"));
        assert_eq!(host, "0000000000000");
        assert!(net.ends_with(":001"));
        let (net, host) = binary(cidr("10.1.2.3").addr, 8);
        assert_eq!(
            (net.as_str(), host.as_str()),
            ("00001010.", "00000001.00000010.00000011")
        );
    }

    #[test]
    fn reverse_zones() {
        assert_eq!(
            reverse_zone(&cidr("2001:db8::/32").net).as_deref(),
            Some("8.b.d.0.1.0.0.2.ip6.arpa")
        );
        assert_eq!(reverse_zone(&cidr("fc00::/115").net), None);
        assert_eq!(
            reverse_zone(&cidr("10.96.0.0/16").net).as_deref(),
            Some("96.10.in-addr.arpa")
        );
    }
}
