//! The plugin as a [`Command`] of the shared driver: fetch and diagnose, render, and with `--fix`
//! the plan whose guard re-checks each object against lists kept current by watches.

use firstaid::driver::{Command, Context, Fix};
use firstaid::k8s::Timestamp;
use firstaid::{DryRun, Error, Format, Plan, Printer, Report, Result};

use crate::act::{self, Refusal, Verification};
use crate::diagnose::{self, Finding, Scope};
use crate::fetch;
use crate::inventory::{Index, Inventory};
use crate::live::{self, Versions};
use crate::problems::{self, Problem};
use crate::render::{self, DOCUMENT_KIND, Document};
use crate::safety::Overrides;
use crate::select::Named;
use firstaid::refreshed::Refreshed;

pub struct FixPvc {
    pub named: Vec<Named>,
    pub overrides: Overrides,
    /// The namespace the report covers (`None`: all).
    pub namespace: Option<String>,
    /// The namespace the lists cover: all of them when a named volume or attachment can lead to
    /// a claim anywhere — the safety rules must see it, or "no claim" would look like "claim gone".
    pub list_namespace: Option<String>,
    pub fixing: bool,
}

/// What the diagnosis found, and with `--fix` the plan, the refusals and the live lists.
pub struct Found {
    findings: Vec<Finding>,
    problems: Vec<Problem>,
    now: Timestamp,
    plan: Plan,
    refused: Vec<Refusal>,
    /// The lists the guard reads, kept current while the fix runs.
    live: Option<Refreshed<Inventory>>,
}

impl FixPvc {
    /// `--fix` with a request to the server: the guard's lists must then follow the cluster.
    fn watching(&self, ctx: &Context<'_>) -> bool {
        self.fixing && ctx.mutation.dry_run != DryRun::Client
    }
}

impl Command for FixPvc {
    type Found = Found;
    type Verified = Vec<Verification>;

    async fn diagnose(&self, ctx: &Context<'_>, _: &mut Printer) -> Result<Found> {
        let kube = ctx.kube;
        let list_namespace = self.list_namespace.as_deref();
        let scope = Scope {
            namespace: self.namespace.as_deref(),
            named: &self.named,
        };
        // Read before the lists: watches from here replay anything the lists might miss.
        let versions = if self.watching(ctx) {
            Some(Versions::read(kube, list_namespace).await?)
        } else {
            None
        };
        let mut inventory = fetch::inventory(kube, list_namespace, &self.named).await?;
        let (event_namespaces, lost_volumes) = {
            let index = Index::new(&inventory);
            let subjects = diagnose::select(&index, &scope)?;
            (
                diagnose::event_namespaces(&subjects, &index),
                diagnose::lost_volumes(subjects.claims.iter().copied()),
            )
        };
        inventory.events = fetch::events(kube, &event_namespaces, &lost_volumes).await?;

        let now = Timestamp::now();
        let index = Index::new(&inventory);
        let subjects = diagnose::select(&index, &scope)?;
        let findings = diagnose::diagnose(&index, &subjects, self.overrides, now);
        let problems = problems::find(&index, self.namespace.as_deref());
        let (plan, refused) = if self.fixing {
            (act::plan(&findings, &index), act::refusals(&findings))
        } else {
            (Plan::default(), Vec::new())
        };
        drop(subjects);
        drop(index);
        let live = self.fixing.then(|| {
            let lists = Inventory {
                events: Vec::new(),
                ..inventory
            };
            live::follow(kube, list_namespace, lists, versions)
        });
        Ok(Found {
            findings,
            problems,
            now,
            plan,
            refused,
            live,
        })
    }

    fn render(&self, _: &Context<'_>, found: &Found, printer: &mut Printer) -> Result<()> {
        let name_only = printer.format == Format::Name;
        if found.findings.is_empty() {
            let place = self.namespace.as_deref().map_or_else(
                || "in any namespace".to_owned(),
                |ns| format!("in namespace {ns}"),
            );
            printer.note(&format!(
                "No stuck PersistentVolumeClaims, PersistentVolumes or VolumeAttachments {place}."
            ))?;
        } else {
            printer.table(&render::table(&found.findings, found.now))?;
            if !name_only {
                render::details(printer, &found.findings)?;
            }
        }
        if !found.problems.is_empty() && !name_only {
            printer.line("")?;
            printer.line("Other volume problems:")?;
            printer.table(&render::problems_table(&found.problems))?;
        }
        if self.fixing {
            printer.line("")?;
        }
        Ok(())
    }

    fn found_something(&self, found: &Found) -> bool {
        !found.findings.is_empty()
    }

    fn fix<'s>(&'s self, _: &Context<'s>, found: &'s mut Found) -> Option<Fix<'s>> {
        let live = found.live.as_ref()?;
        let overrides = self.overrides;
        let guard = move |step: &firstaid::Step, current: &serde_json::Value| {
            live::with_index(live, |index| act::recheck(step, current, index, overrides))
        };
        Some(Fix::of_borrowed(&found.plan, Box::new(guard)))
    }

    fn nothing_to_fix(&self, _: &Found) -> Option<String> {
        Some("Nothing that is safe to fix.".into())
    }

    fn after_apply(&self, found: &Found, _: &Report, printer: &mut Printer) -> Result<()> {
        let broken = found.live.as_ref().map(Refreshed::broken);
        for problem in broken.into_iter().flatten() {
            printer.warn(&format!(
                "{problem}; the safety re-check used the state read at the start"
            ))?;
        }
        Ok(())
    }

    async fn verify(
        &self,
        ctx: &Context<'_>,
        found: &Found,
        _: &Report,
        printer: &mut Printer,
    ) -> Result<Option<Vec<Verification>>> {
        if found.plan.is_empty() {
            return Ok(None);
        }
        let verification = act::verify(ctx.kube, &found.plan).await?;
        if !printer.format.is_structured() && !verification.is_empty() {
            printer.line("Verify:")?;
            printer.table(&render::verification_table(&verification))?;
        }
        Ok(Some(verification))
    }

    fn refusal(&self, found: &Found) -> Option<Error> {
        act::refusal_error(&found.refused)
    }

    fn document(
        &self,
        found: &Found,
        result: Option<&Report>,
        verification: Option<&Vec<Verification>>,
        printer: &mut Printer,
    ) -> Result<()> {
        let fixing = self.fixing;
        let doc = Document {
            namespace: self.namespace.as_deref(),
            items: &found.findings,
            problems: &found.problems,
            plan: fixing.then_some(&found.plan),
            result,
            verification: fixing.then(|| verification.map_or(&[][..], Vec::as_slice)),
            refused: fixing.then_some(&found.refused[..]),
        };
        printer.document(DOCUMENT_KIND, &doc)
    }
}
