//! Namespaces named on the command line (or every Terminating one with `--all --fix`) as a
//! [`Command`] of the shared driver: read everything that can hold them, diagnose, render, and
//! with `--fix` the least destructive plan, whose guard re-checks finalizers against controllers
//! read again while the plan waits and runs; `--wait` is the verification.

use std::time::Duration;

use firstaid::driver::{Command, Context, Fix};
use firstaid::k8s::Timestamp;
use firstaid::plan::Plan;
use firstaid::refreshed::Refreshed;
use firstaid::{DryRun, Error, Kube, Printer, Report, Result};

use crate::cli::Cli;
use crate::diagnose::{Diagnosis, Inputs, Unsearched, diagnose};
use crate::discovery::Discovered;
use crate::model::{ApiServiceState, ControllerEvidence, Leftover, NamespaceState};
use crate::wait::WaitResult;
use crate::webhooks::Webhook;
use crate::{Document, act, admission, discovery, fetch, fetch_webhooks, finalizers, list, render};

/// How often the operators' controllers are read again while a fix waits and runs: each read
/// lists every Deployment, StatefulSet, DaemonSet and Lease, so not every second.
const EVIDENCE_REFRESH: Duration = Duration::from_secs(10);

pub struct Unstick<'c> {
    pub cli: &'c Cli,
}

/// What the diagnosis found, and with `--fix` the plan and what its guard reads.
pub struct Found {
    targets: Vec<NamespaceState>,
    stuck_names: Vec<String>,
    diagnoses: Vec<Diagnosis>,
    unavailable: Vec<ApiServiceState>,
    discovered: Discovered,
    notes: Vec<String>,
    webhooks: Vec<Webhook>,
    now: Timestamp,
    plan: Plan,
    /// A dead fail-closed webhook would reject the plan's requests (exit 4 unless overridden).
    gate: Result<()>,
    /// The controllers as diagnosed; moved into `live` when the fix starts.
    evidence: Option<ControllerEvidence>,
    live: Option<Refreshed<ControllerEvidence>>,
}

