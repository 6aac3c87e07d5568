//! The command driver: everything a diagnosing (and possibly fixing) command does around its own
//! diagnosis, in one order for every plugin — fetch and diagnose → render (table, wide, name) →
//! with a fix: plan → the [`Applier`] (preflight, confirm, backup, server dry run, apply with
//! the plugin's guard) → verify on a fresh read → the `-o json|yaml` document → the exit code.
//!
//! A plugin implements [`Command`] (what is specific to it) and calls [`drive`]. The rules that
//! must mean the same in every plugin live here once: a verification runs only after a real,
//! uninterrupted apply; a failed step, a conflict or a contradicted verification decides the exit
//! code before `--exit-code` does; structured output is one document printed at the end.

mod exit_code;

use std::future::Future;

use serde_json::Value;

pub use exit_code::ExitCodeArg;

use crate::apply::{Applier, DryRun, MutationArgs, Report};
use crate::backup::Staged;
use crate::concurrency::Cancel;
use crate::error::{Error, Result};
use crate::exit::Exit;
use crate::kubeargs::Kube;
use crate::output::Printer;
use crate::plan::{Outline, Plan, Step};

/// What a command runs with: the connection, the mutation flags and what the user asked for.
pub struct Context<'a> {
    pub kube: &'a Kube,
    pub mutation: &'a MutationArgs,
    /// Names the backup directory (`…/backups/<plugin>/…`).
    pub plugin: &'a str,
    pub cancel: &'a Cancel,
    /// Whether this run changes the cluster (`--fix`, or a flag implying it: see
    /// [`MutationArgs::fixing`]).
    pub fixing: bool,
    pub exit_code: ExitCodeArg,
}

/// The plugin's own safety rule, asked again on each object as it is just before the request
/// (see [`crate::apply::Guard`]): `Some(reason)` skips the step.
pub type GuardFn<'a> = Box<dyn Fn(&Step, &Value) -> Option<String> + Sync + 'a>;

/// A fix the diagnosis proposes, ready for the [`Applier`].
pub struct Fix<'a> {
    /// What is shown, permission-checked, confirmed and digested.
    pub outline: Outline,
    /// The steps the outline counts, in phase order, drawn lazily.
    pub steps: Box<dyn Iterator<Item = Step> + 'a>,
    /// Full objects backed up while listing (see [`Staged`]), when the command streams.
    pub staged: Option<Staged>,
    pub guard: GuardFn<'a>,
}

impl<'a> Fix<'a> {
    /// A fix from a plan held whole (small plans: namespaces, claims, stuck pods).
    pub fn of_plan(plan: Plan, guard: GuardFn<'a>) -> Fix<'a> {
        Fix {
            outline: plan.outline(),
            steps: Box::new(plan.into_ordered()),
            staged: None,
            guard,
        }
    }

    /// A fix from a plan the command keeps (its document shows the plan too).
    pub fn of_borrowed(plan: &'a Plan, guard: GuardFn<'a>) -> Fix<'a> {
        Fix {
            outline: plan.outline(),
            steps: Box::new(plan.ordered().into_iter().cloned()),
            staged: None,
            guard,
        }
    }
}

/// What one plugin command contributes; [`drive`] does the rest.
pub trait Command {
    /// What the diagnosis found.
    type Found;
    /// What the check after a fix found.
    type Verified;

    /// Reads the cluster and diagnoses (warnings may be printed on the way).
    fn diagnose(
        &self,
        ctx: &Context<'_>,
        printer: &mut Printer,
    ) -> impl Future<Output = Result<Self::Found>>;

