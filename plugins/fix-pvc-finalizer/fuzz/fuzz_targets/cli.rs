//! Any argument vector (NUL-separated) for `kubectl fix-pvc-finalizer`, parsed exactly as the binary parses
//! it: every flag's value parser (durations, `-o`, `--dry-run`, `--concurrency`, names) sees
//! arbitrary text. A usage error is fine; a panic is not.
#![no_main]

use clap::Parser;
use libfuzzer_sys::fuzz_target;
use fix_pvc_finalizer::cli::Cli;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let argv = std::iter::once("kubectl-fix_pvc_finalizer").chain(text.split('\0'));
    if let Err(err) = Cli::try_parse_from(argv) {
        let _ = err.render().to_string();
    }
});
