//! Any text as a `kind/name` argument (`pv/NAME`, `pod/NAME`, a bare `NAME`): no panic, and what
//! it accepts is a valid object name that prints back as the same reference.
#![no_main]

use firstaid::args::ObjectArg;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(arg) = text.parse::<ObjectArg>() else {
        return;
    };
    assert!(!arg.name.is_empty() && arg.name.len() <= 253, "{text:?}");
    assert!(!arg.name.contains('/'), "{text:?}");
    let printed = match &arg.kind {
        Some(kind) => {
            assert!(!kind.is_empty());
            assert_eq!(kind, &kind.to_lowercase());
            format!("{kind}/{}", arg.name)
        }
        None => arg.name.clone(),
    };
    let again: ObjectArg = printed.parse().expect("a parsed reference parses again");
    assert_eq!(again, arg);
    let _ = arg.kind_is(&["pv", "persistentvolume", "persistentvolumes"]);
});
