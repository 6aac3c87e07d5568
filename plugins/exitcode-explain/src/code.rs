//! Reading the numbers users type, and folding them into the 0–255 a process status can hold.
//!
//! The kernel keeps only the low 8 bits of what a process passes to `exit()`, so what a shell (and
//! Kubernetes) shows is the value modulo 256 taken the mathematical way: `-1` → 255,
//! `300` → 44, `-300` → 212, and every multiple of 256 → 0. The FAQ on exit codes gives `256 − (|code| % 256)`
//! for negatives, which yields the impossible 256 for `-256`; [`fold`] is the correct rule
//! (`rem_euclid`). Numbers too long for 64 bits are folded exactly from their decimal digits
//! (only the remainder mod 256 matters), so no input is "too big" to answer — the explanation just
//! says no real process could have returned it.
//!
//! Hex input (`0xC0000005`) is accepted because that is how Windows containers' NTSTATUS exit
//! codes are written; its fold is explained alongside the Windows meaning.

use serde::Serialize;

/// The exit status a POSIX shell would show for `exit(n)`.
pub fn fold(n: i64) -> u8 {
    // rem_euclid(256) is in 0..=255, so the cast is exact.
    n.rem_euclid(256) as u8
}

/// The same fold over a decimal digit string of any length: only the remainder mod 256 of the
/// magnitude matters, accumulated digit by digit.
pub fn fold_decimal(negative: bool, digits: &str) -> u8 {
    let magnitude = digits
        .bytes()
        .fold(0u32, |acc, d| (acc * 10 + u32::from(d - b'0')) % 256);
    if negative {
        ((256 - magnitude) % 256) as u8
    } else {
        magnitude as u8
    }
}

/// How the input was written, kept so the explanation can show the fold and the Windows reading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "form", content = "value")]
pub enum Raw {
    /// A decimal that fits in 64 bits.
    Decimal(i64),
    /// A decimal too long for 64 bits (kept as typed, normalised: sign and digits without
    /// leading zeros).
    HugeDecimal(String),
    /// `0x…` (at most 64 bits).
    Hex(u64),
}

/// A parsed exit code argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCode {
    /// What the process status shows: 0–255.
    pub code: u8,
    pub raw: Raw,
}

impl ParsedCode {
    /// Whether the typed value was outside 0–255 and had to be folded.
    pub fn was_folded(&self) -> bool {
        match self.raw {
            Raw::Decimal(n) => !(0..=255).contains(&n),
            Raw::HugeDecimal(_) => true,
            Raw::Hex(v) => v > 255,
        }
    }

    /// The 32-bit pattern a Windows container would report, if the value has one: Kubernetes'
    /// `exitCode` is an int32, so NTSTATUS 0xC0000005 appears as -1073741819, and some tools print
    /// it unsigned as 3221225477.
    pub fn windows_status(&self) -> Option<u32> {
        match self.raw {
            Raw::Decimal(n) if n > 255 => u32::try_from(n).ok(),
            Raw::Decimal(n) if n < 0 => i32::try_from(n).ok().map(i32::cast_unsigned),
            Raw::Hex(v) if v > 255 => u32::try_from(v).ok(),
            _ => None,
        }
    }
}

/// Longest decimal we read; far beyond any real value, short enough that a pasted megabyte is
/// refused instead of processed.
const MAX_DIGITS: usize = 4096;

/// Parses `137`, `-1`, `+300`, `0x89`, `0xC0000005`, or a decimal of any length.
pub fn parse(text: &str) -> Result<ParsedCode, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("empty exit code: give a number such as 137, a signal with --signal, or a pod as pod/NAME".into());
    }
    let (negative, unsigned) = match trimmed.as_bytes()[0] {
        b'-' => (true, &trimmed[1..]),
        b'+' => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    if let Some(hex) = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    {
        return parse_hex(trimmed, negative, hex);
    }
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_a_number(trimmed));
    }
    if unsigned.len() > MAX_DIGITS {
        return Err(format!(
            "exit code has {} digits; that is not an exit code (at most {MAX_DIGITS} digits are read)",
            unsigned.len()
        ));
    }
    let digits = unsigned.trim_start_matches('0');
    let signed = if negative {
        format!("-{digits}")
    } else {
        digits.to_owned()
    };
    match signed.parse::<i64>() {
        Ok(n) => Ok(ParsedCode {
            code: fold(n),
            raw: Raw::Decimal(n),
        }),
        // Only digits, yet not an i64: it is too long, so fold it from its digits.
        Err(_) if digits.is_empty() => Ok(ParsedCode {
            code: 0,
            raw: Raw::Decimal(0),
        }),
        Err(_) => Ok(ParsedCode {
            code: fold_decimal(negative, digits),
            raw: Raw::HugeDecimal(signed),
        }),
    }
}

fn parse_hex(typed: &str, negative: bool, hex: &str) -> Result<ParsedCode, String> {
    if negative {
        return Err(format!(
            "{typed:?}: negative hex is not an exit code; write Windows codes unsigned, e.g. 0xC0000005"
        ));
    }
    let value = u64::from_str_radix(hex, 16).map_err(|_| {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            format!("{typed:?} is not a hex number (expected e.g. 0xC0000005)")
        } else {
            format!(
                "{typed:?} is longer than 64 bits; Windows exit codes are 32-bit, e.g. 0xC0000005"
            )
        }
    })?;
    Ok(ParsedCode {
        code: (value % 256) as u8,
        raw: Raw::Hex(value),
    })
}

