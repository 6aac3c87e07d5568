//! What the user sees: a kubectl-style table of stuck objects, the evidence and advice per object
//! (human formats), or one JSON/YAML document.

use firstaid::k8s::Timestamp;
use firstaid::output::{Cell, Column, Table, Tone};
use firstaid::{Plan, Printer, Report, Result};
use serde::Serialize;

use crate::act::{Refusal, Verification};
use crate::diagnose::Finding;
use crate::problems::Problem;
use crate::safety::Decision;
use firstaid::k8s::age;

/// The `-o json|yaml` document, kind `StuckVolumeReport` (apiVersion `firstaid.dev/v1`).
///
/// - `namespace`: the namespace looked at; absent with `-A`.
/// - `items[]`: one per stuck (or named) object — `kind` (PersistentVolumeClaim,
///   PersistentVolume, VolumeAttachment), `namespace`, `name`, `uid`, `status` (Terminating,
///   Orphaned, Lost, or the phase), `deletionTimestamp`, `finalizers[]` (`name`, `removedBy`,
///   `fixRemoves`), `summary`, `decision` (`decision`: release | refuse | leave, with
///   `finalizers`, `deleteFirst`, `forceDeletePods` / `message`, `overrideFlag` / `reason`),
///   `pods[]` (claims: every pod naming it, with `node`, `nodeState`, `phase`, `status`, `kind`:
///   active | terminating | finished | shutDown | onVanishedNode | unscheduled), `volume`
///   (`name`, `phase`, `reclaimPolicy`, `storageClass`, `driver`, `volumeHandle`), `claim`,
///   `attachments[]` (`name`, `attacher`, `node`, `nodeState`, `attached`, `terminating`,
///   `detachError`), `waitingPods[]` (with `events[]`), `lost` (a claim in phase Lost:
///   `volume`, `reclaimPolicy` and `reclaimPolicyFrom` when still known, `recreate`: the command
///   that creates a fresh claim like it), `evidence[]`, `advice[]`, `warnings[]`. A refusal no
///   flag waives has no `overrideFlag`.
/// - `problems[]`: other volume failures found (`kind`: MultiAttach, NodeAffinityConflict,
///   NoDefaultStorageClass, MissingStorageClass; `namespace`, `claim`, `message`, `advice`).
/// - With `--fix`: `plan` (steps and warnings), `result` (the shared Applier report),
///   `verification[]` (`object`, `gone`, `remainingFinalizers`, `detail`) and `refused[]`
///   (`object`, `message`, `overrideFlag`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<&'a str>,
    pub items: &'a [Finding],
    pub problems: &'a [Problem],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<&'a Plan>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<&'a Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<&'a [Verification]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<&'a [Refusal]>,
}

pub const DOCUMENT_KIND: &str = "StuckVolumeReport";

fn fix_cell(decision: &Decision) -> Cell {
    match decision {
        Decision::Release {
            finalizers,
            delete_first,
            force_delete_pods,
        } => {
            let mut parts = Vec::new();
            if !force_delete_pods.is_empty() {
                parts.push(format!("force-delete {} pod(s)", force_delete_pods.len()));
            }
            if *delete_first {
                parts.push("delete".into());
            }
            if !finalizers.is_empty() {
                parts.push(format!("remove {}", finalizers.join(",")));
            }
            Cell::toned(parts.join(", then "), Tone::Good)
        }
        Decision::Refuse {
            override_flag: Some(flag),
            ..
        } => Cell::toned(format!("refused (needs {flag})"), Tone::Bad),
        Decision::Refuse { .. } => Cell::toned("refused", Tone::Bad),
        Decision::Leave { .. } => Cell::toned("none", Tone::Dim),
    }
}

pub fn table(findings: &[Finding], now: Timestamp) -> Table {
    let mut t = Table::new(vec![
        Column::new("namespace"),
        Column::new("name"),
        Column::new("status"),
        Column::new("age").right(),
        Column::new("finalizers").wide(),
        Column::new("diagnosis").shrink(),
        Column::new("fix"),
    ]);
    for f in findings {
        let name = format!("{}/{}", f.kind.short(), f.name);
        let tone = match f.status.as_str() {
            "Terminating" | "Orphaned" => Tone::Warn,
            _ => Tone::Dim,
        };
        t.push(
            name.clone(),
            vec![
                f.namespace.clone().unwrap_or_else(|| "-".into()).into(),
                name.into(),
                Cell::toned(f.status.clone(), tone),
                f.deletion_timestamp
                    .map_or_else(|| "-".into(), |t| age(Some(t), now))
                    .into(),
                f.finalizers
                    .iter()
                    .map(|x| x.name.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
                    .into(),
                f.summary.clone().into(),
                fix_cell(&f.decision),
            ],
        );
    }
    t
}

/// The evidence, advice and warnings under the table.
pub fn details(printer: &mut Printer, findings: &[Finding]) -> Result<()> {
    for f in findings {
        printer.line("")?;
        printer.line(&format!("{}:", f.object()))?;
        for x in &f.finalizers {
            let mark = if x.fix_removes {
                " [--fix removes]"
            } else {
                ""
            };
            printer.line(&format!(
                "  finalizer {}{mark}: removed by {}",
                x.name, x.removed_by
            ))?;
        }
        for e in &f.evidence {
            printer.line(&format!("  {e}"))?;
        }
        for w in &f.warnings {
            let text = printer.paint(&format!("  ! {w}"), Tone::Warn);
            printer.line(&text)?;
        }
        if let Decision::Refuse { message, .. } = &f.decision {
            let text = printer.paint(&format!("  refused: {message}"), Tone::Bad);
            printer.line(&text)?;
        }
        for a in &f.advice {
            printer.line(&format!("  → {a}"))?;
        }
    }
    Ok(())
}

pub fn problems_table(problems: &[Problem]) -> Table {
    let mut t = Table::new(vec![
        Column::new("namespace"),
        Column::new("claim"),
        Column::new("problem"),
        Column::new("evidence").shrink(),
        Column::new("what to do").shrink(),
    ]);
    for p in problems {
        t.push(
            format!("persistentvolumeclaim/{}", p.claim),
            vec![
                p.namespace.clone().into(),
                p.claim.clone().into(),
                Cell::toned(format!("{:?}", p.kind), Tone::Warn),
                p.message.clone().into(),
                p.advice.clone().into(),
            ],
        );
    }
    t
}

pub fn verification_table(checks: &[Verification]) -> Table {
    let mut t = Table::new(vec![Column::new("object"), Column::new("now").shrink()]);
    for v in checks {
        let tone = if v.gone { Tone::Good } else { Tone::Warn };
        t.push(
            v.object.clone(),
            vec![v.object.clone().into(), Cell::toned(v.detail.clone(), tone)],
        );
    }
    t
}