    /// Prints the diagnosis in a human format (table, wide or name).
    fn render(&self, ctx: &Context<'_>, found: &Self::Found, printer: &mut Printer) -> Result<()>;

    /// Whether the diagnosis found something stuck (for `--exit-code`).
    fn found_something(&self, found: &Self::Found) -> bool;

    /// The fix for what was found, or `None` when there is nothing to change (a read-only
    /// command never has one).
    fn fix<'s>(&'s self, _ctx: &Context<'s>, _found: &'s mut Self::Found) -> Option<Fix<'s>> {
        None
    }

    /// The note printed when the fix has nothing to change (`None`: nothing to add, e.g. the
    /// refusal will say why).
    fn nothing_to_fix(&self, _found: &Self::Found) -> Option<String> {
        None
    }

    /// Extra notes after the Applier's report.
    fn after_apply(
        &self,
        _found: &Self::Found,
        _report: &Report,
        _printer: &mut Printer,
    ) -> Result<()> {
        Ok(())
    }

    /// What the fix refused to do for the user's safety (exit 4 with its override), checked
    /// after everything it could do was done.
    fn refusal(&self, _found: &Self::Found) -> Option<Error> {
        None
    }

    /// Reads the cluster again after a real apply and checks what the report claims.
    fn verify(
        &self,
        _ctx: &Context<'_>,
        _found: &Self::Found,
        _report: &Report,
        _printer: &mut Printer,
    ) -> impl Future<Output = Result<Option<Self::Verified>>> {
        async { Ok(None) }
    }

    /// What in a verification contradicts the report, if anything, as the error the run ends
    /// with (for example [`Error::Partial`]: an object reported deleted is still there).
    fn contradiction(_verified: &Self::Verified) -> Option<Error> {
        None
    }

    /// The `-o json|yaml` document.
    fn document(
        &self,
        found: &Self::Found,
        result: Option<&Report>,
        verified: Option<&Self::Verified>,
        printer: &mut Printer,
    ) -> Result<()>;
}

/// Runs `cmd` from diagnosis to exit code.
pub async fn drive<C: Command>(cmd: &C, ctx: &Context<'_>, printer: &mut Printer) -> Result<Exit> {
    let mut found = cmd.diagnose(ctx, printer).await?;
    let structured = printer.format.is_structured();
    if !structured {
        cmd.render(ctx, &found, printer)?;
    }
    let (result, verified) = if ctx.fixing {
        match apply(cmd, ctx, &mut found, printer).await {
            Ok(done) => done,
            Err(e) => {
                // The diagnosis is still worth having (the error says what stopped the fix).
                if structured {
                    cmd.document(&found, None, None, printer)?;
                }
                return Err(e);
            }
        }
    } else {
        (None, None)
    };
    if structured {
        cmd.document(&found, result.as_ref(), verified.as_ref(), printer)?;
    }
    if let Some(report) = &result {
        report.into_result()?;
    }
    if ctx.fixing
        && let Some(refusal) = cmd.refusal(&found)
    {
        return Err(refusal);
    }
    if let Some(contradiction) = verified.as_ref().and_then(C::contradiction) {
        return Err(contradiction);
    }
    Ok(if ctx.fixing {
        Exit::Ok
    } else {
        ctx.exit_code.diagnosed(cmd.found_something(&found))
    })
}

async fn apply<C: Command>(
    cmd: &C,
    ctx: &Context<'_>,
    found: &mut C::Found,
    printer: &mut Printer,
) -> Result<(Option<Report>, Option<C::Verified>)> {
    let applier = |guard| Applier {
        kube: ctx.kube,
        args: ctx.mutation,
        plugin: ctx.plugin,
        cancel: ctx.cancel,
        guard,
    };
    let report = {
        let nothing = cmd.nothing_to_fix(found);
        let Some(fix) = cmd.fix(ctx, found) else {
            if let Some(note) = nothing {
                printer.note(&note)?;
            }
            // `--confirm-plan` holds for an empty plan too: the reviewed one may not have been.
            applier(&|_, _| None)
                .execute(&Plan::default(), printer)
                .await?;
            return Ok((None, None));
        };
        if fix.outline.is_empty()
            && let Some(note) = nothing
        {
            printer.note(&note)?;
        }
        applier(&*fix.guard)
            .execute_streamed(&fix.outline, fix.steps, fix.staged, printer)
            .await?
    };
    cmd.after_apply(found, &report, printer)?;
    // Only a real, finished apply changed something a fresh read can confirm.
    let verified = if ctx.mutation.dry_run == DryRun::None && !report.interrupted {
        cmd.verify(ctx, found, &report, printer).await?
    } else {
        None
    };
    Ok((Some(report), verified))
}

#[cfg(test)]
mod tests;
