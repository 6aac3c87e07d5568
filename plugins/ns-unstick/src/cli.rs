//! Command line of `kubectl ns-unstick`.

use std::time::Duration;

use clap::Parser;
use firstaid::{KubeArgs, MutationArgs, OutputArgs};

/// Default for a bare `--wait`.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(120);

/// Find out why a namespace is stuck in Terminating, fix the cause, finalize only as a last resort.
///
/// Without a name, lists every Terminating namespace with a one-line reason. With names (or
/// --all), diagnoses each: the namespace's deletion conditions, unavailable APIServices, every
/// object still in it (all namespaced resource types, built-in and custom) and who is supposed to
/// remove each finalizer. --fix then repairs the cause, least destructive first.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "kubectl ns-unstick",
    bin_name = "kubectl ns-unstick",
    version,
    after_long_help = after_help()
)]
pub struct Cli {
    /// Namespaces to diagnose (default: list the Terminating ones), or TYPE/NAME of any object
    /// stuck Terminating (`crd/NAME` for a CustomResourceDefinition and the custom resources it
    /// waits on; `-n` for a namespaced object)
    #[arg(value_name = "NAMESPACE|TYPE/NAME")]
    pub namespaces: Vec<String>,

    /// Every object stuck Terminating in the cluster (namespaces, CRDs, any namespaced or
    /// cluster-scoped object) and objects whose namespace is gone, grouped by cause with the
    /// command for each; with --fix, fixes every Terminating namespace
    #[arg(long, conflicts_with = "namespaces")]
    pub all: bool,

    /// Fix what blocks deletion: delete unavailable APIServices (cluster-wide), remove dead
    /// finalizers from leftover objects and from the namespace
    #[arg(long)]
    pub fix: bool,

    /// Last resort: finalize the namespace through PUT …/finalize even though objects may remain;
    /// they are orphaned in etcd and reappear if a namespace of the same name is created again
    #[arg(long)]
    pub force_finalize: bool,

    /// Also remove this finalizer from leftover objects even though it is not known to be dead
    /// (repeatable)
    #[arg(long, value_name = "FINALIZER")]
    pub remove_finalizer: Vec<String>,

    /// Delete the configuration of an admission webhook that fails closed (failurePolicy Fail)
    /// while its Service is missing or has no ready endpoints, when it rejects the deletes or
    /// patches the fix needs (backed up first; every webhook of that configuration goes)
    #[arg(long)]
    pub delete_dead_webhooks: bool,

    /// After fixing, wait until the namespace is gone (default 2m)
    #[arg(long, value_name = "TIMEOUT", num_args = 0..=1, require_equals = true,
          default_missing_value = "2m", value_parser = firstaid::args::duration_arg)]
    pub wait: Option<Duration>,

    #[command(flatten)]
    pub kube: KubeArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub mutation: MutationArgs,

    #[command(flatten)]
    pub exit_code: firstaid::ExitCodeArg,
}

impl Cli {
    /// Whether the user asked to change anything (`--dry-run` and `--confirm-plan` ask for the
    /// fix too, as in every plugin).
    pub fn wants_fix(&self) -> bool {
        self.mutation.fixing(self.fix)
            || self.force_finalize
            || self.delete_dead_webhooks
            || !self.remove_finalizer.is_empty()
    }
}

fn after_help() -> String {
    format!(
        "Examples:\n  kubectl ns-unstick                      # list Terminating namespaces and why\n  kubectl ns-unstick rdbms                # diagnose one\n  kubectl ns-unstick rdbms --fix          # fix the cause (asks first)\n  kubectl ns-unstick rdbms --fix --force-finalize --wait\n  kubectl ns-unstick crd/widgets.example.com --fix   # a CRD stuck on its instances\n  kubectl ns-unstick configmap/settings -n shop      # any object stuck Terminating\n  kubectl ns-unstick --all                # everything stuck, cluster-wide\n\n{}",
        firstaid::exit::help_text()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("kubectl-ns_unstick").chain(args.iter().copied()))
    }

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn wait_takes_an_optional_timeout() {
        assert_eq!(parse(&["x"]).ok().and_then(|c| c.wait), None);
        assert_eq!(
            parse(&["x", "--wait"]).ok().and_then(|c| c.wait),
            Some(DEFAULT_WAIT)
        );
        assert_eq!(
            parse(&["x", "--wait=30s"]).ok().and_then(|c| c.wait),
            Some(Duration::from_secs(30))
        );
        assert!(parse(&["x", "--wait=soon"]).is_err());
    }

    #[test]
    fn fix_flags() {
        let cli = parse(&["rdbms", "--force-finalize", "--yes", "-o", "json"]).expect("parse");
        assert!(cli.wants_fix() && cli.mutation.yes);
        assert!(!parse(&["rdbms"]).expect("parse").wants_fix());
        assert!(parse(&["rdbms", "--all"]).is_err());
    }
}
