//! Any text: the signal parser never panics, and every signal it returns round-trips through
//! its own name.
#![no_main]

use exitcode_explain::signals;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(signal) = signals::parse(text) {
        assert!((1..=64).contains(&signal.number));
        let again = signals::parse(&signal.name).expect("a signal's own name parses");
        assert_eq!(again.number, signal.number);
    }
});
