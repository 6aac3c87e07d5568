//! What a run did, step by step and in counts, and the exit code that follows from it.

use std::path::PathBuf;

use serde::Serialize;

use super::args::DryRun;
use crate::error::{Error, Result};
use crate::output::{Cell, Column, Table, Tone};
use crate::plan::Step;

/// Above this many steps the report lists counts and failures, not every object.
const SUMMARY_ONLY_ABOVE: usize = 50;

/// What happened to one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum Outcome {
    /// `--dry-run=client`: nothing sent.
    Planned,
    /// `--dry-run=server`: the server accepted the request; nothing persisted.
    DryRun,
    Applied,
    /// Nothing to do any more (object gone, finalizer already removed).
    AlreadyDone {
        detail: String,
    },
    /// Left alone on purpose (object recreated, guard said the step no longer applies).
    Skipped {
        reason: String,
    },
    Failed {
        error: String,
    },
    /// A concurrent writer kept changing the object through every re-read and re-check; nothing
    /// was overwritten.
    Conflict {
        error: String,
    },
    /// Never started (Ctrl-C, or an earlier phase failed).
    NotStarted,
}

impl Outcome {
    fn label(&self) -> (String, Tone) {
        match self {
            Outcome::Planned => ("planned".into(), Tone::Dim),
            Outcome::DryRun => ("ok (server dry run)".into(), Tone::Good),
            Outcome::Applied => ("done".into(), Tone::Good),
            Outcome::AlreadyDone { detail } => (format!("already done: {detail}"), Tone::Good),
            Outcome::Skipped { reason } => (format!("skipped: {reason}"), Tone::Warn),
            Outcome::Failed { error } | Outcome::Conflict { error } => {
                (format!("failed: {error}"), Tone::Bad)
            }
            Outcome::NotStarted => ("not started".into(), Tone::Warn),
        }
    }

