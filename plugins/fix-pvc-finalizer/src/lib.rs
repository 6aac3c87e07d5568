//! `kubectl fix-pvc-finalizer`: unstick PVCs, PVs and VolumeAttachments without losing data.
//!
//! The FAQs fix a stuck volume object by nulling all its finalizers. Those finalizers are the
//! data-loss protection: `kubernetes.io/pvc-protection` keeps a claim while a pod uses it, the
//! attacher's finalizer keeps an attachment until the disk is detached. This tool finds out what
//! each one still protects (fetch → diagnose, pure), explains it, and with `--fix` removes only the
//! finalizers whose reason is gone, through the shared plan/confirm/backup/apply path (act).

pub mod cli;

mod act;
mod diagnose;
mod facts;
mod fetch;
mod finalizers;
mod inventory;
mod live;
mod problems;
mod render;
mod safety;
mod select;

#[cfg(test)]
mod fixtures;

use firstaid::{Applier, Cancel, DryRun, Error, Exit, Printer, Result};

use crate::cli::Cli;
use crate::diagnose::Scope;
use crate::inventory::{Index, Inventory};
use crate::live::{Live, Versions};
use crate::render::{DOCUMENT_KIND, Document};
use crate::safety::Overrides;
use crate::select::Named;

const PLUGIN: &str = "fix-pvc-finalizer";

pub async fn run(cli: Cli) -> Result<Exit> {
    let named = select::parse(&cli.objects)?;
    let fixing = cli.mutation.fixing(cli.fix.fix);
    let overrides = Overrides {
        force_in_use: cli.fix.force_in_use,
        force_attached: cli.fix.force_attached,
    };
    let kube = cli.kube.connect().await?;
    let namespace = kube.scope(cli.all).map(str::to_owned);
    // Naming a volume or attachment can lead to a claim in any namespace: the safety rules must
    // see it, or "no claim" would look like "claim gone".
    let list_namespace = if named
        .iter()
        .any(|n| matches!(n, Named::Volume(_) | Named::Attachment(_)))
    {
        None
    } else {
        namespace.clone()
    };
    let scope = Scope {
        namespace: namespace.as_deref(),
        named: &named,
    };
    let watching = fixing && cli.mutation.dry_run != DryRun::Client;
    let versions = if watching {
        Some(Versions::read(&kube, list_namespace.as_deref()).await?)
    } else {
        None
    };
    let mut inventory = fetch::inventory(&kube, list_namespace.as_deref(), &named).await?;
    let (event_namespaces, lost_volumes) = {
        let index = Index::new(&inventory);
        let subjects = diagnose::select(&index, &scope)?;
        (
            diagnose::event_namespaces(&subjects, &index),
            diagnose::lost_volumes(subjects.claims.iter().copied()),
        )
    };
    inventory.events = fetch::events(&kube, &event_namespaces, &lost_volumes).await?;

    let now = firstaid::k8s::Timestamp::now();
    let index = Index::new(&inventory);
    let subjects = diagnose::select(&index, &scope)?;
    let findings = diagnose::diagnose(&index, &subjects, overrides, now);
    let problems = problems::find(&index, namespace.as_deref());
    let mut printer = Printer::stdio(cli.output);
    let human = !printer.format.is_structured();

    if human {
        if findings.is_empty() {
            let place = namespace.as_deref().map_or_else(
                || "in any namespace".to_owned(),
                |ns| format!("in namespace {ns}"),
            );
            printer.note(&format!(
                "No stuck PersistentVolumeClaims, PersistentVolumes or VolumeAttachments {place}."
            ))?;
        } else {
            printer.table(&render::table(&findings, now))?;
            if printer.format != firstaid::Format::Name {
                render::details(&mut printer, &findings)?;
            }
        }
        if !problems.is_empty() && printer.format != firstaid::Format::Name {
            printer.line("")?;
            printer.line("Other volume problems:")?;
            printer.table(&render::problems_table(&problems))?;
        }
    }

    let mut doc = Document {
        namespace: namespace.as_deref(),
        items: &findings,
        problems: &problems,
        plan: None,
        result: None,
        verification: None,
        refused: None,
    };
    if !fixing {
        if !human {
            printer.document(DOCUMENT_KIND, &doc)?;
        }
        return Ok(cli.exit_code.diagnosed(!findings.is_empty()));
    }

    let plan = act::plan(&findings, &index);
    let refused = act::refusals(&findings);
    let live_inventory = Inventory {
        events: Vec::new(),
        ..inventory.clone()
    };
    drop(subjects);
    drop(index);
    if human {
        printer.line("")?;
        if plan.is_empty() {
            printer.note("Nothing that is safe to fix.")?;
        }
    }
    let live = Live::new(live_inventory);
    let guard = |step: &firstaid::Step, current: &serde_json::Value| {
        live.with_index(|index| act::recheck(step, current, index, overrides))
    };
    let cancel = Cancel::on_ctrl_c();
    let applier = Applier {
        kube: &kube,
        args: &cli.mutation,
        plugin: PLUGIN,
        cancel: &cancel,
        guard: &guard,
    };
    let report = match &versions {
        Some(versions) => {
            let follow = live.follow(&kube, list_namespace.as_deref(), versions);
            tokio::pin!(follow);
            tokio::select! {
                biased;
                report = applier.execute(&plan, &mut printer) => report?,
                () = &mut follow => return Err(Error::Other("the watches ended unexpectedly".into())),
            }
        }
        None => applier.execute(&plan, &mut printer).await?,
    };
    for problem in live.broken() {
        printer.warn(&format!(
            "{problem}; the safety re-check used the state read at the start"
        ))?;
    }
    let verification = if cli.mutation.dry_run == DryRun::None && !plan.is_empty() {
        act::verify(&kube, &plan).await?
    } else {
        Vec::new()
    };
    if human && !verification.is_empty() {
        printer.line("Verify:")?;
        printer.table(&render::verification_table(&verification))?;
    }
    if !human {
        doc.plan = Some(&plan);
        doc.result = Some(&report);
        doc.verification = Some(&verification);
        doc.refused = Some(&refused);
        printer.document(DOCUMENT_KIND, &doc)?;
    }
    report.into_result()?;
    if !refused.is_empty() {
        let mut flags: Vec<&str> = refused
            .iter()
            .filter_map(|r| r.override_flag.as_deref())
            .collect();
        flags.sort_unstable();
        flags.dedup();
        let message = refused
            .iter()
            .map(|r| r.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        return Err(Error::Unsafe {
            message,
            override_flag: flags.join(" / "),
        });
    }
    Ok(Exit::Ok)
}