fn not_a_number(text: &str) -> String {
    let looks_like_signal = text.to_ascii_uppercase().starts_with("SIG");
    let hint = if looks_like_signal {
        format!("; for a signal use --signal {text}")
    } else if text.contains('/') {
        "; to explain a pod use pod/NAME (other kinds are not supported)".to_owned()
    } else {
        format!("; to explain a pod use pod/{text}")
    };
    format!("{text:?} is not an exit code (expected a number such as 137, -1 or 0xC0000005){hint}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(text: &str) -> u8 {
        parse(text).expect(text).code
    }

    #[test]
    fn issue_and_seed_values() {
        assert_eq!(code("137"), 137);
        assert_eq!(code("-1"), 255);
        assert_eq!(code("300"), 44);
        assert_eq!(code("-300"), 212);
        // The FAQ's 256 − (|code| % 256) would give 256 here.
        assert_eq!(code("256"), 0);
        assert_eq!(code("-256"), 0);
        assert_eq!(code("-512"), 0);
        assert_eq!(code("+5"), 5);
        assert_eq!(code(" 0 "), 0);
        assert_eq!(code("000137"), 137);
        assert_eq!(code("-0"), 0);
    }

    #[test]
    fn i64_edges() {
        assert_eq!(code(&i64::MAX.to_string()), 255);
        assert_eq!(code(&i64::MIN.to_string()), 0);
        assert_eq!(
            parse(&i64::MIN.to_string()).expect("min").raw,
            Raw::Decimal(i64::MIN)
        );
    }

    #[test]
    fn huge_decimals_fold_exactly() {
        // 2^64 = 18446744073709551616 ≡ 0 (mod 256); 2^64 + 1 ≡ 1; -(2^64 + 1) ≡ 255.
        assert_eq!(code("18446744073709551616"), 0);
        assert_eq!(code("18446744073709551617"), 1);
        assert_eq!(code("-18446744073709551617"), 255);
        let p = parse("99999999999999999999999999").expect("huge");
        assert!(matches!(p.raw, Raw::HugeDecimal(_)));
        assert!(p.was_folded());
        assert!(parse(&"9".repeat(MAX_DIGITS + 1)).is_err());
    }

    #[test]
    fn hex_and_windows_patterns() {
        let p = parse("0xC0000005").expect("hex");
        assert_eq!(p.code, 5);
        assert_eq!(p.windows_status(), Some(0xC000_0005));
        assert_eq!(
            parse("-1073741819").expect("neg").windows_status(),
            Some(0xC000_0005)
        );
        assert_eq!(
            parse("3221225477").expect("u32").windows_status(),
            Some(0xC000_0005)
        );
        assert_eq!(code("0x89"), 137);
        assert_eq!(parse("0x89").expect("small").windows_status(), None);
        assert_eq!(parse("137").expect("plain").windows_status(), None);
    }

    #[test]
    fn bad_input_says_what_to_type() {
        for bad in [
            "", "   ", "abc", "1e3", "--1", "12a", "0x", "0xZZ", "-0x5", "+", "-", "1.5",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} must be rejected");
        }
        assert!(parse("abc").expect_err("must fail").contains("pod/abc"));
        assert!(
            parse("SIGKILL")
                .expect_err("must fail")
                .contains("--signal")
        );
        assert!(
            parse("0x1ffffffffffffffff")
                .expect_err("must fail")
                .contains("64 bits")
        );
    }

    /// What `bash -c 'exit N'; echo $?` prints, checked against the real bash (dash refuses
    /// negative numbers with "Illegal number" and exits 2, so bash is the shell that shows what
    /// `exit(-1)` in a program becomes).
    #[test]
    fn matches_a_real_shell() {
        let values: [i64; 12] = [
            -1,
            300,
            -300,
            256,
            -256,
            511,
            1000,
            137,
            -129,
            65535,
            i64::MAX,
            i64::MIN,
        ];
        for n in values {
            let Ok(out) = std::process::Command::new("bash")
                .args(["-c", &format!("exit {n}")])
                .status()
            else {
                return; // no bash on this machine: the property test below still holds
            };
            assert_eq!(out.code(), Some(i32::from(fold(n))), "bash exit {n}");
        }
    }

    proptest! {
        #[test]
        fn every_i64_folds_like_a_shell(n in any::<i64>()) {
            let expected = ((i128::from(n) % 256 + 256) % 256) as u8;
            prop_assert_eq!(fold(n), expected);
            prop_assert_eq!(parse(&n.to_string()).map(|p| p.code), Ok(expected));
        }

        #[test]
        fn decimal_fold_agrees_with_integer_fold(n in any::<i64>()) {
            let digits = n.unsigned_abs().to_string();
            prop_assert_eq!(fold_decimal(n < 0, &digits), fold(n));
        }

        #[test]
        fn huge_decimal_fold_agrees_with_i128(n in any::<i128>()) {
            let expected = n.rem_euclid(256) as u8;
            prop_assert_eq!(parse(&n.to_string()).map(|p| p.code), Ok(expected));
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }
    }
}
