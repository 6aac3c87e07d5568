//! Subnets of a network, enumerated lazily.
//!
//! A /64 holds 2^48 /112s: the list can never be built, only walked. [`Subnets`] is an iterator
//! over one `u128` cursor, so memory stays constant whatever the count, and it starts at any
//! offset in O(1) (`--offset`), which is how a user pages through 2^48 subnets.

use ipnet::IpNet;

use crate::cidr::{self, Family};

/// Why a split request cannot be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// The new prefix is shorter than the network's own.
    PrefixTooShort {
        prefix: u8,
        parent: u8,
    },
    PrefixTooLong {
        prefix: u8,
        max: u8,
    },
    /// `--offset` is past the last subnet.
    OffsetTooLarge {
        offset: u128,
        total: String,
    },
    /// `--count 0`.
    ZeroCount,
}

impl std::fmt::Display for SplitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SplitError::PrefixTooShort { prefix, parent } => write!(
                f,
                "/{prefix} is larger than the network itself (/{parent}); subnets need a longer prefix"
            ),
            SplitError::PrefixTooLong { prefix, max } => {
                write!(f, "/{prefix} is longer than the address (at most /{max})")
            }
            SplitError::OffsetTooLarge { offset, total } => write!(
                f,
                "offset {offset} is past the last subnet (there are {total}, numbered from 0)"
            ),
            SplitError::ZeroCount => write!(f, "cannot split into 0 subnets"),
        }
    }
}

/// The smallest prefix that splits `net` into at least `count` equal subnets.
pub fn prefix_for_count(net: &IpNet, count: u128) -> Result<u8, SplitError> {
    if count == 0 {
        return Err(SplitError::ZeroCount);
    }
    let extra_bits = if count == 1 {
        0
    } else {
        128 - (count - 1).leading_zeros()
    };
    let prefix = u32::from(net.prefix_len()) + extra_bits;
    if prefix > u32::from(net.max_prefix_len()) {
        return Err(SplitError::PrefixTooLong {
            prefix: prefix.min(255) as u8,
            max: net.max_prefix_len(),
        });
    }
    Ok(prefix as u8)
}

/// The subnets of one size inside a network, in address order.
#[derive(Debug, Clone)]
pub struct Subnets {
    family: Family,
    prefix: u8,
    /// Network address of the next subnet; `None` once past the last.
    next: Option<u128>,
    /// Network address of the last subnet.
    last: u128,
    step_bits: u8,
}

impl Subnets {
    /// Subnets of `net` with prefix `prefix`, starting at the `offset`-th (0-based).
    pub fn new(net: &IpNet, prefix: u8, offset: u128) -> Result<Self, SplitError> {
        let family = Family::of_net(net);
        if prefix < net.prefix_len() {
            return Err(SplitError::PrefixTooShort {
                prefix,
                parent: net.prefix_len(),
            });
        }
        if prefix > family.bits() {
            return Err(SplitError::PrefixTooLong {
                prefix,
                max: family.bits(),
            });
        }
        let count_bits = prefix - net.prefix_len();
        if count_bits < 128 && offset >> count_bits != 0 {
            return Err(SplitError::OffsetTooLarge {
                offset,
                total: cidr::pow2_decimal(count_bits),
            });
        }
        let step_bits = family.bits() - prefix;
        let base = cidr::to_u128(net.network());
        let shift = |v: u128| if step_bits >= 128 { 0 } else { v << step_bits };
        let last = base + shift(max_index(count_bits));
        Ok(Subnets {
            family,
            prefix,
            next: Some(base + shift(offset)),
            last,
            step_bits,
        })
    }

    pub fn family(&self) -> Family {
        self.family
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// The next subnet as (network address, last address), without building an `IpNet`.
    #[inline]
    pub fn next_raw(&mut self) -> Option<(u128, u128)> {
        let current = self.next?;
        let span = if self.step_bits >= 128 {
            u128::MAX
        } else {
            (1u128 << self.step_bits) - 1
        };
        self.next = (current != self.last).then(|| current + span + 1);
        Some((current, current + span))
    }
}

/// 2^bits − 1 without overflow.
fn max_index(bits: u8) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

impl Iterator for Subnets {
    type Item = IpNet;

    fn next(&mut self) -> Option<IpNet> {
        let (start, _) = self.next_raw()?;
        Some(cidr::nth_network(self.family, start, self.prefix, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> IpNet {
        text.parse().expect(text)
    }

    #[test]
    fn splits_lazily_with_offsets() {
        let all: Vec<String> = Subnets::new(&net("fc00::/112"), 114, 0)
            .expect("split")
            .map(|n| n.to_string())
            .collect();
        assert_eq!(
            all,
            [
                "fc00::/114",
                "fc00::4000/114",
                "fc00::8000/114",
                "fc00::c000/114"
            ]
        );
        let tail: Vec<String> = Subnets::new(&net("fc00::/112"), 114, 3)
            .expect("split")
            .map(|n| n.to_string())
            .collect();
        assert_eq!(tail, ["fc00::c000/114"]);
        // 2^48 subnets: the millionth is computed, not walked to.
        let mut huge = Subnets::new(&net("fd00::/64"), 112, 1_000_000).expect("split");
        assert_eq!(
            huge.next().map(|n| n.to_string()).as_deref(),
            Some("fd00::f:4240:0/112")
        );
        let last = Subnets::new(&net("fd00::/64"), 112, (1 << 48) - 1).expect("split");
        assert_eq!(
            last.map(|n| n.to_string()).collect::<Vec<_>>(),
            ["fd00::ffff:ffff:ffff:0/112"]
        );
    }

    #[test]
    fn extremes_do_not_overflow() {
        let mut whole = Subnets::new(&net("::/0"), 0, 0).expect("split");
        assert_eq!(whole.next(), Some(net("::/0")));
        assert_eq!(whole.next(), None);
        let mut top = Subnets::new(&net("::/0"), 128, u128::MAX).expect("split");
        assert_eq!(
            top.next(),
            Some(net("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"))
        );
        assert_eq!(top.next(), None);
        let v4: Vec<String> = Subnets::new(&net("255.255.255.252/30"), 31, 0)
            .expect("split")
            .map(|n| n.to_string())
            .collect();
        assert_eq!(v4, ["255.255.255.252/31", "255.255.255.254/31"]);
    }

    #[test]
    fn bad_requests_are_errors() {
        assert!(matches!(
            Subnets::new(&net("fc00::/112"), 111, 0),
            Err(SplitError::PrefixTooShort { .. })
        ));
        assert!(matches!(
            Subnets::new(&net("fc00::/112"), 129, 0),
            Err(SplitError::PrefixTooLong { .. })
        ));
        assert!(matches!(
            Subnets::new(&net("fc00::/112"), 114, 4),
            Err(SplitError::OffsetTooLarge { .. })
        ));
        assert_eq!(prefix_for_count(&net("fc00::/112"), 3), Ok(114));
        assert_eq!(prefix_for_count(&net("fc00::/112"), 4), Ok(114));
        assert_eq!(prefix_for_count(&net("fc00::/112"), 1), Ok(112));
        assert_eq!(
            prefix_for_count(&net("fc00::/112"), 0),
            Err(SplitError::ZeroCount)
        );
        assert!(prefix_for_count(&net("10.0.0.0/30"), 8).is_err());
    }
}
