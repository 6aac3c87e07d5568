//! Any argument vector (NUL-separated) for `kubectl ipv6-cidr`, parsed exactly as the binary
//! parses it: CIDR lists, `--into /PREFIX`, `--count N|2^K`, `--offset`/`--limit` (u128),
//! `--k8s-version X.Y`, `--profile NAME`, mask sizes. A usage error is fine; a panic is not.
#![no_main]

use clap::Parser;
use ipv6_cidr::cli::Cli;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let argv = std::iter::once("kubectl-ipv6_cidr").chain(text.split('\0'));
    if let Err(err) = Cli::try_parse_from(argv) {
        let _ = err.render().to_string();
    }
});