    /// The step's goal holds (or would hold, for dry runs).
    pub fn succeeded(&self) -> bool {
        matches!(
            self,
            Outcome::Planned | Outcome::DryRun | Outcome::Applied | Outcome::AlreadyDone { .. }
        )
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepResult {
    #[serde(flatten)]
    pub step: Step,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub applied: usize,
    pub already_done: usize,
    pub skipped: usize,
    /// Includes the `conflicted` ones.
    pub failed: usize,
    /// Failed because a concurrent writer kept changing the object.
    #[serde(skip_serializing_if = "is_zero")]
    pub conflicted: usize,
    pub not_started: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub dry_run: DryRun,
    /// Every step, for plans up to [`RESULTS_FOR_EVERY_STEP_UP_TO`] steps; above, only the
    /// steps that did not succeed (`counts` has all of them, `succeededNotListed` how many were
    /// left out).
    pub results: Vec<StepResult>,
    #[serde(skip_serializing_if = "is_zero")]
    pub succeeded_not_listed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_dir: Option<PathBuf>,
    pub interrupted: bool,
    pub counts: Counts,
    /// The digest of the plan this run carried out (see `--confirm-plan`); absent for an empty plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_digest: Option<String>,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Above this many steps a report keeps only the results that need attention: 50,000 successful
/// deletes are a count, not 50,000 entries in memory.
pub const RESULTS_FOR_EVERY_STEP_UP_TO: usize = 1000;

/// Collects outcomes into a [`Report`] as they arrive.
#[derive(Debug)]
pub(super) struct Tally {
    keep_every_result: bool,
    results: Vec<StepResult>,
    succeeded_not_listed: usize,
    pub(super) counts: Counts,
}

impl Tally {
    pub(super) fn new(total: usize) -> Self {
        Tally {
            keep_every_result: total <= RESULTS_FOR_EVERY_STEP_UP_TO,
            results: Vec::new(),
            succeeded_not_listed: 0,
            counts: Counts::default(),
        }
    }

    pub(super) fn add(&mut self, mut step: Step, outcome: Outcome) {
        match outcome {
            Outcome::Planned | Outcome::DryRun | Outcome::Applied => self.counts.applied += 1,
            Outcome::AlreadyDone { .. } => self.counts.already_done += 1,
            Outcome::Skipped { .. } => self.counts.skipped += 1,
            Outcome::Failed { .. } => self.counts.failed += 1,
            Outcome::Conflict { .. } => {
                self.counts.failed += 1;
                self.counts.conflicted += 1;
            }
            Outcome::NotStarted => self.counts.not_started += 1,
        }
        if self.keep_every_result || !outcome.succeeded() {
            step.snapshot = None;
            self.results.push(StepResult { step, outcome });
        } else {
            self.succeeded_not_listed += 1;
        }
    }

    pub(super) fn into_report(
        self,
        dry_run: DryRun,
        backup_dir: Option<PathBuf>,
        interrupted: bool,
    ) -> Report {
        Report {
            dry_run,
            results: self.results,
            succeeded_not_listed: self.succeeded_not_listed,
            backup_dir,
            interrupted,
            counts: self.counts,
            plan_digest: None,
        }
    }
}

impl Report {
    #[must_use]
    pub(super) fn with_digest(mut self, digest: String) -> Self {
        self.plan_digest = Some(digest);
        self
    }

    /// Steps the report covers (listed or counted).
    pub fn total(&self) -> usize {
        let c = &self.counts;
        c.applied + c.already_done + c.skipped + c.failed + c.not_started
    }

    pub fn all_succeeded(&self) -> bool {
        self.results.iter().all(|r| r.outcome.succeeded())
    }

    /// `Ok` when every step reached its goal; otherwise the error whose exit code fits.
    pub fn into_result(&self) -> Result<()> {
        if self.interrupted {
            return Err(Error::Interrupted(format!(
                "{} of {} steps done",
                self.counts.applied + self.counts.already_done,
                self.total()
            )));
        }
        if self.all_succeeded() {
            return Ok(());
        }
        let c = &self.counts;
        if c.conflicted > 0 && c.failed == c.conflicted && c.skipped == 0 {
            return Err(Error::Conflict(format!(
                "{} step(s) kept conflicting with a concurrent writer (nothing was overwritten), {} not started; {} done — rerun to re-plan",
                c.conflicted,
                c.not_started,
                c.applied + c.already_done
            )));
        }
        Err(Error::Partial(format!(
            "{} step(s) failed, {} skipped, {} not started; {} done (see the report above)",
            c.failed,
            c.skipped,
            c.not_started,
            c.applied + c.already_done
        )))
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new(vec![
            Column::new("object"),
            Column::new("action"),
            Column::new("result").shrink(),
        ]);
        let summary_only = self.total() > SUMMARY_ONLY_ABOVE;
        for r in &self.results {
            if summary_only && r.outcome.succeeded() {
                continue;
            }
            let (label, tone) = r.outcome.label();
            let object = match &r.step.target.namespace {
                Some(ns) => format!("{ns}/{}", r.step.target.display()),
                None => r.step.target.display(),
            };
            table.push(
                r.step.target.display(),
                vec![
                    object.into(),
                    r.step.action.describe().into(),
                    Cell::toned(label, tone),
                ],
            );
        }
        table
    }

    /// One line: `12 done, 1 already done, 0 failed`.
    pub fn summary(&self) -> String {
        let c = &self.counts;
        let done = match self.dry_run {
            DryRun::None => "done",
            DryRun::Client => "planned",
            DryRun::Server => "accepted by server dry run",
        };
        let mut parts = vec![format!("{} {done}", c.applied)];
        for (n, what) in [
            (c.already_done, "already done"),
            (c.skipped, "skipped"),
            (c.failed, "failed"),
            (c.not_started, "not started"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{delete, pod_target};
    use serde_json::json;

    #[test]
    fn bulk_reports_count_successes_and_list_the_rest() {
        let step = |n: usize| {
            delete(pod_target(&format!("p{n}"))).listed(json!({"metadata": {"uid": "u"}}))
        };
        let total = RESULTS_FOR_EVERY_STEP_UP_TO + 1;
        let mut tally = Tally::new(total);
        for n in 0..total - 2 {
            tally.add(step(n), Outcome::Applied);
        }
        tally.add(
            step(total - 2),
            Outcome::Failed {
                error: "boom".into(),
            },
        );
        tally.add(step(total - 1), Outcome::NotStarted);
        let report = tally.into_report(DryRun::None, None, true);
        assert_eq!(report.total(), total);
        assert_eq!(report.counts.applied, total - 2);
        assert_eq!(report.succeeded_not_listed, total - 2);
        assert_eq!(report.results.len(), 2);
        assert!(report.results.iter().all(|r| r.step.snapshot.is_none()));
        let err = report.into_result().expect_err("interrupted");
        assert_eq!(err.exit(), crate::exit::Exit::Interrupted);
        assert!(
            err.to_string().contains(&format!("of {total} steps")),
            "{err}"
        );

        let mut small = Tally::new(2);
        small.add(step(0), Outcome::Applied);
        small.add(step(1), Outcome::Applied);
        let report = small.into_report(DryRun::None, None, false);
        assert_eq!((report.results.len(), report.succeeded_not_listed), (2, 0));
        assert!(report.into_result().is_ok());
    }
}
