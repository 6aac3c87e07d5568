//! A strict parser for IP addresses and CIDRs that says *why* an input is wrong.
//!
//! `std`'s parsers answer only "invalid IP address syntax", which is no help to someone who typed
//! `fc00::1::/112` at 3 a.m. This parser accepts exactly what `std::net` accepts (the fuzz target
//! in `fuzz/` checks that difference stays empty) and names the first rule an input breaks: a
//! second `::`, a group of five digits, a non-hex character and where it is, a prefix above 128.
//!
//! It has no dependencies on purpose, so the fuzz target can compile it on its own.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What was typed: an address and, if there was a `/`, the prefix length after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    pub addr: IpAddr,
    /// `None` for a bare address.
    pub prefix: Option<u8>,
}

/// The first rule an input breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    Empty,
    /// A character that can appear in no address, with its byte offset.
    BadChar {
        ch: char,
        at: usize,
    },
    /// `%eth0`: zone indices name an interface, not a network.
    ZoneIndex,
    /// `::` may stand for one run of zero groups only.
    DoubleColonTwice,
    /// A `:` with nothing before or after it (`:1::`, `1:`, `1::2:`, `:::`).
    EmptyGroup,
    /// More than four hex digits between colons.
    GroupTooLong(String),
    TooManyGroups(usize),
    /// Fewer than eight groups and no `::` to stand for the rest.
    TooFewGroups(usize),
    /// A dotted IPv4 part anywhere but at the end of an IPv6 address.
    MisplacedIpv4,
    Ipv4Octets(usize),
    Ipv4OctetTooLarge(String),
    Ipv4LeadingZero(String),
    Ipv4EmptyOctet,
    MissingPrefix,
    BadPrefix(String),
    PrefixTooLong {
        prefix: String,
        max: u8,
    },
    NetmaskNotContiguous(Ipv4Addr),
    /// `a.b.c.d/255.255.0.0` given for an IPv6 address.
    NetmaskForIpv6,
    TwoSlashes,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Empty => write!(f, "empty input"),
            ParseError::BadChar { ch, at } => {
                write!(
                    f,
                    "{ch:?} at position {} is not a hex digit, ':', '.' or '/'",
                    at + 1
                )
            }
            ParseError::ZoneIndex => write!(
                f,
                "zone index ('%…') names an interface, not a network; drop it"
            ),
            ParseError::DoubleColonTwice => write!(
                f,
                "'::' appears twice; it may replace only one run of zero groups, otherwise the address is ambiguous"
            ),
            ParseError::EmptyGroup => write!(
                f,
                "empty group: a single ':' at the start or end, or ':::' (use '::' for zero groups)"
            ),
            ParseError::GroupTooLong(g) => {
                write!(f, "group {g:?} has more than 4 hex digits")
            }
            ParseError::TooManyGroups(n) => write!(
                f,
                "{n} groups; an IPv6 address has 8 (fewer if '::' stands for some)"
            ),
            ParseError::TooFewGroups(n) => write!(
                f,
                "only {n} groups and no '::'; an IPv6 address has 8 groups of up to 4 hex digits"
            ),
            ParseError::MisplacedIpv4 => write!(
                f,
                "an embedded IPv4 address (a.b.c.d) may only be the last 32 bits"
            ),
            ParseError::Ipv4Octets(n) => write!(f, "{n} parts; an IPv4 address has 4 (a.b.c.d)"),
            ParseError::Ipv4OctetTooLarge(o) => write!(f, "IPv4 part {o:?} is larger than 255"),
            ParseError::Ipv4LeadingZero(o) => write!(
                f,
                "IPv4 part {o:?} has a leading zero (ambiguous: some tools read it as octal)"
            ),
            ParseError::Ipv4EmptyOctet => write!(f, "empty IPv4 part (two dots in a row?)"),
            ParseError::MissingPrefix => write!(f, "nothing after '/'; expected a prefix length"),
            ParseError::BadPrefix(p) => {
                write!(f, "prefix length {p:?} is not a number")
            }
            ParseError::PrefixTooLong { prefix, max } => {
                write!(
                    f,
                    "prefix length /{prefix} is longer than the address (at most /{max})"
                )
            }
            ParseError::NetmaskNotContiguous(m) => {
                write!(
                    f,
                    "netmask {m} is not contiguous (ones must be followed only by zeros)"
                )
            }
            ParseError::NetmaskForIpv6 => {
                write!(
                    f,
                    "a dotted netmask only applies to IPv4; write /LENGTH for IPv6"
                )
            }
            ParseError::TwoSlashes => write!(f, "more than one '/'"),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses `ADDRESS` or `ADDRESS/PREFIX` (IPv4 also `ADDRESS/NETMASK`). No trimming: callers trim.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    if text.is_empty() {
        return Err(ParseError::Empty);
    }
    let (addr_text, prefix_text) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    if prefix_text.is_some_and(|p| p.contains('/')) {
        return Err(ParseError::TwoSlashes);
    }
    let addr = parse_addr(addr_text)?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix_text {
        None => None,
        Some("") => return Err(ParseError::MissingPrefix),
        Some(p) if p.contains('.') => {
            if addr.is_ipv6() {
                return Err(ParseError::NetmaskForIpv6);
            }
            let mask = parse_ipv4(p).map_err(|_| ParseError::BadPrefix(p.to_owned()))?;
            Some(netmask_len(mask)?)
        }
        Some(p) => Some(parse_prefix(p, max)?),
    };
    Ok(Parsed { addr, prefix })
}

