//! `firstaid-bench`: times firstaid commands against a baseline command on a private test cluster
//! seeded with many objects. Run it through `scripts/bench`, which builds the plugins in release
//! mode and installs GNU time (for peak RSS) first.
//!
//! # Adding a scenario
//!
//! 1. Write `src/scenarios/<name>.rs` (copy `get_configmaps.rs`):
//!    ```ignore
//!    use crate::harness::{Bench, Scenario};
//!    pub const SCENARIO: Scenario = Scenario { name: "my-plugin", about: "what it compares", run };
//!    fn run(b: &mut Bench) -> anyhow::Result<()> {
//!        let ns = b.cluster.create_namespace("bench");
//!        b.seed(b.objects, |i| serde_json::json!({ /* object i, may carry a status */ }))?;
//!        let ours = b.measure("kubectl-my_plugin ...", || b.plugin("my-plugin", &[/* args */]))?;
//!        let base = b.measure("kubectl ...", || b.kubectl(&[/* args */]))?;
//!        b.ratio(&ours, &base);
//!        Ok(())
//!    }
//!    ```
//! 2. Add `mod <name>;` and `<name>::SCENARIO` to `src/scenarios/mod.rs`.
//!
//! Each scenario gets its own fresh cluster (controller manager on, high inflight limits), so
//! scenarios never see each other's objects. Measure plugins with `b.plugin` (the binary itself,
//! so its peak RSS is its own, not kubectl's) and baselines with `b.kubectl`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod harness;
mod scenarios;

use clap::Parser;

/// Times firstaid commands against baselines on a seeded private test cluster.
#[derive(Parser, Debug)]
#[command(name = "firstaid-bench")]
struct Args {
    /// Scenarios to run (default: all).
    scenarios: Vec<String>,
    /// Objects each scenario seeds (its main population; scenarios document what they seed).
    #[arg(long, short = 'n', default_value_t = 1000)]
    objects: usize,
    /// Timed runs of each command (after one untimed warm-up run); the median is reported.
    #[arg(long, short = 'r', default_value_t = 5)]
    runs: usize,
    /// Concurrent API requests while seeding.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// List the scenarios and exit.
    #[arg(long)]
    list: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let all = scenarios::ALL;
    if args.list {
        for s in all {
            println!("{:<20} {}", s.name, s.about);
        }
        return Ok(());
    }
    let chosen: Vec<_> = if args.scenarios.is_empty() {
        all.iter().collect()
    } else {
        args.scenarios
            .iter()
            .map(|name| {
                all.iter()
                    .find(|s| s.name == name)
                    .ok_or_else(|| anyhow::anyhow!("no scenario {name:?} (see --list)"))
            })
            .collect::<anyhow::Result<_>>()?
    };
    anyhow::ensure!(args.runs > 0, "--runs must be at least 1");
    for scenario in chosen {
        println!(
            "\n## {} ({} objects, {} runs): {}",
            scenario.name, args.objects, args.runs, scenario.about
        );
        let mut bench = harness::Bench::new(args.objects, args.runs, args.concurrency)?;
        (scenario.run)(&mut bench)?;
        bench.print_cluster_memory();
    }
    Ok(())
}
