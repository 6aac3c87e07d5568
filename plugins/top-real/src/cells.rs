//! Cell text shared by both tables: human units, kubectl's truncated percentages, bars.

use firstaid::output::{Cell, Tone};
use firstaid::quantity;

use crate::resources::percent_truncated;

/// Millicores as kubectl top prints them (`79m`).
pub fn cpu(millis: i64) -> String {
    format!("{millis}m")
}

/// Bytes in binary units (`2357Mi`, `31Gi`).
pub fn bytes(bytes: i64) -> String {
    quantity::format_bytes(bytes as f64)
}

/// kubectl's whole, truncated percent (`109%`), or `-`.
pub fn pct(part: i64, whole: i64) -> String {
    percent_truncated(part, whole).map_or_else(|| "-".to_owned(), |p| format!("{p}%"))
}

/// One decimal, rounded (`59.9%`): the capacity view, where the FAQ quotes a decimal.
pub fn pct1(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |p| format!("{p:.1}%"))
}

/// `1605m (40%)`: an amount and its truncated share of `whole`.
pub fn amount_of(text: String, part: i64, whole: i64) -> String {
    match percent_truncated(part, whole) {
        Some(p) => format!("{text} ({p}%)"),
        None => text,
    }
}

/// Red from 100 %, yellow from 90 %.
pub fn tone(percent: Option<f64>) -> Option<Tone> {
    match percent? {
        p if p >= 100.0 => Some(Tone::Bad),
        p if p >= 90.0 => Some(Tone::Warn),
        _ => None,
    }
}

pub fn toned(text: String, percent: Option<f64>) -> Cell {
    Cell {
        text,
        tone: tone(percent),
    }
}

/// A ten-cell bar for `percent`, full at 100 % (`█████▌    `).
pub fn bar(percent: Option<f64>) -> String {
    let Some(p) = percent else {
        return " ".repeat(10);
    };
    let eighths = ((p.clamp(0.0, 100.0) / 10.0) * 8.0).round() as usize;
    let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let mut out = "█".repeat(eighths / 8);
    out.push_str(partial[eighths % 8]);
    let used = eighths / 8 + usize::from(!eighths.is_multiple_of(8));
    out.push_str(&" ".repeat(10 - used));
    out
}

/// `text` with a bar after it when bars are on.
pub fn with_bar(text: String, percent: Option<f64>, bars: bool) -> Cell {
    let text = if bars {
        format!("{text:>5} {}", bar(percent))
    } else {
        text
    };
    toned(text, percent)
}

/// The WINDOW and AGE cells of a metrics sample (`30s`, `12s ago`), or `-` without one.
pub fn sample_cells(sample: Option<&crate::shape::Sample>) -> [Cell; 2] {
    use crate::shape::short_duration;
    [
        sample
            .and_then(|s| s.window_seconds)
            .map_or_else(|| "-".into(), short_duration)
            .into(),
        sample
            .and_then(|s| s.age_seconds)
            .map_or_else(
                || "-".into(),
                |a| format!("{} ago", firstaid::k8s::time::human_seconds(a)),
            )
            .into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(amount_of(cpu(1605), 1605, 3920), "1605m (40%)");
        assert_eq!(amount_of(cpu(6530), 6530, 3920), "6530m (166%)");
        assert_eq!(
            amount_of(bytes(2625 * 1024 * 1024), 2625, 6035),
            "2625Mi (43%)"
        );
        assert_eq!(pct(2_413_824, 2_213_604), "109%");
        assert_eq!(pct1(Some(59.893)), "59.9%");
        assert_eq!(pct(1, 0), "-");
        assert_eq!(bar(Some(45.0)), "████▌     ");
        assert_eq!(bar(Some(250.0)), "██████████");
        assert_eq!(bar(None).len(), 10);
        assert_eq!(tone(Some(109.0)), Some(Tone::Bad));
        assert_eq!(tone(Some(91.0)), Some(Tone::Warn));
    }
}