fn parse_prefix(text: &str, max: u8) -> Result<u8, ParseError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::BadPrefix(text.to_owned()));
    }
    let value = text.bytes().fold(0u32, |acc, b| {
        acc.saturating_mul(10).saturating_add(u32::from(b - b'0'))
    });
    if value > u32::from(max) {
        return Err(ParseError::PrefixTooLong {
            prefix: text.trim_start_matches('0').to_owned(),
            max,
        });
    }
    Ok(value as u8)
}

fn netmask_len(mask: Ipv4Addr) -> Result<u8, ParseError> {
    let bits = u32::from(mask);
    let ones = bits.leading_ones();
    if ones < 32 && bits << ones != 0 {
        return Err(ParseError::NetmaskNotContiguous(mask));
    }
    Ok(ones as u8)
}

/// Parses a bare address, IPv6 if it has a `:`, else IPv4.
pub fn parse_addr(text: &str) -> Result<IpAddr, ParseError> {
    if text.is_empty() {
        return Err(ParseError::Empty);
    }
    if text.contains('%') {
        return Err(ParseError::ZoneIndex);
    }
    if let Some((at, ch)) = text
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_hexdigit() || c == ':' || c == '.'))
    {
        return Err(ParseError::BadChar { ch, at });
    }
    if text.contains(':') {
        parse_ipv6(text).map(IpAddr::V6)
    } else {
        parse_ipv4(text).map(IpAddr::V4)
    }
}

fn parse_ipv4(text: &str) -> Result<Ipv4Addr, ParseError> {
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 4 {
        if let Some((at, ch)) = text
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_digit() || c == '.'))
        {
            return Err(ParseError::BadChar { ch, at });
        }
        return Err(ParseError::Ipv4Octets(parts.len()));
    }
    let mut octets = [0u8; 4];
    let mut offset = 0;
    for (slot, part) in octets.iter_mut().zip(&parts) {
        if let Some((at, ch)) = part.char_indices().find(|&(_, c)| !c.is_ascii_digit()) {
            return Err(ParseError::BadChar {
                ch,
                at: offset + at,
            });
        }
        offset += part.len() + 1;
        if part.is_empty() {
            return Err(ParseError::Ipv4EmptyOctet);
        }
        if part.len() > 1 && part.starts_with('0') {
            return Err(ParseError::Ipv4LeadingZero((*part).to_owned()));
        }
        if part.len() > 3 {
            return Err(ParseError::Ipv4OctetTooLarge((*part).to_owned()));
        }
        let value: u32 = part
            .bytes()
            .fold(0, |acc, b| acc * 10 + u32::from(b - b'0'));
        *slot =
            u8::try_from(value).map_err(|_| ParseError::Ipv4OctetTooLarge((*part).to_owned()))?;
    }
    Ok(Ipv4Addr::from(octets))
}

