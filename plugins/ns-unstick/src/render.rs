//! Human output of a diagnosis: what the user reads at 3 a.m., most important first, each
//! finding with its evidence.

use firstaid::Printer;
use firstaid::Result;
use firstaid::k8s::Timestamp;
use firstaid::k8s::age;
use firstaid::output::{Cell, Column, Table, Tone};

use crate::diagnose::{Blocker, Cause, Diagnosis, LeftoverFinding, quick_reason};
use crate::finalizers::FinalizerState;
use crate::model::{ApiServiceState, NamespaceState};

fn state_cell(state: FinalizerState) -> Cell {
    match state {
        FinalizerState::Builtin => Cell::toned("built-in", Tone::Dim),
        FinalizerState::Alive => Cell::toned("controller running", Tone::Good),
        FinalizerState::Dead => Cell::toned("dead", Tone::Bad),
        FinalizerState::Unknown => Cell::toned("unknown", Tone::Warn),
    }
}

/// The list view: every Terminating namespace with age and one-line reason.
pub fn terminating_table(
    namespaces: &[&NamespaceState],
    unavailable: &[&ApiServiceState],
    now: Timestamp,
) -> Table {
    let mut table = Table::new(vec![
        Column::new("namespace"),
        Column::new("age"),
        Column::new("terminating"),
        Column::new("reason").shrink(),
    ]);
    for ns in namespaces {
        table.push(
            format!("namespace/{}", ns.name),
            vec![
                ns.name.clone().into(),
                age(ns.created, now).into(),
                age(ns.deletion_timestamp, now).into(),
                quick_reason(ns, unavailable, now).into(),
            ],
        );
    }
    table
}

/// APIServices that are not Available, and the Terminating namespaces they block.
pub fn api_services(
    printer: &mut Printer,
    unavailable: &[&ApiServiceState],
    blocked: &[String],
) -> Result<()> {
    if unavailable.is_empty() {
        return Ok(());
    }
    printer.line(&format!(
        "Unavailable APIServices — these block deletion of EVERY namespace in the cluster (now Terminating: {}):",
        if blocked.is_empty() { "none".to_owned() } else { blocked.join(", ") }
    ))?;
    let mut table = Table::new(vec![
        Column::new("apiservice"),
        Column::new("service"),
        Column::new("reason"),
        Column::new("message").shrink(),
    ]);
    for a in unavailable {
        table.push(
            format!("apiservice.apiregistration.k8s.io/{}", a.name),
            vec![
                a.name.clone().into(),
                a.service
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default()
                    .into(),
                Cell::toned(
                    if a.reason.is_empty() {
                        "Unknown".to_owned()
                    } else {
                        a.reason.clone()
                    },
                    Tone::Bad,
                ),
                a.message.clone().into(),
            ],
        );
    }
    printer.table(&table)?;
    printer.line("")
}

/// Objects with age, deletion age and finalizers (namespace-qualified when `namespaced`).
pub fn objects_table(objects: &[LeftoverFinding], now: Timestamp) -> Table {
    let mut table = Table::new(vec![
        Column::new("object"),
        Column::new("age"),
        Column::new("deleting"),
        Column::new("finalizers").shrink(),
    ]);
    for l in objects {
        let name = if l.object.namespace.is_empty() {
            l.object.display()
        } else {
            format!("{}/{}", l.object.namespace, l.object.display())
        };
        table.push(
            l.object.display(),
            vec![
                name.into(),
                age(l.object.created, now).into(),
                l.object
                    .deletion_timestamp
                    .map_or_else(|| "no".to_owned(), |t| format!("for {}", age(Some(t), now)))
                    .into(),
                l.object.finalizers.join(", ").into(),
            ],
        );
    }
    table
}

/// Every finalizer on `objects`, with who removes it and the evidence.
pub fn finalizer_table(objects: &[LeftoverFinding]) -> Table {
    let mut table = Table::new(vec![
        Column::new("finalizer"),
        Column::new("on"),
        Column::new("state"),
        Column::new("removed by"),
        Column::new("evidence").shrink(),
    ]);
    for l in objects {
        for v in &l.finalizer_verdicts {
            table.push(
                v.name.clone(),
                vec![
                    v.name.clone().into(),
                    l.object.display().into(),
                    state_cell(v.state),
                    v.owner.clone().into(),
                    v.evidence.clone().into(),
                ],
            );
        }
    }
    table
}

/// Admission webhooks that intercept what this namespace's deletion needs.
fn webhooks(printer: &mut Printer, d: &Diagnosis) -> Result<()> {
    if d.webhooks.is_empty() {
        return Ok(());
    }
    printer.line("")?;
    printer.line(&printer.paint(
        "Admission webhooks intercepting these deletes or finalizer patches:",
        Tone::Bold,
    ))?;
    let mut table = Table::new(vec![
        Column::new("webhook"),
        Column::new("configuration"),
        Column::new("failurePolicy"),
        Column::new("backend"),
        Column::new("intercepts").shrink(),
    ]);
    for f in &d.webhooks {
        let w = &f.webhook;
        let mut intercepts = Vec::new();
        if !f.intercepts_delete.is_empty() {
            intercepts.push(format!("DELETE {}", f.intercepts_delete.join(", ")));
        }
        if !f.intercepts_update.is_empty() {
            intercepts.push(format!("UPDATE {}", f.intercepts_update.join(", ")));
        }
        if f.match_conditions_not_evaluated {
            intercepts.push("(matchConditions not evaluated)".into());
        }
        let backend = w.backend.describe();
        table.push(
            w.name.clone(),
            vec![
                w.name.clone().into(),
                w.configuration_display().into(),
                if w.fails_closed() { "Fail" } else { "Ignore" }.into(),
                if f.rejects_all {
                    Cell::toned(backend, Tone::Bad)
                } else {
                    backend.into()
                },
                intercepts.join("; ").into(),
            ],
        );
    }
    printer.table(&table)
}

