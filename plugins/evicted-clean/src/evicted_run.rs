//! The default mode as a [`Command`]: evicted (and other selected failed) pods explained, and
//! deleted with `--fix` — streamed: each pod to delete is backed up in full as it is listed, and
//! only a few fields of it are kept.

use firstaid::driver::{Command, Context, Fix};
use firstaid::{Format, Printer, Report, Result, Staged};

use crate::act;
use crate::cli::Cli;
use crate::fetch::{self, Failed, Listing};
use crate::guard::StillSelected;
use crate::render;
use crate::report::{Body, Findings, findings};
use crate::select::Criteria;
use crate::verify::{self, Verification};

pub struct Evicted<'c> {
    pub cli: &'c Cli,
    pub scope: Option<&'c str>,
    pub criteria: Criteria,
}

/// What the evicted-pod diagnosis found, and the backup staged while listing.
pub struct Found {
    failed: Failed,
    findings: Findings,
    staged: Option<Staged>,
    now: i64,
}

impl Evicted<'_> {
    fn include_bare(&self) -> bool {
        self.cli.fix.include_bare_pods
    }
}

impl Command for Evicted<'_> {
    type Found = Found;
    type Verified = Verification;

    async fn diagnose(&self, ctx: &Context<'_>, printer: &mut Printer) -> Result<Found> {
        let staged = if ctx.fixing {
            ctx.mutation.stage_backup(ctx.plugin)?
        } else {
            None
        };
        let include_bare = self.include_bare();
        let (node_index, failed) = tokio::join!(
            fetch::nodes_or_warn(ctx.kube, &mut *printer),
            fetch::failed_pods(
                ctx.kube,
                self.scope,
                &self.criteria,
                Listing::of(&self.cli.select),
                |p| act::deletes(p, include_bare),
                staged.as_ref(),
            )
        );
        let (node_index, failed) = (node_index?, failed?);
        let findings = findings(&failed, node_index.as_ref(), self.scope);
        Ok(Found {
            failed,
            findings,
            staged,
            now: fetch::now(),
        })
    }

    fn render(&self, ctx: &Context<'_>, found: &Found, printer: &mut Printer) -> Result<()> {
        if printer.format == Format::Name {
            for pod in &found.failed.pods {
                printer.line(&format!("pod/{}", pod.name))?;
            }
        } else {
            let select = &self.cli.select;
            let what = if select.reason.is_empty() && select.phase.is_empty() {
                "evicted pods"
            } else {
                "failed pod records"
            };
            render::evicted_report(
                printer,
                what,
                self.scope,
                &found.failed,
                &found.findings,
                found.now,
            )?;
            if !found.failed.pods.is_empty() && !ctx.fixing {
                printer.note("Nothing was changed. Rerun with --fix to delete these records (the plan is shown before anything is deleted).")?;
            }
        }
        if ctx.fixing && found.findings.bare > 0 && !self.include_bare() {
            printer.note(&format!(
                "{} bare pod(s) are left alone: nothing recreates them. Add --include-bare-pods to delete them too.",
                found.findings.bare
            ))?;
        }
        Ok(())
    }

    fn found_something(&self, found: &Found) -> bool {
        !found.failed.pods.is_empty()
    }

    fn fix<'s>(&'s self, _: &Context<'s>, found: &'s mut Found) -> Option<Fix<'s>> {
        let include_bare = self.include_bare();
        let outline = act::evicted_outline(&found.failed.pods, include_bare);
        if outline.is_empty() {
            return None;
        }
        let staged = found.staged.take();
        let criteria = &self.criteria;
        Some(Fix {
            outline,
            steps: Box::new(act::evicted_steps(&found.failed.pods, include_bare)),
            staged,
            guard: firstaid::guard::boxed(StillSelected { criteria }),
        })
    }

    fn nothing_to_fix(&self, _: &Found) -> Option<String> {
        Some("Nothing to delete.".into())
    }

    fn after_apply(&self, _: &Found, report: &Report, printer: &mut Printer) -> Result<()> {
        render::failures(printer, report)
    }

    /// Lists again and checks every pod the report calls deleted is gone (see [`verify`]).
    /// `None` when nothing was claimed done or the list failed — then a warning says the outcome
    /// could not be verified, and the report's own exit code stands.
    async fn verify(
        &self,
        ctx: &Context<'_>,
        found: &Found,
        report: &Report,
        printer: &mut Printer,
    ) -> Result<Option<Verification>> {
        let include_bare = self.include_bare();
        let claimed = verify::claimed_done(&found.failed.pods, include_bare, report);
        if claimed.is_empty() {
            return Ok(None);
        }
        let mut check = verify::Check::new(&claimed, &found.failed.pods);
        let listed = fetch::recheck(
            ctx.kube,
            self.scope,
            &self.criteria,
            Listing::of(&self.cli.select),
            include_bare,
            &mut check,
        )
        .await;
        match listed {
            Ok(()) => {
                let verification = check.finish();
                printer.note(&verification.summary())?;
                Ok(Some(verification))
            }
            Err(e) => {
                printer.warn(&format!(
                    "could not list the pods again to verify the deletes: {e}"
                ))?;
                Ok(None)
            }
        }
    }

    fn contradiction(verified: &Verification) -> Option<firstaid::Error> {
        verified.contradiction().map(firstaid::Error::Partial)
    }

    fn document(
        &self,
        found: &Found,
        result: Option<&Report>,
        verification: Option<&Verification>,
        printer: &mut Printer,
    ) -> Result<()> {
        let findings = &found.findings;
        let body = Body {
            scope: self.scope,
            mode: "evicted",
            criteria: self.cli.criteria_json(&self.criteria),
            listed: found.failed.listed,
            selected: found.failed.pods.len(),
            pods: &found.failed.pods,
            groups: &findings.groups,
            stuck: &[],
            nodes: &findings.node_reports,
            zones: &findings.zones,
            notes: &findings.notes,
            result,
            verification,
        };
        printer.document("EvictedPodReport", &body)
    }
}
