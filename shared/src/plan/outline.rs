//! A plan as the confirmation needs it: counts, groups and permissions, built one step at a time.

use super::{Digest, Plan, Risk, Step};
use crate::access::Permission;
use crate::output::{Cell, Column, Table};

impl Plan {
    /// The plan as counts: one row per namespace, action, risk and reason, largest first. For
    /// bulk plans, where a row per object would bury the confirmation question.
    pub fn grouped_table(&self) -> Table {
        self.outline().grouped_table()
    }

    /// What is shown and checked before confirmation, for [`crate::Applier::execute_streamed`].
    pub fn outline(&self) -> Outline {
        let mut outline = Outline::new(self.canary_dry_run);
        outline.warnings.clone_from(&self.warnings);
        for step in self.ordered() {
            outline.add(step);
        }
        outline
    }
}

/// Rows of a plan's steps shown one per object up to this many; above, grouped counts.
pub const LIST_STEPS_UP_TO: usize = 50;

type GroupKey = (Option<String>, String, Risk, String, bool);

/// A plan as the confirmation needs it, without its steps: the count, the steps grouped by
/// namespace, action, risk and reason (and the steps themselves only while there are few), the
/// permissions they need and the warnings. Built one step at a time, so a plan of 50,000 deletes
/// can be shown, checked and confirmed while its steps are produced again, page by page, for
/// the apply.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    pub total: usize,
    /// Steps that change a Secret: their backups are redacted, and the user is told so.
    pub secrets: usize,
    /// Said before confirmation.
    pub warnings: Vec<String>,
    /// See [`Plan::canary_dry_run`].
    pub canary_dry_run: bool,
    /// Every step's fingerprint, for `--confirm-plan`.
    pub digest: Digest,
    groups: std::collections::BTreeMap<GroupKey, usize>,
    permissions: std::collections::BTreeSet<Permission>,
    /// The first [`LIST_STEPS_UP_TO`] steps (without snapshots), for a per-object table.
    first: Vec<Step>,
}

impl Outline {
    pub fn new(canary_dry_run: bool) -> Self {
        Outline {
            canary_dry_run,
            ..Outline::default()
        }
    }

    /// Counts one step in (in the order the steps will run).
    pub fn add(&mut self, step: &Step) {
        self.total += 1;
        self.digest.add(step);
        if step.target.kind == "Secret" {
            self.secrets += 1;
        }
        *self
            .groups
            .entry((
                step.target.namespace.clone(),
                step.action.describe(),
                step.risk,
                step.reason.clone(),
                step.cluster_wide,
            ))
            .or_default() += 1;
        let (verb, sub) = step.action.verb();
        let permission = Permission {
            verb: verb.into(),
            group: step.target.group.clone(),
            resource: step.target.plural.clone(),
            subresource: sub.map(str::to_owned),
            namespace: step.target.namespace.clone(),
        };
        if !self.permissions.contains(&permission) {
            self.permissions.insert(permission);
        }
        if self.first.len() < LIST_STEPS_UP_TO {
            self.first.push(step.without_snapshot());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Every distinct permission the steps need.
    pub fn permissions(&self) -> &std::collections::BTreeSet<Permission> {
        &self.permissions
    }

    /// One row per step for small plans, grouped counts for bulk ones.
    pub fn table(&self) -> Table {
        if self.total <= LIST_STEPS_UP_TO {
            let plan = Plan {
                steps: self.first.clone(),
                ..Plan::default()
            };
            plan.table()
        } else {
            self.grouped_table()
        }
    }

    /// One row per namespace, action, risk and reason, largest first.
    pub fn grouped_table(&self) -> Table {
        let mut rows: Vec<_> = self.groups.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let mut table = Table::new(vec![
            Column::new("namespace"),
            Column::new("objects").right(),
            Column::new("action"),
            Column::new("risk"),
            Column::new("reason").shrink(),
        ]);
        for ((namespace, action, risk, reason, cluster_wide), count) in rows {
            let risk_text = if *cluster_wide {
                format!("{risk:?} (cluster-wide)")
            } else {
                format!("{risk:?}")
            };
            table.push(
                namespace.clone().unwrap_or_default(),
                vec![
                    namespace.as_deref().unwrap_or("(cluster)").into(),
                    count.to_string().into(),
                    action.clone().into(),
                    Cell::toned(risk_text.to_lowercase(), risk.tone()),
                    reason.clone().into(),
                ],
            );
        }
        table
    }
}
