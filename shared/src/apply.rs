//! The one path every destructive fix takes: show the plan → check permissions → confirm → back
//! up → (server-side dry run) → apply with optimistic concurrency → report.
//!
//! Each step re-reads its object right before changing it, backs that exact version up, asks the
//! plugin's guard whether the step still makes sense, and sends a request that fails if the object
//! moved on (a JSON-patch `test` of the finalizer list, delete preconditions on uid and
//! resourceVersion, the namespace's resourceVersion on `/finalize`). A conflict means: read again,
//! ask the guard again, and only then retry — never overwrite what someone else just wrote.

use std::collections::{BTreeSet, HashSet};
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams, Preconditions};
use serde::Serialize;
use serde_json::{Value, json};

use crate::access::{Permission, can_i};
use crate::backup::{Backup, Staged};
use crate::concurrency::{Cancel, ConcurrencyArgs, bounded, with_retry};
use crate::error::{Error, Result};
use crate::kubeargs::Kube;
use crate::output::{Cell, Column, Printer, Table, Tone};
use crate::plan::{Action, Outline, Plan, Step};
use crate::progress::Progress;

/// Attempts per step when a concurrent writer keeps changing the object.
const MAX_CONFLICT_ATTEMPTS: usize = 3;
/// Above this many steps the report lists counts and failures, not every object.
const SUMMARY_ONLY_ABOVE: usize = 50;

#[derive(ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DryRun {
    /// Change the cluster (after confirmation).
    #[default]
    None,
    /// Print the plan only; send nothing.
    Client,
    /// Send every request with dryRun=All: the server validates and admits, nothing is persisted.
    Server,
}

#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Changing the cluster")]
pub struct MutationArgs {
    /// Only show (client) or only validate on the server (server) what the fix would do
    #[arg(long, value_enum, default_value_t = DryRun::None, num_args = 0..=1, require_equals = true, default_missing_value = "client")]
    pub dry_run: DryRun,
    /// Apply without asking for confirmation
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Where to save backups of changed objects (default: $XDG_STATE_HOME/firstaid/backups)
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    #[command(flatten)]
    pub concurrency: ConcurrencyArgs,
}

impl MutationArgs {
    /// For plugins that list many objects to change: a backup staged while listing (each object
    /// saved as its page arrives, then dropped), handed to [`Applier::execute_streamed`]. `None`
    /// for dry runs, which change nothing and so back nothing up.
    pub fn stage_backup(&self, plugin: &str) -> Result<Option<Staged>> {
        if self.dry_run == DryRun::None {
            Staged::create(self.backup_dir.as_deref(), plugin).map(Some)
        } else {
            Ok(None)
        }
    }
}

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
            Outcome::Failed { error } => (format!("failed: {error}"), Tone::Bad),
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
    pub failed: usize,
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
struct Tally {
    keep_every_result: bool,
    results: Vec<StepResult>,
    succeeded_not_listed: usize,
    counts: Counts,
}

impl Tally {
    fn new(total: usize) -> Self {
        Tally {
            keep_every_result: total <= RESULTS_FOR_EVERY_STEP_UP_TO,
            results: Vec::new(),
            succeeded_not_listed: 0,
            counts: Counts::default(),
        }
    }

    fn add(&mut self, mut step: Step, outcome: Outcome) {
        match outcome {
            Outcome::Planned | Outcome::DryRun | Outcome::Applied => self.counts.applied += 1,
            Outcome::AlreadyDone { .. } => self.counts.already_done += 1,
            Outcome::Skipped { .. } => self.counts.skipped += 1,
            Outcome::Failed { .. } => self.counts.failed += 1,
            Outcome::NotStarted => self.counts.not_started += 1,
        }
        if self.keep_every_result || !outcome.succeeded() {
            step.snapshot = None;
            self.results.push(StepResult { step, outcome });
        } else {
            self.succeeded_not_listed += 1;
        }
    }

    fn into_report(
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
        }
    }
}

