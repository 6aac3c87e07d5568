//! `cluster`: read the ranges, diagnose, print.

use firstaid::{Exit, Printer, Result};

use crate::check::Range;
use crate::cli::ClusterArgs;
use crate::cluster::{self, ClusterReport, Inputs};
use crate::commands::check::{exit_for, flag_ranges, print_report, settings};
use crate::fetch;

pub async fn run(args: &ClusterArgs, printer: &mut Printer) -> Result<Exit> {
    let kube = args.kube.connect().await?;
    let data = fetch::fetch(&kube).await?;
    let extra: Vec<Range> = flag_ranges(&args.rules);
    let inputs = Inputs {
        settings: settings(&args.rules),
        service_cidrs: args.service_cidr.clone(),
        extra,
    };
    let report = cluster::diagnose(&data, &inputs);
    print(printer, &report)?;
    Ok(exit_for(&report.check))
}

fn print(printer: &mut Printer, report: &ClusterReport) -> Result<()> {
    if !printer.format.is_structured() {
        let version = report.version.as_deref().unwrap_or("unknown");
        let allocator = match report.allocator {
            Some(crate::k8s::Allocator::Ipaddress) => {
                "IPAddress (ServiceCIDR) allocator: no 20-bit cap"
            }
            Some(crate::k8s::Allocator::Legacy) => {
                "legacy allocator: service ranges at most 20 host bits"
            }
            None => "allocator unknown",
        };
        printer.note(&format!(
            "Kubernetes {version}, {allocator}; ServiceCIDR API: {}",
            report.service_cidr_api.as_deref().unwrap_or("not served")
        ))?;
        let families: Vec<String> = report
            .nodes
            .families
            .iter()
            .map(|f| {
                let masks: Vec<String> = f.masks.iter().map(|m| format!("/{m}")).collect();
                format!(
                    "{} {} node ranges ({}) within {}",
                    f.node_ranges,
                    f.family.name(),
                    masks.join(", "),
                    f.covering_network
                )
            })
            .collect();
        printer.note(&format!(
            "{} nodes, {} with podCIDRs{}{}",
            report.nodes.total,
            report.nodes.with_pod_cidrs,
            if families.is_empty() { "" } else { ": " },
            families.join("; ")
        ))?;
        if !report.kubernetes_service_ips.is_empty() {
            printer.note(&format!(
                "kubernetes Service ClusterIPs: {}",
                report.kubernetes_service_ips.join(", ")
            ))?;
        }
        for note in &report.notes {
            printer.warn(note)?;
        }
    }
    print_report(printer, "ClusterCidrReport", report, &report.check)
}
