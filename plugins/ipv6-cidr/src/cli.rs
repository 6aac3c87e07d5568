//! Command line of `kubectl ipv6-cidr`.

use clap::{Args, Parser, Subcommand};
use firstaid::{KubeArgs, OutputArgs};

use crate::cidr::{Cidr, cidr_arg};
use crate::k8s::{self, Allocator};
use crate::plan::{Count, parse_count};
use crate::profiles::{self, Profile, Role};

const ABOUT: &str =
    "Plan and check IPv6 (and dual-stack) service and pod ranges for a Kubernetes cluster";

const LONG_ABOUT: &str = "\
Plan and check IPv6 (and dual-stack) service and pod ranges for a Kubernetes cluster.

Exact address arithmetic (a /0 has 2^128 addresses and is printed exactly), RFC 5952 canonical
forms, address types, and Kubernetes' own rules: kube-apiserver's 20-host-bit cap on service
ranges (/108 for IPv6) and when the ServiceCIDR allocator lifts it, node-IPAM mask limits for pod
ranges, overlaps and dual-stack pairs. `--profile` adds a vendor's constraints (e.g. cce: IPv6
service CIDR inside fc00::/8, /112 to /120). `cluster` reads the ranges a cluster actually uses.";

fn after_help() -> String {
    format!(
        "Examples:\n  \
         kubectl ipv6-cidr info fc00::/112                     # 65,536 addresses, type, forms\n  \
         kubectl ipv6-cidr info ff01:0d28:03ee:0000:0000:0000:0000:0c23\n  \
         kubectl ipv6-cidr plan --addresses 8192 --within fc00::/8   # /115 and its valid networks\n  \
         kubectl ipv6-cidr plan --addresses 5000 --profile cce       # rounded up to /115, inside fc00::/8\n  \
         kubectl ipv6-cidr plan --random-ula --addresses 65536       # a fresh RFC 4193 /48 and a /112 in it\n  \
         kubectl ipv6-cidr check fc00::/112 --profile cce\n  \
         kubectl ipv6-cidr check 10.96.0.0/16 fd00:10:96::/108 --pod-cidr 10.244.0.0/16,fd00:10:244::/56\n  \
         kubectl ipv6-cidr split fd00::/64 --into /112 --offset 1000000 --limit 5\n  \
         kubectl ipv6-cidr cluster -o json\n\n{}",
        firstaid::exit::help_text()
    )
}

#[derive(Parser, Debug)]
#[command(
    name = "kubectl-ipv6_cidr",
    bin_name = "kubectl ipv6-cidr",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = after_help(),
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Everything about an address or CIDR: network, first/last, exact count, forms, binary, type
    #[command(
        after_long_help = "Examples:\n  kubectl ipv6-cidr info fc00::/112\n  kubectl ipv6-cidr info fc00::1/112      # host bits set: shows the network it means\n  kubectl ipv6-cidr info ::/0 10.96.0.0/12 -o json"
    )]
    Info(InfoArgs),
    /// The smallest prefix for N addresses, and which networks of that size are valid
    #[command(
        after_long_help = "Examples:\n  kubectl ipv6-cidr plan --addresses 8192                 # /115\n  kubectl ipv6-cidr plan --addresses 8192 --within fc12:3456::/32 --limit 4\n  kubectl ipv6-cidr plan --hosts 500 --family ipv4 --for pod\n  kubectl ipv6-cidr plan --addresses 4096 --profile cce --random\n  kubectl ipv6-cidr plan --random-ula"
    )]
    Plan(PlanArgs),
    /// Check service, pod and node ranges against Kubernetes' rules (and a vendor profile)
    #[command(
        after_long_help = "Exits 1 when any check fails (severity error).\n\nExamples:\n  kubectl ipv6-cidr check fc00::/112 --profile cce\n  kubectl ipv6-cidr check fd00::/64 --kube-version 1.33       # too large for the legacy allocator\n  kubectl ipv6-cidr check fd00:10:244::/56 --as pod --node-mask-ipv6 64\n  kubectl ipv6-cidr check 10.96.0.0/16 fd00:10:96::/108 --pod-cidr 10.244.0.0/16,fd00:10:244::/56 --node-cidr 192.168.0.0/24"
    )]
    Check(CheckArgs),
    /// Enumerate the subnets of a network, lazily (any count, constant memory)
    #[command(
        after_long_help = "One subnet per line (table/name), streamed; -o wide adds first and last addresses.\n\nExamples:\n  kubectl ipv6-cidr split fc00::/112 --into /115\n  kubectl ipv6-cidr split fc00::/112 --count 6            # rounded up to 8 subnets (/115)\n  kubectl ipv6-cidr split fd00::/64 --into /112 --offset 1000000 --limit 10"
    )]
    Split(SplitArgs),
    /// Read the cluster's ranges (ServiceCIDRs, the kubernetes Service, nodes' podCIDRs) and check them
    #[command(
        after_long_help = "Exits 1 when any check fails (severity error).\n\nExamples:\n  kubectl ipv6-cidr cluster\n  kubectl ipv6-cidr cluster --pod-cidr 10.244.0.0/16,fd00:10:244::/56 --profile cce\n  kubectl ipv6-cidr cluster --context prod -o yaml"
    )]
    Cluster(ClusterArgs),
}

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// Addresses or CIDRs (IPv6 or IPv4; a bare address is a /128 or /32)
    #[arg(required = true, value_name = "CIDR|ADDRESS", value_parser = cidr_arg)]
    pub inputs: Vec<Cidr>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("size").args(["addresses", "hosts"])))]