pub fn diagnosis(
    printer: &mut Printer,
    d: &Diagnosis,
    searched_types: usize,
    now: Timestamp,
) -> Result<()> {
    let ns = &d.namespace;
    let bold = |p: &Printer, s: &str| p.paint(s, Tone::Bold);
    if d.blockers
        .first()
        .is_some_and(|b| b.cause == Cause::NotTerminating)
    {
        return printer.line(&format!(
            "Namespace {}: {}, not Terminating — nothing to do.",
            ns.name, ns.phase
        ));
    }
    let header = format!(
        "Namespace {}: Terminating for {} (deleted {}, created {} ago)",
        ns.name,
        age(ns.deletion_timestamp, now),
        ns.deletion_timestamp
            .map_or_else(|| "?".to_owned(), |t| t.to_string()),
        age(ns.created, now)
    );
    printer.line(&bold(printer, &header))?;
    printer.line(&format!(
        "  spec.finalizers: [{}]   metadata.finalizers: [{}]",
        ns.spec_finalizers.join(", "),
        ns.metadata_finalizers.join(", ")
    ))?;
    printer.line(&format!(
        "  namespace controller: {}",
        d.namespace_controller
    ))?;

    let problems: Vec<_> = d
        .conditions
        .iter()
        .filter(|c| c.explanation.is_some())
        .collect();
    if !problems.is_empty() {
        printer.line("")?;
        printer.line(&bold(printer, "Conditions:"))?;
        for c in problems {
            printer.line(&format!(
                "  {} ({}): {}",
                printer.paint(&c.condition.type_, Tone::Warn),
                c.condition.reason,
                c.condition.message
            ))?;
            if let Some(e) = &c.explanation {
                printer.line(&format!("    → {e}"))?;
            }
        }
    }

    printer.line("")?;
    printer.line(&bold(
        printer,
        &format!(
            "Objects left in {} ({} found in {} resource types searched):",
            ns.name,
            d.leftovers.len(),
            searched_types
        ),
    ))?;
    if d.leftovers.is_empty() {
        printer.line("  none")?;
    } else {
        printer.table(&objects_table(&d.leftovers, now))?;
    }

    let mut finalizers = finalizer_table(&d.leftovers);
    for v in &d.namespace_finalizers {
        finalizers.push(
            v.name.clone(),
            vec![
                v.name.clone().into(),
                format!("namespace/{}", ns.name).into(),
                state_cell(v.state),
                v.owner.clone().into(),
                v.evidence.clone().into(),
            ],
        );
    }
    if !finalizers.is_empty() {
        printer.line("")?;
        printer.line(&bold(printer, "Finalizers — who removes them:"))?;
        printer.table(&finalizers)?;
    }
    webhooks(printer, d)?;
    if !d.unsearched.is_empty() {
        printer.line("")?;
        printer.line(&bold(printer, "Could not search:"))?;
        for u in &d.unsearched {
            printer.line(&format!("  {}: {}", u.resource.qualified(), u.reason))?;
        }
    }

    verdict(
        printer,
        &d.blockers,
        "nothing found blocking; the namespace controller should finish shortly",
    )
}

/// The numbered blockers, each with its fix (`none` when there are none).
pub fn verdict(printer: &mut Printer, blockers: &[Blocker], none: &str) -> Result<()> {
    printer.line("")?;
    printer.line(&printer.paint("Verdict:", Tone::Bold))?;
    if blockers.is_empty() {
        printer.line(&format!("  {none}"))?;
    }
    for (i, b) in blockers.iter().enumerate() {
        printer.line(&format!("  {}. {}", i + 1, b.detail))?;
        printer.line(&format!("     fix: {}", b.fix))?;
    }
    printer.line("")
}
/// The whole diagnosis in the human formats (`-o name`: the leftovers).
pub fn print_human(
    printer: &mut Printer,
    diagnoses: &[Diagnosis],
    unavailable: &[&ApiServiceState],
    stuck_names: &[String],
    discovered: &crate::discovery::Discovered,
    now: Timestamp,
) -> Result<()> {
    if printer.format == firstaid::Format::Name {
        for d in diagnoses {
            for l in &d.leftovers {
                printer.line(&l.object.display())?;
            }
        }
        return Ok(());
    }
    api_services(printer, unavailable, stuck_names)?;
    for d in diagnoses {
        diagnosis(printer, d, discovered.types.len(), now)?;
    }
    Ok(())
}
