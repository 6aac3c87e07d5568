//! Command line of `kubectl exitcode-explain`.
//!
//! One positional argument decides the mode: a number is explained offline (no kubeconfig is even
//! read), `pod/NAME` is diagnosed against the cluster, and no argument (or `-l`/`-A`) scans pods.

use clap::{ArgGroup, Parser};

#[derive(Parser, Debug)]
#[command(
    name = "kubectl exitcode-explain",
    bin_name = "kubectl exitcode-explain",
    version,
    about = "What a container's exit code means, and why this container died.",
    long_about = "What a container's exit code means, and why this container died.\n\n\
        With a number (137, -1, 300, 0xC0000005) it explains the code offline: its name, meaning, \
        the signal behind 128+N codes, the usual Kubernetes causes and what to check next. \
        Out-of-range values are folded the way the kernel does (mod 256).\n\n\
        With pod/NAME it reads the pod's container statuses, events, spec and node and gives a \
        verdict with evidence for every container that exited (OOM kill, probe kill, node OOM, \
        lost container, bad command, wrong CPU architecture, ...) or never started: why its image \
        will not pull (pull secrets, missing tag, DNS, rate limit, untrusted CA, full disk, \
        platform, ...) or which ConfigMap, Secret or key it is missing.\n\n\
        With no argument, -l or -A it scans pods and lists every container that terminated \
        non-zero, restarted or never started; pods that cannot pull from the same registry for \
        the same cause are grouped.",
    after_long_help = after_help(),
    group(ArgGroup::new("mode").args(["target", "signal", "list"]).multiple(false)),
)]
pub struct Cli {
    /// An exit code (137, -1, 0xC0000005) or a pod (pod/NAME)
    #[arg(value_name = "CODE|pod/NAME", allow_hyphen_values = true)]
    pub target: Option<String>,

    /// Explain a signal instead: SIGSEGV, SEGV or 11
    #[arg(long, value_name = "SIGNAL", allow_hyphen_values = true)]
    pub signal: Option<String>,

    /// Print the exit-code, signal and Windows status tables
    #[arg(long)]
    pub list: bool,

    /// Scan pods matching this label selector (e.g. app=web)
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Only this container of the pod
    #[arg(short = 'c', long, value_name = "NAME")]
    pub container: Option<String>,

    #[command(flatten)]
    pub all_namespaces: firstaid::AllNamespacesArg,

    #[command(flatten)]
    pub output: firstaid::OutputArgs,

    #[command(flatten)]
    pub kube: firstaid::KubeArgs,
}

fn after_help() -> String {
    format!(
        "Examples:\n  \
        kubectl exitcode-explain 137\n  \
        kubectl exitcode-explain -- -1\n  \
        kubectl exitcode-explain --signal SIGSEGV\n  \
        kubectl exitcode-explain --list\n  \
        kubectl exitcode-explain pod/web-7d4fc654bb-tc9gw -n shop\n  \
        kubectl exitcode-explain -A\n  \
        kubectl exitcode-explain -l app=web -n shop -o json\n\n{}",
        firstaid::exit::help_text()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn negative_codes_parse_without_a_separator() {
        let cli = Cli::try_parse_from(["x", "-1"]).expect("parse");
        assert_eq!(cli.target.as_deref(), Some("-1"));
        let cli = Cli::try_parse_from(["x", "--signal", "SIGSEGV"]).expect("parse");
        assert_eq!(cli.signal.as_deref(), Some("SIGSEGV"));
        let cli = Cli::try_parse_from(["x", "pod/web", "-n", "shop", "-c", "app"]).expect("parse");
        assert_eq!(cli.kube.namespace.as_deref(), Some("shop"));
        assert_eq!(cli.container.as_deref(), Some("app"));
        assert!(Cli::try_parse_from(["x", "137", "--list"]).is_err());
    }
}