pub struct PlanArgs {
    /// Addresses the range must hold (e.g. 8192, 65,536 or 2^13); rounded up to a power of two
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub addresses: Option<Count>,
    /// Usable host addresses the range must hold (IPv4 loses network+broadcast, IPv6 the network address)
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub hosts: Option<Count>,
    /// Address family of the range
    #[arg(long, value_enum, default_value = "ipv6")]
    pub family: FamilyArg,
    /// What the range is for (decides which Kubernetes and profile rules apply)
    #[arg(
        long = "for",
        value_enum,
        default_value = "service",
        value_name = "ROLE"
    )]
    pub role: Role,
    /// Suggest networks inside this parent (default: the profile's block, or --random-ula's /48)
    #[arg(long, value_name = "CIDR", value_parser = cidr_arg)]
    pub within: Option<Cidr>,
    /// How many candidate networks to list
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub limit: u64,
    /// Pick one candidate at random instead of listing the first ones
    #[arg(long)]
    pub random: bool,
    /// Generate a random RFC 4193 unique local /48 (fdXX:XXXX:XXXX::/48) and plan inside it
    #[arg(long, conflicts_with = "within")]
    pub random_ula: bool,
    /// Apply a vendor's constraints
    #[arg(long, value_name = "NAME", value_parser = profiles::profile_arg, help = profile_help())]
    pub profile: Option<&'static Profile>,
    /// Kubernetes version the range is for (decides the service allocator's limit)
    #[arg(long, value_name = "X.Y", value_parser = k8s::version_arg)]
    pub kube_version: Option<(u32, u32)>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyArg {
    Ipv6,
    Ipv4,
}

fn profile_help() -> String {
    let list: Vec<String> = profiles::all()
        .iter()
        .map(|p| format!("{} ({})", p.name, p.vendor))
        .collect();
    format!("Apply a vendor's constraints: {}", list.join(", "))
}

