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
mod unstick_run;
mod wait;
pub mod webhooks;

use firstaid::apply::Report;
use firstaid::driver::{Context, drive};
use firstaid::plan::Plan;
use firstaid::{Cancel, Error, Exit, Printer, Result};
use serde::Serialize;

use crate::cli::Cli;
use crate::diagnose::Diagnosis;
use crate::model::{ApiServiceState, DiscoveryFailure};
use crate::unstick_run::Unstick;

const PLUGIN: &str = "ns-unstick";

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
    let ctx = Context {
        kube: &kube,
        mutation: &cli.mutation,
        plugin: PLUGIN,
        cancel: &cancel,
        fixing: cli.wants_fix(),
        exit_code: cli.exit_code,
    };
    if cli.all && !cli.wants_fix() && cli.wait.is_none() {
        return drive(&scan_run::AllStuck, &ctx, &mut printer).await;
    }
    if cli.namespaces.iter().any(|a| a.contains('/')) {
        let refs = object_run::refs(&cli)?;
        let command = object_run::Objects { cli: &cli, refs };
        return drive(&command, &ctx, &mut printer).await;
    }
    drive(&Unstick { cli: &cli }, &ctx, &mut printer).await
}
