//! After the deletes: list again and hold the report to what the cluster shows.
//!
//! A delete the server answered with success is not always a pod gone: a pod with finalizers only
//! gets a deletionTimestamp, and an API server that dies between the two writes of a delete leaves
//! the pod stored (see [`crate::select::Deletion::Unfinished`]). A run — especially a rerun after
//! a crash — must not say "done" while the pods are still there, so one more list (same scope and
//! selectors; after a successful run it returns next to nothing) checks every pod the report calls
//! done, and counts records that qualify but were not in the plan (evicted while the fix ran).

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use firstaid::Report;
use serde::Serialize;

use crate::act::deletes;
use crate::select::FailedPod;

/// How many names of pods still there the report lists (the count has them all).
const NAMES_UP_TO: usize = 20;

/// What the list after the fix showed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// Pods the server returned for the field selector.
    pub listed: usize,
    /// Pods the report says were deleted (or already gone) that are still there, same uid.
    pub not_gone: usize,
    /// The first of them, `namespace/name`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_gone_names: Vec<String>,
    /// Records `--fix` would delete that were not in this run's plan (new since the listing).
    pub appeared: usize,
}

/// The pods of the plan whose step the report counts as succeeded: `(namespace, name) → uid`.
/// The report lists every step that did not succeed (and, for small plans, every step), so the
/// rest of the plan succeeded.
pub fn claimed_done(
    pods: &[FailedPod],
    include_bare: bool,
    report: &Report,
) -> HashMap<(String, String), String> {
    let attention: BTreeSet<(String, String)> = report
        .results
        .iter()
        .filter(|r| !r.outcome.succeeded())
        .map(|r| {
            (
                r.step.target.namespace.clone().unwrap_or_default(),
                r.step.target.name.clone(),
            )
        })
        .collect();
    pods.iter()
        .filter(|p| deletes(p, include_bare))
        .map(|p| ((p.namespace.to_string(), p.name.clone()), p.uid.clone()))
        .filter(|(key, _)| !attention.contains(key))
        .collect()
}

/// Folds the pods listed after the fix into a [`Verification`], one [`Check::pod`] call per
/// listed pod: its namespace, name and uid, and whether `--fix` would select and delete it now.
#[derive(Debug)]
pub struct Check<'a> {
    claimed: &'a HashMap<(String, String), String>,
    /// Uids of the plan's pods: a pod recreated under a planned name is a new record.
    planned: BTreeSet<String>,
    out: Verification,
}

impl<'a> Check<'a> {
    pub fn new(claimed: &'a HashMap<(String, String), String>, plan: &[FailedPod]) -> Self {
        Check {
            claimed,
            planned: plan.iter().map(|p| p.uid.clone()).collect(),
            out: Verification::default(),
        }
    }

    pub fn pod(&mut self, namespace: &str, name: &str, uid: &str, would_delete: bool) {
        self.out.listed += 1;
        let key = (namespace.to_owned(), name.to_owned());
        if self.claimed.get(&key).is_some_and(|u| u == uid) {
            self.out.not_gone += 1;
            if self.out.not_gone_names.len() < NAMES_UP_TO {
                self.out.not_gone_names.push(format!("{namespace}/{name}"));
            }
        } else if would_delete && !self.planned.contains(uid) {
            self.out.appeared += 1;
        }
    }

    pub fn finish(self) -> Verification {
        self.out
    }
}

impl Verification {
    /// `Some(message)` when the report called pods done that the cluster still shows.
    pub fn contradiction(&self) -> Option<String> {
        (self.not_gone > 0).then(|| {
            format!(
                "{} pod(s) reported deleted are still there (e.g. {}); rerun to finish them",
                self.not_gone,
                self.not_gone_names
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }

    /// One line for the human report.
    pub fn summary(&self) -> String {
        let mut line = if self.not_gone == 0 {
            "Verified: every pod reported deleted is gone".to_owned()
        } else {
            format!(
                "Verify: {} pod(s) reported deleted are still there",
                self.not_gone
            )
        };
        if self.appeared > 0 {
            let _ = write!(
                line,
                "; {} new record(s) appeared while the fix ran (run again to delete them)",
                self.appeared
            );
        }
        line.push('.');
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::{Interner, evicted_fixture};
    use firstaid::apply::{Counts, StepResult};
    use firstaid::{Action, DryRun, Outcome, Step};

    fn report(results: Vec<(&str, Outcome)>) -> Report {
        let results = results
            .into_iter()
            .map(|(name, outcome)| StepResult {
                step: Step::new(
                    firstaid::Target {
                        group: String::new(),
                        version: "v1".into(),
                        kind: "Pod".into(),
                        plural: "pods".into(),
                        namespace: Some("shop".into()),
                        name: name.into(),
                        uid: None,
                        resource_version: None,
                    },
                    Action::Delete {
                        grace_period_seconds: None,
                    },
                    "",
                ),
                outcome,
            })
            .collect();
        Report {
            dry_run: DryRun::None,
            results,
            succeeded_not_listed: 0,
            backup_dir: None,
            interrupted: false,
            counts: Counts::default(),
            plan_digest: None,
        }
    }

    #[test]
    fn done_means_gone_and_failures_are_not_claimed() {
        let mut s = Interner::default();
        let pods = vec![
            evicted_fixture(&mut s, "a", true),
            evicted_fixture(&mut s, "b", true),
            evicted_fixture(&mut s, "c", true),
            evicted_fixture(&mut s, "bare", false),
        ];
        // Big-plan style: only the failure is listed; a, c succeeded without being listed.
        let report = report(vec![(
            "b",
            Outcome::Failed {
                error: "connection refused".into(),
            },
        )]);
        let claimed = claimed_done(&pods, false, &report);
        assert_eq!(claimed.len(), 2, "a and c; b failed, bare was not planned");
        let mut check = Check::new(&claimed, &pods);
        check.pod("shop", "a", "uid-a", true); // claimed deleted, still there
        check.pod("shop", "b", "uid-b", true); // failed, still there: honest already
        check.pod("shop", "c", "uid-c2", true); // recreated under the same name: a new record
        check.pod("shop", "new", "uid-new", true); // evicted while the fix ran
        check.pod("shop", "bare", "uid-bare", false);
        let v = check.finish();
        assert_eq!(v.listed, 5);
        assert_eq!(v.not_gone, 1);
        assert_eq!(v.not_gone_names, ["shop/a"]);
        assert_eq!(v.appeared, 2);
        assert!(v.contradiction().is_some_and(|m| m.contains("shop/a")));
        assert!(v.summary().contains("2 new record(s)"));
    }

    #[test]
    fn an_empty_cluster_agrees() {
        let mut s = Interner::default();
        let pods = vec![evicted_fixture(&mut s, "a", true)];
        let report = report(vec![("a", Outcome::Applied)]);
        let claimed = claimed_done(&pods, false, &report);
        let v = Check::new(&claimed, &pods).finish();
        assert_eq!(v, Verification::default());
        assert!(v.contradiction().is_none());
        assert_eq!(v.summary(), "Verified: every pod reported deleted is gone.");
    }
}
