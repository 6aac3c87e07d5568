//! Sizing: the smallest prefix that holds N addresses (or N usable hosts), which network
//! addresses are valid for that prefix inside a parent, and random ULA prefixes.
//!
//! The FAQ's worked example is the test: 8,192 addresses = 2^13 → 13 host bits → /115, and a
//! /115 must end in `y000` with `y` even, because the 13 host bits cover three hex digits and the
//! lowest bit of the fourth.

use std::fmt::Write as _;

use ipnet::{IpNet, Ipv6Net};

use crate::cidr::{self, Family};

/// Parses `--addresses`: a decimal count (up to 2^128) or `2^K`.
pub fn parse_count(text: &str) -> Result<Count, String> {
    let text = text.trim();
    if let Some(exp) = text.strip_prefix("2^").or_else(|| text.strip_prefix("2**")) {
        return match exp.parse::<u8>() {
            Ok(k) if k <= 128 => Ok(Count::Pow2(k)),
            _ => Err(format!("{text:?}: the exponent must be 0 to 128")),
        };
    }
    let digits: String = text.chars().filter(|c| *c != '_' && *c != ',').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "{text:?} is not a number (write e.g. 8192 or 2^13)"
        ));
    }
    match digits.parse::<u128>() {
        Ok(0) => Err("the count must be at least 1".into()),
        Ok(n) => Ok(Count::Exact(n)),
        Err(_) if digits.trim_start_matches('0') == cidr::pow2_decimal(128) => Ok(Count::Pow2(128)),
        Err(_) => Err(format!(
            "{text:?} is more than the 2^128 addresses IPv6 has"
        )),
    }
}

/// A requested count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Exact(u128),
    Pow2(u8),
}

impl Count {
    /// ceil(log2(n)).
    pub fn bits(self) -> u8 {
        match self {
            Count::Pow2(k) => k,
            Count::Exact(0 | 1) => 0,
            Count::Exact(n) => (128 - (n - 1).leading_zeros()) as u8,
        }
    }

    pub fn decimal(self) -> String {
        match self {
            Count::Exact(n) => n.to_string(),
            Count::Pow2(k) => cidr::pow2_decimal(k),
        }
    }
}

/// Addresses a network of `host_bits` leaves for hosts: IPv4 loses the network and broadcast
/// addresses (RFC 3021: a /31 keeps both, a /32 its one); IPv6 the subnet-router anycast (network)
/// address, which Kubernetes' Service allocator skips as well.
pub fn usable_hosts(family: Family, host_bits: u8) -> u128 {
    match (family, host_bits) {
        (Family::Ipv4, 0 | 1) => 1u128 << host_bits,
        (Family::Ipv4, _) => (1u128 << host_bits) - 2,
        (Family::Ipv6, 0) => 1,
        // 2^128 − 1 is exactly u128::MAX.
        (Family::Ipv6, 128..) => u128::MAX,
        (Family::Ipv6, _) => (1u128 << host_bits) - 1,
    }
}

/// The smallest prefix holding `count` addresses (`hosts`: usable hosts) in `family`.
pub fn smallest_prefix(family: Family, count: Count, hosts: bool) -> Result<u8, String> {
    let mut bits = count.bits();
    // A count wider than the family is an error below; usable_hosts takes at most its width.
    if hosts && bits <= family.bits() {
        let wanted = match count {
            Count::Exact(n) => n,
            Count::Pow2(k) if k < 128 => 1u128 << k,
            Count::Pow2(_) => u128::MAX,
        };
        while bits < family.bits() && usable_hosts(family, bits) < wanted {
            bits += 1;
        }
        if usable_hosts(family, bits) < wanted {
            bits = family.bits() + 1;
        }
    }
    if bits > family.bits() {
        return Err(format!(
            "{} {} do not fit in {} (at most 2^{} addresses)",
            cidr::grouped(&count.decimal()),
            if hosts { "hosts" } else { "addresses" },
            family.name(),
            family.bits()
        ));
    }
    Ok(family.bits() - bits)
}

/// The rule a network address must follow for `prefix`, in the FAQ's words: which trailing hex
/// digits (IPv6) or bits (IPv4) must be zero and which values the boundary digit may take.
pub fn alignment_rule(family: Family, prefix: u8) -> String {
    let host_bits = family.bits() - prefix;
    match family {
        Family::Ipv6 => {
            let zero_digits = host_bits / 4;
            let partial = host_bits % 4;
            if host_bits == 0 {
                return "any address (a /128 is a single address)".into();
            }
            let mut rule = format!("the last {host_bits} bits must be zero: ");
            if zero_digits > 0 {
                let _ = write!(
                    rule,
                    "the last {zero_digits} hex digit{} 0",
                    if zero_digits == 1 { " is" } else { "s are" }
                );
            }
            if partial > 0 {
                let step = 1u32 << partial;
                let allowed: Vec<String> = (0..16)
                    .step_by(step as usize)
                    .map(|d| format!("{d:x}"))
                    .collect();
                if zero_digits > 0 {
                    rule.push_str(", and ");
                }
                let _ = write!(
                    rule,
                    "the digit before {} a multiple of {step}: one of {{{}}}",
                    if zero_digits > 0 {
                        "them is"
                    } else {
                        "the end is"
                    },
                    allowed.join(",")
                );
                if zero_digits > 0 && zero_digits < 4 {
                    let pattern = format!("y{}", "0".repeat(usize::from(zero_digits)));
                    let _ = write!(rule, " (a group ending in {pattern})");
                }
            }
            rule
        }
        Family::Ipv4 => {
            if host_bits == 0 {
                return "any address (a /32 is a single address)".into();
            }
            let block = 1u64 << host_bits;
            if host_bits < 8 {
                format!("the last octet must be a multiple of {block}")
            } else {
                format!(
                    "the last {host_bits} bits must be zero (network addresses step by {})",
                    cidr::grouped(&block.to_string())
                )
            }
        }
    }
}