impl Command for Unstick<'_> {
    type Found = Found;
    type Verified = Vec<WaitResult>;

    async fn diagnose(&self, ctx: &Context<'_>, _: &mut Printer) -> Result<Found> {
        let (kube, cancel) = (ctx.kube, ctx.cancel);
        let concurrency = ctx.mutation.concurrency.concurrency;
        let (targets, api_services, discovered, lease, webhooks) = futures::join!(
            targets(self.cli, kube),
            fetch::api_services(&kube.client),
            discovery::discover(&kube.client, concurrency, cancel),
            fetch::controller_manager_lease(&kube.client),
            fetch_webhooks::webhooks(&kube.client),
        );
        let (targets, discovered) = (targets?, discovered?);
        let mut notes: Vec<String> = Vec::new();
        let api_error = match &api_services {
            Err(e) => {
                notes.push(format!(
                    "could not read APIServices, so unavailable aggregated APIs cannot be named: {e}"
                ));
                e.to_string()
            }
            Ok(_) => String::new(),
        };
        let webhooks = webhooks.unwrap_or_else(|e| {
            notes.push(format!(
                "could not read admission webhook configurations, so webhooks rejecting deletes or patches cannot be named: {e}"
            ));
            Vec::new()
        });
        // Every leftover in every stuck namespace: one metadata list per type, all concurrent.
        let per_namespace = futures::future::join_all(targets.iter().map(|ns| {
            let types = &discovered.types;
            async move {
                if ns.is_terminating() {
                    fetch::leftovers(&kube.client, &ns.name, types, concurrency, cancel).await
                } else {
                    (Vec::new(), Vec::new())
                }
            }
        }))
        .await;
        cancel.check()?;
        let evidence = controller_evidence(kube, &targets, &per_namespace, &mut notes).await;
        let inputs = Shared {
            api_services: api_services
                .as_ref()
                .map(Vec::as_slice)
                .map_err(|_| &*api_error),
            discovered: &discovered,
            evidence: &evidence,
            lease: lease.as_ref(),
            named: &self.cli.remove_finalizer,
        };
        let mut diagnoses = diagnose_all(&targets, &per_namespace, &inputs);
        for d in &mut diagnoses {
            admission::amend(d, &webhooks);
        }
        let unavailable: Vec<ApiServiceState> = list::unavailable_of(&api_services)
            .into_iter()
            .cloned()
            .collect();
        let stuck_names = targets
            .iter()
            .filter(|n| n.is_terminating())
            .map(|n| n.name.clone())
            .collect();
        let mut found = Found {
            targets,
            stuck_names,
            diagnoses,
            unavailable,
            discovered,
            notes,
            webhooks,
            now: Timestamp::now(),
            plan: Plan::default(),
            gate: Ok(()),
            evidence: Some(evidence),
            live: None,
        };
        if ctx.fixing {
            self.plan(&mut found);
        }
        Ok(found)
    }

    fn render(&self, ctx: &Context<'_>, found: &Found, printer: &mut Printer) -> Result<()> {
        if self.cli.all && found.targets.is_empty() {
            return printer.note("No namespace is Terminating.");
        }
        let unavailable: Vec<&ApiServiceState> = found.unavailable.iter().collect();
        let discovered = &found.discovered;
        render::print_human(
            printer,
            &found.diagnoses,
            &unavailable,
            &found.stuck_names,
            discovered,
            found.now,
        )?;
        if !discovered.failures.is_empty() {
            let gvs: Vec<&str> = discovered
                .failures
                .iter()
                .map(|f| f.group_version.as_str())
                .collect();
            printer.warn(&format!(
                "discovery failed for {}; objects of those APIs could not be searched",
                gvs.join(", ")
            ))?;
        }
        for note in &found.notes {
            printer.warn(note)?;
        }
        if !ctx.fixing && !found.stuck_names.is_empty() {
            printer.note("Nothing was changed. Rerun with --fix to apply the fixes above (it shows the plan and asks first).")?;
        }
        Ok(())
    }

    fn found_something(&self, found: &Found) -> bool {
        !found.stuck_names.is_empty()
    }

    fn fix<'s>(&'s self, ctx: &Context<'s>, found: &'s mut Found) -> Option<Fix<'s>> {
        if found.plan.is_empty() || found.gate.is_err() {
            return None;
        }
        // The guard judges finalizers on the controllers as they are when each request goes out.
        let kube = ctx.kube.clone();
        let evidence = found.evidence.take()?;
        found.live = Some(Refreshed::spawn(evidence, EVIDENCE_REFRESH, move || {
            let kube = kube.clone();
            async move { Some(fetch::controller_evidence(&kube).await) }
        }));
        let found: &'s Found = found;
        let recheck = act::Recheck {
            evidence: found.live.as_ref()?,
            named: &self.cli.remove_finalizer,
            force_finalize: self.cli.force_finalize,
        };
        let webhooks = &found.webhooks;
        let guard = move |step: &firstaid::Step, current: &serde_json::Value| {
            if step.phase == admission::PHASE_WEBHOOKS {
                admission::guard(step, current, webhooks)
            } else {
                recheck.check(step, current)
            }
        };
        Some(Fix::of_borrowed(&found.plan, Box::new(guard)))
    }

    fn nothing_to_fix(&self, found: &Found) -> Option<String> {
        if found.stuck_names.is_empty() {
            // With --all and nothing Terminating, the report already said so.
            return (!self.cli.all || !found.targets.is_empty())
                .then(|| "No namespace to fix: none of them is Terminating.".into());
        }
        (found.gate.is_ok() && Self::blocked(found).is_none()).then(|| act::NOTHING_BUT_WAIT.into())
    }

    fn after_apply(&self, _: &Found, _: &Report, printer: &mut Printer) -> Result<()> {
        if self.cli.wait.is_some() && self.cli.mutation.dry_run != DryRun::None {
            printer.note("--wait skipped: dry run")?;
        }
        Ok(())
    }

    /// `--wait`: after a fix that fully succeeded, wait for the namespaces to disappear.
    async fn verify(
        &self,
        ctx: &Context<'_>,
        found: &Found,
        report: &Report,
        printer: &mut Printer,
    ) -> Result<Option<Vec<WaitResult>>> {
        let Some(timeout) = self.cli.wait else {
            return Ok(None);
        };
        if !report.all_succeeded() {
            return Ok(None);
        }
        let names = &found.stuck_names;
        let results =
            crate::wait::wait(&ctx.kube.client, names, timeout, printer.interactive()).await?;
        for r in &results {
            if r.gone {
                printer.note(&format!(
                    "namespace {} is gone ({:.1}s)",
                    r.namespace, r.seconds
                ))?;
            } else {
                printer.warn(&format!(
                    "namespace {} still exists after {}s; run `kubectl ns-unstick {}` again to see what still holds it",
                    r.namespace,
                    timeout.as_secs(),
                    r.namespace
                ))?;
            }
        }
        Ok(Some(results))
    }

    fn contradiction(waited: &Vec<WaitResult>) -> Option<Error> {
        let r = waited.iter().find(|r| !r.gone)?;
        Some(Error::Other(format!(
            "namespace {} is still Terminating after the fix",
            r.namespace
        )))
    }

    fn refusal(&self, found: &Found) -> Option<Error> {
        if let Err(Error::Unsafe {
            message,
            override_flag,
        }) = &found.gate
        {
            return Some(Error::Unsafe {
                message: message.clone(),
                override_flag: override_flag.clone(),
            });
        }
        Self::blocked(found)
    }

    fn document(
        &self,
        found: &Found,
        result: Option<&Report>,
        waited: Option<&Vec<WaitResult>>,
        printer: &mut Printer,
    ) -> Result<()> {
        let planned = self.cli.wants_fix() && !found.stuck_names.is_empty();
        let document = Document {
            namespaces: &found.diagnoses,
            unavailable_api_services: found.unavailable.iter().collect(),
            discovery_failures: &found.discovered.failures,
            searched_types: found.discovered.types.len(),
            notes: &found.notes,
            plan: planned.then_some(&found.plan),
            result,
            wait: waited.map(Vec::as_slice),
        };
        printer.document("NamespaceDiagnosis", &document)
    }
}

