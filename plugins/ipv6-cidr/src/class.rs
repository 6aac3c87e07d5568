//! What kind of address range a network is: the IANA special-purpose registries (RFC 6890 and
//! successors) for IPv4 and IPv6, as a table.
//!
//! Kubernetes does not care which range a cluster uses, but operators do: a ULA or RFC 1918 range
//! is private, a global one may collide with real hosts, a documentation or link-local range does
//! not belong in a cluster at all. The most specific table entry that holds the whole network wins.

use ipnet::IpNet;
use serde::Serialize;

/// How usable a range is for cluster-internal addressing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Usage {
    /// Private by design (RFC 1918, ULA, shared CGNAT space).
    Private,
    /// Globally routable unicast: fine only if you own it.
    Global,
    /// Reserved for examples; never deployed.
    Documentation,
    /// Cannot carry cluster traffic: loopback, link-local, multicast, unspecified, reserved.
    Unusable,
    /// Special purpose (translation, benchmarking, …): works, but surprises people.
    Special,
}

/// One row of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Class {
    pub cidr: &'static str,
    pub name: &'static str,
    pub reference: &'static str,
    pub usage: Usage,
}

const fn class(
    cidr: &'static str,
    name: &'static str,
    reference: &'static str,
    usage: Usage,
) -> Class {
    Class {
        cidr,
        name,
        reference,
        usage,
    }
}

/// The registry. Order does not matter: the most specific containing entry is chosen.
pub const CLASSES: &[Class] = &[
    // IPv6
    class("::/128", "unspecified address", "RFC 4291", Usage::Unusable),
    class("::1/128", "loopback", "RFC 4291", Usage::Unusable),
    class(
        "::ffff:0:0/96",
        "IPv4-mapped IPv6",
        "RFC 4291",
        Usage::Unusable,
    ),
    class(
        "64:ff9b::/96",
        "IPv4/IPv6 translation (NAT64 well-known prefix)",
        "RFC 6052",
        Usage::Special,
    ),
    class(
        "64:ff9b:1::/48",
        "IPv4/IPv6 translation (local use)",
        "RFC 8215",
        Usage::Special,
    ),
    class("100::/64", "discard-only", "RFC 6666", Usage::Unusable),
    class("2000::/3", "global unicast", "RFC 4291", Usage::Global),
    class(
        "2001::/23",
        "IETF protocol assignments",
        "RFC 2928",
        Usage::Special,
    ),
    class("2001::/32", "Teredo", "RFC 4380", Usage::Special),
    class("2001:2::/48", "benchmarking", "RFC 5180", Usage::Special),
    class("2001:20::/28", "ORCHIDv2", "RFC 7343", Usage::Special),
    class(
        "2001:db8::/32",
        "documentation",
        "RFC 3849",
        Usage::Documentation,
    ),
    class("2002::/16", "6to4", "RFC 3056", Usage::Special),
    class(
        "3fff::/20",
        "documentation",
        "RFC 9637",
        Usage::Documentation,
    ),
    class(
        "5f00::/16",
        "segment routing (SRv6) SIDs",
        "RFC 9602",
        Usage::Special,
    ),
    class("fc00::/7", "unique local (ULA)", "RFC 4193", Usage::Private),
    class(
        "fc00::/8",
        "unique local (ULA), fc00::/8 half (L=0, not locally assigned)",
        "RFC 4193",
        Usage::Private,
    ),
    class(
        "fd00::/8",
        "unique local (ULA), locally assigned (L=1)",
        "RFC 4193",
        Usage::Private,
    ),
    class("fe80::/10", "link-local", "RFC 4291", Usage::Unusable),
    class(
        "fec0::/10",
        "site-local (deprecated)",
        "RFC 3879",
        Usage::Unusable,
    ),
    class("ff00::/8", "multicast", "RFC 4291", Usage::Unusable),
    // IPv4
    class("0.0.0.0/8", "\"this network\"", "RFC 791", Usage::Unusable),
    class("10.0.0.0/8", "private", "RFC 1918", Usage::Private),
    class(
        "100.64.0.0/10",
        "shared address space (CGNAT)",
        "RFC 6598",
        Usage::Private,
    ),
    class("127.0.0.0/8", "loopback", "RFC 1122", Usage::Unusable),
    class("169.254.0.0/16", "link-local", "RFC 3927", Usage::Unusable),
    class("172.16.0.0/12", "private", "RFC 1918", Usage::Private),
    class(
        "192.0.0.0/24",
        "IETF protocol assignments",
        "RFC 6890",
        Usage::Special,
    ),
    class(
        "192.0.2.0/24",
        "documentation (TEST-NET-1)",
        "RFC 5737",
        Usage::Documentation,
    ),
    class(
        "192.88.99.0/24",
        "6to4 relay anycast (deprecated)",
        "RFC 7526",
        Usage::Special,
    ),
    class("192.168.0.0/16", "private", "RFC 1918", Usage::Private),
    class("198.18.0.0/15", "benchmarking", "RFC 2544", Usage::Special),
    class(
        "198.51.100.0/24",
        "documentation (TEST-NET-2)",
        "RFC 5737",
        Usage::Documentation,
    ),
    class(
        "203.0.113.0/24",
        "documentation (TEST-NET-3)",
        "RFC 5737",
        Usage::Documentation,
    ),
    class("224.0.0.0/4", "multicast", "RFC 5771", Usage::Unusable),
    class("240.0.0.0/4", "reserved", "RFC 1112", Usage::Unusable),
    class(
        "255.255.255.255/32",
        "limited broadcast",
        "RFC 919",
        Usage::Unusable,
    ),
];

