//! The flags every mutating plugin takes, and what they mean.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::backup::Staged;
use crate::concurrency::ConcurrencyArgs;
use crate::error::Result;

#[derive(ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DryRun {
    /// Change the cluster (after confirmation).
    #[default]
    None,
    /// Print the plan only; send nothing.
    Client,
    /// Send every request with dryRun=All: the server validates and admits, nothing is persisted.
    Server,
}

#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Changing the cluster")]
pub struct MutationArgs {
    /// Only show (client) or only validate on the server (server) what the fix would do; implies --fix
    #[arg(long, value_enum, default_value_t = DryRun::None, num_args = 0..=1, require_equals = true, default_missing_value = "client")]
    pub dry_run: DryRun,
    /// Apply without asking for confirmation
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// Apply without asking, but only the plan whose digest was printed under it: if the plan built
    /// now differs (objects changed, appeared or went), change nothing, say what differs and exit 5;
    /// implies --fix
    #[arg(long, value_name = "DIGEST")]
    pub confirm_plan: Option<String>,
    /// Where to save backups of changed objects (default: $XDG_STATE_HOME/firstaid/backups)
    #[arg(long, value_name = "DIR")]
    pub backup_dir: Option<PathBuf>,
    #[command(flatten)]
    pub concurrency: ConcurrencyArgs,
}

impl MutationArgs {
    /// Whether this run builds and carries out a plan: `--fix` itself, or a flag that only
    /// makes sense for one (`--dry-run`, `--confirm-plan`). The same rule in every plugin.
    pub fn fixing(&self, fix: bool) -> bool {
        fix || self.dry_run != DryRun::None || self.confirm_plan.is_some()
    }

    /// For plugins that list many objects to change: a backup staged while listing (each object
    /// saved as its page arrives, then dropped), handed to [`Applier::execute_streamed`]. `None`
    /// for dry runs, which change nothing and so back nothing up.
    pub fn stage_backup(&self, plugin: &str) -> Result<Option<Staged>> {
        if self.dry_run == DryRun::None {
            Staged::create(self.backup_dir.as_deref(), plugin).map(Some)
        } else {
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_run_flag_forms() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            m: MutationArgs,
        }
        let parse = |args: &[&str]| {
            Cli::try_parse_from(std::iter::once("x").chain(args.iter().copied()))
                .map(|c| c.m.dry_run)
        };
        assert_eq!(parse(&[]).ok(), Some(DryRun::None));
        assert_eq!(parse(&["--dry-run"]).ok(), Some(DryRun::Client));
        assert_eq!(parse(&["--dry-run=server"]).ok(), Some(DryRun::Server));
        assert!(parse(&["--dry-run=maybe"]).is_err());
    }
}