impl Report {
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

/// Decides, on a freshly read object, whether a step still applies. `Some(reason)` skips it.
/// This is the "re-plan" half of optimistic concurrency: the plugin's own safety rule, asked again
/// on the state the request will actually be sent against.
pub type Guard<'a> = &'a (dyn Fn(&Step, &Value) -> Option<String> + Sync);

/// A guard that lets every step through.
pub fn no_guard(_: &Step, _: &Value) -> Option<String> {
    None
}

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
            return Ok(Tally::new(0).into_report(mode, None, false));
        }
        if human {
            printer.line("Plan:")?;
            printer.table(&outline.table())?;
        }
        for warning in &outline.warnings {
            printer.warn(warning)?;
        }
        if mode == DryRun::Client {
            printer.note("Dry run (client): nothing was sent to the server.")?;
            let mut tally = Tally::new(outline.total);
            for step in steps {
                tally.add(step, Outcome::Planned);
            }
            return Ok(tally.into_report(mode, None, false));
        }
        self.check_permissions(outline.permissions()).await?;
        if mode == DryRun::None {
            confirm(
                &format!("Apply these {} change(s)?", outline.total),
                self.args.yes,
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
        let report = tally.into_report(
            mode,
            backup.map(|b| b.dir().to_path_buf()),
            self.cancel.is_cancelled(),
        );
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

    /// Runs the steps in order with at most `--concurrency` in flight. A new phase starts only
    /// when the previous one has finished, and not at all if anything in it failed (a later
    /// phase assumes the earlier one worked, e.g. finalize only after the leftovers are gone).
    /// With a canary dry run, the first step of each action type runs alone and dry-run first,
    /// so a rejected request fails once instead of thousands of times. After Ctrl-C nothing new
    /// starts; what is in flight finishes and the rest is counted as not started.
    async fn run_steps(
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

    async fn run_step(
        &self,
        step: &Step,
        mut snapshot: Option<Value>,
        backup: Option<&Backup>,
        dry_run_first: bool,
    ) -> Outcome {
        let api = self.api(step);
        let name = step.target.name.as_str();
        for _ in 0..MAX_CONFLICT_ATTEMPTS {
            // The listed object of a staged plan is in the backup already; anything read here
            // (a first read, or a re-read after a conflict) is saved before its request is sent.
            let (current, in_backup) = match snapshot.take() {
                Some(object) => (object, step.backed_up),
                None => match with_retry(|| async { api.get(name).await.map_err(Error::from) })
                    .await
                    .and_then(|o| serde_json::to_value(&o).map_err(|e| Error::Other(e.to_string())))
                {
                    Ok(object) => (object, false),
                    Err(e) if e.is_not_found() => {
                        return Outcome::AlreadyDone {
                            detail: "object is gone".into(),
                        };
                    }
                    Err(e) => {
                        return Outcome::Failed {
                            error: e.to_string(),
                        };
                    }
                },
            };
            if let Some(uid) = &step.target.uid
                && current.pointer("/metadata/uid").and_then(Value::as_str) != Some(uid.as_str())
            {
                return Outcome::Skipped {
                    reason: "the object was deleted and recreated since the diagnosis".into(),
                };
            }
            if let Some(reason) = (self.guard)(step, &current) {
                return Outcome::Skipped { reason };
            }
            let request = match Request::build(&step.action, &current) {
                Ok(request) => request,
                Err(detail) => return Outcome::AlreadyDone { detail },
            };
            if let Some(backup) = backup
                && !in_backup
                && let Err(e) = backup.save(&current)
            {
                return Outcome::Failed {
                    error: format!("backup failed, so the object was not changed: {e}"),
                };
            }
            let passes: &[bool] = match (self.args.dry_run, dry_run_first) {
                (DryRun::Server, _) => &[true],
                (_, true) => &[true, false],
                (_, false) => &[false],
            };
            let mut conflicted = false;
            for &dry_run in passes {
                match with_retry(|| request.send(&api, name, dry_run)).await {
                    Ok(()) => {}
                    Err(e) if e.is_conflict() => {
                        conflicted = true;
                        break;
                    }
                    Err(e) if e.is_not_found() => {
                        return Outcome::AlreadyDone {
                            detail: "object is gone".into(),
                        };
                    }
                    Err(e) => {
                        let what = if dry_run {
                            "server-side dry run rejected it"
                        } else {
                            "request failed"
                        };
                        return Outcome::Failed {
                            error: format!("{what}: {e}"),
                        };
                    }
                }
            }
            if !conflicted {
                return if self.args.dry_run == DryRun::Server {
                    Outcome::DryRun
                } else {
                    Outcome::Applied
                };
            }
        }
        Outcome::Failed {
            error: format!(
                "the object kept changing under us ({MAX_CONFLICT_ATTEMPTS} attempts); nothing was overwritten — rerun to re-plan"
            ),
        }
    }
}

/// A request computed from the object's current state.
#[derive(Debug)]
enum Request {
    JsonPatch(json_patch::Patch),
    Delete(DeleteParams),
    Finalize(Value),
}

impl Request {
    /// `Err(detail)` when the step has nothing left to do.
    fn build(action: &Action, current: &Value) -> std::result::Result<Request, String> {
        let list = |pointer: &str| -> Vec<String> {
            current
                .pointer(pointer)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        match action {
            Action::RemoveFinalizers { finalizers } => {
                let present = list("/metadata/finalizers");
                let remaining: Vec<&String> =
                    present.iter().filter(|f| !finalizers.contains(f)).collect();
                if remaining.len() == present.len() {
                    return Err("finalizer already removed".into());
                }
                let uid = current
                    .pointer("/metadata/uid")
                    .cloned()
                    .unwrap_or(Value::Null);
                let ops = json!([
                    {"op": "test", "path": "/metadata/uid", "value": uid},
                    {"op": "test", "path": "/metadata/finalizers", "value": present},
                    {"op": "replace", "path": "/metadata/finalizers", "value": remaining},
                ]);
                serde_json::from_value(ops)
                    .map(Request::JsonPatch)
                    .map_err(|e| format!("internal: {e}"))
            }
            Action::Delete {
                grace_period_seconds,
            } => Ok(Request::Delete(DeleteParams {
                grace_period_seconds: *grace_period_seconds,
                preconditions: Some(Preconditions {
                    uid: current
                        .pointer("/metadata/uid")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    resource_version: current
                        .pointer("/metadata/resourceVersion")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                }),
                ..DeleteParams::default()
            })),
            Action::FinalizeNamespace { finalizers } => {
                let present = list("/spec/finalizers");
                let remaining: Vec<&String> =
                    present.iter().filter(|f| !finalizers.contains(f)).collect();
                if remaining.len() == present.len() {
                    return Err("spec.finalizers already empty of those".into());
                }
                let mut body = current.clone();
                if let Some(spec) = body.get_mut("spec").and_then(Value::as_object_mut) {
                    spec.insert("finalizers".into(), json!(remaining));
                }
                Ok(Request::Finalize(body))
            }
        }
    }

    async fn send(&self, api: &Api<DynamicObject>, name: &str, dry_run: bool) -> Result<()> {
        match self {
            Request::JsonPatch(patch) => {
                let params = PatchParams {
                    dry_run,
                    ..PatchParams::default()
                };
                api.patch(name, &params, &Patch::Json::<()>(patch.clone()))
                    .await?;
            }
            Request::Delete(params) => {
                let params = DeleteParams {
                    dry_run,
                    ..params.clone()
                };
                api.delete(name, &params).await?;
            }
            Request::Finalize(body) => {
                let params = PostParams {
                    dry_run,
                    ..PostParams::default()
                };
                api.replace_subresource("finalize", name, &params, body)
                    .await?;
            }
        }
        Ok(())
    }
}

/// Asks before changing the cluster. `--yes` skips the question; without a terminal to ask on
/// and without `--yes` we refuse rather than hang or guess.
pub fn confirm(question: &str, yes: bool, printer: &mut Printer) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Error::NotConfirmed(
            "refusing to change the cluster without confirmation: no terminal to ask on. Rerun with --yes to apply, or --dry-run=client to only see the plan".into(),
        ));
    }
    let answer = dialoguer::Confirm::new()
        .with_prompt(question)
        .default(false)
        .interact_on(&console::Term::stderr())
        .map_err(|e| Error::NotConfirmed(format!("no confirmation: {e}")))?;
    if answer {
        Ok(())
    } else {
        printer.note("Nothing was changed.")?;
        Err(Error::NotConfirmed(
            "not confirmed; nothing was changed".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finalizer_patch_tests_the_current_list_and_uid() {
        let current =
            json!({"metadata": {"uid": "u1", "finalizers": ["a", "example.com/dead", "b"]}});
        let Ok(Request::JsonPatch(patch)) = Request::build(
            &Action::RemoveFinalizers {
                finalizers: vec!["example.com/dead".into()],
            },
            &current,
        ) else {
            panic!("expected a patch")
        };
        assert_eq!(
            serde_json::to_value(&patch).expect("json"),
            json!([
                {"op": "test", "path": "/metadata/uid", "value": "u1"},
                {"op": "test", "path": "/metadata/finalizers", "value": ["a", "example.com/dead", "b"]},
                {"op": "replace", "path": "/metadata/finalizers", "value": ["a", "b"]},
            ])
        );
        let done = Request::build(
            &Action::RemoveFinalizers {
                finalizers: vec!["gone".into()],
            },
            &current,
        );
        assert!(matches!(done, Err(d) if d.contains("already")));
    }

    #[test]
    fn bulk_reports_count_successes_and_list_the_rest() {
        use crate::plan::Target;
        let step = |n: usize| {
            Step::new(
                Target {
                    group: String::new(),
                    version: "v1".into(),
                    kind: "Pod".into(),
                    plural: "pods".into(),
                    namespace: Some("ns".into()),
                    name: format!("p{n}"),
                    uid: None,
                },
                Action::Delete {
                    grace_period_seconds: None,
                },
                "x",
            )
            .listed(json!({"metadata": {"uid": "u"}}))
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

    #[test]
    fn deletes_carry_preconditions() {
        let current = json!({"metadata": {"uid": "u1", "resourceVersion": "42"}});
        let Ok(Request::Delete(params)) = Request::build(
            &Action::Delete {
                grace_period_seconds: Some(0),
            },
            &current,
        ) else {
            panic!("expected delete")
        };
        assert_eq!(params.grace_period_seconds, Some(0));
        let pre = params.preconditions.expect("preconditions");
        assert_eq!(
            (pre.uid.as_deref(), pre.resource_version.as_deref()),
            (Some("u1"), Some("42"))
        );
    }

    #[test]
    fn finalize_keeps_other_finalizers_and_resource_version() {
        let current = json!({"metadata": {"name": "ns", "resourceVersion": "9"}, "spec": {"finalizers": ["kubernetes", "example.com/x"]}});
        let Ok(Request::Finalize(body)) = Request::build(
            &Action::FinalizeNamespace {
                finalizers: vec!["kubernetes".into()],
            },
            &current,
        ) else {
            panic!("expected finalize")
        };
        assert_eq!(body["spec"]["finalizers"], json!(["example.com/x"]));
        assert_eq!(body["metadata"]["resourceVersion"], "9");
        let empty = json!({"spec": {"finalizers": []}});
        assert!(
            Request::build(
                &Action::FinalizeNamespace {
                    finalizers: vec!["kubernetes".into()]
                },
                &empty
            )
            .is_err()
        );
    }

    #[test]
    fn dry_run_flag_forms() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            m: MutationArgs,
        }
        let parse = |args: &[&str]| {
            Cli::try_parse_from(std::iter::once("x").chain(args.iter().copied()))
                .map(|c| c.m.dry_run)
        };
        assert_eq!(parse(&[]).ok(), Some(DryRun::None));
        assert_eq!(parse(&["--dry-run"]).ok(), Some(DryRun::Client));
        assert_eq!(parse(&["--dry-run=server"]).ok(), Some(DryRun::Server));
        assert!(parse(&["--dry-run=maybe"]).is_err());
    }

    #[test]
    fn confirm_refuses_without_a_terminal() {
        // Test processes have no TTY on stdin.
        let (mut printer, _, _) = Printer::captured(crate::output::Format::Table);
        let err = confirm("go?", false, &mut printer).expect_err("must refuse");
        assert_eq!(err.exit(), crate::exit::Exit::NotConfirmed);
        assert!(err.to_string().contains("--yes"));
        assert!(confirm("go?", true, &mut printer).is_ok());
    }
}
