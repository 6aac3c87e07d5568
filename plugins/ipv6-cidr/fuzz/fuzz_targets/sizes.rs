//! The size arithmetic behind `plan` and `split`, on arbitrary user input (NUL-separated:
//! CIDR, count, prefix, offset): counts (`8192`, `2^13`, `1_000`) and prefixes parse or fail
//! cleanly, the smallest prefix for a count really holds it, and splitting walks subnets that
//! lie inside the parent, in order, without overflowing a u128 at either end of the space.
#![no_main]

use ipv6_cidr::cidr::{self, Cidr, Family};
use ipv6_cidr::plan::{self, Count};
use ipv6_cidr::split::{self, Subnets};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut fields = text.split('\0');
    let (cidr_text, count_text, prefix_text, offset_text) = (
        fields.next().unwrap_or(""),
        fields.next().unwrap_or(""),
        fields.next().unwrap_or(""),
        fields.next().unwrap_or(""),
    );
    let count = plan::parse_count(count_text);
    if let Ok(count) = count {
        assert!(count.bits() <= 128);
        let _ = cidr::grouped(&count.decimal());
        for family in [Family::Ipv4, Family::Ipv6] {
            for hosts in [false, true] {
                if let Ok(prefix) = plan::smallest_prefix(family, count, hosts) {
                    assert!(prefix <= family.bits());
                    let host_bits = family.bits() - prefix;
                    if let Count::Exact(n) = count {
                        let room = if hosts {
                            plan::usable_hosts(family, host_bits)
                        } else if host_bits >= 128 {
                            u128::MAX
                        } else {
                            1u128 << host_bits
                        };
                        assert!(room >= n.min(u128::MAX), "{count_text:?} in /{prefix}");
                    }
                    let _ = plan::alignment_rule(family, prefix);
                }
            }
        }
    }
    let Ok(parsed) = cidr::cidr_arg(cidr_text) else {
        return;
    };
    let _ = (cidr::address_count(&parsed.net), cidr::reverse_zone(&parsed.net));
    let _ = cidr::binary(parsed.addr, parsed.net.prefix_len());
    let _: Cidr = parsed;
    if let Ok(Count::Exact(n)) = count
        && let Ok(prefix) = split::prefix_for_count(&parsed.net, n)
    {
        assert!(prefix >= parsed.net.prefix_len() && prefix <= parsed.net.max_prefix_len());
    }
    let prefix = prefix_text.trim().trim_start_matches('/').parse::<u8>().ok();
    let offset = offset_text.trim().parse::<u128>().unwrap_or(0);
    if let Some(prefix) = prefix
        && let Ok(mut subnets) = Subnets::new(&parsed.net, prefix, offset)
    {
        let first = cidr::to_u128(parsed.net.network());
        let last = cidr::to_u128(parsed.net.broadcast());
        let mut previous: Option<u128> = None;
        for _ in 0..4 {
            let Some((start, end)) = subnets.next_raw() else {
                break;
            };
            assert!(first <= start && start <= end && end <= last, "outside the parent");
            if let Some(p) = previous {
                assert!(start > p, "not in order");
            }
            previous = Some(end);
        }
    }
});
