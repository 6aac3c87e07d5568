//! Any argument vector (NUL-separated) through the flags every plugin shares — kubectl's
//! connection flags (`--request-timeout`, `-n`, `--as`, …), `-o/--output`, `--dry-run`, `-y`,
//! `--backup-dir`, `--concurrency`, `-A` — exactly as clap parses them for a plugin: an error
//! is fine, a panic is not, and accepted values are in their documented ranges.
#![no_main]

use clap::Parser;
use firstaid::{AllNamespacesArg, KubeArgs, MutationArgs, OutputArgs};
use libfuzzer_sys::fuzz_target;

#[derive(Parser, Debug)]
#[command(name = "kubectl-fuzz")]
struct Cli {
    names: Vec<String>,
    #[command(flatten)]
    kube: KubeArgs,
    #[command(flatten)]
    all: AllNamespacesArg,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    mutation: MutationArgs,
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let argv = std::iter::once("kubectl-fuzz").chain(text.split('\0'));
    let Ok(cli) = Cli::try_parse_from(argv) else {
        return;
    };
    let concurrency = cli.mutation.concurrency.concurrency;
    assert!((1..=1024).contains(&concurrency), "{concurrency}");
    if let Some(timeout) = cli.kube.request_timeout.0 {
        assert!(!timeout.is_zero());
        assert!(std::time::Instant::now().checked_add(timeout).is_some());
    }
});
