//! Any text as a resource quantity (`--memory`, and every request/limit/usage the server sends):
//! no parser panics, the exact and the floating-point readings agree wherever both accept the
//! text, and the sums and percentages the plugins compute from parsed values never overflow.
#![no_main]

use firstaid::quantity;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let float = quantity::parse(text).ok();
    let milli = quantity::milli_value(text).ok();
    let whole = quantity::value(text).ok();
    if let Some(v) = float {
        assert!(v.is_finite(), "{text:?} parsed to {v}");
        let _ = quantity::format_bytes(v);
        let _ = quantity::format_cpu(v);
    }
    // Both readings round up to whole units; they may differ only by float rounding.
    if let (Some(f), Some(exact)) = (float, whole)
        && f.abs() < 1e15
    {
        let diff = (exact as f64 - f).abs();
        assert!(
            diff <= 1.0 + f.abs() * 1e-9,
            "{text:?}: value() = {exact}, parse() = {f}"
        );
    }
    // milli_value is value × 1000 (each rounded up on its own, so within one unit).
    if let (Some(m), Some(w)) = (milli, whole)
        && let Some(w_milli) = w.checked_mul(1000)
    {
        assert!(
            (m - w_milli).abs() <= 1000,
            "{text:?}: milli_value() = {m}, value() = {w}"
        );
    }
    // The arithmetic the plugins do on parsed values: sums of many and percentages.
    if let Some(m) = milli {
        let total = (0..4).fold(0i64, |acc, _| acc.saturating_add(m));
        let _ = quantity::format_cpu(total as f64 / 1000.0);
        for whole in [1, 1000, m, i64::MAX] {
            if whole > 0 {
                let _ = i128::from(total) * 100 / i128::from(whole);
            }
        }
    }
});
