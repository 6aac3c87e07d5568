//! Diagnosis of the ranges a cluster actually uses: the same checks as `check`, fed from
//! ServiceCIDR objects and nodes' podCIDRs, plus what only a live cluster shows (the `kubernetes`
//! Service's ClusterIPs outside every service range, a ServiceCIDR that is not Ready, nodes that
//! share pod ranges). Pure: [`ClusterData`] in, report out.

use ipnet::IpNet;
use serde::Serialize;

use crate::check::{self, Finding, NodeAllocation, Range, Settings, Severity};
use crate::cidr::{self, Cidr, Family};
use crate::commands::check::{CheckReport, report};
use crate::fetch::ClusterData;
use crate::k8s::{self, Allocator};
use crate::profiles::Role;

/// `-o json|yaml` of `cluster` (`kind: ClusterCidrReport`): the `check` report (ranges, findings,
/// errors, warnings) plus what was read.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterReport {
    /// API server `gitVersion`.
    pub version: Option<String>,
    /// The Service IP allocator the version runs by default (or `--allocator`).
    pub allocator: Option<Allocator>,
    /// `networking.k8s.io/v1` (or `v1beta1`) when ServiceCIDR objects were read.
    pub service_cidr_api: Option<String>,
    pub kubernetes_service_ips: Vec<String>,
    pub nodes: NodeSummary,
    #[serde(flatten)]
    pub check: CheckReport,
    /// What could not be read.
    pub notes: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSummary {
    pub total: usize,
    /// Nodes with at least one pod range.
    pub with_pod_cidrs: usize,
    /// Per family: the node masks in use and the smallest network covering every node range.
    pub families: Vec<FamilySummary>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FamilySummary {
    pub family: Family,
    pub node_ranges: usize,
    pub masks: Vec<u8>,
    pub covering_network: String,
}

/// Settings plus the ranges the user supplies for what the API does not expose.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub settings: Settings,
    /// `--service-cidr`: used when the cluster has no ServiceCIDR objects.
    pub service_cidrs: Vec<Cidr>,
    /// `--pod-cidr` / `--node-cidr`.
    pub extra: Vec<Range>,
}

pub fn diagnose(data: &ClusterData, inputs: &Inputs) -> ClusterReport {
    let mut settings = inputs.settings.clone();
    if settings.version.is_none() {
        settings.version = data.version.as_deref().and_then(k8s::parse_version);
    }
    let mut findings = Vec::new();
    let mut bad = |rule: &'static str, cidr: &str, source: String, message: String| {
        findings.push(Finding {
            severity: Severity::Error,
            rule,
            cidr: cidr.to_owned(),
            source,
            message,
        });
    };

    let mut ranges = Vec::new();
    for object in &data.service_cidrs {
        let source = format!("ServiceCIDR/{}", object.name);
        for text in &object.cidrs {
            match Cidr::parse(text) {
                Ok(c) => ranges.push(Range {
                    role: Role::Service,
                    cidr: c,
                    source: source.clone(),
                }),
                Err(e) => bad("unparseable", text, source.clone(), e.to_string()),
            }
        }
    }
    let from_objects = !ranges.is_empty();
    if !from_objects {
        ranges.extend(inputs.service_cidrs.iter().map(|c| Range {
            role: Role::Service,
            cidr: *c,
            source: "--service-cidr".into(),
        }));
    }
    ranges.extend(inputs.extra.iter().cloned());

    let mut nodes = Vec::new();
    for node in &data.nodes {
        let mut cidrs = Vec::new();
        for text in &node.pod_cidrs {
            match Cidr::parse(text) {
                Ok(c) => cidrs.push(c),
                Err(e) => bad(
                    "unparseable",
                    text,
                    format!("node/{}", node.name),
                    e.to_string(),
                ),
            }
        }
        nodes.push(NodeAllocation {
            node: node.name.clone(),
            cidrs,
        });
    }

    findings.extend(check::check(&ranges, &settings));
    findings.extend(check::check_nodes(&nodes, &ranges));
    findings.extend(service_object_findings(data));
    findings.extend(kubernetes_service_findings(data, &ranges));
    if !ranges.iter().any(|r| r.role == Role::Service) {
        findings.push(Finding {
            severity: Severity::Warning,
            rule: "service-range-unknown",
            cidr: String::new(),
            source: String::new(),
            message: "no service range to check: the cluster has no ServiceCIDR objects and no --service-cidr was given".into(),
        });
    }
    findings.sort_by_key(|f| f.severity);

    ClusterReport {
        version: data.version.clone(),
        allocator: settings
            .allocator
            .or_else(|| settings.version.map(k8s::default_allocator)),
        service_cidr_api: data.service_cidr_api.clone(),
        kubernetes_service_ips: data.kubernetes_service_ips.clone(),
        nodes: summarize_nodes(&nodes),
        check: report(&ranges, findings),
        notes: data.notes.clone(),
    }
}

