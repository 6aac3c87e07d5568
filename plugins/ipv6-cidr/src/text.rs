//! Allocation-free address formatting for `split`'s hot loop.
//!
//! `std`'s `Display` is correct (RFC 5952) but goes through `fmt` machinery several times per
//! address; `split` prints millions of lines a second, so it formats into a stack buffer instead.
//! The output is byte-for-byte `std`'s (a property test checks), IPv4-mapped form included.

use std::net::{Ipv4Addr, Ipv6Addr};

/// Longest text of an address: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255` is 45 bytes.
pub const MAX_LEN: usize = 45;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Writes `addr` as `std` would into `buf`, returning the length.
pub fn ipv6(addr: Ipv6Addr, buf: &mut [u8; MAX_LEN]) -> usize {
    let s = addr.segments();
    if let Some(v4) = addr.to_ipv4_mapped() {
        buf[..7].copy_from_slice(b"::ffff:");
        return 7 + ipv4_into(v4, &mut buf[7..]);
    }
    // The longest run of two or more zero groups (the first on a tie) becomes "::".
    let (mut best_start, mut best_len) = (8usize, 0usize);
    let mut i = 0;
    while i < 8 {
        if s[i] == 0 {
            let start = i;
            while i < 8 && s[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                (best_start, best_len) = (start, i - start);
            }
        } else {
            i += 1;
        }
    }
    if best_len < 2 {
        best_start = 8;
        best_len = 0;
    }
    let mut n = 0;
    let mut g = 0;
    while g < 8 {
        if g == best_start {
            buf[n] = b':';
            buf[n + 1] = b':';
            n += 2;
            g += best_len;
            continue;
        }
        if g > 0 && g != best_start + best_len {
            buf[n] = b':';
            n += 1;
        }
        n += hex_group(s[g], &mut buf[n..]);
        g += 1;
    }
    n
}

fn hex_group(v: u16, out: &mut [u8]) -> usize {
    let digits = if v >= 0x1000 {
        4
    } else if v >= 0x100 {
        3
    } else if v >= 0x10 {
        2
    } else {
        1
    };
    for i in 0..digits {
        out[i] = HEX[usize::from((v >> (4 * (digits - 1 - i))) & 0xf)];
    }
    digits
}

/// Writes a dotted IPv4 address into `out` (at least 15 bytes), returning the length.
pub fn ipv4_into(addr: Ipv4Addr, out: &mut [u8]) -> usize {
    let mut n = 0;
    for (i, octet) in addr.octets().into_iter().enumerate() {
        if i > 0 {
            out[n] = b'.';
            n += 1;
        }
        if octet >= 100 {
            out[n] = b'0' + octet / 100;
            n += 1;
        }
        if octet >= 10 {
            out[n] = b'0' + (octet / 10) % 10;
            n += 1;
        }
        out[n] = b'0' + octet % 10;
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast6(text: &str) -> String {
        let mut buf = [0u8; MAX_LEN];
        let n = ipv6(text.parse().expect(text), &mut buf);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    #[test]
    fn matches_std_on_edge_cases() {
        for text in [
            "::",
            "::1",
            "1::",
            "fc00::",
            "1:0:0:2:0:0:0:3",
            "1:0:2:3:4:5:6:7",
            "0:0:1::",
            "1:2:3:4:5:6:7:8",
            "::ffff:10.0.0.1",
            "::ffff:0.0.0.0",
            "::1.2.3.4",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "1:0:0:1:0:0:1:0",
            "0:1:0:0:1:0:0:0",
        ] {
            let std = text.parse::<Ipv6Addr>().expect(text).to_string();
            assert_eq!(fast6(text), std, "{text}");
        }
        let mut buf = [0u8; MAX_LEN];
        for addr in [
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::new(10, 96, 100, 255),
            Ipv4Addr::BROADCAST,
        ] {
            let n = ipv4_into(addr, &mut buf);
            assert_eq!(&buf[..n], addr.to_string().as_bytes());
        }
    }
}