/// A network holding several registered blocks (`::/0`, `10.0.0.0/7`).
const IPV6_MIXED: Class = class(
    "::/0",
    "IPv6 (spans several ranges)",
    "RFC 4291",
    Usage::Special,
);
const IPV4_MIXED: Class = class(
    "0.0.0.0/0",
    "IPv4 (spans several ranges)",
    "RFC 791",
    Usage::Special,
);
/// The fallback for IPv6 space outside every registered block.
const IPV6_RESERVED: Class = class(
    "::/0",
    "reserved by IETF (unassigned)",
    "RFC 4291",
    Usage::Unusable,
);
/// The fallback for ordinary IPv4 space.
const IPV4_PUBLIC: Class = class(
    "0.0.0.0/0",
    "public (globally routable)",
    "RFC 791",
    Usage::Global,
);

/// The most specific class holding the whole network.
pub fn classify(net: &IpNet) -> Class {
    let mut best: Option<(u8, Class)> = None;
    for entry in CLASSES {
        let Ok(block) = entry.cidr.parse::<IpNet>() else {
            continue;
        };
        if block.contains(net) && best.is_none_or(|(len, _)| block.prefix_len() > len) {
            best = Some((block.prefix_len(), *entry));
        }
    }
    if let Some((_, class)) = best {
        return class;
    }
    // Nothing specific holds it: either it is ordinary space or it straddles several blocks.
    let straddles = CLASSES.iter().any(|entry| {
        entry
            .cidr
            .parse::<IpNet>()
            .is_ok_and(|block| net.contains(&block))
    });
    match (net, straddles) {
        (IpNet::V6(_), true) => IPV6_MIXED,
        (IpNet::V4(_), true) => IPV4_MIXED,
        (IpNet::V6(_), false) => IPV6_RESERVED,
        (IpNet::V4(_), false) => IPV4_PUBLIC,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> &'static str {
        classify(&text.parse().expect(text)).name
    }

    #[test]
    fn table_parses() {
        for entry in CLASSES {
            let net: IpNet = entry.cidr.parse().expect(entry.cidr);
            assert_eq!(net, net.trunc(), "{} has host bits set", entry.cidr);
        }
    }

    #[test]
    fn faq_ranges() {
        assert!(name("fc00::/112").contains("fc00::/8 half"));
        assert!(name("fd00::/112").contains("locally assigned"));
        assert_eq!(
            classify(&"fc00::/7".parse().expect("net")).usage,
            Usage::Private
        );
        assert_eq!(name("2001:db8::/112"), "documentation");
        assert_eq!(name("fe80::/64"), "link-local");
        assert_eq!(name("ff01:d28:3ee::c23/128"), "multicast");
        assert_eq!(name("::1/128"), "loopback");
        assert_eq!(name("2400:cb00::/32"), "global unicast");
        assert_eq!(name("10.247.0.0/16"), "private");
        assert_eq!(name("8.8.8.0/24"), "public (globally routable)");
        assert_eq!(name("7000::/8"), "reserved by IETF (unassigned)");
        assert_eq!(name("4000::/3"), "IPv6 (spans several ranges)");
        assert_eq!(name("::/0"), "IPv6 (spans several ranges)");
        assert_eq!(name("10.0.0.0/7"), "IPv4 (spans several ranges)");
    }
}
