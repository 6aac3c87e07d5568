//! Kubernetes resource quantities (`100m`, `2413824Ki`, `1.5Gi`, `2e3`) as numbers, and back to
//! the short human forms kubectl prints (`1605m`, `2357Mi`).

use crate::error::{Error, Result};

/// The value of a quantity in base units (cores for CPU, bytes for memory).
pub fn parse(text: &str) -> Result<f64> {
    let text = text.trim();
    let invalid = || {
        Error::Usage(format!(
            "invalid quantity {text:?}: expected a number with an optional suffix like m, Ki, Mi, G"
        ))
    };
    if text.is_empty() {
        return Err(invalid());
    }
    let split = text
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    // A trailing exponent (`1e3`) is part of the number; `E` alone is exa.
    let (number, suffix) = if suffix.is_empty()
        && (number.ends_with('E') || number.ends_with('e'))
        && number.len() > 1
    {
        number.split_at(number.len() - 1)
    } else {
        (number, suffix)
    };
    let value: f64 = number.parse().map_err(|_| invalid())?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" | "e" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return Err(invalid()),
    };
    let result = value * factor;
    if result.is_finite() {
        Ok(result)
    } else {
        Err(invalid())
    }
}

/// CPU in millicores, as `kubectl top` prints it (`1605m`).
pub fn format_cpu(cores: f64) -> String {
    format!("{}m", (cores * 1000.0).round() as i64)
}

/// Memory in the largest binary unit that keeps at least one whole unit (`2357Mi`, `3Gi`).
pub fn format_bytes(bytes: f64) -> String {
    const UNITS: [(&str, f64); 5] = [
        ("Ti", 1_099_511_627_776.0),
        ("Gi", 1_073_741_824.0),
        ("Mi", 1_048_576.0),
        ("Ki", 1024.0),
        ("", 1.0),
    ];
    for (unit, size) in UNITS {
        if bytes.abs() >= size * 10.0 || unit.is_empty() {
            return format!("{}{unit}", (bytes / size).round() as i64);
        }
    }
    format!("{bytes}")
}

/// The quantity in thousandths of its unit, rounded up: millicores for CPU (`78528126n` → 79,
/// `1.5` → 1500), exactly as Kubernetes' `Quantity.MilliValue()` computes it.
///
/// Unlike [`parse`], this is exact integer arithmetic, so sums and percentages over thousands of
/// pods do not drift (`0.1` is 100, never 100.00000000000001 rounded up to 101).
pub fn milli_value(text: &str) -> Result<i64> {
    scaled(text, 3)
}

/// The quantity in whole units, rounded up: bytes for memory (`2413824Ki` → 2471755776), as
/// Kubernetes' `Quantity.Value()` computes it.
pub fn value(text: &str) -> Result<i64> {
    scaled(text, 0)
}