impl Unstick<'_> {
    /// The least destructive plan the flags allow, gated by the admission webhooks it would
    /// pass through.
    fn plan(&self, found: &mut Found) {
        if found.stuck_names.is_empty() {
            return;
        }
        let options = act::FixOptions {
            force_finalize: self.cli.force_finalize,
            named_finalizers: self.cli.remove_finalizer.clone(),
        };
        found.plan = act::plan(&found.diagnoses, &found.unavailable, &options);
        found.gate = admission::gate(
            &mut found.plan,
            &admission::Labels::of_namespaces(&found.diagnoses),
            &found.webhooks,
            admission::namespace_blockers(&found.diagnoses),
            self.cli.delete_dead_webhooks,
        );
    }

    /// With an empty plan: the blocker the user must override, if any.
    fn blocked(found: &Found) -> Option<Error> {
        if found.stuck_names.is_empty() || !found.plan.is_empty() {
            return None;
        }
        act::refusal(found.diagnoses.iter().flat_map(|d| &d.blockers))
    }
}

/// The namespaces named on the command line (or all Terminating ones with `--all`).
async fn targets(cli: &Cli, kube: &Kube) -> Result<Vec<NamespaceState>> {
    if cli.all {
        let all = fetch::namespaces(&kube.client).await?;
        return Ok(all
            .into_iter()
            .filter(NamespaceState::is_terminating)
            .collect());
    }
    let mut names = cli.namespaces.clone();
    names.dedup();
    let found =
        futures::future::join_all(names.iter().map(|n| fetch::namespace(&kube.client, n))).await;
    found.into_iter().collect()
}

/// The operators' controllers, read only when a custom finalizer needs them to be judged alive
/// or dead; a failed read becomes a note (those finalizers are then 'unknown').
async fn controller_evidence(
    kube: &Kube,
    targets: &[NamespaceState],
    found: &[(Vec<Leftover>, Vec<Unsearched>)],
    notes: &mut Vec<String>,
) -> ControllerEvidence {
    let custom = found
        .iter()
        .flat_map(|(leftovers, _)| leftovers.iter().flat_map(|l| &l.finalizers))
        .chain(targets.iter().flat_map(|ns| &ns.metadata_finalizers))
        .any(|f| !finalizers::is_builtin(f));
    if !custom {
        return ControllerEvidence {
            workloads: Ok(Vec::new()),
            leases: Ok(Vec::new()),
        };
    }
    let evidence = fetch::controller_evidence(kube).await;
    for (what, result) in [
        ("workloads", evidence.workloads.as_ref().err()),
        ("Leases", evidence.leases.as_ref().err()),
    ] {
        if let Some(e) = result {
            notes.push(format!(
                "could not list {what} to look for operators' controllers, so their finalizers are 'unknown': {e}"
            ));
        }
    }
    evidence
}

/// What every namespace's diagnosis shares.
struct Shared<'a> {
    api_services: std::result::Result<&'a [ApiServiceState], &'a str>,
    discovered: &'a Discovered,
    evidence: &'a ControllerEvidence,
    lease: Option<&'a crate::model::LeaseInfo>,
    named: &'a [String],
}

fn diagnose_all(
    targets: &[NamespaceState],
    found: &[(Vec<Leftover>, Vec<Unsearched>)],
    shared: &Shared<'_>,
) -> Vec<Diagnosis> {
    let now = Timestamp::now();
    targets
        .iter()
        .zip(found)
        .map(|(ns, (leftovers, unsearched))| {
            diagnose(&Inputs {
                namespace: ns,
                api_services: shared.api_services,
                discovery_failures: &shared.discovered.failures,
                leftovers: leftovers.clone(),
                unsearched: unsearched.clone(),
                evidence: shared.evidence,
                controller_manager_lease: shared.lease,
                named_finalizers: shared.named,
                now,
            })
        })
        .collect()
}
