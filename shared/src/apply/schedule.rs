//! Runs a plan's steps: phase by phase, a bounded number in flight, a canary dry run first.

use std::collections::HashSet;

use futures::StreamExt;
use futures::stream::FuturesUnordered;

use super::Applier;
use super::report::{Outcome, Tally};
use crate::backup::Backup;
use crate::plan::{Action, Outline, Step};
use crate::progress::Progress;

impl Applier<'_> {
    /// Runs the steps in order with at most `--concurrency` in flight. A new phase starts only
    /// when the previous one has finished, and not at all if anything in it failed (a later
    /// phase assumes the earlier one worked, e.g. finalize only after the leftovers are gone).
    /// With a canary dry run, the first step of each action type runs alone and dry-run first,
    /// so a rejected request fails once instead of thousands of times. After Ctrl-C nothing new
    /// starts; what is in flight finishes and the rest is counted as not started.
    pub(super) async fn run_steps(
        &self,
        outline: &Outline,
        steps: impl Iterator<Item = Step>,
        backup: Option<&Backup>,
        progress: &Progress,
    ) -> Tally {
        let limit = self.args.concurrency.concurrency.max(1);
        let mut tally = Tally::new(outline.total);
        let mut in_flight = FuturesUnordered::new();
        let mut phase: Option<u8> = None;
        let mut earlier_failed = false;
        let mut canaried: HashSet<(std::mem::Discriminant<Action>, String)> = HashSet::new();
        let launch = |mut step: Step, dry_first: bool| {
            let snapshot = step.snapshot.take();
            async move {
                let outcome = self.run_step(&step, snapshot, backup, dry_first).await;
                progress.inc(1);
                (step, outcome)
            }
        };
        for step in steps {
            if phase.is_some_and(|p| p != step.phase) {
                while let Some((done, outcome)) = in_flight.next().await {
                    tally.add(done, outcome);
                }
                earlier_failed = tally.counts.failed > 0;
            }
            phase = Some(step.phase);
            if earlier_failed || self.cancel.is_cancelled() {
                tally.add(step, Outcome::NotStarted);
                continue;
            }
            let canary = outline.canary_dry_run
                && canaried.insert((
                    std::mem::discriminant(&step.action),
                    step.target.plural.clone(),
                ));
            if canary {
                while let Some((done, outcome)) = in_flight.next().await {
                    tally.add(done, outcome);
                }
                let (done, outcome) = launch(step, true).await;
                tally.add(done, outcome);
                continue;
            }
            while in_flight.len() >= limit {
                if let Some((done, outcome)) = in_flight.next().await {
                    tally.add(done, outcome);
                }
            }
            in_flight.push(launch(step, !outline.canary_dry_run));
        }
        while let Some((done, outcome)) = in_flight.next().await {
            tally.add(done, outcome);
        }
        tally
    }
}