/// A random RFC 4193 unique local /48: `fd` followed by a 40-bit random Global ID.
pub fn random_ula() -> Ipv6Net {
    let global_id = rand::random::<u64>() & 0xff_ffff_ffff;
    let value = (0xfdu128 << 120) | (u128::from(global_id) << 80);
    Ipv6Net::new_assert(value.into(), 48)
}

/// A random network of `prefix` inside `parent`.
pub fn random_within(parent: &IpNet, prefix: u8) -> IpNet {
    let family = Family::of_net(parent);
    let count_bits = prefix - parent.prefix_len();
    let index = rand::random::<u128>()
        & if count_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << count_bits) - 1
        };
    cidr::nth_network(family, cidr::to_u128(parent.network()), prefix, index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(n: u128) -> Result<u8, String> {
        smallest_prefix(Family::Ipv6, Count::Exact(n), false)
    }

    #[test]
    fn faq_size_to_prefix() {
        // The FAQ's planning example.
        assert_eq!(need(8192), Ok(115));
        assert_eq!(need(65536), Ok(112));
        assert_eq!(need(5000), Ok(115));
        assert_eq!(need(100), Ok(121));
        assert_eq!(need(100_000), Ok(111));
        assert_eq!(need(1), Ok(128));
        assert_eq!(
            smallest_prefix(Family::Ipv6, Count::Pow2(128), false),
            Ok(0)
        );
        assert!(smallest_prefix(Family::Ipv4, Count::Pow2(33), false).is_err());
        // Found by the `sizes` fuzz target: `plan --hosts 2^128 --family ipv4` shifted a u128 by
        // 128 in usable_hosts (a panic in debug builds) instead of saying it does not fit.
        for count in [Count::Pow2(128), Count::Pow2(33), Count::Exact(u128::MAX)] {
            assert!(
                smallest_prefix(Family::Ipv4, count, true).is_err(),
                "{count:?}"
            );
        }
        // Usable hosts: IPv4 /24 has 254, so 254 hosts fit a /24 and 255 need a /23.
        assert_eq!(
            smallest_prefix(Family::Ipv4, Count::Exact(254), true),
            Ok(24)
        );
        assert_eq!(
            smallest_prefix(Family::Ipv4, Count::Exact(255), true),
            Ok(23)
        );
        assert_eq!(smallest_prefix(Family::Ipv4, Count::Exact(2), true), Ok(31));
        assert_eq!(
            smallest_prefix(Family::Ipv6, Count::Exact(8192), true),
            Ok(114)
        );
        // The FAQ's container CIDR choices: a /25 leaves 126 hosts (the FAQ's 122 nodes is after the vendor reserves 4 more).
        assert_eq!(usable_hosts(Family::Ipv4, 7), 126);
        assert_eq!(usable_hosts(Family::Ipv4, 12), 4094);
    }

    #[test]
    fn counts_parse() {
        assert_eq!(parse_count("8192"), Ok(Count::Exact(8192)));
        assert_eq!(parse_count("65,536"), Ok(Count::Exact(65536)));
        assert_eq!(parse_count("2^13"), Ok(Count::Pow2(13)));
        assert_eq!(parse_count(&cidr::pow2_decimal(128)), Ok(Count::Pow2(128)));
        assert!(parse_count("0").is_err());
        assert!(parse_count("-5").is_err());
        assert!(parse_count("2^129").is_err());
        assert!(parse_count("340282366920938463463374607431768211457").is_err());
        assert_eq!(Count::Exact(8192).bits(), 13);
        assert_eq!(Count::Exact(8193).bits(), 14);
    }

    #[test]
    fn faq_alignment_rule_for_115() {
        let rule = alignment_rule(Family::Ipv6, 115);
        assert!(rule.contains("{0,2,4,6,8,a,c,e}"), "{rule}");
        assert!(rule.contains("y000"), "{rule}");
        assert!(alignment_rule(Family::Ipv6, 112).contains("last 4 hex digits are 0"));
        assert_eq!(
            alignment_rule(Family::Ipv4, 26),
            "the last octet must be a multiple of 64"
        );
    }

    #[test]
    fn random_ula_is_rfc4193() {
        let a = random_ula();
        assert_eq!(a.prefix_len(), 48);
        assert_eq!(a.network().segments()[0] >> 8, 0xfd);
        assert_eq!(a, a.trunc());
        let parent: IpNet = "fc00::/8".parse().expect("net");
        let r = random_within(&parent, 115);
        assert!(parent.contains(&r) && r.prefix_len() == 115 && r == r.trunc());
    }
}
