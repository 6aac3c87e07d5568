//! Any argument vector (NUL-separated) for `kubectl top-real`, parsed exactly as the binary
//! parses it, then checked the way `run` checks it before connecting (`RESOURCE [NAME]...`,
//! `--sort-by` column names, `-o` values, flags that do not fit the view). A usage error is
//! fine; a panic is not.
#![no_main]

use clap::Parser;
use libfuzzer_sys::fuzz_target;
use top_real::cli::Cli;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let argv = std::iter::once("kubectl-top_real").chain(text.split('\0'));
    match Cli::try_parse_from(argv) {
        Ok(cli) => {
            if let Err(err) = cli.view() {
                assert!(!err.to_string().is_empty());
            }
        }
        Err(err) => {
            let _ = err.render().to_string();
        }
    }
});
