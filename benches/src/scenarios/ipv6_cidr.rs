//! ipv6-cidr: the arithmetic against sipcalc on the same inputs (per-process time for
//! info/plan/check; subnets streamed to /dev/null for split), and `cluster` over N dual-stack nodes
//! with podCIDRs against the kubectl reads a person would otherwise run and eyeball.
//!
//! Seeds N Nodes with `spec.podCIDRs` = [10.{128+i/256}.{i%256}.0/24, fd00:10:244:{i:x}::/64]
//! (N ≤ 32768; nothing connects to these addresses: they are allocation data only).

use std::process::Command;

use serde_json::json;

use crate::harness::{Bench, Scenario};

pub const SCENARIO: Scenario = Scenario {
    name: "ipv6-cidr",
    about: "ipv6-cidr info/plan/check/split vs sipcalc; cluster over N nodes vs kubectl get",
    run,
};

/// Subnets `split` and sipcalc each print in the streaming comparison (2^22).
const SPLIT_PARENT: &str = "fd00::/90";
const SPLIT_INTO: &str = "112";

fn sipcalc(args: &[&str]) -> Command {
    let mut c = Command::new("sipcalc");
    c.args(args);
    c
}

fn run(b: &mut Bench) -> anyhow::Result<()> {
    anyhow::ensure!(
        which_sipcalc(),
        "sipcalc is not installed (apt-get install sipcalc)"
    );
    anyhow::ensure!(
        b.objects <= 32768,
        "at most 32768 nodes (one /24 each in 10.128.0.0/9)"
    );

    let info = b.measure("kubectl-ipv6_cidr info fc00::/115", || {
        b.plugin("ipv6-cidr", &["info", "fc00::/115"])
    })?;
    let base = b.measure("sipcalc fc00::/115", || sipcalc(&["fc00::/115"]))?;
    b.ratio(&info, &base);
    let plan = b.measure(
        "kubectl-ipv6_cidr plan --addresses 8192 --profile cce",
        || {
            b.plugin(
                "ipv6-cidr",
                &["plan", "--addresses", "8192", "--profile", "cce"],
            )
        },
    )?;
    b.ratio(&plan, &base);
    let check = b.measure("kubectl-ipv6_cidr check fc00::/112 --profile cce", || {
        b.plugin("ipv6-cidr", &["check", "fc00::/112", "--profile", "cce"])
    })?;
    b.ratio(&check, &base);

    let split = b.measure(
        &format!("kubectl-ipv6_cidr split {SPLIT_PARENT} --into /{SPLIT_INTO} (4,194,304 lines)"),
        || b.plugin("ipv6-cidr", &["split", SPLIT_PARENT, "--into", SPLIT_INTO]),
    )?;
    let sip_split = b.measure(&format!("sipcalc {SPLIT_PARENT} -S {SPLIT_INTO}"), || {
        sipcalc(&[SPLIT_PARENT, "-S", SPLIT_INTO])
    })?;
    b.ratio(&split, &sip_split);
    println!(
        "  split: {:.1} M subnets/s (sipcalc {:.1} M/s)",
        4_194_304.0 / split.median.as_secs_f64() / 1e6,
        4_194_304.0 / sip_split.median.as_secs_f64() / 1e6
    );

    b.seed(b.objects, |i| {
        json!({
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": format!("bench-node-{i:06}")},
            "spec": {
                "podCIDR": format!("10.{}.{}.0/24", 128 + i / 256, i % 256),
                "podCIDRs": [format!("10.{}.{}.0/24", 128 + i / 256, i % 256), format!("fd00:10:244:{i:x}::/64")],
            },
        })
    })?;
    let ours = b.measure("kubectl-ipv6_cidr cluster -o json", || {
        b.plugin("ipv6-cidr", &["cluster", "-o", "json"])
    })?;
    let nodes = b.measure("kubectl get nodes -o jsonpath={..podCIDRs}", || {
        b.kubectl(&["get", "nodes", "-o", "jsonpath={..podCIDRs}"])
    })?;
    b.ratio(&ours, &nodes);
    Ok(())
}

fn which_sipcalc() -> bool {
    Command::new("sipcalc")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success())
}