fn service_object_findings(data: &ClusterData) -> Vec<Finding> {
    data.service_cidrs
        .iter()
        .filter_map(|o| {
            let message = match (&o.not_ready, o.terminating) {
                (_, true) => {
                    "is being deleted: it stays until no Service ClusterIP in it remains".to_owned()
                }
                (Some(status), false) => {
                    format!("is not ready ({status}): no new ClusterIPs are allocated from it")
                }
                (None, false) => return None,
            };
            Some(Finding {
                severity: Severity::Warning,
                rule: "service-cidr-not-ready",
                cidr: o.cidrs.join(","),
                source: format!("ServiceCIDR/{}", o.name),
                message: format!("ServiceCIDR {} {message}", o.name),
            })
        })
        .collect()
}

fn kubernetes_service_findings(data: &ClusterData, ranges: &[Range]) -> Vec<Finding> {
    let services: Vec<&Range> = ranges.iter().filter(|r| r.role == Role::Service).collect();
    if services.is_empty() {
        return Vec::new();
    }
    data.kubernetes_service_ips
        .iter()
        .filter_map(|ip| {
            let addr = Cidr::parse(ip).ok()?;
            let family = addr.family();
            let has_family = services.iter().any(|r| r.cidr.family() == family);
            let inside = services.iter().any(|r| r.cidr.net.contains(&addr.addr));
            (has_family && !inside).then(|| Finding {
                severity: Severity::Error,
                rule: "kubernetes-service-outside",
                cidr: ip.clone(),
                source: "service/default/kubernetes".into(),
                message: format!(
                    "the kubernetes Service's ClusterIP {ip} is outside every {} service range: the service range was changed without migrating it",
                    family.name()
                ),
            })
        })
        .collect()
}

fn summarize_nodes(nodes: &[NodeAllocation]) -> NodeSummary {
    let mut summary = NodeSummary {
        total: nodes.len(),
        with_pod_cidrs: nodes.iter().filter(|n| !n.cidrs.is_empty()).count(),
        families: Vec::new(),
    };
    for family in [Family::Ipv4, Family::Ipv6] {
        let nets: Vec<IpNet> = nodes
            .iter()
            .flat_map(|n| n.cidrs.iter())
            .filter(|c| c.family() == family)
            .map(|c| c.net)
            .collect();
        if nets.is_empty() {
            continue;
        }
        let mut masks: Vec<u8> = nets.iter().map(IpNet::prefix_len).collect();
        masks.sort_unstable();
        masks.dedup();
        summary.families.push(FamilySummary {
            family,
            node_ranges: nets.len(),
            masks,
            covering_network: covering(family, &nets).to_string(),
        });
    }
    summary
}

