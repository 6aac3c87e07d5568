//! Property tests against `ipnet` and `std::net`, the well-kept implementations: parsing,
//! canonical formatting, containment, subnet enumeration and counts must agree with them on
//! random inputs, not just on the FAQ's examples.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use ipv6_cidr::cidr::{self, Cidr};
use ipv6_cidr::parse;
use ipv6_cidr::split::{Subnets, prefix_for_count};
use ipv6_cidr::text;
use proptest::prelude::*;

/// Addresses biased towards zero runs, so `::` compression and its tie rules get exercised.
fn ipv6() -> impl Strategy<Value = Ipv6Addr> {
    prop::array::uniform8(prop_oneof![Just(0u16), Just(1u16), any::<u16>()])
        .prop_map(Ipv6Addr::from)
}

fn ipv4() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn net() -> impl Strategy<Value = IpNet> {
    prop_oneof![
        (ipv6(), 0u8..=128).prop_map(|(a, p)| IpNet::V6(Ipv6Net::new_assert(a, p))),
        (ipv4(), 0u8..=32).prop_map(|(a, p)| IpNet::V4(Ipv4Net::new_assert(a, p))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_and_network_agree_with_ipnet(n in net()) {
        let text = n.to_string();
        let ours = Cidr::parse(&text).expect("ipnet's output parses");
        prop_assert_eq!(ours.net, n.trunc());
        prop_assert_eq!(ours.addr, n.addr());
        prop_assert_eq!(ours.host_bits_set(), n.addr() != n.network());
        prop_assert_eq!(ours.net.to_string(), n.trunc().to_string());
        prop_assert_eq!(text.parse::<IpNet>().ok(), Some(n));
    }

    #[test]
    fn formatting_is_rfc5952_and_round_trips(a in ipv6()) {
        let compressed = cidr::compressed(IpAddr::V6(a));
        let expanded = cidr::expanded(IpAddr::V6(a));
        prop_assert_eq!(&compressed, &a.to_string());
        prop_assert_eq!(parse::parse_addr(&compressed), Ok(IpAddr::V6(a)));
        prop_assert_eq!(parse::parse_addr(&expanded), Ok(IpAddr::V6(a)));
        prop_assert_eq!(parse::parse_addr(&expanded.to_uppercase()), Ok(IpAddr::V6(a)));
        prop_assert_eq!(expanded.len(), 39);
        // RFC 5952: lower case, at most one "::", no leading zeros in a group.
        prop_assert_eq!(compressed.to_lowercase(), compressed.clone());
        prop_assert!(compressed.matches("::").count() <= 1);
        let is_mapped = a.to_ipv4_mapped().is_some();
        for group in compressed.split(':').filter(|g| !g.is_empty() && !g.contains('.')) {
            prop_assert!(group == "0" || !group.starts_with('0'), "{}", compressed);
            prop_assert!(group.len() <= 4);
        }
        prop_assert!(is_mapped || !compressed.contains('.'));
    }

    #[test]
    fn fast_formatting_matches_std(a in ipv6(), v4 in ipv4()) {
        let mut buf = [0u8; text::MAX_LEN];
        let n = text::ipv6(a, &mut buf);
        prop_assert_eq!(String::from_utf8_lossy(&buf[..n]), a.to_string());
        let n = text::ipv4_into(v4, &mut buf);
        prop_assert_eq!(String::from_utf8_lossy(&buf[..n]), v4.to_string());
        let mapped = v4.to_ipv6_mapped();
        let n = text::ipv6(mapped, &mut buf);
        prop_assert_eq!(String::from_utf8_lossy(&buf[..n]), mapped.to_string());
    }

    #[test]
    fn parser_agrees_with_std_on_arbitrary_text(text in "[0-9a-fA-F:.]{0,45}") {
        prop_assert_eq!(parse::parse_addr(&text).ok(), text.parse::<IpAddr>().ok());
    }

    #[test]
    fn parser_agrees_with_std_on_near_misses(a in ipv6(), cut in 0usize..40, insert in "[0-9a-f:.]{0,2}") {
        // Mutations of valid addresses hit the interesting boundaries far more often than noise.
        let mut text = a.to_string();
        let at = cut.min(text.len());
        text.insert_str(at, &insert);
        prop_assert_eq!(parse::parse_addr(&text).ok(), text.parse::<IpAddr>().ok(), "{}", text);
    }

    #[test]
    fn containment_agrees_with_ipnet(n in net(), probe in any::<u128>()) {
        let n = n.trunc();
        let family = cidr::Family::of_net(&n);
        let addr = cidr::from_u128(family, probe);
        let value = cidr::to_u128(addr);
        let inside = cidr::to_u128(n.network()) <= value && value <= cidr::to_u128(n.broadcast());
        prop_assert_eq!(n.contains(&addr), inside);
    }

    #[test]
    fn overlap_is_symmetric_and_matches_ranges(a in net(), b in net()) {
        let (a, b) = (a.trunc(), b.trunc());
        prop_assert_eq!(cidr::overlaps(&a, &b), cidr::overlaps(&b, &a));
        if cidr::Family::of_net(&a) == cidr::Family::of_net(&b) {
            let (a0, a1) = (cidr::to_u128(a.network()), cidr::to_u128(a.broadcast()));
            let (b0, b1) = (cidr::to_u128(b.network()), cidr::to_u128(b.broadcast()));
            prop_assert_eq!(cidr::overlaps(&a, &b), a0 <= b1 && b0 <= a1);
        } else {
            prop_assert!(!cidr::overlaps(&a, &b));
        }
    }

    #[test]
    fn subnets_match_ipnet(n in net(), extra in 0u8..=8, offset_seed in any::<u128>()) {
        let n = n.trunc();
        let prefix = (n.prefix_len() + extra).min(n.max_prefix_len());
        let ours: Vec<IpNet> = Subnets::new(&n, prefix, 0).expect("split").collect();
        let theirs: Vec<IpNet> = n.subnets(prefix).expect("ipnet split").collect();
        prop_assert_eq!(&ours, &theirs);
        prop_assert_eq!(ours.len() as u128, 1u128 << (prefix - n.prefix_len()));
        let offset = offset_seed % ours.len() as u128;
        let from_offset: Vec<IpNet> = Subnets::new(&n, prefix, offset).expect("split").collect();
        prop_assert_eq!(&from_offset[..], &theirs[offset as usize..]);
        prop_assert_eq!(prefix_for_count(&n, ours.len() as u128).ok(), Some(prefix));
    }

    #[test]
    fn counts_are_exact(n in net()) {
        let bits = cidr::host_bits(&n);
        let count = cidr::address_count(&n);
        if bits < 128 {
            prop_assert_eq!(count, (1u128 << bits).to_string());
        } else {
            prop_assert_eq!(count, "340282366920938463463374607431768211456");
        }
        // The last address is first + count − 1.
        let span = if bits >= 128 { u128::MAX } else { (1u128 << bits) - 1 };
        prop_assert_eq!(cidr::to_u128(n.broadcast()) - cidr::to_u128(n.network()), span);
    }
}
