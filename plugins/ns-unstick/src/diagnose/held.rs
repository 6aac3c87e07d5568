//! Leftovers held by finalizers: which finalizers are dead, which wait on a running controller.

use super::{Blocker, Cause, LeftoverFinding, list_some, plural};
use crate::finalizers::{FinalizerState, FinalizerVerdict};

/// The dead-finalizer and waiting-on-controller blockers of `leftovers`, pushed onto `out`;
/// returns the objects that carry no finalizer at all (whoever deletes them decides what that
/// means).
pub fn held_by_finalizers(
    leftovers: &[LeftoverFinding],
    named: &[String],
    out: &mut Vec<Blocker>,
) -> Vec<String> {
    let mut dead: Vec<String> = Vec::new();
    let mut waiting: Vec<String> = Vec::new();
    let mut bare: Vec<String> = Vec::new();
    for l in leftovers {
        let removable = l.removable(named);
        if !removable.is_empty() {
            dead.push(format!("{} ({})", l.object.display(), removable.join(", ")));
        }
        let kept: Vec<&FinalizerVerdict> = l
            .finalizer_verdicts
            .iter()
            .filter(|v| !removable.contains(&v.name))
            .collect();
        if !kept.is_empty() {
            waiting.push(format!(
                "{} ({})",
                l.object.display(),
                kept.iter()
                    .map(|v| format!("{} → {}", v.name, v.owner))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        } else if l.object.finalizers.is_empty() {
            bare.push(l.object.display());
        }
    }
    if !dead.is_empty() {
        out.push(Blocker {
            cause: Cause::DeadFinalizers,
            detail: format!(
                "{} held by finalizers nobody will remove: {}",
                plural(dead.len(), "object is", "objects are"),
                list_some(&dead, 5)
            ),
            fix: "--fix removes exactly those finalizers (nothing else on the objects changes)"
                .into(),
        });
    }
    if !waiting.is_empty() {
        let unknown = leftovers.iter().any(|l| {
            l.finalizer_verdicts
                .iter()
                .any(|v| v.state == FinalizerState::Unknown)
        });
        out.push(Blocker {
            cause: Cause::WaitingOnControllers,
            detail: format!(
                "{} waiting on controllers: {}",
                plural(waiting.len(), "object is", "objects are"),
                list_some(&waiting, 5)
            ),
            fix: if unknown {
                "check those controllers; if you know one is gone for good, --fix --remove-finalizer NAME removes its finalizer".into()
            } else {
                "check those controllers' logs: they should remove the finalizers; --fix --remove-finalizer NAME removes one anyway (skipping its cleanup)".into()
            },
        });
    }
    bare
}
