//! `kubectl ns-unstick`: why a namespace is stuck in Terminating, and the least destructive fix.
//!
//! The usual advice (`PUT …/finalize` with the finalizers stripped) makes the namespace vanish but
//! leaves its objects in etcd, where they resurface when a namespace of the same name is created
//! again — and it does nothing about an unavailable APIService, which keeps blocking every other
//! namespace. So this plugin diagnoses first (conditions, APIServices, every leftover object and
//! who owns each finalizer), fixes the cause, and finalizes only when told to.

pub mod act;
pub mod admission;
pub mod cli;
pub mod diagnose;
pub mod discovery;
pub mod fetch;
pub mod fetch_webhooks;
pub mod finalizers;
pub mod labels;
mod list;
pub mod model;
mod object_run;
pub mod objects;
mod render;
pub mod scan;
mod scan_run;
mod wait;
pub mod webhooks;

use firstaid::apply::{Applier, DryRun, Report};
use firstaid::k8s::Timestamp;
use firstaid::plan::Plan;
use firstaid::refreshed::Refreshed;
use firstaid::{Cancel, Error, Exit, Kube, Printer, Result};
use serde::Serialize;

use crate::cli::Cli;
use crate::diagnose::{Diagnosis, Inputs, diagnose};
use crate::model::{ApiServiceState, ControllerEvidence, DiscoveryFailure, NamespaceState};

const PLUGIN: &str = "ns-unstick";

/// How often the operators' controllers are read again while a fix waits and runs: each read
/// lists every Deployment, StatefulSet, DaemonSet and Lease, so not every second.
const EVIDENCE_REFRESH: std::time::Duration = std::time::Duration::from_secs(10);

/// `kubectl ns-unstick NS… -o json|yaml` (kind `NamespaceDiagnosis`).
///
/// - `namespaces[]`: one per diagnosed namespace: `namespace` (name, uid, phase, created,
///   deletionTimestamp, specFinalizers, metadataFinalizers, conditions), `conditions[]` (type,
///   status, reason, message, lastTransition, `explanation` when True), `blockingApiServices[]`,
///   `leftovers[]` (resource {group, version, kind, plural}, namespace, name, uid, created,
///   deletionTimestamp, `finalizers[]` {name, state: builtin|alive|dead|unknown, owner, evidence}),
///   `unsearched[]` (resource, reason), `namespaceFinalizers[]`, `namespaceController`,
///   `blockers[]` (cause, detail, fix) — most important first.
/// - `unavailableApiServices[]`: name, uid, group, version, service, available, reason, message.
/// - `discoveryFailures[]`: groupVersion, reason. `searchedTypes`: how many types were listed.
/// - `notes[]`: reads that failed and what was skipped because of them.
/// - `plan` (with `--fix`): steps and warnings; `result`: the applier's report; `wait[]`:
///   namespace, gone, seconds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document<'a> {
    pub namespaces: &'a [Diagnosis],
    pub unavailable_api_services: Vec<&'a ApiServiceState>,
    pub discovery_failures: &'a [DiscoveryFailure],
    pub searched_types: usize,
    pub notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<&'a Plan>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<&'a Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait: Option<&'a [wait::WaitResult]>,
}

