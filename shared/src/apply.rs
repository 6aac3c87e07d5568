//! The one path every destructive fix takes: show the plan → check permissions → confirm → back
//! up → (server-side dry run) → apply with optimistic concurrency → report.
//!
//! Each step re-reads its object right before changing it, backs that exact version up, asks the
//! plugin's guard whether the step still makes sense, and sends a request that fails if the object
//! moved on (a JSON-patch `test` of the finalizer list, delete preconditions on uid and
//! resourceVersion, the namespace's resourceVersion on `/finalize`). A conflict means: read again,
//! ask the guard again, and only then retry — never overwrite what someone else just wrote.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams, Preconditions};
use serde::Serialize;
use serde_json::{Value, json};

use crate::access::{Permission, can_i};
use crate::backup::Backup;
use crate::concurrency::{Cancel, ConcurrencyArgs, bounded, with_retry};
use crate::error::{Error, Result};
use crate::kubeargs::Kube;
use crate::output::{Cell, Column, Printer, Table, Tone};
use crate::plan::{Action, Plan, Step};
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
    pub results: Vec<StepResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_dir: Option<PathBuf>,
    pub interrupted: bool,
    pub counts: Counts,
}

impl Report {
    fn new(
        dry_run: DryRun,
        results: Vec<StepResult>,
        backup_dir: Option<PathBuf>,
        interrupted: bool,
    ) -> Self {
        let mut counts = Counts::default();
        for r in &results {
            match r.outcome {
                Outcome::Planned | Outcome::DryRun | Outcome::Applied => counts.applied += 1,
                Outcome::AlreadyDone { .. } => counts.already_done += 1,
                Outcome::Skipped { .. } => counts.skipped += 1,
                Outcome::Failed { .. } => counts.failed += 1,
                Outcome::NotStarted => counts.not_started += 1,
            }
        }
        Report {
            dry_run,
            results,
            backup_dir,
            interrupted,
            counts,
        }
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
                self.results.len()
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
        let summary_only = self.results.len() > SUMMARY_ONLY_ABOVE;
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
        let mode = self.args.dry_run;
        let human = !printer.format.is_structured();
        if plan.is_empty() {
            return Ok(Report::new(mode, Vec::new(), None, false));
        }
        if human {
            printer.line("Plan:")?;
            if plan.steps.len() > SUMMARY_ONLY_ABOVE {
                // Thousands of rows before a prompt hide the question; group them instead.
                printer.table(&plan.grouped_table())?;
            } else {
                printer.table(&plan.table())?;
            }
        }
        for warning in &plan.warnings {
            printer.warn(warning)?;
        }
        // Borrowed, not cloned: bulk plans carry a full object snapshot per step.
        let steps: Vec<&Step> = plan.ordered();
        if mode == DryRun::Client {
            printer.note("Dry run (client): nothing was sent to the server.")?;
            let results = steps
                .into_iter()
                .map(|step| StepResult {
                    step: step.without_snapshot(),
                    outcome: Outcome::Planned,
                })
                .collect();
            return Ok(Report::new(mode, results, None, false));
        }
        self.check_permissions(&steps).await?;
        if mode == DryRun::None {
            confirm(
                &format!("Apply these {} change(s)?", steps.len()),
                self.args.yes,
                printer,
            )?;
        }
        let backup = if mode == DryRun::None {
            let backup = Backup::create(self.args.backup_dir.as_deref(), self.plugin, steps.len())?;
            printer.note(&format!(
                "Backing up every object before changing it to {}",
                backup.dir().display()
            ))?;
            Some(backup)
        } else {
            None
        };

        let progress = Progress::bar(
            steps.len() as u64,
            "applying",
            printer.interactive() && steps.len() > 1,
        );
        let mut results: Vec<StepResult> = Vec::with_capacity(steps.len());
        let mut canaried: BTreeSet<String> = BTreeSet::new();
        let mut phase_start = 0;
        while phase_start < steps.len() {
            let phase = steps[phase_start].phase;
            let phase_end = steps[phase_start..]
                .iter()
                .position(|s| s.phase != phase)
                .map_or(steps.len(), |n| phase_start + n);
            let earlier_failed = results
                .iter()
                .any(|r| matches!(r.outcome, Outcome::Failed { .. }));
            let indices: Vec<usize> = (phase_start..phase_end).collect();
            let mut outcomes: Vec<(usize, Outcome)> = if earlier_failed {
                // A later phase assumes the earlier one worked (e.g. finalize only after the
                // leftovers are gone); running it anyway would be the blind force we avoid.
                indices.iter().map(|&i| (i, Outcome::NotStarted)).collect()
            } else {
                // In bulk plans the first step of each action type is dry-run first, alone, so a
                // rejected request fails once instead of thousands of times.
                let mut first: Vec<usize> = Vec::new();
                for &i in &indices {
                    let key = format!(
                        "{:?}{}",
                        std::mem::discriminant(&steps[i].action),
                        steps[i].target.plural
                    );
                    if !plan.canary_dry_run || canaried.insert(key) {
                        first.push(i);
                    }
                }
                let mut outcomes = Vec::with_capacity(indices.len());
                let (canary_steps, other_steps): (Vec<usize>, Vec<usize>) = if plan.canary_dry_run {
                    indices.iter().partition(|i| first.contains(i))
                } else {
                    (Vec::new(), indices.clone())
                };
                for batch in [canary_steps, other_steps] {
                    let ran = bounded(batch, self.args.concurrency.concurrency, self.cancel, |i| {
                        let step = &steps[i];
                        let backup = backup.as_ref();
                        let dry_first = !plan.canary_dry_run || first.contains(&i);
                        let progress = &progress;
                        async move {
                            let outcome = self.run_step(step, backup, dry_first).await;
                            progress.inc(1);
                            outcome
                        }
                    })
                    .await;
                    outcomes.extend(
                        ran.into_iter()
                            .map(|(i, o)| (i, o.unwrap_or(Outcome::NotStarted))),
                    );
                }
                outcomes
            };
            outcomes.sort_by_key(|(i, _)| *i);
            results.extend(outcomes.into_iter().map(|(i, outcome)| StepResult {
                step: steps[i].without_snapshot(),
                outcome,
            }));
            phase_start = phase_end;
        }
        progress.finish();
        if let Some(backup) = &backup {
            backup.finish()?;
        }
        let report = Report::new(
            mode,
            results,
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

    /// Refuses the whole plan up front when the server says a needed permission is missing.
    async fn check_permissions(&self, steps: &[&Step]) -> Result<()> {
        let needed: BTreeSet<Permission> = steps
            .iter()
            .map(|s| {
                let (verb, sub) = s.action.verb();
                Permission {
                    verb: verb.into(),
                    group: s.target.group.clone(),
                    resource: s.target.plural.clone(),
                    subresource: sub.map(str::to_owned),
                    namespace: s.target.namespace.clone(),
                }
            })
            .collect();
        let checks = bounded(
            needed,
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

    async fn run_step(&self, step: &Step, backup: Option<&Backup>, dry_run_first: bool) -> Outcome {
        let api = self.api(step);
        let name = step.target.name.as_str();
        let mut backed_up = false;
        let mut snapshot = step.snapshot.clone();
        for _ in 0..MAX_CONFLICT_ATTEMPTS {
            let current = match snapshot.take() {
                Some(object) => object,
                None => match with_retry(|| async { api.get(name).await.map_err(Error::from) })
                    .await
                    .and_then(|o| serde_json::to_value(&o).map_err(|e| Error::Other(e.to_string())))
                {
                    Ok(object) => object,
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
                && !backed_up
            {
                if let Err(e) = backup.save(&current) {
                    return Outcome::Failed {
                        error: format!("backup failed, so the object was not changed: {e}"),
                    };
                }
                backed_up = true;
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