/// Groups of one side of `::`, with an embedded IPv4 tail counted as two groups.
fn parse_groups(text: &str, allow_ipv4_tail: bool) -> Result<Vec<u16>, ParseError> {
    let mut groups = Vec::with_capacity(8);
    if text.is_empty() {
        return Ok(groups);
    }
    let parts: Vec<&str> = text.split(':').collect();
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            return Err(ParseError::EmptyGroup);
        }
        if part.contains('.') {
            if i != last || !allow_ipv4_tail {
                return Err(ParseError::MisplacedIpv4);
            }
            let v4 = parse_ipv4(part)?.octets();
            groups.push(u16::from_be_bytes([v4[0], v4[1]]));
            groups.push(u16::from_be_bytes([v4[2], v4[3]]));
            continue;
        }
        if part.len() > 4 {
            return Err(ParseError::GroupTooLong((*part).to_owned()));
        }
        let value = part.chars().fold(0u16, |acc, c| {
            (acc << 4) | c.to_digit(16).map_or(0, |d| d as u16)
        });
        groups.push(value);
    }
    Ok(groups)
}

fn parse_ipv6(text: &str) -> Result<Ipv6Addr, ParseError> {
    let (head, tail) = match text.find("::") {
        Some(at) => {
            let tail = &text[at + 2..];
            if tail.contains("::") {
                return Err(ParseError::DoubleColonTwice);
            }
            (&text[..at], Some(tail))
        }
        None => (text, None),
    };
    let head_groups = parse_groups(head, tail.is_none())?;
    let mut value = [0u16; 8];
    match tail {
        None => {
            if head_groups.len() > 8 {
                return Err(ParseError::TooManyGroups(head_groups.len()));
            }
            if head_groups.len() < 8 {
                return Err(ParseError::TooFewGroups(head_groups.len()));
            }
            value.copy_from_slice(&head_groups);
        }
        Some(tail) => {
            let tail_groups = parse_groups(tail, true)?;
            let total = head_groups.len() + tail_groups.len();
            // '::' stands for at least one group.
            if total > 7 {
                return Err(ParseError::TooManyGroups(total + 1));
            }
            value[..head_groups.len()].copy_from_slice(&head_groups);
            value[8 - tail_groups.len()..].copy_from_slice(&tail_groups);
        }
    }
    Ok(Ipv6Addr::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v6(text: &str) -> Ipv6Addr {
        match parse_addr(text) {
            Ok(IpAddr::V6(a)) => a,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn faq_notation_examples_are_equivalent() {
        let full = v6("ff01:0d28:03ee:0000:0000:0000:0000:0c23");
        assert_eq!(full, v6("ff01:d28:3ee:0000:0000:0000:0000:c23"));
        assert_eq!(full, v6("ff01:d28:3ee:0:0:0:0:c23"));
        assert_eq!(full, v6("ff01:d28:3ee::c23"));
        assert_eq!(full, v6("FF01:D28:3EE::C23"));
        assert_eq!(v6("0:0:0:0:0:0:0:1"), v6("::1"));
        assert_eq!(v6("0:0:0:0:0:0:0:0"), v6("::"));
        assert_eq!(
            v6("::ffff:10.0.0.1"),
            Ipv4Addr::new(10, 0, 0, 1).to_ipv6_mapped()
        );
    }

    #[test]
    fn invalid_inputs_say_why() {
        let cases: &[(&str, ParseError)] = &[
            ("", ParseError::Empty),
            ("fc00::1::/112", ParseError::DoubleColonTwice),
            ("fc00::g/112", ParseError::BadChar { ch: 'g', at: 6 }),
            (
                "fc00::/129",
                ParseError::PrefixTooLong {
                    prefix: "129".into(),
                    max: 128,
                },
            ),
            (
                "10.0.0.0/33",
                ParseError::PrefixTooLong {
                    prefix: "33".into(),
                    max: 32,
                },
            ),
            ("fc00::/", ParseError::MissingPrefix),
            ("fc00::/1x", ParseError::BadPrefix("1x".into())),
            ("fc00::/-1", ParseError::BadPrefix("-1".into())),
            ("fc00::/+1", ParseError::BadPrefix("+1".into())),
            ("fc000::", ParseError::GroupTooLong("fc000".into())),
            ("1:2:3:4:5:6:7", ParseError::TooFewGroups(7)),
            ("1:2:3:4:5:6:7:8:9", ParseError::TooManyGroups(9)),
            ("1:2:3:4::5:6:7:8", ParseError::TooManyGroups(9)),
            (":1::", ParseError::EmptyGroup),
            ("1::2:", ParseError::EmptyGroup),
            (":::", ParseError::EmptyGroup),
            ("fe80::1%eth0", ParseError::ZoneIndex),
            ("1.2.3", ParseError::Ipv4Octets(3)),
            ("1.2.3.256", ParseError::Ipv4OctetTooLarge("256".into())),
            ("01.2.3.4", ParseError::Ipv4LeadingZero("01".into())),
            ("1..3.4", ParseError::Ipv4EmptyOctet),
            ("1.2.3.4::", ParseError::MisplacedIpv4),
            (
                "10.0.0.0/255.0.255.0",
                ParseError::NetmaskNotContiguous(Ipv4Addr::new(255, 0, 255, 0)),
            ),
            ("fc00::/255.0.0.0", ParseError::NetmaskForIpv6),
            ("fc00::/1/2", ParseError::TwoSlashes),
            (" fc00::", ParseError::BadChar { ch: ' ', at: 0 }),
        ];
        for (input, want) in cases {
            assert_eq!(parse(input).as_ref(), Err(want), "{input:?}");
            // The message must be a sentence, not a debug dump.
            assert!(!want.to_string().is_empty());
        }
    }

    #[test]
    fn netmask_and_prefix_forms() {
        assert_eq!(
            parse("10.0.0.0/255.255.0.0").map(|p| p.prefix),
            Ok(Some(16))
        );
        assert_eq!(parse("10.0.0.0/0.0.0.0").map(|p| p.prefix), Ok(Some(0)));
        assert_eq!(parse("fc00::/112").map(|p| p.prefix), Ok(Some(112)));
        assert_eq!(parse("fc00::/0112").map(|p| p.prefix), Ok(Some(112)));
        assert_eq!(
            parse("fc00::/99999999999999").map(|p| p.prefix),
            Err(ParseError::PrefixTooLong {
                prefix: "99999999999999".into(),
                max: 128
            })
        );
        assert_eq!(parse("fc00::").map(|p| p.prefix), Ok(None));
    }

    #[test]
    fn agrees_with_std_on_tricky_inputs() {
        for text in [
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:1.2.3.4",
            "::1.2.3.4",
            "1::1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::ffff:0.0.0.0",
            "0.0.0.0",
            "255.255.255.255",
            "1:2:3:4:5:6::1.2.3.4",
            "::0:0:0:0:0:0:0",
            "0:0:0:0:0:0:0::",
            "1.2.3.04",
            "1:2:3:4:5:6:7:8:",
            "a::b::c",
            "12345::",
            "::1.2.3",
            "1.2.3.4.5",
        ] {
            let ours = parse_addr(text).ok();
            let std = text.parse::<IpAddr>().ok();
            assert_eq!(ours, std, "{text}");
        }
    }
}