/// Rules shared by `check` and `cluster`.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Cluster settings")]
pub struct RuleArgs {
    /// Pod network ranges (kube-controller-manager --cluster-cidr), comma-separated or repeated
    #[arg(long, value_name = "CIDR[,CIDR]", value_delimiter = ',', value_parser = cidr_arg)]
    pub pod_cidr: Vec<Cidr>,
    /// Node (host/VPC) subnets, comma-separated or repeated
    #[arg(long, value_name = "CIDR[,CIDR]", value_delimiter = ',', value_parser = cidr_arg)]
    pub node_cidr: Vec<Cidr>,
    /// kube-controller-manager --node-cidr-mask-size-ipv4 (default 24)
    #[arg(long, value_name = "BITS", value_parser = clap::value_parser!(u8).range(0..=32))]
    pub node_mask_ipv4: Option<u8>,
    /// kube-controller-manager --node-cidr-mask-size-ipv6 (default 64)
    #[arg(long, value_name = "BITS", value_parser = clap::value_parser!(u8).range(0..=128))]
    pub node_mask_ipv6: Option<u8>,
    /// kubelet --max-pods (default 110)
    #[arg(long, value_name = "N")]
    pub max_pods: Option<u32>,
    /// Kubernetes version (decides whether kube-apiserver's 20-bit service range cap applies)
    #[arg(long, value_name = "X.Y", value_parser = k8s::version_arg)]
    pub kube_version: Option<(u32, u32)>,
    /// Service IP allocator in use, when feature gates differ from the version's defaults
    #[arg(long, value_enum)]
    pub allocator: Option<Allocator>,
    #[arg(long, value_name = "NAME", value_parser = profiles::profile_arg, help = profile_help())]
    pub profile: Option<&'static Profile>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Ranges to check (their role is --as)
    #[arg(value_name = "CIDR", value_parser = cidr_arg)]
    pub cidrs: Vec<Cidr>,
    /// What the positional ranges are
    #[arg(
        long = "as",
        value_enum,
        default_value = "service",
        value_name = "ROLE"
    )]
    pub role: Role,
    /// Service ranges (kube-apiserver --service-cluster-ip-range), comma-separated or repeated
    #[arg(long, value_name = "CIDR[,CIDR]", value_delimiter = ',', value_parser = cidr_arg)]
    pub service_cidr: Vec<Cidr>,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("size").args(["into", "count"]).required(true)))]
pub struct SplitArgs {
    /// The network to split
    #[arg(value_name = "CIDR", value_parser = cidr_arg)]
    pub cidr: Cidr,
    /// Prefix length of the subnets (`/115` or `115`)
    #[arg(long, value_name = "/PREFIX", value_parser = prefix_arg)]
    pub into: Option<u8>,
    /// Split into at least N equal subnets (rounded up to a power of two)
    #[arg(long, value_name = "N", value_parser = parse_count)]
    pub count: Option<Count>,
    /// Print at most N subnets (default: all; 1000 when writing to a terminal)
    #[arg(long, value_name = "N")]
    pub limit: Option<u128>,
    /// Skip the first N subnets (computed, not walked: any offset is instant)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: u128,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn prefix_arg(text: &str) -> Result<u8, String> {
    let digits = text.trim().trim_start_matches('/');
    digits
        .parse::<u8>()
        .ok()
        .filter(|p| *p <= 128)
        .ok_or_else(|| format!("{text:?} is not a prefix length (/0 to /128)"))
}

#[derive(Args, Debug)]
pub struct ClusterArgs {
    /// Service ranges to assume when the cluster has no ServiceCIDR API (before 1.31/1.33)
    #[arg(long, value_name = "CIDR[,CIDR]", value_delimiter = ',', value_parser = cidr_arg)]
    pub service_cidr: Vec<Cidr>,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub kube: KubeArgs,
    #[command(flatten)]
    pub output: OutputArgs,
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
    fn bad_cidrs_are_usage_errors() {
        for bad in ["fc00::1::/112", "fc00::/129", "", "fc00::g/112"] {
            let err = Cli::try_parse_from(["x", "info", bad]).expect_err(bad);
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
        let err = Cli::try_parse_from(["x", "info", "fc00::1::/112"]).expect_err("two ::");
        assert!(err.to_string().contains("'::' appears twice"), "{err}");
        assert!(Cli::try_parse_from(["x", "split", "fc00::/112"]).is_err());
        assert!(Cli::try_parse_from(["x", "split", "fc00::/112", "--into", "/115"]).is_ok());
        assert!(Cli::try_parse_from(["x", "check", "fc00::/112", "--profile", "nope"]).is_err());
    }
}
