//! Command line of `kubectl evicted-clean`.
//!
//! Defaults are chosen for the person paged at 3 a.m.: the bare command only explains (nothing
//! changes without `--fix`), only kubelet evictions (`Evicted`) are selected unless `--reason`
//! widens it, pods nothing would recreate (bare pods) stay unless named by their own flag, and a
//! force delete of a Terminating pod is offered only when its node is gone — or, with
//! `--not-ready-for`, NotReady for longer than the user said.

use std::time::Duration;

use clap::{Args, Parser, ValueEnum};
use firstaid::args::duration_arg;
use firstaid::{AllNamespacesArg, KubeArgs, MutationArgs, OutputArgs};

/// Explain and clean up evicted and stranded pods.
///
/// Lists pods the kubelet evicted (status.phase=Failed, status.reason=Evicted), grouped by
/// namespace, owner, node and eviction message; shows each node's current pressure conditions and
/// taints with the eviction signals behind them and what to do about them; and with --fix deletes
/// the records (they are only records: the controller already made a replacement).
///
/// With --stuck-terminating it looks instead at pods stuck Terminating long past their grace
/// period and offers a force delete only where the node they ran on no longer exists (or has been
/// NotReady longer than --not-ready-for): never for pods on a Ready node.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "kubectl evicted-clean",
    bin_name = "kubectl evicted-clean",
    version,
    after_long_help = after_help()
)]
pub struct Cli {
    #[command(flatten)]
    pub kube: KubeArgs,
    #[command(flatten)]
    pub all: AllNamespacesArg,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub fix: FixArgs,
    #[command(flatten)]
    pub mutation: MutationArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub exit_code: firstaid::ExitCodeArg,
}

impl Cli {
    /// Whether this run deletes (or plans to): `--fix`, or `--dry-run`/`--confirm-plan`, which
    /// mean the same in every plugin.
    pub fn fixing(&self) -> bool {
        self.mutation.fixing(self.fix.fix)
    }

    /// The selection as the `-o json|yaml` document's `criteria` states it.
    pub fn criteria_json(&self, criteria: &crate::select::Criteria) -> serde_json::Value {
        serde_json::json!({
            "reasons": criteria.reasons,
            "phases": criteria.phases.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>(),
            "olderThanSeconds": self.select.older_than.map(|d| d.as_secs()),
            "node": self.select.node,
            "selector": self.select.selector,
            "notReadyForSeconds": self.fix.not_ready_for.map(|d| d.as_secs()),
        })
    }
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Selecting pods")]
pub struct SelectArgs {
    /// Label selector (server-side), e.g. app=web,tier!=cache
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Only pods that failed at least this long ago (e.g. 30m, 2h, 7d); with --stuck-terminating:
    /// this long past their deletion deadline (default 60s)
    #[arg(long, value_name = "DURATION", value_parser = duration_arg)]
    pub older_than: Option<Duration>,
    /// Only pods on this node (server-side field selector spec.nodeName)
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,
    /// Also select Failed pods with this status.reason (repeatable or comma-separated); `all`
    /// selects every record-only reason listed below. Evicted is always included.
    #[arg(
        long,
        value_name = "REASON",
        value_delimiter = ',',
        conflicts_with = "stuck_terminating"
    )]
    pub reason: Vec<String>,
    /// Pod phases to select (repeatable or comma-separated): Failed (default), Succeeded
    /// (completed pods left behind; selected whatever their reason)
    #[arg(
        long,
        value_enum,
        value_name = "PHASE",
        value_delimiter = ',',
        conflicts_with = "stuck_terminating"
    )]
    pub phase: Vec<Phase>,
    /// Look at pods stuck Terminating instead of evicted pods
    #[arg(long)]
    pub stuck_terminating: bool,
    /// List pods in pages of this many (as kubectl's --chunk-size; 0 = all at once). Memory
    /// follows the page, not the cluster: only a few fields of each selected pod are kept.
    #[arg(long, value_name = "N", default_value_t = firstaid::pager::PAGE_SIZE)]
    pub chunk_size: u32,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[value(rename_all = "PascalCase")]
pub enum Phase {
    Failed,
    Succeeded,
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Cleaning up")]
pub struct FixArgs {
    /// Delete the selected pods (after showing the plan and asking; see --yes, --dry-run)
    #[arg(long)]
    pub fix: bool,
    /// Also delete bare pods (no controller): nothing recreates them, their record is gone for good
    #[arg(long, requires = "fix", conflicts_with = "stuck_terminating")]
    pub include_bare_pods: bool,
    /// With --stuck-terminating: also force-delete pods whose node has been NotReady at least
    /// this long (default when given without a value: 1h). Without it, pods on a NotReady node are
    /// left for the node to come back, as the FAQ advises.
    #[arg(long, value_name = "DURATION", value_parser = duration_arg, num_args = 0..=1,
          require_equals = true, default_missing_value = "1h", requires = "stuck_terminating")]
    pub not_ready_for: Option<Duration>,
}

fn after_help() -> String {
    format!(
        "Defaults:\n  \
         report only; --fix deletes owned pods; bare pods need --include-bare-pods\n  \
         reasons: Evicted (add others with --reason; `--reason all` = {})\n  \
         stuck: Terminating more than {}s past the deletion deadline; force delete only on a deleted node\n  \
         deletes: {} in flight (--concurrency), pods listed {} a page (--chunk-size)\n  \
         backup: on, in $XDG_STATE_HOME/firstaid/backups/evicted-clean/<time>-<pid>/ (--backup-dir):\n    \
         evicted pods are saved as listed to objects.jsonl.gz (gzip'd JSON lines; removed again if\n    \
         the plan is not confirmed); force-deleted stuck pods one JSON file each\n\n\
         Examples:\n  \
         kubectl evicted-clean -A                      # explain every evicted pod in the cluster\n  \
         kubectl evicted-clean -n shop --fix           # delete the evicted records in shop\n  \
         kubectl evicted-clean -A --reason all --older-than 1d --fix --yes\n  \
         kubectl evicted-clean -A --stuck-terminating --fix\n\n{}",
        crate::select::RECORD_ONLY_REASONS.join(", "),
        crate::stuck::STUCK_AFTER_DEADLINE.as_secs(),
        firstaid::concurrency::DEFAULT_CONCURRENCY,
        firstaid::pager::PAGE_SIZE,
        firstaid::exit::help_text()
    )
}
