//! `kubectl top-real`: real resource usage against capacity *and* allocatable, with the requests
//! and limits the scheduler has promised, in one fast command (the FAQs on
//! `kubectl top` above 100 %, unschedulable pods and an unavailable metrics API).
//!
//! Read-only. Shape: [`cli`] parses; `fetch` reads (three concurrent lists; pods as protobuf
//! through the shared reader, `firstaid::read`, projected by `wire`); `nodes`/`pods` diagnose (pure, over fetched objects); `resources` is the
//! arithmetic; `*_view` render; `nodes_run`/`pods_run` are the two views as read-only commands of
//! the shared driver.
//!
//! # Performance
//!
//! `scripts/bench top-real --objects 30000` (1,000 nodes, 30,000 pods, release build, loopback,
//! two cores, nothing else running but niced builds). Pods are read as protobuf into slim structs
//! that skip everything but the scheduler's inputs (`wire`), and pages are pipelined: the next
//! page is requested as soon as the current one's `continue` token is decoded, while its items are
//! decoded on a blocking thread and folded into per-node sums (never more than two pages held).
//!
//! Result (2026-11-24, three bench runs of 7, 5 and 5 timed runs, medians):
//!
//! | run | `top-real` | `-o json` | `kubectl top node` | floor: one list | floor: rv=0 | rv=0 JSON |
//! |---|---|---|---|---|---|---|
//! | 1 | 1.32 s | 1.20 s | 0.14 s | – | – | – |
//! | 2 | 1.23 s | 1.35 s | 0.14 s | 1.00 s | 0.84 s | 2.01 s |
//! | 3 | 1.34 s | 1.48 s | 0.26 s | 1.28 s | 1.11 s | 2.28 s |
//!
//! Peak RSS 33–34 MiB. The `floor:` columns time, in the same run, the server alone sending
//! those 30,000 pods to curl with nothing decoded (one consistent protobuf list;
//! `resourceVersion=0` from the watch cache as protobuf and as JSON). top-real finishes within
//! 1.05–1.25x of that floor, under the 2 s target; parity with `kubectl top node` (which reads
//! 1,000 NodeMetrics and no pods) is out of reach for anything that has to read the pods the
//! requests come from, since the server needs 4–7x `kubectl top node`'s whole time just to send
//! them. (On the same machine under load 9–12 the day before: 8.7 s against a 12.7 s no-decode
//! walk.)

pub mod cli;

mod cells;
mod fetch;
mod kinds;
mod metrics;
mod nodes;
mod nodes_run;
mod nodes_view;
mod other;
mod pods;
mod pods_run;
mod pods_view;
mod resources;
mod shape;
mod sort;
mod wire;

use firstaid::driver::{Context, drive};
use firstaid::{Cancel, Exit, MutationArgs, Printer, Result};

use crate::cli::{Cli, View};
use crate::metrics::MetricsInfo;

pub async fn run(cli: Cli) -> Result<Exit> {
    let view = cli.view()?;
    let kube = cli.kube.connect().await?;
    let mut printer = Printer::stdio(cli.output);
    // No Ctrl-C handler: nothing here needs to stop cleanly, so the signal ends the read at once.
    let cancel = Cancel::default();
    let read_only = MutationArgs::default();
    let ctx = Context {
        kube: &kube,
        mutation: &read_only,
        plugin: "top-real",
        cancel: &cancel,
        fixing: false,
        exit_code: firstaid::ExitCodeArg::default(),
    };
    match view {
        View::Nodes(names) => {
            drive(&nodes_run::Nodes { cli: &cli, names }, &ctx, &mut printer).await
        }
        View::Pods(names) => drive(&pods_run::Pods { cli: &cli, names }, &ctx, &mut printer).await,
    }
}

/// The metrics, or none and why (the usage columns then say `-`).
fn split<T>(metrics: fetch::Metrics<T>) -> (Vec<T>, MetricsInfo) {
    match metrics {
        Ok(items) => (items, MetricsInfo::available()),
        Err(info) => (Vec::new(), info),
    }
}
