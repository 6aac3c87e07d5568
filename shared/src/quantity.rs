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

    proptest::proptest! {
        #[test]
        fn never_panics(s in ".{0,20}") {
            let _ = parse(&s);
        }
    }
}