/// `text × 10^out_exp`, rounded towards positive infinity, in exact integer arithmetic.
fn scaled(text: &str, out_exp: i32) -> Result<i64> {
    let invalid = || {
        Error::Usage(format!(
            "invalid quantity {text:?}: expected a number with an optional suffix like m, Ki, Mi, G"
        ))
    };
    let trimmed = text.trim();
    let (negative, rest) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let number_len = rest
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(number_len);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return Err(invalid());
    }
    // Leading zeros carry no information and would only eat into the i128's 38 digits.
    let digits = format!("{whole}{fraction}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > 30 {
        return Err(invalid());
    }
    let mantissa: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| invalid())?
    };
    let (binary_exp, decimal_exp): (u32, i32) = match suffix {
        "" => (0, 0),
        "n" => (0, -9),
        "u" => (0, -6),
        "m" => (0, -3),
        "k" => (0, 3),
        "M" => (0, 6),
        "G" => (0, 9),
        "T" => (0, 12),
        "P" => (0, 15),
        "E" => (0, 18),
        "Ki" => (10, 0),
        "Mi" => (20, 0),
        "Gi" => (30, 0),
        "Ti" => (40, 0),
        "Pi" => (50, 0),
        "Ei" => (60, 0),
        exponent => {
            let digits = exponent
                .strip_prefix('e')
                .or_else(|| exponent.strip_prefix('E'))
                .ok_or_else(invalid)?;
            let exp: i32 = digits.parse().map_err(|_| invalid())?;
            if !(-60..=60).contains(&exp) {
                return Err(invalid());
            }
            (0, exp)
        }
    };
    let exp10 = decimal_exp - fraction.len() as i32 + out_exp;
    let too_big = || Error::Usage(format!("quantity {text:?} is too large"));
    let numerator = mantissa
        .checked_mul(1i128 << binary_exp)
        .ok_or_else(too_big)?;
    let magnitude = if exp10 >= 0 {
        10i128
            .checked_pow(exp10.unsigned_abs())
            .and_then(|f| numerator.checked_mul(f))
            .ok_or_else(too_big)?
    } else {
        match 10i128.checked_pow(exp10.unsigned_abs()) {
            // Rounding up: any non-zero remainder makes the next whole unit.
            Some(denominator) => {
                numerator.div_euclid(denominator)
                    + i128::from(numerator.rem_euclid(denominator) != 0)
            }
            None => i128::from(numerator != 0),
        }
    };
    // Negative quantities round towards zero, which is "up" for them.
    let signed = if negative {
        let truncated = if exp10 >= 0 {
            magnitude
        } else {
            match 10i128.checked_pow(exp10.unsigned_abs()) {
                Some(denominator) => numerator / denominator,
                None => 0,
            }
        };
        -truncated
    } else {
        magnitude
    };
    i64::try_from(signed).map_err(|_| too_big())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::float_cmp)] // the values are exact in binary floating point
    fn parses_kubernetes_forms() {
        assert!((parse("100m").expect("q") - 0.1).abs() < 1e-12);
        assert_eq!(parse("2413824Ki").expect("q"), 2_471_755_776.0);
        assert_eq!(parse("1.5Gi").expect("q"), 1_610_612_736.0);
        assert_eq!(parse("2e3").expect("q"), 2000.0);
        assert_eq!(parse("4").expect("q"), 4.0);
        assert_eq!(parse("1E").expect("q"), 1e18);
        for bad in ["", "abc", "1Qi", "--1", "1.2.3"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_like_kubectl_top() {
        assert_eq!(format_cpu(1.605), "1605m");
        assert_eq!(format_bytes(2_413_824.0 * 1024.0), "2357Mi");
        assert_eq!(format_bytes(512.0), "512");
    }

    #[test]
    fn exact_values_round_up_like_kubernetes() {
        // The FAQ's `kubectl top` example: 78528126n is 78.5m, which kubectl top shows as 79m (MilliValue rounds up).
        assert_eq!(milli_value("78528126n").expect("q"), 79);
        assert_eq!(milli_value("1960m").expect("q"), 1960);
        assert_eq!(milli_value("2").expect("q"), 2000);
        assert_eq!(milli_value("0.1").expect("q"), 100);
        assert_eq!(milli_value("1.605").expect("q"), 1605);
        assert_eq!(milli_value("100u").expect("q"), 1);
        assert_eq!(milli_value("0").expect("q"), 0);
        assert_eq!(milli_value("1e-3").expect("q"), 1);
        assert_eq!(milli_value("2e3").expect("q"), 2_000_000);
        assert_eq!(value("2413824Ki").expect("q"), 2_471_755_776);
        assert_eq!(value("4030180Ki").expect("q"), 4_126_904_320);
        assert_eq!(value("2625Mi").expect("q"), 2_752_512_000);
        assert_eq!(value("1.5Gi").expect("q"), 1_610_612_736);
        assert_eq!(value("47265634636").expect("q"), 47_265_634_636);
        assert_eq!(value("1E").expect("q"), 1_000_000_000_000_000_000);
        assert_eq!(value("1E3").expect("q"), 1000);
        assert_eq!(value("500m").expect("q"), 1);
        assert_eq!(value("-500m").expect("q"), 0);
        assert_eq!(value("-2Ki").expect("q"), -2048);
        assert_eq!(value("+5").expect("q"), 5);
        assert!(value("1e-70").is_err());
        for bad in [
            "", "abc", "1Qi", "--1", "1.2.3", ".", "Ki", "1e", "1 Ki", "100Ei",
        ] {
            assert!(value(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in ".{0,20}") {
            let _ = parse(&s);
            let _ = milli_value(&s);
        }

        #[test]
        fn exact_matches_float_for_plain_numbers(n in 0u32..1_000_000, frac in 0u32..1000) {
            let text = format!("{n}.{frac:03}");
            let expected = i64::from(n) * 1000 + i64::from(frac);
            proptest::prop_assert_eq!(milli_value(&text).expect("q"), expected);
        }
    }
}