pub async fn run(cli: Cli) -> Result<Exit> {
    let mut printer = Printer::stdio(cli.output);
    if (cli.wants_fix() || cli.wait.is_some()) && cli.namespaces.is_empty() && !cli.all {
        return Err(Error::Usage(
            "--fix, --force-finalize, --remove-finalizer and --wait need NAMESPACE names or --all"
                .into(),
        ));
    }
    let kube = cli.kube.connect().await?;
    let cancel = Cancel::on_ctrl_c();
    if cli.namespaces.is_empty() && !cli.all {
        return list::list_terminating(&kube, cli.exit_code, &mut printer).await;
    }
    if cli.all && !cli.wants_fix() && cli.wait.is_none() {
        let concurrency = cli.mutation.concurrency.concurrency;
        return scan_run::run(&kube, concurrency, &cancel, &mut printer).await;
    }
    if cli.namespaces.iter().any(|a| a.contains('/')) {
        return object_run::run(&cli, &kube, &cancel, &mut printer).await;
    }
    unstick(&cli, &kube, &cancel, &mut printer).await
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

/// Whether any finalizer on the namespaces or their leftovers is custom (not built-in), so its
/// controller must be looked for before the diagnosis can call it alive or dead.
fn needs_controller_evidence(
    targets: &[NamespaceState],
    found: &[(Vec<model::Leftover>, Vec<diagnose::Unsearched>)],
) -> bool {
    found
        .iter()
        .flat_map(|(leftovers, _)| leftovers.iter().flat_map(|l| &l.finalizers))
        .chain(targets.iter().flat_map(|ns| &ns.metadata_finalizers))
        .any(|f| !finalizers::is_builtin(f))
}

#[allow(clippy::too_many_arguments)]
fn diagnose_all(
    targets: &[NamespaceState],
    found: &[(Vec<model::Leftover>, Vec<diagnose::Unsearched>)],
    api_services: &Result<Vec<ApiServiceState>>,
    api_error: &str,
    failures: &[DiscoveryFailure],
    evidence: &ControllerEvidence,
    lease: Option<&model::LeaseInfo>,
    named: &[String],
) -> Vec<Diagnosis> {
    let now = Timestamp::now();
    targets
        .iter()
        .zip(found)
        .map(|(ns, (leftovers, unsearched))| {
            diagnose(&Inputs {
                namespace: ns,
                api_services: api_services
                    .as_ref()
                    .map(Vec::as_slice)
                    .map_err(|_| api_error),
                discovery_failures: failures,
                leftovers: leftovers.clone(),
                unsearched: unsearched.clone(),
                evidence,
                controller_manager_lease: lease,
                named_finalizers: named,
                now,
            })
        })
        .collect()
}

async fn unstick(cli: &Cli, kube: &Kube, cancel: &Cancel, printer: &mut Printer) -> Result<Exit> {
    let concurrency = cli.mutation.concurrency.concurrency;
    let (targets, api_services, discovered, lease, webhooks) = futures::join!(
        targets(cli, kube),
        fetch::api_services(&kube.client),
        discovery::discover(&kube.client, concurrency, cancel),
        fetch::controller_manager_lease(&kube.client),
        fetch_webhooks::webhooks(&kube.client),
    );
    let targets = targets?;
    let discovered = discovered?;
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
    if cli.all && targets.is_empty() {
        printer.note("No namespace is Terminating.")?;
        return Ok(Exit::Ok);
    }

    // Every leftover in every stuck namespace: one metadata list per type, all concurrent.
    let stuck: Vec<&NamespaceState> = targets.iter().filter(|n| n.is_terminating()).collect();
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

    let evidence = if needs_controller_evidence(&targets, &per_namespace) {
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
    } else {
        ControllerEvidence {
            workloads: Ok(Vec::new()),
            leases: Ok(Vec::new()),
        }
    };
    let named = &cli.remove_finalizer;
    let mut diagnoses = diagnose_all(
        &targets,
        &per_namespace,
        &api_services,
        &api_error,
        &discovered.failures,
        &evidence,
        lease.as_ref(),
        named,
    );

    for d in &mut diagnoses {
        admission::amend(d, &webhooks);
    }
    let unavailable = list::unavailable_of(&api_services);
    let stuck_names: Vec<String> = stuck.iter().map(|n| n.name.clone()).collect();
    let human = !printer.format.is_structured();
    let now = Timestamp::now();
    if human {
        render::print_human(
            printer,
            &diagnoses,
            &unavailable,
            &stuck_names,
            &discovered,
            now,
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
        for note in &notes {
            printer.warn(note)?;
        }
    }

    let document = |plan, report, waited| Document {
        namespaces: &diagnoses,
        unavailable_api_services: unavailable.clone(),
        discovery_failures: &discovered.failures,
        searched_types: discovered.types.len(),
        notes: &notes,
        plan,
        result: report,
        wait: waited,
    };

    if !cli.wants_fix() {
        if !human {
            printer.document("NamespaceDiagnosis", &document(None, None, None))?;
        } else if !stuck.is_empty() {
            printer.note("Nothing was changed. Rerun with --fix to apply the fixes above (it shows the plan and asks first).")?;
        }
        return Ok(cli.exit_code.diagnosed(!stuck.is_empty()));
    }
    if stuck.is_empty() {
        if !human {
            printer.document("NamespaceDiagnosis", &document(None, None, None))?;
        }
        printer.note("No namespace to fix: none of them is Terminating.")?;
        return Ok(Exit::Ok);
    }

    let unavailable_owned: Vec<ApiServiceState> =
        unavailable.iter().map(|a| (*a).clone()).collect();
    let options = act::FixOptions {
        force_finalize: cli.force_finalize,
        named_finalizers: named.clone(),
    };
    let mut plan = act::plan(&diagnoses, &unavailable_owned, &options);
    admission::gate(
        &mut plan,
        &admission::Labels::of_namespaces(&diagnoses),
        &webhooks,
        admission::namespace_blockers(&diagnoses),
        cli.delete_dead_webhooks,
    )?;
    if plan.is_empty() {
        if !human {
            printer.document("NamespaceDiagnosis", &document(Some(&plan), None, None))?;
        }
        return act::refuse_or_wait(diagnoses.iter().flat_map(|d| &d.blockers), printer);
    }
    // The guard judges finalizers on the controllers as they are when each request goes out.
    let evidence = Refreshed::spawn(evidence, EVIDENCE_REFRESH, {
        let kube = kube.clone();
        move || {
            let kube = kube.clone();
            async move { Some(fetch::controller_evidence(&kube).await) }
        }
    });
    let recheck = act::Recheck {
        evidence: &evidence,
        named,
        force_finalize: cli.force_finalize,
    };
    let guard = |step: &firstaid::Step, current: &serde_json::Value| {
        if step.phase == admission::PHASE_WEBHOOKS {
            admission::guard(step, current, &webhooks)
        } else {
            recheck.check(step, current)
        }
    };
    let applier = Applier {
        kube,
        args: &cli.mutation,
        plugin: PLUGIN,
        cancel,
        guard: &guard,
    };
    let report = match applier.execute(&plan, printer).await {
        Ok(report) => report,
        Err(e) => {
            if !human {
                printer.document("NamespaceDiagnosis", &document(Some(&plan), None, None))?;
            }
            return Err(e);
        }
    };
    let mut waited = None;
    if let Some(timeout) = cli.wait {
        if cli.mutation.dry_run != DryRun::None {
            printer.note("--wait skipped: dry run")?;
        } else if report.all_succeeded() {
            let results =
                wait::wait(&kube.client, &stuck_names, timeout, printer.interactive()).await?;
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
            waited = Some(results);
        }
    }
    if !human {
        printer.document(
            "NamespaceDiagnosis",
            &document(Some(&plan), Some(&report), waited.as_deref()),
        )?;
    }
    report.into_result()?;
    if let Some(results) = &waited
        && let Some(r) = results.iter().find(|r| !r.gone)
    {
        return Err(Error::Other(format!(
            "namespace {} is still Terminating after the fix",
            r.namespace
        )));
    }
    Ok(Exit::Ok)
}
