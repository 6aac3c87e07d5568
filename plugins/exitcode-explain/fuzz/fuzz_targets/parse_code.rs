//! Any text: the exit-code parser never panics, and whatever it accepts as a decimal folds the
//! way the kernel does (checked against i128 arithmetic where the value fits).
#![no_main]

use exitcode_explain::code::{self, Raw};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = code::parse(text) else {
        return;
    };
    match &parsed.raw {
        Raw::Decimal(n) => assert_eq!(parsed.code, code::fold(*n)),
        Raw::HugeDecimal(s) => {
            if let Ok(n) = s.parse::<i128>() {
                assert_eq!(i128::from(parsed.code), n.rem_euclid(256));
            }
        }
        Raw::Hex(v) => assert_eq!(u64::from(parsed.code), v % 256),
    }
    // The explanation of anything accepted renders without panicking.
    let _ = exitcode_explain::explain::explain(text, &parsed);
});