/// The smallest network holding every one of `nets` (non-empty, one family).
fn covering(family: Family, nets: &[IpNet]) -> IpNet {
    let low = nets
        .iter()
        .map(|n| cidr::to_u128(n.network()))
        .min()
        .unwrap_or(0);
    let high = nets
        .iter()
        .map(|n| cidr::to_u128(n.broadcast()))
        .max()
        .unwrap_or(0);
    let unused_top_bits = 128 - u32::from(family.bits());
    let common = ((low ^ high).leading_zeros() - unused_top_bits) as u8;
    let shortest = nets.iter().map(IpNet::prefix_len).min().unwrap_or(common);
    let prefix = common.min(shortest);
    IpNet::new(cidr::from_u128(family, low), prefix).map_or(nets[0], |n| n.trunc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::{NodeRanges, ServiceCidrObject};

    fn data() -> ClusterData {
        ClusterData {
            version: Some("v1.34.4".into()),
            service_cidr_api: Some("networking.k8s.io/v1".into()),
            service_cidrs: vec![ServiceCidrObject {
                name: "kubernetes".into(),
                cidrs: vec!["10.96.0.0/16".into(), "fd00:10:96::/108".into()],
                not_ready: None,
                terminating: false,
            }],
            kubernetes_service_ips: vec!["10.96.0.1".into(), "fd00:10:96::1".into()],
            nodes: vec![
                NodeRanges {
                    name: "a".into(),
                    pod_cidrs: vec!["10.244.0.0/24".into(), "fd00:10:244::/64".into()],
                },
                NodeRanges {
                    name: "b".into(),
                    pod_cidrs: vec!["10.244.1.0/24".into(), "fd00:10:244:1::/64".into()],
                },
                NodeRanges {
                    name: "c".into(),
                    pod_cidrs: vec![],
                },
            ],
            notes: vec![],
        }
    }

    #[test]
    fn healthy_dual_stack_cluster() {
        let r = diagnose(&data(), &Inputs::default());
        assert_eq!(r.check.errors, 0, "{:?}", r.check.findings);
        assert_eq!(r.check.warnings, 0, "{:?}", r.check.findings);
        assert_eq!(r.allocator, Some(Allocator::Ipaddress));
        assert_eq!(r.check.ranges.len(), 2);
        assert_eq!(r.nodes.total, 3);
        assert_eq!(r.nodes.with_pod_cidrs, 2);
        assert_eq!(r.nodes.families[0].covering_network, "10.244.0.0/23");
        assert_eq!(r.nodes.families[1].covering_network, "fd00:10:244::/63");
        assert_eq!(r.nodes.families[1].masks, [64]);
    }

    #[test]
    fn broken_cluster() {
        let mut d = data();
        d.nodes[1].pod_cidrs = vec!["10.244.0.0/24".into(), "fd00:10:96::/112".into()];
        d.nodes[2].pod_cidrs = vec!["fd00::zz/64".into()];
        d.kubernetes_service_ips = vec!["10.0.0.1".into(), "fd00:10:96::1".into()];
        d.service_cidrs.push(ServiceCidrObject {
            name: "extra".into(),
            cidrs: vec!["fd00:20::/112".into()],
            not_ready: Some("Ready=False OverlappingServiceCIDR".into()),
            terminating: false,
        });
        let r = diagnose(&d, &Inputs::default());
        let rules: Vec<(&str, &str)> = r
            .check
            .findings
            .iter()
            .map(|f| (f.rule, f.source.as_str()))
            .collect();
        for want in [
            ("overlap", "node/b"),
            ("unparseable", "node/c"),
            ("kubernetes-service-outside", "service/default/kubernetes"),
            ("service-cidr-not-ready", "ServiceCIDR/extra"),
        ] {
            assert!(rules.contains(&want), "{want:?} missing from {rules:?}");
        }
        assert_eq!(
            rules
                .iter()
                .filter(|(rule, source)| *rule == "overlap" && *source == "node/b")
                .count(),
            2,
            "{rules:?}"
        );
    }

    #[test]
    fn without_servicecidr_api_uses_flags() {
        let mut d = data();
        d.service_cidrs.clear();
        d.service_cidr_api = None;
        let r = diagnose(&d, &Inputs::default());
        assert!(
            r.check
                .findings
                .iter()
                .any(|f| f.rule == "service-range-unknown")
        );
        let inputs = Inputs {
            service_cidrs: vec![Cidr::parse("fd00:10:96::/64").expect("cidr")],
            settings: Settings {
                version: Some((1, 30)),
                ..Settings::default()
            },
            ..Inputs::default()
        };
        let r = diagnose(&d, &inputs);
        assert!(
            r.check
                .findings
                .iter()
                .any(|f| f.rule == "service-range-too-large" && f.severity == Severity::Error)
        );
    }
}
