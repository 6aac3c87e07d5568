//! The one path every destructive fix takes: show the plan → check permissions → confirm → back
//! up → (server-side dry run) → apply with optimistic concurrency → report.
//!
//! Each step re-reads its object right before changing it, backs that exact version up, asks the
//! plugin's guard whether the step still makes sense, and sends a request that fails if the object
//! moved on (a JSON-patch `test` of the finalizer list, delete preconditions on uid and
//! resourceVersion, the namespace's resourceVersion on `/finalize`). A conflict means: read again,
//! ask the guard again, and only then retry — never overwrite what someone else just wrote.
//!
//! The parts, one concern each: the flags ([`args`]), the report model ([`report`]), the
//! scheduler that runs steps in phases ([`schedule`]), one step's conflict loop ([`attempt`]),
//! the request built from the object's current state ([`request`]) and the prompt ([`confirm`]).

mod args;
mod attempt;
mod bound;
mod confirm;
mod report;
mod request;
mod schedule;

use std::collections::BTreeSet;

use kube::api::{Api, DynamicObject};
use serde_json::Value;

pub use args::{DryRun, MutationArgs};
pub use confirm::confirm;
pub use report::{Counts, Outcome, RESULTS_FOR_EVERY_STEP_UP_TO, Report, StepResult};

use crate::access::{Permission, can_i};
use crate::backup::{Backup, Staged};
use crate::concurrency::{Cancel, bounded};
use crate::error::{Error, Result};
use crate::kubeargs::Kube;
use crate::output::Printer;
use crate::plan::{Outline, Plan, Step};
use crate::progress::Progress;
use report::Tally;

/// Decides, on a freshly read object, whether a step still applies. `Some(reason)` skips it.
/// This is the "re-plan" half of optimistic concurrency: the plugin's own safety rule, asked again
/// on the state the request will actually be sent against.
pub type Guard<'a> = &'a (dyn Fn(&Step, &Value) -> Option<String> + Sync);

pub struct Applier<'a> {
    pub kube: &'a Kube,
    pub args: &'a MutationArgs,
    /// Names the backup directory (`…/backups/<plugin>/…`).
    pub plugin: &'a str,
    pub cancel: &'a Cancel,
    pub guard: Guard<'a>,
}

impl std::fmt::Debug for Applier<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Applier")
            .field("plugin", &self.plugin)
            .finish_non_exhaustive()
    }
}

impl Applier<'_> {
    /// Carries out the plan. Prints the plan and the report in human formats; with `-o json|yaml`
    /// it prints nothing on stdout and the caller embeds plan and report in its document.
    pub async fn execute(&self, plan: &Plan, printer: &mut Printer) -> Result<Report> {
        // Steps are cloned one at a time as they start, not all up front.
        let steps = plan.ordered().into_iter().cloned();
        self.execute_streamed(&plan.outline(), steps, None, printer)
            .await
    }

    /// Carries out a plan whose steps are produced as they are needed: `outline` is shown,
    /// permission-checked and confirmed once, then `steps` (which must yield exactly the steps the
    /// outline counted, in phase order) is drawn from lazily, at most `--concurrency` in flight.
    /// Memory follows the steps in flight, not the plan's size — with `staged` (the full objects
    /// saved while listing, see [`crate::backup::Staged`]) and steps carrying only compact
    /// snapshots ([`Step::listed`]), a 50,000-pod plan never holds 50,000 objects.
    ///
    /// `staged` becomes the run's backup once confirmed; it is discarded (removed) when nothing
    /// is changed (client or server dry run, refused, not confirmed).
    pub async fn execute_streamed(
        &self,
        outline: &Outline,
        steps: impl Iterator<Item = Step>,
        staged: Option<Staged>,
        printer: &mut Printer,
    ) -> Result<Report> {
        let mode = self.args.dry_run;
        let human = !printer.format.is_structured();
        if outline.is_empty() {
            if let Some(expected) = &self.args.confirm_plan {
                bound::check(expected, &outline.digest)?;
            }
            return Ok(Tally::new(0).into_report(mode, None, false));
        }
        if human {
            printer.line("Plan:")?;
            printer.table(&outline.table())?;
        }
        for warning in &outline.warnings {
            printer.warn(warning)?;
        }
        let digest = outline.digest.value();
        printer.note(&format!(
            "Plan digest: {digest} (apply exactly this plan, without the question: --confirm-plan {digest})"
        ))?;
        bound::remember(&outline.digest);
        if let Some(expected) = &self.args.confirm_plan {
            bound::check(expected, &outline.digest)?;
        }
        if mode == DryRun::Client {
            printer.note("Dry run (client): nothing was sent to the server.")?;
            let mut tally = Tally::new(outline.total);
            for step in steps {
                tally.add(step, Outcome::Planned);
            }
            return Ok(tally.into_report(mode, None, false).with_digest(digest));
        }
        self.check_permissions(outline.permissions()).await?;
        if mode == DryRun::None {
            confirm(
                &format!("Apply these {} change(s)?", outline.total),
                self.args.yes || self.args.confirm_plan.is_some(),
                printer,
            )?;
        }
        let backup = if mode == DryRun::None {
            let backup = match staged {
                Some(staged) => staged.commit()?,
                None => {
                    Backup::create(self.args.backup_dir.as_deref(), self.plugin, outline.total)?
                }
            };
            printer.note(&format!(
                "Backing up every object before changing it to {}",
                backup.dir().display()
            ))?;
            if outline.secrets > 0 {
                printer.note(&crate::backup::secrets_note(outline.secrets))?;
            }
            Some(backup)
        } else {
            drop(staged);
            None
        };

        let progress = Progress::bar(
            outline.total as u64,
            "applying",
            printer.interactive() && outline.total > 1,
        );
        let tally = self
            .run_steps(outline, steps, backup.as_ref(), &progress)
            .await;
        progress.finish();
        if let Some(backup) = &backup {
            backup.finish()?;
        }
        let report = tally
            .into_report(
                mode,
                backup.map(|b| b.dir().to_path_buf()),
                self.cancel.is_cancelled(),
            )
            .with_digest(digest);
        if human {
            let table = report.table();
            if !table.is_empty() {
                printer.line("Result:")?;
                printer.table(&table)?;
            }
        }
        printer.note(&report.summary())?;
        if let Some(dir) = &report.backup_dir {
            printer.note(&format!("Backups: {}", dir.display()))?;
        }
        Ok(report)
    }

    /// Refuses the whole plan up front when the server says a needed permission is missing.
    async fn check_permissions(&self, needed: &BTreeSet<Permission>) -> Result<()> {
        let checks = bounded(
            needed.iter().cloned(),
            self.args.concurrency.concurrency,
            self.cancel,
            |p| async move { can_i(self.kube, &p).await },
        )
        .await;
        let mut denied: Vec<String> = checks
            .into_iter()
            .filter(|(_, allowed)| *allowed == Some(Some(false)))
            .map(|(p, _)| p.denied_message())
            .collect();
        if denied.is_empty() {
            return Ok(());
        }
        denied.sort();
        Err(Error::Api(Box::new(
            kube::core::Status::failure(
                &format!(
                    "the fix needs permissions you do not have, so nothing was changed: you {}",
                    denied.join("; you ")
                ),
                "Forbidden",
            )
            .with_code(403),
        )))
    }

    fn api(&self, step: &Step) -> Api<DynamicObject> {
        let ar = step.target.api_resource();
        match &step.target.namespace {
            Some(ns) => Api::namespaced_with(self.kube.client.clone(), ns, &ar),
            None => Api::all_with(self.kube.client.clone(), &ar),
        }
    }
}
