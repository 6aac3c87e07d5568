//! The parser must never panic, must accept exactly the addresses `std::net` accepts, and every
//! CIDR it accepts must print in a canonical form that it, std and ipnet all read back the same.
#![no_main]

use std::net::IpAddr;

use libfuzzer_sys::fuzz_target;

#[path = "../../src/parse.rs"]
#[allow(dead_code)]
mod parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    assert_eq!(
        parse::parse_addr(text).ok(),
        text.parse::<IpAddr>().ok(),
        "disagrees with std on {text:?}"
    );
    match parse::parse(text) {
        Ok(parsed) => {
            let max = if parsed.addr.is_ipv4() { 32 } else { 128 };
            let prefix = parsed.prefix.unwrap_or(max);
            assert!(prefix <= max);
            let canonical = format!("{}/{prefix}", parsed.addr);
            let again = parse::parse(&canonical).expect("canonical form parses");
            assert_eq!((again.addr, again.prefix), (parsed.addr, Some(prefix)));
            let net: ipnet::IpNet = canonical.parse().expect("ipnet reads the canonical form");
            assert_eq!((net.addr(), net.prefix_len()), (parsed.addr, prefix));
        }
        Err(err) => assert!(!err.to_string().is_empty()),
    }
});
