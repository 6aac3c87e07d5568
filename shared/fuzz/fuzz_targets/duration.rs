//! Any text as `--older-than` / `--not-ready-for` / `--wait`: no panic, and every duration the
//! parser accepts can be used the ways the plugins use it — added to "now" (a deadline),
//! subtracted from a timestamp (an age cut-off), converted to whole seconds and printed as an age.
#![no_main]

use std::time::Instant;

use firstaid::args::parse_duration;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(duration) = parse_duration(text) else {
        return;
    };
    assert!(
        Instant::now().checked_add(duration).is_some(),
        "{text:?} ({duration:?}) overflows a deadline"
    );
    let delta = firstaid::k8s_openapi::jiff::SignedDuration::try_from(duration)
        .unwrap_or_else(|_| panic!("{text:?} ({duration:?}) is not a signed duration"));
    assert!(
        firstaid::k8s::time::now().checked_sub(delta).is_ok(),
        "{text:?} ({duration:?}) overflows an age cut-off"
    );
    assert!(i64::try_from(duration.as_secs()).is_ok());
    let _ = firstaid::k8s::time::human_duration(duration);
});
