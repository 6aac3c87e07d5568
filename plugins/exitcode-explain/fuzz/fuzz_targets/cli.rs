//! Any argument vector (NUL-separated) for `kubectl exitcode-explain`, parsed exactly as the
//! binary parses it (`CODE`, `--signal NAME|NUMBER`, `pod/NAME`, `-o`, …). A usage error is
//! fine; a panic is not.
#![no_main]

use clap::Parser;
use exitcode_explain::cli::Cli;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let argv = std::iter::once("kubectl-exitcode_explain").chain(text.split('\0'));
    if let Err(err) = Cli::try_parse_from(argv) {
        let _ = err.render().to_string();
    }
});
