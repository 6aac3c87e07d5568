//! Command line: `kubectl top-real [nodes|pods] [NAME…]`, kubectl's own flags and `kubectl top`'s.

use clap::Parser;
use firstaid::{AllNamespacesArg, Error, KubeArgs, OutputArgs, Result};

const ABOUT: &str =
    "Real resource usage against capacity and allocatable, with requests and limits";

const LONG_ABOUT: &str = "\
Real resource usage against capacity and allocatable, with requests and limits.

`kubectl top node` divides usage by *allocatable*, so a node with plenty of free memory can show
109 %. top-real shows usage against capacity (the real figure) and allocatable (kubectl's figure)
side by side, the reserved gap between them, the requests and limits the scheduler has promised
(init containers, sidecars and pod overhead counted as the scheduler counts them), pod counts and
pressure conditions; for pods, usage against requests and limits, with containers close to their
memory limit flagged. When the metrics API is down it still shows everything else, and says why.

Every other resource the scheduler counts — ephemeral-storage, hugepages-* and extended resources
such as nvidia.com/gpu — gets requests, limits, allocatable and capacity columns when some node or
pod has it (--resources to choose; always in -o wide and JSON). Those have no usage column:
metrics.k8s.io reports usage for CPU and memory only.";

const EXAMPLES: &str = "\
Examples:
  kubectl top-real                         # every node
  kubectl top-real nodes node-1 node-2     # some nodes
  kubectl top-real nodes --sort-by mem%alloc
  kubectl top-real pods -A --sort-by mem%lim
  kubectl top-real pods -n shop -l app=web --containers
  kubectl top-real nodes --resources nvidia.com/gpu
  kubectl top-real -o json | jq '.items[] | select(.memoryBytes.overcommitted)'

Sort keys (biggest first): nodes: name, cpu, cpu%cap, cpu%alloc, cpu-req, cpu-lim, memory,
mem%cap, mem%alloc, mem-req, mem-lim, pods; pods: name, cpu, cpu%req, cpu%lim, memory, mem%req,
mem%lim.
";

fn after_help() -> String {
    format!("{EXAMPLES}\n{}", firstaid::exit::help_text())
}

#[derive(Parser, Debug, Clone)]
#[command(
    name = "kubectl top-real",
    bin_name = "kubectl top-real",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = after_help(),
)]
pub struct Cli {
    /// What to show: `nodes` (default; also node, no) or `pods` (pod, po), then optional names
    #[arg(value_name = "RESOURCE [NAME]...")]
    pub args: Vec<String>,

    #[command(flatten)]
    pub kube: KubeArgs,
    #[command(flatten)]
    pub all: AllNamespacesArg,
    #[command(flatten)]
    pub output: OutputArgs,

    /// Label selector (e.g. `app=web,tier!=cache`)
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Sort by a column, biggest first (see the list below); default: by name
    #[arg(long, value_name = "COLUMN")]
    pub sort_by: Option<String>,
    /// Pods: one row per container
    #[arg(long)]
    pub containers: bool,
    /// Draw a bar next to usage percentages (for a terminal)
    #[arg(long)]
    pub bars: bool,
    /// Columns for resources besides CPU and memory: a comma list (`nvidia.com/gpu,ephemeral-storage`),
    /// `all` or `none`. Default: those some node or pod has a non-zero amount of (`-o wide`: every
    /// one present). They have requests, limits and allocatable but no usage: metrics.k8s.io
    /// reports CPU and memory only
    #[arg(long, value_name = "NAMES")]
    pub resources: Option<String>,
}

/// The view the positional arguments asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Nodes(Vec<String>),
    Pods(Vec<String>),
}

impl Cli {
    /// Parses `RESOURCE [NAME]...` and rejects flags that do not fit the view.
    pub fn view(&self) -> Result<View> {
        let view = match self.args.split_first() {
            None => View::Nodes(Vec::new()),
            Some((kind, names)) => match kind.to_lowercase().as_str() {
                "nodes" | "node" | "no" => View::Nodes(names.to_vec()),
                "pods" | "pod" | "po" => View::Pods(names.to_vec()),
                other => {
                    return Err(Error::Usage(format!(
                        "unknown resource type {other:?}: use `nodes` or `pods` (e.g. `kubectl top-real nodes {other}`)"
                    )));
                }
            },
        };
        if let View::Nodes(_) = view {
            if self.all.all_namespaces {
                return Err(Error::Usage(
                    "-A/--all-namespaces applies to pods, not nodes".into(),
                ));
            }
            if self.containers {
                return Err(Error::Usage(
                    "--containers applies to pods, not nodes".into(),
                ));
            }
        }
        if let Some(key) = &self.sort_by {
            match view {
                View::Nodes(_) => crate::sort::check_nodes(key)?,
                View::Pods(_) => crate::sort::check_pods(key)?,
            }
        }
        if self.output.format == firstaid::Format::Name {
            return Err(Error::Usage(
                "-o name is not supported here; use table, wide, json or yaml".into(),
            ));
        }
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("kubectl-top_real").chain(args.iter().copied()))
            .expect("parse")
    }

    #[test]
    fn clap_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn views_and_misplaced_flags() {
        assert_eq!(parse(&[]).view().expect("view"), View::Nodes(vec![]));
        assert_eq!(
            parse(&["no", "a", "b"]).view().expect("view"),
            View::Nodes(vec!["a".into(), "b".into()])
        );
        let cli = parse(&[
            "pods",
            "-A",
            "--containers",
            "-l",
            "app=web",
            "--sort-by",
            "mem%lim",
        ]);
        assert_eq!(cli.view().expect("view"), View::Pods(vec![]));
        assert_eq!(cli.selector.as_deref(), Some("app=web"));
        for bad in [
            &["deployments"][..],
            &["nodes", "-A"],
            &["nodes", "--containers"],
            &["nodes", "--sort-by", "mem%req"],
            &["pods", "--sort-by", "mem%cap"],
            &["-o", "name"],
        ] {
            let err = parse(bad).view().expect_err("usage error");
            assert_eq!(err.exit(), firstaid::Exit::Usage, "{bad:?}");
        }
    }
}
