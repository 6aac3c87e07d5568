//! `kubectl evicted-clean` (issue 5): N evicted pods across 50 namespaces plus N running pods;
//! `--fix` against the FAQ's per-namespace `get | grep Evicted | awk | xargs kubectl delete`
//! pipeline and a bare concurrent DELETE loop, in the same run; then peak RSS with 10×N evicted
//! pods listed.
//!
//! The deletes are destructive (every timed run needs freshly seeded pods) and the baselines are
//! shell pipelines, so the scenario drives `scripts/bench-evicted-clean` on this scenario's
//! cluster, which seeds, times and prints medians, ratios and peak RSS itself.

use std::process::Command;

use anyhow::bail;

use crate::harness::{Bench, Scenario};

pub const SCENARIO: Scenario = Scenario {
    name: "evicted-clean",
    about: "evicted-clean -A --fix vs the FAQ pipeline per namespace vs a bare DELETE loop",
    run,
};

fn run(b: &mut Bench) -> anyhow::Result<()> {
    let plugin = b.plugin("evicted-clean", &[]);
    let script = firstaid_e2e::workspace_root().join("scripts/bench-evicted-clean");
    let status = Command::new("bash")
        .arg(script)
        .env("CLUSTER_DIR", b.cluster.dir())
        .env("PLUGIN", plugin.get_program())
        .env("EVICTED", b.objects.to_string())
        .env("RUNNING", b.objects.to_string())
        .env("LISTED", (b.objects * 10).to_string())
        .env("RUNS", b.runs.to_string())
        .status()?;
    if !status.success() {
        bail!("scripts/bench-evicted-clean failed ({status})");
    }
    b.no_peers("kubectl-reap (Go) is not served by the Go module proxy here, so it has no row");
    Ok(())
}
